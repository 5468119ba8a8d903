/*
 * q_commit - the flushes that make a queued message durable; see
 * q_commit.h for the invariant, the paths and the tests that show them.
 *
 * Runs in the SMTP session child (and the submission path), as
 * RunAsUser; q_commit_probe() and q_commit_group_init() run in the
 * daemon, as root, before it forks.  Nothing here waits on the network;
 * the waits are the disk's.
 */
#include "q_commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sm_log.h"

#define EXT4_SB_OFFSET	1024		/* the superblock, on the device */
#define EXT4_SB_MAGIC	0x38		/* in it: s_magic (le16) */
#define EXT4_SB_COMPAT	0x5C		/* s_feature_compat (le32) */
#define EXT4_FAST_COMMIT 0x0400		/* a compat feature */

/*
 * q_commit_choose - the path for a file system with these facts.  A
 * fast commit logs only the inodes queued for it; an inode or name
 * changed while another fast commit is being written waits for the
 * next, and an fsync that found that other commit running may return
 * once it ends: only a journal without fast commits orders a rename
 * after the writes that completed before it.  Not known is no.
 */
enum q_commit_path
q_commit_choose(const struct q_commit_fs *fs)
{
	const unsigned char *sb = fs->sb;
	uint32_t compat;

	if (fs->type != Q_COMMIT_EXT4_MAGIC || !fs->journal || sb == NULL ||
	    fs->sblen < Q_COMMIT_SB_LEN ||
	    (sb[EXT4_SB_MAGIC] | sb[EXT4_SB_MAGIC + 1] << 8) !=
	    Q_COMMIT_EXT4_MAGIC)
		return Q_COMMIT_FULL;
	compat = (uint32_t)sb[EXT4_SB_COMPAT] |
	    (uint32_t)sb[EXT4_SB_COMPAT + 1] << 8 |
	    (uint32_t)sb[EXT4_SB_COMPAT + 2] << 16 |
	    (uint32_t)sb[EXT4_SB_COMPAT + 3] << 24;
	return (compat & EXT4_FAST_COMMIT) == 0 ? Q_COMMIT_JOURNAL :
	    Q_COMMIT_FULL;
}

/*
 * read_sb - the superblock bytes of the device /dev/name, which must be
 * dev itself (not whatever /dev has under the name); false when they
 * cannot be read (only root may)
 */
static bool
read_sb(const char *name, dev_t dev, unsigned char *sb, size_t len)
{
	char path[300];
	struct stat st;
	ssize_t n = -1;
	int fd;

	(void)snprintf(path, sizeof(path), "/dev/%.255s", name);
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev)
		n = pread(fd, sb, len, EXT4_SB_OFFSET);
	(void)close(fd);
	return n == (ssize_t)len;
}

/*
 * The path last chosen, for one device: asked once per device and
 * process, and by q_commit_probe() as root for the sessions forked later.
 */
static dev_t known;		/* the device the answer is for */
static int answer = -1;		/* enum q_commit_path, -1 not asked */

/*
 * path_of - the path on the file system of fd, on device dev.  The
 * journal of an ext4 device is /proc/fs/jbd2/NAME-8 (NAME as sysfs names
 * the device, inode 8: a journal inside the file system); anything that
 * cannot be learned (no /proc, /sys or /dev) counts as not there.
 */
static enum q_commit_path
path_of(int fd, dev_t dev)
{
	unsigned char sb[Q_COMMIT_SB_LEN];
	char link[512], path[600];
	struct q_commit_fs fs;
	const char *name;
	struct statfs sf;
	ssize_t n;

	if (answer >= 0 && known == dev)
		return (enum q_commit_path)answer;
	known = dev;
	answer = Q_COMMIT_FULL;
	memset(&fs, 0, sizeof(fs));
	if (fstatfs(fd, &sf) < 0 || (fs.type = (long)sf.f_type) !=
	    Q_COMMIT_EXT4_MAGIC)
		return Q_COMMIT_FULL;
	(void)snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(dev),
	    minor(dev));
	if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
		return Q_COMMIT_FULL;
	link[n] = '\0';
	name = strrchr(link, '/');
	name = name != NULL ? name + 1 : link;
	(void)snprintf(path, sizeof(path), "/proc/fs/jbd2/%s-8", name);
	fs.journal = access(path, F_OK) == 0;
	if (fs.journal && read_sb(name, dev, sb, sizeof(sb))) {
		fs.sb = sb;
		fs.sblen = sizeof(sb);
	}
	answer = q_commit_choose(&fs);
	return (enum q_commit_path)answer;
}

/* q_commit_path_of - the path taken for files on fd's file system */
enum q_commit_path
q_commit_path_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return Q_COMMIT_FULL;
	return path_of(fd, st.st_dev);
}

/*
 * q_commit_probe - learn now (as root) the path of the file system of
 * the data files in dir; asked again each time (the file system may
 * have been made again meanwhile)
 */
void
q_commit_probe(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	answer = -1;
	if (fstat(fd, &st) == 0)
		(void)path_of(fd, st.st_dev);
	(void)close(fd);
}

/*
 * writeback - write a file's dirty pages now (wait: and wait until the
 * writes are done).  No substitute for fsync: it neither commits the
 * file's metadata nor flushes the disk's cache.  -1 with errno set where
 * it cannot be done here (see cannot()) or where a write failed: that
 * error is then reported to this call only, not to a later fsync.
 * ext4 maps the blocks of a buffered write as unwritten and marks them
 * written when the write completes, a change that goes in the journal;
 * a commit made before that leaves it for another one.  So the data
 * file and the control file are both written, and both writes waited
 * for, before the rename and the fsync: the commit then carries both
 * files and the rename.
 */
