/*
 * qsecure_test - TLS and AUTH on a delivery connection (queue/q_secure):
 * which mechanism is used, what goes on the wire for each, that no
 * password leaves in the clear unless the configuration allows it, and
 * what a refusal or a missing TLS makes of the delivery.
 *
 * The server is a child process on the other end of a socketpair that
 * answers from a script and writes each line it receives to a file.
 */
#include "q_smtp_int.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "test.h"

/* RFC 2195's example: this challenge, user and password give this. */
#define CRAM_CHALLENGE	"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9u" \
			"Lm1jaS5uZXQ+"
#define CRAM_ANSWER	"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
#define CRAM_PASS	"tanstaaftanstaaf"

#define EHLO_AUTH	"250-mx.example\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"

struct script {
	const char	*ehlo;		/* the reply to EHLO */
	const char	*replies[4];	/* to each line after it, in turn */
};

static char wire[8192];			/* what the server received */

/* say - s to fd */
static void
say(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	(void)n;	/* a client gone after its QUIT need not read this */
}

/* next_line - one line from fd, CRLF kept, into buf; its length, 0: EOF */
static size_t
next_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len && read(fd, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = '\0';
	return n;
}

/* server - the child: answer fd from s, each line received to log */
static void
server(int fd, int log, const struct script *s)
{
	char buf[1024];
	size_t n, i = 0;

	(void)signal(SIGPIPE, SIG_IGN);
	say(fd, "220 mx.example ESMTP\r\n");
	if (next_line(fd, buf, sizeof(buf)) == 0)
		_exit(1);
	say(fd, s->ehlo);
	while ((n = next_line(fd, buf, sizeof(buf))) > 0) {
		if (write(log, buf, n) != (ssize_t)n)
			_exit(3);
		if (i < NELEM(s->replies) && s->replies[i] != NULL)
			say(fd, s->replies[i++]);
		else if (strncmp(buf, "QUIT", 4) == 0)
			say(fd, "221 2.0.0 bye\r\n");
		else
			say(fd, "500 5.5.1 not expected\r\n");
	}
	_exit(0);
}

/*
 * session - connect to a server playing s, then q_secure_session() with
 * sec; its result, r, and the server's log in wire
 */
static bool
session(const struct script *s, const struct q_secure *sec,
    struct q_result *r, bool *authenticated)
{
	struct sm_options o;
	struct q_conn *c;
	char log[128];
	int sv[2], lfd, st;
	bool ok;
	pid_t pid;
	ssize_t n;

	sm_opt_init(&o);
	o.to.auth = 2;			/* a silent server ends a test */
	o.to.starttls = 2;
	o.to.quit = 2;
	(void)snprintf(log, sizeof(log), "%s/wire", test_dir);
	lfd = open(log, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(lfd >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)close(sv[0]);
		server(sv[1], lfd, s);
	}
	(void)close(sv[1]);
	c = q_smtp_attach(sv[0], "mx.example", false, &o, "me.example", r);
	assert_non_null(c);
	ok = q_secure_session(c, "me.example", sec, "mx.example", r);
	*authenticated = c->authenticated;
	q_smtp_close(c, false);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = pread(lfd, wire, sizeof(wire) - 1, 0);
	wire[n > 0 ? n : 0] = '\0';
	(void)close(lfd);
	sm_opt_free(&o);
	return ok;
}

/* creds - a q_secure with credentials for mechs (NULL: AuthMechanisms) */
static struct q_secure
creds(const char *mechs, const char *pass, bool cleartext_ok)
{
	struct q_secure sec;

	memset(&sec, 0, sizeof(sec));
	sec.auth = true;
	sec.cleartext_ok = cleartext_ok;
	(void)snprintf(sec.authid, sizeof(sec.authid), "tim");
	(void)snprintf(sec.pass, sizeof(sec.pass), "%s", pass);
	if (mechs != NULL)
		(void)snprintf(sec.mechs, sizeof(sec.mechs), "%s", mechs);
	return sec;
}

/*
 * AUTH as a user sees it: which mechanism is used, what goes on the
 * wire, whether the connection may carry mail, and why not.
 */
