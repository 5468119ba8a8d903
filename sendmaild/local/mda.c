/*
 * mda - mailbox, file and program deliveries as the user; see mda.h.
 */
#include "mda_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "q_smtp.h"
#include "safefile.h"
#include "sm_buf.h"

#define MDA_OUTPUT_MAX	400		/* a program's output kept */
#define MDA_READ_MAX	(1024 * 1024)	/* a .forward, an include */


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

/* mda_full_write - all of buf to fd, or -1 */
int
mda_full_write(int fd, const char *buf, size_t len)
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
    const struct mda_gone *g)
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

/*
 * mda_run_as - fn(arg, fd) in a child that is the user; what it writes to fd
 * comes back in out (unless NULL).  Returns the child's sysexits code, or
 * -1 when the deadline passed; g (unless NULL) cleans up after a child
 * that was killed or died of a signal.
 */
int
mda_run_as(const struct mda_user *u, mda_fn fn, void *arg,
    const struct sm_deadline *dl, struct sm_buf *out,
    const struct mda_gone *g)
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

/* mda_outcome - a child's code and its words as a result */
void
mda_outcome(struct q_result *res, int code, const struct sm_buf *said,
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


/* put_body - the data file, "From " quoted in an mbox, a final LF */
static int
put_body(const struct mda_msg *m, bool mbox, const struct mda_writer *w)
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
 * mda_put_message - "From " line when asked, the delivery's own header line
 * (id, unless NULL), headers, blank line, body
 */
int
mda_put_message(const struct mda_msg *m, bool mbox, const char *id,
    const struct mda_writer *w)
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

/* mda_put_fd - the writer of a file */
int
mda_put_fd(void *ctx, const char *p, size_t n)
{
	return mda_full_write(*(int *)ctx, p, n);
}

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
	struct mda_writer w;
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
	if (mda_put_message(m, false, NULL, &w) < 0) {
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
		mda_outcome(res, WEXITSTATUS(status), &said, argv[0]);
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
		mda_outcome(res, WEXITSTATUS(status), &said, argv[0]);
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
		if (mda_full_write(out, buf, (size_t)n) < 0)
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
	code = mda_run_as(r->u, read_child, (void *)(uintptr_t)r, dl, text, NULL);
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
