/*
 * sm_config.h - the one place for build-time settings and portability.
 *
 * Every .c file of the project includes this first (through the module
 * headers).  Paths that `make install` may change come in as -D flags;
 * the defaults below are what a Debian system uses.
 */
#ifndef SM_CONFIG_H
#define SM_CONFIG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stddef.h>

/* Version reported in logs, greetings ($v) and -d0.1. */
#define SM_VERSION	"0.1.0"

#ifndef SM_CF_PATH
#define SM_CF_PATH	"/etc/mail/sendmail.cf"
#endif

/* Longest line the .cf reader accepts, continuation lines included. */
#define SM_CF_MAXLINE	(64 * 1024)

/* A case that falls through to the next, said so to the compiler. */
#define SM_FALLTHROUGH	__attribute__((fallthrough))

/* strlcpy/strlcat are not in glibc 2.36; libsm/compat supplies them. */
#include "compat/sm_strl.h"

#endif /* SM_CONFIG_H */
