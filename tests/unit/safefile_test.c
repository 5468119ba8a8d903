/*
 * safefile_test - sendmail's safe-file rules for a .forward file
 * (sendmaild/local/safefile), checked on files this test makes.
 *
 * The scratch directory is under /tmp, which is world writable with
 * the sticky bit: every case trusts the sticky bit (TrustStickyBit), and
 * what each case looks at is the directory it makes below.
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm_opt.h"
#include "test.h"

#define BIT(w)	((uint64_t)1 << (w))
#define STICKY	BIT(SM_DBS_TRUSTSTICKYBIT)

/* made - dir/name with the mode given, its directory with dmode */
static void
made(char *path, size_t len, const char *dir, mode_t dmode,
    const char *name, mode_t mode)
{
	char d[256];
	int fd;

	(void)snprintf(d, sizeof(d), "%s/%s", test_dir, dir);
	(void)mkdir(d, 0700);
	assert_int_equal(chmod(d, dmode), 0);
	(void)snprintf(path, len, "%s/%s", d, name);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "someone@example.org\n", 20), 20);
	(void)close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

/* opened - what safefile_forward_open() says of path for us */
static int
opened(const char *path, uint64_t dbs, bool *unsafe, int *err)
{
	struct safefile_user me = { getuid(), getgid(), "me" };
	int fd;

	*unsafe = false;
	*err = 0;
	fd = safefile_forward_open(path, &me, dbs, unsafe, err);
	if (fd >= 0)
		(void)close(fd);
	return fd >= 0 ? 0 : -1;
}

static void
test_safe_file_is_taken(void **state)
{
	char path[512];
	bool unsafe;
	int err;

	(void)state;
	made(path, sizeof(path), "home", 0755, ".forward", 0644);
	assert_int_equal(opened(path, STICKY, &unsafe, &err), 0);
	assert_false(unsafe);
}

static void
test_world_writable_directory(void **state)
{
	char path[512];
	bool unsafe;
	int err;

	(void)state;
	made(path, sizeof(path), "open", 0777, ".forward", 0644);
	assert_int_equal(opened(path, STICKY, &unsafe, &err), -1);
	assert_int_equal(err, SAFEFILE_E_WWDIR);
	assert_string_equal(safefile_error(err), "World writable directory");
	assert_false(safefile_transient(err));
	/* ForwardFileInUnsafeDirPath takes it, for addresses only. */
	assert_int_equal(opened(path, STICKY |
	    BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATH), &unsafe, &err), 0);
	assert_true(unsafe);
	/* ...and programs and files too with ...Safe. */
	assert_int_equal(opened(path, STICKY |
	    BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATH) |
	    BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATHSAFE), &unsafe, &err), 0);
	assert_false(unsafe);
}

static void
test_group_writable(void **state)
{
	char path[512];
	bool unsafe;
	int err;

	(void)state;
	made(path, sizeof(path), "team", 0775, ".forward", 0644);
	assert_int_equal(opened(path, STICKY, &unsafe, &err), -1);
	assert_int_equal(err, SAFEFILE_E_GWDIR);
	assert_string_equal(safefile_error(err), "Group writable directory");
	made(path, sizeof(path), "home", 0755, ".forward", 0664);
	assert_int_equal(opened(path, STICKY, &unsafe, &err), -1);
	assert_int_equal(err, SAFEFILE_E_GWFILE);
	assert_string_equal(safefile_error(err), "Group writable file");
	made(path, sizeof(path), "home", 0755, ".forward", 0646);
	assert_int_equal(opened(path, STICKY, &unsafe, &err), -1);
	assert_int_equal(err, SAFEFILE_E_WWFILE);
}

static void
test_links(void **state)
{
	char path[512], target[512], link[512];
	bool unsafe;
	int err;

	(void)state;
	made(target, sizeof(target), "home", 0755, "real", 0644);
	/* A link in a safe directory is followed. */
	(void)snprintf(link, sizeof(link), "%s/home/.forward", test_dir);
	(void)unlink(link);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(opened(link, STICKY, &unsafe, &err), 0);
	/* One in a directory others may write is not, even where the
	 * directory itself is forgiven... */
	made(path, sizeof(path), "open", 0777, "unused", 0644);
	(void)snprintf(link, sizeof(link), "%s/open/.forward", test_dir);
	(void)unlink(link);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(opened(link, STICKY |
	    BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATH), &unsafe, &err), -1);
	assert_int_equal(err, SAFEFILE_E_NOSLINK);
	assert_string_equal(safefile_error(err), "Symbolic links not allowed");
	/* ...unless LinkedForwardFileInWritableDir. */
	assert_int_equal(opened(link, STICKY |
	    BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATH) |
	    BIT(SM_DBS_LINKEDFORWARDFILEINWRITABLEDIR), &unsafe, &err), 0);
}

static void
test_not_a_file(void **state)
{
	char path[512];
	bool unsafe;
	int err;

	(void)state;
	made(path, sizeof(path), "home", 0755, "unused", 0644);
	(void)snprintf(path, sizeof(path), "%s/home/.forward", test_dir);
	(void)unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(opened(path, STICKY, &unsafe, &err), -1);
	assert_int_equal(err, SAFEFILE_E_REGONLY);
	assert_string_equal(safefile_error(err), "Regular files only");
	assert_int_equal(rmdir(path), 0);
	/* No file: no .forward, nothing to try again. */
	assert_int_equal(opened(path, STICKY, &unsafe, &err), -1);
	assert_int_equal(err, ENOENT);
	assert_false(safefile_transient(err));
	assert_true(safefile_transient(EIO));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_file_is_taken),
		cmocka_unit_test(test_world_writable_directory),
		cmocka_unit_test(test_group_writable),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_not_a_file),
	};

	/* The modes made here are the modes asked for. */
	(void)umask(022);
	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
