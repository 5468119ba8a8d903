/*
 * hostmem_test - a run's memory of hosts, shared by its runners
 * (queue/q_hostmem): outcomes, the first attempt claimed by one process
 * and waited for by the others, and the room kept for hosts.
 */
#include "q_hostmem.h"

#include "test.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WINDOW	1800	/* Timeout.hoststatus */

static struct q_hostmem *hm;

static int
setup(void **state)
{
	(void)state;
	hm = mmap(NULL, sizeof(*hm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (hm == MAP_FAILED)
		return -1;
	q_hm_init(hm);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return munmap(hm, sizeof(*hm));
}

/* outcome - an entry as a runner records it */
static struct q_hs_entry
outcome(bool ok, time_t when)
{
	struct q_hs_entry e;

	memset(&e, 0, sizeof(e));
	e.when = when;
	e.state = ok ? Q_HS_OK : Q_HS_TEMP;
	if (!ok) {
		(void)snprintf(e.dsn, sizeof(e.dsn), "4.3.2");
		(void)snprintf(e.reply, sizeof(e.reply), "421 4.3.2 busy");
	}
	return e;
}

/* in_child - run fn(host) in another process, as another runner would */
static pid_t
in_child(void (*fn)(const char *), const char *host)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fn(host);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return pid;
}

static void
claim(const char *host)
{
	struct q_hs_entry e;
	pid_t who;

	if (q_hm_look(hm, host, WINDOW, true, &e, &who) != Q_HM_GO)
		_exit(1);
}

static void
claim_and_fail(const char *host)
{
	struct q_hs_entry e = outcome(false, time(NULL));

	claim(host);
	(void)q_hm_set(hm, host, &e);
}

/* Nothing known: NONE without claim; with it, this process goes. */
static void
test_first_attempt_is_claimed(void **state)
{
	struct q_hs_entry e;
	pid_t who = 0;

	(void)state;
	assert_int_equal(q_hm_look(hm, "[10.0.0.1]", WINDOW, false, &e, &who),
	    Q_HM_NONE);
	assert_int_equal(q_hm_look(hm, "[10.0.0.1]", WINDOW, true, &e, &who),
	    Q_HM_GO);
	/* Its own claim does not make it wait. */
	assert_int_equal(q_hm_look(hm, "[10.0.0.1]", WINDOW, true, &e, &who),
	    Q_HM_GO);
}

/* Another process's attempt: wait; its failure: down, with its words. */
static void
test_others_wait_for_the_outcome(void **state)
{
	struct q_hs_entry e;
	pid_t who = 0, pid;

	(void)state;
	pid = in_child(claim, "Mail.Example");
	assert_int_equal(q_hm_look(hm, "mail.example", WINDOW, true, &e,
	    &who), Q_HM_BUSY);
	assert_int_equal(who, pid);
	assert_int_equal(q_hm_look(hm, "mail.example", WINDOW, false, &e,
	    &who), Q_HM_BUSY);
	(void)in_child(claim_and_fail, "other.example");
	assert_int_equal(q_hm_look(hm, "other.example", WINDOW, true, &e,
	    &who), Q_HM_DOWN);
	assert_string_equal(e.dsn, "4.3.2");
	assert_string_equal(e.reply, "421 4.3.2 busy");
}

/* Once the others have ended, their attempts are no more waited for. */
static void
test_alone(void **state)
{
	struct q_hs_entry e;
	pid_t who = 0;

	(void)state;
	(void)in_child(claim, "gone.example");
	assert_int_equal(q_hm_look(hm, "gone.example", WINDOW, false, &e,
	    &who), Q_HM_BUSY);
	q_hm_alone(hm);
	assert_int_equal(q_hm_look(hm, "gone.example", WINDOW, false, &e,
	    &who), Q_HM_NONE);
	/* Or one takes the attempt over. */
	(void)in_child(claim, "slow.example");
	q_hm_take(hm, "slow.example");
	assert_int_equal(q_hm_look(hm, "slow.example", WINDOW, true, &e,
	    &who), Q_HM_GO);
	/* An attempt given up without outcome frees the host. */
	q_hm_release(hm, "slow.example");
	assert_int_equal(q_hm_look(hm, "slow.example", WINDOW, false, &e,
	    &who), Q_HM_NONE);
}

/* Up: go; a failure older than the window counts no more. */
static void
test_outcomes(void **state)
{
	struct q_hs_entry up = outcome(true, time(NULL));
	struct q_hs_entry old = outcome(false, time(NULL) - WINDOW);
	struct q_hs_entry e;
	pid_t who = 0;

	(void)state;
	assert_true(q_hm_set(hm, "up.example", &up));
	assert_false(q_hm_set(hm, "up.example", &up));	/* no news */
	assert_int_equal(q_hm_look(hm, "up.example", WINDOW, false, &e, &who),
	    Q_HM_GO);
	assert_true(q_hm_set(hm, "up.example", &old));
	assert_int_equal(q_hm_look(hm, "up.example", WINDOW, false, &e, &who),
	    Q_HM_NONE);
	assert_int_equal(q_hm_look(hm, "up.example", WINDOW, true, &e, &who),
	    Q_HM_GO);
	assert_true(q_hm_set(hm, "up.example", &up));	/* up again */
	q_hm_clear(hm);
	assert_int_equal(q_hm_look(hm, "up.example", WINDOW, false, &e, &who),
	    Q_HM_NONE);
}

/* A new host takes the place of the oldest, never of one being tried. */
static void
test_room(void **state)
{
	struct q_hs_entry e;
	char host[32];
	pid_t who = 0;
	int i;

	(void)state;
	/* The oldest of all, but being tried. */
	e = outcome(false, time(NULL) - 2 * WINDOW);
	(void)q_hm_set(hm, "h0.example", &e);
	(void)in_child(claim, "h0.example");
	for (i = 1; i < Q_HM_HOSTS; i++) {
		e = outcome(false, time(NULL) - Q_HM_HOSTS + i);
		(void)snprintf(host, sizeof(host), "h%d.example", i);
		(void)q_hm_set(hm, host, &e);
	}
	e = outcome(false, time(NULL));
	(void)q_hm_set(hm, "new.example", &e);
	assert_int_equal(q_hm_look(hm, "new.example", WINDOW, false, &e,
	    &who), Q_HM_DOWN);
	assert_int_equal(q_hm_look(hm, "h0.example", WINDOW, false, &e, &who),
	    Q_HM_BUSY);
	assert_int_equal(q_hm_look(hm, "h1.example", WINDOW, false, &e, &who),
	    Q_HM_NONE);
	assert_int_equal(q_hm_look(hm, "h2.example", WINDOW, false, &e, &who),
	    Q_HM_DOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_attempt_is_claimed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_others_wait_for_the_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outcomes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_room, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
