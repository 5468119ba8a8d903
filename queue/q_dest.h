/*
 * q_dest - the destinations of a delivery process: which host of a
 * destination to connect to, the connection kept for the next message,
 * and what the process and the run know of each host's status.
 *
 * SYNOPSIS
 *	d = q_dest_new(&opt, heloname, &client, is_local, ctx, partial)
 *	c = q_dest_open(d, &peer, first, host, sizeof(host), &res)
 *	q_smtp_send(c, &txn), then
 *	q_dest_remember(d, host, ok, &res)	how host answered
 *	q_dest_drop(d, quit)			the connection goes
 *	q_dest_unlock(d)			between messages: no host
 *						lock held while waiting
 *	q_dest_idle(d)				seconds unused, -1: none
 *	q_dest_rest(d)				QUIT, forget host status
 *	q_dest_share(d, &hosts, &open)		the runners of a run share
 *						these from now on (NULL: the
 *						process's own, nothing shared)
 *	q_dest_crowded(d)			turned away beside another
 *						runner since the last share
 *	q_dest_free(d)				QUIT, free
 *
 * DESCRIPTION
 *	A destination (struct q_peer) is a host name, "[host]" or an
 *	address literal, with a port, or a unix socket (path, named
 *	"localhost" as sendmail names it).  A name without brackets is
 *	looked up for MX records (RFC 5321 5.1), bounded by
 *	Timeout.resolver.*: the MX hosts are tried in preference order
 *	(random among equals, at most Q_MX_MAX) down to our own name
 *	(is_local; a list whose best host is ours is a configuration error
 *	unless TryNullMXList), and a name without MX is its own mail host;
 *	"[host]" and address literals are used as they are.  NXDOMAIN of
 *	the address lookup and a null MX (RFC 7505) fail the recipients
 *	for good; a lookup that does not end in time defers them.  One MX
 *	host that may work later makes the outcome a deferral, not a
 *	bounce.  Timeout.aconnect bounds the connects to all the hosts of
 *	a destination together.
 *
 *	One connection is kept (ConnectionCacheSize,
 *	ConnectionCacheTimeout): q_dest_open reuses it for the same host,
 *	port, socket and protocol, after an RSET (q_smtp_rset), and tries
 *	its host first when it is one of the destination's MX hosts.
 *	Under SingleThreadDelivery with a host status directory, a new
 *	connection takes the host's lock (q_hs_host_lock), held until the
 *	connection goes; a host locked by another process defers with
 *	4.4.5.
 *
 *	Host status: a failure younger than Timeout.hoststatus, met by this
 *	process, by a runner of the same run (q_hostmem), or filed in the
 *	cache (q_hoststat, HostStatusDirectory), makes the host down: it
 *	is skipped without a connection, the failure as its result.  The
 *	run's first attempt at a host is made by one runner; another that
 *	is about to connect to it waits for its outcome, no longer than
 *	such an attempt can take (q_smtp_open_limit) nor than that runner
 *	lives, looking every Q_FIRST_WAIT_MS.  A partial run (partial:
 *	selectors, or a message's own delivery) and Timeout.hoststatus=0
 *	ignore host status, and a connection in hand is used whatever the
 *	status says.  q_dest_remember records a host's outcome for the
 *	run and, when it changed, in the cache file.
 *
 *	A runner that a host turns away (a reply or a close right after
 *	the connect, not a timeout) while another runner of the run has a
 *	connection open is crowded: the host most likely takes one
 *	connection per client.  That is not a failure of the host: the
 *	result is a deferral with 4.4.5, nothing is recorded, and
 *	q_dest_crowded says so until the next q_dest_share.
 *
 * DIAGNOSTICS
 *	q_dest_open() returns the connection, or NULL with res saying why
 *	(the last host's failure, or a deferral when any host deferred);
 *	host holds the host connected to or last tried ("" when none was).
 */
#ifndef Q_DEST_H
#define Q_DEST_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "q_hostmem.h"
#include "q_result.h"
#include "q_smtp.h"
#include "sm_opt.h"

#define Q_MX_MAX	16	/* MX hosts tried for one destination */
/* Between two looks at another runner's first attempt at a host. */
#define Q_FIRST_WAIT_MS	10

struct q_dest;

struct q_dest	*q_dest_new(const struct sm_options *, const char *,
		    const struct q_client *, bool (*)(void *, const char *),
		    void *, bool);
struct q_conn	*q_dest_open(struct q_dest *, const struct q_peer *, bool,
		    char *, size_t, struct q_result *);
void		 q_dest_remember(struct q_dest *, const char *, bool,
		    const struct q_result *);
void		 q_dest_drop(struct q_dest *, bool);
void		 q_dest_unlock(struct q_dest *);
long		 q_dest_idle(const struct q_dest *);
void		 q_dest_rest(struct q_dest *);
void		 q_dest_share(struct q_dest *, struct q_hostmem *,
		    _Atomic int *);
bool		 q_dest_crowded(const struct q_dest *);
void		 q_dest_free(struct q_dest *);

#endif /* Q_DEST_H */
