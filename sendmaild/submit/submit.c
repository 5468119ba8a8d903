/*
 * submit - the message on standard input into the queue; see submit.h.
 *
 * Runs as the invoking user, possibly set-group-id to the client queue's
 * group; as root it hands the message to a child that is RunAsUser.
 */
#include "submit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clientq.h"
#include "daemon_port.h"
#include "delivery.h"
#include "header.h"
#include "local.h"
#include "q_result.h"
#include "q_smtp.h"
#include "secure.h"
#include "sm_addr.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_proc.h"
#include "sm_strset.h"
#include "srv_session.h"
#include "input.h"

/* The ways a message can go in, in the order they are tried. */
enum way {
	WAY_QUEUE,		/* our own session writing QueueDirectory */
	WAY_DAEMON,		/* the local daemon */
	WAY_CLIENT_QUEUE	/* our own session writing the client queue */
};

struct submission {
	struct config		*c;
	const struct args	*a;
	char			 login[256];
	char			 fullname[256];
	char			 home[1024];
	char			 host[256];	/* $j */
	char			*sender;	/* "<a@b>" or "<>" */
	struct sm_strset	 rcpts;		/* "<a@b>", each once */
	struct q_result		*res;		/* one per recipient */
	bool			*done;		/* accepted or refused */
	struct sm_strlist	 hdrs;		/* as they go out */
	struct input		 msg;
};

/* who - the invoking user: login name, full name, home */
static void
who(struct submission *x)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL) {
		(void)snprintf(x->login, sizeof(x->login), "%s", pw->pw_name);
		/* $HOME only where it cannot point a set-id program away. */
		(void)snprintf(x->home, sizeof(x->home), "%s",
		    getenv("HOME") != NULL && (getuid() == 0 ||
		    (getuid() == geteuid() && getgid() == getegid())) ?
		    getenv("HOME") : pw->pw_dir);
		if (pw->pw_gecos != NULL)
			(void)snprintf(x->fullname, sizeof(x->fullname),
			    "%.*s", (int)strcspn(pw->pw_gecos, ","),
			    pw->pw_gecos);
	} else {
		(void)snprintf(x->login, sizeof(x->login), "%lu",
		    (unsigned long)getuid());
		(void)snprintf(x->home, sizeof(x->home), "/");
	}
	if (x->a->fullname != NULL)
		(void)snprintf(x->fullname, sizeof(x->fullname), "%s",
		    x->a->fullname);
	config_hostname(x->c, x->host, sizeof(x->host));
}

/* angle - "<addr>"; without a domain, qualified with host unless NULL */
static char *
angle(const struct sm_addr *a, const char *host)
{
	struct sm_buf b;
	char *out;

	sm_buf_init(&b, 0);
	if (a->domain != NULL || host == NULL)
		(void)sm_buf_printf(&b, "<%s>", a->text);
	else
		(void)sm_buf_printf(&b, "<%s@%s>", a->text, host);
	out = sm_strdup(sm_buf_str(&b));
	sm_buf_free(&b);
	return out;
}

/*
 * parse_one - one address as written, as "<addr>" (qualified with host
 * unless NULL); NULL after saying what is wrong
 */
static char *
parse_one(const char *text, const char *host, bool null_ok)
{
	struct sm_addr a;
	enum sm_addr_result r;
	char *path = sm_strdup(text), *out = NULL;
	size_t n = strlen(path);

	if (n >= 2 && path[0] == '<' && path[n - 1] == '>') {
		memmove(path, path + 1, n - 2);
		path[n - 2] = '\0';
	}
	if ((r = sm_addr_parse(path, &a)) != SM_ADDR_OK)
		(void)fprintf(stderr, "%s... %s\n", text, sm_addr_errtext(r));
	else if (a.null && !null_ok)
		(void)fprintf(stderr, "%s... User address required\n", text);
	else
		out = a.null ? sm_strdup("<>") : angle(&a, host);
	sm_addr_free(&a);
	free(path);
	return out;
}

/*
 * add_rcpts - the addresses of one list (a command-line word or a
 * header's value) that are not there yet; false after a bad one.
 * Recipients keep their own form: the server qualifies local names.
 */
static bool
add_rcpts(struct submission *x, const char *list)
{
	struct sm_strlist l = { NULL, 0 };
	bool ok = true;
	size_t i;
	char *p;

	(void)sm_addr_list(list, &l);
	for (i = 0; i < l.n; i++) {
		if ((p = parse_one(l.v[i], NULL, false)) == NULL) {
			ok = false;
			continue;
		}
		(void)sm_strset_add(&x->rcpts, p, NULL);
		free(p);
	}
	sm_strlist_clear(&l);
	return ok;
}

