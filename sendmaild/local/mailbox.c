/*
 * mailbox - the mailbox and file deliveries of mda.h: a dot-locked,
 * safely opened append as the user, that finds a copy an earlier attempt
 * of the same delivery left and does not write it again.
 */
#include "mda_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "sm_opt.h"

#define MBOX_STALE_LOCK	300		/* seconds: a dead locker's */
#define MBOX_TAIL_MAX	(1024 * 1024)	/* a mailbox's end searched
					   for an earlier copy */
#define MBOX_TAIL_PART	(64 * 1024)	/* read of it at a time */
#define MBOX_FROM_MAX	1024		/* a From line looked back at */

struct append {
	const struct mda_msg	*m;
	const struct mda_user	*u;
	const char		*path;
	bool			 mailbox;
	const char		*id;		/* the copy's X-Delivery-ID line,
						   or NULL */
	bool			 died;		/* the child died of a signal */
};

/* lock_text - what a dot-lock of ours says: "pid host\n" */
static void
lock_text(pid_t pid, char *buf, size_t len)
{
	char host[256];

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(buf, len, "%ld %s\n", (long)pid, host);
}

/*
 * lock_pid - the process that made an open dot-lock, when the lock is
 * one of ours made on this host; else 0
 */
static pid_t
lock_pid(int fd)
{
	char buf[300], mine[300], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (pid <= 0 || pid > INT_MAX || end == buf || *end != ' ')
		return 0;
	lock_text((pid_t)pid, mine, sizeof(mine));
	return strcmp(buf, mine) == 0 ? (pid_t)pid : 0;
}

/*
 * pid_gone - has process pid ended?  A zombie has: its parent (or an init
 * that reaps nothing) may keep it for a while.
 */
