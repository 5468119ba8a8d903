/*
 * policy - access map, relaying and local users; see policy.h.
 */
#include "policy.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aliases.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_map.h"
#include "sm_mx.h"
#include "route.h"

struct policy {
	const struct config *c;
	struct sm_map	*access;
	bool		 access_broken;	/* declared, but cannot be read */
	char		*ip;
	char		*name;
	char		*local_lit;	/* "[our address]" */
	const char	*resolve;	/* ${client_resolve} */
	char		*shown;		/* ${client_name} */
	struct policy_result connect, mail;	/* for delay_checks */
	bool		 mail_ok;	/* sender had OK or RELAY */
	bool		 auth_ok;	/* AUTH with a TrustAuthMech mechanism */
	struct sm_buf	 val;
	struct route	*rt;		/* virtusertable, mailertable */
	bool		 deferred;	/* every check passes: client queue */
	bool		 counted;	/* the master counted the client: */
	unsigned	 conns, rate;	/* ${client_connections}, ${client_rate} */
};

/* policy_open - the policy for one session */
struct policy *
policy_open(const struct config *c, const char *ip, const char *name,
    const char *local_ip, bool deferred)
{
	struct policy *p = sm_calloc(1, sizeof(*p));

	p->c = c;
	p->ip = sm_strdup(ip != NULL ? ip : "");
	p->name = sm_strdup(name != NULL ? name : "");
	p->local_lit = sm_malloc(strlen(local_ip) + 3);
	(void)snprintf(p->local_lit, strlen(local_ip) + 3, "[%s]", local_ip);
	sm_buf_init(&p->val, 4096);
	p->rt = route_open(c);
	/*
	 * Deferred: the session writes the client queue, and the daemon
	 * applies the policy when the message reaches it, as sendmail's
	 * submission program leaves it to the MTA; no map is read, so one
	 * the set-group-id program may not read does not matter.
	 */
	p->deferred = deferred;
	if (!deferred)
		p->access = config_map_open(c, "access", &p->access_broken);
	return p;
}

/* policy_close - release the session's policy */
void
policy_close(struct policy *p)
{
	if (p == NULL)
		return;
	(void)sm_map_close(p->access);
	route_close(p->rt);
	free(p->ip);
	free(p->name);
	free(p->local_lit);
	free(p->shown);
	sm_buf_free(&p->val);
	free(p);
}

/* policy_client_resolve - how the client's name was found (identify) */
void
policy_client_resolve(struct policy *p, const char *resolve, const char *name)
{
	p->resolve = resolve;
	free(p->shown);
	p->shown = sm_strdup(name != NULL ? name : p->name);
}

/* policy_has_feature - is FEATURE(name) in the configuration? */
bool
policy_has_feature(const struct policy *p, const char *name)
{
	return sm_cf_class_has(p->c->cf, "Features", name);
}

/* policy_access_value - the access map's value for key, or NULL */
const char *
policy_access_value(struct policy *p, const char *key)
{
	return config_map_get(p->access, key, &p->val);
}

/*
 * verdict - turn an access value into a result.  what names the check
 * for REJECT's wording; addr is echoed as "<addr>... ".
 */
static void
verdict(const char *value, const char *what, const char *addr,
    struct policy_result *r)
{
	char prefix[400];
	const char *v = value, *text;

	if (addr != NULL)
		(void)snprintf(prefix, sizeof(prefix), "%.380s... ", addr);
	else
		prefix[0] = '\0';
	r->reply[0] = '\0';
	if (strcasecmp(v, "OK") == 0)
		r->v = POL_OK;
	else if (strcasecmp(v, "RELAY") == 0)
		r->v = POL_RELAY;
	else if (strcasecmp(v, "DISCARD") == 0)
		r->v = POL_DISCARD;
	else if (strcasecmp(v, "REJECT") == 0) {
		r->v = POL_REJECT;
		if (strcmp(what, "To") == 0)
			(void)snprintf(r->reply, sizeof(r->reply), "550 5.2.1 "
			    "%sMailbox disabled for this recipient", prefix);
		else
			(void)snprintf(r->reply, sizeof(r->reply), "550 5.7.1 "
			    "%sAccess denied", prefix);
	} else if (strncasecmp(v, "ERROR:", 6) == 0 || v[0] == '"') {
		char code[4] = "550", dsn[16] = "";

		r->v = POL_REJECT;
		text = v[0] == '"' ? v + 1 : v + 6;
		/* ERROR:D.S.N:NNN text, or ERROR:NNN text */
		if (isdigit((unsigned char)text[0]) && text[1] == '.') {
			size_t n = strcspn(text, ":");

			if (n < sizeof(dsn) && text[n] == ':') {
				memcpy(dsn, text, n);
				dsn[n] = '\0';
				text += n + 1;
			}
		}
		if (isdigit((unsigned char)text[0]) &&
		    isdigit((unsigned char)text[1]) &&
		    isdigit((unsigned char)text[2])) {
			memcpy(code, text, 3);
			text += 3;
			while (*text == ' ')
				text++;
		}
		if (dsn[0] == '\0')
			(void)snprintf(dsn, sizeof(dsn), "%c.0.0", code[0]);
		if (code[0] != '4' && code[0] != '5')
			memcpy(code, "550", 3);
		(void)snprintf(r->reply, sizeof(r->reply), "%s %s %s%.*s",
		    code, dsn, prefix, (int)strcspn(text, "\""), text);
		if (code[0] == '4')
			r->v = POL_TEMPFAIL;
	} else
		r->v = POL_NONE;	/* SKIP and anything unknown */
}

