/*
 * mda - mailbox, file and program deliveries as the user; see mda.h.
 */
#include "mda.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_opt.h"

#define MDA_OUTPUT_MAX	400		/* a program's output kept */
#define MDA_READ_MAX		(1024 * 1024)	/* a .forward, an include */
#define MDA_STALE_LOCK	300		/* seconds: a dead locker's */
#define MDA_TAIL_MAX		(1024 * 1024)	/* a mailbox's end searched
						   for an earlier copy */
#define MDA_TAIL_PART		(64 * 1024)	/* read of it at a time */
#define MDA_FROM_MAX		1024		/* a From line looked back at */

/* mda_user - who a delivery runs as */
void
mda_user(struct mda_user *u, const struct passwd *pw, gid_t extra)
{
	memset(u, 0, sizeof(*u));
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->extra_gid = extra;
	(void)snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	(void)snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir != NULL ?
	    pw->pw_dir : "/");
}

/*
 * become - in a child: the user's uid, gid and groups.  Without root
 * only the user we already are can be served.
 */
static int
become(const struct mda_user *u)
{
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0])) - 1;

	if (geteuid() != 0)
		return getuid() == u->uid ? 0 : -1;
	if (getgrouplist(u->name, u->gid, groups, &n) < 0) {
		groups[0] = u->gid;
		n = 1;
	}
	if (u->extra_gid != (gid_t)-1)
		groups[n++] = u->extra_gid;
	if (setgroups((size_t)n, groups) < 0 ||
	    setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0)
		return -1;
	/* Check that the change holds: root must be gone for good. */
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -1;
	return 0;
}

/* full_write - all of buf to fd, or -1 */
static int
full_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What to do after a child that did not exit by itself, before reaping. */
struct gone {
	void	(*fn)(void *, pid_t);
	void	*arg;
};

/* ended - 1 when the child has ended (not reaped: its pid stays taken) */
static int
ended(pid_t pid, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	while (waitid(P_PID, (id_t)pid, si, WEXITED | WNOHANG | WNOWAIT) < 0)
		if (errno != EINTR)
			return -1;
	return si->si_pid == pid ? 1 : 0;
}

/*
 * wait_child - the child's exit status by the deadline.  -1 when the
 * deadline passed: the child is killed, and left to be reaped later if
 * it cannot die at once (a process stuck in a hung file system).  A
 * child that was killed or died of a signal is handed to g (unless NULL)
 * while it is dead but not reaped, so its pid is nobody else's yet.
 */
static int
wait_child(pid_t pid, const struct sm_deadline *dl, int *status,
    const struct gone *g)
{
	struct pollfd p;
	siginfo_t si;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	int i, rc;
	bool killed = false;

	if (fd >= 0) {
		p.fd = fd;
		p.events = POLLIN;
		while (poll(&p, 1, sm_deadline_left_ms(dl)) < 0 &&
		    errno == EINTR)
			;
		(void)close(fd);
	}
	/* With a pidfd the first look finds it gone; else poll the pid. */
	while ((rc = ended(pid, &si)) == 0 && !sm_deadline_expired(dl))
		(void)usleep(10000);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		(void)kill(pid, SIGKILL);
		killed = true;
		for (i = 0; i < 20 && (rc = ended(pid, &si)) == 0; i++)
			(void)usleep(5000);
		if (rc <= 0)
			return -1;
	}
	if (g != NULL && (killed || si.si_code != CLD_EXITED))
		g->fn(g->arg, pid);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return killed ? -1 : 0;
}

/* read_until - what fd gives until EOF or the deadline: 0, or -1 */
static int
read_until(int fd, const struct sm_deadline *dl, struct sm_buf *out,
    size_t max)
{
	struct pollfd p;
	char buf[8192];
	ssize_t n;

	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		int r = poll(&p, 1, sm_deadline_left_ms(dl));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if ((n = read(fd, buf, sizeof(buf))) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (out != NULL && out->len < max)
			(void)sm_buf_append(out, buf, out->len + (size_t)n > max ?
			    max - out->len : (size_t)n);
	}
}

