/*
 * qretry_test - what becomes of a message after an attempt at it
 * (queue/q_retry), on real queue files: removed when everyone has it,
 * kept with the reason for those deferred, bounces for the failures
 * and for deferrals past Timeout.queuereturn, one delay notice after
 * Timeout.queuewarn, tries and priority counted only for attempts that
 * count, and the local hook's failures bounced once per owner.
 */
#include "q_retry.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "q_file.h"
#include "sm_opt.h"
#include "sm_time.h"
#include "test.h"

#define SENDER	"<alice@example.org>"

static struct sm_options opt;
static struct q_retry x;
static char qf[200], df[200];
static struct q_ctl ctl;
static int dfd = -1;

/* clean - an empty queue directory */
static void
clean(void)
{
	DIR *dp = opendir(test_dir);
	struct dirent *e;
	char path[sizeof(test_dir) + 300];

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (e->d_name[0] != '.') {
			(void)snprintf(path, sizeof(path), "%s/%s", test_dir,
			    e->d_name);
			assert_int_equal(unlink(path), 0);
		}
	(void)closedir(dp);
}

/* setup - options as configured by default, an empty queue */
static int
setup(void **state)
{
	(void)state;
	sm_opt_init(&opt);
	x.opt = &opt;
	x.qdir = test_dir;
	x.qfdir = test_dir;
	x.hostname = "mx.example.org";
	clean();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (dfd >= 0)
		(void)close(dfd);
	dfd = -1;
	q_ctl_free(&ctl);
	memset(&ctl, 0, sizeof(ctl));
	sm_opt_free(&opt);
	return 0;
}

/* queue - a message for rcpts, read back as a run reads it */
static void
queue(const char *const *rcpts, size_t n, time_t age)
{
	char err[200];
	struct q_msg *m = q_msg_new(test_dir);
	size_t i;

	assert_non_null(m);
	assert_int_equal(q_msg_data_open(m), 0);
	assert_int_equal(q_msg_data_write(m, "hello\n", 6), 0);
	m->sender = strdup(SENDER);
	m->priority = 30000;
	m->ctime = time(NULL) - age;
	for (i = 0; i < n; i++)
		q_msg_add_rcpt(m, rcpts[i], "P", NULL);
	q_msg_add_header(m, "", "Subject", "test");
	assert_int_equal(q_msg_commit(m, false), 0);
	(void)snprintf(qf, sizeof(qf), "%s/qf%s", test_dir, m->id);
	(void)snprintf(df, sizeof(df), "%s/df%s", test_dir, m->id);
	q_msg_free(m);
	assert_int_equal(q_ctl_read(qf, &ctl, err, sizeof(err)), 0);
	dfd = open(df, O_RDONLY);
	assert_true(dfd >= 0);
}

/* others - the messages in the queue besides ours: bounces, notices */
static size_t
others(struct q_ctl *first)
{
	DIR *dp = opendir(test_dir);
	struct dirent *e;
	char path[sizeof(test_dir) + 300], err[200];
	size_t n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		if (strncmp(e->d_name, "qf", 2) != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", test_dir,
		    e->d_name);
		if (strcmp(path, qf) == 0)
			continue;
		if (n++ == 0 && first != NULL)
			assert_int_equal(q_ctl_read(path, first, err,
			    sizeof(err)), 0);
	}
	(void)closedir(dp);
	return n;
}

/* again - the control file as the next run reads it */
static void
again(struct q_ctl *c)
{
	char err[200];

	assert_int_equal(q_ctl_read(qf, c, err, sizeof(err)), 0);
}

/* Everyone has it: the message leaves the queue, and nothing else. */
static void
test_all_delivered(void **state)
{
	static const char *const to[] = { "<a@x.example>", "<b@y.example>" };
	struct q_result res[2];

	(void)state;
	queue(to, 2, 0);
	q_result_set(&res[0], Q_OK, "2.0.0", "250 2.0.0 ok");
	q_result_set(&res[1], Q_OK, "2.0.0", "250 2.0.0 ok");
	q_retry_finish(&x, &ctl, dfd, res, true, qf, df);
	assert_int_equal(access(qf, F_OK), -1);
	assert_int_equal(access(df, F_OK), -1);
	assert_int_equal(others(NULL), 0);
}

/*
 * A deferral keeps the message for the deferred recipient alone, with
 * the server's reason (mailq shows it), one more try counted, the
 * priority grown by RetryFactor, and no bounce.
 */
