/*
 * q_dest - which host of a destination to connect to, the connection
 * kept for the next message, and host status; see q_dest.h.
 *
 * Runs in a queue runner or delivery process, as RunAsUser.
 */
#include "q_dest.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "q_hoststat.h"
#include "sm_alloc.h"
#include "sm_deadline.h"
#include "sm_dns.h"
#include "sm_log.h"
#include "sm_mx.h"
#include "sm_time.h"

struct q_dest {
	const struct sm_options	*opt;
	const char		*helo;		/* $j: EHLO, and our name */
	const struct q_client	*client;	/* TLS and AUTH hook */
	bool			(*is_local)(void *, const char *);
	void			*ctx;
	bool			 partial;	/* host status ignored */
	char			 hsdir[4200];	/* "" without HostStatusDirectory */
	struct q_hostmem	*hosts;		/* &own, or the runners' */
	struct q_hostmem	 own;
	_Atomic int		*open;		/* the runners' connections, or
						   NULL: nothing shared */
	bool			 counted;	/* in *open */
	bool			 crowded;	/* refused beside another */
	int			 host_lock;	/* SingleThreadDelivery, or -1 */
	struct q_conn		*conn;		/* the cached connection */
	char			 conn_host[256];	/* and its host, port */
	int			 conn_port;
	char			 conn_path[108];	/* or socket */
	bool			 conn_lmtp;
	time_t			 conn_used;	/* sm_clock_sec() */
};

/*
 * q_dest_new - what a delivery process knows of destinations: nothing
 * yet.  partial: a run with selectors or one message's delivery, which
 * ignores host status.
 */
struct q_dest *
q_dest_new(const struct sm_options *o, const char *helo,
    const struct q_client *client, bool (*is_local)(void *, const char *),
    void *ctx, bool partial)
{
	struct q_dest *d = sm_calloc(1, sizeof(*d));

	d->opt = o;
	d->helo = helo;
	d->client = client;
	d->is_local = is_local;
	d->ctx = ctx;
	d->partial = partial;
	d->host_lock = -1;
	q_hs_dir(o, d->hsdir, sizeof(d->hsdir));
	q_hm_init(&d->own);
	d->hosts = &d->own;
	return d;
}

/* reusing - has this runner a connection to host that it can use? */
static bool
reusing(const struct q_dest *d, const char *host, int port)
{
	return d->conn != NULL && q_smtp_usable(d->conn) &&
	    d->conn_port == port && strcmp(d->conn_host, host) == 0;
}

/* filed_failure - a failure of host in the cache file younger than window */
static bool
filed_failure(const struct q_dest *d, const char *host, long window,
    struct q_hs_entry *e)
{
	return d->hsdir[0] != '\0' && q_hs_get(d->hsdir, host, e) == 0 &&
	    e->state != Q_HS_OK && time(NULL) - e->when < window;
}

/*
 * wait_first - wait a little for the outcome of another runner's first
 * attempt at a host: Q_FIRST_WAIT_MS, less when that runner (who) ends;
 * false once it has ended, or once deadline has passed
 */
static bool
wait_first(pid_t who, const struct sm_deadline *deadline)
{
	struct pollfd p;
	int fd, n = 0;

	if (sm_deadline_expired(deadline))
		return false;
	/* A runner killed in its attempt leaves no outcome: see it end. */
	if ((fd = (int)syscall(SYS_pidfd_open, who, 0)) < 0) {
		if (errno == ESRCH)
			return false;
		(void)usleep(Q_FIRST_WAIT_MS * 1000);
		return true;
	}
	p.fd = fd;
	p.events = POLLIN;
	while ((n = poll(&p, 1, Q_FIRST_WAIT_MS)) < 0 && errno == EINTR)
		;
	(void)close(fd);
	return n <= 0;
}

/*
 * host_down - is host down for this run: a failure younger than
 * Timeout.hoststatus that a runner of the run met, or that the cache
 * file holds; the message waits then, without a connection.  The run's
 * first attempt at a host is made by one runner (this one, when none
 * has made it): another runner about to connect waits for its outcome,
 * and makes the attempt itself only when none comes within what such
 * an attempt can take (q_smtp_open_limit) or before the runner making
 * it ends.  Partial runs and Timeout.hoststatus=0 ignore host status,
 * and a runner with a connection to the host uses it.
 */
