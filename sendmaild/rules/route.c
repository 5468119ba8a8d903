/*
 * route - routing maps and masquerading; see route.h.
 */
#include "route.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_map.h"

enum { MAP_VIRTUSER, MAP_MAILERTABLE, MAP_GENERICS, MAP_N };

static const char *const map_names[MAP_N] = {
	"virtuser", "mailertable", "generics"
};

struct route {
	const struct config	*c;
	struct sm_map		*map[MAP_N];
	bool			 tried[MAP_N];
	bool			 broken[MAP_N];	/* declared, unreadable */
	struct sm_buf		 val;
};

/* route_open - routing for one process; nothing is opened yet */
struct route *
route_open(const struct config *c)
{
	struct route *rt = sm_calloc(1, sizeof(*rt));

	rt->c = c;
	sm_buf_init(&rt->val, 1024);
	return rt;
}

/* route_close - the maps closed, rt freed */
void
route_close(struct route *rt)
{
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; i < MAP_N; i++)
		(void)sm_map_close(rt->map[i]);
	sm_buf_free(&rt->val);
	free(rt);
}

/* feature - is FEATURE(name) in the configuration? */
static bool
feature(const struct route *rt, const char *name)
{
	return sm_cf_class_has(rt->c->cf, "Features", name);
}

/* macro - a macro's value, "" when unset */
static const char *
macro(const struct route *rt, const char *name)
{
	const char *v = sm_cf_macro(rt->c->cf, name);

	return v != NULL ? v : "";
}

/* declared - does the configuration have this map's K line? */
static bool
declared(const struct route *rt, int which)
{
	return sm_cf_map(rt->c->cf, map_names[which]) != NULL;
}

/* open_map - the map, opened the first time; NULL when there is none */
static struct sm_map *
open_map(struct route *rt, int which)
{
	if (!rt->tried[which]) {
		rt->tried[which] = true;
		rt->map[which] = config_map_open(rt->c, map_names[which],
		    &rt->broken[which]);
	}
	return rt->map[which];
}

/*
 * lookup - key's value in the map (lower-cased key, with or without
 * its NUL): 0 and the value in rt->val, 1 not found, -1 unreadable
 */
static int
lookup(struct route *rt, int which, const char *key)
{
	struct sm_map *m = open_map(rt, which);
	char lower[1024];
	size_t i;

	if (m == NULL)
		return rt->broken[which] ? -1 : 1;
	for (i = 0; key[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)key[i]);
	lower[i] = '\0';
	if (key[i] != '\0')
		return 1;
	sm_buf_reset(&rt->val);
	if (sm_map_get(m, lower, i, &rt->val) == 0 ||
	    sm_map_get(m, lower, i + 1, &rt->val) == 0) {
		if (rt->val.len > 0 && rt->val.data[rt->val.len - 1] == '\0')
			sm_buf_truncate(&rt->val, rt->val.len - 1);
		(void)sm_buf_str(&rt->val);
		return 0;
	}
	return 1;
}

static void temp_error(struct route_result *, const char *, const char *,
    ...) __attribute__((format(printf, 3, 4)));

/* temp_error - rr is a temporary failure (451) with dsn and the text */
static void
temp_error(struct route_result *rr, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	rr->kind = ROUTE_ERROR;
	rr->code = 451;
	va_start(ap, fmt);
	q_result_vset(&rr->res, Q_TEMPFAIL, dsn, fmt, ap);
	va_end(ap);
}

/* map_temp - a map that cannot be read defers what needs it */
static int
map_temp(struct route_result *rr, int which)
{
	memset(rr, 0, sizeof(*rr));
	temp_error(rr, "4.3.0", "%s map is not available", map_names[which]);
	return -1;
}

/* Error names of sendmail's error: values, as sysexits. */
static const struct {
	const char	*name;
	int		 code;
	const char	*dsn;
} error_names[] = {
	{ "nouser", 550, "5.1.1" },
	{ "nohost", 550, "5.1.2" },
	{ "unavailable", 550, "5.0.0" },
	{ "noperm", 550, "5.7.1" },
	{ "dataerr", 550, "5.6.0" },
	{ "software", 554, "5.3.0" },
	{ "config", 554, "5.3.5" },
	{ "protocol", 554, "5.5.0" },
	{ "tempfail", 451, "4.0.0" },
	{ "temp", 451, "4.0.0" },
	{ "oserr", 451, "4.0.0" },
	{ "ioerr", 451, "4.0.0" },
	{ "cantcreat", 550, "5.0.0" },
};

