/*
 * sm_dns - bounded name lookups; see sm_dns.h.
 */
#include "sm_dns.h"

#include <errno.h>
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
