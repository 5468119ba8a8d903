/*
 * master - the master of -bd/-bD; see master.h.
 *
 * The master runs as the user that started it (root, to bind port 25)
 * and never reads a byte from a client: it accepts, forks, and the
 * child drops privileges before it reads anything.  All signal work
 * happens in the loop, woken through sm_proc's self-pipe.
 */
#include "master.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clientq.h"
#include "sm_alloc.h"
#include "sm_deadline.h"
#include "sm_log.h"
#include "sm_proc.h"
#include "clients.h"
#include "daemon_port.h"
#include "delivery.h"
#include "agents.h"
#include "local.h"
#include "q_commit.h"
#include "q_file.h"
#include "sm_time.h"
#include "secure.h"
#include "srv_session.h"

struct listener {
	struct daemon_spec	 spec;
	int			 fd;
	bool			 throttled;	/* its sessions die on signals */
	struct sm_deadline	 next_fork;	/* then: not before this */
};

struct child {
	pid_t			 pid;
	char			 peer[64];
	bool			 session;	/* addr is its client's */
	struct clients_addr	 addr;
	struct listener		*listener;	/* a session's, else NULL */
};

/* What the master knows of a new connection's client. */
struct client {
	struct sockaddr_storage	 peer;
	struct clients_addr	 addr;
	bool			 known;		/* an inet or inet6 client */
	char			 ip[64];
	unsigned		 open;		/* its sessions, this one too */
	unsigned		 rate;		/* its connections in the window */
};

struct master {
	struct config	*c;
	bool		 c_owned;	/* c came from reload(): ours to free */
	const struct args *a;
	struct listener	*ls;
	size_t		 nls;
	struct child	*kids;
	size_t		 nkids, capkids;
	time_t		 second;	/* the second being counted */
	long		 in_second;	/* connections accepted in it */
	bool		 said_full, said_rate;
	struct clients	*rates;		/* connections per client address */
	time_t		 said_share;	/* when the last refusal was logged */
	unsigned long	 refused;	/* refusals since */
	bool		 stop;
	time_t		 next_run;	/* -q15m: the next queue run */
	struct pollfd	*pfd;		/* the signal pipe and listeners */
	bool		 ids_known;	/* child_user resolved to uid, gid */
	uid_t		 uid;
	gid_t		 gid;
};

