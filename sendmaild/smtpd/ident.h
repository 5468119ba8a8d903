/*
 * ident - the RFC 1413 query a session makes before it greets.
 *
 *	ident_query(&local, &peer, deadline, user, sizeof(user))
 *
 * Connects from the session's own address to the client's port 113,
 * sends "<client port>, <our port>", reads one reply line and takes the
 * user id from "... : USERID : <os>[,<charset>] : <user>" (prefixed with
 * "IDENT:" when the os is OTHER).  Everything, connect included, must
 * finish before the deadline (Timeout.ident).  Returns 0 with the user,
 * or -1: refused, timed out, an ERROR reply, anything malformed.  The
 * reply is UNTRUSTED: the user id is cut to printable characters.
 */
#ifndef IDENT_H
#define IDENT_H

#include "sm_config.h"

#include <stddef.h>
#include <sys/socket.h>

#include "sm_deadline.h"

int	ident_query(const struct sockaddr_storage *,
	    const struct sockaddr_storage *, const struct sm_deadline *,
	    char *, size_t);

#endif /* IDENT_H */
