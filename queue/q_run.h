/*
 * q_run - one queue run: every selected message, oldest priority first,
 * delivered through the smart host.
 *
 *	struct q_runner r = { .opt = &opt, .smarthost = "[10.0.0.1]", ... };
 *	ex = q_run(&r)
 *
 * DESCRIPTION
 *	Runs as RunAsUser.  Messages are sorted by QueueSortOrder and at
 *	most MaxQueueRunSize are taken.  Each one is locked (fcntl, without
 *	waiting) before it is read again and worked on, so overlapping runs
 *	and a delivery in flight never send a message twice at once; a
 *	message locked by someone else is skipped.  Unless the run is
 *	partial (selectors given), a message tried less than MinQueueAge
 *	ago is skipped.
 *
 *	Recipients outside the local domains go to the smart host in one
 *	transaction per message; connections are kept for the next message
 *	(ConnectionCacheSize, ConnectionCacheTimeout, RSET in between).
 *	Afterwards the control file is rewritten with the recipients left
 *	and the last reason, or removed with its data file when none are
 *	left; permanent failures and messages older than
 *	Timeout.queuereturn get a bounce (q_dsn) first.
 *
 *	A full run also removes what crashed writers left: a data file
 *	without a control file that no process holds (a session killed
 *	before it answered 250), and a temporary control file (tf) whose
 *	control file, or data file, nobody holds.
 *
 *	With id set, the run is the delivery of that one message (the
 *	background or interactive delivery after a 250): no directory
 *	scan, no sort and no sweep, so its cost does not grow with the
 *	queue; like a run with selectors it ignores MinQueueAge and the
 *	host status cache.
 *
 *	XXX(issues 8, 10): local recipients and domains without a smart host
 *	are deferred with a reason until local delivery and MX lookups
 *	exist.
 */
#ifndef Q_RUN_H
#define Q_RUN_H

#include "sm_config.h"

#include <stdbool.h>

#include "q_list.h"
#include "sm_opt.h"

struct q_runner {
	const struct sm_options	*opt;
	const char		*qdir;		/* QueueDirectory */
	const char		*smarthost;	/* host or [address]; "" */
	int			 port;		/* of the relay mailer */
	const char		*mailer_flags;	/* relay F= */
	const char		*hostname;	/* $j: EHLO and bounces */
	bool			(*is_local)(void *, const char *);
	void			*ctx;
	const struct q_select	*sel;
	size_t			 nsel;
	const char		*id;		/* only this message, or NULL */
};

int	q_run(const struct q_runner *);

#endif /* Q_RUN_H */
