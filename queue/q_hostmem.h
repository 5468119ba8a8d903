/*
 * q_hostmem - what a queue run knows of the hosts it delivers to: the
 * last outcome with each one (as the host status cache keeps it), and
 * which process is making the run's first attempt at one.
 *
 * SYNOPSIS
 *	q_hm_init(hm)
 *	st = q_hm_look(hm, host, window, claim, &e, &who)
 *	q_hm_set(hm, host, &e)		true: news (the cache file needs it)
 *	q_hm_release(hm, host)		this process's attempt had no outcome
 *	q_hm_take(hm, host)		this process makes the attempt now
 *	q_hm_alone(hm)			the other processes have ended
 *	q_hm_clear(hm)			forget everything
 *
 * DESCRIPTION
 *	The runners of one run share one table (in memory mapped before
 *	they fork), so that a host that one runner found down is down for
 *	all of them; a delivery process has one of its own.  Each call
 *	holds the table's lock for a look or a change in memory, never
 *	across a wait; a lock not had within Q_HS_LOCK_WAIT_MS (a process
 *	killed in that instant kept it) means nothing is known, with a log
 *	line.
 *
 *	q_hm_look says what to do about a new connection to host:
 *	Q_HM_DOWN	a failure younger than window seconds, in *e: none
 *	Q_HM_BUSY	another process (*who) makes the first attempt at
 *			host: wait for its outcome, then look again
 *	Q_HM_GO		connect: host was found up, or (with claim) this
 *			process makes the first attempt, and the others
 *			wait until its q_hm_set or q_hm_release
 *	Q_HM_NONE	nothing known, claim not set: the caller may ask
 *			the cache file, then look again with claim
 *
 *	At most Q_HM_HOSTS hosts are kept: a new one takes the place of
 *	the one heard of longest ago, never of one being tried.
 */
#ifndef Q_HOSTMEM_H
#define Q_HOSTMEM_H

#include "sm_config.h"

#include <stdbool.h>
#include <sys/types.h>

#include "q_hoststat.h"

#define Q_HM_HOSTS	16

enum q_hm_state {
	Q_HM_DOWN,
	Q_HM_BUSY,
	Q_HM_GO,
	Q_HM_NONE
};

struct q_hm_host {
	char			 host[256];
	pid_t			 trying;	/* its first attempt's, or 0 */
	bool			 known;		/* e is an outcome */
	struct q_hs_entry	 e;		/* e.when: or claimed at */
};

struct q_hostmem {
	_Atomic int		 lock;
	size_t			 n;
	struct q_hm_host	 v[Q_HM_HOSTS];
};

void		q_hm_init(struct q_hostmem *);
enum q_hm_state	q_hm_look(struct q_hostmem *, const char *, long, bool,
		    struct q_hs_entry *, pid_t *);
bool		q_hm_set(struct q_hostmem *, const char *,
		    const struct q_hs_entry *);
void		q_hm_release(struct q_hostmem *, const char *);
void		q_hm_take(struct q_hostmem *, const char *);
void		q_hm_alone(struct q_hostmem *);
void		q_hm_clear(struct q_hostmem *);

#endif /* Q_HOSTMEM_H */
