/*
 * q_dsn - bounces; see q_dsn.h.
 */
#include "q_dsn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "q_file.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_time.h"

/* bare - an address without its angle brackets */
static void
bare(const char *a, char *out, size_t len)
{
	size_t n = strlen(a);

	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		(void)snprintf(out, len, "%.*s", (int)(n - 2), a + 1);
	else
		(void)snprintf(out, len, "%s", a);
}

/* interval - "4 hours", "1 day, 2 hours" */
static void
interval(long secs, char *buf, size_t len)
{
	static const struct {
		long	 secs;
		const char *unit;
	} units[] = { { 604800, "week" }, { 86400, "day" }, { 3600, "hour" },
	    { 60, "minute" }, { 1, "second" } };
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && used < len; i++) {
		long n = secs / units[i].secs;

		if (n == 0)
			continue;
		secs %= units[i].secs;
		used += (size_t)snprintf(buf + used, len - used, "%s%ld %s%s",
		    used > 0 ? ", " : "", n, units[i].unit, n == 1 ? "" : "s");
	}
}

/* add - body text to the report */
static int
add(struct q_msg *m, const char *s)
{
	return q_msg_data_write(m, s, strlen(s));
}

/*
 * report_new - a report queued from "<>" to `to`, its headers written;
 * the MIME boundary goes into boundary.  NULL when the data file cannot
 * be created.
 */
static struct q_msg *
report_new(const char *qdir, const char *to, const char *subject,
    const char *autosub, const char *hostname, char *boundary, size_t blen)
{
	char rcpt[410], date[64], buf[1024];
	struct q_msg *m = q_msg_new(qdir);
	time_t now = time(NULL);

	if (q_msg_data_open(m) < 0) {
		q_msg_free(m);
		return NULL;
	}
	m->sender = sm_strdup("<>");
	(void)snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	q_msg_add_rcpt(m, rcpt, "PFD", NULL);
	q_msg_add_macro(m, "r", "internal");
	(void)snprintf(boundary, blen, "%s.%lld/%s", m->id, (long long)now,
	    hostname);
	q_msg_add_header(m, "", "Date", sm_time_rfc822(now, date,
	    sizeof(date)));
	(void)snprintf(buf, sizeof(buf), "Mail Delivery Subsystem "
	    "<MAILER-DAEMON@%s>", hostname);
	q_msg_add_header(m, "", "From", buf);
	(void)snprintf(buf, sizeof(buf), "<%s@%s>", m->id, hostname);
	q_msg_add_header(m, "", "Message-Id", buf);
	q_msg_add_header(m, "", "To", to);
	q_msg_add_header(m, "", "MIME-Version", "1.0");
	(void)snprintf(buf, sizeof(buf), "multipart/report; "
	    "report-type=delivery-status;\n\tboundary=\"%s\"", boundary);
	q_msg_add_header(m, "", "Content-Type", buf);
	q_msg_add_header(m, "", "Subject", subject);
	q_msg_add_header(m, "", "Auto-Submitted", autosub);
	return m;
}

/* original_headers - the headers the original message went out with */
static void
original_headers(struct sm_buf *b, const struct q_ctl *ctl)
{
	size_t i;

	for (i = 0; i < ctl->headers.n; i++) {
		const char *h = strchr(ctl->headers.v[i] + 1, '?');

		/* The conditional (?x?) headers were never sent: skip. */
		if (ctl->headers.v[i][0] == '?' && h != NULL &&
		    h != ctl->headers.v[i] + 1)
			continue;
		(void)sm_buf_printf(b, "%s\n", h != NULL ? h + 1 :
		    ctl->headers.v[i]);
	}
}

