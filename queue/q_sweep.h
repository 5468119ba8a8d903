/*
 * q_sweep - the files that processes which died while writing them left
 * in the queue, removed.
 *
 * SYNOPSIS
 *	q_sweep(qfdir, dfdir)		at the end of a full queue run
 *
 * DESCRIPTION
 *	A message is in the queue once its control file (qfID) is; what a
 *	writer leaves before that, or while it rewrites one, is never
 *	delivered and would stay for good:
 *
 *	dfID without a qfID, that no process holds locked: the data of a
 *	session killed before it answered 250.
 *
 *	tfID, a control file being written: removed when its qfID exists
 *	and no process holds it (a rewrite that died), or when there is no
 *	qfID and the dfID is missing or held by none (a commit that died).
 *
 *	A file younger than Q_SWEEP_GRACE seconds is left alone, since its
 *	writer may not have locked it yet, and so is one whose state
 *	changes while it is looked at.  Each removal is logged (notice)
 *	with the queue id.  The locks are tried without waiting (q_lock),
 *	and taken only for the look, so the sweep never holds up a writer
 *	or a delivery.  It runs in the queue run's process, as RunAsUser;
 *	a directory it cannot read is skipped.
 */
#ifndef Q_SWEEP_H
#define Q_SWEEP_H

#include "sm_config.h"

/* Files younger than this are never swept: their writer is starting. */
#ifndef Q_SWEEP_GRACE
#define Q_SWEEP_GRACE	60
#endif

void	q_sweep(const char *, const char *);

#endif /* Q_SWEEP_H */
