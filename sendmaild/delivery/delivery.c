/*
 * delivery - deliveries from sendmail's configuration; see delivery.h.
 */
#include "delivery.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "local.h"
#include "q_run.h"
#include "route.h"
#include "secure.h"
#include "sm_alloc.h"
#include "sm_deadline.h"

/* What the runner's hooks work with. */
struct hooks {
	struct config	*c;
	struct route	*rt;
};

/* local - the runner's local hook */
static void
local(void *ctx, const struct q_ctl *ctl, int dfd, const char *rcpt,
    struct q_local *lo)
{
	const struct hooks *h = ctx;

	local_deliver(h->c, ctl, dfd, rcpt, lo);
}

/*
 * route_rcpt - the runner's route hook: local domains and virtual ones
 * (class VirtHost) to the local hook, others by mailertable and the
 * hub's name, else to the smart host
 */
static void
route_rcpt(void *ctx, const char *rcpt, struct q_route *qr)
{
	const struct hooks *h = ctx;
	struct route_result rr;
	const char *at = strrchr(rcpt, '@');
	char domain[300];

	(void)snprintf(domain, sizeof(domain), "%.*s",
	    at != NULL ? (int)strcspn(at + 1, ">") : 0, at != NULL ? at + 1 :
	    "");
	/* The hub's own name first: it may be one of ours as well. */
	if (route_to_hub(h->rt, domain, &rr) == 0) {
		if (config_is_local_domain(h->c, domain) ||
		    sm_cf_class_has(h->c->cf, "VirtHost", domain)) {
			qr->local = true;
			return;
		}
		if (route_domain(h->rt, domain, &rr) == 0)
			return;
	}
	switch (rr.kind) {
	case ROUTE_LOCAL:
		qr->local = true;
		break;
	case ROUTE_ERROR:
		qr->failed = true;
		qr->res = rr.res;
		(void)snprintf(qr->mailer, sizeof(qr->mailer), "error");
		break;
	case ROUTE_REMOTE:
		(void)snprintf(qr->host, sizeof(qr->host), "%s", rr.host);
		(void)snprintf(qr->mailer, sizeof(qr->mailer), "%s",
		    rr.mailer);
		qr->port = rr.port;
		qr->flags = rr.flags;
		(void)snprintf(qr->path, sizeof(qr->path), "%s", rr.path);
		qr->lmtp = rr.lmtp;
		qr->user_only = rr.user_only;
		break;
	}
}

/* is_ours - the runner's is_local hook: a name of this host (MX) */
static bool
is_ours(void *ctx, const char *name)
{
	const struct hooks *h = ctx;

	return config_is_local_domain(h->c, name);
}

/* rewrite - the runner's rewrite hook: masquerading for SMTP */
static bool
rewrite(void *ctx, const struct q_ctl *q, struct sm_strlist *hdrs,
    char *sender, size_t len)
{
	const struct hooks *h = ctx;
	bool headers = route_headers(h->rt, &q->headers, q->sender, false,
	    hdrs);
	bool env = route_sender(h->rt, q->sender, false, sender, len);
	size_t i;

	if (env && !headers)
		for (i = 0; i < q->headers.n; i++)
			sm_strlist_add(hdrs, q->headers.v[i]);
	return headers || env;
}

/* secure - the runner's TLS and AUTH hook */
static void
secure(void *ctx, const char *host, const char *ip, int port,
    struct q_secure *sec)
{
	const struct hooks *h = ctx;

	secure_fill(h->c, host, ip, port, sec);
}

/* What a runner set up from the configuration holds. */
struct setup {
	struct hooks	 h;
	struct q_runner	 r;
	struct sm_buf	 smart;
	char		 host[256];
};

/* setup_init - the runner for c: smart host, mailers, hooks */
static void
setup_init(struct setup *s, struct config *c)
{
	const struct sm_cf_mailer *relay = sm_cf_mailer(c->cf, "relay");
	const struct sm_cf_mailer *esmtp = sm_cf_mailer(c->cf, "esmtp");
	struct q_runner *r = &s->r;

	memset(s, 0, sizeof(*s));
	s->h.c = c;
	s->h.rt = route_open(c);
	sm_buf_init(&s->smart, 1024);
	(void)sm_cf_expand(c->cf, "$S", &s->smart);
	/* "[mailer:]host": the mailer part names the relay mailer. */
	r->smarthost = route_host_of(s->smart.data);
	config_hostname(c, s->host, sizeof(s->host));
	r->opt = &c->opt;
	r->qdir = c->opt.QueueDirectory;
	r->port = route_mailer_port(c, "relay");
	r->mailer_flags = relay != NULL && relay->flags != NULL ?
	    relay->flags : "mDFMuXa8";
	r->esmtp_port = route_mailer_port(c, "esmtp");
	r->esmtp_flags = esmtp != NULL && esmtp->flags != NULL ?
	    esmtp->flags : "mDFMuXa";
	r->hostname = s->host;
	r->is_local = is_ours;
	r->local = local;
	r->route = route_rcpt;
	r->rewrite = rewrite;
	r->ctx = &s->h;
	r->client.secure = secure;
	r->client.ctx = &s->h;
}

