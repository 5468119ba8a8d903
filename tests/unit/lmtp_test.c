/*
 * lmtp_test - the LMTP side of the delivery client (queue/q_smtp, RFC
 * 2033): LHLO and no HELO, and after the final dot one answer for each
 * recipient the server accepted, in RCPT order, each the result of its
 * own recipient.
 *
 * The server is a child process on the other end of a socketpair that
 * answers from a script; its exit code says whether it saw a HELO.
 */
#include "q_smtp.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define NRCPT	3

struct script {
	const char	*name;
	const char	*lhlo;			/* the reply to LHLO */
	const char	*rcpt[NRCPT];		/* to each RCPT */
	const char	*dot;			/* after the message; the
						   server closes after it */
	int		 rc;			/* of q_smtp_send */
	enum q_status	 want[NRCPT];
	const char	*text[NRCPT];		/* each result begins so */
};

static const struct script scripts[] = {
	{ "an answer each, in order, refusals at RCPT skipped",
	    "250-lmtp.example\r\n250 PIPELINING\r\n",
	    { "250 2.1.5 ok", "550 5.1.1 no such user", "250 2.1.5 ok" },
	    "250 2.0.0 a saved\r\n452 4.2.2 c is over quota\r\n", 0,
	    { Q_OK, Q_PERMFAIL, Q_TEMPFAIL },
	    { "250 2.0.0 a saved", "550 5.1.1", "452 4.2.2 c is over" } },
	{ "without PIPELINING too",
	    "250 lmtp.example\r\n",
	    { "250 2.1.5 ok", "250 2.1.5 ok", "250 2.1.5 ok" },
	    "550 5.2.0 a refused\r\n250 b saved\r\n250 c saved\r\n", 0,
	    { Q_PERMFAIL, Q_OK, Q_OK },
	    { "550 5.2.0 a refused", "250 b saved", "250 c saved" } },
	{ "the connection lost after the first answer: the rest deferred",
	    "250-lmtp.example\r\n250 PIPELINING\r\n",
	    { "250 2.1.5 ok", "250 2.1.5 ok", "250 2.1.5 ok" },
	    "250 2.0.0 a saved\r\n", -1,
	    { Q_OK, Q_TEMPFAIL, Q_TEMPFAIL },
	    { "250 2.0.0 a saved", "Deferred", "Deferred" } },
	{ "no answer at all after the dot: nothing delivered",
	    "250-lmtp.example\r\n250 PIPELINING\r\n",
	    { "250 2.1.5 ok", "250 2.1.5 ok", "250 2.1.5 ok" },
	    "", -1,
	    { Q_TEMPFAIL, Q_TEMPFAIL, Q_TEMPFAIL },
	    { "Deferred", "Deferred", "Deferred" } },
	{ "one answer for the whole message is not enough",
	    "250-lmtp.example\r\n250 PIPELINING\r\n",
	    { "250 2.1.5 ok", "250 2.1.5 ok", "250 2.1.5 ok" },
	    "250 2.0.0 queued as 1234\r\n", -1,
	    { Q_OK, Q_TEMPFAIL, Q_TEMPFAIL },
	    { "250 2.0.0 queued", "Deferred", "Deferred" } },
};

/* server - the child: answer fd from s; exit 1 if a HELO came */
static void
server(int fd, const struct script *s)
{
	char buf[1024];
	int rcpt = 0;

	test_say(fd, "220 lmtp.example LMTP\r\n");
	while (test_line(fd, buf, sizeof(buf))) {
		if (strncmp(buf, "HELO", 4) == 0 || strncmp(buf, "EHLO", 4) == 0)
			_exit(1);
		if (strncmp(buf, "LHLO", 4) == 0)
			test_say(fd, s->lhlo);
		else if (strncmp(buf, "MAIL", 4) == 0)
			test_say(fd, "250 2.1.0 ok\r\n");
		else if (strncmp(buf, "RCPT", 4) == 0 && rcpt < NRCPT) {
			test_say(fd, s->rcpt[rcpt++]);
			test_say(fd, "\r\n");
		} else if (strncmp(buf, "DATA", 4) == 0) {
			test_say(fd, "354 go ahead\r\n");
			while (test_line(fd, buf, sizeof(buf)) &&
			    strcmp(buf, ".") != 0)
				;
			test_say(fd, s->dot);
			_exit(0);
		} else if (strncmp(buf, "QUIT", 4) == 0) {
			test_say(fd, "221 bye\r\n");
			_exit(0);
		} else
			test_say(fd, "500 5.5.1 what?\r\n");
	}
	_exit(0);
}

