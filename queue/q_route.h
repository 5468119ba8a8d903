/*
 * q_route - where each recipient of a message goes in a queue run, and
 * which recipients go together: one transaction per destination.
 *
 * SYNOPSIS
 *	struct q_route rt;		the route hook's answer, or is_local's
 *	struct q_route_relay relay = { smarthost, port, flags, esmtp_port,
 *	    esmtp_flags };
 *	if (q_route_resolve(&rt, "<a@b>", &relay, &res))
 *		settled: no transaction this time, res says why
 *	q_route_domain("<a@b>", buf, len)	"b"
 *
 *	struct q_route_rcpt v[n];	one per recipient, v[i].route resolved
 *	q_route_group(&g, v, n)		the destinations of those not settled
 *	items = sm_group_items(&g, k, &len)	destination k's recipients
 *	q_route_wire(&v[i], &ctl.rcpts[i])	how its transaction names it:
 *	v[i].wire, v[i].notify		RCPT's address, NOTIFY=
 *	q_route_unwire(&v[i])
 *
 * DESCRIPTION
 *	The route hook (mailertable, MAIL_HUB; sendmaild/route) says where
 *	a recipient goes: to the local hook, to an SMTP or LMTP host
 *	through a mailer, to a unix socket (A=FILE), or nowhere (failed).
 *	q_route_resolve fills in what it left to the runner: a unix socket
 *	is the host "localhost"; without a host, the smart host through
 *	the relay mailer, or, without a smart host, the domain's MX hosts
 *	through esmtp (its port, 25 when none is set, and its F=); the
 *	relay mailer's port and F= when the route names none.  It settles
 *	a recipient without a transaction when the route failed (the
 *	route's result), when an expansion gave a local address (deferred,
 *	4.3.0: it goes through the local hook at the next attempt), and
 *	when no host is left (no domain in the address and no smart host:
 *	5.1.2, for good); the route's mailer, or "local", is the one to
 *	log.
 *
 *	q_route_group puts the recipients that are not settled into one
 *	group per host, port, mailer and socket, hosts in the order the
 *	recipients name them, and each group's recipients in their order
 *	in the message (sm_group), in time linear in the number of
 *	recipients.  Each string of the key goes with its length, so that
 *	no host and mailer can pass for another pair.
 *
 *	q_route_wire gives a recipient in a transaction its RCPT address
 *	(for R=EnvToL, user_only, the user without the domain: "<user>")
 *	and its NOTIFY= value from the control file's R line flags ("N"
 *	with S, F, D; "NEVER" for N alone; NULL without N), both owned by
 *	v until q_route_unwire.
 */
#ifndef Q_ROUTE_H
#define Q_ROUTE_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "q_ctl.h"
#include "q_result.h"
#include "sm_group.h"

/*
 * Where the route hook sends one recipient: to the local hook, to an
 * SMTP host ("" the smart host), or nowhere (failed: res says why).
 */
struct q_route {
	bool		 local;
	bool		 failed;
	char		 host[256];
	int		 port;		/* 0: the runner's */
	const char	*flags;		/* the mailer's F=, NULL: the runner's */
	char		 mailer[64];	/* for the log, "" relay */
	char		 path[108];	/* A=FILE: a unix socket, not host */
	bool		 lmtp;		/* F=z: LMTP (RFC 2033) */
	bool		 user_only;	/* R=EnvToL: RCPT without the domain */
	struct q_result	 res;
};

/* Where the runner sends what the route leaves open. */
struct q_route_relay {
	const char	*smarthost;	/* host or [address]; "": MX */
	int		 port;		/* of the relay mailer */
	const char	*flags;		/* its F= */
	int		 esmtp_port;	/* MX delivery: esmtp's port, 0: 25 */
	const char	*esmtp_flags;	/* and its F= */
};

/*
 * One recipient in an attempt at a message (the attempt's v[i] is
 * c->rcpts[i]'s): where it goes and how it fared.
 */
struct q_route_rcpt {
	struct q_route	 route;		/* where it goes */
	struct q_result	 res;		/* how it fared */
	bool		 settled;	/* res is in: no transaction for it */
	char		*wire;		/* in a transaction: RCPT's address */
	char		*notify;	/* and its NOTIFY=, or NULL */
};

const char	*q_route_domain(const char *, char *, size_t);
bool		 q_route_resolve(struct q_route *, const char *,
		    const struct q_route_relay *, struct q_result *);
void		 q_route_group(struct sm_group *, const struct q_route_rcpt *,
		    size_t);
void		 q_route_wire(struct q_route_rcpt *, const struct q_rcpt *);
void		 q_route_unwire(struct q_route_rcpt *);

#endif /* Q_ROUTE_H */
