/*
 * commit_test - how a queued message becomes durable (queue/q_commit):
 * the path chosen for each kind of file system, the group commit's
 * tickets, and what publishing leaves behind when it works and when it
 * fails.
 */
#include "q_commit.h"

#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define XFS_MAGIC	0x58465342
#define BTRFS_MAGIC	0x9123683E
#define TMPFS_MAGIC	0x01021994

/* Offsets in the ext4 superblock (which starts 1024 bytes in). */
#define SB_MAGIC	0x38
#define SB_COMPAT	0x5C
#define COMPAT_HAS_JOURNAL	0x0004
#define COMPAT_DIR_INDEX	0x0020
#define COMPAT_FAST_COMMIT	0x0400

/* sb_make - an ext4 superblock's first bytes with these compat features */
static void
sb_make(unsigned char *sb, uint16_t magic, uint32_t compat)
{
	memset(sb, 0, Q_COMMIT_SB_LEN);
	sb[SB_MAGIC] = magic & 0xff;
	sb[SB_MAGIC + 1] = magic >> 8;
	sb[SB_COMPAT] = compat & 0xff;
	sb[SB_COMPAT + 1] = (compat >> 8) & 0xff;
	sb[SB_COMPAT + 2] = (compat >> 16) & 0xff;
	sb[SB_COMPAT + 3] = compat >> 24;
}

/*
 * The one case that takes the journal path: ext4, its journal inside,
 * the superblock read and showing no fast commits, whatever other
 * features it has.
 */
static void
test_choose_journal(void **state)
{
	unsigned char sb[Q_COMMIT_SB_LEN];
	struct q_commit_fs fs = { Q_COMMIT_EXT4_MAGIC, true, sb, sizeof(sb) };

	(void)state;
	sb_make(sb, 0xEF53, COMPAT_HAS_JOURNAL | COMPAT_DIR_INDEX);
	assert_int_equal(q_commit_choose(&fs), Q_COMMIT_JOURNAL);
	sb_make(sb, 0xEF53, 0);
	assert_int_equal(q_commit_choose(&fs), Q_COMMIT_JOURNAL);
}

/* Everything else takes the full path: each fact that decides it. */
static void
test_choose_full(void **state)
{
	static const struct {
		const char	*name;
		long		 type;
		bool		 journal;
		bool		 readable;	/* the superblock, as root */
		size_t		 sblen;
		uint16_t	 magic;
		uint32_t	 compat;
	} t[] = {
		{ "ext4 with fast commits", Q_COMMIT_EXT4_MAGIC, true, true,
		    Q_COMMIT_SB_LEN, 0xEF53,
		    COMPAT_HAS_JOURNAL | COMPAT_FAST_COMMIT },
		{ "ext4 without a journal (or an external one)",
		    Q_COMMIT_EXT4_MAGIC, false, true, Q_COMMIT_SB_LEN, 0xEF53,
		    0 },
		{ "superblock not readable (not root)", Q_COMMIT_EXT4_MAGIC,
		    true, false, Q_COMMIT_SB_LEN, 0xEF53, COMPAT_HAS_JOURNAL },
		{ "superblock read short", Q_COMMIT_EXT4_MAGIC, true, true,
		    Q_COMMIT_SB_LEN - 1, 0xEF53, COMPAT_HAS_JOURNAL },
		{ "not an ext4 superblock", Q_COMMIT_EXT4_MAGIC, true, true,
		    Q_COMMIT_SB_LEN, 0x1234, COMPAT_HAS_JOURNAL },
		{ "XFS", XFS_MAGIC, false, true, Q_COMMIT_SB_LEN, 0, 0 },
		{ "btrfs", BTRFS_MAGIC, false, true, Q_COMMIT_SB_LEN, 0, 0 },
		{ "tmpfs", TMPFS_MAGIC, false, false, 0, 0, 0 },
		/* A journal by the name of the device, but not ext4. */
		{ "XFS with a jbd2 name", XFS_MAGIC, true, true,
		    Q_COMMIT_SB_LEN, 0xEF53, 0 },
	};
	unsigned char sb[Q_COMMIT_SB_LEN];
	struct q_commit_fs fs;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		sb_make(sb, t[i].magic, t[i].compat);
		fs.type = t[i].type;
		fs.journal = t[i].journal;
		fs.sb = t[i].readable ? sb : NULL;
		fs.sblen = t[i].sblen;
		if (q_commit_choose(&fs) != Q_COMMIT_FULL)
			fail_msg("%s: not the full path", t[i].name);
	}
}

/* A real file system that is not ext4 (tmpfs) gets the full path. */
static void
test_path_of_tmpfs(void **state)
{
	struct statfs sf;
	int fd;

	(void)state;
	if (statfs("/dev/shm", &sf) < 0 || sf.f_type != TMPFS_MAGIC)
		skip();
	fd = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(q_commit_path_of(fd), Q_COMMIT_FULL);
	(void)close(fd);
}

/*
 * Group commit: a directory fsync covers exactly the renames counted
 * before it began; a rename counted after that waits for another; and
 * an fsync that finishes late never takes back what a later one
 * covered.
 */
