/*
 * clients - what is remembered of each client address: how many times
 * it did something (connected, failed to authenticate) in the last
 * window seconds.
 *
 * SYNOPSIS
 *	t = clients_new(shared)			an empty table
 *	if (clients_addr(&peer, &a))		the key of a client's address
 *	clients_addr_local(&a)			127.0.0.1 or ::1?
 *		n = clients_add(t, &a, window, 1)	one more now; n: how
 *						many in the last window seconds
 *	n = clients_add(t, &a, window, 0)	how many, counting nothing
 *	clients_add(t, &a, window, -1)		take back one counted lately
 *	clients_free(t)
 *
 * DESCRIPTION
 *	A table keeps CLIENTS_SLOTS addresses.  Each address has
 *	CLIENTS_SLICES counters, one per slice of the window, on the
 *	monotonic clock (sm_clock_sec), so a count is that of the last
 *	window seconds give or take one slice, as sendmail counts
 *	${client_rate}.  When the probes for a new address find no free
 *	slot, the one used longest ago is given to it: an address that
 *	many others pushed out starts again from nothing.  A change of the
 *	window (SIGHUP) starts every count again.
 *
 *	An IPv4 client on an IPv6 socket (::ffff:a.b.c.d) counts as the
 *	IPv4 address.
 *
 *	A table made with shared set lives in memory mapped before the
 *	processes that use it fork: the master makes it, the sessions
 *	count in it.  Each call holds the table's lock for a look or a
 *	change in memory, never across a wait; a lock not had within
 *	CLIENTS_LOCK_MS (its holder was killed in that instant) is taken
 *	from a holder that no longer exists, and otherwise the call counts
 *	nothing and returns 0, with one log line per process.  A table
 *	made without shared is one process's own and takes no lock: the
 *	master counts connections in one.
 *
 *	clients_new returns NULL when the memory cannot be had.  Every
 *	function takes a NULL table and then counts nothing.
 */
#ifndef CLIENTS_H
#define CLIENTS_H

#include "sm_config.h"

#include <stdbool.h>
#include <sys/socket.h>

#define CLIENTS_SLOTS	1024	/* addresses kept */
#define CLIENTS_SLICES	12	/* counters per address */
#define CLIENTS_LOCK_MS	200

struct clients_addr {
	unsigned char	 b[16];		/* IPv6, or IPv4 as ::ffff:a.b.c.d */
};

struct clients;

struct clients	*clients_new(bool);
bool		 clients_addr(const struct sockaddr_storage *,
		    struct clients_addr *);
bool		 clients_addr_eq(const struct clients_addr *,
		    const struct clients_addr *);
bool		 clients_addr_local(const struct clients_addr *);
unsigned	 clients_add(struct clients *, const struct clients_addr *,
		    long, int);
void		 clients_free(struct clients *);

#endif /* CLIENTS_H */
