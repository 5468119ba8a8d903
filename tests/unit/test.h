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

#include <stdio.h>
#include <stdlib.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A scratch directory for a test group: test_dir holds its name between
 * test_dir_setup() and test_dir_teardown(), which removes it whole.
 */
static char test_dir[64];

static inline int
test_dir_setup(void **state)
{
	(void)state;
	(void)snprintf(test_dir, sizeof(test_dir), "/tmp/unit_test.XXXXXX");
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static inline int
test_dir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif /* TEST_H */