static void
test_group_tickets(void **state)
{
	struct q_commit_group g;
	uint64_t a, b, c, d, first, second;

	(void)state;
	atomic_init(&g.renamed, 0);
	atomic_init(&g.synced, 0);
	a = q_commit_ticket(&g);
	b = q_commit_ticket(&g);
	assert_true(a == 1 && b == 2);		/* one each, in order */
	assert_false(q_commit_covered(&g, a));	/* nothing synced yet */
	first = q_commit_sync_begin(&g);	/* covers a and b */
	c = q_commit_ticket(&g);		/* renamed meanwhile */
	second = q_commit_sync_begin(&g);	/* covers c too */
	d = q_commit_ticket(&g);
	q_commit_sync_done(&g, second);		/* the later one first */
	assert_true(q_commit_covered(&g, a) && q_commit_covered(&g, b) &&
	    q_commit_covered(&g, c));
	assert_false(q_commit_covered(&g, d));
	q_commit_sync_done(&g, first);		/* late: changes nothing */
	assert_true(q_commit_covered(&g, c));
	assert_false(q_commit_covered(&g, d));
	q_commit_sync_done(&g, q_commit_sync_begin(&g));
	assert_true(q_commit_covered(&g, d));
}

/* files - a data file dfX and a control file tfX written in dir */
static void
files(struct q_commit_files *f, const char *dir, char *tmp, char *final,
    size_t len)
{
	char df[300];

	(void)snprintf(df, sizeof(df), "%s/dfX", dir);
	(void)snprintf(tmp, len, "%s/tfX", dir);
	(void)snprintf(final, len, "%s/qfX", dir);
	f->id = "X";
	f->dfd = open(df, O_CREAT | O_RDWR | O_TRUNC, 0600);
	f->cfd = open(tmp, O_CREAT | O_RDWR | O_EXCL, 0600);
	assert_true(f->dfd >= 0 && f->cfd >= 0);
	assert_int_equal(write(f->dfd, "body\n", 5), 5);
	assert_int_equal(write(f->cfd, "V8\n.\n", 5), 5);
	f->tmp = tmp;
	f->final = final;
	f->cdir = dir;
	f->ddir = dir;
}

/* done - close a publication's files */
static void
done(struct q_commit_files *f)
{
	(void)close(f->dfd);
	(void)close(f->cfd);
}

/* sub - a new directory test_dir/name */
static void
sub(char *buf, size_t len, const char *name)
{
	(void)snprintf(buf, len, "%s/%s", test_dir, name);
	assert_int_equal(mkdir(buf, 0700), 0);
}

/* Published, with or without the flushes: only the qf name is left. */
static void
test_publish(void **state)
{
	static const bool safe[] = { true, false };
	struct q_commit_files f;
	char dir[200], tmp[300], final[300], name[32];
	bool renamed;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(safe); i++) {
		(void)snprintf(name, sizeof(name), "publish%zu", i);
		sub(dir, sizeof(dir), name);
		files(&f, dir, tmp, final, sizeof(tmp));
		q_commit_start(f.dfd);
		assert_int_equal(q_commit_publish(&f, safe[i], &renamed), 0);
		assert_true(renamed);
		assert_int_equal(access(tmp, F_OK), -1);
		assert_int_equal(access(final, F_OK), 0);
		done(&f);
	}
}

/*
 * A rename that cannot be made fails before anything is published: the
 * temporary name is the caller's to remove, and no qf exists.
 */
static void
test_publish_rename_fails(void **state)
{
	struct q_commit_files f;
	char dir[200], tmp[300], final[300];
	bool renamed = true;

	(void)state;
	sub(dir, sizeof(dir), "norename");
	files(&f, dir, tmp, final, sizeof(tmp));
	(void)snprintf(final, sizeof(final), "%s/gone/qfX", dir);
	assert_int_equal(q_commit_publish(&f, true, &renamed), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(renamed);
	assert_int_equal(access(tmp, F_OK), 0);
	done(&f);
}

/*
 * A flush that fails after the rename (the data file's directory is
 * gone) takes the qf name back: no message the client was not told of.
 * The data file is on another file system (/dev/shm), which makes the
 * full path, the one that flushes that directory, the path taken.
 */
static void
test_publish_flush_fails(void **state)
{
	struct q_commit_files f;
	char dir[200], tmp[300], final[300], df[64];
	struct stat a, b;
	bool renamed = false;

	(void)state;
	if (stat("/dev/shm", &a) < 0 || stat(test_dir, &b) < 0 ||
	    a.st_dev == b.st_dev)
		skip();
	sub(dir, sizeof(dir), "noflush");
	files(&f, dir, tmp, final, sizeof(tmp));
	(void)close(f.dfd);
	(void)snprintf(df, sizeof(df), "/dev/shm/commit_test.%ld",
	    (long)getpid());
	f.dfd = open(df, O_CREAT | O_RDWR | O_TRUNC, 0600);
	assert_true(f.dfd >= 0);
	(void)unlink(df);
	assert_int_equal(write(f.dfd, "body\n", 5), 5);
	f.ddir = df;			/* gone by the time it is flushed */
	assert_int_equal(q_commit_publish(&f, true, &renamed), -1);
	assert_true(renamed);
	assert_int_equal(access(final, F_OK), -1);
	assert_int_equal(access(tmp, F_OK), -1);
	done(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose_journal),
		cmocka_unit_test(test_choose_full),
		cmocka_unit_test(test_path_of_tmpfs),
		cmocka_unit_test(test_group_tickets),
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_publish_rename_fails),
		cmocka_unit_test(test_publish_flush_fails),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
