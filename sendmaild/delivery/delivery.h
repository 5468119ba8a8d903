/*
 * delivery - deliveries set up from the configuration in force: the
 * queue runner of queue/q_run.h with this program's hooks (local
 * delivery, routing maps, TLS and AUTH for each connection).
 *
 * SYNOPSIS
 *	delivery_queue_run(&config, sel, nsel)	one run (-q, -qf, -q15m)
 *	delivery_message(&config, id)		one message (DeliveryMode i, b)
 *	r = delivery_resident_open(&config)	for a process that lives on
 *	delivery_resident_message(r, id)	(an agent, agents.h): one
 *	delivery_resident_wait(r)		message at a time, the
 *	delivery_resident_rest(r)		connection kept; ms until it is
 *	delivery_resident_close(r)		to be closed (-1: none), close
 *						it, end
 *	delivery_client_queue(&config, host, port)	ClientQueueDirectory,
 *						to the daemon there (clientq.h)
 *
 * DESCRIPTION
 *	The smart host is the expansion of $S ("[mailer:]host"), the port
 *	the third word of the relay mailer's A=TCP $h PORT (25 when
 *	absent), the local domains those of class w, localhost and $j.
 *	The caller has already dropped privileges.  Each returns a
 *	sysexits code.
 */
#ifndef DELIVERY_H
#define DELIVERY_H

#include "sm_config.h"

#include <stddef.h>

#include "config.h"
#include "q_list.h"

int	delivery_queue_run(struct config *, const struct q_select *, size_t);
int	delivery_message(struct config *, const char *);

/* A resident delivery opens its maps again when older than this (s). */
#define DELIVERY_RESIDENT_MAPS	30

struct delivery_resident;

struct delivery_resident *delivery_resident_open(struct config *);
void	delivery_resident_message(struct delivery_resident *, const char *);
int	delivery_resident_wait(const struct delivery_resident *);
void	delivery_resident_rest(struct delivery_resident *);
void	delivery_resident_close(struct delivery_resident *);
int	delivery_client_queue(struct config *, const char *, int);

#endif /* DELIVERY_H */
