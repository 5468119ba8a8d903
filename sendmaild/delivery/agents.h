/*
 * agents - the daemon's resident delivery agents for
 * DeliveryMode=background, and how a session hands them a message.
 *
 * SYNOPSIS
 *	agent_init(n)			master, before it forks sessions
 *	pid = fork(); ... agent_main(&config, slot)	the agent of a slot
 *	agent_started(slot, pid, now)	master: it runs
 *	slot = agent_reaped(pid)	master: an agent ended (-1: not one)
 *	agent_due(now, &ms)		master: the next slot to start, or -1
 *					(now: seconds on CLOCK_MONOTONIC)
 *	agent_restart()		master: agents end after their message
 *					and start again at once (SIGHUP)
 *	agent_signal(SIGTERM)		master: to every agent
 *	agent_running()		master: how many are alive
 *	agent_give(id)		session: true when an agent took it
 *
 * DESCRIPTION
 *	Each slot has a socket pair (SOCK_SEQPACKET: one queue id per
 *	datagram) and a state in memory shared by every process the master
 *	forks.  An agent runs as RunAsUser, marks its slot idle while it
 *	waits and busy while it delivers (delivery_resident_message: one
 *	message at a time, its connection to the smart host kept for the
 *	next one until ConnectionCacheTimeout).  A session gives an
 *	accepted message's id to an agent only after it has claimed one
 *	that is idle (compare and swap), so a message never waits behind
 *	another delivery: when every agent is busy, or none runs,
 *	agent_give returns false and the session forks the delivery
 *	itself, as sendmail does.
 *
 *	The master keeps both ends of every pair, so an id sent to an
 *	agent that then died stays in the socket for the agent started in
 *	its place; and the message is in the queue in any case, for the
 *	next queue run.  An agent ends after its current message on
 *	SIGTERM (the master sends it on SIGHUP and restarts the agent with
 *	the new configuration, and on shutdown, where it is not killed
 *	later as sessions are), and when the master is gone.  An agent's
 *	command name (ps -e) is AGENT_NAME.  An agent that ends is
 *	started again AGENT_RESTART seconds after it was last started.
 *	Stop signals reach an agent only while it waits, never in the
 *	middle of a delivery.
 */
#ifndef AGENTS_H
#define AGENTS_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"

#define AGENT_MAX	64	/* slots at most (DeliveryAgents) */
#define AGENT_RESTART	5	/* s between two starts of one slot */
#define AGENT_NAME	"sendmail-agent"	/* an agent's name in ps */

int	agent_init(size_t);
noreturn void agent_main(struct config *, size_t);
void	agent_started(size_t, pid_t, time_t);
int	agent_reaped(pid_t);
int	agent_due(time_t, int *);
void	agent_restart(void);
void	agent_signal(int);
size_t	agent_running(void);
bool	agent_give(const char *);

#endif /* AGENTS_H */
