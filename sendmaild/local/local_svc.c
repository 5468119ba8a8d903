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
 *	M id ctime priority bodytype sender	work on queued message id
 *	h header				one of its headers, as the
 *						local mailer shows them,
 *						escaped (\\ \n \t \r)
 *	H hash...				targets that have it already
 *						(as many lines as needed)
 *	A					the next D repeats one whose
 *						worker died before it answered
 *						(q_local.again)
 *	D id rcpt				deliver rcpt of that message,
 *						except to the targets known
 *
 *	K hash...				targets that have it now
 *						(only those added by this D)
 *	F <addr>				an address to send on
 *	E owner|- status dsn target text	a failure to report
 *	R status dsn text			the recipient's result
 *
 * ROOT reads the network's words as little as it can: the control file,
 * which a session wrote, is parsed by the process that asks, as
 * RunAsUser, and so are the maps that rewrite the headers; the worker
 * checks the few fields it is given (a queue id, numbers, a sender of
 * printable ASCII, headers whose lines all continue a header) and opens
 * the data file by the id, without following links, as a plain file of
 * the queue's owner.  It reads nothing else of the queue.
 *
 * A message of n local recipients costs one M and n requests of a size
 * that does not grow with n: the requests do not carry, nor the replies
 * return, every target served before.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
#define LOCAL_HASHES	1000	/* on one H or K line (17 bytes each) */
#define LOCAL_HEADERS	10000	/* headers of one message */
#define LOCAL_HEADER_BYTES (4 * 1024 * 1024)	/* and their bytes */

static int channel = -1;	/* to the service */
static struct sm_io *conn;	/* to our worker */
static int conn_fd = -1;
static bool told;		/* our worker has the message (M sent) */
static size_t told_n;		/* and this many of its done targets */

/* The message a worker serves: described at M and h, used by each D. */
struct served {
	char		 id[32];
	bool		 open;		/* its M was good */
	bool		 bad;		/* an h line was not */
	const char	*why;		/* when not open */
	struct q_ctl	 ctl;		/* what M and h said, nothing else */
	size_t		 hbytes;	/* of its headers */
	struct sm_strset done;		/* targets that have it */
	char		 df[4200];
	uid_t		 owner;		/* of the queue */
};

/* field - s with tabs and line ends made blanks, for one field */
static void
field(struct sm_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		(void)sm_buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ?
		    ' ' : *s);
}

/* escape - s with backslash, line ends and tabs escaped, for one field */
static void
escape(struct sm_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '\\':
			(void)sm_buf_puts(b, "\\\\");
			break;
		case '\n':
			(void)sm_buf_puts(b, "\\n");
			break;
		case '\t':
			(void)sm_buf_puts(b, "\\t");
			break;
		case '\r':
			(void)sm_buf_puts(b, "\\r");
			break;
		default:
			(void)sm_buf_putc(b, *s);
		}
}

/* unescape - escape() undone in place; false for a bad escape */
static bool
unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\':
			*w++ = '\\';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'r':
			*w++ = '\r';
			break;
		default:
			return false;
		}
	}
	*w = '\0';
	return true;
}

/* put_result - "status\tdsn\t" of a result */
static void
put_result(struct sm_buf *b, const struct q_result *r)
{
	(void)sm_buf_printf(b, "%d\t", (int)r->status);
	field(b, r->dsn);
	(void)sm_buf_putc(b, '\t');
}

/*
 * hashes - "<c>\thash hash...\n" lines for done->v[from..n), at most
 * LOCAL_HASHES a line
 */
static void
hashes(struct sm_buf *b, char c, const struct sm_strset *done, size_t from)
{
	size_t i;

	for (i = from; i < done->n; i++) {
		if ((i - from) % LOCAL_HASHES == 0)
			(void)sm_buf_printf(b, "%s%c\t", i > from ? "\n" : "",
			    c);
		else
			(void)sm_buf_putc(b, ' ');
		field(b, done->v[i]);
	}
	if (done->n > from)
		(void)sm_buf_putc(b, '\n');
}

