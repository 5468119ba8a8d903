/*
 * q_reply - a server's replies as the delivery client reads them (RFC
 * 5321 4.2, enhanced status codes RFC 2034), and the commands that ask
 * for them.
 *
 * SYNOPSIS
 *	kind = q_reply_line(line, len)	Q_REPLY_MORE ("250-..."),
 *					Q_REPLY_LAST ("250 ..." or "250"),
 *					Q_REPLY_BAD (anything else)
 *	code = q_reply_parse(line, len, &r)	a reply's last line as a
 *					result; the reply code
 *
 *	On a connection of the SMTP client (declared in q_smtp_int.h, for
 *	q_smtp.c and q_secure.c):
 *	q_smtp_cmd(c, "RSET\r\n", opt->to.rset)	write within the timeout
 *					of the reply it asks for
 *	code = q_smtp_reply(c, opt->to.rset, "client RSET", &r)
 *	q_smtp_ehlo(c, heloname, &r)	EHLO (HELO, LHLO); the extensions
 *					the server offers noted in c
 *	q_smtp_show(">>> ", text, len)	each line to the -v trace
 *
 * DESCRIPTION
 *	UNTRUSTED INPUT: every byte of a reply.  A line is at most
 *	Q_REPLY_MAX bytes (q_smtp_int.h) and a reply at most Q_REPLY_LINES
 *	lines; each line must be three digits followed by a space, a dash
 *	or its end.  A reply is read whole, its lines up to the one without
 *	a dash, all within one deadline: the option the caller names, or
 *	Q_READ_FALLBACK when it is 0.  Its result is its last line: the
 *	text as the server sent it, the code's class as the status (below
 *	400 Q_OK, 4xx Q_TEMPFAIL, 5xx and above Q_PERMFAIL), the enhanced
 *	status code after the reply code, or "2.0.0", "4.0.0", "5.0.0" by
 *	the class when there is none (or it does not fit).
 *
 *	A line that breaks these rules, too many lines, a timeout or a
 *	lost connection marks the connection broken (and timed_out for a
 *	timeout, so that the caller does not take the host for one that
 *	refused it); the result is then a temporary failure, 4.4.2, that
 *	names the relay.  A timeout is logged with the phase the caller
 *	named and the Timeout option that bounds it, in sendmail's words.
 *
 *	EHLO: a refusal gets HELO and no extensions, except in LMTP (RFC
 *	2033 4.1), where LHLO is bounded by Timeout.lhlo and a refusal
 *	fails the connection.  The keywords noted are PIPELINING, SIZE,
 *	8BITMIME, DSN, STARTTLS and AUTH with its mechanisms.
 *
 * DIAGNOSTICS
 *	q_smtp_reply() returns the reply code, or 0 when the connection
 *	failed (r says how); q_smtp_cmd() returns false when the write
 *	did not complete; q_smtp_ehlo() returns 0, or -1 with r set.
 */
#ifndef Q_REPLY_H
#define Q_REPLY_H

#include "sm_config.h"

#include <stddef.h>

#include "q_result.h"

#define Q_REPLY_LINES	100	/* lines in one reply, at most */

enum q_reply_line {
	Q_REPLY_BAD,		/* not a reply line */
	Q_REPLY_MORE,		/* "250-...": another line follows */
	Q_REPLY_LAST		/* "250 ..." or "250": the reply ends */
};

enum q_reply_line	q_reply_line(const char *, size_t);
int			q_reply_parse(const char *, size_t, struct q_result *);

#endif /* Q_REPLY_H */