/* envelope - sender and recipients; a sysexits code */
static int
envelope(struct submission *x)
{
	const struct args *a = x->a;
	struct sm_strlist h = { NULL, 0 };
	bool ok = true;
	size_t i;

	if (a->from == NULL) {
		struct sm_buf b;

		sm_buf_init(&b, 0);
		(void)sm_buf_printf(&b, "<%s@%s>", x->login, x->host);
		x->sender = sm_strdup(sm_buf_str(&b));
		sm_buf_free(&b);
	} else if ((x->sender = parse_one(a->from[0] == '\0' ? "<>" :
	    a->from, x->host, true)) == NULL)
		return EX_USAGE;
	for (i = 0; i < a->nrcpts; i++)
		ok = add_rcpts(x, a->rcpts[i]) && ok;
	if (a->read_rcpts) {
		(void)input_recipients(&x->msg, &h);
		for (i = 0; i < h.n; i++)
			ok = add_rcpts(x, h.v[i]) && ok;
		sm_strlist_clear(&h);
		input_remove(&x->msg, "Bcc");
		input_remove(&x->msg, "Resent-Bcc");
	}
	if (!ok)
		return EX_USAGE;
	if (x->rcpts.n == 0) {
		(void)fprintf(stderr, "Recipient names must be specified\n");
		return EX_USAGE;
	}
	x->res = sm_calloc(x->rcpts.n, sizeof(*x->res));
	x->done = sm_calloc(x->rcpts.n, sizeof(*x->done));
	return EX_OK;
}

/* trusted - may this user set the sender without a warning? */
static bool
trusted(const struct submission *x)
{
	return getuid() == 0 || strcmp(x->login, "root") == 0 ||
	    strcmp(x->login, "daemon") == 0 || strcmp(x->login, "uucp") == 0 ||
	    sm_cf_class_has(x->c->cf, "t", x->login);
}

/* phrase - a display name, quoted when it holds a special character */
static void
phrase(struct sm_buf *b, const char *name)
{
	const char *p;

	if (strpbrk(name, "()<>[]:;@\\,.\"") == NULL) {
		(void)sm_buf_puts(b, name);
		return;
	}
	(void)sm_buf_puts(b, "\"");
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			(void)sm_buf_puts(b, "\\");
		(void)sm_buf_append(b, p, 1);
	}
	(void)sm_buf_puts(b, "\"");
}

/* headers - the message's own, with what the submission adds */
static void
headers(struct submission *x)
{
	struct sm_buf b;
	size_t i;

	sm_buf_init(&b, 0);
	if (x->a->from != NULL && !trusted(x) &&
	    (x->c->opt.PrivacyOptions & SM_PRIV_AUTHWARNINGS)) {
		(void)sm_buf_printf(&b, "X-Authentication-Warning: %s: %s set "
		    "sender to %s using -f", x->host, x->login, x->a->from);
		sm_strlist_add(&x->hdrs, sm_buf_str(&b));
	}
	for (i = 0; i < x->msg.hdrs.n; i++)
		sm_strlist_add(&x->hdrs, x->msg.hdrs.v[i]);
	if (header_value(&x->msg.hdrs, "From") == NULL &&
	    x->fullname[0] != '\0' && strcmp(x->sender, "<>") != 0) {
		sm_buf_reset(&b);
		(void)sm_buf_puts(&b, "From: ");
		phrase(&b, x->fullname);
		(void)sm_buf_printf(&b, " %s", x->sender);
		sm_strlist_add(&x->hdrs, sm_buf_str(&b));
	}
	sm_buf_free(&b);
}