/* open_listener - socket, bind, listen; -1 with errno on failure */
static int
open_listener(const struct daemon_spec *d, int backlog)
{
	int fd, one = 1, e;

	fd = socket(d->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (d->family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)&d->addr, d->addrlen) < 0 ||
	    listen(fd, d->backlog > 0 ? d->backlog : backlog) < 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* write_pidfile - line 1 the pid, line 2 the command line */
static void
write_pidfile(const struct config *c, int argc, char **argv)
{
	FILE *fp;
	int i;

	if (c->opt.PidFile[0] == '\0')
		return;
	if ((fp = fopen(c->opt.PidFile, "w")) == NULL) {
		sm_warn("cannot write pid file %s", c->opt.PidFile);
		return;
	}
	(void)fprintf(fp, "%ld\n", (long)getpid());
	for (i = 0; i < argc; i++)
		(void)fprintf(fp, "%s%s", i > 0 ? " " : "", argv[i]);
	(void)fputc('\n', fp);
	if (fclose(fp) != 0)
		sm_warn("cannot write pid file %s", c->opt.PidFile);
}

/*
 * throttle - a session of listener l ended with status: one killed by a
 * signal (a crash, or a kill from outside) slows the listener down to one
 * fork a second, so a session that dies on every connection cannot make
 * the master fork as fast as clients connect; one that exits lifts it.
 */
static void
throttle(struct master *m, struct listener *l, int status)
{
	if (m->stop)
		return;		/* our own SIGTERM on the way out */
	if (WIFSIGNALED(status) && !l->throttled) {
		l->throttled = true;
		sm_deadline_in_ms(&l->next_fork, MASTER_THROTTLE_MS);
		sm_warnx("daemon %s: a session died on signal %d; sessions "
		    "start at most once a second until one ends normally",
		    l->spec.name, WTERMSIG(status));
	} else if (WIFEXITED(status) && l->throttled) {
		l->throttled = false;
		sm_notice("daemon %s: a session ended normally; sessions "
		    "start without delay again", l->spec.name);
	}
}

/*
 * throttled - a throttled listener is left out of the poll (fd -1) until
 * its next fork is due, and the poll wakes up then
 */
static void
throttled(const struct listener *l, struct pollfd *p, int *timeout_ms)
{
	int wait;

	if (!l->throttled || (wait = sm_deadline_left_ms(&l->next_fork)) == 0)
		return;
	p->fd = -1;
	if (wait < *timeout_ms)
		*timeout_ms = wait;
}

/* reap - collect every child that exited */
static void
reap(struct master *m)
{
	pid_t pid;
	int status;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (agent_reaped(pid) >= 0) {
			if (WIFSIGNALED(status))
				sm_warnx("delivery agent %ld died on signal "
				    "%d; it is started again", (long)pid,
				    WTERMSIG(status));
			else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
				sm_warnx("delivery agent %ld exited with status "
				    "%d; it is started again", (long)pid,
				    WEXITSTATUS(status));
			continue;
		}
		for (i = 0; i < m->nkids; i++)
			if (m->kids[i].pid == pid)
				break;
		if (i < m->nkids && m->kids[i].listener != NULL)
			throttle(m, m->kids[i].listener, status);
		if (WIFSIGNALED(status))
			sm_warnx("child %ld (%s) died on signal %d", (long)pid,
			    i < m->nkids ? m->kids[i].peer : "?",
			    WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			sm_warnx("child %ld (%s) exited with status %d",
			    (long)pid, i < m->nkids ? m->kids[i].peer : "?",
			    WEXITSTATUS(status));
		if (i < m->nkids)
			m->kids[i] = m->kids[--m->nkids];
	}
}

/* child_user - whom a session child becomes: none unless we are root */
static const char *
child_user(const struct config *c)
{
	if (geteuid() != 0)
		return NULL;
	return config_run_as(c);
}

/*
 * resolve_user - look child_user up once, at start and after SIGHUP,
 * so that children do not read the user database per connection.  A
 * name that does not resolve now is looked up again by each child,
 * which then says why it cannot go on.
 */
static void
resolve_user(struct master *m)
{
	const char *user = child_user(m->c);
	char err[256];

	m->ids_known = user != NULL &&
	    sm_priv_resolve(user, &m->uid, &m->gid, err, sizeof(err)) == 0;
}

/* drop_privileges - in a child: become child_user for good */
static int
drop_privileges(const struct master *m, char *err, size_t errlen)
{
	const char *user = child_user(m->c);

	if (user == NULL)
		return 0;
	if (m->ids_known)
		return sm_priv_become(m->uid, m->gid, user, err, errlen);
	return sm_priv_drop(user, err, errlen);
}

/*
 * in_child - a new child leaves the master's work behind: the listening
 * sockets, the poll set, the list of children, the signal handlers.
 */
static void
in_child(struct master *m)
{
	size_t i;

	for (i = 0; i < m->nls; i++)
		(void)close(m->ls[i].fd);
	free(m->pfd);
	m->pfd = NULL;
	free(m->kids);
	m->kids = NULL;
	m->nkids = m->capkids = 0;
	clients_free(m->rates);
	m->rates = NULL;
	sm_sig_child_reset();
}

/*
 * child_start - in a new child: leave the master's work behind and
 * become child_user for good, or end saying why (what names the child)
 */
static void
child_start(struct master *m, const char *what)
{
	char err[256];

	in_child(m);
	if (drop_privileges(m, err, sizeof(err)) < 0) {
		sm_errorx("%s: %s", what, err);
		_exit(EX_OSERR);
	}
}

/*
 * prepare - secure_prepare before a fork; when the authinfo map changed,
 * the delivery agents start again to read it
 */
static void
prepare(struct master *m)
{
	if (secure_prepare(m->c))
		agent_restart();
}

/*
 * add_kid - remember a child of the master: a session of client cl, or
 * (cl NULL) the work that what names
 */
static void
add_kid(struct master *m, pid_t pid, const char *what,
    const struct client *cl)
{
	struct child *k;

	if (m->nkids == m->capkids) {
		m->capkids = m->capkids > 0 ? m->capkids * 2 : 16;
		m->kids = sm_reallocarray(m->kids, m->capkids,
		    sizeof(*m->kids));
	}
	k = &m->kids[m->nkids++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	(void)sm_strlcpy(k->peer, what, sizeof(k->peer));
	if (cl != NULL && cl->known) {
		k->session = true;
		k->addr = cl->addr;
	}
}

/* serve - in the child: drop privileges, then run the session */
static void
serve(struct master *m, int fd, const struct listener *l,
    const struct client *cl)
{
	struct srv_conn conn;
	socklen_t len = sizeof(conn.local);
	int rc;

	/* ROOT until here.  Nothing is read from the client before this. */
	child_start(m, "session child");
	/* Queue-only modes deliver nothing from the session. */
	if (m->c->opt.DeliveryMode == 'q' || m->c->opt.DeliveryMode == 'd')
		local_service_forget();
	memset(&conn, 0, sizeof(conn));
	conn.rfd = conn.wfd = fd;
	conn.peer = cl->peer;
	conn.is_socket = true;
	conn.daemon = &l->spec;
	/* ${client_connections}, ${client_rate}: as the master counted. */
	conn.counted = cl->known;
	conn.client_connections = cl->open;
	conn.client_rate = cl->rate;
	if (getsockname(fd, (struct sockaddr *)&conn.local, &len) < 0)
		memset(&conn.local, 0, sizeof(conn.local));
	rc = srv_session(m->c, &conn);
	/* Nothing to clean up that the kernel does not: leave at once. */
	(void)fflush(NULL);
	_exit(rc);
}

/* start_runner - -q15m: fork one queue run */
static void
start_runner(struct master *m)
{
	pid_t pid;
	size_t i, running = 0;

	for (i = 0; i < m->nkids; i++)
		if (strcmp(m->kids[i].peer, "queue run") == 0)
			running++;
	if (m->c->opt.MaxQueueChildren > 0 &&
	    running >= (size_t)m->c->opt.MaxQueueChildren) {
		sm_notice("queue run skipped: %zu runs going, MaxQueueChildren "
		    "%ld", running, m->c->opt.MaxQueueChildren);
		return;
	}
	prepare(m);			/* a changed authinfo map */
	if ((pid = fork()) < 0) {
		sm_warn("cannot fork a queue run");
		return;
	}
	if (pid == 0) {
		child_start(m, "queue run");
		exit(delivery_queue_run(m->c, NULL, 0));
	}
	add_kid(m, pid, "queue run", NULL);
}

/*
 * start_agents - the resident delivery agents whose time has come (at
 * start, after one ended, after SIGHUP); *timeout_ms is lowered to the
 * wait until the next
 */
static void
start_agents(struct master *m, int *timeout_ms)
{
	time_t now = sm_clock_sec();	/* a clock no one sets */
	pid_t pid;
	int slot;

	while ((slot = agent_due(now, timeout_ms)) >= 0) {
		prepare(m);
		if ((pid = fork()) < 0) {
			sm_warn("cannot fork a delivery agent");
			agent_started((size_t)slot, 0, now);
			return;
		}
		if (pid == 0) {
			child_start(m, "delivery agent");
			agent_main(m->c, (size_t)slot);
		}
		agent_started((size_t)slot, pid, now);
	}
}

/*
 * client_queue_waiting - does ClientQueueDirectory hold a message?  The
 * master only looks at names; the run it starts does the rest.
 */
static bool
client_queue_waiting(const struct config *c)
{
	struct dirent *e;
	DIR *d;
	bool any = false;

	if ((d = opendir(c->opt.ClientQueueDirectory)) == NULL)
		return false;
	while (!any && (e = readdir(d)) != NULL)
		any = strncmp(e->d_name, "qf", 2) == 0;	/* or qf/ */
	(void)closedir(d);
	return any;
}

/*
 * start_pickup - send what users queued while we were down to ourselves:
 * a run over ClientQueueDirectory as child_user with the directory's
 * group (the group the submission program is set-group-id to).
 */
static void
start_pickup(struct master *m)
{
	const char *user = child_user(m->c);
	char err[256];
	pid_t pid;

	if (m->nls == 0 || !client_queue_waiting(m->c))
		return;
	if ((pid = fork()) < 0) {
		sm_warn("cannot fork a client queue run");
		return;
	}
	if (pid == 0) {
		in_child(m);
		if (user != NULL && clientq_become(m->c, user, err,
		    sizeof(err)) < 0) {
			sm_errorx("client queue run: %s", err);
			_exit(EX_OSERR);
		}
		exit(clientq_run(m->c));
	}
	add_kid(m, pid, "client queue run", NULL);
}

/*
 * daemon_share - how many sessions one client address may have at once
 * by MaxDaemonChildren and MaxClientShare (ours): that share of
 * the first, rounded up; 0 when no share limits it
 */
static long
daemon_share(const struct sm_options *o)
{
	long max = o->MaxDaemonChildren, share;

	if (max <= 0 || o->MaxClientShare >= 100)
		return 0;
	share = (max * o->MaxClientShare + 99) / 100;
	return share < max ? share : 0;
}

/*
 * count_client - what the master knows of the client of a new
 * connection: its sessions open now (this one too) and its connections
 * in the last ConnectionRateWindowSize seconds (this one too), as
 * sendmail counts ${client_connections} and ${client_rate}
 */
static void
count_client(struct master *m, struct client *cl)
{
	const struct sockaddr_storage *p = &cl->peer;
	size_t i;

	(void)sm_strlcpy(cl->ip, "?", sizeof(cl->ip));
	(void)inet_ntop(p->ss_family, p->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)(const void *)p)->
	    sin6_addr : (const void *)&((const struct sockaddr_in *)
	    (const void *)p)->sin_addr, cl->ip, sizeof(cl->ip));
	if (!(cl->known = clients_addr(p, &cl->addr)))
		return;
	cl->open = 1;
	for (i = 0; i < m->nkids; i++)
		if (m->kids[i].session &&
		    clients_addr_eq(&m->kids[i].addr, &cl->addr))
			cl->open++;
	cl->rate = clients_add(m->rates, &cl->addr,
	    m->c->opt.ConnectionRateWindowSize, 1);
}

