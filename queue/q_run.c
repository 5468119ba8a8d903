/*
 * q_run - a queue run: its messages in order, and each one's attempt;
 * see q_run.h.
 */
#include "q_run.h"

#include <ctype.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "q_dest.h"
#include "q_file.h"
#include "q_hostmem.h"
#include "q_local.h"
#include "q_retry.h"
#include "q_route.h"
#include "q_share.h"
#include "q_smtp.h"
#include "q_sweep.h"
#include "sm_alloc.h"
#include "sm_group.h"
#include "sm_log.h"
#include "sm_strset.h"
#include "sm_time.h"

struct q_run {
	const struct q_runner	*r;
	bool			 by_id;		/* q_run_open(): id by id */
	char			 qfdir[4096], dfdir[4096];
	struct q_dest		*dest;		/* hosts, the cached connection */
	struct q_retry		 retry;		/* where results are recorded */
	bool			 again;		/* a handed-back message */
	struct q_route_rcpt	*rcpts;		/* this attempt's, room for
						   c->rcpts_cap + 1 */
	int			 lock;		/* the message's control file */
	size_t			 unrecorded;	/* delivered, not in it yet */
	bool			 holding;	/* SIGTERM held: see hold() */
	sigset_t		 mask;		/* the signal mask before */
};

/* partial - a run with selectors, or one message's own delivery */
static bool
partial(const struct q_run *run)
{
	return run->by_id || run->r->nsel > 0 || run->r->id != NULL;
}

