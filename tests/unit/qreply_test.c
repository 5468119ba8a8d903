/*
 * qreply_test - a server's replies as the delivery client reads them
 * (queue/q_reply): which lines are reply lines, what a reply's last
 * line says (the status, the enhanced status code, the text), and
 * replies read over a connection: multi-line ones, malformed ones, too
 * long or too many lines, and a server that says nothing.
 */
#include "q_reply.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "q_smtp.h"
#include "sm_opt.h"
#include "test.h"

struct line_case {
	const char		*line;
	enum q_reply_line	 kind;
};

static const struct line_case lines[] = {
	{ "250 ok", Q_REPLY_LAST },
	{ "250", Q_REPLY_LAST },
	{ "250-PIPELINING", Q_REPLY_MORE },
	{ "250-", Q_REPLY_MORE },
	{ "25", Q_REPLY_BAD },
	{ "", Q_REPLY_BAD },
	{ "2500 ok", Q_REPLY_BAD },
	{ "250\tok", Q_REPLY_BAD },
	{ "abc ok", Q_REPLY_BAD },
	{ " 250 ok", Q_REPLY_BAD },
	{ "2x0 ok", Q_REPLY_BAD },
};

/* A reply line: three digits, then a space, a dash or its end. */
static void
test_reply_line(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(lines); i++)
		if (q_reply_line(lines[i].line, strlen(lines[i].line)) !=
		    lines[i].kind)
			fail_msg("\"%s\"", lines[i].line);
}

struct parse_case {
	const char	*line;
	int		 code;
	enum q_status	 status;
	const char	*dsn;
};

static const struct parse_case parses[] = {
	{ "250 2.1.5 ok", 250, Q_OK, "2.1.5" },
	{ "550 5.1.1 <x@y>: no such user", 550, Q_PERMFAIL, "5.1.1" },
	{ "452 4.2.2 over quota", 452, Q_TEMPFAIL, "4.2.2" },
	{ "451 try again later", 451, Q_TEMPFAIL, "4.0.0" },
	{ "554 go away", 554, Q_PERMFAIL, "5.0.0" },
	{ "354 go ahead", 354, Q_OK, "2.0.0" },
	{ "250", 250, Q_OK, "2.0.0" },
	{ "421 4.7.0", 421, Q_TEMPFAIL, "4.7.0" },
	{ "550 5.7.1234567890123 too long a code", 550, Q_PERMFAIL,
	    "5.0.0" },
	{ "250 ok 2.0.0", 250, Q_OK, "2.0.0" },
};

/*
 * A reply's last line as a result: the class of its code, the enhanced
 * status code after it or one made from the class, and the line as the
 * server sent it.
 */
static void
test_parse(void **state)
{
	struct q_result r;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(parses); i++) {
		memset(&r, 0, sizeof(r));
		if (q_reply_parse(parses[i].line, strlen(parses[i].line),
		    &r) != parses[i].code || r.status != parses[i].status ||
		    strcmp(r.dsn, parses[i].dsn) != 0 ||
		    strcmp(r.text, parses[i].line) != 0)
			fail_msg("\"%s\": %d %s \"%s\"", parses[i].line,
			    (int)r.status, r.dsn, r.text);
	}
}

/*
 * greet - a server that greets with greeting, then hangs up or answers
 * EHLO and QUIT; the client's end of the connection
 */
static int
greet(const char *greeting, bool hangup, pid_t *pid)
{
	char buf[512];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		(void)close(sv[0]);
		test_say(sv[1], greeting);
		while (!hangup && test_line(sv[1], buf, sizeof(buf))) {
			if (strncmp(buf, "EHLO", 4) == 0)
				test_say(sv[1],
				    "250-test.example\r\n250 SIZE\r\n");
			else if (strncmp(buf, "QUIT", 4) == 0) {
				test_say(sv[1], "221 bye\r\n");
				break;
			}
		}
		_exit(0);
	}
	(void)close(sv[1]);
	return sv[0];
}

/* attach - greeting from the server, then the client's result */
static bool
attach(const char *greeting, bool hangup, long initial, struct q_result *r)
{
	struct sm_options o;
	struct q_conn *c;
	pid_t pid;
	int fd, st;

	sm_opt_init(&o);
	o.to.initial = initial;
	fd = greet(greeting, hangup, &pid);
	memset(r, 0, sizeof(*r));
	c = q_smtp_attach(fd, "test.example", false, &o, "me.example", r);
	if (c != NULL)
		q_smtp_close(c, true);
	else
		(void)close(fd);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &st, 0);
	sm_opt_free(&o);
	return c != NULL;
}

/* many - n lines of a reply with code, the last one "code last" */
static char *
many(const char *code, size_t n)
{
	size_t i, len = n * 16 + 32;
	char *s = calloc(1, len), *p = s;

	assert_non_null(s);
	for (i = 0; i + 1 < n; i++)
		p += snprintf(p, len - (size_t)(p - s), "%s-line %zu\r\n",
		    code, i);
	(void)snprintf(p, len - (size_t)(p - s), "%s last\r\n", code);
	return s;
}

/* A multi-line reply is read whole; its result is its last line. */
static void
test_multiline(void **state)
{
	struct q_result r;
	char *s;

	(void)state;
	assert_false(attach("554-mx.example says\r\n554-no mail\r\n"
	    "554 5.7.1 go away\r\n", false, 5, &r));
	assert_int_equal(r.status, Q_PERMFAIL);
	assert_string_equal(r.dsn, "5.7.1");
	assert_string_equal(r.text, "554 5.7.1 go away");
	assert_true(attach("220-mx.example\r\n220-welcome\r\n220 ESMTP\r\n",
	    false, 5, &r));
	/* A hundred lines are a reply; a hundred and one are not. */
	s = many("220", Q_REPLY_LINES);
	assert_true(attach(s, false, 5, &r));
	free(s);
	s = many("220", Q_REPLY_LINES + 1);
	assert_false(attach(s, false, 5, &r));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_string_equal(r.dsn, "4.4.2");
	free(s);
}

/*
 * What is not a reply fails the connection, never the message: a
 * deferral (4.4.2) that names the server.
 */
static void
test_malformed(void **state)
{
	struct q_result r;
	char *s;

	(void)state;
	assert_false(attach("hello there\r\n", false, 5, &r));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_string_equal(r.dsn, "4.4.2");
	assert_string_equal(r.text, "Deferred: Connection reset by "
	    "test.example");
	assert_false(attach("220-mx.example\r\n22 oops\r\n220 ok\r\n",
	    false, 5, &r));
	assert_int_equal(r.status, Q_TEMPFAIL);
	/* A line longer than a reply line may be. */
	s = calloc(1, 4096);
	assert_non_null(s);
	memset(s, 'x', 3000);
	memcpy(s, "220 ", 4);
	memcpy(s + 3000, "\r\n", 2);
	assert_false(attach(s, false, 5, &r));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_string_equal(r.dsn, "4.4.2");
	free(s);
	/* The connection closed in the middle of a reply. */
	assert_false(attach("220-mx.example\r\n", true, 5, &r));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_string_equal(r.text, "Deferred: Connection reset by "
	    "test.example");
}

/* A server that says nothing: Timeout.initial, then a deferral. */
static void
test_silent(void **state)
{
	struct q_result r;

	(void)state;
	assert_false(attach("", false, 1, &r));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_string_equal(r.dsn, "4.4.2");
	assert_string_equal(r.text, "Deferred: Connection timed out with "
	    "test.example");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_line),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_silent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