typedef int (*mda_fn)(void *, int);

/*
 * run_as - fn(arg, fd) in a child that is the user; what it writes to fd
 * comes back in out (unless NULL).  Returns the child's sysexits code, or
 * -1 when the deadline passed; g (unless NULL) cleans up after a child
 * that was killed or died of a signal.
 */
static int
run_as(const struct mda_user *u, mda_fn fn, void *arg,
    const struct sm_deadline *dl, struct sm_buf *out, const struct gone *g)
{
	int p[2], status = 0, rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return EX_OSERR;
	if ((pid = fork()) < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return EX_OSERR;
	}
	if (pid == 0) {
		(void)close(p[0]);
		if (become(u) < 0) {
			(void)dprintf(p[1], "cannot become user %s", u->name);
			_exit(EX_TEMPFAIL);
		}
		_exit(fn(arg, p[1]));
	}
	(void)close(p[1]);
	rc = read_until(p[0], dl, out, MDA_READ_MAX);
	(void)close(p[0]);
	if (rc < 0) {
		(void)kill(pid, SIGKILL);
		(void)wait_child(pid, dl, &status, g);
		return -1;
	}
	if (wait_child(pid, dl, &status, g) < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EX_TEMPFAIL;
}

/*
 * transient - a sysexits code that means "try again later": 75, 71 and
 * 74, as sendmail takes a mailer's exit; every other failure is for good
 */
static bool
transient(int code)
{
	return code == EX_TEMPFAIL || code == EX_OSERR || code == EX_IOERR;
}

/* dsn_of - the enhanced status code sendmail gives a mailer's exit code */
static const char *
dsn_of(int code)
{
	switch (code) {
	case EX_OK:
		return "2.0.0";
	case EX_USAGE:
	case EX_UNAVAILABLE:
	case EX_CANTCREAT:
	case EX_NOPERM:
		return "5.0.0";
	case EX_DATAERR:
		return "5.6.0";
	case EX_NOUSER:
		return "5.1.1";
	case EX_NOHOST:
		return "5.1.2";
	case EX_OSFILE:
	case EX_CONFIG:
		return "5.3.5";
	case EX_PROTOCOL:
		return "5.5.0";
	case EX_OSERR:
	case EX_IOERR:
	case EX_TEMPFAIL:
		return "4.0.0";
	default:
		return "5.3.0";		/* EX_NOINPUT, EX_SOFTWARE, others */
	}
}

/* outcome - a child's code and its words as a result */
static void
outcome(struct q_result *res, int code, const struct sm_buf *said,
    const char *what)
{
	char text[MDA_OUTPUT_MAX + 1];
	size_t i, n = said->len < MDA_OUTPUT_MAX ? said->len :
	    MDA_OUTPUT_MAX;

	/* The first lines of what it said, on one line, printable. */
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)said->data[i];

		text[i] = ch == '\n' || ch == '\t' ? ' ' : ch < 0x20 ||
		    ch == 0x7f ? '?' : (char)ch;
	}
	while (n > 0 && text[n - 1] == ' ')
		n--;
	text[n] = '\0';
	if (code == EX_OK)
		q_result_set(res, Q_OK, "2.0.0", "%s", "");
	else
		q_result_set(res, transient(code) ? Q_TEMPFAIL : Q_PERMFAIL,
		    dsn_of(code), "%s%s (exit %d)", transient(code) ?
		    "Deferred: " : "", n > 0 ? text : what, code);
}

/* The message, written as a local mailer sees it. */
struct writer {
	int	(*put)(void *, const char *, size_t);
	void	*ctx;
};