/* q_dsn_bounce - queue a failure report for ctl's failed recipients */
int
q_dsn_bounce(const char *qdir, const struct q_ctl *ctl, int dfd,
    const struct q_result *why, const char *hostname,
    const char *double_bounce, long rcptfactor)
{
	char to[400], date[64], rcpt[410], boundary[200];
	struct sm_buf b;
	struct q_msg *m;
	time_t now = time(NULL);
	bool hdrs_only = ctl->flags != NULL && strchr(ctl->flags, 'n') != NULL;
	char buf[16384];
	ssize_t n;
	size_t i;
	int rc = -1;

	bare(ctl->sender, to, sizeof(to));
	if (to[0] == '\0') {
		/* A bounce that bounced: postmaster hears of it, once. */
		if (double_bounce == NULL || double_bounce[0] == '\0')
			return 0;
		(void)snprintf(to, sizeof(to), "%s", double_bounce);
	}
	m = report_new(qdir, to, "Returned mail: see transcript for details",
	    "auto-generated (failure)", hostname, boundary, sizeof(boundary));
	if (m == NULL) {
		sm_warn("%s: cannot queue the failure report", ctl->id);
		return -1;
	}
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "This is a MIME-encapsulated message\n\n"
	    "--%s\n\nThe original message was received at %s\nfrom %s\n\n"
	    "   ----- The following addresses had permanent fatal errors "
	    "-----\n", boundary, sm_time_rfc822(ctl->ctime, date,
	    sizeof(date)), q_ctl_macro(ctl, "_") != NULL ?
	    q_ctl_macro(ctl, "_") : "localhost");
	for (i = 0; i < ctl->nrcpts; i++)
		if (why[i].status == Q_PERMFAIL) {
			bare(ctl->rcpts[i].addr, rcpt, sizeof(rcpt));
			(void)sm_buf_printf(&b, "%s\n    (reason: %s)\n", rcpt,
			    why[i].text);
		}
	(void)sm_buf_printf(&b, "\n--%s\nContent-Type: message/"
	    "delivery-status\n\n", boundary);
	if (ctl->envid != NULL)
		(void)sm_buf_printf(&b, "Original-Envelope-Id: %s\n",
		    ctl->envid);
	(void)sm_buf_printf(&b, "Reporting-MTA: dns; %s\nArrival-Date: %s\n",
	    hostname, sm_time_rfc822(ctl->ctime, date, sizeof(date)));
	for (i = 0; i < ctl->nrcpts; i++) {
		if (why[i].status != Q_PERMFAIL)
			continue;
		bare(ctl->rcpts[i].addr, rcpt, sizeof(rcpt));
		if (ctl->rcpts[i].orcpt != NULL)
			(void)sm_buf_printf(&b, "\nOriginal-Recipient: %s",
			    ctl->rcpts[i].orcpt);
		(void)sm_buf_printf(&b, "\nFinal-Recipient: RFC822; %s\n"
		    "Action: failed\nStatus: %s\nDiagnostic-Code: SMTP; %s\n"
		    "Last-Attempt-Date: %s\n", rcpt, why[i].dsn, why[i].text,
		    sm_time_rfc822(now, date, sizeof(date)));
	}
	(void)sm_buf_printf(&b, "\n--%s\nContent-Type: %s\n\n", boundary,
	    hdrs_only ? "text/rfc822-headers" : "message/rfc822");
	original_headers(&b, ctl);
	if (add(m, b.data) < 0)
		goto free_b;
	if (!hdrs_only && dfd >= 0 && lseek(dfd, 0, SEEK_SET) == 0) {
		(void)add(m, "\n");
		while ((n = read(dfd, buf, sizeof(buf))) > 0)
			if (q_msg_data_write(m, buf, (size_t)n) < 0)
				goto free_b;
	}
	sm_buf_reset(&b);
	(void)sm_buf_printf(&b, "\n--%s--\n", boundary);
	if (add(m, b.data) < 0)
		goto free_b;
	m->priority = (long)m->size + rcptfactor;
	if (q_msg_commit(m, true) < 0)
		goto free_b;
	for (i = 0; i < ctl->nrcpts && why[i].status != Q_PERMFAIL; i++)
		continue;
	sm_info("%s: %s: DSN: %s", ctl->id, m->id,
	    why[i < ctl->nrcpts ? i : 0].text);
	rc = 0;