/* lookup_ip - tag:ip and its prefixes (tag:IPv6:ip for IPv6) */
static const char *
lookup_ip(struct policy *p, const char *tag)
{
	char key[600], ip[128];
	const char *v;
	char *dot;

	(void)snprintf(ip, sizeof(ip), "%s", p->ip);
	if (strchr(ip, ':') != NULL) {
		(void)snprintf(key, sizeof(key), "%s:IPv6:%s", tag, ip);
		return policy_access_value(p, key);
	}
	for (;;) {
		(void)snprintf(key, sizeof(key), "%s:%s", tag, ip);
		if ((v = policy_access_value(p, key)) != NULL)
			return v;
		if ((dot = strrchr(ip, '.')) == NULL)
			break;
		*dot = '\0';
	}
	return NULL;
}

/* lookup_host - tag:ip and its prefixes, tag:name and its parents */
static const char *
lookup_host(struct policy *p, const char *tag)
{
	char key[600];
	const char *v, *d;

	if ((v = lookup_ip(p, tag)) != NULL || strchr(p->ip, ':') != NULL)
		return v;
	for (d = p->name; d != NULL && *d != '\0' && *d != '[';
	    d = strchr(d, '.') != NULL ? strchr(d, '.') + 1 : NULL) {
		(void)snprintf(key, sizeof(key), "%s:%s", tag, d);
		if ((v = policy_access_value(p, key)) != NULL)
			return v;
	}
	return NULL;
}

/* lookup_addr - tag:user@domain, tag:domain and parents, tag:user@ */
static const char *
lookup_addr(struct policy *p, const char *tag, const struct sm_addr *a)
{
	char key[700];
	const char *v, *d;

	if (a->null)
		return NULL;
	(void)snprintf(key, sizeof(key), "%s:%s", tag, a->text);
	if ((v = policy_access_value(p, key)) != NULL)
		return v;
	for (d = a->domain; d != NULL && *d != '\0';
	    d = strchr(d, '.') != NULL ? strchr(d, '.') + 1 : NULL) {
		(void)snprintf(key, sizeof(key), "%s:%s", tag, d);
		if ((v = policy_access_value(p, key)) != NULL)
			return v;
	}
	(void)snprintf(key, sizeof(key), "%s:%s@", tag, a->local);
	return policy_access_value(p, key);
}

/* tempfail - the access map is declared but cannot be read */
static bool
tempfail(const struct policy *p, struct policy_result *r)
{
	if (!p->access_broken)
		return false;
	r->v = POL_TEMPFAIL;
	(void)snprintf(r->reply, sizeof(r->reply), "451 4.3.0 Temporary "
	    "system failure. Please try again later.");
	return true;
}

/* policy_client_counts - what the master counted of the client */
void
policy_client_counts(struct policy *p, unsigned conns, unsigned rate)
{
	p->counted = true;
	p->conns = conns;
	p->rate = rate;
}

/*
 * client_limits - FEATURE(ratecontrol) and FEATURE(conncontrol): the
 * access map's ClientRate: and ClientConn: entries for the client's
 * address (or its net), else the entry with an empty address, give the
 * most connections in ConnectionRateWindowSize and the most open at
 * once; 0 is no limit.  Past one, the reply is 452, or 421 with the
 * feature's `terminate', as sendmail's rules write it.
 */