/*
 * route_error - an "error:" value, without its "error:": "nouser text",
 * "5.7.1:550 text", "550 5.7.1 text", "550 text" or just text
 */
void
route_error(const char *v, struct route_result *rr)
{
	const char *p = v;
	char dsn[16] = "";
	size_t i, n;
	int code = 0;

	memset(rr, 0, sizeof(*rr));
	rr->kind = ROUTE_ERROR;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, ": \t");
	for (i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (n == strlen(error_names[i].name) &&
		    strncasecmp(p, error_names[i].name, n) == 0) {
			code = error_names[i].code;
			(void)snprintf(dsn, sizeof(dsn), "%s",
			    error_names[i].dsn);
			p += n;
			break;
		}
	/* A status code "X.Y.Z", then ':' or a blank. */
	if (dsn[0] == '\0' && (p[0] == '4' || p[0] == '5') && p[1] == '.' &&
	    (n = strspn(p, "0123456789.")) < sizeof(dsn) && n >= 5) {
		(void)snprintf(dsn, sizeof(dsn), "%.*s", (int)n, p);
		p += n;
	}
	while (*p == ':' || *p == ' ' || *p == '\t')
		p++;
	if ((p[0] == '4' || p[0] == '5') && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && (p[3] == ' ' || p[3] == '\0')) {
		char cls = p[0];

		code = atoi(p);
		p += 3;
		while (*p == ' ')
			p++;
		/* "550 5.1.1 text": a status of the code's class. */
		if (p[0] == cls && p[1] == '.' &&
		    (n = strcspn(p, " ")) >= 5 && n < sizeof(dsn)) {
			(void)snprintf(dsn, sizeof(dsn), "%.*s", (int)n, p);
			p += n;
			while (*p == ' ')
				p++;
		}
	}
	if (code == 0)
		code = dsn[0] == '4' ? 451 : 550;
	if (dsn[0] == '\0' || dsn[0] != '0' + code / 100)
		(void)snprintf(dsn, sizeof(dsn), "%d.0.0", code / 100);
	rr->code = code;
	rr->res.status = code / 100 == 4 ? Q_TEMPFAIL : Q_PERMFAIL;
	(void)snprintf(rr->res.dsn, sizeof(rr->res.dsn), "%s", dsn);
	(void)snprintf(rr->res.text, sizeof(rr->res.text), "%s",
	    *p != '\0' ? p : "Address rejected");
}

/* substitute - value with %1 %2 %3 (and %%) replaced */
static void
substitute(const char *v, const char *user, const char *detail, char *out,
    size_t len)
{
	struct sm_buf b;

	sm_buf_init(&b, 256);
	for (; *v != '\0'; v++) {
		if (*v == '%' && v[1] >= '1' && v[1] <= '3') {
			v++;
			if (*v == '1')
				(void)sm_buf_puts(&b, user);
			else if (*detail != '\0') {
				if (*v == '3')
					(void)sm_buf_putc(&b, '+');
				(void)sm_buf_puts(&b, detail);
			}
		} else if (*v == '%' && v[1] == '%')
			(void)sm_buf_putc(&b, *++v);
		else
			(void)sm_buf_putc(&b, *v);
	}
	(void)snprintf(out, len, "%s", sm_buf_str(&b));
	sm_buf_free(&b);
}

/* split - local part and domain of "local@domain" (last '@') */
static void
split(const char *addr, char *local, size_t llen, char *domain, size_t dlen)
{
	const char *at = strrchr(addr, '@');

	if (at == NULL) {
		(void)snprintf(local, llen, "%s", addr);
		domain[0] = '\0';
		return;
	}
	(void)snprintf(local, llen, "%.*s", (int)(at - addr), addr);
	(void)snprintf(domain, dlen, "%s", at + 1);
}

