/*
 * q_reply - the delivery client's side of a conversation: commands out,
 * replies in, checked and parsed; see q_reply.h.
 *
 * Runs in a queue runner or delivery process, as RunAsUser.  UNTRUSTED
 * INPUT: every reply line.
 */
#include "q_reply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "q_smtp_int.h"
#include "sm_buf.h"
#include "sm_deadline.h"
#include "sm_io.h"
#include "sm_log.h"

/*
 * q_reply_line - what a line of a reply is: three digits, then a space,
 * a dash or the line's end; a dash says that another line follows
 */
enum q_reply_line
q_reply_line(const char *line, size_t len)
{
	if (len < 3 || !isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]))
		return Q_REPLY_BAD;
	if (len == 3 || line[3] == ' ')
		return Q_REPLY_LAST;
	return line[3] == '-' ? Q_REPLY_MORE : Q_REPLY_BAD;
}

/*
 * q_reply_parse - the last line of a reply (len bytes, NUL-terminated)
 * as a result; the reply code
 */
int
q_reply_parse(const char *line, size_t len, struct q_result *r)
{
	int code = atoi(line);
	const char *t = len > 4 ? line + 4 : "";

	r->text[0] = '\0';
	r->dsn[0] = '\0';
	/* An enhanced status code (RFC 2034) follows the code. */
	if (isdigit((unsigned char)t[0]) && t[1] == '.') {
		size_t n = strcspn(t, " ");

		if (n < sizeof(r->dsn)) {
			memcpy(r->dsn, t, n);
			r->dsn[n] = '\0';
		}
	}
	if (r->dsn[0] == '\0')
		(void)snprintf(r->dsn, sizeof(r->dsn), "%c.0.0",
		    code >= 500 ? '5' : code >= 400 ? '4' : '2');
	(void)snprintf(r->text, sizeof(r->text), "%s", line);
	r->status = code < 400 ? Q_OK : code < 500 ? Q_TEMPFAIL : Q_PERMFAIL;
	return code;
}

/* option_of - the Timeout that bounds a phase, for the log line */
static const char *
option_of(const char *phase)
{
	static const struct {
		const char *phase, *option;
	} map[] = {
		{ "client greeting", "Timeout.initial" },
		{ "client EHLO", "Timeout.helo" },
		{ "client HELO", "Timeout.helo" },
		{ "client LHLO", "Timeout.lhlo" },
		{ "client MAIL", "Timeout.mail" },
		{ "client RCPT", "Timeout.rcpt" },
		{ "client DATA 354", "Timeout.datainit" },
		{ "client DATA status", "Timeout.datafinal" },
		{ "client RSET", "Timeout.rset" },
		{ "client QUIT", "Timeout.quit" },
		{ "client STARTTLS", "Timeout.starttls" },
		{ "client AUTH", "Timeout.auth" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].phase, phase) == 0)
			return map[i].option;
	return "Timeout.misc";
}

/* Where -v shows the conversation, or NULL. */
FILE *q_smtp_trace;

/* q_smtp_show - each line of text to the -v trace, after a prefix */
void
q_smtp_show(const char *prefix, const char *text, size_t len)
{
	size_t n;

	while (q_smtp_trace != NULL && len > 0) {
		n = 0;
		while (n < len && text[n] != '\r' && text[n] != '\n')
			n++;
		(void)fprintf(q_smtp_trace, "%s%.*s\n", prefix, (int)n, text);
		while (n < len && (text[n] == '\r' || text[n] == '\n'))
			n++;
		text += n;
		len -= n;
	}
	if (q_smtp_trace != NULL)
		(void)fflush(q_smtp_trace);
}

/*
 * reply_line - the next line of a reply, checked: three digits, then a
 * space, a dash or the line's end, and no more than Q_REPLY_LINES lines
 * to a reply.  On anything else the connection is marked broken and r
 * says why; false then.
 */
static bool
reply_line(struct q_conn *c, struct sm_deadline *dl, int *lines,
    const char *phase, struct q_result *r)
{
	enum sm_io_result io;

	io = sm_io_getline(c->io, &c->line, Q_REPLY_MAX, dl);
	if (io == SM_IO_OK) {
		sm_buf_chomp(&c->line);
		q_smtp_show("", c->line.data, c->line.len);
	}
	if (io == SM_IO_OK && q_reply_line(c->line.data, c->line.len) !=
	    Q_REPLY_BAD && ++*lines <= Q_REPLY_LINES)
		return true;
	c->broken = true;
	c->timed_out = io == SM_IO_TIMEOUT;
	if (io == SM_IO_TIMEOUT) {
		sm_notice("timeout waiting for input from %s during %s (%s)",
		    c->relay, phase, option_of(phase));
		q_result_set(r, Q_TEMPFAIL, "4.4.2", "Deferred: Connection timed "
		    "out with %s", c->relay);
	} else {
		if (io == SM_IO_OK || io == SM_IO_TOOLONG)
			sm_notice("malformed reply from %s during %s",
			    c->relay, phase);
		q_result_set(r, Q_TEMPFAIL, "4.4.2", "Deferred: Connection reset "
		    "by %s", c->relay);
	}
	return false;
}

