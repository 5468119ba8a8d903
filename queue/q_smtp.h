/*
 * q_smtp - the SMTP client that delivers to a smart host (RFC 5321,
 * 2920 PIPELINING, 1870 SIZE, 6152 8BITMIME, 3461 DSN, 3207 STARTTLS,
 * 4954 AUTH, 8314 implicit TLS), and the LMTP client (RFC 2033) for
 * mailers with F=z.
 *
 * SYNOPSIS
 *	struct q_peer p = { host, port, path, lmtp };
 *	q_smtp_aconnect(&opt, &until)	Timeout.aconnect from now: for all
 *					the MX hosts of a destination
 *	c = q_smtp_open(&p, &opt, first, &until, heloname, &client, &r)
 *					until NULL: aconnect of this host
 *	c = q_smtp_attach(fd, name, lmtp, &opt, heloname, &r)	over a
 *					connected fd, a socket both ways:
 *					a mailer program's standard input
 *					and output (closed by q_smtp_close)
 *	q_smtp_send(c, &txn)		all recipients: one transaction,
 *					more when the server answers 452
 *	q_smtp_usable(c)		may c carry another message?
 *	q_smtp_rset(c)			before reusing c for the next message
 *					(RSET unless the last one just ended)
 *	q_smtp_relay(c)			"host [address]", for log lines
 *	q_smtp_close(c, quit)		QUIT when quit (and c is usable),
 *					then close
 *	q_smtp_open_limit(&opt)		the longest q_smtp_open takes, in s
 *
 *	q_smtp_trace = stdout		-v: the conversation, both ways
 *	q_header_wanted(h, mflags, &rest)	a control file header line
 *	q_header_put(&buf, rest, sender, smtp)	"?flags?Name: value", for
 *					a mailer with F= mflags
 *	q_smtp_replies(fd, &opt)	read fd's replies as a delivery
 *					does (for tests and fuzzing)
 *
 * DESCRIPTION
 *	Every wait has a deadline from the Timeout.* options in opt
 *	(opt->to), taken at the moment sendmail applies them: connect
 *	(iconnect on a message's first attempt) per address and aconnect
 *	for all addresses together (until, when set: the aconnect deadline
 *	of all the MX hosts of a destination), initial for the greeting,
 *	helo (lhlo for LMTP), mail, rcpt, datainit, datafinal, rset, quit;
 *	each body write must make progress within 300 s.  An option of 0
 *	("no limit" in sendmail) gets a finite fallback:
 *	Q_CONNECT_FALLBACK for connects, Q_READ_FALLBACK for replies.  A
 *	peer with a path is a unix socket (A=FILE path), connected to
 *	within connect (iconnect) and aconnect as well, and named
 *	"localhost" in logs and host status, as sendmail names it; it gets
 *	no TLS and no AUTH.
 *
 *	With a client whose secure hook fills in a struct q_secure (after
 *	the connect, when the address is known), the connection is made
 *	safe before any mail goes: TLS first (before the greeting when
 *	implicit, else STARTTLS when the server offers it; Timeout.starttls
 *	bounds the reply and the handshake, and whatever the server sent
 *	after its 220 is dropped, never read as a reply), then AUTH with
 *	the first mechanism of the allowed list that the server offers
 *	(PLAIN, LOGIN, CRAM-MD5; each reply bounded by Timeout.auth).  A
 *	mechanism that shows the password (PLAIN, LOGIN) is never used
 *	without TLS unless cleartext_ok.  A TLS requirement that is not met
 *	or an AUTH the server refuses fails the connection with a temporary
 *	result that carries the reason or the server's reply.
 *
 *	Results are per recipient: Q_OK, Q_TEMPFAIL or Q_PERMFAIL with the
 *	server's reply (or our reason) for the log, mailq and bounces.  A
 *	timeout or a lost connection fails the connection: the caller must
 *	close it and defer what is left.
 *
 *	With PIPELINING, MAIL, the RCPTs and DATA go in writes of about
 *	Q_PIPE_BYTES, each one's replies read before the next write, so
 *	that many recipients cannot fill both directions of the connection
 *	at once (RFC 2920 3.1).  Recipients refused with 452 (more than the
 *	server takes in one transaction, RFC 5321 4.5.3.1.10) are sent
 *	again in another transaction on the same connection once a
 *	transaction delivered to someone; when none did, they stay
 *	deferred.  This client does not speak SMTPUTF8 (RFC 6531): a
 *	recipient whose address has a byte outside ASCII fails for good
 *	(5.6.7) without being sent, and every recipient does when the
 *	sender's does.
 *
 *	LMTP: LHLO instead of EHLO, its reply bounded by Timeout.lhlo and
 *	never followed by HELO; after the final dot the server answers once
 *	for each recipient it accepted, in the order of the RCPT commands,
 *	each answer bounded by Timeout.datafinal.  Each recipient's result
 *	is its own answer; a recipient whose answer never came (the
 *	connection failed or timed out first) is deferred, never taken as
 *	delivered.
 *
 * DIAGNOSTICS
 *	q_smtp_open() and q_smtp_attach() return NULL with r saying why.
 *	q_smtp_send() sets every recipient's result and returns 0, or -1
 *	when the connection failed on the way; q_smtp_rset() returns 0, or
 *	-1 when c cannot carry another message.  Either way c is then only
 *	good for q_smtp_close(c, false).
 */