static bool
host_down(struct q_dest *d, const char *host, int port, struct q_result *res)
{
	long window = d->opt->to.hoststatus;
	bool filed = d->hsdir[0] == '\0';
	struct sm_deadline limit;
	struct q_hs_entry e;
	enum q_hm_state st;
	pid_t who = 0, gone = 0;

	if (window <= 0 || d->partial || reusing(d, host, port))
		return false;
	sm_deadline_in(&limit, q_smtp_open_limit(d->opt));
	for (;;) {
		st = q_hm_look(d->hosts, host, window, filed, &e, &who);
		if (st == Q_HM_GO)
			return false;
		if (st == Q_HM_DOWN ||
		    (st == Q_HM_NONE && filed_failure(d, host, window, &e)))
			break;
		if (st == Q_HM_NONE)
			filed = true;		/* look again and claim it */
		else if (who == gone) {
			/* Its outcome did not come: make the attempt here. */
			sm_notice("queue run: no outcome of runner %ld's "
			    "connection to %s; this runner tries it",
			    (long)who, host);
			q_hm_take(d->hosts, host);
			return false;
		} else if (!wait_first(who, &limit))
			gone = who;	/* one more look, then take it */
	}
	res->status = Q_TEMPFAIL;
	(void)snprintf(res->dsn, sizeof(res->dsn), "%s", e.dsn);
	(void)snprintf(res->text, sizeof(res->text), "%s", e.reply);
	return true;
}

/*
 * q_dest_remember - the outcome of talking to a host, for the run (the
 * runners that wait for it) and the cache file
 */
void
q_dest_remember(struct q_dest *d, const char *host, bool ok,
    const struct q_result *res)
{
	struct q_hs_entry e;

	memset(&e, 0, sizeof(e));
	e.when = time(NULL);
	e.state = ok ? Q_HS_OK : Q_HS_TEMP;
	if (!ok) {
		(void)snprintf(e.dsn, sizeof(e.dsn), "%s", res->dsn);
		(void)snprintf(e.reply, sizeof(e.reply), "%.255s", res->text);
	}
	/* Still up: the file already says so (one write per change). */
	if (!q_hm_set(d->hosts, host, &e) || d->hsdir[0] == '\0')
		return;
	if (ok)
		(void)q_hs_clear(d->hsdir, host);
	else
		(void)q_hs_put(d->hsdir, host, &e);
}

/* q_dest_drop - close the cached connection, free the host lock */
void
q_dest_drop(struct q_dest *d, bool quit)
{
	q_smtp_close(d->conn, quit);
	d->conn = NULL;
	if (d->counted)
		(void)atomic_fetch_sub(d->open, 1);
	d->counted = false;
	if (d->host_lock >= 0)
		(void)close(d->host_lock);
	d->host_lock = -1;
}

/*
 * connection - the cached connection to host (or p's socket), or a new
 * one (aconnect ends at *until)
 */
