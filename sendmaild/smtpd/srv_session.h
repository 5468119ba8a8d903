/*
 * srv_session - one SMTP session, from greeting to close (RFC 5321,
 * spec/smtp-server.md).
 *
 * SYNOPSIS
 *	exit(srv_session(&config, &conn));
 *
 * DESCRIPTION
 *	Runs in the child the master forked for one connection, after the
 *	privilege drop.  Every read waits through sm_io with a deadline from
 *	the option in force: Timeout.command between commands,
 *	Timeout.datablock for each read of message data, Timeout.ident for
 *	the RFC 1413 query; replies are written with the Timeout.command
 *	bound too, so a client that stops reading cannot hold the child.
 *	A fired timeout sends 421 where sendmail does, logs which Timeout
 *	fired with the peer and queue id, and ends the session.
 *
 *	The end of message data is CRLF "." CRLF and nothing else; a bare
 *	CR or LF in a command or in data ends the session with 421 4.5.0,
 *	as sendmail 8.18 does, so no smuggling variant splits one message
 *	into two.  A message is acknowledged with 250 only after
 *	q_msg_commit() made it durable.
 *
 *	A connection the master counted (conn.counted) defines
 *	${client_connections} and ${client_rate} for the session and its
 *	policy (policy_client_counts).
 *
 *	Returns a sysexits code for the child's exit status.
 */
#ifndef SRV_SESSION_H
#define SRV_SESSION_H

#include "sm_config.h"

#include <stdbool.h>
#include <sys/socket.h>

#include "config.h"
#include "daemon_port.h"

struct srv_conn {
	int			 rfd, wfd;	/* the same for a socket */
	struct sockaddr_storage	 peer, local;
	bool			 is_socket;	/* false for -bs on a pipe */
	const struct daemon_spec *daemon;	/* NULL for -bs */
	const char		*login;		/* not a socket: who, or NULL
						   for the real user id's */
	bool			 submission;	/* sendmail -t and the like:
						   no HELO name or protocol
						   in Received: and logs */
	bool			 client_queue;	/* into the client queue:
						   no policy of its own */
	bool			 counted;	/* the master counted: */
	unsigned		 client_connections;	/* its sessions */
	unsigned		 client_rate;	/* its recent connections */
};

int	srv_session(struct config *, const struct srv_conn *);
/* SASL for AUTH, once per process: the master calls it before forking. */
void	srv_auth_init(const struct config *);
/* AUTH failures per client address, shared: the master, before forking. */
int	srv_auth_failures_init(void);

#endif /* SRV_SESSION_H */