#ifndef Q_SMTP_H
#define Q_SMTP_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "q_result.h"
#include "sm_buf.h"
#include "sm_deadline.h"
#include "sm_opt.h"
#include "sm_strlist.h"
#include "sm_tls.h"

#define Q_CONNECT_FALLBACK	120
#define Q_READ_FALLBACK		3600
#define Q_DATA_PROGRESS		300

struct q_txn {
	const char	*sender;	/* "<a@b>" or "<>" */
	const char	*auth;		/* AUTH= of the message (xtext) or NULL */
	long		 size;		/* for SIZE= */
	const char	*body;		/* "7BIT", "8BITMIME" or NULL */
	const char	*ret;		/* "FULL", "HDRS" or NULL */
	const char	*envid;
	size_t		 nrcpts;
	const char	**rcpts;	/* "<x@y>" */
	const char	**notify;	/* "SUCCESS,FAILURE" or NULL */
	const char	**orcpt;	/* "rfc822;x@y" or NULL */
	struct q_result	*results;	/* one per recipient */
	const struct sm_strlist *headers; /* "?flags?Name: value" */
	const char	*mailer_flags;	/* which ?x? headers go out */
	int		 dfd;		/* the body, LF line ends */
	const char	*id;		/* queue id, for logs */
	const char	*qualify;	/* domain for a bare "<user>", or NULL */
	/* Between two transactions of one q_smtp_send (452: too many
	   recipients), the results of the first in; or NULL. */
	void		(*between)(void *);
	void		*between_ctx;
};

/* How to secure one connection; the client's hook fills it in. */
struct q_secure {
	SSL_CTX		*tls;		/* NULL: no TLS */
	bool		 implicit;	/* TLS before the greeting (port 465) */
	bool		 tls_required;	/* no TLS, no mail (TLS_Srv:) */
	bool		 verify_required; /* and a verified certificate */
	int		 min_bits;	/* and a cipher this strong */
	bool		 auth;		/* the credentials below are set */
	bool		 cleartext_ok;	/* PLAIN, LOGIN without TLS too */
	bool		 auth_param_only_if_auth; /* AuthOptions A */
	char		 user[256];	/* U: authorization identity */
	char		 authid[256];	/* I: authentication identity */
	char		 pass[256];	/* P: */
	char		 mechs[256];	/* M: allowed, most wanted first */
};

struct q_client {
	/* host without brackets, the address connected to, the port */
	void		(*secure)(void *, const char *, const char *, int,
			    struct q_secure *);
	void		*ctx;
};

/* Where a delivery connects to, and what the peer speaks there. */
struct q_peer {
	const char	*host;		/* name or [address] */
	int		 port;
	const char	*path;		/* a unix socket instead, or NULL */
	bool		 lmtp;		/* RFC 2033 rather than SMTP */
};

struct q_conn;

struct q_conn	*q_smtp_open(const struct q_peer *, const struct sm_options *,
		    bool, const struct sm_deadline *, const char *,
		    const struct q_client *, struct q_result *);
void		 q_smtp_aconnect(const struct sm_options *,
		    struct sm_deadline *);
long		 q_smtp_open_limit(const struct sm_options *);
struct q_conn	*q_smtp_attach(int, const char *, bool,
		    const struct sm_options *, const char *, struct q_result *);
int		 q_smtp_send(struct q_conn *, struct q_txn *);
int		 q_smtp_rset(struct q_conn *);
void		 q_smtp_close(struct q_conn *, bool);
/* Read fd's replies as a delivery does: greeting, EHLO, then any more. */
int		 q_smtp_replies(int, const struct sm_options *);
const char	*q_smtp_relay(const struct q_conn *);
/* -v: commands (">>> ") and replies are copied here when it is set. */
extern FILE	*q_smtp_trace;
/* A header line "?flags?Name: value" of the control file, for a mailer. */
bool		 q_header_wanted(const char *, const char *, const char **);
void		 q_header_put(struct sm_buf *, const char *, const char *, bool);
bool		 q_smtp_usable(const struct q_conn *);

#endif /* Q_SMTP_H */
