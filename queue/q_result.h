/*
 * q_result - how one recipient fared in an attempt to deliver to it:
 * delivered, deferred, or failed for good, with the reason given.
 *
 * SYNOPSIS
 *	struct q_result r;
 *	q_result_set(&r, Q_TEMPFAIL, "4.4.1", "Deferred: %s", why)
 *	q_result_vset(&r, status, dsn, fmt, ap)
 *	r.status, r.dsn, r.text, r.refused
 *
 * DESCRIPTION
 *	Q_OK: the recipient has the message; Q_TEMPFAIL: it waits in the
 *	queue for the next attempt; Q_PERMFAIL: it gets a bounce.  dsn is
 *	the enhanced status code (RFC 3463, "4.4.1"), text the server's
 *	reply or our own reason, as the delivery log line, mailq and the
 *	bounce show it; both are cut to their arrays' size.  A result is
 *	a value: copied freely, never freed.
 *
 *	Every part of a delivery speaks in these: the SMTP and LMTP client
 *	(q_smtp), the queue run (q_run), the local delivery hook
 *	(sendmaild/local), routing (sendmaild/rules) and bounces (q_dsn).
 */
#ifndef Q_RESULT_H
#define Q_RESULT_H

#include "sm_config.h"

#include <stdarg.h>
#include <stdbool.h>

enum q_status {
	Q_OK,
	Q_TEMPFAIL,
	Q_PERMFAIL
};

struct q_result {
	enum q_status	 status;
	char		 dsn[16];	/* "4.4.1" */
	char		 text[512];	/* the reply, or our reason */
	bool		 refused;	/* q_smtp_open: connected, then turned
					 * away by a reply or a close, not a
					 * timeout */
};

void	q_result_vset(struct q_result *, enum q_status, const char *,
	    const char *, va_list) __attribute__((format(printf, 4, 0)));
void	q_result_set(struct q_result *, enum q_status, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));

#endif /* Q_RESULT_H */
