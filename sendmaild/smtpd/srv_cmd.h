/*
 * srv_cmd - the pure parts of reading an SMTP command: which command a
 * line is, and the ESMTP parameters of MAIL and RCPT.
 *
 * SYNOPSIS
 *	cmd = srv_cmd_lookup(line, &arg)	SRV_CMD_MAIL, arg past the word
 *	srv_cmd_mail_params(params, &mp, reply, sizeof(reply))
 *	srv_cmd_rcpt_params(params, &rp, reply, sizeof(reply))
 *
 * DESCRIPTION
 *	UNTRUSTED INPUT.  Command words are case-insensitive (RFC 5321
 *	2.4).  The parameter parsers accept SIZE, BODY, RET, ENVID and AUTH
 *	on MAIL (RFC 1870, 6152, 3461, 4954) and NOTIFY and ORCPT on RCPT
 *	(RFC 3461).  On a bad parameter they write the whole reply line
 *	sendmail gives ("501 5.5.4 Unknown BODY type X") into reply and
 *	return -1.
 */
#ifndef SRV_CMD_H
#define SRV_CMD_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

enum srv_cmd {
	SRV_CMD_UNKNOWN,
	SRV_CMD_HELO, SRV_CMD_EHLO, SRV_CMD_MAIL, SRV_CMD_RCPT,
	SRV_CMD_DATA, SRV_CMD_RSET, SRV_CMD_NOOP, SRV_CMD_QUIT,
	SRV_CMD_VRFY, SRV_CMD_EXPN, SRV_CMD_HELP, SRV_CMD_VERB,
	SRV_CMD_ETRN, SRV_CMD_STARTTLS, SRV_CMD_AUTH,
	SRV_CMD_OBSOLETE,	/* TURN, SEND, SAML, SOML */
	SRV_CMD_PROXY		/* GET, POST, CONNECT, USER */
};

struct srv_mail_params {
	long	 size;		/* SIZE=, -1 when absent */
	char	 body[16];	/* "7BIT", "8BITMIME" or "" */
	char	 ret[8];	/* "FULL", "HDRS" or "" */
	char	 envid[104];	/* ENVID= xtext, or "" */
	char	 auth[520];	/* AUTH= xtext, or "" */
};

struct srv_rcpt_params {
	unsigned notify;	/* SRV_NOTIFY_* bits, 0 when absent */
	char	 orcpt[520];	/* ORCPT= as given, or "" */
};

#define SRV_NOTIFY_GIVEN	0x01
#define SRV_NOTIFY_NEVER	0x02
#define SRV_NOTIFY_SUCCESS	0x04
#define SRV_NOTIFY_FAILURE	0x08
#define SRV_NOTIFY_DELAY	0x10

enum srv_cmd	 srv_cmd_lookup(const char *, const char **);
const char	*srv_cmd_name(enum srv_cmd);
int		 srv_cmd_mail_params(const char *, struct srv_mail_params *,
		    char *, size_t);
int		 srv_cmd_rcpt_params(const char *, struct srv_rcpt_params *,
		    char *, size_t);

#endif /* SRV_CMD_H */
