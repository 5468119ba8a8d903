/*
 * sm_dns - name lookups bounded by the resolver options.
 *
 *	sm_dns_opts_of(&options, first, &o)	Timeout.resolver.*, ResolverOptions
 *	r = sm_dns_resolve("smtp.example.org", 587, &o, &ai, err, n)
 *	... ai is a struct addrinfo list; sm_dns_free(ai) ...
 *	r = sm_dns_canonical("host", &o, full, sizeof(full), err, n)
 *	r = sm_dns_ptr(sa, salen, &o, name, sizeof(name), err, n)
 *	r = sm_dns_confirm(name, ip, &o)	does name lead back to ip?
 *					(SM_DNS_NOTFOUND: it does not)
 *	r = sm_dns_query(name, ns_t_mx, &o, ans, sizeof(ans), &len, err, n)
 *	sm_dns_deadline(&o, &dl)	how long one lookup may take
 *	sm_dns_opts_within(&o, &dl)	fewer or shorter tries to end by dl
 *
 * Every lookup is a question of our own through res_nquery() (or
 * res_nsearch() for a name without a dot) on a private resolver state
 * that waits retrans seconds for an answer and tries retry times
 * (Timeout.resolver.retrans and .retry: .first during a message's first
 * delivery attempt, else .normal), with the flags ResolverOptions sets;
 * no threads, so nothing is left behind in a process that forks.  The
 * resolver never falls back to TCP for a truncated answer (glibc's TCP
 * path has no timeout of its own): EDNS0 asks for answers up to 1200
 * bytes and what a truncated answer holds is used.
 *
 * The hosts file comes first, as Debian's nsswitch.conf has it ("files
 * dns"): for addresses (all the lines that name the host) and for
 * reverse lookups.  Address literals ("[192.0.2.1]", "[IPv6:2001:db8::1]",
 * "192.0.2.1") need no lookup (sm_dns_is_literal() tells them); a name
 * in brackets ("[mx.example]") is looked up as the name itself (no MX,
 * as in sendmail).  A name's addresses are its AAAA records then its A
 * records, both asked within one resolver bound; when one family fails
 * and the other answers, the answer is used.
 *
 * Results: SM_DNS_OK, SM_DNS_NOTFOUND (the name does not exist: a
 * permanent failure), or SM_DNS_TEMP (no answer in time, server
 * failure: try later), with the reason in err.
 */
#ifndef SM_DNS_H
#define SM_DNS_H

#include "sm_config.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "sm_deadline.h"
#include "sm_opt.h"

enum sm_dns_result {
	SM_DNS_OK,
	SM_DNS_NOTFOUND,
	SM_DNS_TEMP
};

struct sm_dns_opts {
	long				 retrans;	/* seconds, > 0 */
	long				 retry;		/* tries, > 0 */
	unsigned long			 set, clear;	/* RES_* flags */
	const struct sockaddr_in	*ns;		/* tests: or NULL */
};

void		 sm_dns_opts_of(const struct sm_options *, bool,
		    struct sm_dns_opts *);
int		 sm_dns_parse_options(const char *, unsigned long *,
		    unsigned long *, char *, size_t);
void		 sm_dns_deadline(const struct sm_dns_opts *,
		    struct sm_deadline *);
void		 sm_dns_opts_within(struct sm_dns_opts *,
		    const struct sm_deadline *);
enum sm_dns_result sm_dns_query(const char *, int, const struct sm_dns_opts *,
		    unsigned char *, int, int *, char *, size_t);
enum sm_dns_result sm_dns_ptr(const struct sockaddr *, socklen_t,
		    const struct sm_dns_opts *, char *, size_t, char *, size_t);
enum sm_dns_result sm_dns_canonical(const char *, const struct sm_dns_opts *,
		    char *, size_t, char *, size_t);
enum sm_dns_result sm_dns_confirm(const char *, const char *,
		    const struct sm_dns_opts *);

bool		 sm_dns_is_literal(const char *);
enum sm_dns_result sm_dns_resolve(const char *, int,
		    const struct sm_dns_opts *, struct addrinfo **, char *,
		    size_t);
void		 sm_dns_free(struct addrinfo *);

#endif /* SM_DNS_H */