/*
 * refuse - a client past its share of MaxDaemonChildren: 421 and close,
 * here, without a fork.  The reply is one short write that cannot
 * block (a new socket's buffer is empty), so the master never waits on
 * the client; a flood of refusals is logged every ten seconds.
 */
static void
refuse(struct master *m, int fd, const struct client *cl, long share)
{
	static const char reply[] = "421 4.3.2 Too many open connections.\r\n";
	time_t now = sm_clock_sec();

	(void)send(fd, reply, sizeof(reply) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)close(fd);
	m->refused++;
	if (m->said_share != 0 && now - m->said_share < 10)
		return;
	sm_notice("refusing connections from [%s]: %u open, at most %ld from "
	    "one address (MaxClientShare); %lu refused", cl->ip,
	    cl->open - 1, share, m->refused);
	m->said_share = now;
	m->refused = 0;
}

/* accept_one - take one connection from listener l and fork for it */
static void
accept_one(struct master *m, struct listener *l)
{
	struct client cl;
	socklen_t len = sizeof(cl.peer);
	long share = daemon_share(&m->c->opt);
	pid_t pid;
	int fd;

	memset(&cl, 0, sizeof(cl));
	fd = accept4(l->fd, (struct sockaddr *)&cl.peer, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ECONNABORTED && errno != EINTR)
			sm_warn("accept on daemon %s", l->spec.name);
		return;
	}
	count_client(m, &cl);
	/* This host's own programs (they may relay, too) have no share. */
	if (cl.known && share > 0 && (long)cl.open > share &&
	    !clients_addr_local(&cl.addr)) {
		/* No fork: not counted by ConnectionRateThrottle either. */
		refuse(m, fd, &cl, share);
		return;
	}
	m->in_second++;
	prepare(m);
	if ((pid = fork()) < 0) {
		sm_warn("cannot fork for %s", cl.ip);
		(void)close(fd);
		return;
	}
	if (pid == 0)
		serve(m, fd, l, &cl);
	(void)close(fd);
	add_kid(m, pid, cl.ip, &cl);
	m->kids[m->nkids - 1].listener = l;
	if (l->throttled)
		sm_deadline_in_ms(&l->next_fork, MASTER_THROTTLE_MS);
}

