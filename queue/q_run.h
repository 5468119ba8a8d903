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
 *	(ConnectionCacheSize, ConnectionCacheTimeout, RSET in between;
 *	q_dest).
 *
 *	A run over the queue delivers with MaxRunnersPerQueue processes
 *	(at most MaxQueueChildren; one under SingleThreadDelivery with a
 *	host status directory and while q_smtp_trace is set): after the
 *	scan and sort, this one forks the others and each takes the next
 *	message in order, with a connection of its own (q_share).  What a runner
 *	finds of a host is the run's (q_hostmem): a host one runner found
 *	down is down for all of them, and the run's first attempt at a
 *	host is made by one runner while the others that are about to
 *	connect to it wait for its outcome (no longer than such an attempt
 *	can take, q_smtp_open_limit, nor than that runner lives), so that
 *	a host that fails gets one attempt in a run, not one per runner.
 *	A runner that a host turns away (a reply or a close right after
 *	the connect, not a timeout) while another runner has a
 *	connection does not record the host as failed nor count a try: it
 *	hands the message back and stops; a runner with a connection
 *	takes it when it runs out of messages, or this process once the
 *	others have ended.  The forked runners get SIGTERM
 *	when this process ends, and it waits for them before it returns.
 *	SIGTERM waits while a transaction's outcome is on its way to the
 *	control file (from the transaction's start to the next record),
 *	so that a process told to stop after the final dot records the
 *	answer first.
 *	While a message is delivered, the recipients that have it are
 *	recorded in its control file (q_ctl_checkpoint, the message staying
 *	locked) before each SMTP or LMTP transaction (q_txn.between: also
 *	between those of one q_smtp_send after a 452), and between local
 *	recipients once CheckpointInterval of them have had it since the
 *	last record; CheckpointInterval 0 records nothing before the end.
 *	Afterwards the control file is rewritten with the recipients left
 *	and the last reason, or removed with its data file when none are
 *	left; permanent failures and messages older than
 *	Timeout.queuereturn get a bounce (q_dsn) first.
 *
 *	A full run also removes what crashed writers left (q_sweep): a
 *	data file without a control file that no process holds (a session
 *	killed before it answered 250), and a temporary control file (tf)
 *	whose control file, or data file, nobody holds.
 *
 *	With id set, the run is the delivery of that one message (the
 *	background or interactive delivery after a 250): no directory
 *	scan, no sort and no sweep, so its cost does not grow with the
 *	queue; like a run with selectors it ignores MinQueueAge and the
 *	host status cache.
 *
 *	A recipient in a local domain goes to the local hook instead,
 *	which expands and delivers it (sendmaild/local): its result is the
 *	recipient's, the remote addresses it found (an alias or .forward
 *	that points elsewhere) join this message's smart-host transaction
 *	as new recipients, kept in the control file while they are
 *	deferred, and the failures it files under an owner- alias (or
 *	under the sender, for an expanded address) get a bounce of their
 *	own.  Without a hook, local recipients are deferred.
 *
 *	With a route hook, each recipient's destination comes from it
 *	(mailertable, MAIL_HUB): the recipients going to the same host
 *	through the same mailer share one transaction, hosts taken in the
 *	order of the recipients; the host status cache and
 *	SingleThreadDelivery hold per host.  A mailer with F=z speaks
 *	LMTP, and each recipient's result is the answer the server gave
 *	for it after the message; a mailer with A=FILE path reaches its
 *	server over that unix socket, as the host "localhost"; one with
 *	R=EnvToL is given each recipient's user without the domain.  The
 *	rewrite hook gives the headers and sender as they are sent
 *	(masquerading).  An envelope address without a domain (sendmail's
 *	client queue has them) goes out as user@hostname.
 *
 *	A destination host without brackets is looked up for MX records
 *	(RFC 5321 5.1, q_dest): the MX hosts are tried in preference order (random
 *	among equals), down to our own name (is_local); a name without MX
 *	is its own mail host; "[host]" and address literals are used as
 *	they are.  Without a smart host or a route, a recipient goes to
 *	its domain's MX hosts through the esmtp mailer.  Each MX host has
 *	its own host status; NXDOMAIN and a null MX (RFC 7505) fail the
 *	recipient at once, a DNS lookup that does not end within
 *	Timeout.resolver.* defers it.
 */
#ifndef Q_RUN_H
#define Q_RUN_H

#include "sm_config.h"

#include <stdbool.h>
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
