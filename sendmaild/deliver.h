/*
 * deliver - queue runs started by sendmail: the runner (queue/q_run) set
 * up from the configuration in force.
 *
 *	deliver_run(&config, sel, nsel)		one run (-q, -qf, -q15m)
 *	deliver_message(&config, id)		one message (DeliveryMode i, b)
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
int	deliver_client_queue(struct config *);
int	deliver_client_queue_ids(const struct config *, const char *, char *,
	    size_t);

#endif /* DELIVER_H */
