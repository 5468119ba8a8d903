/*
 * modes - one function per -b mode; see modes.h.
 */
#include "modes.h"

#include <pwd.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clientq.h"
#include "sm_addr.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_proc.h"
#include "sm_time.h"

#include "aliases.h"
#include "args.h"
#include "config.h"
#include "master.h"
#include "delivery.h"
#include "submit.h"
#include "local.h"
#include "q_hoststat.h"
#include "q_list.h"
#include "q_owner.h"
#include "q_result.h"
#include "q_smtp.h"
#include "route.h"
#include "secure.h"
#include "srv_session.h"

/* mode_print_options - -bO: every effective option, sorted */
static int
mode_print_options(struct config *c)
{
	sm_opt_print(&c->opt, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		sm_error("writing the option list");
		return EX_IOERR;
	}
	return EX_OK;
}

/* invoker - the login name of the real user id */
static const char *
invoker(void)
{
	static char name[256];
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL)
		(void)snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		(void)snprintf(name, sizeof(name), "%lu",
		    (unsigned long)getuid());
	return name;
}

/* mode_smtp_stdin - -bs: one SMTP session on standard input and output */
static int
mode_smtp_stdin(struct config *c)
{
	struct srv_conn conn;
	socklen_t len = sizeof(conn.peer);
	char err[1024];

	memset(&conn, 0, sizeof(conn));
	conn.rfd = 0;
	conn.wfd = 1;
	conn.login = invoker();
	/* Root reads a client as the daemon's children do: as RunAsUser. */
	if (config_adopt_queue(c, err, sizeof(err)) < 0) {
		sm_errorx("%s", err);
		return EX_CONFIG;
	}
	if (geteuid() == 0)
		(void)secure_prepare(c);
	if (geteuid() == 0 && (local_service_start(c) < 0 ||
	    sm_priv_drop(config_run_as(c), err, sizeof(err)) < 0)) {
		sm_errorx("%s", err);
		return EX_OSERR;
	}
	/* inetd hands us a socket; a pipe makes a local client. */
	if (getpeername(0, (struct sockaddr *)&conn.peer, &len) == 0 &&
	    (conn.peer.ss_family == AF_INET ||
	    conn.peer.ss_family == AF_INET6)) {
		conn.is_socket = true;
		len = sizeof(conn.local);
		if (getsockname(0, (struct sockaddr *)&conn.local, &len) < 0)
			memset(&conn.local, 0, sizeof(conn.local));
	}
	(void)signal(SIGPIPE, SIG_IGN);
	return srv_session(c, &conn);
}

/* mode_print_queue - -bp and mailq: the queue in sendmail's layout */
static int
mode_print_queue(struct config *c, const struct args *a)
{
	char owner[160];
	struct q_select *sel;
	struct q_job *jobs;
	size_t n, i, shown;
	struct stat st;
	int rc = EX_OK, scan, e;

	if ((c->opt.PrivacyOptions & SM_PRIV_RESTRICTMAILQ) &&
	    getuid() != 0 && stat(c->opt.QueueDirectory, &st) == 0 &&
	    getgid() != st.st_gid && getegid() != st.st_gid) {
		(void)printf("510 You are not permitted to see the queue\n");
		return EX_NOPERM;
	}
	sel = sm_calloc(a->nqsel + 1, sizeof(*sel));
	for (i = 0; i < a->nqsel; i++) {
		sel[i].kind = a->qsel[i].kind;
		sel[i].negate = a->qsel[i].negate;
		sel[i].pattern = a->qsel[i].pattern;
	}
	scan = q_scan(c->opt.QueueDirectory, sel, a->nqsel, &jobs, &n);
	e = errno;
	/* Read: the program's group is not needed any more. */
	sm_priv_lose_group();
	if (scan < 0) {
		errno = e;
		if (e == EACCES && stat(c->opt.QueueDirectory, &st) == 0) {
			q_owner_name(st.st_uid, st.st_gid, owner,
			    sizeof(owner));
			sm_errorx("cannot read queue directory %s: it is "
			    "%s's, mode %04o: only root%s may list it",
			    c->opt.QueueDirectory, owner,
			    (unsigned)(st.st_mode & 07777),
			    st.st_mode & S_IRGRP ? " and that group" : "");
		} else
			sm_error("cannot read queue directory %s",
			    c->opt.QueueDirectory);
		free(sel);
		return EX_TEMPFAIL;
	}
	q_sort(jobs, n, c->opt.QueueSortOrder);
	shown = c->opt.MaxQueueRunSize > 0 &&
	    n > (size_t)c->opt.MaxQueueRunSize ?
	    (size_t)c->opt.MaxQueueRunSize : n;
	q_list_print(stdout, c->opt.QueueDirectory, jobs, shown, a->verbose,
	    n);
	if (fflush(stdout) != 0)
		rc = EX_IOERR;
	q_jobs_free(jobs, n);
	free(sel);
	return rc;
}

