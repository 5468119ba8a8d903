/*
 * daemon - the master process of -bd and -bD: it listens, forks one
 * child per connection, reaps, and does nothing else.
 *
 * SYNOPSIS
 *	daemon_parse_spec("Port=25, Addr=127.0.0.1, Name=MTA", &spec, ...)
 *	ex = daemon_run(&config, &args, foreground)
 *	daemon_local_address(&config, host, len, &port)	"[127.0.0.1]", 25
 *
 * DESCRIPTION
 *	Each DaemonPortOptions line is one listener.  Only the first letter
 *	of a field's key counts (Addr, Port, Family, Name, Listen,
 *	Modifiers, ...), fields are split at commas only, and a field
 *	without "=" is skipped, as in sendmail: "Name=MTA M=a" names the
 *	daemon "MTA M=a" and sets no modifier.  Family is inet or inet6.
 *	The listen backlog is Listen=, else the ListenQueueSize option
 *	(ours; default 256, because sendmail's 10 drops bursts).
 *
 *	The master never reads SMTP.  It stops polling its listeners while
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
 *	SIGCHLD reaps, SIGHUP re-reads the configuration for new children
 *	(listeners stay as they are), SIGTERM stops: listeners closed,
 *	children sent SIGTERM, and after at most DAEMON_STOP_WAIT seconds
 *	the rest get SIGKILL.
 *
 *	When it starts, and at every queue run interval, the master also
 *	starts a run over ClientQueueDirectory (deliver_client_queue())
 *	when that directory holds anything.
 *
 *	daemon_local_address() is where local programs find the daemon:
 *	the address of the first DaemonPortOptions, loopback when that
 *	one listens on every address.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include "sm_config.h"

#include <stdbool.h>
#include <sys/socket.h>

#include "args.h"
#include "config.h"

#define DAEMON_STOP_WAIT	10
#define DAEMON_BACKLOG		256

struct daemon_spec {
	char			 name[128];
	char			 modifiers[32];
	int			 family;	/* AF_INET, AF_INET6 */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 port;
	int			 backlog;	/* 0: the option's */
	bool			 optional;	/* M=O: bind failure is fine */
};

int	daemon_parse_spec(const char *, int, struct daemon_spec *, char *,
	    size_t);
bool	daemon_has_modifier(const struct daemon_spec *, char);
int	daemon_run(struct config *, const struct args *, bool);
int	daemon_local_address(const struct config *, char *, size_t, int *);

#endif /* DAEMON_H */