static void
client_limits(struct policy *p, struct policy_result *r)
{
	static const struct {
		const char	*feature, *tag, *text;
	} limits[] = {
		{ "ratecontrol", "ClientRate", "Connection rate limit exceeded." },
		{ "conncontrol", "ClientConn", "Too many open connections." },
	};
	char key[64];
	const char *v;
	unsigned long max;
	unsigned n;
	size_t i;
	char *end;

	if (!p->counted)
		return;
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if (!policy_has_feature(p, limits[i].feature))
			continue;
		(void)snprintf(key, sizeof(key), "%s:", limits[i].tag);
		if ((v = lookup_ip(p, limits[i].tag)) == NULL &&
		    (v = policy_access_value(p, key)) == NULL)
			continue;
		v += strspn(v, " \t");
		max = strtoul(v, &end, 10);
		if (end == v || end[strspn(end, " \t")] != '\0') {
			sm_warnx("NOQUEUE: access map: %s entry for [%s] is not "
			    "a number: %.40s", limits[i].tag, p->ip, v);
			continue;
		}
		n = i == 0 ? p->rate : p->conns;
		if (max == 0 || n <= max)
			continue;
		(void)snprintf(key, sizeof(key), "%s_terminate",
		    limits[i].feature);
		r->v = POL_TEMPFAIL;
		r->limit = true;
		(void)snprintf(r->reply, sizeof(r->reply), "%s 4.3.2 %s",
		    policy_has_feature(p, key) ? "421" : "452", limits[i].text);
		(void)snprintf(key, sizeof(key), "%s_nodelay",
		    limits[i].feature);
		r->nodelay = policy_has_feature(p, key);
		return;
	}
}

/*
 * policy_connect - the Connect: check of a new client, then (unless
 * Connect: said OK or RELAY) its connection limits
 */
void
policy_connect(struct policy *p, struct policy_result *r)
{
	const char *v;

	memset(r, 0, sizeof(*r));
	if (p->deferred)
		return;
	if (!tempfail(p, r) && (v = lookup_host(p, "Connect")) != NULL)
		verdict(v, "Connect", NULL, r);
	if (r->v == POL_REJECT && r->reply[0] != '\0')
		(void)snprintf(r->reply, sizeof(r->reply), "550 5.7.1 Access "
		    "denied");
	if (r->v == POL_NONE)
		client_limits(p, r);
	p->connect = *r;
}

/*
 * sender_domain - does the sender's domain exist in DNS?  Skipped for
 * local domains, with FEATURE(accept_unresolvable_domains), and in
 * deferred delivery mode (DNS may be down on purpose), as sendmail's
 * check_mail does.
 */
static void
sender_domain(struct policy *p, const struct sm_addr *a, const char *shown,
    struct policy_result *r)
{
	struct sm_dns_opts o;
	char err[300] = "null MX";
	bool nullmx;

	if (a->null || a->domain == NULL || a->domain[0] == '[' ||
	    policy_has_feature(p, "accept_unresolvable_domains") ||
	    p->c->opt.DeliveryMode == 'd' ||
	    policy_is_local_domain(p, a->domain))
		return;
	sm_dns_opts_of(&p->c->opt, false, &o);
	switch (sm_mx_mail_domain(a->domain, &o, &nullmx, err, sizeof(err))) {
	case SM_DNS_OK:
		if (!nullmx)
			return;
		r->v = POL_REJECT;
		(void)snprintf(r->reply, sizeof(r->reply), "550 5.7.27 %.380s... "
		    "Sender address has null MX", shown);
		break;
	case SM_DNS_NOTFOUND:
		r->v = POL_REJECT;
		(void)snprintf(r->reply, sizeof(r->reply), "553 5.1.8 %.380s... "
		    "Domain of sender address %.380s does not exist", shown,
		    a->text);
		break;
	case SM_DNS_TEMP:
		r->v = POL_TEMPFAIL;
		(void)snprintf(r->reply, sizeof(r->reply), "451 4.1.8 Domain of "
		    "sender address %.380s does not resolve", a->text);
		break;
	}
	sm_info("NOQUEUE: sender %s: %s", a->text, err);
}

/* policy_mail - the From: check of a sender; shown is how it was typed */
void
policy_mail(struct policy *p, const struct sm_addr *a, const char *shown,
    struct policy_result *r)
{
	const char *v;

	memset(r, 0, sizeof(*r));
	if (p->deferred) {
		p->mail_ok = true;
		return;
	}
	if (!tempfail(p, r) && (v = lookup_addr(p, "From", a)) != NULL)
		verdict(v, "From", shown, r);
	if (r->v == POL_NONE)
		sender_domain(p, a, shown, r);
	p->mail = *r;
	p->mail_ok = r->v == POL_OK || r->v == POL_RELAY;
}

