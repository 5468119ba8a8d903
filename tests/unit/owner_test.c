/*
 * owner_test - who owns the queue (queue/q_owner).  The hand-over needs
 * root; as another user those tests are skipped.
 */
#include "q_owner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define USER	65534		/* nobody */
#define GROUP	65534

/* path - test_dir/name, in a buffer the next call reuses */
static const char *
path(const char *name)
{
	static char buf[256];

	(void)snprintf(buf, sizeof(buf), "%s/%s", test_dir, name);
	return buf;
}

/* touch - a file of root's in test_dir */
static void
touch(const char *name)
{
	int fd = open(path(name), O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
}

/* uid_of - the owner of test_dir/name, not following a link */
static uid_t
uid_of(const char *name)
{
	struct stat st;

	assert_int_equal(lstat(path(name), &st), 0);
	return st.st_uid;
}

/* fresh - an empty queue directory q/ of root's, mode 0700 */
static void
fresh(void)
{
	char cmd[256];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s/q' '%s/elsewhere'",
	    test_dir, test_dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(path("q"), 0700), 0);
}

/* Nobody's queue is nobody's to run as; root's and a missing one not. */
static void
test_owner_of(void **state)
{
	uid_t uid;
	gid_t gid;

	(void)state;
	assert_int_equal(q_owner_of(path("missing"), &uid, &gid), -1);
	fresh();
	if (geteuid() != 0)
		skip();
	assert_int_equal(q_owner_of(path("q"), &uid, &gid), -1);
	assert_int_equal(chown(path("q"), USER, GROUP), 0);
	assert_int_equal(q_owner_of(path("q"), &uid, &gid), 0);
	assert_int_equal(uid, USER);
	assert_int_equal(gid, GROUP);
}

/*
 * Root's queue: the directory and its queue files change hands, not
 * other files, not a link nor what it points to, not a file with a
 * second name elsewhere; a FIFO does not block the hand-over.
 */
static void
test_adopt(void **state)
{
	char err[512], target[256];
	struct stat st;
	size_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	fresh();
	assert_int_equal(chmod(path("q"), 0770), 0);
	(void)snprintf(target, sizeof(target), "%s", path("elsewhere"));
	touch("q/qfAB12"); touch("q/dfAB12"); touch("q/xfAB12");
	touch("q/notes.txt"); touch("elsewhere");
	assert_int_equal(symlink(target, path("q/qfLINK")), 0);
	assert_int_equal(link(target, path("q/dfHARD")), 0);
	assert_int_equal(mkfifo(path("q/tfFIFO"), 0600), 0);
	assert_int_equal(mkdir(path("q/qf"), 0700), 0);
	touch("q/qf/qfCD34");
	assert_int_equal(q_owner_adopt(path("q"), "", USER, GROUP, "nobody",
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 6);		/* q, 3 files, qf/ and its file */
	assert_int_equal(uid_of("q"), USER);
	assert_int_equal(stat(path("q"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);	/* no group write */
	assert_int_equal(uid_of("q/qfAB12"), USER);
	assert_int_equal(uid_of("q/dfAB12"), USER);
	assert_int_equal(uid_of("q/xfAB12"), USER);
	assert_int_equal(uid_of("q/qf"), USER);
	assert_int_equal(uid_of("q/qf/qfCD34"), USER);
	assert_int_equal(uid_of("q/notes.txt"), 0);
	assert_int_equal(uid_of("q/qfLINK"), 0);
	assert_int_equal(uid_of("q/dfHARD"), 0);
	assert_int_equal(uid_of("elsewhere"), 0);
	assert_int_equal(uid_of("q/tfFIFO"), 0);
	/* Done once: nothing more to change. */
	assert_int_equal(q_owner_adopt(path("q"), "", USER, GROUP, "nobody",
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
}

/* A missing queue is made; a host status directory where the user
   could not make it is made too. */
static void
test_create(void **state)
{
	char err[512], hs[256];
	size_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	fresh();
	assert_int_equal(rmdir(path("q")), 0);
	assert_int_equal(mkdir(path("elsewhere"), 0755), 0);
	(void)snprintf(hs, sizeof(hs), "%s", path("elsewhere/hs"));
	assert_int_equal(q_owner_adopt(path("q"), hs, USER, GROUP, "nobody",
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(uid_of("q"), USER);
	assert_int_equal(uid_of("elsewhere/hs"), USER);
}

/* Another user's queue, or one everyone may write, is said, not taken. */
static void
test_refused(void **state)
{
	char err[512];
	size_t n;

	(void)state;
	if (geteuid() != 0)
		skip();
	fresh();
	touch("q/qfAB12");
	assert_int_equal(chown(path("q"), 1, 1), 0);
	assert_int_equal(q_owner_adopt(path("q"), "", USER, GROUP, "nobody",
	    &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "belongs to"));
	assert_non_null(strstr(err, "chown -R nobody"));
	assert_int_equal(uid_of("q/qfAB12"), 0);
	fresh();
	assert_int_equal(chmod(path("q"), 0777), 0);
	assert_int_equal(q_owner_adopt(path("q"), "", USER, GROUP, "nobody",
	    &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "writable by everyone (mode 0777)"));
	assert_int_equal(uid_of("q"), 0);
	assert_int_equal(q_owner_adopt(path("q"), "", 0, 0, "root",
	    &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must not be root"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_of),
		cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