/* mode_queue_run - -q and -qf: one run over the queue */
static int
mode_queue_run(struct config *c, const struct args *a)
{
	struct q_select *sel;
	char err[1024];
	const char *user;
	struct stat st;
	size_t i;
	int rc;

	if (a->queue_persistent) {
		sm_errorx("persistent queue runners (-qp) are not available in "
		    "this version");
		return EX_UNAVAILABLE;
	}
	if (a->queue_interval > 0)	/* -q15m alone: a runner daemon */
		return master_run(c, a, false);
	if ((c->opt.PrivacyOptions & SM_PRIV_RESTRICTQRUN) && getuid() != 0 &&
	    (stat(c->opt.QueueDirectory, &st) < 0 || st.st_uid != getuid())) {
		sm_errorx("You do not have permission to process the queue");
		return EX_NOPERM;
	}
	/* Said on standard error, before a run from cron goes away. */
	if (a->submit_cf != 'c' && config_adopt_queue(c, err,
	    sizeof(err)) < 0) {
		sm_errorx("queue run: %s", err);
		return EX_CONFIG;
	}
	/* -q from cron returns at once; -qf waits for the run. */
	if (!a->queue_foreground) {
		pid_t pid = fork();

		if (pid < 0) {
			sm_error("cannot fork the queue runner");
			return EX_OSERR;
		}
		if (pid > 0)
			return EX_OK;
		(void)setsid();
	}
	/* The runner reads the network: never as root. */
	if (geteuid() == 0) {
		user = config_run_as(c);
		if (a->submit_cf != 'c') {
			(void)local_service_start(c);
			(void)secure_prepare(c);
		}
		if (a->submit_cf == 'c' ? clientq_become(c, user,
		    err, sizeof(err)) < 0 : sm_priv_drop(user, err,
		    sizeof(err)) < 0) {
			sm_errorx("queue run: %s", err);
			return EX_OSERR;
		}
	}
	(void)signal(SIGPIPE, SIG_IGN);
	if (a->verbose && a->queue_foreground)
		q_smtp_trace = stdout;	/* -v -qf: each conversation */
	sel = sm_calloc(a->nqsel + 1, sizeof(*sel));
	for (i = 0; i < a->nqsel; i++) {
		sel[i].kind = a->qsel[i].kind;
		sel[i].negate = a->qsel[i].negate;
		sel[i].pattern = a->qsel[i].pattern;
	}
	rc = a->submit_cf == 'c' ? clientq_run(c) :
	    delivery_queue_run(c, sel, a->nqsel);
	free(sel);
	return rc;
}

/* print_host - one hoststat line */
struct hoststat_walk {
	bool		 header;
	const char	*dir;
};

static void
print_host(void *ctx, const char *host, const struct q_hs_entry *e)
{
	struct hoststat_walk *w = ctx;
	bool *header = &w->header;
	char age[32], name[300];
	size_t n = strlen(host);

	if (!*header) {
		(void)printf(" -------------- Hostname --------------- How long "
		    "ago ---------Results---------\n");
		*header = true;
	}
	/* Address literals show without their brackets. */
	if (n > 2 && host[0] == '[' && host[n - 1] == ']')
		(void)snprintf(name, sizeof(name), "%.*s", (int)(n - 2),
		    host + 1);
	else
		(void)snprintf(name, sizeof(name), "%s", host);
	(void)printf("%c%-39s %12s %.25s\n", q_hs_host_locked(w->dir, host) ?
	    '*' : ' ', name,
	    sm_time_delay(time(NULL) - e->when, age, sizeof(age)),
	    e->state == Q_HS_OK ? "OK" : e->reply);
}

