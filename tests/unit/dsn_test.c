/*
 * dsn_test - delivery status notifications (queue/q_dsn): the bounce
 * and the delay notice a sender gets, queued as new messages, and the
 * cases where none is sent.
 */
#include "q_dsn.h"

#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "q_ctl.h"

#define HOST	"mx.example.org"

/* The failed message: three recipients, DSN fields, two headers. */
static const char original[] =
    "V8\n"
    "T1795400000\n"
    "Fb\n"
    "$_client.example.com [192.0.2.7]\n"
    "S<carol@example.com>\n"
    "Zenv-42\n"
    "Qrfc822;dave@example.net\n"
    "RPFD:<dave@example.net>\n"
    "RPF:<erin@example.net>\n"
    "RPN:<frank@example.net>\n"
    "H??Subject: plans\n"
    "H?x?X-Never-Sent: yes\n"
    "H??From: Carol <carol@example.com>\n"
    ".\n";

static const char body[] = "Line one of the original.\n";

struct report {
	struct q_ctl	 ctl;		/* the report's control file */
	char		 df[16384];	/* and its body */
};

/* queue - a new queue directory test_dir/name; its path in buf */
static void
queue(char *buf, size_t len, const char *name)
{
	(void)snprintf(buf, len, "%s/%s", test_dir, name);
	assert_int_equal(mkdir(buf, 0700), 0);
}

/* failed - the original message, read as a queue run reads it */
static void
failed(struct q_ctl *c, const char *text)
{
	char path[256], err[256];
	FILE *fp;

	(void)snprintf(path, sizeof(path), "%s/qfORIG", test_dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	(void)fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(q_ctl_read(path, c, err, sizeof(err)), 0);
}

/* data - the original's data file, open for reading */
static int
data(void)
{
	char path[256];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/dfORIG", test_dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, sizeof(body) - 1),
	    (ssize_t)sizeof(body) - 1);
	return fd;
}

/* queued - the one message queued in dir */
static void
queued(const char *dir, struct report *r)
{
	char path[512], err[256];
	struct dirent *e;
	DIR *dp;
	FILE *fp;
	size_t n;

	assert_int_equal(test_count(dir), 2);	/* one qf, one df */
	dp = opendir(dir);
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (strncmp(e->d_name, "qf", 2) == 0)
			break;
	assert_non_null(e);
	(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
	assert_int_equal(q_ctl_read(path, &r->ctl, err, sizeof(err)), 0);
	(void)snprintf(path, sizeof(path), "%s/df%s", dir, e->d_name + 2);
	(void)closedir(dp);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(r->df, 1, sizeof(r->df) - 1, fp);
	r->df[n] = '\0';
	(void)fclose(fp);
}

/* header - the value of the report's header name, or NULL */
static const char *
header(const struct report *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->ctl.headers.n; i++) {
		const char *h = r->ctl.headers.v[i];

		if (strncmp(h, "??", 2) == 0 && strncmp(h + 2, name, n) == 0 &&
		    h[n + 2] == ':')
			return h + n + 4;
	}
	return NULL;
}

/* results - dave and erin failed for good, frank deferred */
static void
results(struct q_result *why)
{
	memset(why, 0, 3 * sizeof(*why));
	why[0].status = Q_PERMFAIL;
	(void)snprintf(why[0].dsn, sizeof(why[0].dsn), "5.1.1");
	(void)snprintf(why[0].text, sizeof(why[0].text),
	    "550 5.1.1 <dave@example.net>... User unknown");
	why[1].status = Q_PERMFAIL;
	(void)snprintf(why[1].dsn, sizeof(why[1].dsn), "5.2.2");
	(void)snprintf(why[1].text, sizeof(why[1].text),
	    "552 5.2.2 Mailbox full");
	why[2].status = Q_TEMPFAIL;
	(void)snprintf(why[2].dsn, sizeof(why[2].dsn), "4.4.1");
	(void)snprintf(why[2].text, sizeof(why[2].text),
	    "Deferred: Connection refused");
}

/*
 * bounce - the bounce of c (its recipients' results as results() says)
 * queued in a new queue test_dir/name; q_dsn_bounce's return, and the
 * report in r when one was queued
 */
static int
bounce(const char *name, const struct q_ctl *c, const char *double_bounce,
    long factor, struct report *r)
{
	struct q_result why[3];
	char q[256];
	int fd, rc;

	queue(q, sizeof(q), name);
	results(why);
	fd = data();
	rc = q_dsn_bounce(q, c, fd, why, HOST, double_bounce, factor);
	(void)close(fd);
	memset(r, 0, sizeof(*r));
	if (test_count(q) > 0)
		queued(q, r);
	return rc;
}

