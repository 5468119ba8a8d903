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
	size_t len, slot, j;

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
		if (len >= sizeof(mx[0].host) || max == 0)
			continue;
		slot = *n;
		if (*n >= max) {
			/* Full: the best ones stay, whatever their order. */
			for (j = slot = 0; j < max; j++)
				if (mx[j].pref > mx[slot].pref)
					slot = j;
			if (ns_get16(rd) >= (unsigned)mx[slot].pref)
				continue;
		} else
			(*n)++;
		mx[slot].pref = ns_get16(rd);
		memcpy(mx[slot].host, name, len + 1);
	}
	return 0;
}

/* sm_mx_lookup - see sm_mx.h */
enum sm_dns_result
sm_mx_lookup(const char *domain, const struct sm_dns_opts *o, struct sm_mx *mx,
    size_t max, size_t *n, bool *nullmx, char *err, size_t errlen)
{
	unsigned char *ans;
	enum sm_dns_result r;
	int len;

	*n = 0;
	*nullmx = false;
	if ((ans = malloc(SM_MX_ANSWER)) == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", domain);
		return SM_DNS_TEMP;
	}
	r = sm_dns_query(domain, ns_t_mx, o, ans, SM_MX_ANSWER, &len, err,
	    errlen);
	if (r == SM_DNS_OK && len > 0 &&
	    parse(ans, len, mx, max, n, nullmx) < 0) {
		(void)snprintf(err, errlen, "%s: malformed DNS answer", domain);
		*n = 0;
		r = SM_DNS_TEMP;
	}
	free(ans);
	if (r == SM_DNS_OK) {
		qsort(mx, *n, sizeof(*mx), by_pref);
		shuffle(mx, *n);
	}
	return r;
}

/* has_records - does the answer hold a record of type? */
static bool
has_records(const unsigned char *ans, int len, int type)
{
	ns_msg msg;
	ns_rr rr;
	int i;

	if (len <= 0 || ns_initparse(ans, len, &msg) < 0)
		return false;
	for (i = 0; i < ns_msg_count(msg, ns_s_an); i++)
		if (ns_parserr(&msg, ns_s_an, i, &rr) == 0 &&
		    (int)ns_rr_type(rr) == type)
			return true;
	return false;
}

/* sm_mx_mail_domain - see sm_mx.h */
enum sm_dns_result
sm_mx_mail_domain(const char *domain, const struct sm_dns_opts *o,
    bool *nullmx, char *err, size_t errlen)
{
	static const int types[] = { ns_t_a, ns_t_aaaa };
	struct sm_dns_opts one;
	struct sm_deadline dl;
	struct sm_mx mx[1];
	unsigned char ans[4096];
	enum sm_dns_result r;
	size_t n, i;
	int len;

	/* The three questions share one resolver bound. */
	sm_dns_deadline(o, &dl);
	if ((r = sm_mx_lookup(domain, o, mx, 1, &n, nullmx, err, errlen)) !=
	    SM_DNS_OK || n > 0 || *nullmx)
		return r;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		one = *o;
		sm_dns_opts_within(&one, &dl);
		r = sm_dns_query(domain, types[i], &one, ans, sizeof(ans), &len,
		    err, errlen);
		if (r != SM_DNS_OK)
			return r;
		if (has_records(ans, len, types[i]))
			return SM_DNS_OK;
	}
	(void)snprintf(err, errlen, "%s: no MX, A or AAAA record", domain);
	return SM_DNS_NOTFOUND;
}
