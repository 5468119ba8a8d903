/*
 * sm_log - the one way the project reports anything.
 *
 * SYNOPSIS
 *	sm_log_init(ident, flags)	once, before the first message
 *	sm_log_set_level(n)		sendmail's LogLevel, after the .cf is read
 *	sm_info(), sm_notice()		events, by syslog priority
 *	sm_warn(), sm_warnx()		trouble we survive (warn adds errno text)
 *	sm_error(), sm_errorx()		an error the caller turns into an exit
 *	sm_fatal(), sm_fatalx()		log and exit with a sysexits code
 *	sm_panic()			a broken invariant: log and abort()
 *	sm_debug()			tracing, to stderr only with SM_LOG_DEBUG
 *
 * DESCRIPTION
 *	Messages go to syslog with facility LOG_MAIL when SM_LOG_SYSLOG is
 *	set, and to stderr as "ident: text" when SM_LOG_STDERR is set (a
 *	foreground process, -v, -d, and the command-line modes).  Every
 *	function preserves errno.  Text that came from a peer must be passed
 *	through sm_log_clean() first.
 *
 *	sm_log_set_exit_hook() names a function that runs before sm_fatal*()
 *	exits (a session child uses it to send 421 before it goes).
 */
#ifndef SM_LOG_H
#define SM_LOG_H

#include "sm_config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <sysexits.h>

#define SM_LOG_SYSLOG	0x01
#define SM_LOG_STDERR	0x02
#define SM_LOG_DEBUG	0x04

#define SM_PRINTF(f, a)	__attribute__((format(printf, f, a)))

void	sm_log_init(const char *, int);
int	sm_log_flags(void);
void	sm_log_set_flags(int);
void	sm_log_reopen(void);
void	sm_log_set_level(int);
int	sm_log_level(void);
void	sm_log_set_exit_hook(void (*)(int));

void	sm_info(const char *, ...) SM_PRINTF(1, 2);
void	sm_notice(const char *, ...) SM_PRINTF(1, 2);
void	sm_warn(const char *, ...) SM_PRINTF(1, 2);
void	sm_warnx(const char *, ...) SM_PRINTF(1, 2);
void	sm_error(const char *, ...) SM_PRINTF(1, 2);
void	sm_errorx(const char *, ...) SM_PRINTF(1, 2);
void	sm_debug(const char *, ...) SM_PRINTF(1, 2);
noreturn void sm_fatal(int, const char *, ...) SM_PRINTF(2, 3);
noreturn void sm_fatalx(int, const char *, ...) SM_PRINTF(2, 3);
noreturn void sm_panic(const char *, ...) SM_PRINTF(1, 2);

/* Format a reason into a caller's error buffer; both return -1. */
int	sm_errbuf(char *, size_t, const char *, ...) SM_PRINTF(3, 4);
int	sm_verrbuf(char *, size_t, const char *, va_list) SM_PRINTF(3, 0);

/* Copy untrusted text for a log line: non-printables as \ooo, capped. */
char	*sm_log_clean(char *, size_t, const char *, size_t);

#endif /* SM_LOG_H */