/* route_virtual - FEATURE(virtusertable); see route.h */
int
route_virtual(struct route *rt, const char *addr, struct route_result *rr)
{
	char local[256], domain[256], user[256], detail[256], key[600];
	const char *plus;
	int rc;

	if (!declared(rt, MAP_VIRTUSER))
		return 0;
	split(addr, local, sizeof(local), domain, sizeof(domain));
	if (domain[0] == '\0' || (!config_is_local_domain(rt->c, domain) &&
	    !sm_cf_class_has(rt->c->cf, "VirtHost", domain)))
		return 0;
	plus = strchr(local, '+');
	(void)snprintf(user, sizeof(user), "%.*s",
	    (int)(plus != NULL ? (size_t)(plus - local) : strlen(local)),
	    local);
	(void)snprintf(detail, sizeof(detail), "%s",
	    plus != NULL ? plus + 1 : "");
	rc = 1;
	if (plus != NULL) {
		(void)snprintf(key, sizeof(key), "%s@%s", local, domain);
		if ((rc = lookup(rt, MAP_VIRTUSER, key)) == 1) {
			(void)snprintf(key, sizeof(key), "%s+*@%s", user,
			    domain);
			rc = lookup(rt, MAP_VIRTUSER, key);
		}
	}
	if (rc == 1) {
		(void)snprintf(key, sizeof(key), "%s@%s", user, domain);
		rc = lookup(rt, MAP_VIRTUSER, key);
	}
	if (rc == 1) {
		(void)snprintf(key, sizeof(key), "@%s", domain);
		rc = lookup(rt, MAP_VIRTUSER, key);
	}
	if (rc < 0)
		return map_temp(rr, MAP_VIRTUSER);
	if (rc == 1)
		return 0;
	memset(rr, 0, sizeof(*rr));
	if (strncasecmp(sm_buf_str(&rt->val), "error:", 6) == 0) {
		route_error(sm_buf_str(&rt->val) + 6, rr);
		return 1;
	}
	substitute(sm_buf_str(&rt->val), user, detail, rr->addr,
	    sizeof(rr->addr));
	split(rr->addr, local, sizeof(local), domain, sizeof(domain));
	rr->kind = config_is_local_domain(rt->c, domain) ? ROUTE_LOCAL :
	    ROUTE_REMOTE;
	return 1;
}

/* route_mailer_port - the port in a mailer's A=TCP $h PORT, or 25 */
int
route_mailer_port(const struct config *c, const char *mailer)
{
	const struct sm_cf_mailer *m = sm_cf_mailer(c->cf, mailer);
	const char *p;
	int port;

	if (m == NULL || m->argv == NULL || strncmp(m->argv, "TCP", 3) != 0 ||
	    (p = strstr(m->argv, "$h")) == NULL)
		return 25;
	port = atoi(p + 2);
	return port > 0 && port < 65536 ? port : 25;
}

/* route_host_of - "host" of "[mailer:]host" (brackets are kept) */
const char *
route_host_of(const char *spec)
{
	const char *colon = strchr(spec, ':');

	return colon != NULL && spec[0] != '[' ? colon + 1 : spec;
}

/* same_host - does domain name the host of "[mailer:]host"? */
static bool
same_host(const char *spec, const char *domain)
{
	const char *h = route_host_of(spec);
	size_t n = strlen(h);

	if (n == 0)
		return false;
	if (h[0] == '[' && h[n - 1] == ']' && domain[0] != '[') {
		h++;
		n -= 2;
	}
	if (n > 0 && h[n - 1] == '.')
		n--;
	return strncasecmp(h, domain, n) == 0 && (domain[n] == '\0' ||
	    (domain[n] == '.' && domain[n + 1] == '\0'));
}

/* remote - rr for mailer to host */
static int
remote(struct route *rt, const char *mailer, const char *host,
    struct route_result *rr)
{
	const struct sm_cf_mailer *m = sm_cf_mailer(rt->c->cf, mailer);

	rr->kind = ROUTE_REMOTE;
	(void)snprintf(rr->mailer, sizeof(rr->mailer), "%s", mailer);
	(void)snprintf(rr->host, sizeof(rr->host), "%s", host);
	if (m == NULL || m->path == NULL || strcmp(m->path, "[IPC]") != 0) {
		/* Only SMTP mailers reach other hosts here. */
		temp_error(rr, "4.3.5", "mailer %s is not an SMTP mailer of "
		    "this configuration", mailer);
		return 1;
	}
	rr->port = route_mailer_port(rt->c, mailer);
	rr->flags = m->flags;
	rr->lmtp = m->flags != NULL && strchr(m->flags, 'z') != NULL;
	/* A=FILE /path: sendmail's unix socket. */
	if (m->argv != NULL && strncmp(m->argv, "FILE", 4) == 0 &&
	    (m->argv[4] == ' ' || m->argv[4] == '\t')) {
		const char *p = m->argv + 4 + strspn(m->argv + 4, " \t");

		(void)snprintf(rr->path, sizeof(rr->path), "%.*s",
		    (int)strcspn(p, " \t"), p);
	}
	rr->user_only = m->recipient_rw != NULL &&
	    strncmp(m->recipient_rw, "EnvToL", 6) == 0 &&
	    (m->recipient_rw[6] == '\0' || m->recipient_rw[6] == '/');
	return 1;
}

