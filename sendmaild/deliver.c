/*
 * deliver - queue runs from sendmail's configuration; see deliver.h.
 */
#include "deliver.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "daemon.h"
#include "local.h"
#include "q_run.h"
#include "sm_buf.h"
#include "sm_proc.h"

/* is_local_domain - the runner's question: is this domain ours? ("" is) */
static bool
is_local_domain(void *ctx, const char *domain)
{
	return config_is_local_domain(ctx, domain);
}

/* local - the runner's local hook */
static void
local(void *ctx, const struct q_ctl *ctl, int dfd, const char *rcpt,
    struct q_local *lo)
{
	local_deliver(ctx, ctl, dfd, rcpt, lo);
}

/* relay_port - the port in the relay mailer's A=TCP $h PORT, or 25 */
static int
relay_port(const struct config *c)
{
	const struct sm_cf_mailer *m = sm_cf_mailer(c->cf, "relay");
	const char *p;
	int port;

	if (m == NULL || m->argv == NULL || strncmp(m->argv, "TCP", 3) != 0 ||
	    (p = strstr(m->argv, "$h")) == NULL)
		return 25;
	port = atoi(p + 2);
	return port > 0 && port < 65536 ? port : 25;
}

/* queue_run - a run over the selected messages, or over id alone */
static int
queue_run(struct config *c, const struct q_select *sel, size_t nsel,
    const char *id)
{
	const struct sm_cf_mailer *relay = sm_cf_mailer(c->cf, "relay");
	struct q_runner r;
	struct sm_buf smart;
	const char *colon;
	char host[256];
	int rc;

	sm_buf_init(&smart, 1024);
	(void)sm_cf_expand(c->cf, "$S", &smart);
	/* "[mailer:]host": the mailer part names the relay mailer. */
	colon = strchr(smart.data, ':');
	memset(&r, 0, sizeof(r));
	r.smarthost = colon != NULL && smart.data[0] != '[' ? colon + 1 :
	    smart.data;
	config_hostname(c, host, sizeof(host));
	r.opt = &c->opt;
	r.qdir = c->opt.QueueDirectory;
	r.port = relay_port(c);
	r.mailer_flags = relay != NULL && relay->flags != NULL ?
	    relay->flags : "mDFMuXa8";
	r.hostname = host;
	r.is_local = is_local_domain;
	r.local = local;
	r.ctx = c;
	r.sel = sel;
	r.nsel = nsel;
	r.id = id;
	rc = q_run(&r);
	sm_buf_free(&smart);
	return rc;
}

/* deliver_run - one queue run over the selected messages */
int
deliver_run(struct config *c, const struct q_select *sel, size_t nsel)
{
	return queue_run(c, sel, nsel, NULL);
}

/* deliver_message - deliver one message now, without scanning the queue */
int
deliver_message(struct config *c, const char *id)
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

/* deliver_client_queue - send ClientQueueDirectory to the daemon */
int
deliver_client_queue(struct config *c)
{
	struct sm_options o = c->opt;
	struct q_runner r;
	char none[1] = "";
	char smart[128], host[256];
	int port;

	if (daemon_local_address(c, smart, sizeof(smart), &port) < 0)
		return EX_CONFIG;
	/* The daemon's own status is not cached: the next run tries. */
	o.HostStatusDirectory = none;
	memset(&r, 0, sizeof(r));
	config_hostname(c, host, sizeof(host));
	r.opt = &o;
	r.qdir = c->opt.ClientQueueDirectory;
	r.smarthost = smart;
	r.port = port;
	r.mailer_flags = "mDFMuXa8";
	r.hostname = host;
	r.is_local = never_local;
	r.ctx = c;
	return q_run(&r);
}

/*
 * deliver_client_queue_ids - become user with the group of
 * ClientQueueDirectory, which lets a run read and remove what
 * set-group-id submissions left.
 */
int
deliver_client_queue_ids(const struct config *c, const char *user, char *err,
    size_t len)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (stat(c->opt.ClientQueueDirectory, &st) < 0) {
		(void)snprintf(err, len, "%s: %s", c->opt.ClientQueueDirectory,
		    strerror(errno));
		return -1;
	}
	if (sm_priv_resolve(user, &uid, &gid, err, len) < 0)
		return -1;
	return sm_priv_become(uid, st.st_gid, user, err, len);
}
