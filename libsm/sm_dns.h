/*
 * sm_dns - name lookups that cannot outlive a deadline.
 *
 *	r = sm_dns_resolve("smtp.example.org", 587, &dl, &ai, err, n)
 *	... ai is a struct addrinfo list; freeaddrinfo(ai) ...
 *
 * Address literals ("[192.0.2.1]", "[IPv6:2001:db8::1]", "192.0.2.1")
 * are converted without any lookup (sm_dns_is_literal() tells them); a
 * name in brackets ("[mx.example]") is looked up as the name itself (no
 * MX, as in sendmail).  Names go through glibc's
 * getaddrinfo_a(), waited for with gai_suspend() until the deadline
 * (Timeout.resolver.* gives it), so a DNS server that does not answer
 * costs at most that long.  Returns SM_DNS_OK, SM_DNS_NOTFOUND (the name
 * does not exist: a permanent failure), or SM_DNS_TEMP (timeout, server
 * failure: try later), with the reason in err.
 *
 *	sm_dns_opts_of(&options, first, &o)	Timeout.resolver.*, ResolverOptions
 *	sm_dns_env(&o)			the same for the C library's own lookups
 *	sm_dns_deadline(&o, &dl)	how long one lookup may take
 *	r = sm_dns_query(name, ns_t_ptr, &o, ans, sizeof(ans), &len, err, n)
 *	r = sm_dns_ptr(sa, salen, &o, name, sizeof(name), err, n)
 *	r = sm_dns_confirm(name, ip, &o)	does name lead back to ip?
 *					(SM_DNS_NOTFOUND: it does not)
 *
 * Queries of our own (MX, PTR, the sender domain check) go through
 * res_nquery() on a private resolver state that waits retrans seconds for
 * an answer and tries retry times (Timeout.resolver.retrans and .retry,
 * .first during a message's first delivery attempt, else .normal), with
 * the flags ResolverOptions sets.  The resolver never falls back to TCP
 * for a truncated answer (glibc's TCP path has no timeout of its own):
 * EDNS0 asks for answers up to 1200 bytes and what a truncated answer
 * holds is used.  Address lookups go through getaddrinfo_a() (the hosts
 * file first, as nsswitch.conf says) with RES_OPTIONS set from the same
 * values and the deadline as the outer bound.  A reverse lookup reads the
 * hosts file before DNS.
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
void		 sm_dns_env(const struct sm_dns_opts *);
void		 sm_dns_deadline(const struct sm_dns_opts *,
		    struct sm_deadline *);
enum sm_dns_result sm_dns_query(const char *, int, const struct sm_dns_opts *,
		    unsigned char *, int, int *, char *, size_t);
enum sm_dns_result sm_dns_ptr(const struct sockaddr *, socklen_t,
		    const struct sm_dns_opts *, char *, size_t, char *, size_t);
enum sm_dns_result sm_dns_confirm(const char *, const char *,
		    const struct sm_dns_opts *);

bool		 sm_dns_is_literal(const char *);
enum sm_dns_result sm_dns_resolve(const char *, int,
		    const struct sm_deadline *, struct addrinfo **, char *,
		    size_t);

#endif /* SM_DNS_H */
