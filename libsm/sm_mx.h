/*
 * sm_mx - MX lookups bounded by the resolver options (RFC 5321 5.1,
 * RFC 7505 null MX).
 *
 * SYNOPSIS
 *	struct sm_mx_opts o = { .retrans = 5, .retry = 2 };
 *	r = sm_mx_lookup("example.org", &o, mx, 16, &n, &nullmx, err, len)
 *
 * DESCRIPTION
 *	Asks the C library's resolver (res_nquery on a private res_state)
 *	for the MX records of a domain, waiting retrans seconds for each
 *	answer and retrying retry times (Timeout.resolver.retrans and
 *	Timeout.resolver.retry, .first for a message's first attempt, else
 *	.normal), so a server that never answers costs a bounded time.
 *	The hosts come back sorted by preference, hosts of equal
 *	preference in random order (RFC 5321 5.1), at most max of them.
 *	*nullmx is set for a domain that publishes "MX 0 ." (RFC 7505): it
 *	accepts no mail.  A domain without MX records returns SM_DNS_OK
 *	with *n == 0: its own address is the mail host.  o->ns, when set,
 *	replaces the name servers of resolv.conf (for tests).
 *
 *	Returns SM_DNS_OK, SM_DNS_NOTFOUND (NXDOMAIN) or SM_DNS_TEMP
 *	(timeout, SERVFAIL), with the reason in err.
 */
#ifndef SM_MX_H
#define SM_MX_H

#include "sm_config.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "sm_dns.h"

struct sm_mx {
	char	host[256];
	int	pref;
};

struct sm_mx_opts {
	long				 retrans;	/* seconds, > 0 */
	long				 retry;
	const struct sockaddr_in	*ns;		/* or NULL */
};

enum sm_dns_result sm_mx_lookup(const char *, const struct sm_mx_opts *,
		    struct sm_mx *, size_t, size_t *, bool *, char *, size_t);

#endif /* SM_MX_H */
