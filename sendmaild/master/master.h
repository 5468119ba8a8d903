/*
 * master - the master process of -bd and -bD: it listens on the
 * DaemonPortOptions sockets (daemon_port.h), forks one session per
 * connection, reaps, and starts the other processes the daemon keeps:
 * the resident delivery agents (agents.h), periodic queue runs (-q15m)
 * and runs over the client queue.  It never reads SMTP.
 *
 * SYNOPSIS
 *	ex = master_run(&config, &args, foreground)
 *
 * DESCRIPTION
 *	The master stops polling its listeners while
 *	MaxDaemonChildren children run, and for the rest of a second once
 *	ConnectionRateThrottle connections came in it; waiting clients sit
 *	in the backlog.  For each client address it counts the sessions
 *	open and the connections of the last ConnectionRateWindowSize
 *	(clients.h) and hands both to the session (${client_connections},
 *	${client_rate}); a connection from an address that holds its share
 *	of MaxDaemonChildren already (MaxClientShare, ours) gets
 *	"421 4.3.2 Too many open connections." in one write that cannot
 *	block, and no fork.  Before forking it maps the sessions' shared
 *	count of AUTH failures.
 *
 *	A session that dies on a signal (a crash, or a kill from outside)
 *	throttles its listener: from then on the master forks a session
 *	for it at most once a second (MASTER_THROTTLE_MS), until one of
 *	its sessions ends normally, so a session that crashes on every
 *	connection cannot make the master fork as fast as clients come.
 *
 *	SIGCHLD reaps, SIGHUP re-reads the configuration for new children
 *	(listeners stay as they are), SIGTERM stops: listeners closed,
 *	children sent SIGTERM, and after at most MASTER_STOP_WAIT seconds
 *	the rest get SIGKILL.
 *
 *	When it starts, and at every queue run interval, the master also
 *	starts a run over ClientQueueDirectory when that directory holds
 *	anything.
 */
#ifndef MASTER_H
#define MASTER_H

#include "sm_config.h"

#include <stdbool.h>

#include "args.h"
#include "config.h"

#define MASTER_STOP_WAIT	10
/* A listener whose sessions die on signals forks once a second. */
#define MASTER_THROTTLE_MS	1000

int	master_run(struct config *, const struct args *, bool);

#endif /* MASTER_H */
