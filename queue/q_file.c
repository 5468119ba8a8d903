/*
 * q_file - durable queue files in sendmail's format; see q_file.h.
 *
 * Runs in the SMTP session child (and later the submission path), as
 * RunAsUser.  The order of the steps in q_msg_commit() is what makes a
 * 250 reply safe: data and control data written, the control file under
 * a temporary name, the rename that publishes both, and both files and
 * the directory entry on disk before it returns.
 */
#include "q_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_log.h"

static const char base60[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

/*
 * q_id_make - a queue id for time t and process pid.  The two-character
 * sequence counts up per process from a random start; when it comes
 * round again within one second, the caller has made 3600 ids in that
 * second and q_msg_new() waits for the next.
 */
void
q_id_make(char *buf, size_t len, time_t t, pid_t pid)
{
	static int seq = -1;
	struct tm tm;

	if (seq < 0)
		seq = (int)(((unsigned)getpid() ^ (unsigned)t) % 3600);
	seq = (seq + 1) % 3600;
	(void)gmtime_r(&t, &tm);
	(void)snprintf(buf, len, "%c%c%c%c%c%c%c%c%06ld",
	    base60[(tm.tm_year) % 60], base60[tm.tm_mon],
	    base60[tm.tm_mday], base60[tm.tm_hour], base60[tm.tm_min],
	    base60[tm.tm_sec % 60], base60[seq / 60], base60[seq % 60],
	    (long)pid);
}

/* subdir - dir/sub when that is a directory, else dir */
static char *
subdir(const char *dir, const char *sub)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) <
	    sizeof(path) && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return sm_strdup(path);
	return sm_strdup(dir);
}

/* q_msg_new - a new message for queue directory qdir */
struct q_msg *
q_msg_new(const char *qdir)
{
	struct q_msg *m = sm_calloc(1, sizeof(*m));

	m->qdir = sm_strdup(qdir);
	m->qfdir = subdir(qdir, "qf");
	m->dfdir = subdir(qdir, "df");
	m->ctime = time(NULL);
	m->dfd = -1;
	m->mode = 0600;
	q_id_make(m->id, sizeof(m->id), m->ctime, getpid());
	sm_buf_init(&m->macros, 0);
	sm_buf_init(&m->ctl_tail, 0);
	return m;
}

/* q_path - the path of the file of type c ('q', 'd', 't') */
char *
q_path(const struct q_msg *m, char c, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s/%cf%s", c == 'd' ? m->dfdir : m->qfdir,
	    c, m->id);
	return buf;
}

/*
 * q_lock - lock a queue file for working on it; see q_file.h.  An open
 * file description lock: unlike a classic fcntl lock it is not dropped
 * when the process closes another descriptor of the file (q_ctl_read()
 * does), and on Linux it still conflicts with the classic locks
 * sendmail takes.
 */
