/*
 * q_hoststat - the host status cache: a Berkeley DB hash file,
 * hoststat.db, in HostStatusDirectory (DESIGN.md, "Host status cache").
 *
 * SYNOPSIS
 *	q_hs_get(dir, host, &e)		0 found, 1 none, -1 unusable
 *	q_hs_put(dir, host, &e)
 *	q_hs_clear(dir, host)
 *	q_hs_walk(dir, fn, ctx)		hoststat
 *	q_hs_purge(dir, maxage)		purgestat
 *
 * DESCRIPTION
 *	Every access is short: take an fcntl lock on hoststat.lock, waiting
 *	at most Q_HS_LOCK_WAIT_MS, open the file, read or update, close,
 *	unlock.  The kernel drops the lock of a process that died, so a
 *	kill -9 never wedges the cache.  A lock not had in time, or a file
 *	that is missing or corrupt, means "no cached status" with one log
 *	line: the cache never stops a delivery.  Keys are host names in
 *	lower case without a trailing dot, or bracketed addresses.
 */
#ifndef Q_HOSTSTAT_H
#define Q_HOSTSTAT_H

#include "sm_config.h"

#include <stdbool.h>
#include <time.h>

#define Q_HS_LOCK_WAIT_MS	2000

enum q_hs_state {
	Q_HS_OK,
	Q_HS_TEMP,
	Q_HS_PERM
};

struct q_hs_entry {
	time_t		 when;		/* last attempt */
	enum q_hs_state	 state;
	int		 err;		/* errno of the failure, or 0 */
	char		 dsn[16];
	char		 reply[256];	/* the reply or our reason */
};

struct sm_options;

void	q_hs_dir(const struct sm_options *, char *, size_t);
int	q_hs_get(const char *, const char *, struct q_hs_entry *);
int	q_hs_put(const char *, const char *, const struct q_hs_entry *);
int	q_hs_clear(const char *, const char *);
int	q_hs_walk(const char *, void (*)(void *, const char *,
	    const struct q_hs_entry *), void *);
int	q_hs_purge(const char *, long);
int	q_hs_host_lock(const char *, const char *);	/* fd, -1 busy, -2 */
bool	q_hs_host_locked(const char *, const char *);

#endif /* Q_HOSTSTAT_H */
