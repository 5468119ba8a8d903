/*
 * q_share - the runners of one queue run: how many there are, the
 * messages they take in turn, and the hand-back of a message that a
 * host turned away beside another runner.
 *
 * SYNOPSIS
 *	n = q_share_runners(&opt, max)
 *	struct q_share_ops ops = { job, share, stop, ctx };
 *	q_share_run(jobs, max, n, &ops)
 *
 * DESCRIPTION
 *	A run over the queue delivers the first max messages of its sorted
 *	list (jobs) with n processes: MaxRunnersPerQueue, no more than
 *	MaxQueueChildren, no more than max; one under SingleThreadDelivery
 *	with a host status directory (a second would find the host locked
 *	and defer what it took) and while q_smtp_trace is set (-v -qf), so
 *	that conversations do not interleave.
 *
 *	q_share_run forks n - 1 runners after the calling process, which
 *	is a runner too; each takes the next message in order until none
 *	is left, calling job(ctx, id, false), with memory mapped before the
 *	fork for what they share: the next message, what they found of
 *	hosts (q_hostmem) and how many of them hold a connection or are
 *	opening one, which share(ctx, &hosts, &open) hands to each
 *	runner's destinations (q_dest_share).  When job returns true, a
 *	host turned the runner away while another runner had a connection
 *	(a host that takes one connection per client): the runner hands
 *	the message back to the run and stops.  A runner that runs out of
 *	messages first takes those handed back (job(ctx, id, true)), over
 *	the connection it has; then stop(ctx) closes it.  Each message is
 *	taken once, and one handed back once more.
 *
 *	The forked runners get SIGTERM when the calling process ends (a
 *	daemon stopping its run ends them all) and end by _exit; the
 *	caller waits for each of them (each message they take is bounded
 *	by the timeouts in force, so the wait is too), logs how one that
 *	failed ended, and then, alone, takes what was handed back and no
 *	runner took, sharing the hosts' memory but counting no
 *	connections, before share(ctx, NULL, NULL) gives its destinations
 *	their own memory back.  Without shared memory (mmap fails) or a
 *	fork, fewer runners deliver, down to the caller alone.
 */
#ifndef Q_SHARE_H
#define Q_SHARE_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "q_hostmem.h"
#include "q_list.h"
#include "sm_opt.h"

struct q_share_ops {
	/* Deliver message id (again: one handed back); true: refused
	   beside another runner, handed back, this runner stops. */
	bool	(*job)(void *, const char *, bool);
	/* What a runner's destinations share from now on (q_dest_share). */
	void	(*share)(void *, struct q_hostmem *, _Atomic int *);
	/* This runner takes no more messages: its connection goes. */
	void	(*stop)(void *);
	void	*ctx;
};

size_t	q_share_runners(const struct sm_options *, size_t);
void	q_share_run(const struct q_job *, size_t, size_t,
	    const struct q_share_ops *);

#endif /* Q_SHARE_H */