/* lock_job - open and lock a control file; -1 when busy or changed */
static int
lock_job(const char *path, const char *id)
{
	struct stat a, b;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;		/* gone: another run finished it */
	if (q_lock(fd) < 0) {
		if (sm_log_level() > 10)
			sm_info("%s: locked", id);
		(void)close(fd);
		return -1;
	}
	/* Someone may have rewritten it between our scan and our lock. */
	if (fstat(fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_nlink == 0) {
		if (sm_log_level() > 10)
			sm_info("%s: changed", id);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* One SMTP transaction's worth: the recipients going to one host. */
struct dest {
	const struct q_route	*route;		/* theirs */
	const size_t		*idx;		/* into c->rcpts */
	size_t			 n;
};

/* q_log_delivery - sendmail's delivery line for one recipient */
void
q_log_delivery(const struct q_ctl *c, const char *rcpt, time_t start,
    const char *mailer, const char *relay, const struct q_result *res)
{
	char delay[32], xdelay[32], stat[600], reply[600] = "";
	time_t now = time(NULL);
	bool smtp = isdigit((unsigned char)res->text[0]);

	(void)sm_time_delay(now - c->ctime, delay, sizeof(delay));
	(void)sm_time_delay(now - start, xdelay, sizeof(xdelay));
	if (res->status == Q_OK && res->text[0] == '\0')
		(void)snprintf(stat, sizeof(stat), "Sent");	/* local */
	else if (res->status == Q_OK)
		(void)snprintf(stat, sizeof(stat), "Sent (%s)",
		    smtp && strlen(res->text) > 4 ? res->text + 4 : res->text);
	else {
		(void)snprintf(stat, sizeof(stat), "%s%s",
		    res->status == Q_TEMPFAIL && strncmp(res->text, "Deferred",
		    8) != 0 ? "Deferred: " : "", res->text);
		if (smtp)
			(void)snprintf(reply, sizeof(reply), ", reply=%s",
			    res->text);
	}
	sm_info("%s: to=%s, delay=%s, xdelay=%s, mailer=%s, pri=%ld%s%s, "
	    "dsn=%s%s, stat=%s", c->id, rcpt, delay, xdelay, mailer,
	    c->priority, relay != NULL ? ", relay=" : "",
	    relay != NULL ? relay : "", res->dsn, reply, stat);
}

/*
 * delivered - recipient i of the message has it: done, and counted for
 * the next checkpoint
 */
static void
delivered(struct q_run *run, struct q_ctl *c, size_t i)
{
	if (c->rcpts[i].done)
		return;			/* counted already */
	c->rcpts[i].done = true;
	run->unrecorded++;
}

/*
 * hold - SIGTERM waits from a transaction's start until its outcome is in
 * the control file: a process that ended between the final dot and that
 * record would send the message again at the next attempt.  What it
 * waits for is bounded by the timeouts in force (Timeout.datafinal for
 * the reply to the dot).  A runner gets SIGTERM when its run ends, a
 * delivery when a stopping daemon ends it; SIGKILL cannot wait.
 */
static void
hold(struct q_run *run)
{
	sigset_t term;

	if (run->holding)
		return;
	(void)sigemptyset(&term);
	(void)sigaddset(&term, SIGTERM);
	run->holding = sigprocmask(SIG_BLOCK, &term, &run->mask) == 0;
}

/* release - the outcome is recorded: SIGTERM as before hold() */
static void
release(struct q_run *run)
{
	if (!run->holding)
		return;
	run->holding = false;
	(void)sigprocmask(SIG_SETMASK, &run->mask, NULL);
}

/*
 * due - must the control file say now which recipients have the
 * message?  When CheckpointInterval of them have had it since it last
 * said so, and before an SMTP or LMTP transaction (wire) when any has:
 * the rewrite costs little next to a transaction, which may take as
 * long as the timeouts let it.  CheckpointInterval 0 turns both off.
 */
static bool
due(const struct q_run *run, bool wire)
{
	long every = run->r->opt->CheckpointInterval;

	return every > 0 && run->unrecorded > 0 &&
	    (wire || run->unrecorded >= (size_t)every);
}

/*
 * checkpoint - when due, the control file says which recipients have
 * the message before the next delivery begins, so that a process killed
 * from then on does not deliver to them again (the rewrite keeps the
 * message locked).  A rewrite that fails loses nothing: the recipients
 * stay in the file until the attempt ends, as without checkpoints.
 */
static void
checkpoint(struct q_run *run, struct q_ctl *c, bool wire)
{
	const struct sm_options *o = run->r->opt;

	if (!due(run, wire)) {
		if (run->unrecorded == 0)
			release(run);	/* nothing waits to be recorded */
		return;
	}
	if (q_ctl_checkpoint(c, run->qfdir, o->SuperSafe != 'f',
	    &run->lock) < 0)
		sm_warn("%s: cannot record the recipients delivered so far",
		    c->id);
	run->unrecorded = 0;
	release(run);
}

/*
 * add_rcpt - a recipient the local hook found, after the others; one
 * the message has already (in seen, ASCII case ignored) is not added
 * again.  run->rcpts has an entry for each recipient the array c->rcpts
 * has room for (job() makes it so), zero for those not yet there.
 */
static void
add_rcpt(struct q_run *run, struct q_ctl *c, struct sm_strset *seen,
    const char *addr, const char *pflags)
{
	struct q_rcpt *r;
	size_t n, cap = c->rcpts_cap;
	bool added;

	if (seen->n == 0)
		for (n = 0; n < c->nrcpts; n++)
			(void)sm_strset_add(seen, c->rcpts[n].addr, NULL);
	(void)sm_strset_add(seen, addr, &added);
	if (!added)
		return;
	r = q_ctl_add_rcpt(c);
	if (c->rcpts_cap != cap) {
		run->rcpts = sm_reallocarray(run->rcpts, c->rcpts_cap + 1,
		    sizeof(*run->rcpts));
		memset(run->rcpts + cap + 1, 0, (c->rcpts_cap - cap) *
		    sizeof(*run->rcpts));
	}
	r->addr = sm_strdup(addr);
	/* "A": came from an alias; NOTIFY carries over, "P" does not. */
	n = strlen(pflags);
	r->flags = sm_calloc(n + 2, 1);
	r->flags[0] = 'A';
	for (size_t i = 0, k = 1; i < n; i++)
		if (strchr("NSFD", pflags[i]) != NULL)
			r->flags[k++] = pflags[i];
}

/* route_of - where recipient i goes (the route hook, or is_local) */
static void
route_of(const struct q_runner *r, const struct q_ctl *c, size_t i,
    struct q_route *rt)
{
	char dom[300];

	memset(rt, 0, sizeof(*rt));
	if (r->route != NULL)
		r->route(r->ctx, c->rcpts[i].addr, rt);
	else
		rt->local = r->is_local(r->ctx, q_route_domain(c->rcpts[i].addr,
		    dom, sizeof(dom)));
}

/* deliver_local - the local recipients, through the hook */
static void
deliver_local(struct q_run *run, struct q_ctl *c, int dfd)
{
	const struct q_runner *r = run->r;
	size_t i, j, n0 = c->nrcpts, before;
	struct sm_strset done, seen;
	time_t start = time(NULL);
	bool first = true;

	sm_strset_init(&done, false);
	sm_strset_init(&seen, true);
	q_local_done_read(c, &done);
	before = done.n;

	for (i = 0; i < n0; i++) {
		struct q_local lo;

		if (!run->rcpts[i].route.local)
			continue;
		run->rcpts[i].settled = true;
		if (r->local == NULL) {
			q_result_set(&run->rcpts[i].res, Q_TEMPFAIL, "4.3.0",
			    "Deferred: local delivery is not available");
			q_log_delivery(c, c->rcpts[i].addr, start, "local", NULL,
			    &run->rcpts[i].res);
			continue;
		}
		if (due(run, false)) {
			/* The targets done so far go with the recipients. */
			q_local_done_write(c, &done, before);
			before = done.n;
			checkpoint(run, c, false);
		}
		memset(&lo, 0, sizeof(lo));
		lo.done = done;		/* in and out */
		lo.first = first;
		first = false;
		r->local(r->ctx, c, dfd, c->rcpts[i].addr, &lo);
		done = lo.done;
		sm_strset_init(&lo.done, false);
		run->rcpts[i].res = lo.res;
		if (lo.res.status != Q_TEMPFAIL && q_retry_owners(&run->retry, c,
		    dfd, &lo) < 0) {
			/* Nothing may be lost: try the whole of it again. */
			run->rcpts[i].res.status = Q_TEMPFAIL;
			(void)snprintf(run->rcpts[i].res.text,
			    sizeof(run->rcpts[i].res.text),
			    "Deferred: cannot queue a delivery report");
		}
		if (run->rcpts[i].res.status == Q_OK)
			delivered(run, c, i);
		if (lo.res.status == Q_OK && lo.forwards.n > 0) {
			/* c->rcpts moves as it grows: keep the flags apart. */
			char *pflags = sm_strdup(c->rcpts[i].flags);

			for (j = 0; j < lo.forwards.n; j++)
				add_rcpt(run, c, &seen, lo.forwards.v[j],
				    pflags);
			free(pflags);
		}
		q_local_free(&lo);
	}
	q_local_done_write(c, &done, before);
	sm_strset_clear(&done);
	sm_strset_clear(&seen);
}

/* What a transaction's hook between two SMTP transactions works on. */
struct txn_state {
	struct q_run		*run;
	struct q_ctl		*c;
	const struct dest	*d;
	const struct q_result	*tres;
};

/*
 * between - the server took only some recipients (452) and the others
 * go in another transaction: those it took are recorded first, and
 * SIGTERM waits again for the next one's outcome
 */
static void
between(void *ctx)
{
	struct txn_state *st = ctx;
	size_t i;

	for (i = 0; i < st->d->n; i++)
		if (st->tres[i].status == Q_OK)
			delivered(st->run, st->c, st->d->idx[i]);
	checkpoint(st->run, st->c, true);
	hold(st->run);
}

/* transaction - one message to one host for the recipients of d */
static void
transaction(struct q_run *run, struct q_ctl *c, int dfd, const struct dest *d)
{
	const struct q_runner *r = run->r;
	const struct q_route *rt = d->route;
	const char **wire, **notify, **orcpt;
	struct q_result open_res, *tres;
	struct sm_strlist hdrs = { NULL, 0 };
	struct q_conn *conn;
	struct q_peer peer;
	struct q_txn t;
	struct txn_state state;
	time_t start = time(NULL);
	char relay[320], sender[600], host[256];
	size_t i;

	/* The views q_smtp_send takes; the strings are the recipients'. */
	wire = sm_calloc(d->n + 1, sizeof(*wire));
	notify = sm_calloc(d->n + 1, sizeof(*notify));
	orcpt = sm_calloc(d->n + 1, sizeof(*orcpt));
	tres = sm_calloc(d->n + 1, sizeof(*tres));
	for (i = 0; i < d->n; i++) {
		struct q_route_rcpt *v = &run->rcpts[d->idx[i]];

		q_route_wire(v, &c->rcpts[d->idx[i]]);
		wire[i] = v->wire;
		notify[i] = v->notify;
		orcpt[i] = c->rcpts[d->idx[i]].orcpt;
	}
	memset(&peer, 0, sizeof(peer));
	peer.host = rt->host;
	peer.port = rt->port;
	peer.path = rt->path[0] != '\0' ? rt->path : NULL;
	peer.lmtp = rt->lmtp;
	if ((conn = q_dest_open(run->dest, &peer, c->ntries == 0, host,
	    sizeof(host), &open_res)) == NULL) {
		for (i = 0; i < d->n; i++) {
			run->rcpts[d->idx[i]].res = open_res;
			q_log_delivery(c, c->rcpts[d->idx[i]].addr, start,
			    rt->mailer, host[0] != '\0' ? host : NULL,
			    &open_res);
		}
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.sender = c->sender;
	t.headers = &c->headers;
	(void)snprintf(sender, sizeof(sender), "%s", c->sender);
	if (r->rewrite != NULL && r->rewrite(r->ctx, c, &hdrs, sender,
	    sizeof(sender))) {
		t.sender = sender;
		t.headers = &hdrs;
	}
	t.body = c->bodytype;
	t.ret = c->flags != NULL && strchr(c->flags, 'd') != NULL ?
	    (strchr(c->flags, 'n') != NULL ? "HDRS" : "FULL") : NULL;
	t.envid = c->envid;
	t.auth = c->auth;
	t.nrcpts = d->n;
	t.rcpts = wire;
	t.notify = notify;
	t.orcpt = orcpt;
	t.results = tres;
	t.mailer_flags = rt->flags;
	t.dfd = dfd;
	t.id = c->id;
	state.run = run;
	state.c = c;
	state.d = d;
	state.tres = tres;
	t.between = between;
	t.between_ctx = &state;
	/* A bare name gets $j, unless the mailer takes users alone. */
	t.qualify = rt->user_only ? NULL : r->hostname;
	(void)snprintf(relay, sizeof(relay), "%s", q_smtp_relay(conn));
	{
		struct stat st;

		t.size = fstat(dfd, &st) == 0 ? (long)st.st_size : 0;
	}
	hold(run);
	if (q_smtp_send(conn, &t) < 0) {
		q_dest_drop(run->dest, false);
		/* The host's status: why the connection failed. */
		for (i = 0; i + 1 < d->n && tres[i].status == Q_OK; i++)
			;
		q_dest_remember(run->dest, host, false, &tres[i]);
	} else {
		q_dest_remember(run->dest, host, true, NULL);
		if (r->opt->ConnectionCacheSize <= 0)
			q_dest_drop(run->dest, true);	/* no cache: QUIT now */
	}
	for (i = 0; i < d->n; i++) {
		run->rcpts[d->idx[i]].res = tres[i];
		if (tres[i].status == Q_OK)
			delivered(run, c, d->idx[i]);
		q_log_delivery(c, c->rcpts[d->idx[i]].addr, start, rt->mailer,
		    relay, &tres[i]);
	}
out:
	sm_strlist_clear(&hdrs);
	for (i = 0; i < d->n; i++)
		q_route_unwire(&run->rcpts[d->idx[i]]);
	free(wire);
	free(notify);
	free(orcpt);
	free(tres);
}

/* deliver - route and deliver the recipients; results in run->rcpts */
static void
deliver(struct q_run *run, struct q_ctl *c, int dfd)
{
	const struct q_runner *r = run->r;
	const struct q_route_relay relay = { r->smarthost, r->port,
	    r->mailer_flags, r->esmtp_port, r->esmtp_flags };
	size_t n0 = c->nrcpts, i, n;
	struct sm_group g;
	time_t start = time(NULL);

	for (i = 0; i < n0; i++)
		route_of(r, c, i, &run->rcpts[i].route);
	deliver_local(run, c, dfd);
	/* Those the local hook added come after the first ones. */
	for (i = 0; i < c->nrcpts; i++) {
		struct q_route_rcpt *v = &run->rcpts[i];

		if (i >= n0)
			route_of(r, c, i, &v->route);
		if (v->settled)
			continue;	/* a local recipient, through the hook */
		if (q_route_resolve(&v->route, c->rcpts[i].addr, &relay,
		    &v->res)) {
			v->settled = true;
			q_log_delivery(c, c->rcpts[i].addr, start,
			    v->route.mailer[0] != '\0' ? v->route.mailer :
			    "local", NULL, &v->res);
		}
	}
	/* One transaction per host and mailer, in the order named. */
	q_route_group(&g, run->rcpts, c->nrcpts);
	for (n = 0; n < g.keys.n; n++) {
		struct dest d;

		d.idx = sm_group_items(&g, n, &d.n);
		d.route = &run->rcpts[d.idx[0]].route;
		checkpoint(run, c, true);
		transaction(run, c, dfd, &d);
	}
	sm_group_free(&g);
}

/*
 * q_run_due - is the message due in this run?  Not when quarantined,
 * nor when tried less than MinQueueAge ago, unless every message is
 * (every: a partial run, or one handed back within the run)
 */
bool
q_run_due(const struct sm_options *o, const struct q_ctl *c, bool every)
{
	if (c->quarantine != NULL)
		return false;
	return every || c->ntries <= 0 || o->MinQueueAge <= 0 ||
	    time(NULL) - c->last >= o->MinQueueAge;
}

/* job - one message: lock, read, check age, deliver, record */
static void
job(struct q_run *run, const char *id)
{
	const struct sm_options *o = run->r->opt;
	char qf[8300], df[8300], err[256];
	struct q_result *res;
	struct q_ctl c;
	size_t i;
	int fd, dfd;

	(void)snprintf(qf, sizeof(qf), "%s/qf%s", run->qfdir, id);
	if ((fd = lock_job(qf, id)) < 0)
		return;
	if (q_ctl_read(qf, &c, err, sizeof(err)) < 0) {
		sm_warnx("%s: %s", id, err);
		(void)close(fd);
		return;
	}
	if (!q_run_due(o, &c, partial(run) || run->again)) {
		q_ctl_free(&c);
		(void)close(fd);
		return;
	}
	(void)snprintf(df, sizeof(df), "%s/df%s", c.dfdir != NULL ? c.dfdir :
	    run->dfdir, c.id);
	if ((dfd = open(df, O_RDONLY | O_CLOEXEC)) < 0) {
		sm_warn("%s: cannot open the data file %s", id, df);
		q_ctl_free(&c);
		(void)close(fd);
		return;
	}
	/* One for each recipient c.rcpts has room for (see add_rcpt). */
	run->rcpts = sm_calloc(c.rcpts_cap + 1, sizeof(*run->rcpts));
	run->lock = fd;		/* a checkpoint replaces it */
	run->unrecorded = 0;
	deliver(run, &c, dfd);
	/* The results, one after the other, as bounces take them. */
	res = sm_calloc(c.nrcpts + 1, sizeof(*res));
	for (i = 0; i < c.nrcpts; i++)
		res[i] = run->rcpts[i].res;
	free(run->rcpts);
	run->rcpts = NULL;
	/* Refused beside another runner: not an attempt; the runner that
	 * takes it back tries again, and that one counts (and may expire
	 * it). */
	q_retry_finish(&run->retry, &c, dfd, res, !q_dest_crowded(run->dest),
	    qf, df);
	release(run);
	free(res);
	(void)close(dfd);
	q_ctl_free(&c);
	(void)close(run->lock);	/* releases the lock */
	run->lock = -1;
}

/* run_init - a run's state before its first message */
static void
run_init(struct q_run *run, const struct q_runner *r, bool by_id)
{
	memset(run, 0, sizeof(*run));
	run->r = r;
	run->by_id = by_id;
	run->lock = -1;
	(void)q_qfdir(r->qdir, run->qfdir, sizeof(run->qfdir));
	(void)q_dfdir(r->qdir, run->dfdir, sizeof(run->dfdir));
	run->dest = q_dest_new(r->opt, r->hostname, &r->client, r->is_local,
	    r->ctx, partial(run));
	run->retry.opt = r->opt;
	run->retry.qdir = r->qdir;
	run->retry.qfdir = run->qfdir;
	run->retry.hostname = r->hostname;
}

/* q_run_open - a delivery that takes messages by id; see q_run.h */
struct q_run *
q_run_open(const struct q_runner *r)
{
	struct q_run *run = sm_calloc(1, sizeof(*run));

	run_init(run, r, true);
	return run;
}

/*
 * q_run_message - deliver one message, keeping the connection; not
 * under SingleThreadDelivery, whose host lock would keep every other
 * process from the host while this one waits for work
 */
void
q_run_message(struct q_run *run, const char *id)
{
	job(run, id);
	q_dest_unlock(run->dest);
}

/* q_run_idle - seconds the cached connection has been idle, or -1 */
long
q_run_idle(const struct q_run *run)
{
	return q_dest_idle(run->dest);
}

/*
 * q_run_rest - QUIT the cached connection and forget what this run knew
 * of hosts' status, so that the next message reads the file again
 */
void
q_run_rest(struct q_run *run)
{
	q_dest_rest(run->dest);
}

/* q_run_close - q_run_rest, then free */
void
q_run_close(struct q_run *run)
{
	if (run == NULL)
		return;
	q_run_rest(run);
	q_dest_free(run->dest);
	free(run);
}

/* run_job - one message for a runner; true: refused beside another */
static bool
run_job(void *ctx, const char *id, bool again)
{
	struct q_run *run = ctx;

	run->again = again;
	job(run, id);
	run->again = false;
	return q_dest_crowded(run->dest);
}

/* run_share - what this runner's destinations share with the others */
static void
run_share(void *ctx, struct q_hostmem *hosts, _Atomic int *open)
{
	struct q_run *run = ctx;

	q_dest_share(run->dest, hosts, open);
}

/* run_stop - this runner takes no more messages: QUIT */
static void
run_stop(void *ctx)
{
	struct q_run *run = ctx;

	q_dest_drop(run->dest, true);
}

/*
 * q_run_list - the messages of r's queue that r's selectors pick, in the
 * order of QueueSortOrder; *max of the *n are taken (MaxQueueRunSize)
 */
int
q_run_list(const struct q_runner *r, struct q_job **jobs, size_t *n,
    size_t *max)
{
	if (q_scan(r->qdir, r->sel, r->nsel, jobs, n) < 0)
		return -1;
	q_sort(*jobs, *n, r->opt->QueueSortOrder);
	*max = r->opt->MaxQueueRunSize > 0 &&
	    *n > (size_t)r->opt->MaxQueueRunSize ?
	    (size_t)r->opt->MaxQueueRunSize : *n;
	return 0;
}

/* q_run - one run over the queue; see q_run.h */
int
q_run(const struct q_runner *r)
{
	struct q_share_ops ops;
	struct q_job *jobs;
	struct q_run run;
	size_t n, max;

	run_init(&run, r, false);
	if (r->id != NULL) {
		job(&run, r->id);
		q_dest_free(run.dest);
		return EX_OK;
	}
	if (q_run_list(r, &jobs, &n, &max) < 0) {
		sm_error("cannot read queue directory %s", r->qdir);
		q_dest_free(run.dest);
		return EX_TEMPFAIL;
	}
	ops.job = run_job;
	ops.share = run_share;
	ops.stop = run_stop;
	ops.ctx = &run;
	q_share_run(jobs, max, q_share_runners(r->opt, max), &ops);
	q_dest_free(run.dest);
	if (r->nsel == 0)
		q_sweep(run.qfdir, run.dfdir);
	q_jobs_free(jobs, n);
	return EX_OK;
}
