/*
 * sm_dns - bounded name lookups; see sm_dns.h.
 */
#include "sm_dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <resolv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sm_alloc.h"
#include "sm_log.h"

static enum sm_dns_result query(const char *, int, const struct sm_dns_opts *,
		    bool, unsigned char *, int, int *, char *, size_t);

/* A node of a result list: the addrinfo and its address, one block. */
struct node {
	struct addrinfo		ai;
	struct sockaddr_storage	ss;
};

/* add_addr - one address (af, 4 or 16 bytes) at the end of *list */
static void
add_addr(struct addrinfo **list, int af, const void *a, int port)
{
	struct node *n = sm_calloc(1, sizeof(*n));
	struct addrinfo **tail = list;

	n->ai.ai_family = af;
	n->ai.ai_socktype = SOCK_STREAM;
	n->ai.ai_protocol = IPPROTO_TCP;
	n->ai.ai_addr = (struct sockaddr *)&n->ss;
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&n->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a, 4);
		n->ai.ai_addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&n->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a, 16);
		n->ai.ai_addrlen = sizeof(*sin6);
	}
	while (*tail != NULL)
		tail = &(*tail)->ai_next;
	*tail = &n->ai;
}

/* sm_dns_free - a list sm_dns_resolve() gave */
void
sm_dns_free(struct addrinfo *ai)
{
	struct addrinfo *next;

	for (; ai != NULL; ai = next) {
		next = ai->ai_next;
		free(ai);		/* the node's first member */
	}
}

/* literal - "[x]", "[IPv6:x]" or a bare address, numerically */
static int
literal(const char *host, int port, struct addrinfo **res)
{
	unsigned char a[16];
	char addr[128];
	size_t n = strlen(host);

	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		host++;
		n -= 2;
		if (strncasecmp(host, "IPv6:", 5) == 0) {
			host += 5;
			n -= 5;
		}
	}
	if (n >= sizeof(addr))
		return -1;
	memcpy(addr, host, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, a) == 1)
		add_addr(res, AF_INET, a, port);
	else if (inet_pton(AF_INET6, addr, a) == 1)
		add_addr(res, AF_INET6, a, port);
	else
		return -1;
	return 0;
}

/* sm_dns_is_literal - is host an address ("[x]", "[IPv6:x]", bare)? */
bool
sm_dns_is_literal(const char *host)
{
	struct addrinfo *res = NULL;

	if (literal(host, 0, &res) < 0)
		return false;
	sm_dns_free(res);
	return true;
}

/*
 * hosts_next - the next line of the hosts file with an address (into
 * af, a) and a name (*first; strtok_r(NULL, " \t", save) gives the
 * others); false at the end
 */
static bool
hosts_next(FILE *fp, char **line, size_t *cap, int *af, unsigned char *a,
    char **first, char **save)
{
	char *addr;

	while (getline(line, cap, fp) > 0) {
		(*line)[strcspn(*line, "#\n")] = '\0';
		if ((addr = strtok_r(*line, " \t", save)) == NULL ||
		    (*first = strtok_r(NULL, " \t", save)) == NULL)
			continue;
		if (inet_pton(AF_INET, addr, a) == 1)
			*af = AF_INET;
		else if (inet_pton(AF_INET6, addr, a) == 1)
			*af = AF_INET6;
		else
			continue;
		return true;
	}
	return false;
}

/*
 * hosts_addrs - the hosts file's addresses of name (any of a line's
 * names); canon gets the first matching line's first name
 */
static bool
hosts_addrs(const char *name, int port, struct addrinfo **res, char *canon,
    size_t len)
{
	unsigned char a[16];
	char *line = NULL, *w, *first, *save;
	size_t cap = 0;
	int af;
	FILE *fp = fopen("/etc/hosts", "re");

	if (fp == NULL)
		return false;
	while (hosts_next(fp, &line, &cap, &af, a, &first, &save)) {
		for (w = first; w != NULL; w = strtok_r(NULL, " \t", &save))
			if (strcasecmp(w, name) == 0)
				break;
		if (w == NULL)
			continue;
		if (*res == NULL && canon != NULL)
			(void)snprintf(canon, len, "%s", first);
		add_addr(res, af, a, port);
	}
	free(line);
	(void)fclose(fp);
	return *res != NULL;
}

