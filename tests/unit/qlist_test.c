/*
 * qlist_test - what is in the queue (queue/q_list): the jobs mailq and
 * a selective queue run (-qI, -qR, -qS and their "!" forms) pick, their
 * order, and mailq's layout.
 */
#include "q_list.h"

#include "test.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "q_file.h"

/* qdir - a new queue directory test_dir/name; its path in buf */
static void
qdir(char *buf, size_t len, const char *name)
{
	(void)snprintf(buf, len, "%s/%s", test_dir, name);
	assert_int_equal(mkdir(buf, 0700), 0);
}

/* put - write text as dir/name */
static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	(void)fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* job - a queued message: its qf and a df of size bytes */
static void
job(const char *dir, const char *id, long ctime, long prio,
    const char *sender, const char *rcpts, size_t size)
{
	char qf[1024], name[64], body[4096];

	(void)snprintf(qf, sizeof(qf), "V8\nT%ld\nK0\nN0\nP%ld\nS%s\n%s.\n",
	    ctime, prio, sender, rcpts);
	(void)snprintf(name, sizeof(name), "qf%s", id);
	put(dir, name, qf);
	memset(body, 'x', sizeof(body) - 1);
	body[size < sizeof(body) ? size : sizeof(body) - 1] = '\0';
	(void)snprintf(name, sizeof(name), "df%s", id);
	put(dir, name, body);
}

/* three - a queue of three messages from two senders */
static void
three(char *q, size_t len, const char *name)
{
	qdir(q, len, name);
	job(q, "6B7AAA01000001", 1795400300, 30000, "<Carol@Example.COM>",
	    "RPFD:<dave@example.net>\n", 10);
	job(q, "6B7AAA02000002", 1795400100, 90000, "<erin@example.org>",
	    "RPFD:<frank@mx.b.example>\nRPFD:<Gina@Example.NET>\n", 20);
	job(q, "6B7BBB03000003", 1795400200, 60000, "<>",
	    "RPFD:<postmaster@a.example>\n", 30);
}

/*
 * ids - the endings of the ids of the jobs q_scan picks with these
 * selectors, in the order q_sort(how) puts them, joined by spaces
 */
static const char *
ids(const char *q, const struct q_select *sel, size_t nsel, char how)
{
	static char out[256];
	struct q_job *jobs;
	size_t n, i;

	assert_int_equal(q_scan(q, sel, nsel, &jobs, &n), 0);
	q_sort(jobs, n, how);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		(void)sm_strlcat(out, i > 0 ? " " : "", sizeof(out));
		(void)sm_strlcat(out, jobs[i].ctl.id + 11, sizeof(out));
	}
	q_jobs_free(jobs, n);
	return out;
}

/*
 * -qI matches the queue id (case matters), -qR any recipient and -qS
 * the sender (case does not); "!" inverts one; with several, a job is
 * picked when any picks it.
 */
static void
test_select(void **state)
{
	static const struct {
		struct q_select	 sel[2];
		size_t		 nsel;
		const char	*want;
	} t[] = {
		{ { { 'I', false, "AAA" } }, 1, "001 002" },
		{ { { 'I', false, "aaa" } }, 1, "" },
		{ { { 'I', true, "AAA" } }, 1, "003" },
		{ { { 'R', false, "example.net" } }, 1, "001 002" },
		{ { { 'R', false, "GINA@" } }, 1, "002" },
		{ { { 'R', true, "example.net" } }, 1, "003" },
		{ { { 'S', false, "carol@example.com" } }, 1, "001" },
		{ { { 'S', false, "<>" } }, 1, "003" },
		{ { { 'S', true, "example" } }, 1, "003" },
		{ { { 'S', false, "carol" }, { 'R', false, "postmaster" } },
		    2, "001 003" },
		{ { { 'I', false, "nothing" }, { 'S', false, "nobody" } }, 2,
		    "" },
		{ { { 0 } }, 0, "001 002 003" },
	};
	char q[256];
	const char *got;
	size_t i;

	(void)state;
	three(q, sizeof(q), "select");
	for (i = 0; i < NELEM(t); i++) {
		got = ids(q, t[i].sel, t[i].nsel, 'f');
		if (strcmp(got, t[i].want) != 0)
			fail_msg("case %zu: \"%s\", not \"%s\"", i, got,
			    t[i].want);
	}
}

/*
 * A scan reads only complete control files (a broken one is skipped, a
 * tf or df alone is not a job), finds data files in df/ when there is
 * one, their sizes, and marks a message another process holds.
 */
