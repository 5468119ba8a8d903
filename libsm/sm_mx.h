/*
 * sm_mx - MX lookups bounded by the resolver options (RFC 5321 5.1,
 * RFC 7505 null MX).
 *
 * SYNOPSIS
 *	sm_dns_opts_of(&options, first, &o);
 *	r = sm_mx_lookup("example.org", &o, mx, 16, &n, &nullmx, err, len)
 *	r = sm_mx_mail_domain("example.org", &o, &nullmx, err, len)
 *
 * DESCRIPTION
 *	Asks for the MX records of a domain through sm_dns_query() (a
 *	private resolver state that waits retrans seconds for each answer
 *	and tries retry times: Timeout.resolver.*, .first for a message's
 *	first attempt, else .normal), so a server that never answers costs
 *	a bounded time.
 *	The hosts come back sorted by preference, hosts of equal
 *	preference in random order (RFC 5321 5.1), at most max of them.
 *	*nullmx is set for a domain that publishes "MX 0 ." (RFC 7505): it
 *	accepts no mail.  A domain without MX records returns SM_DNS_OK
 *	with *n == 0: its own address is the mail host.  o->ns, when set,
 *	replaces the name servers of resolv.conf (for tests).
 *
 *	sm_mx_mail_domain() is the sender domain check: SM_DNS_OK when the
 *	domain has an MX, A or AAAA record (*nullmx when its MX says it
 *	takes no mail), SM_DNS_NOTFOUND when it does not exist or has none
 *	of them, SM_DNS_TEMP when DNS did not tell in time.
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

enum sm_dns_result sm_mx_lookup(const char *, const struct sm_dns_opts *,
		    struct sm_mx *, size_t, size_t *, bool *, char *, size_t);
enum sm_dns_result sm_mx_mail_domain(const char *, const struct sm_dns_opts *,
		    bool *, char *, size_t);

#endif /* SM_MX_H */
