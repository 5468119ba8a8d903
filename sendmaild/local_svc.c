/*
 * local_svc - the root service behind local_deliver(); see local.h.
 *
 * The service holds one end of a SOCK_SEQPACKET pair; every process
 * forked after local_service_start() inherits the other.  A process
 * that has a local recipient makes a stream pair, passes one end over
 * the shared socket (SCM_RIGHTS: one datagram, so concurrent senders do
 * not mix) and gets a worker of its own on it.  Requests and replies are
 * lines of tab-separated fields:
 *
 *	A					the next D repeats one whose
 *						worker died before it answered
 *						(q_local.again)
 *	D id rcpt hash...			deliver rcpt of queued id,
 *						except to the targets listed
 *	K hash...				the targets that have it now
 *	F <addr>				an address to send on
 *	E owner|- status dsn target text	a failure to report
 *	R status dsn text			the recipient's result
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "local_int.h"
#include "q_list.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_deadline.h"
#include "sm_io.h"
#include "sm_log.h"

#define LOCAL_IDLE	3600	/* s a worker waits for the next request */
#define LOCAL_LINE_MAX	(1024 * 1024)

static int channel = -1;	/* to the service */
static struct sm_io *conn;	/* to our worker */
static int conn_fd = -1;

/* field - s with tabs and line ends made blanks, for one field */
static void
field(struct sm_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		(void)sm_buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ?
		    ' ' : *s);
}

/* put_result - "status\tdsn\t" of a result */
static void
put_result(struct sm_buf *b, const struct q_result *r)
{
	(void)sm_buf_printf(b, "%d\t", (int)r->status);
	field(b, r->dsn);
	(void)sm_buf_putc(b, '\t');
}

/* reply - what local_run() found, as lines */
static void
reply(struct sm_buf *b, const struct q_local *lo)
{
	size_t i;

	(void)sm_buf_puts(b, "K\t");
	for (i = 0; i < lo->done.n; i++) {
		(void)sm_buf_puts(b, i > 0 ? " " : "");
		field(b, lo->done.v[i]);
	}
	(void)sm_buf_putc(b, '\n');
	for (i = 0; i < lo->forwards.n; i++) {
		(void)sm_buf_puts(b, "F\t");
		field(b, lo->forwards.v[i]);
		(void)sm_buf_putc(b, '\n');
	}
	for (i = 0; i < lo->nerrs; i++) {
		(void)sm_buf_puts(b, "E\t");
		field(b, lo->errs[i].owner != NULL ? lo->errs[i].owner : "-");
		(void)sm_buf_putc(b, '\t');
		put_result(b, &lo->errs[i].res);
		field(b, lo->errs[i].target);
		(void)sm_buf_putc(b, '\t');
		field(b, lo->errs[i].res.text);
		(void)sm_buf_putc(b, '\n');
	}
	(void)sm_buf_puts(b, "R\t");
	put_result(b, &lo->res);
	field(b, lo->res.text);
	(void)sm_buf_putc(b, '\n');
}

/* fail - a result that says why the request was not served */
static void
fail(struct q_local *lo, const char *dsn, const char *text)
{
	struct sm_strlist done = lo->done;

	q_local_free(lo);
	lo->done = done;
	lo->res.status = dsn[0] == '5' ? Q_PERMFAIL : Q_TEMPFAIL;
	(void)snprintf(lo->res.dsn, sizeof(lo->res.dsn), "%s", dsn);
	(void)snprintf(lo->res.text, sizeof(lo->res.text), "%s", text);
}

/* id_ok - a queue id: letters and digits only */
static bool
id_ok(const char *id)
{
	size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789");

	return n > 0 && n < 32 && id[n] == '\0';
}

/*
 * serve_one - the worker: check that the queued message lists rcpt,
 * then deliver it.  The queue belongs to RunAsUser, so nothing in it is
 * taken on trust: the data file is opened without following links and
 * must be a plain file of the queue's owner, in the queue.
 */
static void
serve_one(const struct config *c, const char *id, const char *rcpt,
    struct q_local *lo)
{
	char qfdir[4096], dfdir[4096], qf[4200], df[4200], err[256];
	struct stat qst, st;
	struct q_ctl ctl;
	size_t i;
	int dfd;