static void
test_scan(void **state)
{
	char q[256], sub[300], path[400];
	struct q_job *jobs;
	size_t n;
	int fd;

	(void)state;
	qdir(q, sizeof(q), "scan");
	(void)snprintf(sub, sizeof(sub), "%s/qf", q);
	assert_int_equal(mkdir(sub, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/df", q);
	assert_int_equal(mkdir(path, 0700), 0);
	job(sub, "6B7CCC01000001", 1795400000, 1, "<a@b>", "R<c@d>\n", 0);
	(void)snprintf(path, sizeof(path), "%s/qf6B7CCC01000001", sub);
	assert_int_equal(unlink(path), 0);
	(void)snprintf(path, sizeof(path), "%s/qf", q);
	job(path, "6B7CCC02000002", 1795400000, 1, "<a@b>", "R<c@d>\n", 0);
	(void)snprintf(path, sizeof(path), "%s/df", q);
	put(path, "df6B7CCC02000002", "twelve bytes");
	put(sub, "qf6B7CCC03000003", "V8\nS<a@b>\nR<c@d>\n");  /* cut short */
	put(sub, "tf6B7CCC04000004", "V8\nS<a@b>\nR<c@d>\n.\n");
	put(sub, "qf", "V8\nS<a@b>\nR<c@d>\n.\n");
	(void)snprintf(path, sizeof(path), "%s/qf6B7CCC02000002", sub);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(q_lock(fd), 0);	/* being delivered */
	assert_int_equal(q_scan(q, NULL, 0, &jobs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(jobs[0].ctl.id, "6B7CCC02000002");
	assert_int_equal(jobs[0].dfsize, 12);
	assert_true(jobs[0].locked);
	q_jobs_free(jobs, n);
	(void)close(fd);
	assert_int_equal(q_scan(q, NULL, 0, &jobs, &n), 0);
	assert_int_equal(n, 1);
	assert_false(jobs[0].locked);
	q_jobs_free(jobs, n);
	(void)snprintf(path, sizeof(path), "%s/no-queue", test_dir);
	assert_int_equal(q_scan(path, NULL, 0, &jobs, &n), -1);
	assert_int_equal(n, 0);
	(void)snprintf(path, sizeof(path), "%s/qf", q);
	assert_string_equal(q_qfdir(q, sub, sizeof(sub)), path);
	assert_string_equal(q_qfdir(test_dir, sub, sizeof(sub)), test_dir);
}

/* QueueSortOrder: priority, time, host, file name; random keeps all. */
static void
test_sort(void **state)
{
	char q[256];
	const char *r;

	(void)state;
	three(q, sizeof(q), "sort");
	/* By priority, then the oldest first. */
	assert_string_equal(ids(q, NULL, 0, 'p'), "001 003 002");
	assert_string_equal(ids(q, NULL, 0, 't'), "002 003 001");
	/* By the first recipient's host: a., example.net, mx.b. */
	assert_string_equal(ids(q, NULL, 0, 'h'), "003 001 002");
	assert_string_equal(ids(q, NULL, 0, 'f'), "001 002 003");
	r = ids(q, NULL, 0, 'r');
	assert_int_equal(strlen(r), 11);
	assert_non_null(strstr(r, "001"));
	assert_non_null(strstr(r, "002"));
	assert_non_null(strstr(r, "003"));
}

/* print - q_list_print's output for the queue q, as text */
static const char *
print(const char *q, bool verbose, size_t shown)
{
	static char out[4096];
	struct q_job *jobs;
	size_t n, len;
	FILE *fp;

	assert_int_equal(q_scan(q, NULL, 0, &jobs, &n), 0);
	q_sort(jobs, n, 'f');
	fp = fmemopen(out, sizeof(out), "w");
	assert_non_null(fp);
	q_list_print(fp, q, jobs, n < shown ? n : shown, verbose, n);
	len = (size_t)ftell(fp);
	(void)fclose(fp);
	out[len < sizeof(out) ? len : sizeof(out) - 1] = '\0';
	q_jobs_free(jobs, n);
	return out;
}

/* mailq's layout, as sendmail prints it (times in the local zone). */
static void
test_print(void **state)
{
	char q[256], want[2048];

	(void)state;
	(void)setenv("TZ", "UTC", 1);
	tzset();
	qdir(q, sizeof(q), "empty");
	(void)snprintf(want, sizeof(want), "%s is empty\n"
	    "\t\tTotal requests: 0\n", q);
	assert_string_equal(print(q, false, 100), want);
	qdir(q, sizeof(q), "print");
	job(q, "6B7DDD01000001", 1795400000, 30000, "<carol@example.com>",
	    "RPFD:<dave@example.net>\nRPFD:<erin@example.net>\n", 1234);
	/* Why it waits: an M line before S, the envelope's status. */
	put(q, "qf6B7DDD01000001", "V8\nT1795400000\nP30000\n"
	    "M<dave@example.net>... Deferred: Connection refused\n"
	    "S<carol@example.com>\nRPFD:<dave@example.net>\n"
	    "RPFD:<erin@example.net>\n.\n");
	put(q, "qf6B7DDD02000002", "V8\nT1795400000\nP60000\nB8BITMIME\n"
	    "Fw\nS<>\nRPFD:<postmaster@a.example>\n.\n");
	(void)snprintf(want, sizeof(want),
	    "\t\t%s (2 requests)\n"
	    "-----Q-ID----- --Size-- -----Q-Time----- "
	    "------------Sender/Recipient-----------\n"
	    "6B7DDD01000001     1234 Mon Nov 23 02:13 <carol@example.com>\n"
	    "                 (<dave@example.net>... Deferred: Connection "
	    "refused)\n"
	    "\t\t\t\t\t <dave@example.net>\n"
	    "\t\t\t\t\t <erin@example.net>\n"
	    "6B7DDD02000002        0 Mon Nov 23 02:13 <>\n"
	    "      8BITMIME   ()\n"
	    "\t\t\t\t\t <postmaster@a.example>\n"
	    "\t\tTotal requests: 2\n", q);
	assert_string_equal(print(q, false, 100), want);
	/* -v: the priority, and "+" for a message that waits (F w). */
	(void)snprintf(want, sizeof(want),
	    "\t\t%s (2 requests, only 1 printed)\n"
	    "-----Q-ID----- --Size-- -Priority- ---Q-Time--- "
	    "--------Sender/Recipient--------\n"
	    "6B7DDD01000001     1234      30000 Nov 23 02:13 "
	    "<carol@example.com>\n", q);
	assert_true(strncmp(print(q, true, 1), want, strlen(want)) == 0);
	assert_non_null(strstr(print(q, true, 100),
	    "6B7DDD02000002        0      60000+Nov 23 02:13 <>\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
