/*
 * daemon_port - DaemonPortOptions (DAEMON_OPTIONS in a .mc): one
 * listener each, with its name and modifiers, for the master and for the
 * sessions that ask which daemon took their connection.
 *
 * SYNOPSIS
 *	daemon_parse_spec("Port=25, Addr=127.0.0.1, Name=MTA", i, &spec,
 *	    err, sizeof(err))
 *	daemon_has_modifier(&spec, 'a')		M=a set?
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
 *	daemon_local_address() is where local programs find the daemon:
 *	the address of the first DaemonPortOptions, loopback when that
 *	one listens on every address.
 */
#ifndef DAEMON_PORT_H
#define DAEMON_PORT_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config.h"

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
int	daemon_local_address(const struct config *, char *, size_t, int *);

#endif /* DAEMON_PORT_H */
