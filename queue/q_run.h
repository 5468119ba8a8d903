/*
 * q_run - one queue run: the selected messages, in the order the queue
 * is sorted, each one's recipients delivered through the local hook and
 * in SMTP or LMTP transactions.
 *
 * SYNOPSIS
 *	struct q_runner r = { .opt = &opt, .smarthost = "[10.0.0.1]", ... };
 *	ex = q_run(&r)				a run over the queue, or the
 *						delivery of message r.id
 *
 *	q_run_list(&r, &jobs, &n, &max)		the run's messages, in order;
 *						the first max are taken
 *	q_run_due(&opt, &ctl, every)		is a message due?
 *
 *	run = q_run_open(&r)			a process that lives on: see
 *	q_run_message(run, id)			below
 *	q_run_idle(run), q_run_rest(run), q_run_close(run)
 *
 *	q_log_delivery(&ctl, rcpt, start, mailer, relay, &res)
 *
 * DESCRIPTION
 *	Runs as RunAsUser.  The run's messages are those of the queue that
 *	its selectors pick (q_scan), sorted by QueueSortOrder (q_sort), of
 *	which at most MaxQueueRunSize are taken.  Each one is locked
 *	(fcntl, without waiting) before it is read again and worked on, so
 *	overlapping runs and a delivery in flight never send a message
 *	twice at once; a message locked by someone else is skipped.  A
 *	quarantined message is skipped; unless the run is partial
 *	(selectors given) or the message was handed back within the run, so
 *	is one tried less than MinQueueAge ago.
 *
 *	A run over the queue delivers with MaxRunnersPerQueue processes,
 *	each taking the next message in order with a connection of its
 *	own, and hands a message that a host turned away beside another
 *	runner to a runner that has a connection (q_share).  What a runner
 *	finds of a host is the run's (q_hostmem, q_dest): a host one runner
 *	found down is down for all of them, and a host that fails gets one
 *	attempt in a run, not one per runner.  A full run then removes
 *	what crashed writers left (q_sweep).
 *
 *	With id set, the run is the delivery of that one message (the
 *	background or interactive delivery after a 250): no directory
 *	scan, no sort and no sweep, so its cost does not grow with the
 *	queue; like a run with selectors it ignores MinQueueAge and the
 *	host status cache.
 *
 *	Each recipient's destination comes from the route hook (mailertable,
 *	MAIL_HUB); without one, it is the local hook when is_local says the
 *	domain is ours.  What the route leaves open is the smart host, or
 *	without one the domain's MX hosts through esmtp (q_route).  A
 *	recipient in a local domain goes to the local hook, which expands
 *	and delivers it (sendmaild/local, q_local): its result is the
 *	recipient's, the remote addresses it found (an alias or .forward
 *	that points elsewhere) join the message as new recipients, kept in
 *	the control file while they are deferred, and the failures it
 *	files under an owner- alias (or under the sender, for an expanded
 *	address) get a bounce of their own.  Without a hook, local
 *	recipients are deferred.
 *
 *	The other recipients go in one transaction per destination (host,
 *	port, mailer, socket), hosts taken in the order of the recipients,
 *	over a connection kept for the next message (q_dest: MX hosts, the
 *	connection cache, host status, SingleThreadDelivery per host).  A
 *	mailer with F=z speaks LMTP, and each recipient's result is the
 *	answer the server gave for it after the message; a mailer with
 *	A=FILE path reaches its server over that unix socket, as the host
 *	"localhost"; one with R=EnvToL is given each recipient's user
 *	without the domain.  The rewrite hook gives the headers and sender
 *	as they are sent (masquerading).  An envelope address without a
 *	domain (sendmail's client queue has them) goes out as
 *	user@hostname.
 *
 *	While a message is delivered, the recipients that have it are
 *	recorded in its control file (q_ctl_checkpoint, the message staying
 *	locked) before each SMTP or LMTP transaction (q_txn.between: also
 *	between those of one q_smtp_send after a 452), and between local
 *	recipients once CheckpointInterval of them have had it since the
 *	last record; CheckpointInterval 0 records nothing before the end.
 *	SIGTERM waits while a transaction's outcome is on its way to the
 *	control file (from the transaction's start to the next record),
 *	so that a process told to stop after the final dot records the
 *	answer first.  Afterwards the control file is rewritten with the
 *	recipients left and the last reason, or removed with its data file
 *	when none are left; permanent failures and messages older than
 *	Timeout.queuereturn get a bounce first (q_retry).
 *
 *	q_log_delivery writes sendmail's delivery line for one recipient's
 *	attempt ("to=..., delay=..., mailer=..., stat=..."), for the run
 *	and for the local hook.
 *
 * DIAGNOSTICS
 *	q_run() returns EX_OK, or EX_TEMPFAIL when the queue directory
 *	cannot be read (q_run_list() returns -1 then); what becomes of
 *	each message is in its control file and the log.
 */
