/*
 * policy - who may send mail here and to whom (spec/smtp-server.md 6, 7).
 *
 * SYNOPSIS
 *	p = policy_open(&config, client_ip, client_name, local_ip, deferred)
 *	policy_client_resolve(p, "OK", name)	how the client's name came
 *	policy_client_counts(p, conns, rate)	what the master counted
 *	policy_connect(p, &r)			access Connect:, ClientRate:,
 *						ClientConn:
 *	policy_mail(p, &sender, shown, &r)	access From: (shown: the
 *						sender as the client wrote it)
 *	policy_rcpt(p, &rcpt, delayed, &r)	access To:, relaying, users
 *	policy_auth(p, mech)			the client authenticated
 *	policy_close(p)
 *
 * DESCRIPTION
 *	With deferred set every check passes and no map is read: the
 *	session writes the client queue, and the daemon decides when the
 *	message reaches it.
 *
 *	Runs in the session child, after the privilege drop; it opens the
 *	access map (K access, FEATURE(access_db)) read-only itself, so a
 *	map rebuilt by makemap is seen by the next session.  Each check
 *	fills a struct policy_result: a verdict and, for a refusal, the
 *	whole reply line.
 *
 *	Relaying (a recipient outside the local domains) is allowed for a
 *	client at exactly 127.0.0.1 or ::1, a client address or name in
 *	class R or with Connect: RELAY, a recipient domain in class R or
 *	with To: RELAY, a client that authenticated with a mechanism in
 *	class TrustAuthMech, and FEATURE(promiscuous_relay).  Local domains are
 *	class w (Cw, Fw, LOCAL_DOMAIN), localhost, $j and our own address
 *	in brackets; a local recipient must be a user of this system or
 *	postmaster.  With FEATURE(delay_checks) the connection and sender
 *	checks run at each RCPT instead, unless the sender has OK or RELAY.
 *
 *	With FEATURE(ratecontrol) and FEATURE(conncontrol), policy_connect
 *	also compares the counts the master passed (${client_rate},
 *	${client_connections}) with the access map's ClientRate: and
 *	ClientConn: entries for the client's address or net, else the entry
 *	with an empty address; 0 means no limit, and a client with Connect:
 *	OK or RELAY has none.  Past a limit the result is a 4xx with limit
 *	set: "452 4.3.2 Connection rate limit exceeded." or "452 4.3.2 Too
 *	many open connections.", 421 with the feature's `terminate'
 *	argument; nodelay is set with its `nodelay' argument.
 *
 *	The client's name counts for access and relaying only when its
 *	reverse lookup was confirmed (${client_resolve} OK); a client that
 *	may not relay hears why its name did not count: 450 for a lookup
 *	that timed out, 550 for a forged or missing name.  The sender
 *	domain check (unless FEATURE(accept_unresolvable_domains)) refuses
 *	a domain that does not exist with 553 5.1.8, one that publishes a
 *	null MX with 550 5.7.27 (RFC 7505), and answers 451 4.1.8 when DNS
 *	does not tell in time (Timeout.resolver.*).
 */
#ifndef POLICY_H
#define POLICY_H

#include "sm_config.h"

#include <stdbool.h>

#include "config.h"
#include "sm_addr.h"

enum policy_verdict {
	POL_NONE,	/* no entry: the default applies */
	POL_OK,
	POL_RELAY,
	POL_REJECT,
	POL_DISCARD,
	POL_TEMPFAIL
};

struct policy_result {
	enum policy_verdict v;
	char		 reply[1024];	/* for a refusal: "550 5.7.1 ..." */
	bool		 limit;		/* by ClientRate: or ClientConn: */
	bool		 nodelay;	/* at connect even with delay_checks */
};

struct policy;

struct policy	*policy_open(const struct config *, const char *,
		    const char *, const char *, bool);
void		 policy_close(struct policy *);
bool		 policy_has_feature(const struct policy *, const char *);
bool		 policy_is_local_domain(const struct policy *, const char *);
bool		 policy_client_may_relay(const struct policy *);
void		 policy_auth(struct policy *, const char *);
void		 policy_client_resolve(struct policy *, const char *,
		    const char *);
void		 policy_client_counts(struct policy *, unsigned, unsigned);
void		 policy_connect(struct policy *, struct policy_result *);
void		 policy_mail(struct policy *, const struct sm_addr *,
		    const char *, struct policy_result *);
void		 policy_rcpt(struct policy *, const struct sm_addr *,
		    const char *, struct policy_result *);
const char	*policy_access_value(struct policy *, const char *);

#endif /* POLICY_H */