/* upper - a copy of s in capitals, or NULL */
static char *
upper(const char *s)
{
	char *u, *p;

	if (s == NULL)
		return NULL;
	u = sm_strdup(s);
	for (p = u; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* send_rest - one transaction on conn for the recipients not done */
static void
send_rest(struct submission *x, struct q_conn *conn)
{
	const struct args *a = x->a;
	struct q_txn t;
	const char **rcpts, **notify, **orcpt;
	struct q_result *tres;
	size_t *idx, i, n = 0;
	char *body = upper(a->bodytype), *ret = upper(a->ret);
	char *nfy = upper(a->notify);

	rcpts = sm_calloc(x->rcpts.n, sizeof(*rcpts));
	notify = sm_calloc(x->rcpts.n, sizeof(*notify));
	orcpt = sm_calloc(x->rcpts.n, sizeof(*orcpt));
	tres = sm_calloc(x->rcpts.n, sizeof(*tres));
	idx = sm_calloc(x->rcpts.n, sizeof(*idx));
	for (i = 0; i < x->rcpts.n; i++)
		if (!x->done[i]) {
			notify[n] = nfy;
			idx[n] = i;
			rcpts[n++] = x->rcpts.v[i];
		}
	memset(&t, 0, sizeof(t));
	t.sender = x->sender;
	t.size = (long)x->msg.size;
	t.body = body != NULL ? body : x->msg.eightbit ? "8BITMIME" : NULL;
	t.ret = ret;
	t.envid = a->envid;
	t.nrcpts = n;
	t.rcpts = rcpts;
	t.notify = notify;
	t.orcpt = orcpt;
	t.results = tres;
	t.headers = &x->hdrs;
	t.mailer_flags = "";
	t.dfd = fileno(x->msg.body);
	t.id = "NOQUEUE";
	q_smtp_close(conn, q_smtp_send(conn, &t) == 0);
	for (i = 0; i < n; i++) {
		x->res[idx[i]] = tres[i];
		x->done[idx[i]] = tres[i].status != Q_TEMPFAIL;
	}
	free(rcpts);
	free(notify);
	free(orcpt);
	free(tres);
	free(idx);
	free(body);
	free(ret);
	free(nfy);
}

/* session - a child serving SMTP on a socket pair; our end, or -1 */
static int
session(struct submission *x, bool client_queue, pid_t *pid)
{
	struct config *c = x->c;
	struct srv_conn conn;
	char err[256];
	int sv[2], null;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if ((*pid = fork()) < 0) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -1;
	}
	if (*pid > 0) {
		(void)close(sv[1]);
		return sv[0];
	}
	(void)close(sv[0]);
	/* Log lines go to syslog; background deliveries hold no pipe. */
	sm_log_init(x->a->logtag != NULL ? x->a->logtag : "sendmail",
	    SM_LOG_SYSLOG);
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(null, 0);
		(void)dup2(null, 1);
		(void)dup2(null, 2);
		if (null > 2)
			(void)close(null);
	}
	if (geteuid() == 0 && !client_queue) {
		(void)local_service_start(c);
		(void)secure_prepare(c);
	}
	/* Root writes the client queue with that queue's group, as -Ac -q
	   reads it. */
	if (geteuid() == 0 && (client_queue ?
	    clientq_become(c, config_run_as(c), err,
	    sizeof(err)) : sm_priv_drop(config_run_as(c), err,
	    sizeof(err))) < 0) {
		sm_errorx("submission: %s", err);
		_exit(EX_OSERR);
	}
	if (client_queue) {
		/* Readable by the group that sends it on; no delivery. */
		c->opt.QueueDirectory = c->opt.ClientQueueDirectory;
		c->opt.QueueFileMode = 0660;
		c->opt.DeliveryMode = 'q';
	}
	memset(&conn, 0, sizeof(conn));
	conn.rfd = conn.wfd = sv[1];
	conn.login = x->login;
	conn.submission = true;
	conn.client_queue = client_queue;
	(void)signal(SIGPIPE, SIG_IGN);
	_exit(srv_session(c, &conn));
}

/* try_way - send what is not done yet one way; false if it was shut */
static bool
try_way(struct submission *x, enum way w)
{
	struct q_result r;
	struct q_peer peer;
	struct q_conn *conn;
	char host[128];
	pid_t pid = -1;
	int fd, port, status;

	if (w == WAY_DAEMON) {
		if (daemon_local_address(x->c, host, sizeof(host), &port) < 0)
			return false;
		memset(&peer, 0, sizeof(peer));
		peer.host = host;
		peer.port = port;
		conn = q_smtp_open(&peer, &x->c->opt, true, NULL, x->host,
		    NULL, &r);
	} else {
		if ((fd = session(x, w == WAY_CLIENT_QUEUE, &pid)) < 0) {
			sm_warn("cannot start a submission session");
			return false;
		}
		conn = q_smtp_attach(fd, "localhost", false, &x->c->opt,
		    x->host, &r);
	}
	if (conn != NULL)
		send_rest(x, conn);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return conn != NULL;
}

/* all_done - every recipient accepted or refused for good? */
static bool
all_done(const struct submission *x)
{
	size_t i;

	for (i = 0; i < x->rcpts.n; i++)
		if (!x->done[i])
			return false;
	return true;
}