int
q_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* q_msg_data_open - create the data file; it must not exist */
int
q_msg_data_open(struct q_msg *m)
{
	char path[4200];

	m->dfd = open(q_path(m, 'd', path, sizeof(path)),
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
	if (m->dfd < 0)
		return -1;
	m->df_made = true;
	/* The mode asked for, whatever the umask. */
	if (m->mode != 0600 && fchmod(m->dfd, m->mode) < 0)
		return -1;
	/*
	 * Held until the message is committed or abandoned: a queue run
	 * that finds a data file without a control file removes it only
	 * when nobody holds this lock (the writer crashed).
	 */
	return q_lock(m->dfd);
}

/* write_all - write n bytes to fd */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* q_msg_data_write - append body bytes */
int
q_msg_data_write(struct q_msg *m, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	if (!m->eightbit)
		for (i = 0; i < n; i++)
			if (c[i] >= 0x80) {
				m->eightbit = true;
				break;
			}
	m->size += n;
	return write_all(m->dfd, p, n);
}

/* line - append "<c><text>\n" to the control data, one line per value */
static void
line(struct q_msg *m, char c, const char *a, const char *b)
{
	(void)sm_buf_putc(&m->ctl_tail, c);
	(void)sm_buf_puts(&m->ctl_tail, a);
	if (b != NULL)
		(void)sm_buf_puts(&m->ctl_tail, b);
	(void)sm_buf_putc(&m->ctl_tail, '\n');
}

/* q_msg_add_macro - a saved macro: "$_value" or "${name}value" */
void
q_msg_add_macro(struct q_msg *m, const char *name, const char *value)
{
	if (strlen(name) == 1)
		(void)sm_buf_printf(&m->macros, "$%s%s\n", name, value);
	else
		(void)sm_buf_printf(&m->macros, "${%s}%s\n", name, value);
}

/* q_msg_add_rcpt - a recipient with its flags and DSN ORCPT */
void
q_msg_add_rcpt(struct q_msg *m, const char *addr, const char *flags,
    const char *orcpt)
{
	if (orcpt != NULL)
		line(m, 'Q', orcpt, NULL);
	(void)sm_buf_printf(&m->ctl_tail, "R%s:%s\n", flags, addr);
	m->nrcpts++;
}

/*
 * q_msg_add_header - "H?flags?Name: value"; value may span lines (each
 * continuation line keeps its leading blank, as in the message).
 */
void
q_msg_add_header(struct q_msg *m, const char *flags, const char *name,
    const char *value)
{
	(void)sm_buf_printf(&m->ctl_tail, "H?%s?%s: %s\n", flags, name,
	    value);
}

/*
 * Group commit of the queue directory.  Every session that renames a
 * control file must see the directory on disk before it answers 250;
 * one fsync of the directory covers every rename finished before that
 * fsync began.  The counters live in memory the daemon maps before it
 * forks its sessions: "renamed" counts renames, "synced" is the count
 * the last successful fsync covered.  A session takes a ticket after its
 * rename; if a covering fsync has already finished it is done, otherwise
 * it takes the directory's flock (released by the kernel if the holder
 * dies), looks again, and fsyncs on behalf of everyone renamed so far.
 */
struct q_group {
	_Atomic uint64_t	 renamed;
	_Atomic uint64_t	 synced;
};

static struct q_group *group;

/* q_group_init - share directory fsyncs among the processes forked later */
int
q_group_init(void)
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

/* group_sync - fsync fd's directory unless a fsync since ticket did */
static int
group_sync(int fd, uint64_t ticket)
{
	uint64_t upto, seen;
	int rc = 0;

	if (atomic_load(&group->synced) >= ticket)
		return 0;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return fsync(fd);	/* no lock: sync alone */
	if (atomic_load(&group->synced) < ticket) {
		/* Renames counted so far are done: this fsync covers them. */
		upto = atomic_load(&group->renamed);
		if ((rc = fsync(fd)) == 0) {
			seen = atomic_load(&group->synced);
			while (seen < upto && !atomic_compare_exchange_weak(
			    &group->synced, &seen, upto))
				;
		}
	}
	(void)flock(fd, LOCK_UN);
	return rc;
}

/* sync_dir - fsync a directory so a rename in it is on disk */
static int
sync_dir(const char *dir, bool shared)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
	uint64_t ticket;

	if (fd < 0)
		return -1;
	if (shared && group != NULL) {
		ticket = atomic_fetch_add(&group->renamed, 1) + 1;
		rc = group_sync(fd, ticket);
	} else
		rc = fsync(fd);
	(void)close(fd);
	return rc;
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

#define EXT4_MAGIC	0xEF53		/* statfs f_type of ext2, 3 and 4 */
#define EXT4_SB_OFFSET	1024		/* the superblock, on the device */
#define EXT4_SB_MAGIC	0x38		/* in it: s_magic (le16) */
#define EXT4_SB_COMPAT	0x5C		/* s_feature_compat (le32) */
#define EXT4_FAST_COMMIT 0x0400		/* a compat feature */

/*
 * full_commits - is the ext4 file system on the device /dev/name one
 * without fast commits?  A fast commit logs only the inodes queued for
 * it; an inode or name changed while another fast commit is being
 * written waits for the next, and an fsync that found that other commit
 * running may return once it ends.  Reading the superblock needs root;
 * not known is no.
 */
static bool
full_commits(const char *name, dev_t dev)
{
	unsigned char sb[EXT4_SB_COMPAT + 4];
	char path[300];
	struct stat st;
	uint32_t compat;
	int fd;
	ssize_t n = -1;

	(void)snprintf(path, sizeof(path), "/dev/%.255s", name);
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return false;
	/* That very device, not whatever /dev has under the name. */
	if (fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev)
		n = pread(fd, sb, sizeof(sb), EXT4_SB_OFFSET);
	(void)close(fd);
	if (n != (ssize_t)sizeof(sb) || (sb[EXT4_SB_MAGIC] |
	    sb[EXT4_SB_MAGIC + 1] << 8) != EXT4_MAGIC)
		return false;
	compat = (uint32_t)sb[EXT4_SB_COMPAT] |
	    (uint32_t)sb[EXT4_SB_COMPAT + 1] << 8 |
	    (uint32_t)sb[EXT4_SB_COMPAT + 2] << 16 |
	    (uint32_t)sb[EXT4_SB_COMPAT + 3] << 24;
	return (compat & EXT4_FAST_COMMIT) == 0;
}

/*
 * journal_orders - does the file system on dev commit a rename only
 * with, or after, the writes that completed before it?  ext4 with its
 * journal inside the file system does: a write's block allocation and
 * size go in the journal when the write completes, the journal commits
 * in order, and each commit first flushes the disk's cache.  Told by
 * /proc/fs/jbd2/NAME-8 (the journal of the device sysfs names NAME,
 * inode 8) and by a superblock without fast commits (full_commits());
 * anything else (no journal, an external one, fast commits, another
 * file system, no /proc, /sys or /dev, a device only root may read) is
 * answered no.  Once per device and process; q_msg_probe() asks as
 * root, for the sessions forked later.
 */
static dev_t known;		/* the device journal_orders() last told */
static int answer = -1;		/* its answer: 1 yes, 0 no, -1 not asked */

static bool
journal_orders(int fd, dev_t dev)
{
	char link[512], path[600];
	const char *name;
	struct statfs sf;
	ssize_t n;

	if (answer >= 0 && known == dev)
		return answer == 1;
	known = dev;
	answer = 0;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != EXT4_MAGIC)
		return false;
	(void)snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(dev),
	    minor(dev));
	if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
		return false;
	link[n] = '\0';
	name = strrchr(link, '/');
	name = name != NULL ? name + 1 : link;
	(void)snprintf(path, sizeof(path), "/proc/fs/jbd2/%s-8", name);
	answer = access(path, F_OK) == 0 && full_commits(name, dev);
	return answer == 1;
}