	if (!id_ok(id)) {
		fail(lo, "4.3.0", "Deferred: bad queue id");
		return;
	}
	(void)q_qfdir(c->opt.QueueDirectory, qfdir, sizeof(qfdir));
	(void)q_dfdir(c->opt.QueueDirectory, dfdir, sizeof(dfdir));
	(void)snprintf(qf, sizeof(qf), "%s/qf%s", qfdir, id);
	if (stat(c->opt.QueueDirectory, &qst) < 0 || lstat(qf, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_uid != qst.st_uid ||
	    q_ctl_read(qf, &ctl, err, sizeof(err)) < 0) {
		fail(lo, "4.3.0", "Deferred: cannot read the queued message");
		return;
	}
	for (i = 0; i < ctl.nrcpts; i++)
		if (strcmp(ctl.rcpts[i].addr, rcpt) == 0)
			break;
	(void)snprintf(df, sizeof(df), "%s/df%s", dfdir, id);
	if (i == ctl.nrcpts || (ctl.dfdir != NULL &&
	    strcmp(ctl.dfdir, dfdir) != 0)) {
		sm_warnx("%s: local delivery of %s refused: not in the queued "
		    "message", id, rcpt);
		fail(lo, "4.3.0", "Deferred: not a recipient of the message");
	} else if ((dfd = open(df, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(dfd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != qst.st_uid) {
		if (dfd >= 0)
			(void)close(dfd);
		fail(lo, "4.3.0", "Deferred: cannot open the data file");
	} else {
		local_run(c, &ctl, dfd, rcpt, lo);
		(void)close(dfd);
	}
	q_ctl_free(&ctl);
}

/* worker - one delivering process's requests, until it goes */
static void
worker(const struct config *c, int fd)
{
	struct sm_io *io = sm_io_new(fd, fd);
	struct sm_buf line, out;
	struct sm_deadline dl;
	struct q_local lo;
	char *id, *rcpt, *hashes, *w, *save = NULL;
	bool again = false;

	sm_buf_init(&line, LOCAL_LINE_MAX);
	sm_buf_init(&out, 0);
	for (;;) {
		sm_deadline_in(&dl, LOCAL_IDLE);
		sm_buf_reset(&line);
		if (sm_io_getline(io, &line, LOCAL_LINE_MAX, &dl) != SM_IO_OK)
			break;
		sm_buf_chomp(&line);
		if (strcmp(line.data, "A") == 0) {
			again = true;
			continue;
		}
		if (strncmp(line.data, "D\t", 2) != 0 ||
		    (id = strtok_r(line.data + 2, "\t", &save)) == NULL ||
		    (rcpt = strtok_r(NULL, "\t", &save)) == NULL)
			break;
		memset(&lo, 0, sizeof(lo));
		lo.again = again;
		again = false;
		if ((hashes = strtok_r(NULL, "\t", &save)) != NULL)
			for (w = strtok_r(hashes, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				sm_strlist_add(&lo.done, w);
		serve_one(c, id, rcpt, &lo);
		sm_buf_reset(&out);
		reply(&out, &lo);
		q_local_free(&lo);
		sm_deadline_in(&dl, 60);
		if (sm_io_write(io, out.data, out.len, &dl) != SM_IO_OK)
			break;
	}
	sm_buf_free(&line);
	sm_buf_free(&out);
	sm_io_free(io);
}

/* receive - a worker's socket from the shared one; 0 when all are gone */
static int
receive(int ch, int *fd)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	while ((n = recvmsg(ch, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	*fd = -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 1;
}

/* service - root: a worker per delivering process */
static void
service(const struct config *c, int ch)
{
	struct sigaction sa;
	pid_t pid;
	int fd, rc;

	/* Hold nothing of the master's: its sockets and files. */
	closelog();
	if (ch != 3 && (dup2(ch, 3) < 0 || close(ch) < 0))
		_exit(1);
	ch = 3;
	(void)syscall(SYS_close_range, 4U, ~0U, 0U);
	sm_log_reopen();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;	/* workers need no reaping */
	(void)sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	while ((rc = receive(ch, &fd)) != 0) {
		if (rc < 0 || fd < 0)
			continue;
		if ((pid = fork()) == 0) {
			/* Its own children are waited for, one by one. */
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			(void)sigaction(SIGCHLD, &sa, NULL);
			(void)close(ch);
			worker(c, fd);
			_exit(0);
		}
		if (pid < 0)
			sm_warn("local delivery: cannot fork a worker");
		(void)close(fd);
	}
	_exit(0);
}

/* local_service_start - fork the service while we are root */
int
local_service_start(const struct config *c)
{
	int sv[2], status;
	pid_t pid;

	if (geteuid() != 0)
		return 0;
	if (channel >= 0)
		(void)close(channel);	/* a reload: the old one winds down */
	channel = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		sm_warn("local delivery: socketpair");
		return -1;
	}
	if ((pid = fork()) < 0) {
		sm_warn("local delivery: fork");
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* A grandchild: nobody has to reap it but init. */
		(void)close(sv[0]);
		if (fork() == 0)
			service(c, sv[1]);
		_exit(0);
	}
	(void)close(sv[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	channel = sv[0];
	return 0;
}

/*
 * local_service_forget - this process delivers nothing: let go of the
 * service, so that nothing it reads from the network can reach root
 */
void
local_service_forget(void)
{
	if (channel >= 0)
		(void)close(channel);
	channel = -1;
}

/* disconnect - forget our worker */
static void
disconnect(void)
{
	if (conn != NULL)
		sm_io_free(conn);
	if (conn_fd >= 0)
		(void)close(conn_fd);
	conn = NULL;
	conn_fd = -1;
}

/* connect_worker - a worker of our own, through the shared socket */
static int
connect_worker(void)
{
	char byte = 'W', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg;
	struct cmsghdr *cm;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[1], sizeof(int));
	/* The service reads at once; a full socket means it is gone. */
	if (sendmsg(channel, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -1;
	}
	(void)close(sv[1]);
	conn_fd = sv[0];
	conn = sm_io_new(sv[0], sv[0]);
	return 0;
}

/* parse_result - "status\tdsn\t..." into r; the rest after it */
static char *
parse_result(char *s, struct q_result *r)
{
	char *tab;

	memset(r, 0, sizeof(*r));
	r->status = (enum q_status)strtol(s, &tab, 10);
	if (*tab != '\t' || (r->status != Q_OK && r->status != Q_TEMPFAIL &&
	    r->status != Q_PERMFAIL))
		return NULL;
	s = tab + 1;
	(void)snprintf(r->dsn, sizeof(r->dsn), "%.*s", (int)strcspn(s, "\t"),
	    s);
	s += strcspn(s, "\t");
	return *s == '\t' ? s + 1 : NULL;
}

/*
 * ask - one request to our worker: 1 answered; 0 not asked (the worker
 * was gone); -2 no answer at all (it died after the request came, maybe
 * in the middle of a delivery); -1 broken in the middle of the answer.
 * again: the request repeats one that got -2.
 */
static int
ask(const struct config *c, const char *id, const char *rcpt,
    struct q_local *lo, bool again)
{
	struct sm_deadline dl;
	struct sm_buf b;
	size_t lines = 0;
	char *s, *t, *w, *save = NULL;
	size_t i;
	int rc = -1;

	sm_buf_init(&b, 0);
	if (again)
		(void)sm_buf_puts(&b, "A\n");
	(void)sm_buf_printf(&b, "D\t%s\t", id);
	field(&b, rcpt);
	(void)sm_buf_putc(&b, '\t');
	for (i = 0; i < lo->done.n; i++)
		(void)sm_buf_printf(&b, "%s%s", i > 0 ? " " : "",
		    lo->done.v[i]);
	(void)sm_buf_putc(&b, '\n');
	/* The worker's own bounds, and some slack. */
	sm_deadline_in(&dl, sm_bound(c->opt.to.datafinal, 3600) +
	    4 * sm_bound(c->opt.to.fileopen, 60) + 60);
	if (sm_io_write(conn, b.data, b.len, &dl) != SM_IO_OK) {
		rc = 0;
		goto out;
	}
	for (;;) {
		sm_buf_reset(&b);
		if (sm_io_getline(conn, &b, LOCAL_LINE_MAX, &dl) != SM_IO_OK)
			break;
		lines++;
		sm_buf_chomp(&b);
		s = b.data;
		if (strncmp(s, "K\t", 2) == 0) {
			sm_strlist_clear(&lo->done);
			for (w = strtok_r(s + 2, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				sm_strlist_add(&lo->done, w);
		} else if (strncmp(s, "F\t", 2) == 0)
			sm_strlist_add(&lo->forwards, s + 2);
		else if (strncmp(s, "E\t", 2) == 0 &&
		    (t = strchr(s + 2, '\t')) != NULL) {
			struct q_result r;
			char *target;

			*t = '\0';
			if ((target = parse_result(t + 1, &r)) == NULL ||
			    (t = strchr(target, '\t')) == NULL)
				break;
			*t = '\0';
			(void)snprintf(r.text, sizeof(r.text), "%s", t + 1);
			q_local_add_err(lo, strcmp(s + 2, "-") == 0 ? NULL :
			    s + 2, target, &r);
		} else if (strncmp(s, "R\t", 2) == 0 &&
		    (t = parse_result(s + 2, &lo->res)) != NULL) {
			(void)snprintf(lo->res.text, sizeof(lo->res.text),
			    "%s", t);
			rc = 1;
			break;
		} else
			break;
	}
	if (rc < 0 && lines == 0)
		rc = -2;
out:
	sm_buf_free(&b);
	return rc;
}

/* local_deliver - the queue runner's hook; see local.h */
void
local_deliver(const struct config *c, const struct q_ctl *ctl, int dfd,
    const char *rcpt, struct q_local *lo)
{
	time_t start = time(NULL);
	int tries, rc = -1;
	bool again = false;

	if (geteuid() == 0 || channel < 0) {
		local_run(c, ctl, dfd, rcpt, lo);
		return;
	}
	/*
	 * Once more with a new worker when ours was gone, or died before it
	 * answered: then it may have delivered to some targets, and the new
	 * one is told so (only mailboxes know a copy they have).  Not when
	 * it died in the middle of its answer.
	 */
	for (tries = 0; tries < 2; tries++) {
		if (conn == NULL && connect_worker() < 0)
			break;
		if ((rc = ask(c, ctl->id, rcpt, lo, again)) == 1)
			return;
		disconnect();
		if (rc == -1)
			break;
		again = again || rc == -2;
	}
	fail(lo, "4.3.0", "Deferred: the local delivery service is not "
	    "available");
	/* The worker that would have said so is gone: say it here. */
	q_log_delivery(ctl, rcpt, start, "local", NULL, &lo->res);
}
