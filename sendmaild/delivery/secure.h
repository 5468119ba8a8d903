/*
 * secure - how deliveries make their connections safe: the client's
 * TLS context, AuthInfo: credentials, and the access map's TLS_Srv: and
 * Try_TLS: entries (spec/m4.md, FEATURE(authinfo)).
 *
 * SYNOPSIS
 *	secure_prepare(&c)	as root: before a privilege drop, and in the
 *				master before each fork; true when the
 *				authinfo map was read again or dropped
 *	secure_fill(&c, host, ip, port, &sec)	for one connection
 *
 * DESCRIPTION
 *	secure_prepare() makes the client's TLS context (ClientCertFile and
 *	ClientKeyFile may be readable by root alone) and reads the authinfo
 *	map (K authinfo) into memory, again only when its file changed, so
 *	a delivery that runs as RunAsUser still has the credentials while
 *	the map itself stays readable by root alone, as with sendmail.
 *
 *	secure_fill() fills in a struct q_secure for a connection to host
 *	(without brackets) at ip: TLS unless ClientPortOptions has M=S or
 *	Try_TLS:host is NO; TLS required by a TLS_Srv: entry for the host,
 *	a parent domain or the address (VERIFY: a verified certificate,
 *	VERIFY:bits or ENCR:bits: a cipher that strong); credentials from
 *	AuthInfo:host, AuthInfo:ip or AuthInfo: (the authinfo map, else the
 *	access map), unless ClientPortOptions has M=A.  A value is a list
 *	of "U:user" "I:authid" "P:password" (or "P=base64") "R:realm"
 *	"M:MECH MECH" tokens.
 */
#ifndef SECURE_H
#define SECURE_H

#include "sm_config.h"

#include <stdbool.h>

#include "config.h"
#include "q_smtp.h"

bool	secure_prepare(struct config *);
void	secure_fill(struct config *, const char *, const char *, int,
	    struct q_secure *);
int	secure_parse_authinfo(const char *, struct q_secure *);

#endif /* SECURE_H */