/* dead_letter - keep the message in ~/dead.letter; 0 when done */
static int
dead_letter(struct submission *x)
{
	struct sm_buf b;
	char path[1100], buf[65536], date[64];
	time_t now = time(NULL);
	size_t i, n;
	int fd, rc = 0;

	(void)snprintf(path, sizeof(path), "%s/dead.letter",
	    strcmp(x->home, "/") == 0 ? "" : x->home);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		(void)fprintf(stderr, "%s... cannot save the message: %s\n",
		    path, strerror(errno));
		return -1;
	}
	(void)ctime_r(&now, date);
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "From %.*s %s", (int)strlen(x->sender) - 2,
	    x->sender + 1, date);
	for (i = 0; i < x->hdrs.n; i++)
		(void)sm_buf_printf(&b, "%s\n", x->hdrs.v[i]);
	(void)sm_buf_puts(&b, "\n");
	if (write(fd, b.data, b.len) != (ssize_t)b.len)
		rc = -1;
	rewind(x->msg.body);
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), x->msg.body)) > 0)
		if (write(fd, buf, n) != (ssize_t)n)
			rc = -1;
	if (rc == 0 && write(fd, "\n", 1) != 1)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	sm_buf_free(&b);
	if (rc == 0)
		(void)fprintf(stderr, "%s... Saved message in %s\n", path,
		    path);
	return rc;
}

/* outcome - say what was refused; sendmail's exit status */
static int
outcome(struct submission *x)
{
	const char *text;
	size_t i;
	int rc = EX_OK;
	bool lost = false;

	for (i = 0; i < x->rcpts.n; i++) {
		const struct q_result *r = &x->res[i];

		if (r->status == Q_OK)
			continue;
		lost = true;
		text = r->text;
		if (isdigit((unsigned char)text[0]) && strlen(text) > 4) {
			text += 4;		/* the code, then dsn */
			if (isdigit((unsigned char)text[0]) &&
			    strchr(text, ' ') != NULL)
				text = strchr(text, ' ') + 1;
			/* "<addr>... reason": the address is said already */
			if (text[0] == '<' && strstr(text, ">... ") != NULL)
				text = strstr(text, ">... ") + 5;
		}
		(void)fprintf(stderr, "%.*s... %s\n",
		    (int)strlen(x->rcpts.v[i]) - 2, x->rcpts.v[i] + 1, text);
		if (rc != EX_OK && rc != EX_TEMPFAIL)
			continue;
		if (r->status == Q_TEMPFAIL)
			rc = EX_TEMPFAIL;
		else if (strcmp(r->dsn, "5.1.1") == 0)
			rc = EX_NOUSER;
		else if (strcmp(r->dsn, "5.1.2") == 0)
			rc = EX_NOHOST;
		else if (strncmp(r->dsn, "5.1.", 4) == 0)
			rc = EX_USAGE;
		else
			rc = EX_UNAVAILABLE;
	}
	if (lost)
		(void)dead_letter(x);
	return rc;
}

/* submit_main - sendmail [-t] [-i] [-f sender] ... [addresses] */
int
submit_main(struct config *c, const struct args *a)
{
	struct submission x;
	char err[512];
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	sm_strset_init(&x.rcpts, true);
	x.c = c;
	x.a = a;
	if (a->verbose)
		q_smtp_trace = stdout;	/* -v: the conversation */
	who(&x);
	rc = input_read(0, c->opt.IgnoreDots, (size_t)c->opt.MaxHeadersLength,
	    &x.msg, err, sizeof(err));
	if (rc != EX_OK) {
		(void)fprintf(stderr, "%s\n", err);
		goto out;
	}
	if ((rc = envelope(&x)) != EX_OK)
		goto out;
	headers(&x);
	for (i = 0; i < x.rcpts.n; i++) {
		x.res[i].status = Q_TEMPFAIL;
		(void)snprintf(x.res[i].text, sizeof(x.res[i].text),
		    "Deferred: no way to queue the message");
	}
	(void)signal(SIGPIPE, SIG_IGN);
	/*
	 * Who may write the queue goes in by a session of its own; root
	 * first makes the queue RunAsUser's where sendmail left it root's.
	 * What that way did not take goes to the daemon, and what the
	 * daemon did not take waits in the client queue: a queue that
	 * cannot be used is said, not a reason to lose the message.
	 */
	if (geteuid() == 0 && config_adopt_queue(c, err, sizeof(err)) < 0)
		sm_errorx("%s", err);
	else if (geteuid() == 0 ||
	    access(c->opt.QueueDirectory, W_OK | X_OK) == 0)
		(void)try_way(&x, WAY_QUEUE);
	if (!all_done(&x) && (!try_way(&x, WAY_DAEMON) || !all_done(&x))) {
		if (config_client_queue_problem(c, err, sizeof(err)))
			sm_errorx("%s", err);
		else
			(void)try_way(&x, WAY_CLIENT_QUEUE);
	}
	sm_priv_lose_group();
	rc = outcome(&x);
out:
	free(x.sender);
	free(x.res);
	free(x.done);
	sm_strset_clear(&x.rcpts);
	sm_strlist_clear(&x.hdrs);
	input_free(&x.msg);
	return rc;
}