/* start - a server for s; the client's end of the socket */
static int
start(const struct script *s, pid_t *pid)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		(void)close(sv[0]);
		server(sv[1], s);
	}
	(void)close(sv[1]);
	return sv[0];
}

/* ended - the server's exit code */
static int
ended(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Each recipient's result is its own answer, whatever came before. */
static void
test_answers(void **state)
{
	const char *rcpts[NRCPT] = { "<a>", "<b>", "<c>" };
	const char *none[NRCPT] = { NULL, NULL, NULL };
	struct sm_strlist hdrs = { NULL, 0 };
	struct q_result r, res[NRCPT];
	struct sm_options o;
	struct q_conn *c;
	struct q_txn t;
	char body[sizeof(test_dir) + 8];
	size_t i, k;
	pid_t pid;
	int fd, dfd;

	(void)state;
	sm_opt_init(&o);
	o.to.datafinal = 2;		/* a silent server ends a test */
	(void)snprintf(body, sizeof(body), "%s/df", test_dir);
	dfd = open(body, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(dfd >= 0);
	assert_int_equal(write(dfd, "hello\n.dot\n", 11), 11);
	sm_strlist_add(&hdrs, "Subject: lmtp");
	for (k = 0; k < NELEM(scripts); k++) {
		const struct script *s = &scripts[k];

		fd = start(s, &pid);
		c = q_smtp_attach(fd, "lmtp.example", true, &o, "me.example",
		    &r);
		assert_non_null(c);
		memset(&t, 0, sizeof(t));
		memset(res, 0, sizeof(res));
		t.sender = "<s@example.org>";
		t.nrcpts = NRCPT;
		t.rcpts = rcpts;
		t.notify = none;
		t.orcpt = none;
		t.results = res;
		t.headers = &hdrs;
		t.mailer_flags = "lsDFMnqXz";
		t.dfd = dfd;
		t.id = "TEST";
		if (q_smtp_send(c, &t) != s->rc)
			fail_msg("%s: q_smtp_send", s->name);
		for (i = 0; i < NRCPT; i++)
			if (res[i].status != s->want[i] || strncmp(res[i].text,
			    s->text[i], strlen(s->text[i])) != 0)
				fail_msg("%s: recipient %zu: %d \"%s\"", s->name,
				    i, (int)res[i].status, res[i].text);
		q_smtp_close(c, false);
		assert_int_equal(ended(pid), 0);
	}
	sm_strlist_clear(&hdrs);
	(void)close(dfd);
	sm_opt_free(&o);
}

/* LHLO refused: no HELO after it (RFC 2033 4.1), and no mail. */
static void
test_lhlo_refused(void **state)
{
	static const struct script refuse = { "refused", "500 5.5.1 no\r\n",
	    { "", "", "" }, "", 0, { Q_OK, Q_OK, Q_OK }, { "", "", "" } };
	struct sm_options o;
	struct q_result r;
	pid_t pid;
	int fd;

	(void)state;
	sm_opt_init(&o);
	fd = start(&refuse, &pid);
	assert_null(q_smtp_attach(fd, "lmtp.example", true, &o, "me.example",
	    &r));
	assert_int_equal(r.status, Q_PERMFAIL);
	assert_string_equal(r.text, "500 5.5.1 no");
	assert_int_equal(ended(pid), 0);	/* it saw no HELO */
	sm_opt_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_lhlo_refused),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
