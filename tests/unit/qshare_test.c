/*
 * qshare_test - the runners of one queue run (queue/q_share): how many
 * there are, and the hand-back protocol, with runners that are real
 * processes and messages that go nowhere: each message is taken once,
 * one that a host turned away beside another runner is taken once more
 * and its runner takes no other, and each runner closes its connection.
 */
#include "q_share.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "q_smtp.h"
#include "test.h"

#define NJOBS		8
#define REFUSED		"m2"	/* turned away the first time */

struct count_case {
	const char	*name;
	long		 runners, children;	/* MaxRunnersPerQueue, ... */
	bool		 single, hoststatus, traced;
	size_t		 max;
	size_t		 want;
};

static const struct count_case counts[] = {
	{ "MaxRunnersPerQueue", 4, 0, false, false, false, 10, 4 },
	{ "no more runners than messages", 4, 0, false, false, false, 2, 2 },
	{ "MaxQueueChildren caps them", 4, 3, false, false, false, 10, 3 },
	{ "SingleThreadDelivery with host status", 4, 0, true, true, false,
	    10, 1 },
	{ "SingleThreadDelivery without host status", 4, 0, true, false,
	    false, 10, 4 },
	{ "a traced run (-v -qf)", 4, 0, false, false, true, 10, 1 },
	{ "an empty run still has its process", 4, 0, false, false, false,
	    0, 1 },
	{ "unset: one", 0, 0, false, false, false, 10, 1 },
};

/* How many processes deliver a run's messages. */
static void
test_runners(void **state)
{
	const struct count_case *t;
	struct sm_options o;
	char err[200];
	size_t i, n;

	(void)state;
	for (i = 0; i < NELEM(counts); i++) {
		t = &counts[i];
		sm_opt_init(&o);
		o.MaxRunnersPerQueue = t->runners;
		o.MaxQueueChildren = t->children;
		o.SingleThreadDelivery = t->single;
		if (t->hoststatus)
			assert_int_equal(sm_opt_set(&o,
			    "HostStatusDirectory", ".hoststat",
			    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
		q_smtp_trace = t->traced ? stderr : NULL;
		n = q_share_runners(&o, t->max);
		q_smtp_trace = NULL;
		if (n != t->want)
			fail_msg("%s: %zu runners", t->name, n);
		sm_opt_free(&o);
	}
}

/* Where the runners write what happens, one line per event. */
static int record = -1;

/* note - one line to the record, in one write (O_APPEND) */
static void
note(const char *what, const char *id, int flag)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "%s %ld %s %d\n", what,
	    (long)getpid(), id, flag);

	if (n <= 0 || write(record, line, (size_t)n) != n)
		_exit(3);
}

/* job - a message that goes nowhere; REFUSED is turned away once */
static bool
job(void *ctx, const char *id, bool again)
{
	bool refused = strcmp(id, REFUSED) == 0 && !again;

	(void)ctx;
	note("job", id, again);
	if (refused)
		note("refused", id, 0);
	(void)usleep(20000);	/* a transaction takes a while */
	return refused;
}

/* share - what the runner's destinations share: 1 hosts, 2 the count */
static void
share(void *ctx, struct q_hostmem *hosts, _Atomic int *open)
{
	(void)ctx;
	note("share", "-", (hosts != NULL) + 2 * (open != NULL));
}

/* stop - the runner's connection goes */
static void
stop(void *ctx)
{
	(void)ctx;
	note("stop", "-", 0);
}

struct event {
	char	 what[16], id[16];
	long	 pid;
	int	 flag;
};

/*
 * Three runners share eight messages; one is turned away with REFUSED
 * while the others have connections.
 */
static void
test_hand_back(void **state)
{
	struct q_job jobs[NJOBS];
	struct q_share_ops ops = { job, share, stop, NULL };
	struct event ev[200];
	char path[sizeof(test_dir) + 16];
	size_t i, k, nev = 0, taken[NJOBS], again[NJOBS], stops = 0;
	long refused_by = 0, self = (long)getpid();
	bool after = false, last_share_own = false;
	FILE *fp;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < NJOBS; i++)
		(void)snprintf(jobs[i].ctl.id, sizeof(jobs[i].ctl.id), "m%zu",
		    i);
	(void)snprintf(path, sizeof(path), "%s/record", test_dir);
	record = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	assert_true(record >= 0);
	q_share_run(jobs, NJOBS, 3, &ops);
	(void)close(record);

	fp = fopen(path, "r");
	assert_non_null(fp);
	while (nev < NELEM(ev) && fscanf(fp, "%15s %ld %15s %d",
	    ev[nev].what, &ev[nev].pid, ev[nev].id, &ev[nev].flag) == 4)
		nev++;
	(void)fclose(fp);

	memset(taken, 0, sizeof(taken));
	memset(again, 0, sizeof(again));
	for (k = 0; k < nev; k++) {
		const struct event *e = &ev[k];

		if (strcmp(e->what, "job") == 0) {
			i = (size_t)atoi(e->id + 1);
			assert_true(i < NJOBS);
			if (e->flag)
				again[i]++;
			else
				taken[i]++;
			/* Turned away: no more messages from the list. */
			if (after && e->pid == refused_by)
				assert_int_equal(e->flag, 1);
		} else if (strcmp(e->what, "refused") == 0) {
			refused_by = e->pid;
			after = true;
		} else if (strcmp(e->what, "stop") == 0)
			stops++;
		else if (strcmp(e->what, "share") == 0 && e->pid == self)
			last_share_own = e->flag == 0;
	}
	for (i = 0; i < NJOBS; i++) {
		assert_int_equal(taken[i], 1);
		assert_int_equal(again[i], strcmp(jobs[i].ctl.id, REFUSED) ==
		    0 ? 1 : 0);
	}
	assert_true(after);
	/* Each runner closes its connection, the first once more alone. */
	assert_int_equal(stops, 3 + 1);
	/* And the caller's destinations have their own memory again. */
	assert_true(last_share_own);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runners),
		cmocka_unit_test(test_hand_back),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