/* policy_is_local_domain - is mail for this domain ours to keep? */
bool
policy_is_local_domain(const struct policy *p, const char *domain)
{
	const char *j = sm_cf_macro(p->c->cf, "j");
	size_t n = strlen(domain);
	char d[300];

	if (n == 0 || n >= sizeof(d))
		return false;
	memcpy(d, domain, n + 1);
	if (d[n - 1] == '.')
		d[n - 1] = '\0';	/* a trailing dot names the same host */
	return strcasecmp(d, "localhost") == 0 ||
	    (j != NULL && strcasecmp(d, j) == 0) ||
	    strcasecmp(d, p->local_lit) == 0 ||
	    sm_cf_class_has(p->c->cf, "w", d);
}

/*
 * policy_auth - the client authenticated with mech: one of class
 * TrustAuthMech lets it relay and skips the delayed checks
 */
void
policy_auth(struct policy *p, const char *mech)
{
	p->auth_ok = sm_cf_class_has(p->c->cf, "TrustAuthMech", mech);
}

/* policy_client_may_relay - may this client send anywhere? */
bool
policy_client_may_relay(const struct policy *p)
{
	const char *v;

	if (p->ip[0] == '\0' || strcmp(p->ip, "127.0.0.1") == 0 ||
	    strcmp(p->ip, "::1") == 0)
		return true;
	if (p->connect.v == POL_RELAY || p->auth_ok)
		return true;
	if (config_in_class(p->c, "R", p->ip, false) ||
	    (p->name[0] != '\0' && p->name[0] != '[' &&
	    config_in_class(p->c, "R", p->name, !policy_has_feature(p,
	    "relay_hosts_only"))))
		return true;
	v = lookup_host((struct policy *)(uintptr_t)p, "Connect");
	return v != NULL && strcasecmp(v, "RELAY") == 0;
}

/*
 * local_user - does the local part name a user or an alias here?  With
 * FEATURE(redirect), an alias to "new@address.REDIRECT" is refused with
 * 551 and the new address (r filled, false returned).
 */
static bool
local_user(struct policy *p, const char *local, const char *prefix,
    struct policy_result *r)
{
	char user[256];
	struct sm_buf val;
	const char *v;
	size_t i, n;
	bool ok = true;

	for (i = 0; local[i] != '\0' && local[i] != '+' &&
	    i + 1 < sizeof(user); i++)
		user[i] = (char)tolower((unsigned char)local[i]);
	user[i] = '\0';
	if (strcmp(user, "postmaster") == 0 || getpwnam(user) != NULL)
		return true;
	/* An alias may be a list as long as the alias file allows. */
	sm_buf_init(&val, ALIAS_MAX);
	if (aliases_lookup(p->c, user, &val) != 0) {
		r->v = POL_REJECT;
		(void)snprintf(r->reply, sizeof(r->reply),
		    "550 5.1.1 %sUser unknown", prefix);
		ok = false;
		goto out;
	}
	/* The value alone, "<>" taken off. */
	v = sm_buf_str(&val);
	v += strspn(v, " \t");
	n = strcspn(v, " \t,\n");
	if (v[n] != '\0')
		goto out;		/* a list */
	if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
		v++;
		n -= 2;
	}
	if (n > 9 &&
	    strncasecmp(v + n - 9, ".REDIRECT", 9) == 0 &&
	    policy_has_feature(p, "redirect")) {
		r->v = POL_REJECT;
		(void)snprintf(r->reply, sizeof(r->reply), "551 5.1.1 %sUser has "
		    "moved; please try <%.*s>", prefix, (int)(n - 9), v);
		ok = false;
	}
out:
	sm_buf_free(&val);
	return ok;
}

/* route_reply - a routing error as the reply to RCPT */
static void
route_reply(const struct route_result *rr, const char *prefix,
    struct policy_result *r)
{
	r->v = rr->res.status == Q_TEMPFAIL ? POL_TEMPFAIL : POL_REJECT;
	(void)snprintf(r->reply, sizeof(r->reply), "%d %s %s%s", rr->code,
	    rr->res.dsn, prefix, rr->res.text);
}

/*
 * virtual - a recipient in a local or virtual domain: its
 * virtusertable entry, else the local name; r filled
 */
static void
virtual(struct policy *p, const struct sm_addr *a, const char *prefix,
    struct policy_result *r)
{
	struct route_result rr;
	struct sm_addr b;
	int rc;

