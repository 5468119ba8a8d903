/*
 * q_local - what the local delivery hook of a queue run reports for one
 * recipient, and the targets that have a message already.
 *
 * SYNOPSIS
 *	struct q_local lo = { .done = done, .first = first };
 *	runner->local(ctx, &ctl, dfd, "<rcpt>", &lo)	the hook, which
 *					sets lo.res and may call
 *	q_local_add_err(&lo, owner, target, &res)	a failure to report
 *					(owner NULL: to the sender)
 *	sm_strlist_add(&lo.forwards, "<a@b>")	a remote address found
 *	q_local_free(&lo)
 *
 *	q_local_done_read(&ctl, &done)	the targets kept in ${local_done}
 *	q_local_done_write(&ctl, &done, before)	the macro rewritten when
 *					done grew past before entries
 *
 * DESCRIPTION
 *	A queue run hands each recipient in a local domain to its local
 *	hook (sendmaild/local), which expands it (aliases, .forward) and
 *	delivers to what it finds.  lo.res is the recipient's result; the
 *	remote addresses it found join the message as new recipients; the
 *	failures it files get a bounce of their own, one per owner- alias
 *	(or to the sender, for an expanded address), from the run.
 *
 *	The targets that have the message (hashed by the hook) are kept in
 *	the control file as the macro ${local_done}, one word each, so that
 *	a retry after a deferral or a crash delivers only to those that do
 *	not have it yet; the run reads them before its first local
 *	recipient and writes them back with each checkpoint and at the end.
 *
 *	q_local_add_err copies owner and target; q_local_free frees them,
 *	the forwards and done, and zeroes lo.
 */
#ifndef Q_LOCAL_H
#define Q_LOCAL_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "q_ctl.h"
#include "q_result.h"
#include "sm_strlist.h"
#include "sm_strset.h"

/* A failure the local hook wants reported to someone. */
struct q_local_err {
	char		*owner;		/* "<owner-list>", or NULL: the sender */
	char		*target;	/* what failed, as the alias named it */
	struct q_result	 res;
};

/*
 * What the local hook did with one recipient.  done is in and out: the
 * targets (hashed) that have the message already, kept in the control
 * file as the macro ${local_done} so that a retry delivers only to
 * those that did not get it.  first is in: the first local recipient
 * of this attempt at the message (a hook that keeps state per message
 * starts afresh; done then holds what earlier attempts did).  again is
 * in: the same recipient was being delivered by a process that died
 * before it said how far it got, so only mailboxes, which recognise a
 * copy they have, are written now; programs, files and other mailers
 * wait for the next attempt.
 */
struct q_local {
	struct q_result		 res;
	struct sm_strset	 done;
	bool			 first;
	bool			 again;
	struct sm_strlist	 forwards;	/* remote, "<a@b>" */
	struct q_local_err	*errs;
	size_t			 nerrs;
};

void	q_local_add_err(struct q_local *, const char *, const char *,
	    const struct q_result *);
void	q_local_free(struct q_local *);
void	q_local_done_read(const struct q_ctl *, struct sm_strset *);
void	q_local_done_write(struct q_ctl *, const struct sm_strset *, size_t);

#endif /* Q_LOCAL_H */