/* put_body - the data file, "From " quoted in an mbox, a final LF */
static int
put_body(const struct mda_msg *m, bool mbox, const struct writer *w)
{
	char buf[65536 + 8];
	size_t have = 0, i, start;
	off_t off = 0;
	bool bol = true;
	ssize_t n;

	for (;;) {
		n = pread(m->dfd, buf + have, sizeof(buf) - 8 - have, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += n;
		have += (size_t)n;
		start = 0;
		for (i = 0; i < have; i++) {
			if (bol && mbox && buf[i] == 'F') {
				/* Decide "From " only once it is all here. */
				if (have - i < 5 && n > 0)
					break;
				if (have - i >= 5 &&
				    memcmp(buf + i, "From ", 5) == 0) {
					if (w->put(w->ctx, buf + start,
					    i - start) < 0 ||
					    w->put(w->ctx, ">", 1) < 0)
						return -1;
					start = i;
				}
			}
			bol = buf[i] == '\n';
		}
		if (w->put(w->ctx, buf + start, i - start) < 0)
			return -1;
		memmove(buf, buf + i, have - i);
		have -= i;
		if (n == 0)
			break;		/* at EOF the loop takes every byte */
	}
	if (!bol && w->put(w->ctx, "\n", 1) < 0)
		return -1;
	return mbox ? w->put(w->ctx, "\n", 1) : 0;
}

/*
 * put_message - "From " line when asked, the delivery's own header line
 * (id, unless NULL), headers, blank line, body
 */
static int
put_message(const struct mda_msg *m, bool mbox, const char *id,
    const struct writer *w)
{
	const struct sm_strlist *hdrs;
	struct sm_buf b;
	const char *rest;
	size_t i;
	int rc;

	sm_buf_init(&b, 0);
	if (mbox || (m->mflags != NULL && strchr(m->mflags, 'U') != NULL))
		(void)sm_buf_printf(&b, "%s\n", m->from_line);
	if (id != NULL)
		(void)sm_buf_printf(&b, "%s\n", id);
	hdrs = m->headers != NULL ? m->headers : &m->ctl->headers;
	for (i = 0; i < hdrs->n; i++)
		if (q_header_wanted(hdrs->v[i], m->mflags, &rest))
			q_header_put(&b, rest, m->ctl->sender, false);
	(void)sm_buf_puts(&b, "\n");
	rc = w->put(w->ctx, b.data, b.len);
	sm_buf_free(&b);
	return rc < 0 ? -1 : put_body(m, mbox, w);
}

/* put_fd - the writer of a file */
static int
put_fd(void *ctx, const char *p, size_t n)
{
	return full_write(*(int *)ctx, p, n);
}

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
	if (time(NULL) - st->st_mtime > MDA_STALE_LOCK)
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
			rc = full_write(fd, text, strlen(text));
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
	char buf[MDA_FROM_MAX];
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
 * in the last MDA_TAIL_MAX bytes of the mailbox?  A copy is its From
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
	off_t base = size > MDA_TAIL_MAX ? size - MDA_TAIL_MAX : 0;
	off_t off, from;
	struct writer w = { put_compare, NULL };
	struct compare k;
	struct sm_buf needle;
	char *part, *p, *hit;
	size_t want, n;
	int found = COPY_NONE;

	if ((part = malloc(MDA_TAIL_PART)) == NULL)
		return COPY_NONE;
	sm_buf_init(&needle, 0);
	(void)sm_buf_printf(&needle, "\n%s\n", a->id);
	for (off = base; found == COPY_NONE && off < size;
	    off += (off_t)(n - needle.len + 1)) {
		want = size - off < MDA_TAIL_PART ? (size_t)(size - off) :
		    MDA_TAIL_PART;
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
			if (put_message(a->m, true, a->id, &w) == 0)
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
	struct writer w;
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
	w.put = put_fd;
	w.ctx = &fd;
	if (size < 0 || (a->id != NULL && unended(fd, size) &&
	    put_fd(&fd, "\n\n", 2) < 0) ||
	    put_message(a->m, true, a->id, &w) < 0 || fsync(fd) < 0) {
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
	(void)run_as(a->u, unlock_child, &ul, &dl, NULL, NULL);
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
	struct gone g = { append_gone, a };
	struct sm_buf said;
	int code;

	sm_buf_init(&said, 0);
	a->died = false;
	code = run_as(a->u, append_child, a, dl, &said, &g);
	if (code == EX_TEMPFAIL && a->died && a->id != NULL) {
		sm_warnx("%s: the delivery to %s died of a signal; once more",
		    a->m->ctl->id, a->path);
		sm_buf_reset(&said);
		code = run_as(a->u, append_child, a, dl, &said, &g);
	}
	if (code < 0)
		q_result_set(res, Q_TEMPFAIL, "4.4.7", "Deferred: Timeout.fileopen: "
		    "%s took too long to open or lock", a->path);
	else if (code == EX_OK && said.len > 0)
		/* What the mailbox had of an earlier attempt. */
		q_result_set(res, Q_OK, "2.0.0", "%.*s", (int)said.len,
		    said.data);
	else {
		outcome(res, code, &said, a->path);
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
struct feed {
	int			 in, out;
	int			 exited;	/* the child's pidfd, or -1 */
	const struct sm_deadline *dl;
	struct sm_buf		*said;
	bool			 closed;	/* it stopped reading */
};

/* drain - what the program said so far */
static void
drain(struct feed *f)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(f->out, buf, sizeof(buf))) > 0)
		if (f->said->len < MDA_OUTPUT_MAX)
			(void)sm_buf_append(f->said, buf, (size_t)n);
}

/* put_feed - the writer of a program's input */
static int
put_feed(void *ctx, const char *p, size_t n)
{
	struct feed *f = ctx;
	struct pollfd pf[3];
	ssize_t w;

	while (n > 0 && !f->closed) {
		pf[0].fd = f->in;
		pf[0].events = POLLOUT;
		pf[1].fd = f->out;
		pf[1].events = POLLIN;
		/* Gone while we hold a reader of its input: no EPIPE. */
		pf[2].fd = f->exited;
		pf[2].events = POLLIN;
		pf[2].revents = 0;
		if (poll(pf, f->exited >= 0 ? 3 : 2,
		    sm_deadline_left_ms(f->dl)) <= 0) {
			if (errno == EINTR)
				continue;
			return -1;	/* the deadline passed */
		}
		if (pf[1].revents != 0)
			drain(f);
		if (pf[2].revents != 0 && pf[0].revents == 0) {
			f->closed = true;	/* it ended, unread input left */
			break;
		}
		if (pf[0].revents == 0)
			continue;
		if ((w = write(f->in, p, n)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			f->closed = true;	/* EPIPE: its exit says */
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * program_child - become the user, exec the mailer with in as its
 * standard input, out as its output and err (-1: out) as its errors
 */
static void
program_child(const struct mda_user *u, const char *path, char *const *argv,
    const char *dir, int in, int out, int err)
{
	char home[1100], user[100], logname[100];
	char *env[] = { home, user, logname, (char *)"SHELL=/bin/sh",
	    (char *)"PATH=/usr/local/bin:/usr/bin:/bin",
	    (char *)"AGENT=sendmail", NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err >= 0 ? err : out, 2) < 0)
		_exit(EX_OSERR);
	if (become(u) < 0) {
		(void)dprintf(2, "cannot become user %s", u->name);
		_exit(EX_TEMPFAIL);
	}
	if (dir == NULL || chdir(dir) < 0)
		(void)chdir("/");
	(void)snprintf(home, sizeof(home), "HOME=%s", u->home);
	(void)snprintf(user, sizeof(user), "USER=%s", u->name);
	(void)snprintf(logname, sizeof(logname), "LOGNAME=%s", u->name);
	(void)signal(SIGPIPE, SIG_DFL);
	execve(path, argv, env);
	(void)dprintf(2, "cannot run %s: %s", path, strerror(errno));
	_exit(EX_UNAVAILABLE);
}

/* unread - bytes a program left in its input pipe (rd: a reader), or 0 */
static int
unread(int rd)
{
	int n = 0;

	if (rd < 0 || ioctl(rd, FIONREAD, &n) < 0)
		return 0;
	return n;
}

/* mda_program - pipe the message into a program run as the user */
void
mda_program(const struct mda_msg *m, const struct mda_user *u,
    char *const *argv, const char *dir, const struct sm_deadline *dl,
    struct q_result *res)
{
	struct sm_buf said;
	struct writer w;
	struct feed f;
	int in[2], out[2], status = 0, rd = -1;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		goto oserr;
	if (pipe2(out, O_CLOEXEC) < 0) {
		(void)close(in[0]);
		(void)close(in[1]);
		goto oserr;
	}
	if ((pid = fork()) < 0) {
		(void)close(in[0]);
		(void)close(in[1]);
		(void)close(out[0]);
		(void)close(out[1]);
		goto oserr;
	}
	if (pid == 0)
		program_child(u, argv[0], argv + 1, dir, in[0], out[1], -1);
	memset(&f, 0, sizeof(f));
	f.exited = -1;
	/*
	 * A program that must take the whole message: a reader of its
	 * input of our own shows what it left unread when it is gone
	 * (a pidfd says when).  Without a pidfd, EPIPE shows only a part
	 * the pipe could not hold.
	 */
	if (m->whole && (f.exited = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0)
		rd = in[0];
	else
		(void)close(in[0]);
	(void)close(out[1]);
	(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	sm_buf_init(&said, 0);
	f.in = in[1];
	f.out = out[0];
	f.dl = dl;
	f.said = &said;
	w.put = put_feed;
	w.ctx = &f;
	if (put_message(m, false, NULL, &w) < 0) {
		(void)close(in[1]);
		(void)close(out[0]);
		(void)kill(pid, SIGKILL);
		(void)wait_child(pid, dl, &status, NULL);
		q_result_set(res, Q_TEMPFAIL, "4.4.7", "Deferred: Timeout.datafinal: "
		    "%s did not take the message in time", argv[0]);
		goto out;
	}
	(void)close(in[1]);
	(void)fcntl(out[0], F_SETFL, 0);
	if (said.len < MDA_OUTPUT_MAX) {
		struct sm_buf rest;

		sm_buf_init(&rest, 0);
		(void)read_until(out[0], dl, &rest, MDA_OUTPUT_MAX);
		(void)sm_buf_append(&said, rest.data, rest.len);
		sm_buf_free(&rest);
	}
	(void)close(out[0]);
	if (wait_child(pid, dl, &status, NULL) < 0)
		q_result_set(res, Q_TEMPFAIL, "4.4.7", "Deferred: Timeout.datafinal: "
		    "%s did not finish in time", argv[0]);
	else if (!WIFEXITED(status))
		q_result_set(res, Q_TEMPFAIL, "4.0.0", "Deferred: %s died of signal "
		    "%d", argv[0], WTERMSIG(status));
	else if (WEXITSTATUS(status) == EX_OK && m->whole &&
	    (f.closed || unread(rd) > 0))
		/* Exit 0 says nothing of a message it never read. */
		q_result_set(res, Q_TEMPFAIL, "4.3.0", "Deferred: %s exited "
		    "without reading all of the message", argv[0]);
	else
		outcome(res, WEXITSTATUS(status), &said, argv[0]);
out:
	if (rd >= 0)
		(void)close(rd);
	if (f.exited >= 0)
		(void)close(f.exited);
	sm_buf_free(&said);
	return;
oserr:
	q_result_set(res, Q_TEMPFAIL, "4.3.0", "Deferred: cannot start %s: %s",
	    argv[0], strerror(errno));
}

/*
 * mda_lmtp - a local mailer that speaks LMTP, run as u, given the
 * message for rcpt over a socket that is its standard input and output;
 * see mda.h
 */
void
mda_lmtp(const struct mda_msg *m, const struct mda_user *u,
    char *const *argv, const char *dir, const char *rcpt,
    struct q_result *res)
{
	const char *rcpts[1] = { rcpt }, *none[1] = { NULL };
	struct sm_deadline dl;
	struct sm_buf said;
	struct q_conn *c;
	struct q_result r;
	struct q_txn t;
	struct stat st;
	int sv[2], err, status = 0;
	bool answered = false;
	ssize_t n;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		goto oserr;
	/* Its errors apart from the conversation, and never blocking it. */
	if ((err = memfd_create("mailer-stderr", MFD_CLOEXEC)) < 0)
		err = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if ((pid = fork()) < 0) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		if (err >= 0)
			(void)close(err);
		goto oserr;
	}
	if (pid == 0)
		program_child(u, argv[0], argv + 1, dir, sv[1], sv[1], err);
	(void)close(sv[1]);
	memset(&r, 0, sizeof(r));
	/* The connection owns sv[0] from here on. */
	if ((c = q_smtp_attach(sv[0], argv[0], true, m->opt, m->helo,
	    &r)) != NULL) {
		memset(&t, 0, sizeof(t));
		t.sender = m->ctl->sender;
		t.body = m->ctl->bodytype;
		t.size = fstat(m->dfd, &st) == 0 ? (long)st.st_size : 0;
		t.nrcpts = 1;
		t.rcpts = rcpts;
		t.notify = none;
		t.orcpt = none;
		t.results = &r;
		t.headers = m->headers != NULL ? m->headers : &m->ctl->headers;
		t.mailer_flags = m->mflags;
		t.dfd = m->dfd;
		t.id = m->ctl->id;
		answered = q_smtp_send(c, &t) == 0;
		q_smtp_close(c, answered);
	}
	/* Done with it: it ends now, or is ended. */
	sm_deadline_in(&dl, sm_bound(m->opt->to.quit, 3600));
	if (wait_child(pid, &dl, &status, NULL) < 0)
		status = 0;
	sm_buf_init(&said, 0);
	if (err >= 0) {
		char buf[MDA_OUTPUT_MAX];

		if ((n = pread(err, buf, sizeof(buf), 0)) > 0)
			(void)sm_buf_append(&said, buf, (size_t)n);
		(void)close(err);
	}
	if (answered)
		*res = r;
	else if (WIFEXITED(status) && WEXITSTATUS(status) != EX_OK)
		outcome(res, WEXITSTATUS(status), &said, argv[0]);
	else if (r.status != Q_OK)
		*res = r;		/* why the conversation ended */
	else
		q_result_set(res, Q_TEMPFAIL, "4.4.2", "Deferred: %s ended "
		    "the conversation", argv[0]);
	sm_buf_free(&said);
	return;
oserr:
	q_result_set(res, Q_TEMPFAIL, "4.3.0", "Deferred: cannot start %s: %s",
	    argv[0], strerror(errno));
}

struct reader {
	const struct mda_user	*u;
	const char		*path;
	bool			 forward;	/* sendmail's .forward rules */
	uint64_t		 dbs;		/* DontBlameSendmail */
};

/* open_include - an include file, if it is safe to go by: fd, or -1 */
static int
open_include(const struct reader *r, int *code)
{
	struct stat st;
	int fd = open(r->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		*code = errno == ENOENT || errno == ENOTDIR ||
		    errno == EACCES ? EX_NOINPUT : EX_TEMPFAIL;
		return -1;
	}
	/* Someone else's writable file could make us run anything. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (r->u->uid != 0 && st.st_uid != r->u->uid && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		(void)close(fd);
		*code = EX_NOPERM;
		return -1;
	}
	return fd;
}

/*
 * open_forward - a .forward, if sendmail's rules let it be used: fd, or
 * -1 with the reason's number written to out
 */
static int
open_forward(const struct reader *r, int out, bool *unsafe, int *code)
{
	struct safefile_user who = { r->u->uid, r->u->gid, r->u->name };
	struct stat st;
	int fd, err;

	if ((fd = safefile_forward_open(r->path, &who, r->dbs, unsafe,
	    &err)) >= 0)
		return fd;
	/* Not there at all: no warning, if DontBlameSendmail says so. */
	if ((err == SAFEFILE_E_WWDIR || err == SAFEFILE_E_GWDIR) &&
	    ((r->dbs >> SM_DBS_DONTWARNFORWARDFILEINUNSAFEDIRPATH) & 1u) &&
	    stat(r->path, &st) < 0 && errno == ENOENT)
		err = ENOENT;
	*code = err == ENOENT ? EX_NOINPUT : safefile_transient(err) ?
	    EX_TEMPFAIL : EX_NOPERM;
	(void)dprintf(out, "%d", err);
	return -1;
}

/*
 * read_child - "uid unsafe\n" and the file's text to out; 66 when it is
 * not there, 77 when it is not safe to go by, 75 for a passing trouble
 */
static int
read_child(void *arg, int out)
{
	const struct reader *r = arg;
	struct stat st;
	char buf[8192];
	bool unsafe = false;
	ssize_t n;
	int fd, code = EX_OK;

	fd = r->forward ? open_forward(r, out, &unsafe, &code) :
	    open_include(r, &code);
	if (fd < 0)
		return code;
	if (fstat(fd, &st) < 0 || dprintf(out, "%lu %d\n",
	    (unsigned long)st.st_uid, unsafe ? 1 : 0) < 0)
		return EX_IOERR;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (full_write(out, buf, (size_t)n) < 0)
			return EX_IOERR;
	return n < 0 ? EX_IOERR : EX_OK;
}

/*
 * read_as - run read_child as u: its exit code, or -1 past the deadline;
 * on success the header line is taken off text into *owner and *unsafe
 */
static int
read_as(const struct reader *r, const struct sm_deadline *dl,
    struct sm_buf *text, uid_t *owner, bool *unsafe)
{
	char *end;
	size_t n;
	int code;

	sm_buf_reset(text);
	code = run_as(r->u, read_child, (void *)(uintptr_t)r, dl, text, NULL);
	if (code != EX_OK)
		return code;
	if ((n = strcspn(text->data, "\n")) >= text->len)
		return EX_IOERR;
	*owner = (uid_t)strtoul(text->data, &end, 10);
	*unsafe = strtol(end, NULL, 10) != 0;
	memmove(text->data, text->data + n + 1, text->len - n);
	text->len -= n + 1;
	return EX_OK;
}

/* mda_read - an include file, read as u */
int
mda_read(const struct mda_user *u, const char *path,
    const struct sm_deadline *dl, struct sm_buf *text, uid_t *owner,
    struct q_result *res)
{
	struct reader r = { u, path, false, 0 };
	bool unsafe;
	int code = read_as(&r, dl, text, owner, &unsafe);

	if (code == EX_OK)
		return 0;
	if (code == EX_NOINPUT)
		return 1;
	if (code < 0)
		q_result_set(res, Q_TEMPFAIL, "4.4.7", "Deferred: Timeout.fileopen: "
		    "%s took too long to open", path);
	else if (code == EX_NOPERM) {
		sm_warnx("%s: not owned by %s or root, or writable by others: "
		    "ignored", path, u->name);
		return 1;
	} else
		q_result_set(res, Q_TEMPFAIL, "4.3.0", "Deferred: cannot read %s",
		    path);
	return -1;
}

/* mda_read_forward - a .forward under sendmail's rules; see mda.h */
int
mda_read_forward(const struct mda_user *u, const char *path,
    uint64_t dbs, const struct sm_deadline *dl, struct sm_buf *text,
    struct mda_forward *f)
{
	struct reader r = { u, path, true, dbs };
	char *end;
	int code;

	memset(f, 0, sizeof(*f));
	code = read_as(&r, dl, text, &f->owner, &f->unsafe);
	if (code == EX_OK)
		return MDA_FWD_READ;
	if (code == EX_NOINPUT)
		return MDA_FWD_NONE;
	if (code < 0) {
		f->err = ETIMEDOUT;
		return MDA_FWD_LATER;
	}
	f->err = (int)strtol(sm_buf_str(text), &end, 10);
	if (end == text->data || *end != '\0')
		f->err = code == EX_NOPERM ? EACCES : EIO;
	return code == EX_NOPERM ? MDA_FWD_REFUSED : MDA_FWD_LATER;
}
