/*
 * header - the header of a message, for the SMTP server and submission
 * alike (see header.h).
 */
#include "header.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sm_buf.h"
#include "sm_time.h"

/* header_is_line - is l[0..len) "Name:..." with a printable name? */
bool
header_is_line(const char *l, size_t len)
{
	size_t n = 0;

	while (n < len && l[n] != ':') {
		if ((unsigned char)l[n] <= ' ' || (unsigned char)l[n] >= 0x7f)
			return false;
		n++;
	}
	return n > 0 && n < len;
}

/* header_value - the value of the first header called name, or NULL */
const char *
header_value(const struct sm_strlist *hdrs, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < hdrs->n; i++)
		if (strncasecmp(hdrs->v[i], name, n) == 0 &&
		    hdrs->v[i][n] == ':')
			return hdrs->v[i] + n + 1 +
			    strspn(hdrs->v[i] + n + 1, " \t");
	return NULL;
}

/*
 * header_write - the header lines of m's control file: Return-Path, our
 * Received:, the message's own (hdrs, "Name: value"), then the Date:,
 * Message-Id: and From: (from, unless NULL) it lacks.  msgid gets the
 * Message-Id in force.
 */
void
header_write(struct q_msg *m, const char *rcvd, const struct sm_strlist *hdrs,
    const char *hostname, const char *from, time_t now, char *msgid,
    size_t msgidlen)
{
	struct sm_buf b;
	char date[64];
	const char *v;
	size_t i;

	sm_buf_init(&b, 0);
	/* $g as sendmail stores it: the byte 0x81 and the macro letter. */
	q_msg_add_header(m, "P", "Return-Path", "<\201g>");
	q_msg_add_header(m, "", "Received", rcvd);
	for (i = 0; i < hdrs->n; i++) {
		const char *h = hdrs->v[i];
		size_t n = strcspn(h, ":");

		sm_buf_reset(&b);
		(void)sm_buf_printf(&b, "%.*s", (int)n, h);
		q_msg_add_header(m, "", sm_buf_str(&b),
		    h + n + 1 + strspn(h + n + 1, " \t"));
	}
	if (header_value(hdrs, "Date") == NULL)
		q_msg_add_header(m, "D", "Date",
		    sm_time_rfc822(now, date, sizeof(date)));
	if ((v = header_value(hdrs, "Message-Id")) != NULL)
		(void)snprintf(msgid, msgidlen, "%.*s", (int)strcspn(v, "\n"),
		    v);
	else {
		struct tm tm;

		(void)gmtime_r(&now, &tm);
		(void)strftime(date, sizeof(date), "%Y%m%d%H%M", &tm);
		(void)snprintf(msgid, msgidlen, "<%s.%s@%s>", date, m->id,
		    hostname);
		q_msg_add_header(m, "M", "Message-Id", msgid);
	}
	if (header_value(hdrs, "From") == NULL && from != NULL)
		q_msg_add_header(m, "F", "From", from);
	sm_buf_free(&b);
}