static void
test_deferred(void **state)
{
	static const char *const to[] = { "<a@x.example>", "<b@y.example>" };
	struct q_result res[2];
	struct q_ctl c;
	time_t before = time(NULL);

	(void)state;
	queue(to, 2, 0);
	q_result_set(&res[0], Q_OK, "2.0.0", "250 2.0.0 ok");
	q_result_set(&res[1], Q_TEMPFAIL, "4.2.2", "452 4.2.2 mailbox full");
	q_retry_finish(&x, &ctl, dfd, res, true, qf, df);
	again(&c);
	assert_int_equal(c.nrcpts, 1);
	assert_string_equal(c.rcpts[0].addr, "<b@y.example>");
	assert_string_equal(c.rcpts[0].status, "452 4.2.2 mailbox full");
	assert_string_equal(c.status, "452 4.2.2 mailbox full");
	assert_int_equal(c.ntries, 1);
	assert_true(c.last >= before);
	assert_int_equal(c.priority, 30000 + opt.RetryFactor);
	assert_int_equal(access(df, F_OK), 0);
	assert_int_equal(others(NULL), 0);
	q_ctl_free(&c);
}

/* A failure for good gets a bounce to the sender and leaves the file. */
static void
test_bounced(void **state)
{
	static const char *const to[] = { "<a@x.example>", "<b@y.example>" };
	struct q_result res[2];
	struct q_ctl c, b;

	(void)state;
	queue(to, 2, 0);
	q_result_set(&res[0], Q_PERMFAIL, "5.1.1", "550 5.1.1 no such user");
	q_result_set(&res[1], Q_TEMPFAIL, "4.4.1", "Deferred: timed out");
	q_retry_finish(&x, &ctl, dfd, res, true, qf, df);
	again(&c);
	assert_int_equal(c.nrcpts, 1);
	assert_string_equal(c.rcpts[0].addr, "<b@y.example>");
	assert_int_equal(others(&b), 1);
	assert_string_equal(b.sender, "<>");
	assert_int_equal(b.nrcpts, 1);
	assert_string_equal(b.rcpts[0].addr, SENDER);
	q_ctl_free(&b);
	q_ctl_free(&c);
}

/*
 * Past Timeout.queuereturn a deferral is given up: the sender gets a
 * bounce that says so (4.4.7, with the last reason) and the message
 * leaves the queue.
 */
static void
test_expired(void **state)
{
	static const char *const to[] = { "<a@x.example>" };
	struct q_result res[1];
	struct q_ctl b;

	(void)state;
	opt.to.queuereturn[SM_CLASS_NORMAL] = 5 * 86400;
	queue(to, 1, 6 * 86400);
	free(ctl.rcpts[0].status);
	ctl.rcpts[0].status = strdup("421 4.3.2 closing");
	assert_true(q_retry_expired(&opt, &ctl));
	q_result_set(&res[0], Q_TEMPFAIL, "4.4.1", "Deferred: refused");
	q_retry_finish(&x, &ctl, dfd, res, true, qf, df);
	assert_int_equal(res[0].status, Q_PERMFAIL);
	assert_string_equal(res[0].dsn, "4.4.7");
	assert_memory_equal(res[0].text, "Message could not be delivered for "
	    "too long (last: ", 51);
	assert_int_equal(access(qf, F_OK), -1);
	assert_int_equal(others(&b), 1);
	assert_string_equal(b.sender, "<>");
	q_ctl_free(&b);
}

/*
 * An attempt that does not count (a host turned the runner away beside
 * another runner, and the run tries again) changes nothing: no try, no
 * priority, and an old message is not given up on.
 */
static void
test_not_tried(void **state)
{
	static const char *const to[] = { "<a@x.example>" };
	struct q_result res[1];
	struct q_ctl c;

	(void)state;
	opt.to.queuereturn[SM_CLASS_NORMAL] = 5 * 86400;
	queue(to, 1, 6 * 86400);
	q_result_set(&res[0], Q_TEMPFAIL, "4.4.5", "Deferred: crowded");
	q_retry_finish(&x, &ctl, dfd, res, false, qf, df);
	assert_int_equal(res[0].status, Q_TEMPFAIL);
	again(&c);
	assert_int_equal(c.nrcpts, 1);
	assert_int_equal(c.ntries, 0);
	assert_int_equal(c.priority, 30000);
	assert_int_equal(others(NULL), 0);
	q_ctl_free(&c);
}