static struct q_conn *
connection(struct q_dest *d, const struct q_peer *p, const char *host,
    bool first, const struct sm_deadline *until, struct q_result *res)
{
	const struct sm_options *o = d->opt;
	const char *path = p->path != NULL ? p->path : "";
	time_t now = sm_clock_sec();
	struct q_peer peer;

	memset(&peer, 0, sizeof(peer));
	peer.host = host;
	peer.port = p->port;
	peer.path = p->path;
	peer.lmtp = p->lmtp;
	if (d->conn != NULL && (strcmp(d->conn_host, host) != 0 ||
	    d->conn_port != p->port || strcmp(d->conn_path, path) != 0 ||
	    d->conn_lmtp != p->lmtp))
		q_dest_drop(d, true);	/* another host's */
	if (d->conn != NULL && (!q_smtp_usable(d->conn) ||
	    now - d->conn_used > o->ConnectionCacheTimeout ||
	    q_smtp_rset(d->conn) < 0))
		q_dest_drop(d, q_smtp_usable(d->conn));
	if (d->conn == NULL) {
		/* SingleThreadDelivery: one process at a time per host. */
		if (o->SingleThreadDelivery && d->hsdir[0] != '\0' &&
		    (d->host_lock = q_hs_host_lock(d->hsdir, host)) == -1) {
			res->status = Q_TEMPFAIL;
			(void)snprintf(res->dsn, sizeof(res->dsn), "4.4.5");
			(void)snprintf(res->text, sizeof(res->text), "Deferred: "
			    "another process is delivering to %.255s", host);
			return NULL;
		}
		if (d->open != NULL) {
			(void)atomic_fetch_add(d->open, 1);
			d->counted = true;
		}
		d->conn = q_smtp_open(&peer, o, first, until, d->helo,
		    d->client, res);
		if (d->conn == NULL) {
			q_dest_drop(d, false);
			/* Turned away while another runner has a
			 * connection: most likely the host takes one per
			 * client.  Not a host failure: the message goes
			 * back to the run (q_share).  A timeout, a refused
			 * connect or a failed lookup is one. */
			if (d->open != NULL && res->refused &&
			    atomic_load(d->open) > 0) {
				d->crowded = true;
				q_result_set(res, Q_TEMPFAIL, "4.4.5",
				    "Deferred: %.255s refused a second "
				    "connection; tried again in this run",
				    host);
			}
		}
		(void)snprintf(d->conn_host, sizeof(d->conn_host), "%.255s",
		    host);
		d->conn_port = p->port;
		(void)snprintf(d->conn_path, sizeof(d->conn_path), "%s", path);
		d->conn_lmtp = p->lmtp;
	}
	d->conn_used = now;
	return d->conn;
}

/*
 * targets - the hosts to try for a destination, best first: an address
 * literal or "[name]" as it is (no MX), else the name's MX hosts down to
 * (not including) our own name, or the name itself when it has no MX.
 * -1 with res set when DNS says no: NXDOMAIN and a null MX (RFC 7505)
 * fail the recipients, a lookup that did not end in time defers them,
 * and an MX list whose best host is us is a configuration error unless
 * TryNullMXList lets the name's own addresses be tried.
 */
static int
targets(const struct q_dest *d, const char *host, bool first,
    struct sm_mx *mx, size_t max, size_t *n, struct q_result *res)
{
	struct sm_dns_opts o;
	char err[300];
	bool nullmx;
	size_t i;

	*n = 0;
	if (host[0] == '[' || sm_dns_is_literal(host)) {
		(void)snprintf(mx[0].host, sizeof(mx[0].host), "%s", host);
		*n = 1;
		return 0;
	}
	sm_dns_opts_of(d->opt, first, &o);
	switch (sm_mx_lookup(host, &o, mx, max, n, &nullmx, err,
	    sizeof(err))) {
	case SM_DNS_OK:
		break;
	case SM_DNS_NOTFOUND:
		/*
		 * No such name in DNS: it may still be in the hosts file or
		 * need the search list (a smart host "mailhub"); the address
		 * lookup has the last word, as in sendmail.
		 */
		*n = 0;
		break;
	case SM_DNS_TEMP:
		q_result_set(res, Q_TEMPFAIL, "4.4.3", "Deferred: Name server: "
		    "%s: host name lookup failure", host);
		sm_info("MX lookup: %s", err);
		return -1;
	}
	if (nullmx && *n == 0) {
		q_result_set(res, Q_PERMFAIL, "5.1.10", "Domain %s does not "
		    "accept mail (nullMX)", host);
		return -1;
	}
	/* We are one of them: only hosts better than our preference. */
	for (i = 0; i < *n; i++)
		if (d->is_local != NULL && d->is_local(d->ctx, mx[i].host))
			break;
	if (i < *n) {
		int ours = mx[i].pref;

		for (i = 0; i < *n && mx[i].pref < ours; i++)
			;
		if (i == 0 && !d->opt->TryNullMXList) {
			q_result_set(res, Q_PERMFAIL, "5.3.5", "Local "
			    "configuration error: MX list for %s points back "
			    "to %s", host, d->helo);
			return -1;
		}
	}
	*n = i;
	if (*n == 0) {
		(void)snprintf(mx[0].host, sizeof(mx[0].host), "%s", host);
		*n = 1;
	}
	return 0;
}

/*
 * q_dest_open - a connection to one of p's hosts, tried in order (the
 * cached connection first when it goes to one of them); hosts with a
 * recent failure are skipped, each failure is remembered per host, and
 * Timeout.aconnect bounds the connects to all of them together.  host
 * gets the name connected to or last tried.  NULL with res set.
 */