/* may_accept - the limits: MaxDaemonChildren, ConnectionRateThrottle */
static bool
may_accept(struct master *m, int *timeout_ms)
{
	struct timespec now;
	long max = m->c->opt.MaxDaemonChildren;
	long rate = m->c->opt.ConnectionRateThrottle;

	(void)clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != m->second) {
		m->second = now.tv_sec;
		m->in_second = 0;
		m->said_rate = false;
	}
	*timeout_ms = 60000;
	if (max > 0 && m->nkids >= (size_t)max) {
		if (!m->said_full)
			sm_notice("rejecting connections on daemon %s: %zu "
			    "children, max %ld", m->ls[0].spec.name, m->nkids,
			    max);
		m->said_full = true;
		return false;
	}
	m->said_full = false;
	if (rate > 0 && m->in_second >= rate) {
		if (!m->said_rate)
			sm_notice("deferring connections on daemon %s: %ld "
			    "per second", m->ls[0].spec.name, rate);
		m->said_rate = true;
		*timeout_ms = (int)(1000 - now.tv_nsec / 1000000) + 1;
		return false;
	}
	return true;
}

/* reload - SIGHUP: a new configuration for new children */
static void
reload(struct master *m)
{
	struct config *n = sm_calloc(1, sizeof(*n));
	char err[1024];

	if (config_load(n, m->a, err, sizeof(err)) != 0 ||
	    config_adopt_queue(n, err, sizeof(err)) < 0) {
		sm_errorx("SIGHUP: configuration not reloaded: %s", err);
		if (n->cf != NULL)
			config_free(n);
		free(n);
		return;
	}
	/* Children forked earlier have their own copy of the old one. */
	if (m->c_owned) {
		config_free(m->c);
		free(m->c);
	}
	m->c = n;
	m->c_owned = true;
	resolve_user(m);
	(void)local_service_start(n);
	(void)config_tls(n, true);
	(void)secure_prepare(n);
	q_msg_probe(n->opt.QueueDirectory);	/* before the agents fork */
	agent_restart();
	sm_info("configuration reloaded on SIGHUP: %s", n->path);
}