/* mode_queue_counts - -bP: how many messages the queue holds */
static int
mode_queue_counts(struct config *c)
{
	struct q_job *jobs;
	size_t n;

	if (q_scan(c->opt.QueueDirectory, NULL, 0, &jobs, &n) < 0) {
		sm_error("cannot read queue directory %s",
		    c->opt.QueueDirectory);
		return EX_TEMPFAIL;
	}
	(void)printf("%s: entries=%zu\n", c->opt.QueueDirectory, n);
	q_jobs_free(jobs, n);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* mode_hoststat - -bh (hoststat) and -bH (purgestat) */
static int
mode_hoststat(struct config *c, bool purge)
{
	char dir[4200];
	struct hoststat_walk w = { false, dir };

	q_hs_dir(&c->opt, dir, sizeof(dir));
	if (dir[0] == '\0')
		return EX_OK;		/* no directory: nothing is kept */
	if (purge)
		(void)q_hs_purge(dir, c->opt.to.hoststatus);
	else
		(void)q_hs_walk(dir, print_host, &w);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* What -bv found, printed as sendmail prints it. */
struct verify {
	const struct config	*c;
	int			 rc;
	bool			 verbose;	/* -v: notes too */
	struct sm_strlist	 said;	/* each line once */
};

/* say - a -bv line, unless it was printed already */
static void
say(struct verify *v, const char *line)
{
	size_t i;

	for (i = 0; i < v->said.n; i++)
		if (strcmp(v->said.v[i], line) == 0)
			return;
	sm_strlist_add(&v->said, line);
	(void)printf("%s\n", line);
}

/* verify_remote - an address another host gets */
static void
verify_remote(struct verify *v, const char *addr)
{
	struct sm_buf smart, line;
	const char *host, *at = strrchr(addr, '@');
	struct route *rt = route_open(v->c);
	struct route_result rr;

	sm_buf_init(&smart, 0);
	sm_buf_init(&line, 0);
	(void)sm_cf_expand(v->c->cf, "$S", &smart);
	host = route_host_of(smart.data);
	if (at != NULL && route_domain(rt, at + 1, &rr) != 0 &&
	    rr.kind != ROUTE_LOCAL) {
		/* mailertable, or the hub's own name */
		if (rr.kind == ROUTE_ERROR) {
			(void)sm_buf_printf(&line, "%s... %s", addr,
			    rr.res.text);
			if (v->rc == EX_OK)
				v->rc = rr.res.status == Q_TEMPFAIL ?
				    EX_TEMPFAIL : EX_UNAVAILABLE;
		} else
			(void)sm_buf_printf(&line, "%s... deliverable: mailer "
			    "%s, host %s, user %s", addr, rr.mailer, rr.host,
			    addr);
	} else if (host[0] != '\0')
		(void)sm_buf_printf(&line, "%s... deliverable: mailer relay, "
		    "host %s, user %s", addr, host, addr);
	else
		(void)sm_buf_printf(&line, "%s... deliverable: mailer esmtp, "
		    "host %s, user %s", addr, at != NULL ? at + 1 : "", addr);
	say(v, sm_buf_str(&line));
	route_close(rt);
	sm_buf_free(&smart);
	sm_buf_free(&line);
}

/* routed_here - does mailertable keep this domain's mail here? */
static bool
routed_here(const struct config *c, const char *domain)
{
	struct route *rt = route_open(c);
	struct route_result rr;
	bool here = route_domain(rt, domain, &rr) > 0 &&
	    rr.kind == ROUTE_LOCAL;

	route_close(rt);
	return here;
}

/* verify_target - one address an expansion ends in */
static void
verify_target(void *ctx, enum local_kind kind, const char *text,
    const struct q_result *res)
{
	struct verify *v = ctx;
	struct sm_buf line;
	char bare[400];
	size_t n = strlen(text);

	sm_buf_init(&line, 0);
	switch (kind) {
	case LOCAL_MAILBOX:
		(void)sm_buf_printf(&line, "%s... deliverable: mailer local, "
		    "user %s", text, text);
		break;
	case LOCAL_PROG:
		(void)sm_buf_printf(&line, "\"|%s\"... deliverable: mailer "
		    "prog, user |%s", text, text);
		break;
	case LOCAL_FILE:
		(void)sm_buf_printf(&line, "%s... deliverable: mailer *file*, "
		    "user %s", text, text);
		break;
	case LOCAL_REMOTE:
		(void)snprintf(bare, sizeof(bare), "%.*s", n >= 2 ?
		    (int)(n - 2) : 0, text + 1);
		verify_remote(v, bare);
		break;
	case LOCAL_NOTE:
		if (v->verbose)
			(void)sm_buf_puts(&line, text);
		break;
	case LOCAL_UNKNOWN:
	default:
		(void)sm_buf_printf(&line, "%s... %s", text, res != NULL ?
		    res->text : "User unknown");
		if (v->rc == EX_OK || v->rc == EX_TEMPFAIL)
			v->rc = res != NULL && strcmp(res->dsn, "5.1.1") == 0 ?
			    EX_NOUSER : res != NULL && res->dsn[0] == '4' ?
			    EX_TEMPFAIL : EX_UNAVAILABLE;
		break;
	}
	if (line.len > 0)
		say(v, sm_buf_str(&line));
	sm_buf_free(&line);
}

/*
 * mode_verify - -bv: how each address resolves, aliases and .forward
 * files expanded, nothing delivered; each line once.
 */
static int
mode_verify(struct config *c, const struct args *a)
{
	static const struct local_verify_cb cb = { verify_target };
	struct verify v;
	enum sm_addr_result r;
	struct sm_addr addr;
	struct sm_buf line;
	size_t i, n;
	char *path;

	if (a->nrcpts == 0) {
		sm_errorx("Recipient names must be specified");
		return EX_USAGE;
	}
	memset(&v, 0, sizeof(v));
	v.c = c;
	v.rc = EX_OK;
	v.verbose = a->verbose;
	sm_buf_init(&line, 0);
	for (i = 0; i < a->nrcpts; i++) {
		const char *t = a->rcpts[i];

		n = strlen(t);
		path = t[0] == '<' && n >= 2 && t[n - 1] == '>' ?
		    sm_strndup(t + 1, n - 2) : sm_strdup(t);
		if ((r = sm_addr_parse(path, &addr)) != SM_ADDR_OK ||
		    addr.null) {
			sm_buf_reset(&line);
			(void)sm_buf_printf(&line, "%s... %s", t,
			    r != SM_ADDR_OK ? sm_addr_errtext(r) :
			    "Syntax error in address");
			say(&v, sm_buf_str(&line));
			if (v.rc == EX_OK)
				v.rc = EX_USAGE;
		} else if (addr.domain != NULL &&
		    !config_is_local_domain(c, addr.domain) &&
		    !sm_cf_class_has(c->cf, "VirtHost", addr.domain) &&
		    !routed_here(c, addr.domain))
			verify_remote(&v, addr.text);
		else
			local_verify(c, addr.text, &cb, &v);
		sm_addr_free(&addr);
		free(path);
	}
	sm_buf_free(&line);
	sm_strlist_clear(&v.said);
	(void)fflush(stdout);
	return v.rc;
}

/* mode_name - how a mode is named in messages */
static const char *
mode_name(char mode)
{
	switch (mode) {
	case 'd':
	case 'D':
		return "the daemon";
	case 'm':
		return "mail submission";
	case 's':
		return "SMTP on standard input";
	case 'p':
		return "the queue listing";
	case 'P':
		return "queue counts";
	case 'i':
		return "the alias database";
	case 'v':
		return "address verification";
	case 't':
		return "address test mode";
	case 'h':
		return "host status";
	case 'H':
		return "host status purging";
	default:
		return "this mode";
	}
}

/*
 * keep_group_if_safe - installed set-group-id (the client queue's
 * group), keep that group only for what cannot read more than the user
 * may: a configuration file that root owns, that no one else may
 * change and that everyone may read, and the option letters of a
 * submission (-oi, -oe, -od, -om, and those of -v, -c, -s).  Anything
 * else runs with the user's own group, as sendmail drops its
 * privileges for -C.
 */
static void
keep_group_if_safe(const struct args *a)
{
	struct stat st;
	gid_t g = getgid();
	size_t i;
	bool safe = true;

	if (getegid() == g)
		return;
	if (a->cf_path != NULL && (stat(a->cf_path, &st) < 0 ||
	    st.st_uid != 0 || (st.st_mode & 022) || !(st.st_mode & 04)))
		safe = false;
	for (i = 0; i < a->nover; i++)
		if (a->over[i].letter == 0 ||
		    strchr("iedmvcf", a->over[i].letter) == NULL)
			safe = false;
	if (!safe)
		(void)setresgid(g, g, g);
}

/* smd_main - the whole program; returns a sysexits code */
int
smd_main(int argc, char **argv)
{
	struct args a;
	struct config c;
	char err[1024];
	int rc;

	sm_log_init("sendmail", SM_LOG_STDERR);
	if ((rc = args_parse(argc, argv, &a, err, sizeof(err))) != 0) {
		sm_errorx("%s", err);
		return rc;
	}
	if (a.logtag != NULL)
		sm_log_init(a.logtag, SM_LOG_STDERR);
	if (a.debug != NULL)	/* -d: tracing on the terminal */
		sm_log_set_flags(sm_log_flags() | SM_LOG_DEBUG);
	if (a.queue_run && a.mode == 'm')
		a.mode = 'q';	/* -q alone: a queue run */
	keep_group_if_safe(&a);
	if ((rc = config_load(&c, &a, err, sizeof(err))) != 0) {
		sm_errorx("%s", err);
		if (c.cf != NULL)
			config_free(&c);
		args_free(&a);
		return rc;
	}
	switch (a.mode) {
	case 'O':
		rc = mode_print_options(&c);
		break;
	case 'C':
		rc = EX_OK;	/* the configuration loaded: it is good */
		break;
	case 'd':
	case 'D':
		sm_log_init(a.logtag != NULL ? a.logtag : "sendmail",
		    SM_LOG_STDERR | SM_LOG_SYSLOG);
		rc = master_run(&c, &a, a.mode == 'D');
		break;
	case 's':
		sm_log_init(a.logtag != NULL ? a.logtag : "sendmail",
		    SM_LOG_SYSLOG);
		rc = mode_smtp_stdin(&c);
		break;
	case 'p':
		rc = mode_print_queue(&c, &a);
		break;
	case 'P':
		rc = mode_queue_counts(&c);
		break;
	case 'h':
	case 'H':
		rc = mode_hoststat(&c, a.mode == 'H');
		break;
	case 'm':
		sm_log_init(a.logtag != NULL ? a.logtag : "sendmail",
		    SM_LOG_STDERR | SM_LOG_SYSLOG);
		rc = submit_main(&c, &a);
		break;
	case 'i':
		sm_log_init(a.logtag != NULL ? a.logtag : "sendmail",
		    SM_LOG_STDERR | SM_LOG_SYSLOG);
		rc = aliases_build(&c, invoker());
		break;
	case 'v':
		rc = mode_verify(&c, &a);
		break;
	case 'q':
		sm_log_init(a.logtag != NULL ? a.logtag : "sendmail",
		    SM_LOG_SYSLOG | (a.queue_foreground || a.verbose ?
		    SM_LOG_STDERR : 0));
		rc = mode_queue_run(&c, &a);
		break;
	default:
		sm_errorx("%s (-b%c%s) is not available in this version",
		    a.mode == 'q' ? "a queue run" : mode_name(a.mode),
		    a.mode == 'q' ? 'm' : a.mode, a.mode == 'q' ? " -q" : "");
		rc = EX_UNAVAILABLE;
		break;
	}
	config_free(&c);
	args_free(&a);
	return rc;
}
