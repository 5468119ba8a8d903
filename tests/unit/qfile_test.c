/*
 * qfile_test - queue ids and durable queue files (queue/q_file).
 */
#include "q_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "q_commit.h"
#include "test.h"

/* The id of spec/queue.md's example: 2026-11-22 09:11:59 UTC, pid 25096. */
static void
test_id(void **state)
{
	char id[Q_ID_MAX], id2[Q_ID_MAX];

	(void)state;
	q_id_make(id, sizeof(id), 1795338719, 25096);
	assert_int_equal(strlen(id), 14);
	assert_memory_equal(id, "6AM9Bx", 6);
	assert_string_equal(id + 8, "025096");
	q_id_make(id2, sizeof(id2), 1795338719, 25096);
	assert_string_not_equal(id, id2);	/* the sequence moves on */
}

static void
test_commit(void **state)
{
	struct q_msg *m;
	char path[4200], buf[2048];
	FILE *fp;
	size_t n;

	(void)state;
	m = q_msg_new(test_dir);
	assert_int_equal(q_msg_data_open(m), 0);
	assert_int_equal(q_msg_data_write(m, "hello\n", 6), 0);
	m->sender = strdup("<a@b.example>");
	m->priority = 30006;
	q_msg_add_macro(m, "r", "ESMTP");
	q_msg_add_macro(m, "daemon_flags", "");
	q_msg_add_rcpt(m, "<root>", "PFD", "rfc822;root@x");
	q_msg_add_header(m, "", "Subject", "hi\n\tthere");
	assert_int_equal(test_count(test_dir), 1);	/* the df so far */
	assert_int_equal(q_msg_commit(m, true), 0);
	assert_int_equal(test_count(test_dir), 2);	/* df and qf, no tf */
	fp = fopen(q_path(m, 'q', path, sizeof(path)), "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	(void)fclose(fp);
	assert_true(strncmp(buf, "V8\nT", 4) == 0);
	assert_non_null(strstr(buf, "\nK0\nN0\nP30006\nI"));
	assert_non_null(strstr(buf, "\n$rESMTP\n${daemon_flags}\n"
	    "S<a@b.example>\nQrfc822;root@x\nRPFD:<root>\n"
	    "H??Subject: hi\n\tthere\n.\n"));
	q_msg_free(m);
	/* Committed files stay. */
	assert_int_equal(test_count(test_dir), 2);
	/* The commit's lock is gone: a queue run can take the message. */
	assert_true(test_lockable(path));
}

static void
test_abort(void **state)
{
	struct q_msg *m;

	(void)state;
	m = q_msg_new(test_dir);
	assert_int_equal(q_msg_data_open(m), 0);
	assert_int_equal(q_msg_data_write(m, "x", 1), 0);
	q_msg_abort(m);
	q_msg_free(m);
	/* Only test_commit's files. */
	assert_int_equal(test_count(test_dir), 2);
}

/* split_queue - a queue test_dir/name with qf/ and df/ subdirectories */
static void
split_queue(char *q, size_t len, const char *name)
{
	char sub[320];

	(void)snprintf(q, len, "%s/%s", test_dir, name);
	assert_int_equal(mkdir(q, 0700), 0);
	(void)snprintf(sub, sizeof(sub), "%s/qf", q);
	assert_int_equal(mkdir(sub, 0700), 0);
	(void)snprintf(sub, sizeof(sub), "%s/df", q);
	assert_int_equal(mkdir(sub, 0700), 0);
}

static void
test_subdirs(void **state)
{
	char q[300], sub[320];
	struct q_msg *m;

	(void)state;
	split_queue(q, sizeof(q), "split");
	m = q_msg_new(q);
	m->sender = strdup("<>");
	assert_int_equal(q_msg_data_open(m), 0);
	assert_int_equal(q_msg_commit(m, true), 0);
	(void)snprintf(sub, sizeof(sub), "%s/qf", q);
	assert_int_equal(test_count(sub), 1);
	(void)snprintf(sub, sizeof(sub), "%s/df", q);
	assert_int_equal(test_count(sub), 1);
	q_msg_free(m);
}

/*
 * A commit that fails after its rename (here the data file's directory
 * is gone when it is to be fsynced) takes the qf back: no control file
 * is left for a message that was not accepted.
 */
static void
test_commit_fails(void **state)
{
	char q[300], sub[320], moved[320];
	struct q_msg *m;

	(void)state;
	split_queue(q, sizeof(q), "fails");
	m = q_msg_new(q);
	m->sender = strdup("<>");
	assert_int_equal(q_msg_data_open(m), 0);
	assert_int_equal(q_msg_data_write(m, "x\n", 2), 0);
	(void)snprintf(sub, sizeof(sub), "%s/df", q);
	(void)snprintf(moved, sizeof(moved), "%s/df.away", q);
	assert_int_equal(rename(sub, moved), 0);
	assert_int_equal(q_msg_commit(m, true), -1);
	q_msg_free(m);
	(void)snprintf(sub, sizeof(sub), "%s/qf", q);
	assert_int_equal(test_count(sub), 0);	/* neither qf nor tf */
}

/* Forked writers share directory fsyncs; every message still lands. */
static void
test_group_commit(void **state)
{
	char q[300];
	struct q_msg *m;
	int i, k, st;
	pid_t pid[4];

	(void)state;
	(void)snprintf(q, sizeof(q), "%s/group", test_dir);
	assert_int_equal(mkdir(q, 0700), 0);
	assert_int_equal(q_commit_group_init(), 0);
	assert_int_equal(q_commit_group_init(), 0);	/* once is enough */
	for (k = 0; k < 4; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] > 0)
			continue;
		for (i = 0; i < 25; i++) {
			m = q_msg_new(q);
			m->sender = strdup("<>");
			if (q_msg_data_open(m) < 0 ||
			    q_msg_data_write(m, "x\n", 2) < 0 ||
			    q_msg_commit(m, true) < 0)
				_exit(1);
			q_msg_free(m);
		}
		_exit(0);
	}
	for (k = 0; k < 4; k++) {
		assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(test_count(q), 200);	/* 100 df, 100 qf, no tf */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_commit),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_subdirs),
		cmocka_unit_test(test_commit_fails),
		cmocka_unit_test(test_group_commit),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
