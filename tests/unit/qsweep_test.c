/*
 * qsweep_test - the files that processes which died while writing them
 * left in the queue (queue/q_sweep): what goes, and what no sweep may
 * touch: a file a live process holds, a queued message's data, and any
 * file younger than the grace period.
 */
#include "q_sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "q_file.h"
#include "test.h"

/* path - name in the queue directory */
static const char *
path(const char *name)
{
	static char buf[4][sizeof(test_dir) + 32];
	static int k;

	k = (k + 1) % 4;
	(void)snprintf(buf[k], sizeof(buf[k]), "%s/%s", test_dir, name);
	return buf[k];
}

/* file - name, made age seconds ago */
static void
file(const char *name, time_t age)
{
	struct timeval tv[2];
	int fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	(void)close(fd);
	tv[0].tv_sec = tv[1].tv_sec = time(NULL) - age;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	assert_int_equal(utimes(path(name), tv), 0);
}

/* there - is name still in the queue? */
static bool
there(const char *name)
{
	return access(path(name), F_OK) == 0;
}

/* hold - another process locks name, as a live writer does */
static pid_t
hold(const char *name)
{
	int p[2], fd;
	pid_t pid;
	char ch;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(path(name), O_RDWR);
		if (fd < 0 || q_lock(fd) < 0 || write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			(void)pause();
	}
	assert_int_equal(read(p[0], &ch, 1), 1);
	(void)close(p[0]);
	(void)close(p[1]);
	return pid;
}

/* let_go - the holder ends */
static void
let_go(pid_t pid)
{
	int st;

	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &st, 0);
}

#define OLD	(Q_SWEEP_GRACE + 60)

static void
test_sweep(void **state)
{
	pid_t df_holder, qf_holder;

	(void)state;
	file("dfDEAD0001", OLD);	/* a session died before 250 */
	file("dfYOUNG001", 5);		/* a session still receiving */
	file("dfQUEUED01", OLD);	/* a queued message's data */
	file("qfQUEUED01", OLD);
	file("dfHELD0001", OLD);	/* held by a live writer */
	file("tfREWRITE1", OLD);	/* a rewrite that died */
	file("qfREWRITE1", OLD);
	file("tfBUSY0001", OLD);	/* a rewrite going on */
	file("qfBUSY0001", OLD);
	file("tfCOMMIT01", OLD);	/* a commit that died, no qf */
	file("dfCOMMIT01", OLD);
	file("tfLONE0001", OLD);	/* neither qf nor df */
	file("xfOTHER001", OLD);	/* not the sweep's */
	df_holder = hold("dfHELD0001");
	qf_holder = hold("qfBUSY0001");
	q_sweep(test_dir, test_dir);
	let_go(df_holder);
	let_go(qf_holder);

	assert_false(there("dfDEAD0001"));
	assert_true(there("dfYOUNG001"));
	assert_true(there("dfQUEUED01"));
	assert_true(there("qfQUEUED01"));
	assert_true(there("dfHELD0001"));
	assert_false(there("tfREWRITE1"));
	assert_true(there("qfREWRITE1"));
	assert_true(there("tfBUSY0001"));
	assert_false(there("tfCOMMIT01"));
	/* The commit's data file goes too, at the same sweep or the next. */
	q_sweep(test_dir, test_dir);
	assert_false(there("dfCOMMIT01"));
	assert_false(there("tfLONE0001"));
	assert_true(there("xfOTHER001"));
	/* Its holder gone, the unfinished data file goes. */
	q_sweep(test_dir, test_dir);
	assert_false(there("dfHELD0001"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
