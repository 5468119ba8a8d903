/*
 * srv_int - the state of one SMTP session, shared by srv_session.c
 * (the session and its commands), srv_envelope.c (MAIL, RCPT, VRFY and
 * EXPN), srv_data.c (DATA), srv_tls.c and srv_auth.c.  Not for other
 * modules.
 */
#ifndef SRV_INT_H
#define SRV_INT_H

#include "sm_config.h"

#include <stdbool.h>

#include "config.h"
#include "policy.h"
#include "q_file.h"
#include "sm_addr.h"
#include "sm_buf.h"
#include "sm_io.h"
#include "sm_strset.h"
#include "srv_session.h"

#define SRV_MAXLINE	2048	/* a command line, CRLF included */
#define SRV_REPLY_MAX	65536	/* a multiline reply, all its lines */
#define SRV_MAXBAD	25	/* bad commands before we hang up */

#define SRV_REJECT_NONE		0
#define SRV_REJECT_ACCESS	1	/* Connect: REJECT, a connection limit */
#define SRV_REJECT_PROTOCOL	2	/* talked before the EHLO reply */

struct srv {
	struct config		*c;
	const struct srv_conn	*conn;
	struct sm_io		*io;
	struct sm_buf		 line;
	struct sm_buf		 out;		/* a multiline reply so far */
	struct policy		*pol;
	char			 hostname[256];	/* $j */
	char			 peer_ip[64];
	char			 local_ip[64];
	char			 client_name[300];	/* verified name, or "[ip]" */
	const char		*client_resolve;	/* OK FAIL TEMP FORGED */
	char			 client[640];	/* $_: [user@]name [ip] */
	char			 helo[256];
	bool			 helo_seen, esmtp;
	bool			 tls;		/* STARTTLS done (or M=s) */
	struct srv_auth		*auth;		/* SASL state, or NULL */
	char			 auth_type[64];	/* the mechanism, once done */
	int			 reject;	/* SRV_REJECT_*: refuse commands */
	char			 reject_reply[1024];	/* ACCESS: the reply */
	int			 ncmds;		/* command lines read */
	bool			 did_mail;	/* MAIL/EXPN/VRFY/ETRN seen */
	bool			 closing;
	int			 nbad;
	struct sm_deadline	 session_end;	/* MaxSessionTime */
	const char		*last_cmd;
	/* The transaction. */
	struct q_msg		*msg;
	char			*sender_shown;	/* as typed, for replies */
	struct sm_addr		 sender;
	char			 body[16];
	char			 ret[8];
	struct sm_strset	 rcpts;		/* addresses as accepted; case
						   does not matter */
	bool			 discard;
	bool			 deliver_after;	/* DeliveryMode b: hand off */
	char			 deliver_id[Q_ID_MAX];
};

int	srv_reply(struct srv *, const char *, ...) SM_PRINTF(2, 3);
void	srv_transaction_reset(struct srv *);
void	srv_data(struct srv *);
bool	srv_input_waiting(struct srv *);
void	srv_deliver_background(struct srv *);
const struct sm_deadline *srv_bound(struct srv *, struct sm_deadline *);
bool	srv_session_over(struct srv *);
const char *srv_proto(const struct srv *);
void	srv_lost(struct srv *, enum sm_io_result);
void	srv_stop_attack(struct srv *);
const char *srv_qid(const struct srv *);

/* srv_envelope.c: MAIL, RCPT, and VRFY or EXPN (expn true). */
void	srv_mail(struct srv *, const char *);
void	srv_rcpt(struct srv *, const char *);
void	srv_vrfy(struct srv *, const char *, bool);

/* srv_tls.c: STARTTLS (RFC 3207) and implicit TLS (daemon M=s). */
bool	srv_tls_offered(const struct srv *);
void	srv_starttls(struct srv *, const char *);
int	srv_tls_implicit(struct srv *);

/* srv_auth.c: AUTH (RFC 4954) through Cyrus SASL. */
bool	srv_auth_mechs(struct srv *, char *, size_t);
void	srv_auth(struct srv *, const char *);
bool	srv_auth_required(const struct srv *);
void	srv_auth_free(struct srv *);
void	srv_auth_reset(struct srv *);

#endif /* SRV_INT_H */