/* setup_free - what setup_init opened */
static void
setup_free(struct setup *s)
{
	route_close(s->h.rt);
	sm_buf_free(&s->smart);
}

/* queue_run - a run over the selected messages, or over id alone */
static int
queue_run(struct config *c, const struct q_select *sel, size_t nsel,
    const char *id)
{
	struct setup s;
	int rc;

	setup_init(&s, c);
	s.r.sel = sel;
	s.r.nsel = nsel;
	s.r.id = id;
	rc = q_run(&s.r);
	setup_free(&s);
	return rc;
}

/* A delivery process that lives on; see delivery.h. */
struct delivery_resident {
	struct setup	 s;
	struct q_run	*run;
	time_t		 opened;	/* when the maps were opened,
					   sm_clock_sec() */
};

/* delivery_resident_open - the runner, ready for messages by id */
struct delivery_resident *
delivery_resident_open(struct config *c)
{
	struct delivery_resident *a = sm_calloc(1, sizeof(*a));

	setup_init(&a->s, c);
	a->run = q_run_open(&a->s.r);
	a->opened = sm_clock_sec();
	return a;
}

/* delivery_resident_message - one message now, the connection kept */
void
delivery_resident_message(struct delivery_resident *a, const char *id)
{
	time_t now = sm_clock_sec();

	/* Maps rebuilt by makemap are new files: look at them again. */
	if (now - a->opened >= DELIVERY_RESIDENT_MAPS) {
		route_close(a->s.h.rt);
		a->s.h.rt = route_open(a->s.h.c);
		a->opened = now;
	}
	q_run_message(a->run, id);
}

/*
 * delivery_resident_wait - how long the agent may wait for the next message
 * before delivery_resident_rest is due (ms); -1: no connection to close
 */
int
delivery_resident_wait(const struct delivery_resident *a)
{
	long idle = q_run_idle(a->run);
	long left = a->s.h.c->opt.ConnectionCacheTimeout - idle;

	if (idle < 0)
		return -1;
	return left > 0 ? (int)(left > INT_MAX / 1000 ? INT_MAX / 1000 :
	    left) * 1000 : 0;
}

/* delivery_resident_rest - nothing to do: QUIT, forget host status */
void
delivery_resident_rest(struct delivery_resident *a)
{
	q_run_rest(a->run);
}

/* delivery_resident_close - QUIT, close the maps, free */
void
delivery_resident_close(struct delivery_resident *a)
{
	if (a == NULL)
		return;
	q_run_close(a->run);
	setup_free(&a->s);
	free(a);
}

/* delivery_queue_run - one queue run over the selected messages */
int
delivery_queue_run(struct config *c, const struct q_select *sel, size_t nsel)
{
	return queue_run(c, sel, nsel, NULL);
}

/* delivery_message - one message now, without scanning the queue */
int
delivery_message(struct config *c, const char *id)
{
	return queue_run(c, NULL, 0, id);
}

/* never_local - in the client queue every recipient goes to the daemon */
static bool
never_local(void *ctx, const char *domain)
{
	(void)ctx;
	(void)domain;
	return false;
}

/*
 * delivery_client_queue - send ClientQueueDirectory to the daemon at
 * host and port, with the headers and bare addresses qualified as the
 * relay mailer sends them (sendmail's submission program leaves local
 * names bare there)
 */
int
delivery_client_queue(struct config *c, const char *host, int port)
{
	struct sm_options o = c->opt;
	struct setup s;
	char none[1] = "";
	int rc;

	/* The daemon's own status is not cached: the next run tries. */
	o.HostStatusDirectory = none;
	setup_init(&s, c);
	s.r.opt = &o;
	s.r.qdir = c->opt.ClientQueueDirectory;
	s.r.smarthost = host;
	s.r.port = port;
	s.r.mailer_flags = "mDFMuXa8";
	s.r.is_local = never_local;
	s.r.local = NULL;
	s.r.route = NULL;
	s.r.client.secure = NULL;
	rc = q_run(&s.r);
	setup_free(&s);
	return rc;
}
