/*
 * q_route - where each recipient goes, and which go together; see
 * q_route.h.
 */
#include "q_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_alloc.h"
#include "sm_buf.h"

/* q_route_domain - the domain of "<user@domain>" (in buf), or "" */
const char *
q_route_domain(const char *addr, char *buf, size_t len)
{
	const char *at = strrchr(addr, '@');
	size_t n;

	if (at == NULL)
		return "";
	n = strcspn(at + 1, ">");
	(void)snprintf(buf, len, "%.*s", (int)n, at + 1);
	return buf;
}

/* notify_of - NOTIFY= from the R line flags */
static const char *
notify_of(const char *flags, char *buf, size_t len)
{
	buf[0] = '\0';
	if (strchr(flags, 'N') == NULL)
		return NULL;
	if (strchr(flags, 'S') != NULL)
		(void)sm_strlcat(buf, buf[0] ? ",SUCCESS" : "SUCCESS", len);
	if (strchr(flags, 'F') != NULL)
		(void)sm_strlcat(buf, buf[0] ? ",FAILURE" : "FAILURE", len);
	if (strchr(flags, 'D') != NULL)
		(void)sm_strlcat(buf, buf[0] ? ",DELAY" : "DELAY", len);
	if (buf[0] == '\0')
		(void)sm_strlcpy(buf, "NEVER", len);
	return buf;
}

/*
 * q_route_resolve - fill in what rt leaves to the runner (relay); true
 * when the recipient (addr) gets no transaction this time, res saying
 * why: a failed route, a local address an expansion gave, no host
 */
bool
q_route_resolve(struct q_route *rt, const char *addr,
    const struct q_route_relay *relay, struct q_result *res)
{
	if (rt->local || rt->failed) {
		/* A local address an expansion gave: next time. */
		if (!rt->failed)
			q_result_set(&rt->res, Q_TEMPFAIL, "4.3.0",
			    "Deferred: expanded to a local address");
		*res = rt->res;
		return true;
	}
	if (rt->path[0] != '\0' && rt->host[0] == '\0')
		/* A unix socket: the host is only its name. */
		(void)snprintf(rt->host, sizeof(rt->host), "localhost");
	if (rt->host[0] == '\0' && relay->smarthost[0] == '\0') {
		/* No smart host: the domain's MX hosts, by esmtp. */
		(void)q_route_domain(addr, rt->host, sizeof(rt->host));
		rt->port = relay->esmtp_port > 0 ? relay->esmtp_port : 25;
		rt->flags = relay->esmtp_flags;
		(void)snprintf(rt->mailer, sizeof(rt->mailer), "esmtp");
	}
	if (rt->host[0] == '\0')
		(void)snprintf(rt->host, sizeof(rt->host), "%s",
		    relay->smarthost);
	if (rt->port == 0)
		rt->port = relay->port;
	if (rt->flags == NULL)
		rt->flags = relay->flags;
	if (rt->mailer[0] == '\0')
		(void)snprintf(rt->mailer, sizeof(rt->mailer), "relay");
	if (rt->host[0] == '\0') {
		q_result_set(res, Q_PERMFAIL, "5.1.2",
		    "Host unknown (no domain in the address)");
		return true;
	}
	return false;
}

/*
 * q_route_group - the recipients of v not settled, one group per host,
 * port, mailer and socket, in the order the recipients name them: the
 * key spells out each (each string with its length, so none can pass
 * for another), and one pass sorts them (sm_group)
 */
void
q_route_group(struct sm_group *g, const struct q_route_rcpt *v, size_t n)
{
	struct sm_buf key;
	size_t i;

	sm_group_init(g, n);
	sm_buf_init(&key, 0);
	for (i = 0; i < n; i++) {
		const struct q_route *rt = &v[i].route;

		if (v[i].settled)
			continue;
		sm_buf_reset(&key);
		(void)sm_buf_printf(&key, "%d %zu:%s%zu:%s%zu:%s",
		    rt->port, strlen(rt->host), rt->host,
		    strlen(rt->mailer), rt->mailer,
		    strlen(rt->path), rt->path);
		sm_group_put(g, i, sm_buf_str(&key));
	}
	sm_group_sort(g);
	sm_buf_free(&key);
}

/*
 * user_only - "<user>" of "<user@domain>": R=EnvToL, the recipient as
 * a local mailer (cyrusv2) is given it.  Freed by the caller.
 */
static char *
user_only(const char *addr)
{
	const char *at = strrchr(addr, '@');
	struct sm_buf b;

	if (at == NULL)
		return sm_strdup(addr);
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "%.*s%s", (int)(at - addr), addr,
	    addr[0] == '<' ? ">" : "");
	return sm_buf_detach(&b);
}

/*
 * q_route_wire - how recipient v (rc in the control file) is named in
 * its transaction: RCPT's address (the user alone for R=EnvToL) and
 * NOTIFY=
 */
void
q_route_wire(struct q_route_rcpt *v, const struct q_rcpt *rc)
{
	char nbuf[64];

	v->wire = v->route.user_only ? user_only(rc->addr) :
	    sm_strdup(rc->addr);
	v->notify = notify_of(rc->flags, nbuf, sizeof(nbuf)) != NULL ?
	    sm_strdup(nbuf) : NULL;
}

/* q_route_unwire - what q_route_wire made */
void
q_route_unwire(struct q_route_rcpt *v)
{
	free(v->wire);
	free(v->notify);
	v->wire = v->notify = NULL;
}
