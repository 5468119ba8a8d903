/*
 * test.h - what every unit test includes: cmocka and its prerequisites.
 */
#ifndef TEST_H
#define TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* TEST_H */
