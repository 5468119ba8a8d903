/*
 * input_test - reading a message from standard input (-bm, -t).
 */
#include "input.h"

#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "header.h"
#include "sm_strlist.h"
#include "test.h"

/* input - a message on a pipe, read with input_read() */
static int
input(const char *text, size_t len, bool ignore_dots, size_t maxhdr,
    struct input *s)
{
	char err[256];
	int p[2], rc;

	assert_int_equal(pipe(p), 0);
	if (fork() == 0) {
		(void)close(p[0]);
		while (len > 0) {
			ssize_t n = write(p[1], text, len);

			if (n <= 0)
				_exit(1);
			text += n;
			len -= (size_t)n;
		}
		_exit(0);
	}
	(void)close(p[1]);
	rc = input_read(p[0], ignore_dots, maxhdr, s, err, sizeof(err));
	(void)close(p[0]);
	return rc;
}

/* body - the whole body file as a string the caller frees */
static char *
body(struct input *s)
{
	char *b = calloc(1, 1 << 20);
	size_t n = fread(b, 1, (1 << 20) - 1, s->body);

	b[n] = '\0';
	return b;
}

static void
test_lf_and_crlf(void **state)
{
	static const char msg[] =
	    "Subject: hello\r\nTo: a@x.example,\n b@x.example\r\n\r\n"
	    "line 1\r\nline 2\n..not the end\n";
	struct input s;
	char *b;

	(void)state;
	assert_int_equal(input(msg, strlen(msg), false, 0, &s), EX_OK);
	assert_int_equal(s.hdrs.n, 2);
	assert_string_equal(s.hdrs.v[0], "Subject: hello");
	assert_string_equal(s.hdrs.v[1], "To: a@x.example,\n b@x.example");
	assert_string_equal(header_value(&s.hdrs, "subject"), "hello");
	b = body(&s);
	assert_string_equal(b, "line 1\nline 2\n..not the end\n");
	assert_false(s.eightbit);
	free(b);
	input_free(&s);
}

static void
test_dot(void **state)
{
	static const char msg[] = "Subject: x\n\nbefore\n.\nafter\n";
	struct input s;
	char *b;

	(void)state;
	/* Without -i a lone dot ends the message. */
	assert_int_equal(input(msg, strlen(msg), false, 0, &s), EX_OK);
	b = body(&s);
	assert_string_equal(b, "before\n");
	free(b);
	input_free(&s);
	/* With -i it is text, and so is a lone dot with CRLF. */
	assert_int_equal(input(msg, strlen(msg), true, 0, &s), EX_OK);
	b = body(&s);
	assert_string_equal(b, "before\n.\nafter\n");
	free(b);
	input_free(&s);
	assert_int_equal(input("a: b\n\nx\r\n.\r\ny\n",
	    strlen("a: b\n\nx\r\n.\r\ny\n"), false, 0, &s), EX_OK);
	b = body(&s);
	assert_string_equal(b, "x\n");
	free(b);
	input_free(&s);
}

static void
test_header_edges(void **state)
{
	static const char from_[] = "From someone Mon Nov 23 10:00:00 2026\n"
	    "Subject: s\nthis is body\nmore\n";
	struct input s;
	char *b;

	(void)state;
	/* A mailbox From_ line is dropped; no blank line before the body. */
	assert_int_equal(input(from_, strlen(from_), false, 0, &s), EX_OK);
	assert_int_equal(s.hdrs.n, 1);
	b = body(&s);
	assert_string_equal(b, "this is body\nmore\n");
	free(b);
	input_free(&s);
	/* No header at all, no final line feed, 8-bit text. */
	assert_int_equal(input("just text \xc3\xa9", 12, false, 0, &s), EX_OK);
	assert_int_equal(s.hdrs.n, 0);
	assert_true(s.eightbit);
	b = body(&s);
	assert_string_equal(b, "just text \xc3\xa9\n");
	free(b);
	input_free(&s);
	/* Empty input: an empty message. */
	assert_int_equal(input("", 0, false, 0, &s), EX_OK);
	assert_int_equal(s.hdrs.n, 0);
	assert_int_equal(s.size, 0);
	input_free(&s);
}

static void
test_long_lines(void **state)
{
	size_t n = 300000, i;
	char *msg = malloc(n + 64), *b;
	struct input s;

	(void)state;
	memcpy(msg, "Subject: long\n\n", 15);
	for (i = 15; i < n; i++)
		msg[i] = 'x';
	memcpy(msg + n, "\nend\n", 5);
	assert_int_equal(input(msg, n + 5, false, 0, &s), EX_OK);
	b = body(&s);
	assert_int_equal(strlen(b), n - 15 + 5);
	assert_string_equal(b + n - 15, "\nend\n");
	free(b);
	input_free(&s);
	/* A header section over the limit is refused, nothing crashes. */
	for (i = 0; i < n; i++)
		msg[i] = (i % 40 == 39) ? '\n' : 'h';
	for (i = 0; i < n; i += 40)
		memcpy(msg + i, "X-Pad: ", 7);
	assert_int_equal(input(msg, n, false, 32768, &s), EX_DATAERR);
	input_free(&s);
	free(msg);
}

static void
test_recipients(void **state)
{
	static const char msg[] =
	    "From: me@x.example\nTo: Alice <a@x.example>, b@x.example\n"
	    "Cc: \"C, See\" <c@x.example>\nBcc: hidden@x.example\n"
	    "Subject: to all\n\nbody\n";
	static const char resent[] =
	    "To: old@x.example\nResent-To: new@x.example\n"
	    "Resent-Bcc: secret@x.example\n\nbody\n";
	struct sm_strlist l = { NULL, 0 };
	struct input s;

	(void)state;
	assert_int_equal(input(msg, strlen(msg), false, 0, &s), EX_OK);
	assert_int_equal(input_recipients(&s, &l), 4);
	assert_string_equal(l.v[0], "a@x.example");
	assert_string_equal(l.v[1], "b@x.example");
	assert_string_equal(l.v[2], "c@x.example");
	assert_string_equal(l.v[3], "hidden@x.example");
	sm_strlist_clear(&l);
	input_remove(&s, "Bcc");
	assert_null(header_value(&s.hdrs, "Bcc"));
	assert_int_equal(s.hdrs.n, 4);
	assert_string_equal(header_value(&s.hdrs, "Subject"), "to all");
	input_free(&s);

	assert_int_equal(input(resent, strlen(resent), false, 0, &s), EX_OK);
	assert_int_equal(input_recipients(&s, &l), 2);
	assert_string_equal(l.v[0], "new@x.example");
	assert_string_equal(l.v[1], "secret@x.example");
	sm_strlist_clear(&l);
	input_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf_and_crlf),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_header_edges),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_recipients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
