/*
 * buf_test - the bounded buffer (libsm/sm_buf).
 */
#include "sm_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* Growth keeps the contents and the terminating NUL. */
static void
test_grow(void **state)
{
	struct sm_buf b;
	int i;

	(void)state;
	sm_buf_init(&b, 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(sm_buf_puts(&b, "abc"), 0);
	assert_int_equal(b.len, 3000);
	assert_int_equal(strlen(sm_buf_str(&b)), 3000);
	assert_memory_equal(b.data + 2997, "abc", 4);
	sm_buf_free(&b);
}

/* The limit is exact, and a refused append changes nothing. */
static void
test_limit(void **state)
{
	struct sm_buf b;

	(void)state;
	sm_buf_init(&b, 10);
	assert_int_equal(sm_buf_puts(&b, "0123456789"), 0);
	errno = 0;
	assert_int_equal(sm_buf_putc(&b, 'x'), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_string_equal(sm_buf_str(&b), "0123456789");
	sm_buf_reset(&b);
	assert_int_equal(sm_buf_puts(&b, "01234"), 0);
	assert_int_equal(sm_buf_puts(&b, "567890"), -1);
	assert_string_equal(sm_buf_str(&b), "01234");
	assert_int_equal(sm_buf_printf(&b, "%d", 123456), -1);
	assert_string_equal(sm_buf_str(&b), "01234");
	assert_int_equal(sm_buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(sm_buf_str(&b), "0123412345");
	sm_buf_free(&b);
}

/* printf appends and grows past the initial size. */
static void
test_printf(void **state)
{
	struct sm_buf b;
	char big[300];

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sm_buf_init(&b, 0);
	assert_int_equal(sm_buf_printf(&b, "%s-%d", "a", 7), 0);
	assert_int_equal(sm_buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 3 + 2 + 299);
	assert_int_equal(b.data[b.len], '\0');
	sm_buf_free(&b);
}

/* Binary data with NULs, chomp, truncate, detach. */
static void
test_misc(void **state)
{
	static const struct {
		const char *in, *out;
	} chomp[] = {
		{ "line\r\n", "line" }, { "line\n", "line" },
		{ "line", "line" }, { "\r\n", "" }, { "a\r", "a\r" },
	};
	struct sm_buf b;
	size_t i;
	char *s;

	(void)state;
	sm_buf_init(&b, 0);
	assert_int_equal(sm_buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	for (i = 0; i < NELEM(chomp); i++) {
		sm_buf_reset(&b);
		(void)sm_buf_puts(&b, chomp[i].in);
		sm_buf_chomp(&b);
		assert_string_equal(sm_buf_str(&b), chomp[i].out);
	}
	sm_buf_reset(&b);
	(void)sm_buf_puts(&b, "hello");
	sm_buf_truncate(&b, 2);
	assert_string_equal(sm_buf_str(&b), "he");
	s = sm_buf_detach(&b);
	assert_string_equal(s, "he");
	free(s);
	assert_string_equal(sm_buf_str(&b), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_misc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