static const struct {
	const char	*name;
	struct script	 s;
	const char	*mechs;		/* authinfo M:, NULL: AuthMechanisms */
	const char	*user;		/* U: (authorization), or "" */
	const char	*pass;
	bool		 cleartext_ok;	/* AllowCleartextAuth */
	bool		 ok;		/* may carry mail */
	bool		 authed;
	const char	*wire;		/* all the client sent */
	const char	*dsn;		/* of the deferral, or NULL */
	const char	*text;
} auths[] = {
	{ "by default only CRAM-MD5 of the three, RFC 2195's answer, "
	    "without TLS: only a digest leaves",
	    { EHLO_AUTH, { "334 " CRAM_CHALLENGE "\r\n",
	    "235 2.7.0 ok\r\n" } },
	    NULL, "", CRAM_PASS, false, true, true,
	    "AUTH CRAM-MD5\r\n" CRAM_ANSWER "\r\n", NULL, NULL },
	{ "PLAIN and LOGIN without TLS nor AllowCleartextAuth: no AUTH at "
	    "all, the password stays, the mail may still go",
	    { "250-mx.example\r\n250 AUTH PLAIN LOGIN\r\n", { NULL } },
	    "PLAIN LOGIN", "", "secret", false, true, false, "", NULL, NULL },
	{ "PLAIN with AllowCleartextAuth: \\0tim\\0secret in one line",
	    { EHLO_AUTH, { "235 2.7.0 ok\r\n" } },
	    "PLAIN", "", "secret", true, true, true,
	    "AUTH PLAIN AHRpbQBzZWNyZXQ=\r\n", NULL, NULL },
	{ "PLAIN for another (U:): boss\\0tim\\0secret",
	    { EHLO_AUTH, { "235 2.7.0 ok\r\n" } },
	    "PLAIN", "boss", "secret", true, true, true,
	    "AUTH PLAIN Ym9zcwB0aW0Ac2VjcmV0\r\n", NULL, NULL },
	{ "LOGIN first in the allowed list: both prompts answered",
	    { EHLO_AUTH, { "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n",
	    "235 2.7.0 ok\r\n" } },
	    "LOGIN PLAIN", "", "secret", true, true, true,
	    "AUTH LOGIN\r\ndGlt\r\nc2VjcmV0\r\n", NULL, NULL },
	{ "refused credentials are for a person to fix: deferred with the "
	    "reply and a 4.x.x status, never bounced, then QUIT",
	    { EHLO_AUTH, { "334 " CRAM_CHALLENGE "\r\n",
	    "535 5.7.8 Authentication credentials invalid\r\n" } },
	    NULL, "", "wrong", false, false, false,
	    "AUTH CRAM-MD5\r\ndGltIGRmNjE1NmE5ZjVmNmJhMWE5NzYyMzM3MzM0Mzg1"
	    "YzJl\r\nQUIT\r\n", "4.7.8",
	    "535 5.7.8 Authentication credentials invalid" },
	{ "a server that asks again after the answers gets \"*\"",
	    { EHLO_AUTH, { "334 \r\n", "501 5.7.0 cancelled\r\n" } },
	    "PLAIN", "", "secret", true, false, false,
	    "AUTH PLAIN AHRpbQBzZWNyZXQ=\r\n*\r\nQUIT\r\n", "4.7.0",
	    "501 5.7.0 cancelled" },
};

/* test_auth - each case of auths */
static void
test_auth(void **state)
{
	struct q_secure sec;
	struct q_result r;
	bool ok, authed;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(auths); i++) {
		sec = creds(auths[i].mechs, auths[i].pass,
		    auths[i].cleartext_ok);
		(void)snprintf(sec.user, sizeof(sec.user), "%s",
		    auths[i].user);
		ok = session(&auths[i].s, &sec, &r, &authed);
		if (ok != auths[i].ok || authed != auths[i].authed ||
		    strcmp(wire, auths[i].wire) != 0)
			fail_msg("%s: %d %d \"%s\"", auths[i].name, ok, authed,
			    wire);
		if (auths[i].dsn != NULL && (r.status != Q_TEMPFAIL ||
		    strcmp(r.dsn, auths[i].dsn) != 0 ||
		    strcmp(r.text, auths[i].text) != 0))
			fail_msg("%s: %s %s", auths[i].name, r.dsn, r.text);
	}
}

/* -v shows each AUTH step, never the credentials. */
static void
test_trace_hides_credentials(void **state)
{
	static const struct script s = { EHLO_AUTH, {
	    "235 2.7.0 ok\r\n" } };
	struct q_secure sec = creds("PLAIN", "secret", true);
	struct q_result r;
	char text[1024];
	FILE *t = tmpfile();
	size_t n;
	bool authed;

	(void)state;
	assert_non_null(t);
	q_smtp_trace = t;
	assert_true(session(&s, &sec, &r, &authed));
	q_smtp_trace = NULL;
	rewind(t);
	n = fread(text, 1, sizeof(text) - 1, t);
	text[n] = '\0';
	(void)fclose(t);
	assert_non_null(strstr(text, ">>> AUTH PLAIN <credentials>\n"));
	assert_non_null(strstr(text, "235 2.7.0 ok"));
	assert_null(strstr(text, "AHRpbQBzZWNyZXQ="));
}

/*
 * TLS_Srv requires TLS: a server without STARTTLS, or one that refuses
 * it, gets no mail, with the reason; where TLS is only offered, a
 * refused STARTTLS leaves the connection in the clear.
 */
static void
test_tls_required(void **state)
{
	static const struct script plain = {
	    "250-mx.example\r\n250 8BITMIME\r\n", { NULL } };
	static const struct script refuses = {
	    "250-mx.example\r\n250 STARTTLS\r\n", {
	    "454 4.7.0 TLS not available\r\n" } };
	struct q_secure sec;
	struct q_result r;
	bool authed;

	(void)state;
	memset(&sec, 0, sizeof(sec));
	sec.tls_required = true;
	assert_false(session(&plain, &sec, &r, &authed));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_string_equal(r.dsn, "4.7.0");
	assert_non_null(strstr(r.text, "TLS_Srv requires TLS, but TLS is "
	    "not configured"));
	sec.tls = SSL_CTX_new(TLS_client_method());
	assert_non_null(sec.tls);
	assert_false(session(&plain, &sec, &r, &authed));
	assert_non_null(strstr(r.text, "the server does not offer "
	    "STARTTLS"));
	assert_false(session(&refuses, &sec, &r, &authed));
	assert_int_equal(r.status, Q_TEMPFAIL);
	assert_non_null(strstr(r.text, "STARTTLS refused, TLS_Srv requires "
	    "TLS: 454 4.7.0 TLS not available"));
	assert_string_equal(wire, "STARTTLS\r\n");
	sec.tls_required = false;
	assert_true(session(&refuses, &sec, &r, &authed));
	assert_string_equal(wire, "STARTTLS\r\n");
	SSL_CTX_free(sec.tls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_trace_hides_credentials),
		cmocka_unit_test(test_tls_required),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
