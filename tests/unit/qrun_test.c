/*
 * qrun_test - the order of a queue run and the messages it takes
 * (queue/q_run): QueueSortOrder, MaxQueueRunSize, the selectors, and
 * which messages wait for MinQueueAge or stay in quarantine.
 */
#include "q_run.h"

#include <string.h>
#include <time.h>

#include "q_file.h"
#include "test.h"

struct msg {
	long		 priority;
	time_t		 age;		/* seconds since it was queued */
	const char	*rcpt;
};

/* The queue, in the order the messages came. */
static const struct msg msgs[] = {
	{ 30000, 100, "<a@x.example>" },
	{ 10000, 50, "<b@y.example>" },
	{ 40000, 400, "<c@x.example>" },
	{ 20000, 200, "<d@y.example>" },
};

static char ids[NELEM(msgs)][Q_ID_MAX];
static struct sm_options opt;
static struct q_runner r;

/* setup - the four messages in an empty queue, a runner for it */
static int
setup(void **state)
{
	struct q_msg *m;
	size_t i;

	if (test_dir_setup(state) < 0)
		return -1;
	sm_opt_init(&opt);
	memset(&r, 0, sizeof(r));
	r.opt = &opt;
	r.qdir = test_dir;
	for (i = 0; i < NELEM(msgs); i++) {
		m = q_msg_new(test_dir);
		if (m == NULL || q_msg_data_open(m) < 0 ||
		    q_msg_data_write(m, "hi\n", 3) < 0)
			return -1;
		m->sender = strdup("<s@example.org>");
		m->priority = msgs[i].priority;
		m->ctime = time(NULL) - msgs[i].age;
		q_msg_add_rcpt(m, msgs[i].rcpt, "P", NULL);
		if (q_msg_commit(m, false) < 0)
			return -1;
		(void)snprintf(ids[i], sizeof(ids[i]), "%s", m->id);
		q_msg_free(m);
	}
	return 0;
}

static int
teardown(void **state)
{
	sm_opt_free(&opt);
	return test_dir_teardown(state);
}

/* in_order - the run takes the messages want[0..nwant), in that order */
static void
in_order(const size_t *want, size_t nwant, size_t nall)
{
	struct q_job *jobs;
	size_t n, max, i;

	assert_int_equal(q_run_list(&r, &jobs, &n, &max), 0);
	assert_int_equal(n, nall);
	assert_int_equal(max, nwant);
	for (i = 0; i < max; i++)
		if (strcmp(jobs[i].ctl.id, ids[want[i]]) != 0)
			fail_msg("place %zu: %s, not message %zu", i,
			    jobs[i].ctl.id, want[i]);
	q_jobs_free(jobs, n);
}

/* By priority (the default): the lowest value first. */
static void
test_priority(void **state)
{
	static const size_t want[] = { 1, 3, 0, 2 };

	(void)state;
	opt.QueueSortOrder = 'p';
	in_order(want, NELEM(want), NELEM(msgs));
}

/* By time: the oldest first, whatever its priority. */
static void
test_time(void **state)
{
	static const size_t want[] = { 2, 3, 0, 1 };

	(void)state;
	opt.QueueSortOrder = 't';
	in_order(want, NELEM(want), NELEM(msgs));
}

/* MaxQueueRunSize: only the first ones in order are taken. */
static void
test_run_size(void **state)
{
	static const size_t want[] = { 1, 3 };

	(void)state;
	opt.QueueSortOrder = 'p';
	opt.MaxQueueRunSize = 2;
	in_order(want, NELEM(want), NELEM(msgs));
	opt.MaxQueueRunSize = 0;
}

/* -qR: the run holds only the messages selected, still in order. */
static void
test_selected(void **state)
{
	static const size_t want[] = { 1, 3 };
	struct q_select sel = { 'R', false, "y.example" };

	(void)state;
	opt.QueueSortOrder = 'p';
	r.sel = &sel;
	r.nsel = 1;
	in_order(want, NELEM(want), NELEM(want));
	r.sel = NULL;
	r.nsel = 0;
}

/* A queue directory that cannot be read fails the run. */
static void
test_no_queue(void **state)
{
	struct q_runner bad = r;
	struct q_job *jobs;
	size_t n, max;

	(void)state;
	bad.qdir = "/nonexistent/queue";
	assert_int_equal(q_run_list(&bad, &jobs, &n, &max), -1);
}

struct due_case {
	const char	*name;
	bool		 quarantined;
	long		 ntries;
	time_t		 tried;		/* seconds ago */
	long		 min_age;	/* MinQueueAge */
	bool		 every;		/* partial run, or handed back */
	bool		 due;
};

static const struct due_case dues[] = {
	{ "never tried", false, 0, 0, 60, false, true },
	{ "tried just now", false, 1, 10, 60, false, false },
	{ "tried long enough ago", false, 1, 120, 60, false, true },
	{ "no MinQueueAge", false, 3, 1, 0, false, true },
	{ "a partial run takes it anyway", false, 1, 10, 60, true, true },
	{ "quarantined", true, 0, 0, 0, false, false },
	{ "quarantined, even in a partial run", true, 1, 1000, 60, true,
	    false },
};

/* Which messages a run works on and which it leaves for later. */
static void
test_due(void **state)
{
	struct q_ctl c;
	char reason[] = "held for review";
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(dues); i++) {
		memset(&c, 0, sizeof(c));
		c.quarantine = dues[i].quarantined ? reason : NULL;
		c.ntries = dues[i].ntries;
		c.last = time(NULL) - dues[i].tried;
		opt.MinQueueAge = dues[i].min_age;
		if (q_run_due(&opt, &c, dues[i].every) != dues[i].due)
			fail_msg("%s", dues[i].name);
	}
	opt.MinQueueAge = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_run_size),
		cmocka_unit_test(test_selected),
		cmocka_unit_test(test_no_queue),
		cmocka_unit_test(test_due),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