struct q_conn *
q_dest_open(struct q_dest *d, const struct q_peer *p, bool first, char *host,
    size_t len, struct q_result *res)
{
	const struct sm_options *o = d->opt;
	struct sm_mx mx[Q_MX_MAX], t;
	struct q_result temp;
	struct sm_deadline until;
	struct q_conn *conn;
	size_t n, i;

	host[0] = '\0';
	memset(&temp, 0, sizeof(temp));
	temp.status = Q_OK;
	if (p->path != NULL) {
		/* A unix socket: sendmail's host "localhost", no MX. */
		(void)snprintf(mx[0].host, sizeof(mx[0].host), "localhost");
		n = 1;
	} else if (targets(d, p->host, first, mx, Q_MX_MAX, &n, res) < 0) {
		(void)snprintf(host, len, "%s", p->host);
		return NULL;
	}
	for (i = 1; d->conn != NULL && d->conn_port == p->port && i < n; i++)
		if (strcasecmp(mx[i].host, d->conn_host) == 0) {
			t = mx[i];
			memmove(&mx[1], &mx[0], i * sizeof(mx[0]));
			mx[0] = t;
			break;
		}
	q_smtp_aconnect(o, &until);
	for (i = 0; i < n; i++) {
		if (i > 0 && sm_deadline_expired(&until)) {
			sm_info("Timeout.to_aconnect occurred before "
			    "exhausting all addresses of %s", p->host);
			break;
		}
		(void)snprintf(host, len, "%.255s", mx[i].host);
		if (host_down(d, mx[i].host, p->port, res)) {
			if (res->status == Q_TEMPFAIL)
				temp = *res;
			continue;
		}
		if ((conn = connection(d, p, mx[i].host, first, &until,
		    res)) != NULL) {
			/* Up: the runners waiting for it connect too. */
			q_dest_remember(d, mx[i].host, true, NULL);
			return conn;
		}
		/* 4.4.5: not the host's failure (locked, or crowded). */
		if (strcmp(res->dsn, "4.4.5") != 0)
			q_dest_remember(d, mx[i].host, false, res);
		else
			q_hm_release(d->hosts, mx[i].host);
		if (res->status == Q_TEMPFAIL)
			temp = *res;
	}
	/* One host that may work later: not a bounce (an MX host gone). */
	if (res->status == Q_PERMFAIL && temp.status == Q_TEMPFAIL)
		*res = temp;
	return NULL;
}

/*
 * q_dest_unlock - between messages: a connection that holds a host's
 * lock (SingleThreadDelivery) goes, so that the lock does not keep
 * every other process from the host while this one waits for work
 */
void
q_dest_unlock(struct q_dest *d)
{
	if (d->host_lock >= 0)
		q_dest_drop(d, true);
}

/* q_dest_idle - seconds the cached connection has been idle, or -1 */
long
q_dest_idle(const struct q_dest *d)
{
	if (d->conn == NULL)
		return -1;
	return (long)(sm_clock_sec() - d->conn_used);
}

/*
 * q_dest_rest - QUIT the cached connection and forget what was known of
 * hosts' status, so that the next message reads the file again
 */
void
q_dest_rest(struct q_dest *d)
{
	q_dest_drop(d, true);
	q_hm_clear(d->hosts);
}

/*
 * q_dest_share - from now on hosts holds what is known of hosts (NULL:
 * this process's own), and open counts the connections the runners of
 * the run hold or are opening (NULL: none is counted); whether a host
 * turned this process away beside another runner is forgotten
 */
void
q_dest_share(struct q_dest *d, struct q_hostmem *hosts, _Atomic int *open)
{
	d->hosts = hosts != NULL ? hosts : &d->own;
	d->open = open;
	d->crowded = false;
}

/* q_dest_crowded - did a host turn this runner away beside another? */
bool
q_dest_crowded(const struct q_dest *d)
{
	return d->crowded;
}

/* q_dest_free - QUIT the cached connection, then free */
void
q_dest_free(struct q_dest *d)
{
	if (d == NULL)
		return;
	q_dest_drop(d, true);
	free(d);
}