/* route_to_hub - is domain the name of MAIL_HUB's or LOCAL_RELAY's host? */
int
route_to_hub(struct route *rt, const char *domain, struct route_result *rr)
{
	const char *hubs[2] = { macro(rt, "H"), macro(rt, "R") };
	int i;

	memset(rr, 0, sizeof(*rr));
	for (i = 0; i < 2; i++)
		if (same_host(hubs[i], domain)) {
			const char *colon2 = strchr(hubs[i], ':');
			char mailer[64] = "relay";

			if (colon2 != NULL && hubs[i][0] != '[')
				(void)snprintf(mailer, sizeof(mailer), "%.*s",
				    (int)(colon2 - hubs[i]), hubs[i]);
			return remote(rt, mailer, route_host_of(hubs[i]), rr);
		}
	return 0;
}

/* route_domain - where mail for a remote domain goes; see route.h */
int
route_domain(struct route *rt, const char *domain, struct route_result *rr)
{
	const char *d, *v, *colon;
	char key[300];
	int rc = 1;

	if (route_to_hub(rt, domain, rr) != 0)
		return 1;
	if (!declared(rt, MAP_MAILERTABLE) || domain[0] == '[')
		return 0;
	(void)snprintf(key, sizeof(key), "%s", domain);
	if (key[0] != '\0' && key[strlen(key) - 1] == '.')
		key[strlen(key) - 1] = '\0';
	if ((rc = lookup(rt, MAP_MAILERTABLE, key)) == 1)
		for (d = strchr(key, '.'); d != NULL && rc == 1;
		    d = strchr(d + 1, '.'))
			rc = lookup(rt, MAP_MAILERTABLE, d);
	if (rc == 1)
		rc = lookup(rt, MAP_MAILERTABLE, ".");
	if (rc < 0)
		return map_temp(rr, MAP_MAILERTABLE);
	if (rc == 1)
		return 0;
	v = sm_buf_str(&rt->val);
	if (strncasecmp(v, "error:", 6) == 0) {
		route_error(v + 6, rr);
		return 1;
	}
	if ((colon = strchr(v, ':')) == NULL) {
		temp_error(rr, "4.3.5", "mailertable entry for %s is not "
		    "mailer:host", domain);
		return 1;
	}
	if ((size_t)(colon - v) == 5 && strncasecmp(v, "local", 5) == 0) {
		rr->kind = ROUTE_LOCAL;
		(void)snprintf(rr->addr, sizeof(rr->addr), "%s", colon + 1);
		return 1;
	}
	{
		char mailer[64];

		(void)snprintf(mailer, sizeof(mailer), "%.*s",
		    (int)(colon - v), v);
		(void)snprintf(key, sizeof(key), "%s", colon + 1);
		return remote(rt, mailer, key, rr);
	}
}

/* route_hub - does local name leave for hub ("H" or "R")?  see route.h */
bool
route_hub(struct route *rt, const char *which, const char *name, char *hub,
    size_t len)
{
	const char *use = macro(rt, which);
	char user[256];

	if (*use == '\0')
		return false;
	(void)snprintf(user, sizeof(user), "%.*s", (int)strcspn(name, "+"),
	    name);
	if (sm_cf_class_has(rt->c->cf, "L", user))
		return false;
	(void)snprintf(hub, len, "%s", route_host_of(use));
	return true;
}

/* What rewrite_addr may do. */
#define RW_MASQ		0x01	/* masquerade, genericstable */
#define RW_QUALIFY	0x02	/* add a domain to an unqualified address */

/* qualify_domain - always_add_domain's domain, else $j */
static void
qualify_domain(const struct route *rt, char *buf, size_t len)
{
	if (*macro(rt, "always_add_domain") != '\0')
		(void)snprintf(buf, len, "%s", macro(rt, "always_add_domain"));
	else
		config_hostname(rt->c, buf, len);
}