/*
 * dns_addrs - the A or AAAA records of name (type), added to *res;
 * canon gets the name that holds them (after any CNAME)
 */
static enum sm_dns_result
dns_addrs(const char *name, int type, const struct sm_dns_opts *o, int port,
    struct addrinfo **res, char *canon, size_t len, char *err,
    size_t errlen)
{
	unsigned char ans[4096];
	enum sm_dns_result r;
	ns_msg msg;
	ns_rr rr;
	int alen, i;

	r = query(name, type, o, strchr(name, '.') == NULL, ans, sizeof(ans),
	    &alen, err, errlen);
	if (r != SM_DNS_OK || alen == 0 || ns_initparse(ans, alen, &msg) < 0)
		return r;
	for (i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
			break;
		if ((int)ns_rr_type(rr) != type ||
		    ns_rr_rdlen(rr) != (type == ns_t_a ? 4 : 16))
			continue;
		if (canon != NULL && canon[0] == '\0')
			(void)snprintf(canon, len, "%s", ns_rr_name(rr));
		add_addr(res, type == ns_t_a ? AF_INET : AF_INET6,
		    ns_rr_rdata(rr), port);
	}
	return SM_DNS_OK;
}

/*
 * addrs - the addresses of a name: the hosts file, else DNS (AAAA, then
 * A, both within one resolver bound; one family that fails while the
 * other answers is left out); fam[0], fam[1] (when fam is not NULL):
 * how each family went
 */
static enum sm_dns_result
addrs(const char *name, int port, const struct sm_dns_opts *o,
    struct addrinfo **res, char *canon, size_t len, char *err, size_t errlen,
    enum sm_dns_result *fam)
{
	static const int types[] = { ns_t_aaaa, ns_t_a };
	enum sm_dns_result own[2], *r = fam != NULL ? fam : own;
	struct sm_dns_opts one;
	struct sm_deadline dl;
	size_t i;

	if (canon != NULL)
		canon[0] = '\0';
	r[0] = r[1] = SM_DNS_OK;
	if (hosts_addrs(name, port, res, canon, len))
		return SM_DNS_OK;
	sm_dns_deadline(o, &dl);
	for (i = 0; i < 2; i++) {
		one = *o;
		sm_dns_opts_within(&one, &dl);
		r[i] = dns_addrs(name, types[i], &one, port, res, canon, len,
		    err, errlen);
		if (i == 0 && r[i] == SM_DNS_NOTFOUND)
			return r[i];	/* the name does not exist */
	}
	if (*res != NULL)
		return SM_DNS_OK;
	if (r[0] == SM_DNS_TEMP || r[1] == SM_DNS_TEMP)
		return SM_DNS_TEMP;
	(void)sm_errbuf(err, errlen, "%s: no address", name);
	return SM_DNS_NOTFOUND;
}

/* sm_dns_resolve - the addresses of host */
enum sm_dns_result
sm_dns_resolve(const char *host, int port, const struct sm_dns_opts *o,
    struct addrinfo **res, char *err, size_t errlen)
{
	enum sm_dns_result r;
	char name[NS_MAXDNAME];
	size_t n = strlen(host);

	*res = NULL;
	if (literal(host, port, res) == 0)
		return SM_DNS_OK;
	/* "[name]": the name's own addresses, no MX (sendmail's meaning). */
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']' || n - 2 >= sizeof(name) ||
		    strncasecmp(host, "[IPv6:", 6) == 0) {
			(void)sm_errbuf(err, errlen, "%s: bad address literal",
			    host);
			return SM_DNS_NOTFOUND;
		}
		memcpy(name, host + 1, n - 2);
		name[n - 2] = '\0';
	} else
		(void)snprintf(name, sizeof(name), "%s", host);
	r = addrs(name, port, o, res, NULL, 0, err, errlen, NULL);
	if (r != SM_DNS_OK) {
		sm_dns_free(*res);
		*res = NULL;
	}
	return r;
}

