/*
 * q_retry - what becomes of a message after an attempt at it: the
 * recipients that bounce, the delay notice, the retry recorded in the
 * control file, or the message's end.
 *
 * SYNOPSIS
 *	struct q_retry x = { &opt, qdir, qfdir, hostname };
 *	q_retry_owners(&x, &ctl, dfd, &lo)	the local hook's failures,
 *						one bounce per owner
 *	q_retry_finish(&x, &ctl, dfd, res, tried, qf, df)
 *	q_retry_expired(&opt, &ctl)		older than queuereturn?
 *
 * DESCRIPTION
 *	q_retry_finish takes the attempt's result for each recipient of
 *	ctl (res[i] for ctl.rcpts[i]).  A recipient with Q_OK is done.
 *	One with Q_PERMFAIL gets a bounce (q_dsn_bounce, from "<>" to the
 *	sender; a bounce's failure goes to DoubleBounceAddress) and is
 *	done once the bounce is queued.  One with Q_TEMPFAIL stays, its
 *	reason kept as its status (mailq shows it) and the last one as the
 *	message's; but when the message has been queued longer than
 *	Timeout.queuereturn (q_retry_expired; "now" at once), it bounces
 *	instead, with 4.4.7 and its last reason.  When no recipient is
 *	left, the control file and then the data file are removed;
 *	otherwise the control file is rewritten without the recipients
 *	done (q_ctl_rewrite, fsynced unless SuperSafe=False).
 *
 *	An attempt that was tried counts: the number of tries (N) and the
 *	time of the last (K) go up, the priority grows by RetryFactor, and
 *	once the message has waited Timeout.queuewarn the sender gets one
 *	delay notice (q_dsn_warn), marked by the flag "w" so that it is
 *	not sent again.  An attempt that does not count (tried false: a
 *	host turned the runner away beside another runner, and the run
 *	tries again) changes none of these and never expires the message.
 *
 *	q_retry_owners queues the failures the local hook filed (struct
 *	q_local): one bounce for each owner- alias named, from ctl's
 *	message, listing the targets that failed, and one to the sender
 *	for those filed without an owner.
 *
 *	Nothing may be lost: a bounce that cannot be queued leaves its
 *	recipients in the control file for the next attempt, and a notice
 *	that cannot be queued is tried again at the next run.
 *
 * DIAGNOSTICS
 *	q_retry_owners() returns 0, or -1 when a bounce could not be
 *	queued (the caller defers the recipient whose failures they were).
 *	q_retry_finish() logs a control file it cannot rewrite or remove;
 *	the message then stays as it was.
 */
#ifndef Q_RETRY_H
#define Q_RETRY_H

#include "sm_config.h"

#include <stdbool.h>

#include "q_ctl.h"
#include "q_local.h"
#include "q_result.h"
#include "sm_opt.h"

struct q_retry {
	const struct sm_options	*opt;
	const char		*qdir;		/* QueueDirectory: bounces */
	const char		*qfdir;		/* the control files' */
	const char		*hostname;	/* $j, in bounces */
};

bool	q_retry_expired(const struct sm_options *, const struct q_ctl *);
int	q_retry_owners(const struct q_retry *, const struct q_ctl *, int,
	    const struct q_local *);
void	q_retry_finish(const struct q_retry *, struct q_ctl *, int,
	    struct q_result *, bool, const char *, const char *);

#endif /* Q_RETRY_H */