/* masked - is local@domain masqueraded (domain "": unqualified)? */
static bool
masked(const struct route *rt, const char *local, const char *domain)
{
	if (sm_cf_class_has(rt->c->cf, "E", local))
		return false;		/* EXPOSED_USER */
	if (domain[0] == '\0')
		return true;
	if (sm_cf_class_has(rt->c->cf, "N", domain))
		return false;		/* MASQUERADE_EXCEPTION */
	if (!feature(rt, "limited_masquerade") &&
	    config_is_local_domain(rt->c, domain))
		return true;
	return config_in_class(rt->c, "M", domain,
	    feature(rt, "masquerade_entire_domain"));
}

/*
 * rewrite_addr - one address as the mailer shows it (genericstable,
 * masquerading, qualification); appended to out
 */
static void
rewrite_addr(struct route *rt, const char *addr, size_t n, int how,
    struct sm_buf *out)
{
	char a[512], local[256], domain[256], key[600], j[256];
	const char *m = macro(rt, "M");

	if (n == 0 || n >= sizeof(a) || addr[0] == '@' || memchr(addr, '\n',
	    n) != NULL) {
		(void)sm_buf_append(out, addr, n);
		return;
	}
	(void)snprintf(a, sizeof(a), "%.*s", (int)n, addr);
	split(a, local, sizeof(local), domain, sizeof(domain));
	if ((how & RW_MASQ) && declared(rt, MAP_GENERICS) &&
	    (domain[0] == '\0' || config_in_class(rt->c, "G", domain,
	    feature(rt, "generics_entire_domain")))) {
		int rc = 1;

		if (domain[0] != '\0') {
			(void)snprintf(key, sizeof(key), "%s@%s", local,
			    domain);
			rc = lookup(rt, MAP_GENERICS, key);
		}
		if (rc == 1)
			rc = lookup(rt, MAP_GENERICS, local);
		if (rc == 0 && rt->val.len > 0) {
			(void)sm_buf_puts(out, sm_buf_str(&rt->val));
			return;
		}
	}
	if ((how & RW_MASQ) && *m != '\0' && masked(rt, local, domain))
		(void)snprintf(domain, sizeof(domain), "%s", m);
	if (domain[0] == '\0' && (how & RW_QUALIFY)) {
		qualify_domain(rt, j, sizeof(j));
		(void)snprintf(domain, sizeof(domain), "%s", j);
	}
	(void)sm_buf_puts(out, local);
	if (domain[0] != '\0')
		(void)sm_buf_printf(out, "@%s", domain);
}

/*
 * rewrite_list - an address-list header value with each address
 * rewritten: "Name <a@b>", "a@b (Name)", groups "g: a, b;"
 */
static void
rewrite_list(struct route *rt, const char *v, int how, struct sm_buf *out)
{
	const char *p = v, *seg = v, *angle = NULL;
	int comment = 0;
	bool quote = false, done = false;	/* done: had <addr> */

	for (;; p++) {
		char ch = *p;

		if (quote) {
			if (ch == '\\' && p[1] != '\0')
				p++;
			else if (ch == '"')
				quote = false;
			if (ch != '\0')
				continue;
		}
		if (comment > 0 && ch != '\0') {
			if (ch == '\\' && p[1] != '\0')
				p++;
			else if (ch == '(')
				comment++;
			else if (ch == ')')
				comment--;
			continue;
		}
		if (ch == '"')
			quote = true;
		else if (ch == '(')
			comment++;
		else if (ch == '<' && angle == NULL)
			angle = p;
		else if (ch == '>' && angle != NULL) {
			/* "Name <addr>": the address between the brackets. */
			(void)sm_buf_append(out, seg, (size_t)(angle + 1 -
			    seg));
			rewrite_addr(rt, angle + 1, (size_t)(p - angle - 1),
			    how, out);
			seg = p;
			angle = NULL;
			done = true;
		} else if ((ch == ',' || ch == ';' || ch == ':' ||
		    ch == '\0') && angle == NULL) {
			/* A bare address: its first word outside comments. */
			const char *s = seg, *e;

			if (ch == ':' || done) {
				/* A group's name, or what follows <addr>. */
				(void)sm_buf_append(out, seg,
				    (size_t)(p - seg));
				seg = p;
				done = false;
				if (ch == '\0')
					break;
				continue;
			}
			while (s < p && (*s == ' ' || *s == '\t' ||
			    *s == '\n' || *s == ',' || *s == ';' ||
			    *s == ':' || *s == '>'))
				s++;
			(void)sm_buf_append(out, seg, (size_t)(s - seg));
			if (s < p && *s != '(') {
				bool q = false;

				for (e = s; e < p && (q || (*e != ' ' &&
				    *e != '\t' && *e != '(' && *e != '\n'));
				    e++)
					if (*e == '"')
						q = !q;
				rewrite_addr(rt, s, (size_t)(e - s), how, out);
				s = e;
			}
			(void)sm_buf_append(out, s, (size_t)(p - s));
			seg = p;
			if (ch == '\0')
				break;
		}
		if (ch == '\0') {	/* an unclosed '<' */
			(void)sm_buf_puts(out, seg);
			break;
		}
	}
}

