/*
 * agents_test - the master's book of delivery agents, and a session
 * finding no agent to give a message to.
 */
#include "agents.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/* sleeper - a child that waits to be signalled, standing for an agent */
static pid_t
sleeper(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		(void)pause();
		_exit(0);
	}
	return pid;
}

/* wait_one - reap pid, which must end on SIGTERM */
static void
wait_one(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
}

static void
test_no_agents(void **state)
{
	(void)state;
	/* Before agent_init: no slot, the session forks. */
	assert_false(agent_give("6AN1234567"));
	assert_int_equal(agent_running(), 0);
	assert_int_equal(agent_reaped(getpid()), -1);
}

static void
test_slots(void **state)
{
	time_t now = time(NULL);
	pid_t a, b;
	int ms = 60000;

	(void)state;
	assert_int_equal(agent_init(2), 0);
	/* Both are due at once, in order; then none. */
	assert_int_equal(agent_due(now, &ms), 0);
	a = sleeper();
	agent_started(0, a, now);
	assert_int_equal(agent_due(now, &ms), 1);
	b = sleeper();
	agent_started(1, b, now);
	assert_int_equal(agent_due(now, &ms), -1);
	assert_int_equal(ms, 60000);
	assert_int_equal(agent_running(), 2);
	/* Started, not yet waiting: no agent takes a message. */
	assert_false(agent_give("6AN1234567"));

	/* One ends: it is due again AGENT_RESTART after its start. */
	(void)kill(a, SIGTERM);
	wait_one(a);
	assert_int_equal(agent_reaped(a), 0);
	assert_int_equal(agent_running(), 1);
	assert_int_equal(agent_due(now, &ms), -1);
	assert_true(ms <= AGENT_RESTART * 1000);
	assert_true(ms > 0);
	assert_int_equal(agent_due(now + AGENT_RESTART, &ms), 0);
	a = sleeper();
	agent_started(0, a, now);

	/* SIGHUP: every agent ends and is due again without delay. */
	agent_restart();
	wait_one(a);
	wait_one(b);
	assert_int_equal(agent_reaped(b), 1);
	assert_int_equal(agent_reaped(a), 0);
	assert_int_equal(agent_running(), 0);
	ms = 60000;
	assert_int_equal(agent_due(now, &ms), 0);
	agent_started(0, 0, now);		/* the fork failed */
	assert_int_equal(agent_due(now, &ms), 1);
	agent_started(1, 0, now);
	assert_int_equal(agent_due(now, &ms), -1);
	assert_false(agent_give("6AN1234567"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_agents),
		cmocka_unit_test(test_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
