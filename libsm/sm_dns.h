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
 */
#ifndef SM_DNS_H
#define SM_DNS_H

#include "sm_config.h"

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>

#include "sm_deadline.h"

enum sm_dns_result {
	SM_DNS_OK,
	SM_DNS_NOTFOUND,
	SM_DNS_TEMP
};

bool		 sm_dns_is_literal(const char *);
enum sm_dns_result sm_dns_resolve(const char *, int,
		    const struct sm_deadline *, struct addrinfo **, char *,
		    size_t);

#endif /* SM_DNS_H */