#ifndef Q_RUN_H
#define Q_RUN_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "q_ctl.h"
#include "q_list.h"
#include "q_local.h"
#include "q_result.h"
#include "q_route.h"
#include "q_smtp.h"
#include "sm_opt.h"
#include "sm_strlist.h"

struct q_runner {
	const struct sm_options	*opt;
	const char		*qdir;		/* QueueDirectory */
	const char		*smarthost;	/* host or [address]; "" */
	int			 port;		/* of the relay mailer */
	const char		*mailer_flags;	/* relay F= */
	int			 esmtp_port;	/* MX delivery: esmtp's port */
	const char		*esmtp_flags;	/* and its F= */
	const char		*hostname;	/* $j: EHLO, bounces, bare names */
	/* Is this domain (or MX host name) ours? */
	bool			(*is_local)(void *, const char *);
	/* Expand and deliver one local recipient; NULL: defer them. */
	void			(*local)(void *, const struct q_ctl *, int,
				    const char *, struct q_local *);
	/* Where a recipient goes; NULL: is_local, else the smart host. */
	void			(*route)(void *, const char *,
				    struct q_route *);
	/* Headers and sender as SMTP sends them; false: unchanged. */
	bool			(*rewrite)(void *, const struct q_ctl *,
				    struct sm_strlist *, char *, size_t);
	void			*ctx;
	struct q_client		 client;	/* TLS and AUTH hook */
	const struct q_select	*sel;
	size_t			 nsel;
	const char		*id;		/* only this message, or NULL */
};

int	q_run(const struct q_runner *);
int	q_run_list(const struct q_runner *, struct q_job **, size_t *,
	    size_t *);
bool	q_run_due(const struct sm_options *, const struct q_ctl *, bool);

/*
 * A delivery process that lives on (the daemon's background deliveries)
 * takes messages one id at a time, as a run with id set would, but keeps
 * its connection between them:
 *
 *	run = q_run_open(&r);			r outlives run; r.id unused
 *	q_run_message(run, id);			each message handed to it
 *	if (q_run_idle(run) >= timeout)	idle seconds, -1: none
 *		q_run_rest(run);		QUIT, host status re-read
 *	q_run_close(run);
 *
 * The host status a run remembers (so that a host found up is not
 * written again after every message) is forgotten by q_run_rest.  With
 * SingleThreadDelivery the connection is closed after each message, so
 * that its host lock is not held while the process waits.
 */
struct q_run;

struct q_run	*q_run_open(const struct q_runner *);
void		 q_run_message(struct q_run *, const char *);
long		 q_run_idle(const struct q_run *);
void		 q_run_rest(struct q_run *);
void		 q_run_close(struct q_run *);
/* sendmail's "to=..., stat=..." line for one recipient's attempt */
void	q_log_delivery(const struct q_ctl *, const char *, time_t,
	    const char *, const char *, const struct q_result *);

#endif /* Q_RUN_H */