free_b:
	sm_buf_free(&b);
	if (rc < 0)
		sm_warn("%s: cannot queue the failure report", ctl->id);
	q_msg_free(m);
	return rc;
}

/* q_dsn_warn - the one "delayed" notice for the deferred recipients */
int
q_dsn_warn(const char *qdir, const struct q_ctl *ctl,
    const struct q_result *why, const char *hostname, long warn,
    long giveup)
{
	char to[400], rcpt[410], date[64], boundary[200];
	char past[64], until[64], buf[1024];
	struct sm_buf b;
	struct q_msg *m;
	time_t now = time(NULL);
	size_t i, n = 0;
	int rc = -1;

	bare(ctl->sender, to, sizeof(to));
	if (to[0] == '\0')
		return 0;		/* never to "<>" */
	for (i = 0; i < ctl->nrcpts; i++)
		if (why[i].status == Q_TEMPFAIL &&
		    (strchr(ctl->rcpts[i].flags, 'N') == NULL ||
		    strchr(ctl->rcpts[i].flags, 'D') != NULL))
			n++;
	if (n == 0)
		return 0;		/* nobody asked for delay notices */
	interval(warn, past, sizeof(past));
	interval(giveup, until, sizeof(until));
	(void)snprintf(buf, sizeof(buf), "Warning: could not send message "
	    "for past %s", past);
	m = report_new(qdir, to, buf, "auto-generated (warning-timeout)",
	    hostname, boundary, sizeof(boundary));
	if (m == NULL) {
		sm_warn("%s: cannot queue the delay notice", ctl->id);
		return -1;
	}
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "This is a MIME-encapsulated message\n\n"
	    "--%s\n\n    **********************************************\n"
	    "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
	    "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
	    "    **********************************************\n\n"
	    "The original message was received at %s\n\n"
	    "   ----- Transcript of session follows -----\n", boundary,
	    sm_time_rfc822(ctl->ctime, date, sizeof(date)));
	for (i = 0; i < ctl->nrcpts; i++)
		if (why[i].status == Q_TEMPFAIL) {
			bare(ctl->rcpts[i].addr, rcpt, sizeof(rcpt));
			(void)sm_buf_printf(&b, "%s... %s\n", rcpt,
			    why[i].text);
		}
	(void)sm_buf_printf(&b, "Warning: message still undelivered after "
	    "%s\nWill keep trying until message is %s old\n\n--%s\n"
	    "Content-Type: message/delivery-status\n\nReporting-MTA: dns; "
	    "%s\nArrival-Date: %s\n", past, until, boundary, hostname,
	    sm_time_rfc822(ctl->ctime, date, sizeof(date)));
	for (i = 0; i < ctl->nrcpts; i++) {
		if (why[i].status != Q_TEMPFAIL)
			continue;
		bare(ctl->rcpts[i].addr, rcpt, sizeof(rcpt));
		(void)sm_buf_printf(&b, "\nFinal-Recipient: RFC822; %s\n"
		    "Action: delayed\nStatus: %s\nLast-Attempt-Date: %s\n",
		    rcpt, why[i].dsn[0] != '\0' ? why[i].dsn : "4.0.0",
		    sm_time_rfc822(now, date, sizeof(date)));
	}
	(void)sm_buf_printf(&b, "\n--%s\nContent-Type: text/rfc822-headers"
	    "\n\n", boundary);
	original_headers(&b, ctl);
	(void)sm_buf_printf(&b, "\n--%s--\n", boundary);
	if (add(m, b.data) == 0 && (m->priority = (long)m->size,
	    q_msg_commit(m, true) == 0)) {
		sm_info("%s: %s: sender notify: %s", ctl->id, m->id, buf);
		rc = 0;
	}
	sm_buf_free(&b);
	if (rc < 0)
		sm_warn("%s: cannot queue the delay notice", ctl->id);
	q_msg_free(m);
	return rc;
}
