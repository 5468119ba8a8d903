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

/* literal - "[x]", "[IPv6:x]" or a bare address, numerically */
static int
literal(const char *host, const char *port, struct addrinfo **res)
{
	struct addrinfo hints;
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
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	return getaddrinfo(addr, port, &hints, res) == 0 ? 0 : -1;
}

/* sm_dns_is_literal - is host an address ("[x]", "[IPv6:x]", bare)? */
bool
sm_dns_is_literal(const char *host)
{
	struct addrinfo *res = NULL;

	if (literal(host, "0", &res) < 0)
		return false;
	freeaddrinfo(res);
	return true;
}

/* sm_dns_resolve - addresses of host, before the deadline */
enum sm_dns_result
sm_dns_resolve(const char *host, int port, const struct sm_deadline *dl,
    struct addrinfo **res, char *err, size_t errlen)
{
	struct gaicb *cb, *list[1];
	struct addrinfo *hints;
	char *name = NULL;
	struct timespec ts;
	char portbuf[16];
	int rc, left;

	*res = NULL;
	(void)snprintf(portbuf, sizeof(portbuf), "%d", port);
	if (literal(host, portbuf, res) == 0)
		return SM_DNS_OK;
	/* "[name]": the name's own addresses, no MX (sendmail's meaning). */
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 3 || host[n - 1] != ']' ||
		    strncasecmp(host, "[IPv6:", 6) == 0) {
			(void)sm_errbuf(err, errlen, "%s: bad address literal",
			    host);
			return SM_DNS_NOTFOUND;
		}
		name = sm_strndup(host + 1, n - 2);
	}
	/*
	 * The request lives on the heap: on a timeout it is abandoned to
	 * the resolver thread that may still write to it (a small leak per
	 * lookup that timed out, in a process that moves on).
	 */
	cb = sm_calloc(1, sizeof(*cb));
	hints = sm_calloc(1, sizeof(*hints));
	hints->ai_socktype = SOCK_STREAM;
	hints->ai_flags = AI_NUMERICSERV;
	cb->ar_name = name != NULL ? name : sm_strdup(host);
	cb->ar_service = sm_strdup(portbuf);
	cb->ar_request = hints;
	list[0] = cb;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		(void)sm_errbuf(err, errlen, "%s: %s", host, gai_strerror(rc));
		return SM_DNS_TEMP;
	}
	while ((rc = gai_error(cb)) == EAI_INPROGRESS) {
		if ((left = sm_deadline_left_ms(dl)) == 0) {
			(void)gai_cancel(cb);
			(void)sm_errbuf(err, errlen, "%s: host name lookup "
			    "timed out", host);
			return SM_DNS_TEMP;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000L;
		(void)gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	if (rc == 0) {
		*res = cb->ar_result;
		free((void *)(uintptr_t)cb->ar_name);
		free((void *)(uintptr_t)cb->ar_service);
		free(hints);
		free(cb);
		return SM_DNS_OK;
	}
	(void)sm_errbuf(err, errlen, "%s: %s", host, gai_strerror(rc));
	free((void *)(uintptr_t)cb->ar_name);
	free((void *)(uintptr_t)cb->ar_service);
	free(hints);
	free(cb);
	return rc == EAI_NONAME ? SM_DNS_NOTFOUND : SM_DNS_TEMP;
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
 * sm_dns_env - RES_OPTIONS for the C library's own lookups (the
 * getaddrinfo_a() threads read it when they first set up their resolver,
 * so this comes before any lookup)
 */
void
sm_dns_env(const struct sm_dns_opts *o)
{
	char v[128];

	(void)snprintf(v, sizeof(v), "timeout:%ld attempts:%ld%s%s%s",
	    o->retrans, o->retry, (o->set & RES_USEVC) ? " use-vc" : "",
	    (o->set & RES_ROTATE) ? " rotate" : "",
	    (o->set & RES_USE_EDNS0) ? " edns0" : "");
	(void)setenv("RES_OPTIONS", v, 1);
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

/* sm_dns_query - one question on a private resolver state */
enum sm_dns_result
sm_dns_query(const char *name, int type, const struct sm_dns_opts *o,
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
	st.options &= ~(o->clear | RES_DNSRCH | RES_DEFNAMES | RES_USEVC);
	if (o->ns != NULL) {
		st.nscount = 1;
		st.nsaddr_list[0] = *o->ns;
	}
	*len = res_nquery(&st, name, ns_c_in, type, ans, anslen);
	if (*len < 0) {
		*len = 0;
		switch (st.res_h_errno) {
		case HOST_NOT_FOUND:
			(void)sm_errbuf(err, errlen, "%s: host not found",
			    name);
			r = SM_DNS_NOTFOUND;
			break;
		case NO_DATA:
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

/* hosts_name - the hosts file's name for the address a (family af) */
static bool
hosts_name(int af, const void *a, char *name, size_t len)
{
	unsigned char want[16], got[16];
	size_t alen = af == AF_INET ? 4 : 16;
	char *line = NULL, *addr, *host, *save;
	size_t cap = 0;
	bool found = false;
	FILE *fp = fopen("/etc/hosts", "re");

	if (fp == NULL)
		return false;
	memcpy(want, a, alen);
	while (!found && getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "#\n")] = '\0';
		if ((addr = strtok_r(line, " \t", &save)) == NULL ||
		    (host = strtok_r(NULL, " \t", &save)) == NULL ||
		    inet_pton(af, addr, got) != 1 ||
		    memcmp(got, want, alen) != 0)
			continue;
		(void)snprintf(name, len, "%s", host);
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
	struct sm_deadline dl;
	char err[300], got[INET6_ADDRSTRLEN];
	enum sm_dns_result r;

	sm_dns_deadline(o, &dl);
	if ((r = sm_dns_resolve(name, 25, &dl, &ai, err, sizeof(err))) !=
	    SM_DNS_OK)
		return r;
	r = SM_DNS_NOTFOUND;
	for (p = ai; p != NULL && r != SM_DNS_OK; p = p->ai_next) {
		if (getnameinfo(p->ai_addr, p->ai_addrlen, got, sizeof(got),
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (strcasecmp(got, ip) == 0 || (strncmp(got, "::ffff:", 7) ==
		    0 && strcmp(got + 7, ip) == 0))
			r = SM_DNS_OK;
	}
	freeaddrinfo(ai);
	return r;
}