static int
writeback(int fd, bool wait)
{
#ifdef SYNC_FILE_RANGE_WRITE
	return sync_file_range(fd, 0, 0, wait ? SYNC_FILE_RANGE_WAIT_BEFORE |
	    SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER :
	    SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)wait;
	errno = ENOSYS;
	return -1;
#endif
}

/* cannot - did writeback() fail only because it cannot be done here? */
static bool
cannot(int e)
{
	return e == ENOSYS || e == EINVAL || e == ESPIPE || e == EOPNOTSUPP;
}

/* q_commit_start - start writing the data file's pages, not waiting */
void
q_commit_start(int dfd)
{
	(void)writeback(dfd, false);
}

static struct q_commit_group *group;

/* q_commit_group_init - share directory fsyncs with processes forked later */
int
q_commit_group_init(void)
{
	void *p;

	if (group != NULL)
		return 0;
	p = mmap(NULL, sizeof(*group), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	group = p;
	atomic_init(&group->renamed, 0);
	atomic_init(&group->synced, 0);
	return 0;
}

/* q_commit_ticket - count a rename that has returned; its ticket */
uint64_t
q_commit_ticket(struct q_commit_group *g)
{
	return atomic_fetch_add(&g->renamed, 1) + 1;
}

/* q_commit_covered - has a finished fsync covered the rename of ticket? */
bool
q_commit_covered(struct q_commit_group *g, uint64_t ticket)
{
	return atomic_load(&g->synced) >= ticket;
}

/*
 * q_commit_sync_begin - the renames an fsync begun now covers: those
 * counted so far, each counted after its rename returned
 */
uint64_t
q_commit_sync_begin(struct q_commit_group *g)
{
	return atomic_load(&g->renamed);
}

/*
 * q_commit_sync_done - an fsync begun at upto has finished.  Another
 * one, begun later, may have finished first: the count never goes back.
 */
void
q_commit_sync_done(struct q_commit_group *g, uint64_t upto)
{
	uint64_t seen = atomic_load(&g->synced);

	while (seen < upto && !atomic_compare_exchange_weak(&g->synced, &seen,
	    upto))
		;
}

/* group_sync - fsync the directory fd unless an fsync since ticket did */
static int
group_sync(int fd, uint64_t ticket)
{
	uint64_t upto;
	int rc = 0;

	if (q_commit_covered(group, ticket))
		return 0;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return fsync(fd);	/* no lock: sync alone */
	if (!q_commit_covered(group, ticket)) {
		upto = q_commit_sync_begin(group);
		if ((rc = fsync(fd)) == 0)
			q_commit_sync_done(group, upto);
	}
	(void)flock(fd, LOCK_UN);
	return rc;
}

/* sync_dir - fsync a directory so a rename in it is on disk */
static int
sync_dir(const char *dir, bool shared)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	if (shared && group != NULL)
		rc = group_sync(fd, q_commit_ticket(group));
	else
		rc = fsync(fd);
	(void)close(fd);
	return rc;
}

/*
 * before_rename - both files on disk as far as the path needs before
 * the rename makes them a message; the path the rename is then to take,
 * or -1 (a write failed)
 */
static int
before_rename(const struct q_commit_files *f)
{
	struct stat d, c;
	enum q_commit_path p = Q_COMMIT_FULL;

	(void)writeback(f->cfd, false);
	if (writeback(f->dfd, true) < 0 || writeback(f->cfd, true) < 0) {
		if (!cannot(errno))
			return -1;	/* a write failed */
	} else if (fstat(f->dfd, &d) == 0 && fstat(f->cfd, &c) == 0 &&
	    d.st_dev == c.st_dev)
		p = path_of(f->cfd, d.st_dev);
	if (p == Q_COMMIT_FULL && (fsync(f->dfd) < 0 || fsync(f->cfd) < 0))
		return -1;
	return (int)p;
}

/*
 * q_commit_publish - make the message durable and visible to the runner.
 *
 * The journal path: the rename, then one fsync of the control file,
 * which commits the transaction holding the new name and every earlier
 * one with it.  (fsync, not fdatasync: the rename changes no data, so
 * fdatasync need not wait for its transaction.)  One commit a message,
 * shared by every session whose rename came before it.  The full path:
 * the rename, then the directories.  The control file stays locked by
 * the caller until this returns, so no queue run takes the message
 * before it is on disk.
 */
int
q_commit_publish(const struct q_commit_files *f, bool safe, bool *renamed)
{
	int path = Q_COMMIT_FULL, saved;

	*renamed = false;
	if (safe && (path = before_rename(f)) < 0)
		return -1;
	if (rename(f->tmp, f->final) < 0)
		return -1;
	*renamed = true;
	if (!safe)
		return 0;
	if (path == Q_COMMIT_JOURNAL ? fsync(f->cfd) == 0 :
	    sync_dir(f->cdir, true) == 0 && (strcmp(f->cdir, f->ddir) == 0 ||
	    sync_dir(f->ddir, false) == 0))
		return 0;
	/* Not on disk: take the name back, so no 250 and no message. */
	saved = errno;
	if (unlink(f->final) < 0)
		sm_warn("%s: cannot remove the control file of a message not "
		    "accepted", f->id);
	else
		(void)sync_dir(f->cdir, false);
	errno = saved;
	return -1;
}
