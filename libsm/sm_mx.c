/*
 * sm_mx - bounded MX lookups; see sm_mx.h.
 *
 * UNTRUSTED INPUT: the DNS answer.  It is parsed with the resolver's
 * own ns_initparse/ns_parserr and dn_expand, which check every length
 * against the message; names longer than struct sm_mx holds are
 * skipped.
 */
#include "sm_mx.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SM_MX_ANSWER	65536	/* the largest DNS message over TCP */

/* by_pref - qsort order of MX hosts */
static int
by_pref(const void *a, const void *b)
{
	const struct sm_mx *x = a, *y = b;

	return (x->pref > y->pref) - (x->pref < y->pref);
}

/* shuffle - hosts of equal preference in random order (RFC 5321 5.1) */
static void
shuffle(struct sm_mx *mx, size_t n)
{
	size_t i, j, start;
	struct sm_mx t;

	for (start = 0; start < n; start = i) {
		for (i = start + 1; i < n && mx[i].pref == mx[start].pref; i++)
			;
		for (j = i - 1; j > start; j--) {
			size_t k = start + (size_t)random() % (j - start + 1);

			t = mx[j];
			mx[j] = mx[k];
			mx[k] = t;
		}
	}
}

/* parse - the MX records of an answer into mx[]; -1 if it is malformed */
static int
parse(const unsigned char *ans, int alen, struct sm_mx *mx, size_t max,
    size_t *n, bool *nullmx)
{
	ns_msg msg;
	ns_rr rr;
	int i, count;
	size_t len;

	if (ns_initparse(ans, alen, &msg) < 0)
		return -1;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		char name[NS_MAXDNAME];
		const unsigned char *rd;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
			return -1;
		if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in ||
		    ns_rr_rdlen(rr) < 3)
			continue;
		rd = ns_rr_rdata(rr);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 2, name,
		    sizeof(name)) < 0)
			return -1;
		/* RFC 7505: a lone "MX 0 ." says the domain takes no mail. */
		if (name[0] == '\0' || strcmp(name, ".") == 0) {
			*nullmx = true;
			continue;
		}
		len = strlen(name);
		if (*n >= max || len >= sizeof(mx[0].host))
			continue;
		mx[*n].pref = ns_get16(rd);
		memcpy(mx[*n].host, name, len + 1);
		(*n)++;
	}
	return 0;
}

/* sm_mx_lookup - see sm_mx.h */
enum sm_dns_result
sm_mx_lookup(const char *domain, const struct sm_mx_opts *o, struct sm_mx *mx,
    size_t max, size_t *n, bool *nullmx, char *err, size_t errlen)
{
	struct __res_state st;
	unsigned char *ans;
	enum sm_dns_result r = SM_DNS_OK;
	int len;

	*n = 0;
	*nullmx = false;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0) {
		(void)snprintf(err, errlen, "%s: resolver not available",
		    domain);
		return SM_DNS_TEMP;
	}
	st.retrans = o->retrans > 0 ? (int)o->retrans : 5;
	st.retry = o->retry > 0 ? (int)o->retry : 1;
	st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	if (o->ns != NULL) {
		st.nscount = 1;
		st.nsaddr_list[0] = *o->ns;
	}
	ans = malloc(SM_MX_ANSWER);
	if (ans == NULL) {
		res_nclose(&st);
		(void)snprintf(err, errlen, "%s: out of memory", domain);
		return SM_DNS_TEMP;
	}
	len = res_nquery(&st, domain, ns_c_in, ns_t_mx, ans, SM_MX_ANSWER);
	if (len < 0) {
		switch (st.res_h_errno) {
		case HOST_NOT_FOUND:
			(void)snprintf(err, errlen, "%s: host not found",
			    domain);
			r = SM_DNS_NOTFOUND;
			break;
		case NO_DATA:
			break;		/* no MX: the domain's own address */
		default:
			(void)snprintf(err, errlen, "%s: MX lookup failed "
			    "(%s)", domain, st.res_h_errno == TRY_AGAIN ?
			    "no answer in time" : "server failure");
			r = SM_DNS_TEMP;
			break;
		}
	} else if (parse(ans, len, mx, max, n, nullmx) < 0) {
		(void)snprintf(err, errlen, "%s: malformed DNS answer", domain);
		*n = 0;
		r = SM_DNS_TEMP;
	}
	free(ans);
	res_nclose(&st);
	if (r == SM_DNS_OK) {
		qsort(mx, *n, sizeof(*mx), by_pref);
		shuffle(mx, *n);
	}
	return r;
}