/*
 * q_msg_probe - learn now (as root) how the file system of the queue's
 * data files commits: dir/df when there is one, else dir; asked again
 * each time (the file system may have been made again meanwhile)
 */
void
q_msg_probe(const char *dir)
{
	char *df = subdir(dir, "df");	/* where q_msg_new() puts them */
	struct stat st;
	int fd = open(df, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(df);
	if (fd < 0)
		return;
	answer = -1;
	if (fstat(fd, &st) == 0)
		(void)journal_orders(fd, st.st_dev);
	(void)close(fd);
}

/*
 * q_msg_commit - make the message durable and visible to the runner.
 *
 * Both files are written in full and their writes waited for; then, on
 * a file system whose journal keeps that order (journal_orders()), the
 * rename publishes the control file under its qf name and one fsync of
 * the control file follows, before this returns (and so before 250).
 * The rename changes the control file's inode (its ctime) in the same
 * journal transaction as the new directory entry, so that fsync commits
 * the transaction holding the name, and every earlier one with it: the
 * two files' creation, blocks and sizes, whose writes completed before
 * the rename.  (fsync, not fdatasync: the rename changes no data, so
 * fdatasync need not wait for its transaction.)  One commit a message,
 * shared by every session whose rename came before it.  No fsync of
 * the data file (it would only flush the disk's cache again) nor of
 * the directory (on ext4 that forces a commit of its own, of whatever
 * other sessions have started, and the group commit of sync_dir()
 * would make the sessions wait for each other).  A machine crash in
 * between leaves either no qf or a qf whose files are complete.
 * Anywhere else (the two files on different file systems, or a file
 * system not known to keep the order) both files are fsynced before
 * the rename, and the directory after it, as sendmail does.  The
 * control file is locked from its creation until it is on disk, so no
 * queue run takes the message before it is.
 */
int
q_msg_commit(struct q_msg *m, bool safe)
{
	char tf[4200], qf[4200];
	struct stat st, tst;
	struct sm_buf b;
	int fd = -1, saved;
	bool renamed = false, early = false;

	if (m->dfd < 0 || fstat(m->dfd, &st) < 0)
		return -1;
	/* The data file stays open, and locked, until the qf exists. */
	if (safe)
		(void)writeback(m->dfd, false);
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "V8\nT%lld\nK0\nN0\nP%ld\nI%u/%u/%llu\n",
	    (long long)m->ctime, m->priority, major(st.st_dev),
	    minor(st.st_dev), (unsigned long long)st.st_ino);
	if (m->bodytype != NULL)
		(void)sm_buf_printf(&b, "B%s\n", m->bodytype);
	if (m->flags[0] != '\0')
		(void)sm_buf_printf(&b, "F%s\n", m->flags);
	(void)sm_buf_append(&b, m->macros.data, m->macros.len);
	(void)sm_buf_printf(&b, "S%s\n", m->sender);
	if (m->envid != NULL)
		(void)sm_buf_printf(&b, "Z%s\n", m->envid);
	if (m->auth != NULL)
		(void)sm_buf_printf(&b, "A%s\n", m->auth);
	(void)sm_buf_append(&b, m->ctl_tail.data, m->ctl_tail.len);
	(void)sm_buf_puts(&b, ".\n");
	fd = open(q_path(m, 't', tf, sizeof(tf)),
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
	if (fd < 0)
		goto fail;
	m->qf_made = true;
	if (q_lock(fd) < 0)
		goto fail;
	if (m->mode != 0600 && fchmod(fd, m->mode) < 0)
		goto fail;
	if (write_all(fd, b.data, b.len) < 0)
		goto fail;
	if (safe) {
		(void)writeback(fd, false);
		if (writeback(m->dfd, true) < 0 || writeback(fd, true) < 0) {
			if (!cannot(errno))
				goto fail;	/* a write failed */
		} else
			early = fstat(fd, &tst) == 0 &&
			    tst.st_dev == st.st_dev &&
			    journal_orders(fd, st.st_dev);
		/* Both files on disk before the rename makes them a message. */
		if (!early && (fsync(m->dfd) < 0 || fsync(fd) < 0))
			goto fail;
	}
	if (rename(tf, q_path(m, 'q', qf, sizeof(qf))) < 0)
		goto fail;
	renamed = true;
	m->qf_made = false;
	/* Files and directory entries on disk before we say 250. */
	if (safe && (early ? fsync(fd) < 0 : (sync_dir(m->qfdir, true) < 0 ||
	    (strcmp(m->qfdir, m->dfdir) != 0 &&
	    sync_dir(m->dfdir, false) < 0))))
		goto fail;
	/* Everything is on disk: this close can lose nothing. */
	if (close(fd) < 0)
		sm_warn("%s: closing the control file", m->id);
	fd = -1;
	sm_buf_free(&b);
	m->df_made = false;	/* nothing of ours to remove any more */
	if (close(m->dfd) < 0)
		sm_warn("%s: closing the data file", m->id);
	m->dfd = -1;
	return 0;
fail:
	saved = errno;
	/* Still locked by us: no queue run has it. */
	if (renamed) {
		if (unlink(qf) < 0)
			sm_warn("%s: cannot remove the control file of a "
			    "message not accepted", m->id);
		else if (safe)
			(void)sync_dir(m->qfdir, false);
	}
	if (fd >= 0)
		(void)close(fd);
	sm_buf_free(&b);
	errno = saved;
	return -1;
}

/* q_msg_abort - remove the files of an unfinished message */
void
q_msg_abort(struct q_msg *m)
{
	char path[4200];
	int saved = errno;

	if (m->dfd >= 0) {
		(void)close(m->dfd);
		m->dfd = -1;
	}
	if (m->df_made)
		(void)unlink(q_path(m, 'd', path, sizeof(path)));
	if (m->qf_made)
		(void)unlink(q_path(m, 't', path, sizeof(path)));
	m->df_made = m->qf_made = false;
	errno = saved;
}

/* q_msg_free - release the message (abort first if unfinished) */
void
q_msg_free(struct q_msg *m)
{
	if (m == NULL)
		return;
	q_msg_abort(m);
	free(m->qdir);
	free(m->qfdir);
	free(m->dfdir);
	free(m->sender);
	free(m->envid);
	free(m->auth);
	free(m->bodytype);
	sm_buf_free(&m->macros);
	sm_buf_free(&m->ctl_tail);
	free(m);
}