	if (a->domain != NULL && (rc = route_virtual(p->rt, a->text, &rr)) != 0) {
		if (rc < 0 || rr.kind == ROUTE_ERROR) {
			route_reply(&rr, prefix, r);
			return;
		}
		r->v = POL_OK;
		/* An entry naming a local user: that user must exist. */
		if (rr.kind == ROUTE_LOCAL) {
			if (sm_addr_parse(rr.addr, &b) == SM_ADDR_OK &&
			    local_user(p, b.local, prefix, r))
				r->v = POL_OK;
			sm_addr_free(&b);
		}
		return;
	}
	if (a->domain != NULL && !policy_is_local_domain(p, a->domain)) {
		/* class VirtHost without an entry */
		r->v = POL_REJECT;
		(void)snprintf(r->reply, sizeof(r->reply),
		    "550 5.1.1 %sUser unknown", prefix);
		return;
	}
	if (local_user(p, a->local, prefix, r))
		r->v = POL_OK;
}

/* policy_rcpt - may this recipient be accepted? */
void
policy_rcpt(struct policy *p, const struct sm_addr *a, const char *shown,
    struct policy_result *r)
{
	const char *v = NULL;
	char prefix[400];

	memset(r, 0, sizeof(*r));
	(void)snprintf(prefix, sizeof(prefix), "%.380s... ", shown);
	if (p->deferred) {
		r->v = POL_RELAY;
		return;
	}
	if (tempfail(p, r))
		return;
	/* delay_checks: the connection and sender verdicts land here. */
	if (policy_has_feature(p, "delay_checks") && !p->mail_ok &&
	    !p->auth_ok) {
		const struct policy_result *early[2] = { &p->connect, &p->mail };
		int i;

		for (i = 0; i < 2; i++)
			if (early[i]->v == POL_REJECT ||
			    early[i]->v == POL_TEMPFAIL) {
				const char *e = early[i]->reply, *t;
				/* "NNN D.S.N ": code and status kept */
				int head = (int)(4 + strcspn(e + 4, " "));

				t = strstr(e, "... ");
				t = t != NULL ? t + 4 : e[head] != '\0' ?
				    e + head + 1 : "Access denied";
				r->v = early[i]->v;
				(void)snprintf(r->reply, sizeof(r->reply),
				    "%.*s %s%s", head, e, prefix, t);
				return;
			}
	}
	v = lookup_addr(p, "To", a);
	if (v != NULL && policy_has_feature(p, "blocklist_recipients")) {
		verdict(v, "To", shown, r);
		if (r->v == POL_REJECT || r->v == POL_TEMPFAIL)
			return;
	}
	memset(r, 0, sizeof(*r));
	if (a->domain == NULL || policy_is_local_domain(p, a->domain) ||
	    sm_cf_class_has(p->c->cf, "VirtHost", a->domain)) {
		virtual(p, a, prefix, r);
		return;
	}
	if (policy_client_may_relay(p) ||
	    (v != NULL && strcasecmp(v, "RELAY") == 0) ||
	    config_in_class(p->c, "R", a->domain,
	    !policy_has_feature(p, "relay_hosts_only")) ||
	    policy_has_feature(p, "promiscuous_relay")) {
		struct route_result rr;

		r->v = POL_RELAY;
		/* mailertable's error: entries answer at once. */
		if (route_domain(p->rt, a->domain, &rr) != 0 &&
		    rr.kind == ROUTE_ERROR)
			route_reply(&rr, prefix, r);
		return;
	}
	r->v = POL_REJECT;
	/* Why the client's name did not count, as sendmail's rules say. */
	if (p->resolve != NULL && strcmp(p->resolve, "TEMP") == 0) {
		r->v = POL_TEMPFAIL;
		(void)snprintf(r->reply, sizeof(r->reply), "450 4.4.0 %sRelaying "
		    "temporarily denied. Cannot resolve PTR record for %s",
		    prefix, p->ip);
	} else if (p->resolve != NULL && (strcmp(p->resolve, "FORGED") == 0 ||
	    strcmp(p->resolve, "FAIL") == 0))
		(void)snprintf(r->reply, sizeof(r->reply), "550 5.7.1 %sRelaying "
		    "denied. IP name %s %s", prefix, p->resolve[1] == 'O' ?
		    "possibly forged" : "lookup failed", p->shown);
	else
		(void)snprintf(r->reply, sizeof(r->reply), "550 5.7.1 %sRelaying "
		    "denied%s", prefix, sm_cf_class(p->c->cf, "TrustAuthMech") !=
		    NULL ? ". Proper authentication required." : "");
}