static const char *const sender_headers[] = {
	"From", "Sender", "Reply-To", "Resent-From", "Resent-Sender",
	"Resent-Reply-To", "Errors-To", NULL
};
static const char *const rcpt_headers[] = {
	"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc",
	"Apparently-To", NULL
};

/* named - is the header (after "?flags?") one of names? */
static bool
named(const char *h, size_t n, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncasecmp(h, names[i], n) == 0)
			return true;
	return false;
}

/* masquerading - the flags for sender (or recipient) addresses */
static int
masquerading(const struct route *rt, bool local, bool sender)
{
	int how = 0;

	if ((*macro(rt, "M") != '\0' || declared(rt, MAP_GENERICS)) &&
	    (sender || feature(rt, "allmasquerade")) &&
	    !(local && feature(rt, "local_no_masquerade")))
		how |= RW_MASQ;
	if (!local || feature(rt, "always_add_domain"))
		how |= RW_QUALIFY;
	return how;
}

/* route_headers - header addresses as the mailer sends them */
bool
route_headers(struct route *rt, const struct sm_strlist *in,
    const char *sender, bool local, struct sm_strlist *out)
{
	int shows = masquerading(rt, local, true);
	int rcpts = masquerading(rt, local, false);
	struct sm_buf b, v;
	size_t i, s;

	if (shows == 0 && rcpts == 0)
		return false;
	sm_buf_init(&b, 1024);
	sm_buf_init(&v, 1024);
	for (i = 0; i < in->n; i++) {
		const char *h = in->v[i], *name, *colon, *p;
		int how;

		/* "?flags?Name: value": the flags stay as they are. */
		name = h[0] == '?' && strchr(h + 1, '?') != NULL ?
		    strchr(h + 1, '?') + 1 : h;
		colon = strchr(name, ':');
		how = colon == NULL ? 0 :
		    named(name, (size_t)(colon - name), sender_headers) ?
		    shows : named(name, (size_t)(colon - name), rcpt_headers) ?
		    rcpts : 0;
		if (how == 0) {
			sm_strlist_add(out, h);
			continue;
		}
		/* $g is the sender as the headers show it. */
		sm_buf_reset(&v);
		for (p = colon + 1; *p != '\0'; p++)
			if ((unsigned char)*p == 0x81 && p[1] == 'g') {
				s = strlen(sender);
				if (s >= 2 && sender[0] == '<')
					(void)sm_buf_append(&v, sender + 1,
					    s - 2);
				else
					(void)sm_buf_puts(&v, sender);
				p++;
			} else
				(void)sm_buf_putc(&v, *p);
		sm_buf_reset(&b);
		(void)sm_buf_append(&b, h, (size_t)(colon + 1 - h));
		rewrite_list(rt, sm_buf_str(&v), how, &b);
		sm_strlist_add(out, sm_buf_str(&b));
	}
	sm_buf_free(&b);
	sm_buf_free(&v);
	return true;
}

/* route_sender - the envelope sender with masquerade_envelope */
bool
route_sender(struct route *rt, const char *sender, bool local, char *buf,
    size_t len)
{
	struct sm_buf b;
	size_t n = strlen(sender);
	int how;

	if (!feature(rt, "masquerade_envelope") || n <= 2 ||
	    sender[0] != '<' || sender[n - 1] != '>')
		return false;
	how = masquerading(rt, local, true) & RW_MASQ;
	if (how == 0)
		return false;
	sm_buf_init(&b, 256);
	(void)sm_buf_putc(&b, '<');
	rewrite_addr(rt, sender + 1, n - 2, how | RW_QUALIFY, &b);
	(void)sm_buf_putc(&b, '>');
	(void)snprintf(buf, len, "%s", sm_buf_str(&b));
	sm_buf_free(&b);
	return true;
}