static bool
pid_gone(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0)
		return errno == ESRCH;
	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last parenthesis. */
	return (paren = strrchr(buf, ')')) != NULL &&
	    (paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

/*
 * lock_stale - may the dot-lock be broken?  st gets the file judged.  One
 * of ours whose process is gone is stale at once; any lock (a mail
 * reader's, one of ours whose pid was taken again) after five minutes.
 */
static bool
lock_stale(const char *lock, struct stat *st)
{
	int fd = open(lock, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	pid_t pid = 0;
	bool regular;

	if (fd < 0)
		return false;		/* gone already, or not ours to judge */
	regular = fstat(fd, st) == 0 && S_ISREG(st->st_mode);
	if (regular)
		pid = lock_pid(fd);
	(void)close(fd);
	if (!regular)
		return false;
	if (time(NULL) - st->st_mtime > MBOX_STALE_LOCK)
		return true;
	return pid > 0 && pid_gone(pid);
}

/*
 * dotlock - path.lock, holding our pid and host, when the directory lets
 * us make it: 1 held, 0 none.  It waits for a live holder; the parent
 * bounds the wait.
 */
static int
dotlock(const char *lock)
{
	struct stat st, now;
	char text[300];
	int fd, rc;

	for (;;) {
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0) {
			lock_text(getpid(), text, sizeof(text));
			rc = mda_full_write(fd, text, strlen(text));
			(void)close(fd);
			if (rc == 0)
				return 1;
			(void)unlink(lock);	/* a lock that says nothing */
			return 0;
		}
		if (errno != EEXIST)
			return 0;	/* not allowed here: fcntl alone */
		/* Break it only if it is still the file judged stale. */
		if (lock_stale(lock, &st) && lstat(lock, &now) == 0 &&
		    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
			(void)unlink(lock);
		else
			(void)usleep(100000);
	}
}

static int fail(int, int, const char *, ...) SM_PRINTF(3, 4);

/* fail - the words of a failure for the parent, and its sysexits code */
static int
fail(int out, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vdprintf(out, fmt, ap);
	va_end(ap);
	return code;
}

/*
 * open_rw - an existing mailbox for appending, and for reading its end
 * (earlier_copy) when its mode lets its owner read it
 */
static int
open_rw(const char *path)
{
	int fd, fl = O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

	if ((fd = open(path, O_RDWR | fl)) < 0 && errno == EACCES)
		fd = open(path, O_WRONLY | fl);
	return fd;
}

/*
 * mailbox_open - the mailbox for appending, as mail.local opens it: an
 * existing one must be a regular file with one link, the user's, or the
 * delivery fails for good (nothing waits on a FIFO or a directory); a
 * missing one is made.  The fd, or -1 and *code.
 */
static int
mailbox_open(const struct append *a, int out, int *code)
{
	const char *path = a->path;
	struct stat st, fst;
	int fd, fl, tries;

	for (tries = 0; tries < 3; tries++) {
		if (lstat(path, &st) < 0) {
			if (errno != ENOENT)
				break;
			fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
			if (fd >= 0)
				return fd;
			if (errno == EEXIST)
				continue;	/* made meanwhile: look again */
			break;
		}
		if (st.st_nlink != 1)
			*code = fail(out, EX_UNAVAILABLE, "%s: too many links",
			    path);
		else if (!S_ISREG(st.st_mode))
			*code = fail(out, EX_UNAVAILABLE, "%s: irregular file",
			    path);
		else if (st.st_uid != a->u->uid)
			*code = fail(out, EX_UNAVAILABLE, "%s: wrong ownership "
			    "(%lu)", path, (unsigned long)st.st_uid);
		else if ((fd = open_rw(path)) < 0) {
			if (errno == ENOENT)
				continue;
			break;
		} else if (fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev ||
		    fst.st_ino != st.st_ino || fst.st_nlink != 1 ||
		    fst.st_uid != st.st_uid || !S_ISREG(fst.st_mode)) {
			(void)close(fd);
			*code = fail(out, EX_TEMPFAIL, "%s: file changed after "
			    "open", path);
		} else {
			if ((fl = fcntl(fd, F_GETFL)) >= 0)
				(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
			return fd;
		}
		return -1;
	}
	*code = fail(out, EX_TEMPFAIL, "%s: %s", path, strerror(errno));
	return -1;
}

/*
 * file_open - a file of an alias or .forward for appending, made if
 * missing; one that cannot be made or is no regular file with one link
 * fails for good (EX_CANTCREAT), as in sendmail.  The fd, or -1, *code.
 */
static int
file_open(const struct append *a, int out, int *code)
{
	struct stat st;
	int fd, e;

	fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0) {
		e = errno;
		*code = fail(out, e == EACCES || e == EPERM || e == ELOOP ||
		    e == ENOENT || e == ENOTDIR || e == EISDIR || e == EROFS ?
		    EX_CANTCREAT : EX_TEMPFAIL, "%s: %s", a->path, strerror(e));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		(void)close(fd);
		*code = fail(out, EX_CANTCREAT, "%s: not a safe file", a->path);
		return -1;
	}
	return fd;
}

/* The copy a mailbox holds from an earlier attempt, against ours. */
struct compare {
	int	 fd;
	off_t	 off;		/* where its next bytes are */
	size_t	 skip;		/* ours not compared: the From line */
	bool	 cut;		/* the file ended, all the rest the same */
};

/* put_compare - the writer that compares; -1 at the first difference */
static int
put_compare(void *ctx, const char *p, size_t n)
{
	struct compare *k = ctx;
	char buf[8192];
	size_t take;
	ssize_t got;

	take = n < k->skip ? n : k->skip;
	k->skip -= take;
	p += take;
	n -= take;
	while (n > 0) {
		take = n < sizeof(buf) ? n : sizeof(buf);
		if ((got = pread(k->fd, buf, take, k->off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (memcmp(buf, p, (size_t)got) != 0)
			return -1;
		if ((size_t)got < take) {
			k->cut = true;		/* a regular file's end */
			return -1;
		}
		k->off += got;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* What the end of a mailbox holds of this delivery. */
enum { COPY_NONE, COPY_WHOLE, COPY_CUT };

/* read_at - up to len bytes of fd at off: how many (fewer at its end) */
static size_t
read_at(int fd, char *buf, size_t len, off_t off)
{
	size_t have = 0;
	ssize_t n;

	while (have < len && ((n = pread(fd, buf + have, len - have,
	    off + (off_t)have)) > 0 || (n < 0 && errno == EINTR)))
		have += n > 0 ? (size_t)n : 0;
	return have;
}

/*
 * from_before - where the line that the newline at off ends begins, when
 * it is a From line that begins a message at or after base; else -1
 */
static off_t
from_before(int fd, off_t off, off_t base)
{
	char buf[MBOX_FROM_MAX];
	off_t lo = off - base > (off_t)sizeof(buf) ? off - (off_t)sizeof(buf) :
	    base;
	size_t n = (size_t)(off - lo);
	char *p;

	if (read_at(fd, buf, n, lo) != n)
		return -1;
	for (p = buf + n; p > buf && p[-1] != '\n'; p--)
		;
	/* Its beginning not seen: too long, or before base. */
	if (p == buf && lo > 0)
		return -1;
	if (buf + n - p < 5 || memcmp(p, "From ", 5) != 0)
		return -1;
	return lo + (p - buf);
}

/*
 * earlier_copy - has an earlier attempt at this delivery (a process
 * killed after its append, before the queue file said so) left its copy
 * in the last MBOX_TAIL_MAX bytes of the mailbox?  A copy is its From
 * line, then a->id's line, then, byte for byte, what we would write after
 * our own From line (whose date differs).  COPY_WHOLE: all of it is
 * there; COPY_CUT: the mailbox ends in the middle of it (its writer was
 * killed while writing), *start is where it begins; else COPY_NONE,
 * also when the mailbox cannot be read.  The end is read a part at a
 * time into one small buffer: the memory a large one would take costs
 * more than reading and searching it.
 */
static int
earlier_copy(const struct append *a, int fd, off_t size, off_t *start)
{
	off_t base = size > MBOX_TAIL_MAX ? size - MBOX_TAIL_MAX : 0;
	off_t off, from;
	struct mda_writer w = { put_compare, NULL };
	struct compare k;
	struct sm_buf needle;
	char *part, *p, *hit;
	size_t want, n;
	int found = COPY_NONE;

	if ((part = malloc(MBOX_TAIL_PART)) == NULL)
		return COPY_NONE;
	sm_buf_init(&needle, 0);
	(void)sm_buf_printf(&needle, "\n%s\n", a->id);
	for (off = base; found == COPY_NONE && off < size;
	    off += (off_t)(n - needle.len + 1)) {
		want = size - off < MBOX_TAIL_PART ? (size_t)(size - off) :
		    MBOX_TAIL_PART;
		if ((n = read_at(fd, part, want, off)) < needle.len)
			break;
		for (p = part; found == COPY_NONE && (hit = memmem(p,
		    (size_t)(part + n - p), needle.data, needle.len)) != NULL;
		    p = hit + 1) {
			if ((from = from_before(fd, off + (hit - part),
			    base)) < 0)
				continue;
			memset(&k, 0, sizeof(k));
			k.fd = fd;
			k.off = off + (hit + 1 - part);
			k.skip = strlen(a->m->from_line) + 1;
			w.ctx = &k;
			if (mda_put_message(a->m, true, a->id, &w) == 0)
				found = COPY_WHOLE;
			else if (k.cut) {
				found = COPY_CUT;
				*start = from;
			}
		}
		if (n < want)
			break;
	}
	sm_buf_free(&needle);
	free(part);
	return found;
}

/*
 * unended - does the mailbox end in the middle of a line (a copy cut
 * short that is not ours)?  Then ours would not begin a line of its own.
 */
static bool
unended(int fd, off_t size)
{
	char last;

	return size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n';
}

/*
 * append_fd - lock, append, fsync; cut back on failure.  In a mailbox,
 * a copy an earlier attempt left whole is the delivery (nothing is
 * written), and one it left cut short at the end is cut off first.
 */
static int
append_fd(const struct append *a, int fd, int out)
{
	const char *note = NULL;
	struct mda_writer w;
	struct flock fl;
	off_t size, start = 0;
	int e;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) < 0 && errno == EINTR)
		;
	size = lseek(fd, 0, SEEK_END);
	if (size > 0 && a->id != NULL) {
		switch (earlier_copy(a, fd, size, &start)) {
		case COPY_WHOLE:
			(void)dprintf(out, "the mailbox had it already");
			return EX_OK;
		case COPY_CUT:
			if (ftruncate(fd, start) == 0) {
				note = "a cut copy replaced";
				size = start;
			}
			break;
		default:
			break;
		}
	}
	w.put = mda_put_fd;
	w.ctx = &fd;
	if (size < 0 || (a->id != NULL && unended(fd, size) &&
	    mda_put_fd(&fd, "\n\n", 2) < 0) ||
	    mda_put_message(a->m, true, a->id, &w) < 0 || fsync(fd) < 0) {
		e = errno;
		if (size >= 0)
			(void)ftruncate(fd, size);	/* no half message */
		return fail(out, e == ENOSPC || e == EDQUOT ? EX_TEMPFAIL :
		    EX_IOERR, "%s: %s", a->path, strerror(e));
	}
	if (note != NULL)
		(void)dprintf(out, "%s", note);
	return EX_OK;
}

/* append_child - a mailbox (dot-locked) or a file, appended to */
static int
append_child(void *arg, int out)
{
	const struct append *a = arg;
	char lock[4200];
	int fd, locked = 0, code = EX_OK;

	if (a->mailbox) {
		(void)snprintf(lock, sizeof(lock), "%s.lock", a->path);
		locked = dotlock(lock);
		fd = mailbox_open(a, out, &code);
	} else
		fd = file_open(a, out, &code);
	if (fd >= 0) {
		code = append_fd(a, fd, out);
		(void)close(fd);
	}
	if (locked)
		(void)unlink(lock);
	return code;
}

struct unlock {
	const char	*lock;
	pid_t		 pid;
};

/* unlock_child - the dot-lock goes if the dead process made it */
static int
unlock_child(void *arg, int out)
{
	const struct unlock *ul = arg;
	struct stat st, now;
	int fd = open(ul->lock, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);

	(void)out;
	if (fd < 0)
		return EX_OK;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    lock_pid(fd) == ul->pid && lstat(ul->lock, &now) == 0 &&
	    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
		(void)unlink(ul->lock);
	(void)close(fd);
	return EX_OK;
}

/*
 * append_gone - a mailbox child killed at Timeout.fileopen (or dead of a
 * signal) cannot remove its dot-lock: a child as the user does it, in
 * case the spool hangs too.  The dead one is not reaped yet, so no other
 * process has its pid.
 */
static void
append_gone(void *arg, pid_t pid)
{
	struct append *a = arg;
	struct sm_deadline dl;
	struct unlock ul;
	char lock[4200];

	a->died = true;
	if (!a->mailbox)
		return;
	(void)snprintf(lock, sizeof(lock), "%s.lock", a->path);
	ul.lock = lock;
	ul.pid = pid;
	sm_deadline_in(&dl, sm_bound(a->m->opt != NULL ?
	    a->m->opt->to.fileopen : 0, 60));
	(void)mda_run_as(a->u, unlock_child, &ul, &dl, NULL, NULL);
}

/*
 * append - a mailbox or a file, as the user, within the deadline.  A
 * mailbox child that died of a signal (not killed at the deadline) may
 * have written all of its copy, part of it or nothing: a second child
 * takes the mailbox at once, and earlier_copy() tells it which.
 */
static void
append(struct append *a, const struct sm_deadline *dl, struct q_result *res)
{
	struct mda_gone g = { append_gone, a };
	struct sm_buf said;
	int code;

	sm_buf_init(&said, 0);
	a->died = false;
	code = mda_run_as(a->u, append_child, a, dl, &said, &g);
	if (code == EX_TEMPFAIL && a->died && a->id != NULL) {
		sm_warnx("%s: the delivery to %s died of a signal; once more",
		    a->m->ctl->id, a->path);
		sm_buf_reset(&said);
		code = mda_run_as(a->u, append_child, a, dl, &said, &g);
	}
	if (code < 0)
		q_result_set(res, Q_TEMPFAIL, "4.4.7", "Deferred: Timeout.fileopen: "
		    "%s took too long to open or lock", a->path);
	else if (code == EX_OK && said.len > 0)
		/* What the mailbox had of an earlier attempt. */
		q_result_set(res, Q_OK, "2.0.0", "%.*s", (int)said.len,
		    said.data);
	else {
		mda_outcome(res, code, &said, a->path);
		/* mail.local's code for a mailbox it will not write. */
		if (a->mailbox && code == EX_UNAVAILABLE)
			(void)snprintf(res->dsn, sizeof(res->dsn), "5.2.0");
	}
	sm_buf_free(&said);
}

/*
 * delivery_id - the header line that names a mailbox delivery: the
 * queue id and the user, so that earlier_copy() can tell this one's copy
 * from any other message's
 */
static void
delivery_id(const struct mda_msg *m, const struct mda_user *u,
    char *buf, size_t len)
{
	size_t i, n;

	(void)snprintf(buf, len, "X-Delivery-ID: %s ", m->ctl->id);
	n = strlen(buf);
	for (i = 0; u->name[i] != '\0' && n + 1 < len; i++, n++)
		buf[n] = u->name[i] > ' ' && u->name[i] < 0x7f ? u->name[i] :
		    '?';
	buf[n] = '\0';
}

/* mda_mailbox - the built-in mbox delivery */
void
mda_mailbox(const struct mda_msg *m, const struct mda_user *u,
    const char *spool, const struct sm_deadline *dl, struct q_result *res)
{
	char path[4096], id[200];
	struct append a;

	if (strchr(u->name, '/') != NULL || u->name[0] == '.') {
		q_result_set(res, Q_PERMFAIL, "5.1.3", "bad user name %s", u->name);
		return;
	}
	(void)snprintf(path, sizeof(path), "%s/%s", spool, u->name);
	a.m = m;
	a.u = u;
	a.path = path;
	a.mailbox = true;
	a.id = NULL;
	if (m->ctl != NULL) {
		delivery_id(m, u, id, sizeof(id));
		a.id = id;
	}
	append(&a, dl, res);
}

/* mda_file - delivery to a file named by an alias or a .forward */
void
mda_file(const struct mda_msg *m, const struct mda_user *u,
    const char *path, const struct sm_deadline *dl, struct q_result *res)
{
	struct append a;

	a.m = m;
	a.u = u;
	a.path = path;
	a.mailbox = false;
	a.id = NULL;
	append(&a, dl, res);
}

/* The program's standard input, written while its output is read. */