/* reply - what local_run() found, as lines; the targets from done on */
static void
reply(struct sm_buf *b, const struct q_local *lo, size_t done)
{
	size_t i;

	hashes(b, 'K', &lo->done, done);
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

/* fail - a result that says why the request was not served; done stays */
static void
fail(struct q_local *lo, const char *dsn, const char *text)
{
	struct sm_strset done = lo->done;

	sm_strset_init(&lo->done, false);
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

/* served_free - forget the message a worker served */
static void
served_free(struct served *m)
{
	q_ctl_free(&m->ctl);
	sm_strset_clear(&m->done);
	memset(m, 0, sizeof(*m));	/* empty sets, case counting */
}

/* number - a whole decimal number, its sign allowed; false otherwise */
static bool
number(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0;
}

/* printable - only printable ASCII, at most max bytes */
static bool
printable(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return n <= max;
}

/*
 * serve_open - M: a message to work on, as the asker describes it.
 * Nothing is read from the queue here; each field is checked.
 */
static void
serve_open(const struct config *c, struct served *m, char *args)
{
	char *f[5], *save = NULL, dfdir[4096];
	long long ctime, pri;
	struct stat qst;
	size_t i;

	served_free(m);
	m->why = "Deferred: bad request";
	for (i = 0; i < 5; i++)
		if ((f[i] = strtok_r(i == 0 ? args : NULL, "\t", &save)) ==
		    NULL)
			return;
	if (!id_ok(f[0]) || !number(f[1], &ctime) || ctime < 0 ||
	    !number(f[2], &pri) || !printable(f[3], 32) ||
	    strtok_r(NULL, "\t", &save) != NULL || !printable(f[4], 1024) ||
	    stat(c->opt.QueueDirectory, &qst) < 0)
		return;
	(void)snprintf(m->id, sizeof(m->id), "%s", f[0]);
	(void)snprintf(m->ctl.id, sizeof(m->ctl.id), "%s", f[0]);
	m->ctl.ctime = (time_t)ctime;
	m->ctl.priority = (long)pri;
	if (strcmp(f[3], "-") != 0)
		m->ctl.bodytype = sm_strdup(f[3]);
	m->ctl.sender = sm_strdup(f[4]);
	(void)q_dfdir(c->opt.QueueDirectory, dfdir, sizeof(dfdir));
	(void)snprintf(m->df, sizeof(m->df), "%s/df%s", dfdir, m->id);
	m->owner = qst.st_uid;
	m->open = true;
}

/*
 * serve_header - h: one header of the message.  Each line of it after
 * the first must continue it (begin with a blank), so that it cannot
 * end the header or forge a mailbox's "From " line.
 */
static void
serve_header(struct served *m, char *h)
{
	const char *p;
	size_t n;

	if (!m->open || m->bad)
		return;
	if (!unescape(h))
		goto bad;
	n = strlen(h);
	for (p = h; (p = strchr(p, '\n')) != NULL; p++)
		if (p[1] != ' ' && p[1] != '\t')
			goto bad;
	if (n == 0 || m->ctl.headers.n >= LOCAL_HEADERS ||
	    m->hbytes + n > LOCAL_HEADER_BYTES)
		goto bad;
	m->hbytes += n;
	sm_strlist_add(&m->ctl.headers, h);
	return;
bad:
	m->bad = true;
	m->why = "Deferred: bad header in request";
}

/*
 * serve_one - D: deliver rcpt of the message.  The data file is opened
 * without following links and must be a plain file of the queue's
 * owner.
 */
static void
serve_one(const struct config *c, struct served *m, const char *id,
    const char *rcpt, struct q_local *lo)
{
	struct stat st;
	int dfd;

	if (!m->open || m->bad || strcmp(m->id, id) != 0) {
		fail(lo, "4.3.0", m->open && !m->bad ?
		    "Deferred: bad request" : m->why);
		return;
	}
	if (!printable(rcpt, 1024)) {
		fail(lo, "4.3.0", "Deferred: bad request");
		return;
	}
	if ((dfd = open(m->df, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0 || fstat(dfd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != m->owner) {
		if (dfd >= 0)
			(void)close(dfd);
		fail(lo, "4.3.0", "Deferred: cannot open the data file");
		return;
	}
	local_run(c, &m->ctl, dfd, rcpt, lo);
	(void)close(dfd);
}

/* worker - one delivering process's requests, until it goes */
static void
worker(const struct config *c, int fd)
{
	struct sm_io *io = sm_io_new(fd, fd);
	struct sm_buf line, out;
	struct sm_deadline dl;
	struct served m;
	struct q_local lo;
	char *id, *rcpt, *w, *save = NULL;
	size_t before;
	bool again = false;

	memset(&m, 0, sizeof(m));
	sm_buf_init(&line, LOCAL_LINE_MAX);
	sm_buf_init(&out, 0);
	for (;;) {
		sm_deadline_in(&dl, LOCAL_IDLE);
		sm_buf_reset(&line);
		if (sm_io_getline(io, &line, LOCAL_LINE_MAX, &dl) != SM_IO_OK)
			break;
		sm_buf_chomp(&line);
		if (strncmp(line.data, "M\t", 2) == 0) {
			serve_open(c, &m, line.data + 2);
			continue;
		}
		if (strncmp(line.data, "h\t", 2) == 0) {
			serve_header(&m, line.data + 2);
			continue;
		}
		if (strcmp(line.data, "A") == 0) {
			again = true;
			continue;
		}
		if (strncmp(line.data, "H\t", 2) == 0) {
			for (w = strtok_r(line.data + 2, " ", &save);
			    w != NULL; w = strtok_r(NULL, " ", &save))
				(void)sm_strset_add(&m.done, w, NULL);
			continue;
		}
		if (strncmp(line.data, "D\t", 2) != 0 ||
		    (id = strtok_r(line.data + 2, "\t", &save)) == NULL ||
		    (rcpt = strtok_r(NULL, "\t", &save)) == NULL)
			break;
		/* The message's done targets go in, and come back grown. */
		memset(&lo, 0, sizeof(lo));
		lo.done = m.done;
		lo.again = again;
		again = false;
		before = m.done.n;
		serve_one(c, &m, id, rcpt, &lo);
		sm_buf_reset(&out);
		reply(&out, &lo, before);
		m.done = lo.done;
		sm_strset_init(&lo.done, false);
		q_local_free(&lo);
		sm_deadline_in(&dl, 60);
		if (sm_io_write(io, out.data, out.len, &dl) != SM_IO_OK)
			break;
	}
	served_free(&m);
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

	/* ps and top name it, and its workers, apart from the others. */
	(void)prctl(PR_SET_NAME, LOCAL_SERVICE_NAME, 0, 0, 0);
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
	told = false;
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
 * describe - M and h: what the worker needs of the message, from its
 * control file as this process (RunAsUser) read it, with the headers
 * as the local mailer shows them
 */
static void
describe(struct sm_buf *b, const struct config *c, const struct q_ctl *ctl)
{
	struct sm_strlist shown = { NULL, 0 };
	const struct sm_strlist *h = &ctl->headers;
	size_t i;

	(void)sm_buf_printf(b, "M\t%s\t%lld\t%ld\t", ctl->id,
	    (long long)ctl->ctime, ctl->priority);
	field(b, ctl->bodytype != NULL && ctl->bodytype[0] != '\0' ?
	    ctl->bodytype : "-");
	(void)sm_buf_putc(b, '\t');
	field(b, ctl->sender != NULL && ctl->sender[0] != '\0' ?
	    ctl->sender : "<>");
	(void)sm_buf_putc(b, '\n');
	if (local_headers(c, ctl, &shown))
		h = &shown;
	for (i = 0; i < h->n; i++) {
		(void)sm_buf_puts(b, "h\t");
		escape(b, h->v[i]);
		(void)sm_buf_putc(b, '\n');
	}
	sm_strlist_clear(&shown);
}

/*
 * ask - one request to our worker: 1 answered; 0 not asked (the worker
 * was gone); -2 no answer at all (it died after the request came, maybe
 * in the middle of a delivery); -1 broken in the middle of the answer.
 * The message and the targets it has been delivered to go first when
 * the worker does not have them: at the first local recipient of an
 * attempt, and on a new connection.  again: the request repeats one
 * that got -2.
 */
static int
ask(const struct config *c, const struct q_ctl *ctl, const char *rcpt,
    struct q_local *lo, bool again)
{
	struct sm_deadline dl;
	struct sm_buf b;
	size_t lines = 0;
	char *s, *t, *w, *save = NULL;
	int rc = -1;

	sm_buf_init(&b, 0);
	if (lo->first || !told || told_n != lo->done.n) {
		describe(&b, c, ctl);
		hashes(&b, 'H', &lo->done, 0);
	}
	if (again)
		(void)sm_buf_puts(&b, "A\n");
	(void)sm_buf_printf(&b, "D\t%s\t", ctl->id);
	field(&b, rcpt);
	(void)sm_buf_putc(&b, '\n');
	/* The worker's own bounds, and some slack. */
	sm_deadline_in(&dl, sm_bound(c->opt.to.datafinal, 3600) +
	    4 * sm_bound(c->opt.to.fileopen, 60) + 60);
	if (sm_io_write(conn, b.data, b.len, &dl) != SM_IO_OK) {
		rc = 0;
		goto out;
	}
	told = true;
	for (;;) {
		sm_buf_reset(&b);
		if (sm_io_getline(conn, &b, LOCAL_LINE_MAX, &dl) != SM_IO_OK)
			break;
		lines++;
		sm_buf_chomp(&b);
		s = b.data;
		if (strncmp(s, "K\t", 2) == 0) {
			for (w = strtok_r(s + 2, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				(void)sm_strset_add(&lo->done, w, NULL);
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
			told_n = lo->done.n;
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
	char dfdir[4096];
	int tries, rc = -1;
	bool again = false;

	/*
	 * Root, or no service: here.  An address the worker would refuse
	 * (not printable ASCII) fails here too, as the expansion says it
	 * (5.6.7 for one outside ASCII), before anything needs root.
	 */
	if (geteuid() == 0 || channel < 0 || !printable(rcpt, 1024)) {
		struct q_ctl shown = *ctl;

		memset(&shown.headers, 0, sizeof(shown.headers));
		if (!local_headers(c, ctl, &shown.headers))
			shown.headers = ctl->headers;
		local_run(c, &shown, dfd, rcpt, lo);
		if (shown.headers.v != ctl->headers.v)
			sm_strlist_clear(&shown.headers);
		return;
	}
	/* The service opens the queue's own data file, nothing elsewhere. */
	if (ctl->dfdir != NULL && strcmp(ctl->dfdir,
	    q_dfdir(c->opt.QueueDirectory, dfdir, sizeof(dfdir))) != 0) {
		fail(lo, "4.3.0", "Deferred: the data file is not in the "
		    "queue");
		q_log_delivery(ctl, rcpt, start, "local", NULL, &lo->res);
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
		if ((rc = ask(c, ctl, rcpt, lo, again)) == 1)
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
