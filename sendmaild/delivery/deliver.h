/*
 * deliver - queue runs started by sendmail: the runner (queue/q_run) set
 * up from the configuration in force.
 *
 *	deliver_run(&config, sel, nsel)		one run (-q, -qf, -q15m)
 *	deliver_message(&config, id)		one message (DeliveryMode i, b)
 *	a = deliver_agent_open(&config)		a delivery process that lives
 *	deliver_agent_message(a, id)		on: one message at a time, the
 *	deliver_agent_wait(a)			connection kept; ms until it is
 *	deliver_agent_rest(a)			to be closed (-1: none), close
 *	deliver_agent_close(a)			it, end
 *	deliver_client_queue(&config)		ClientQueueDirectory, to the
 *						local daemon (-Ac -q)
 *	deliver_client_queue_ids(&config, user, err, n)	root: become user
 *						with that directory's group
 *
 * The smart host is the expansion of $S ("[mailer:]host"), the port the
 * third word of the relay mailer's A=TCP $h PORT (25 when absent), the
 * local domains those of class w, localhost and $j.  The caller has
 * already dropped privileges.  Returns a sysexits code.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include "sm_config.h"

#include <stddef.h>

#include "config.h"
#include "q_list.h"

int	deliver_run(struct config *, const struct q_select *, size_t);
int	deliver_message(struct config *, const char *);

/* An agent opens its maps again when they are older than this (s). */
#define DELIVER_AGENT_MAPS	30

struct deliver_agent;

struct deliver_agent	*deliver_agent_open(struct config *);
void			 deliver_agent_message(struct deliver_agent *,
			    const char *);
int			 deliver_agent_wait(const struct deliver_agent *);
void			 deliver_agent_rest(struct deliver_agent *);
void			 deliver_agent_close(struct deliver_agent *);
int	deliver_client_queue(struct config *);
int	deliver_client_queue_ids(const struct config *, const char *, char *,
	    size_t);

#endif /* DELIVER_H */
