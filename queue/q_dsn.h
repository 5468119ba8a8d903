/*
 * q_dsn - delivery status notifications (RFC 3464 in an RFC 3462
 * multipart/report), queued as new messages from "<>".
 *
 *	q_dsn_bounce(qdir, &ctl, dfd, &why, hostname, double_bounce)
 *
 * ctl is the failed message, its recipients marked with the results in
 * why (those with why[i].status == Q_PERMFAIL are reported).  A message
 * from "<>" gets no bounce; its failure goes to double_bounce
 * (DoubleBounceAddress, "postmaster") instead, and nowhere when that is
 * empty.  Returns 0, or -1 when the report could not be queued (the
 * caller keeps the original message then, so nothing is lost).
 *
 *	q_dsn_warn(qdir, &ctl, why, hostname, queuewarn, queuereturn)
 *
 * tells the sender, once, that the recipients still deferred (why[i] of
 * Q_TEMPFAIL) have waited queuewarn seconds (Action: delayed, RFC 3464),
 * unless the sender is "<>" or asked for no delay notices.
 */
#ifndef Q_DSN_H
#define Q_DSN_H

#include "sm_config.h"

#include "q_ctl.h"
#include "q_result.h"

int	q_dsn_bounce(const char *, const struct q_ctl *, int,
	    const struct q_result *, const char *, const char *, long);
int	q_dsn_warn(const char *, const struct q_ctl *,
	    const struct q_result *, const char *, long, long);

#endif /* Q_DSN_H */