/* shutdown_all - SIGTERM: stop listening, end the children, bounded */
static void
shutdown_all(struct master *m)
{
	struct timespec start, now;
	size_t i;

	for (i = 0; i < m->nls; i++)
		(void)close(m->ls[i].fd);
	for (i = 0; i < m->nkids; i++)
		(void)kill(m->kids[i].pid, SIGTERM);
	agent_signal(SIGTERM);
	(void)clock_gettime(CLOCK_MONOTONIC, &start);
	while (m->nkids > 0 || agent_running() > 0) {
		struct pollfd pfd = { sm_sig_fd(), POLLIN, 0 };

		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= MASTER_STOP_WAIT)
			break;
		(void)poll(&pfd, 1, 200);
		(void)sm_sig_next();
		reap(m);
	}
	/* Agents left finish the message they have (it was answered for),
	 * then end on their own. */
	for (i = 0; i < m->nkids; i++)
		(void)kill(m->kids[i].pid, SIGKILL);
	reap(m);
	if (m->c->opt.PidFile[0] != '\0')
		(void)unlink(m->c->opt.PidFile);
	sm_info("stopping daemon, reason=signal");
}

/* close_listeners - on an early return */
static int
close_listeners(struct master *m, int rc)
{
	size_t i;

	for (i = 0; i < m->nls; i++)
		(void)close(m->ls[i].fd);
	free(m->ls);
	return rc;
}