/* sm_dns_canonical - the full name of host (hosts file, then DNS) */
enum sm_dns_result
sm_dns_canonical(const char *host, const struct sm_dns_opts *o, char *out,
    size_t len, char *err, size_t errlen)
{
	struct addrinfo *ai = NULL;
	enum sm_dns_result r;

	r = addrs(host, 25, o, &ai, out, len, err, errlen, NULL);
	sm_dns_free(ai);
	if (r == SM_DNS_OK && out[0] == '\0')
		(void)snprintf(out, len, "%s", host);
	return r;
}

/* ResolverOptions words and the resolver flags they stand for. */
static const struct {
	const char	*word;
	unsigned long	 flag;		/* 0: accepted, no effect here */
} res_words[] = {
	{ "debug",		RES_DEBUG },
	{ "aaonly",		0 },	/* glibc ignores it */
	{ "usevc",		RES_USEVC },
	{ "primary",		0 },
	{ "igntc",		RES_IGNTC },
	{ "recurse",		RES_RECURSE },
	{ "defnames",		RES_DEFNAMES },
	{ "stayopen",		RES_STAYOPEN },
	{ "dnsrch",		RES_DNSRCH },
	{ "insecure1",		0 },
	{ "insecure2",		0 },
	{ "noaliases",		RES_NOALIASES },
	{ "use_inet6",		0 },	/* both families are always asked */
	{ "rotate",		RES_ROTATE },
	{ "nocheckname",	0 },
	{ "use_edns0",		RES_USE_EDNS0 },
	{ "use_dnssec",		RES_USE_DNSSEC },
	{ "true",		0 },
	{ "haswildcardmx",	0 },	/* MX lookups never search */
	{ "workaroundbrokenaaaa", 0 },	/* the A answer is used alone */
};

/*
 * sm_dns_parse_options - ResolverOptions ("+AAONLY -DNSRCH ...") into
 * flags to set and to clear; -1 with err naming an unknown word, whose
 * neighbours still count.
 */
int
sm_dns_parse_options(const char *spec, unsigned long *set,
    unsigned long *clear, char *err, size_t errlen)
{
	const char *p = spec;
	size_t n, i;
	bool on;
	int rc = 0;

	*set = *clear = 0;
	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		on = *p != '-';
		if (*p == '+' || *p == '-')
			p++;
		n = strcspn(p, " \t,");
		for (i = 0; i < sizeof(res_words) / sizeof(res_words[0]); i++)
			if (strlen(res_words[i].word) == n &&
			    strncasecmp(res_words[i].word, p, n) == 0)
				break;
		if (i == sizeof(res_words) / sizeof(res_words[0])) {
			(void)sm_errbuf(err, errlen, "ResolverOptions: unknown "
			    "word \"%.*s\"", (int)n, p);
			rc = -1;
		} else if (on)
			*set |= res_words[i].flag;
		else
			*clear |= res_words[i].flag;
		p += n;
	}
	return rc;
}

/* sm_dns_opts_of - the resolver settings in force for a lookup */
void
sm_dns_opts_of(const struct sm_options *o, bool first, struct sm_dns_opts *d)
{
	int k = first ? SM_RES_FIRST : SM_RES_NORMAL;
	char err[128];

	memset(d, 0, sizeof(*d));
	d->retrans = o->to.resolver_retrans[k] > 0 ?
	    o->to.resolver_retrans[k] : 5;
	d->retry = o->to.resolver_retry[k] > 0 ? o->to.resolver_retry[k] : 1;
	(void)sm_dns_parse_options(o->ResolverOptions, &d->set, &d->clear,
	    err, sizeof(err));	/* the configuration warned once */
}

/*
 * sm_dns_deadline - one lookup's bound: retry tries of retrans seconds
 * (each of A and AAAA, asked together, and a second name server share
 * them as the C library does); a second of slack for the last answer
 */
