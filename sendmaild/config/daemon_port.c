/*
 * daemon_port - DaemonPortOptions: the listeners of the master, and
 * where local programs find it; see daemon_port.h.
 */
#include "daemon_port.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* trim - a field value without blanks around it */
static void
trim(const char *s, size_t n, char *out, size_t len)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* daemon_parse_spec - one DaemonPortOptions value; index names it */
int
daemon_parse_spec(const char *text, int index, struct daemon_spec *d,
    char *err, size_t errlen)
{
	char addr[256] = "", port[64] = "smtp", fam[32] = "inet", v[256];
	const char *p = text;

	memset(d, 0, sizeof(*d));
	(void)snprintf(d->name, sizeof(d->name), "Daemon%d", index);
	while (*p != '\0') {
		size_t n = strcspn(p, ","), k;
		const char *f = p, *eq;

		p += n;
		if (*p == ',')
			p++;
		while (n > 0 && isspace((unsigned char)*f)) {
			f++;
			n--;
		}
		if ((eq = memchr(f, '=', n)) == NULL)
			continue;	/* sendmail skips such a field */
		k = (size_t)(eq - f) + 1;
		trim(eq + 1, n - k, v, sizeof(v));
		switch (f[0]) {
		case 'A': case 'a':
			(void)sm_strlcpy(addr, v, sizeof(addr));
			break;
		case 'P': case 'p':
			(void)sm_strlcpy(port, v, sizeof(port));
			break;
		case 'F': case 'f':
			(void)sm_strlcpy(fam, v, sizeof(fam));
			break;
		case 'N': case 'n':
			(void)sm_strlcpy(d->name, v, sizeof(d->name));
			break;
		case 'M': case 'm':
			(void)sm_strlcpy(d->modifiers, v, sizeof(d->modifiers));
			break;
		case 'L': case 'l':
			d->backlog = atoi(v);
			break;
		default:
			break;	/* buffer sizes, per-daemon limits: later */
		}
	}
	d->optional = strchr(d->modifiers, 'O') != NULL;
	if (strcasecmp(fam, "inet") == 0)
		d->family = AF_INET;
	else if (strcasecmp(fam, "inet6") == 0)
		d->family = AF_INET6;
	else
		return sm_errbuf(err, errlen, "DaemonPortOptions %s: family "
		    "%s is not supported (inet, inet6)", d->name, fam);
	if (isdigit((unsigned char)port[0]))
		d->port = atoi(port);
	else {
		struct servent *se = getservbyname(port, "tcp");

		if (se == NULL)
			return sm_errbuf(err, errlen, "DaemonPortOptions %s: "
			    "unknown port %s", d->name, port);
		d->port = ntohs((uint16_t)se->s_port);
	}
	if (d->port <= 0 || d->port > 65535)
		return sm_errbuf(err, errlen, "DaemonPortOptions %s: bad port "
		    "%s", d->name, port);
	if (d->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&d->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)d->port);
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		if (addr[0] != '\0' &&
		    inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			return sm_errbuf(err, errlen, "DaemonPortOptions %s: "
			    "bad IPv4 address %s", d->name, addr);
		d->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&d->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)d->port);
		sin6->sin6_addr = in6addr_any;
		if (addr[0] != '\0' &&
		    inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			return sm_errbuf(err, errlen, "DaemonPortOptions %s: "
			    "bad IPv6 address %s", d->name, addr);
		d->addrlen = sizeof(*sin6);
	}
	return 0;
}

/* daemon_local_address - how a local program reaches the daemon */
int
daemon_local_address(const struct config *c, char *host, size_t len, int *port)
{
	struct daemon_spec d;
	char err[256], ip[64];
	const void *a;

	if (c->opt.DaemonPortOptions.n == 0 ||
	    daemon_parse_spec(c->opt.DaemonPortOptions.v[0], 0, &d, err,
	    sizeof(err)) < 0)
		return -1;
	*port = d.port;
	if (d.family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&d.addr;

		a = &s6->sin6_addr;
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr)) {
			(void)snprintf(host, len, "[IPv6:::1]");
			return 0;
		}
	} else {
		const struct sockaddr_in *s4 = (const void *)&d.addr;

		a = &s4->sin_addr;
		if (s4->sin_addr.s_addr == htonl(INADDR_ANY)) {
			(void)snprintf(host, len, "[127.0.0.1]");
			return 0;
		}
	}
	if (inet_ntop(d.family, a, ip, sizeof(ip)) == NULL)
		return -1;
	(void)snprintf(host, len, d.family == AF_INET6 ? "[IPv6:%s]" :
	    "[%s]", ip);
	return 0;
}

/* daemon_has_modifier - is M=x set on this daemon? */
bool
daemon_has_modifier(const struct daemon_spec *d, char m)
{
	return strchr(d->modifiers, m) != NULL;
}