/* headers_only - the report returns the original's headers, no body */
static void
headers_only(const struct report *r)
{
	assert_non_null(strstr(r->df, "Content-Type: text/rfc822-headers\n\n"
	    "Subject: plans\n"));
	assert_null(strstr(r->df, "Line one"));
}

/*
 * The bounce goes from "<>" to the sender; it names the recipients that
 * failed for good, with their reasons, in text and in an RFC 3464
 * report, and returns the original message, its headers as they were
 * sent (not the conditional ones) and its body.
 */
static void
test_bounce(void **state)
{
	struct report r;
	struct q_ctl c;
	char end[300];
	const char *p, *ct;

	(void)state;
	failed(&c, original);
	assert_int_equal(bounce("bounce", &c, "postmaster", 30000, &r), 0);
	assert_string_equal(r.ctl.sender, "<>");
	assert_int_equal(r.ctl.nrcpts, 1);
	assert_string_equal(r.ctl.rcpts[0].addr, "<carol@example.com>");
	assert_string_equal(header(&r, "To"), "carol@example.com");
	assert_string_equal(header(&r, "From"),
	    "Mail Delivery Subsystem <MAILER-DAEMON@" HOST ">");
	assert_string_equal(header(&r, "Subject"),
	    "Returned mail: see transcript for details");
	assert_string_equal(header(&r, "Auto-Submitted"),
	    "auto-generated (failure)");
	ct = header(&r, "Content-Type");
	assert_non_null(ct);
	assert_non_null(strstr(ct, "multipart/report; "
	    "report-type=delivery-status;"));
	assert_int_equal(r.ctl.priority, (long)strlen(r.df) + 30000);
	/* The transcript: the failed ones with their reasons. */
	assert_non_null(strstr(r.df, "from client.example.com [192.0.2.7]"));
	assert_non_null(strstr(r.df, "dave@example.net\n    (reason: 550 "
	    "5.1.1 <dave@example.net>... User unknown)\n"));
	assert_non_null(strstr(r.df, "erin@example.net\n    (reason: 552 "
	    "5.2.2 Mailbox full)\n"));
	assert_null(strstr(r.df, "frank"));	/* deferred, not failed */
	/* The machine-readable part. */
	assert_non_null(strstr(r.df, "Content-Type: message/delivery-status"
	    "\n\nOriginal-Envelope-Id: env-42\nReporting-MTA: dns; " HOST
	    "\n"));
	assert_non_null(strstr(r.df, "\nOriginal-Recipient: rfc822;"
	    "dave@example.net\nFinal-Recipient: RFC822; dave@example.net\n"
	    "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: SMTP; 550 "
	    "5.1.1 <dave@example.net>... User unknown\n"));
	assert_non_null(strstr(r.df, "\nFinal-Recipient: RFC822; "
	    "erin@example.net\nAction: failed\nStatus: 5.2.2\n"));
	/* The original, whole. */
	p = strstr(r.df, "Content-Type: message/rfc822\n\n");
	assert_non_null(p);
	assert_non_null(strstr(p, "Subject: plans\nFrom: Carol "
	    "<carol@example.com>\n\nLine one of the original.\n"));
	assert_null(strstr(r.df, "X-Never-Sent"));
	/* Closed by the boundary of the Content-Type header. */
	p = strstr(ct, "boundary=\"");
	assert_non_null(p);
	(void)snprintf(end, sizeof(end), "\n--%.*s--\n",
	    (int)strcspn(p + 10, "\""), p + 10);
	assert_true(strlen(r.df) > strlen(end));
	assert_string_equal(r.df + strlen(r.df) - strlen(end), end);
	q_ctl_free(&r.ctl);
	q_ctl_free(&c);
}

/* RET=HDRS (F line "n"): the headers come back, never the body. */
static void
test_bounce_headers_only(void **state)
{
	struct report r;
	struct q_ctl c;

	(void)state;
	failed(&c, original);
	free(c.flags);
	c.flags = strdup("bn");
	assert_int_equal(bounce("hdrs", &c, "postmaster", 0, &r), 0);
	headers_only(&r);
	q_ctl_free(&r.ctl);
	q_ctl_free(&c);
}