void
sm_dns_deadline(const struct sm_dns_opts *o, struct sm_deadline *dl)
{
	sm_deadline_in(dl, o->retrans * o->retry + 1);
}

/*
 * sm_dns_opts_within - o cut so that one lookup ends by the deadline:
 * fewer tries, then shorter ones (at least one try of a second)
 */
void
sm_dns_opts_within(struct sm_dns_opts *o, const struct sm_deadline *dl)
{
	long left = sm_deadline_left_ms(dl) / 1000;

	if (left < 1)
		left = 1;
	if (o->retrans * o->retry <= left)
		return;
	o->retry = left / o->retrans;
	if (o->retry < 1) {
		o->retry = 1;
		o->retrans = left;
	}
}

/*
 * query - one question on a private resolver state; search: through the
 * search list of resolv.conf (a name without a dot), unless
 * ResolverOptions turned that off
 */
static enum sm_dns_result
query(const char *name, int type, const struct sm_dns_opts *o, bool search,
    unsigned char *ans, int anslen, int *len, char *err, size_t errlen)
{
	struct __res_state st;
	enum sm_dns_result r = SM_DNS_OK;
	ns_msg msg;

	*len = 0;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0) {
		(void)sm_errbuf(err, errlen, "%s: resolver not available",
		    name);
		return SM_DNS_TEMP;
	}
	st.retrans = (int)o->retrans;
	st.retry = (int)o->retry;
	st.options |= o->set | RES_USE_EDNS0 | RES_IGNTC;
	st.options &= ~(o->clear | RES_USEVC);
	if (!search)
		st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	if (o->ns != NULL) {
		st.nscount = 1;
		st.nsaddr_list[0] = *o->ns;
	}
	*len = search ? res_nsearch(&st, name, ns_c_in, type, ans, anslen) :
	    res_nquery(&st, name, ns_c_in, type, ans, anslen);
	if (*len < 0) {
		*len = 0;
		switch (st.res_h_errno) {
		case HOST_NOT_FOUND:
			(void)sm_errbuf(err, errlen, "%s: host not found",
			    name);
			r = SM_DNS_NOTFOUND;
			break;
		case NO_DATA:
			/* A truncated answer that kept nothing: no verdict. */
			if (anslen > 3 && (ans[2] & 0x02) != 0) {
				(void)sm_errbuf(err, errlen, "%s: answer too "
				    "large for UDP", name);
				r = SM_DNS_TEMP;
			}
			break;		/* the name exists, this type does not */
		default:
			(void)sm_errbuf(err, errlen, "%s: %s", name,
			    st.res_h_errno == TRY_AGAIN ? "no answer in time "
			    "(or server failure)" : "lookup failed");
			r = SM_DNS_TEMP;
			break;
		}
	} else if (ns_initparse(ans, *len, &msg) < 0) {
		(void)sm_errbuf(err, errlen, "%s: malformed DNS answer", name);
		*len = 0;
		r = SM_DNS_TEMP;
	}
	res_nclose(&st);
	return r;
}

/* sm_dns_query - one question, the name as it is (no search list) */
enum sm_dns_result
sm_dns_query(const char *name, int type, const struct sm_dns_opts *o,
    unsigned char *ans, int anslen, int *len, char *err, size_t errlen)
{
	return query(name, type, o, false, ans, anslen, len, err, errlen);
}

/* hosts_name - the hosts file's name for the address a (family af) */
static bool
hosts_name(int af, const void *a, char *name, size_t len)
{
	unsigned char got[16];
	char *line = NULL, *first, *save;
	size_t cap = 0;
	bool found = false;
	int gaf;
	FILE *fp = fopen("/etc/hosts", "re");

	if (fp == NULL)
		return false;
	while (!found && hosts_next(fp, &line, &cap, &gaf, got, &first,
	    &save))
		if (gaf == af && memcmp(got, a, af == AF_INET ? 4 : 16) == 0) {
			(void)snprintf(name, len, "%s", first);
			found = true;
		}
	free(line);
	(void)fclose(fp);
	return found;
}

