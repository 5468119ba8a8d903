/*
 * route - the routing maps and masquerading of sendmail's m4 features:
 * virtusertable, mailertable, genericstable, MASQUERADE_AS and its
 * companions, always_add_domain, MAIL_HUB and LOCAL_RELAY.
 *
 * SYNOPSIS
 *	rt = route_open(&config)	maps are opened when first used
 *	route_virtual(rt, "user+d@dom", &rr)	FEATURE(virtusertable)
 *	route_domain(rt, "dom", &rr)	FEATURE(mailertable), the hub's name
 *	route_to_hub(rt, "dom", &rr)	the hub's name only
 *	route_hub(rt, "H", "user", hub, len)	MAIL_HUB ("R": LOCAL_RELAY)
 *	route_headers(rt, &hdrs, sender, local, &out)	header addresses
 *	route_sender(rt, "<a@b>", local, buf, len)	the envelope sender
 *	route_host_of("relay:host")	"host" ($S, $H, $R: "[mailer:]host")
 *	route_close(rt)
 *
 * DESCRIPTION
 *	Each map is the Berkeley DB file of its K line (Kvirtuser,
 *	Kmailertable, Kgenerics), read with lower-cased keys as makemap
 *	writes them, with or without a trailing NUL.
 *
 *	route_virtual() applies to addresses in a local domain or in class
 *	{VirtHost}: it tries user+detail@domain, user+*@domain,
 *	user@domain and @domain, and substitutes %1 (user), %2 (detail)
 *	and %3 (+detail) in the value found.  A value "error:..." is an
 *	error (see route_error); another value is the new address.
 *
 *	route_domain() finds where mail for a remote domain goes: the host
 *	of MAIL_HUB or LOCAL_RELAY when the domain is that host's name
 *	(mail those send on), else the mailertable entry for the domain,
 *	then for each parent as ".parent", then ".": "mailer:host"
 *	(a P=[IPC] mailer of the configuration: its A=TCP $h PORT gives
 *	the port, A=FILE path a unix socket instead of the host, F=z
 *	LMTP, R=EnvToL recipients without their domain, as cyrusv2
 *	has them), "local:user" or "error:...".
 *
 *	route_hub() says whether a local name leaves for the host of
 *	MAIL_HUB ($H) or LOCAL_RELAY ($R), and which host that is: it does
 *	when the macro is set, unless the name is in class L.  The caller
 *	asks for LOCAL_RELAY with an unqualified name before the aliases,
 *	for MAIL_HUB with a name that is not an alias.
 *
 *	route_headers() rewrites the sender headers (From, Sender,
 *	Reply-To, Resent-From, Resent-Sender, Resent-Reply-To, Errors-To)
 *	and, with FEATURE(allmasquerade), the recipient headers, as the
 *	mailer sends them: genericstable first (an unqualified address or
 *	one whose domain is in class G, as user@domain then user), else
 *	masquerading to $M (MASQUERADE_AS) of addresses in a local domain
 *	(not with FEATURE(limited_masquerade)), in class M, or under a
 *	class M domain with FEATURE(masquerade_entire_domain), unless the
 *	user is in class E (EXPOSED_USER) or the host in class N; an
 *	address still unqualified gets $j (or always_add_domain's domain)
 *	for SMTP, and for the local mailer only with
 *	FEATURE(always_add_domain).  The local mailer is not masqueraded
 *	with FEATURE(local_no_masquerade).  route_sender() does the same
 *	to the envelope sender with FEATURE(masquerade_envelope).  Both
 *	return false when nothing in the configuration asks for a change,
 *	and leave the output empty.
 *
 * DIAGNOSTICS
 *	route_virtual() and route_domain() return 1 when an entry applies
 *	(rr filled), 0 when none does and -1 when a map cannot be read
 *	(rr holds a temporary failure).
 */
#ifndef ROUTE_H
#define ROUTE_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "q_result.h"
#include "sm_strlist.h"

enum route_kind {
	ROUTE_LOCAL,	/* rr.addr is the local address to deliver to */
	ROUTE_REMOTE,	/* rr.addr through rr.mailer to rr.host */
	ROUTE_ERROR	/* rr.res says why */
};

struct route_result {
	enum route_kind	 kind;
	char		 addr[512];	/* "user@domain" or "user" */
	char		 mailer[64];
	char		 host[256];	/* "" the default (smart host) */
	int		 port;
	const char	*flags;		/* the mailer's F= */
	char		 path[108];	/* A=FILE path: a unix socket, or "" */
	bool		 lmtp;		/* F=z */
	bool		 user_only;	/* R=EnvToL: the user, no domain */
	int		 code;		/* ROUTE_ERROR: the reply code */
	struct q_result	 res;
};

struct route;

struct route	*route_open(const struct config *);
void		 route_close(struct route *);
int		 route_virtual(struct route *, const char *,
		    struct route_result *);
int		 route_domain(struct route *, const char *,
		    struct route_result *);
int		 route_to_hub(struct route *, const char *,
		    struct route_result *);
bool		 route_hub(struct route *, const char *, const char *, char *,
		    size_t);
void		 route_error(const char *, struct route_result *);
bool		 route_headers(struct route *, const struct sm_strlist *,
		    const char *, bool, struct sm_strlist *);
bool		 route_sender(struct route *, const char *, bool, char *,
		    size_t);
int		 route_mailer_port(const struct config *, const char *);
const char	*route_host_of(const char *);

#endif /* ROUTE_H */