/* reply_result - the last line of a reply (in c->line) as a result */
static int
reply_result(const struct q_conn *c, struct q_result *r)
{
	return q_reply_parse(c->line.data, c->line.len, r);
}

/* q_smtp_reply - one reply; code 0 when the connection failed */
int
q_smtp_reply(struct q_conn *c, long timeout, const char *phase,
    struct q_result *r)
{
	struct sm_deadline dl;
	int lines = 0;

	sm_deadline_in(&dl, sm_bound(timeout, Q_READ_FALLBACK));
	do {
		if (!reply_line(c, &dl, &lines, phase, r))
			return 0;
	} while (c->line.data[3] == '-');
	return reply_result(c, r);
}

/* q_smtp_cmd - write a command, bounded by the reply's timeout */
bool
q_smtp_cmd(struct q_conn *c, const char *text, long timeout)
{
	struct sm_deadline dl;
	enum sm_io_result io;

	q_smtp_show(">>> ", text, strlen(text));
	sm_deadline_in(&dl, sm_bound(timeout, Q_READ_FALLBACK));
	if ((io = sm_io_write(c->io, text, strlen(text), &dl)) != SM_IO_OK) {
		c->broken = true;
		c->timed_out = io == SM_IO_TIMEOUT;
		return false;
	}
	return true;
}

/*
 * q_smtp_ehlo - EHLO, or HELO when EHLO is refused; note the extensions.
 * LMTP: LHLO within Timeout.lhlo, and no HELO (RFC 2033 4.1).
 */
int
q_smtp_ehlo(struct q_conn *c, const char *name, struct q_result *r)
{
	long timeout = c->lmtp ? c->opt->to.lhlo : c->opt->to.helo;
	char cmd[300];
	struct sm_deadline dl;
	int code, lines = 0;

	c->pipelining = c->size = c->eightbit = c->dsn = false;
	c->starttls = c->auth_offered = false;
	c->auth_mechs[0] = '\0';
	(void)snprintf(cmd, sizeof(cmd), "%s %s\r\n", c->lmtp ? "LHLO" :
	    "EHLO", name);
	if (!q_smtp_cmd(c, cmd, timeout))
		goto lost;
	sm_deadline_in(&dl, sm_bound(timeout, Q_READ_FALLBACK));
	for (;;) {
		if (!reply_line(c, &dl, &lines, c->lmtp ? "client LHLO" :
		    "client EHLO", r))
			return -1;
		code = atoi(c->line.data);
		if (code == 250 && c->line.len > 4) {
			const char *kw = c->line.data + 4;

			if (strncasecmp(kw, "PIPELINING", 10) == 0)
				c->pipelining = true;
			else if (strncasecmp(kw, "SIZE", 4) == 0)
				c->size = true;
			else if (strncasecmp(kw, "8BITMIME", 8) == 0)
				c->eightbit = true;
			else if (strncasecmp(kw, "DSN", 3) == 0 &&
			    (kw[3] == '\0' || kw[3] == ' '))
				c->dsn = true;
			else if (strcasecmp(kw, "STARTTLS") == 0)
				c->starttls = true;
			else if (strncasecmp(kw, "AUTH", 4) == 0 &&
			    (kw[4] == ' ' || kw[4] == '=')) {
				c->auth_offered = true;
				(void)snprintf(c->auth_mechs,
				    sizeof(c->auth_mechs), "%s", kw + 5);
			}
		}
		if (c->line.data[3] != '-')
			break;
	}
	if (code == 250)
		return 0;
	if (c->lmtp) {
		if (reply_result(c, r) < 400)
			q_result_set(r, Q_TEMPFAIL, "4.5.0", "Deferred: %s "
			    "answered LHLO with %.200s", c->relay,
			    c->line.data);
		return -1;
	}
	/* An old server: HELO, no extensions. */
	(void)snprintf(cmd, sizeof(cmd), "HELO %s\r\n", name);
	if (!q_smtp_cmd(c, cmd, c->opt->to.helo) ||
	    q_smtp_reply(c, c->opt->to.helo, "client HELO", r) == 0)
		return -1;
	return r->status == Q_OK ? 0 : -1;
lost:
	q_result_set(r, Q_TEMPFAIL, "4.4.2", "Deferred: Connection reset by %s",
	    c->relay);
	return -1;
}