/* ptr_name - the question for a's PTR: "4.3.2.1.in-addr.arpa" */
static void
ptr_name(int af, const unsigned char *a, char *q, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int i;

	q[0] = '\0';
	if (af == AF_INET) {
		(void)snprintf(q, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
		return;
	}
	for (i = 15; i >= 0 && n + 4 < len; i--) {
		q[n++] = hex[a[i] & 0xf];
		q[n++] = '.';
		q[n++] = hex[a[i] >> 4];
		q[n++] = '.';
	}
	q[n] = '\0';
	(void)sm_strlcat(q, "ip6.arpa", len);
}

/* sm_dns_ptr - the name of an address: hosts file, then DNS PTR */
enum sm_dns_result
sm_dns_ptr(const struct sockaddr *sa, socklen_t salen,
    const struct sm_dns_opts *o, char *name, size_t len, char *err,
    size_t errlen)
{
	const unsigned char *a;
	unsigned char ans[4096];
	char q[128], host[NS_MAXDNAME];
	enum sm_dns_result r;
	int af = sa->sa_family, alen, i;
	ns_msg msg;
	ns_rr rr;

	name[0] = '\0';
	if (af == AF_INET && salen >= sizeof(struct sockaddr_in))
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (af == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		/* An IPv4 client on an IPv6 socket: its IPv4 address. */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)
		    (const void *)a)) {
			af = AF_INET;
			a += 12;
		}
	} else {
		(void)sm_errbuf(err, errlen, "not an internet address");
		return SM_DNS_NOTFOUND;
	}
	if (hosts_name(af, a, name, len))
		return SM_DNS_OK;
	ptr_name(af, a, q, sizeof(q));
	if ((r = sm_dns_query(q, ns_t_ptr, o, ans, sizeof(ans), &alen, err,
	    errlen)) != SM_DNS_OK)
		return r;
	if (alen > 0 && ns_initparse(ans, alen, &msg) == 0)
		for (i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
			if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
				break;
			if (ns_rr_type(rr) != ns_t_ptr ||
			    dn_expand(ns_msg_base(msg), ns_msg_end(msg),
			    ns_rr_rdata(rr), host, sizeof(host)) < 0 ||
			    host[0] == '\0' || strlen(host) >= len)
				continue;
			(void)snprintf(name, len, "%s", host);
			return SM_DNS_OK;
		}
	(void)sm_errbuf(err, errlen, "%s: no PTR record", q);
	return SM_DNS_NOTFOUND;
}

/*
 * sm_dns_confirm - does name have ip among its addresses (the forward
 * half of a forward-confirmed reverse lookup)?
 */
enum sm_dns_result
sm_dns_confirm(const char *name, const char *ip, const struct sm_dns_opts *o)
{
	struct addrinfo *ai = NULL, *p;
	char err[300], got[INET6_ADDRSTRLEN];
	enum sm_dns_result r, fam[2];

	/* A name, not an address that a PTR record put in its place. */
	if (sm_dns_is_literal(name))
		return SM_DNS_NOTFOUND;
	if ((r = addrs(name, 25, o, &ai, NULL, 0, err, sizeof(err), fam)) !=
	    SM_DNS_OK) {
		sm_dns_free(ai);
		return r;
	}
	r = SM_DNS_NOTFOUND;
	for (p = ai; p != NULL && r != SM_DNS_OK; p = p->ai_next) {
		if (getnameinfo(p->ai_addr, p->ai_addrlen, got, sizeof(got),
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (strcasecmp(got, ip) == 0 || (strncmp(got, "::ffff:", 7) ==
		    0 && strcmp(got + 7, ip) == 0))
			r = SM_DNS_OK;
	}
	sm_dns_free(ai);
	/* Not among those found, but the client's family did not answer. */
	if (r != SM_DNS_OK && fam[strchr(ip, ':') != NULL ? 0 : 1] ==
	    SM_DNS_TEMP)
		r = SM_DNS_TEMP;
	return r;
}
