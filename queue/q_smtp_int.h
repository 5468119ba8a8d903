/*
 * q_smtp_int - what the parts of the delivery client share: q_smtp.c
 * (connections and the transaction), q_reply.c (commands out, replies
 * in) and q_secure.c (TLS and AUTH on a connection).  Not for other
 * modules.
 */
#ifndef Q_SMTP_INT_H
#define Q_SMTP_INT_H

#include "q_smtp.h"

#include "sm_io.h"

#define Q_REPLY_MAX	2048
#define Q_PIPE_BYTES	8192	/* commands written before their replies */
#define Q_STARTTLS_FALLBACK	3600	/* Timeout.starttls=0 */

struct q_conn {
	int			 fd;
	struct sm_io		*io;
	const struct sm_options	*opt;
	char			 relay[320];	/* "host [ip]" for logs */
	bool			 lmtp;		/* RFC 2033 */
	bool			 pipelining, size, eightbit, dsn;
	bool			 starttls, auth_offered;	/* EHLO said */
	char			 auth_mechs[256];
	bool			 tls, authenticated;
	bool			 tls_failed;	/* the handshake did */
	bool			 auth_param_only_if_auth;
	char			 ip[64];	/* the address connected to */
	bool			 broken;	/* timed out or lost */
	bool			 timed_out;	/* the peer went silent */
	bool			 fresh;		/* a transaction just ended */
	struct sm_buf		 line;
};

/* q_reply.c */
int	q_smtp_reply(struct q_conn *, long, const char *, struct q_result *);
bool	q_smtp_cmd(struct q_conn *, const char *, long);
int	q_smtp_ehlo(struct q_conn *, const char *, struct q_result *);
void	q_smtp_show(const char *, const char *, size_t);

/* q_secure.c */
bool	q_tls_start(struct q_conn *, const struct q_secure *, const char *,
	    struct q_result *);
bool	q_secure_session(struct q_conn *, const char *,
	    const struct q_secure *, const char *, struct q_result *);

#endif /* Q_SMTP_INT_H */