/*
 * A bounce that failed goes to DoubleBounceAddress once, and nowhere
 * when that is empty: never back to "<>".
 */
static void
test_double_bounce(void **state)
{
	struct report r;
	struct q_ctl c;

	(void)state;
	failed(&c, original);
	free(c.sender);
	c.sender = strdup("<>");
	assert_int_equal(bounce("double", &c, "postmaster", 0, &r), 0);
	assert_string_equal(r.ctl.rcpts[0].addr, "<postmaster>");
	assert_string_equal(header(&r, "To"), "postmaster");
	q_ctl_free(&r.ctl);
	assert_int_equal(bounce("nowhere", &c, "", 0, &r), 0);
	assert_int_equal(r.ctl.nrcpts, 0);	/* nothing queued */
	q_ctl_free(&c);
}

/* A report that cannot be queued says so: the caller keeps the message. */
static void
test_bounce_not_queued(void **state)
{
	struct q_result why[3];
	struct q_ctl c;
	char q[256];
	int fd;

	(void)state;
	(void)snprintf(q, sizeof(q), "%s/no-such-queue", test_dir);
	failed(&c, original);
	results(why);
	fd = data();
	assert_int_equal(q_dsn_bounce(q, &c, fd, why, HOST, "postmaster", 0),
	    -1);
	why[0].status = Q_TEMPFAIL;		/* dave (PFD) deferred */
	assert_int_equal(q_dsn_warn(q, &c, why, HOST, 14400, 432000), -1);
	(void)close(fd);
	q_ctl_free(&c);
}

/*
 * The delay notice: to the sender, once Timeout.queuewarn has passed,
 * for the recipients still deferred, saying how long it has waited and
 * how long it will keep trying; headers only.
 */
static void
test_warn(void **state)
{
	struct q_result why[3];
	struct report r;
	struct q_ctl c;
	char q[256];

	(void)state;
	queue(q, sizeof(q), "warn");
	failed(&c, original);
	results(why);
	why[0].status = Q_TEMPFAIL;		/* dave deferred, no status */
	why[0].dsn[0] = '\0';
	(void)snprintf(why[0].text, sizeof(why[0].text), "Deferred: 421 "
	    "busy");
	assert_int_equal(q_dsn_warn(q, &c, why, HOST, 4 * 3600 + 60,
	    5 * 86400), 0);
	queued(q, &r);
	assert_string_equal(r.ctl.sender, "<>");
	assert_string_equal(r.ctl.rcpts[0].addr, "<carol@example.com>");
	assert_string_equal(header(&r, "Subject"), "Warning: could not send "
	    "message for past 4 hours, 1 minute");
	assert_string_equal(header(&r, "Auto-Submitted"),
	    "auto-generated (warning-timeout)");
	assert_non_null(strstr(r.df, "THIS IS A WARNING MESSAGE ONLY"));
	assert_non_null(strstr(r.df, "dave@example.net... Deferred: 421 "
	    "busy\n"));
	assert_non_null(strstr(r.df, "Will keep trying until message is 5 "
	    "days old\n"));
	assert_non_null(strstr(r.df, "\nFinal-Recipient: RFC822; "
	    "dave@example.net\nAction: delayed\nStatus: 4.0.0\n"));
	assert_null(strstr(r.df, "erin"));	/* failed, not delayed */
	headers_only(&r);
	q_ctl_free(&r.ctl);
	q_ctl_free(&c);
}

/*
 * No delay notice to "<>", nor when every deferred recipient asked for
 * none (NOTIFY=NEVER: N without D).
 */
static void
test_warn_not_wanted(void **state)
{
	struct q_result why[3];
	struct q_ctl c;
	char q[256];

	(void)state;
	queue(q, sizeof(q), "nowarn");
	failed(&c, original);
	results(why);				/* only frank (PN) deferred */
	assert_int_equal(q_dsn_warn(q, &c, why, HOST, 14400, 432000), 0);
	assert_int_equal(test_count(q), 0);
	why[0].status = Q_TEMPFAIL;		/* dave (PFD) too */
	free(c.sender);
	c.sender = strdup("<>");
	assert_int_equal(q_dsn_warn(q, &c, why, HOST, 14400, 432000), 0);
	assert_int_equal(test_count(q), 0);
	q_ctl_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_bounce_headers_only),
		cmocka_unit_test(test_double_bounce),
		cmocka_unit_test(test_bounce_not_queued),
		cmocka_unit_test(test_warn),
		cmocka_unit_test(test_warn_not_wanted),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