/* After Timeout.queuewarn, one delay notice, never a second one. */
static void
test_warn_once(void **state)
{
	static const char *const to[] = { "<a@x.example>" };
	struct q_result res[1];
	struct q_ctl c, w;

	(void)state;
	opt.to.queuewarn[SM_CLASS_NORMAL] = 4 * 3600;
	opt.to.queuereturn[SM_CLASS_NORMAL] = 5 * 86400;
	queue(to, 1, 5 * 3600);
	q_result_set(&res[0], Q_TEMPFAIL, "4.4.1", "Deferred: refused");
	q_retry_finish(&x, &ctl, dfd, res, true, qf, df);
	assert_int_equal(others(&w), 1);
	assert_string_equal(w.sender, "<>");
	assert_string_equal(w.rcpts[0].addr, SENDER);
	q_ctl_free(&w);
	again(&c);
	assert_non_null(strchr(c.flags, 'w'));
	q_result_set(&res[0], Q_TEMPFAIL, "4.4.1", "Deferred: refused");
	q_retry_finish(&x, &c, dfd, res, true, qf, df);
	assert_int_equal(others(NULL), 1);
	q_ctl_free(&c);
}

/* The message's age against Timeout.queuereturn ("now": at once). */
static void
test_expired_age(void **state)
{
	struct q_ctl c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.ctime = time(NULL) - 3600;
	opt.to.queuereturn[SM_CLASS_NORMAL] = 7200;
	assert_false(q_retry_expired(&opt, &c));
	opt.to.queuereturn[SM_CLASS_NORMAL] = 3600;
	assert_true(q_retry_expired(&opt, &c));
	opt.to.queuereturn[SM_CLASS_NORMAL] = 0;	/* never */
	assert_false(q_retry_expired(&opt, &c));
	opt.to.queuereturn[SM_CLASS_NORMAL] = SM_TIME_NOW;
	c.ctime = time(NULL);
	assert_true(q_retry_expired(&opt, &c));
}

/*
 * The local hook's failures: one bounce per owner- alias, listing its
 * targets, and one to the sender for those without an owner.
 */
static void
test_owners(void **state)
{
	static const char *const to[] = { "<list@example.org>" };
	struct q_local lo;
	struct q_result r;
	struct q_ctl b;
	DIR *dp;
	struct dirent *e;
	char path[sizeof(test_dir) + 300], err[200];
	size_t owner = 0, other = 0, sender = 0;

	(void)state;
	queue(to, 1, 0);
	memset(&lo, 0, sizeof(lo));
	q_result_set(&r, Q_PERMFAIL, "5.1.1", "User unknown");
	q_local_add_err(&lo, "<owner-list@example.org>", "gone1", &r);
	q_local_add_err(&lo, NULL, "/no/such/file", &r);
	q_local_add_err(&lo, "<owner-list@example.org>", "gone2", &r);
	q_local_add_err(&lo, "<owner-other@example.org>", "gone3", &r);
	assert_int_equal(q_retry_owners(&x, &ctl, dfd, &lo), 0);
	q_local_free(&lo);
	assert_int_equal(others(NULL), 3);
	dp = opendir(test_dir);
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		(void)snprintf(path, sizeof(path), "%s/%s", test_dir,
		    e->d_name);
		if (strncmp(e->d_name, "qf", 2) != 0 || strcmp(path, qf) == 0)
			continue;
		assert_int_equal(q_ctl_read(path, &b, err, sizeof(err)), 0);
		assert_string_equal(b.sender, "<>");
		if (strcmp(b.rcpts[0].addr, "<owner-list@example.org>") == 0)
			owner++;
		else if (strcmp(b.rcpts[0].addr,
		    "<owner-other@example.org>") == 0)
			other++;
		else if (strcmp(b.rcpts[0].addr, SENDER) == 0)
			sender++;
		q_ctl_free(&b);
	}
	(void)closedir(dp);
	assert_int_equal(owner, 1);
	assert_int_equal(other, 1);
	assert_int_equal(sender, 1);
}

/* Each test starts from an empty queue and the default options. */
#define FRESH(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FRESH(test_all_delivered),
		FRESH(test_deferred),
		FRESH(test_bounced),
		FRESH(test_expired),
		FRESH(test_not_tried),
		FRESH(test_warn_once),
		FRESH(test_expired_age),
		FRESH(test_owners),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