/* daemon_run - -bd (foreground false) and -bD */
int
master_run(struct config *c, const struct args *a, bool foreground)
{
	struct master m;
	struct pollfd *pfd;
	struct stat st;
	char err[512];
	size_t i, n;
	int timeout, sig;

	bool listening = a->mode == 'd' || a->mode == 'D';
	char every[32];

	memset(&m, 0, sizeof(m));
	m.c = c;
	m.a = a;
	resolve_user(&m);
	/* Before a session reads a byte: the queue is theirs. */
	if (config_adopt_queue(c, err, sizeof(err)) < 0) {
		sm_errorx("%s", err);
		return EX_CONFIG;
	}
	/* Users' messages wait there while the daemon is down. */
	if (config_client_queue_problem(c, err, sizeof(err)))
		sm_warnx("%s", err);
	if (stat(c->opt.QueueDirectory, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sm_errorx("queue directory %s: %s", c->opt.QueueDirectory,
		    errno != 0 ? strerror(errno) : "not a directory");
		return EX_CONFIG;
	}
	m.ls = sm_calloc(c->opt.DaemonPortOptions.n + 1, sizeof(*m.ls));
	for (i = 0; listening && i < c->opt.DaemonPortOptions.n; i++) {
		struct listener *l = &m.ls[m.nls];

		if (daemon_parse_spec(c->opt.DaemonPortOptions.v[i], (int)i,
		    &l->spec, err, sizeof(err)) < 0) {
			sm_errorx("%s", err);
			return close_listeners(&m, EX_CONFIG);
		}
		if ((l->fd = open_listener(&l->spec,
		    (int)c->opt.ListenQueueSize)) < 0) {
			if (l->spec.optional) {
				sm_warn("daemon %s: cannot listen on port %d "
				    "(optional, skipped)", l->spec.name,
				    l->spec.port);
				continue;
			}
			sm_error("daemon %s: cannot listen on port %d",
			    l->spec.name, l->spec.port);
			return close_listeners(&m, EX_OSERR);
		}
		m.nls++;
	}
	if (listening && m.nls == 0) {
		sm_errorx("no daemon sockets to listen on");
		return close_listeners(&m, EX_CONFIG);
	}
	if (!foreground && sm_detach() < 0) {
		sm_error("cannot detach");
		return close_listeners(&m, EX_OSERR);
	}
	sm_log_set_flags(foreground ? SM_LOG_SYSLOG | SM_LOG_STDERR :
	    SM_LOG_SYSLOG);
	/* Local deliveries become their users through it. */
	(void)local_service_start(c);
	/* Keys are read once, as root; children share the context. */
	(void)config_tls(c, true);
	srv_auth_init(c);
	if (listening && srv_auth_failures_init() < 0)
		sm_warn("no shared memory: AUTH failures are counted per "
		    "connection only");
	(void)secure_prepare(c);
	if (sm_sig_init() < 0) {
		sm_error("cannot create the signal pipe");
		return close_listeners(&m, EX_OSERR);
	}
	(void)sm_sig_catch(SIGCHLD);
	(void)sm_sig_catch(SIGTERM);
	(void)sm_sig_catch(SIGINT);
	(void)sm_sig_catch(SIGHUP);
	(void)signal(SIGPIPE, SIG_IGN);
	write_pidfile(c, a->argc, a->argv);
	if (q_commit_group_init() < 0)
		sm_warn("no shared memory: sessions fsync the queue directory "
		    "one by one");
	/* Sessions run as RunAsUser, which may not read the device. */
	q_msg_probe(c->opt.QueueDirectory);
	if (listening && c->opt.DeliveryMode == 'b' &&
	    agent_init((size_t)c->opt.DeliveryAgents) < 0)
		sm_warn("no delivery agents: each background delivery is "
		    "forked");
	(void)sm_time_delay(a->queue_interval, every, sizeof(every));
	if (a->queue_interval > 0)
		sm_info("starting daemon (%s): %squeueing@%s", SM_VERSION,
		    listening ? "SMTP+" : "", every);
	else
		sm_info("starting daemon (%s): SMTP", SM_VERSION);
	m.next_run = a->queue_interval > 0 ? time(NULL) : 0;
	if (m.next_run == 0)
		start_pickup(&m);	/* else with the first queue run */
	m.pfd = pfd = sm_calloc(m.nls + 1, sizeof(*pfd));
	m.rates = clients_new(false);
	while (!m.stop) {
		pfd[0].fd = sm_sig_fd();
		pfd[0].events = POLLIN;
		n = 1;
		if (may_accept(&m, &timeout))
			for (i = 0; i < m.nls; i++, n++) {
				pfd[n].fd = m.ls[i].fd;
				pfd[n].events = POLLIN;
				throttled(&m.ls[i], &pfd[n], &timeout);
			}
		start_agents(&m, &timeout);
		if (m.next_run > 0) {
			time_t now = time(NULL);

			if (now >= m.next_run) {
				start_runner(&m);
				start_pickup(&m);
				m.next_run = now + a->queue_interval;
			}
			if ((m.next_run - now) * 1000 < timeout)
				timeout = (int)(m.next_run - now) * 1000;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			sm_error("poll");
			break;
		}
		while ((sig = sm_sig_next()) != 0) {
			if (sig == SIGCHLD)
				reap(&m);
			else if (sig == SIGHUP)
				reload(&m);
			else
				m.stop = true;
		}
		if (m.stop)
			break;
		for (i = 1; i < n; i++)
			if ((pfd[i].revents & POLLIN) && may_accept(&m,
			    &timeout))
				accept_one(&m, &m.ls[i - 1]);
	}
	shutdown_all(&m);
	free(m.pfd);
	free(m.kids);
	free(m.ls);
	clients_free(m.rates);
	if (m.c_owned) {
		config_free(m.c);
		free(m.c);
	}
	return EX_OK;
}
