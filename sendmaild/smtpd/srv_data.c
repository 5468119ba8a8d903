/*
 * srv_data - the DATA command: collect the message, make it durable,
 * answer 250 (see srv_session.h).
 *
 * UNTRUSTED INPUT.  The message arrives as lines ending in CRLF; the
 * only end is CRLF "." CRLF.  A CR or LF that is not part of a CRLF pair
 * ends the session with 421 4.5.0 and the message is discarded, as in
 * sendmail 8.18 (CVE-2023-51765): no other byte sequence can end the
 * message early and smuggle a second one.  Headers go to the control
 * file, the body to the data file, both with LF line ends as sendmail
 * keeps them.  Each read waits at most Timeout.datablock.
 */
#include "srv_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "delivery.h"
#include "header.h"
#include "agents.h"
#include "sm_alloc.h"
#include "sm_log.h"
#include "sm_time.h"

#define COLLECT_LINE	65536	/* body lines longer are written in parts */
#define COLLECT_WBUF	65536	/* data file write buffer */
#define DATABLOCK_FALLBACK	3600	/* Timeout.datablock=0 */

/* The Received: template of cf.m4, for a .cf that has none. */
static const char default_received[] =
    "$?sfrom $s $.$?_($?s$|from $.$_)\n\t"
    "$.$?{auth_type}(authenticated$?{auth_ssf} bits=${auth_ssf}$.)\n\t"
    "$.by $j ($v/$Z)$?r with $r$. id $i$?{tls_version}\n\t"
    "(version=${tls_version} cipher=${cipher} bits=${cipher_bits} "
    "verify=${verify})$.$?u\n\tfor $u; $|;\n\t$.$b";

struct collect {
	struct srv	*s;
	struct sm_buf	 cur;		/* the line being read, no CRLF */
	bool		 partial;	/* part of cur already written */
	bool		 cr;		/* the last byte was CR */
	bool		 in_headers;
	struct sm_strlist hdrs;		/* "Name: value[\n\tmore]" */
	size_t		 hdr_len;
	bool		 hdr_toolarge;
	bool		 nul;
	bool		 write_failed;
	int		 write_errno;
	size_t		 size;		/* message bytes, LF line ends */
	struct sm_buf	 wbuf;
	bool		 done;
	const char	*bad;		/* a bare CR or LF: the reason */
};

/* flush - write the buffered body bytes to the data file */
static void
flush(struct collect *k)
{
	if (k->wbuf.len > 0 && !k->write_failed &&
	    q_msg_data_write(k->s->msg, k->wbuf.data, k->wbuf.len) < 0) {
		k->write_failed = true;
		k->write_errno = errno;
	}
	sm_buf_reset(&k->wbuf);
}

/* body - add body bytes (no line end added) */
static void
body(struct collect *k, const char *p, size_t n)
{
	if (k->wbuf.len + n > COLLECT_WBUF)
		flush(k);
	if (n > COLLECT_WBUF) {
		if (!k->write_failed &&
		    q_msg_data_write(k->s->msg, p, n) < 0) {
			k->write_failed = true;
			k->write_errno = errno;
		}
		return;
	}
	(void)sm_buf_append(&k->wbuf, p, n);
}

/* line - one whole line of the message, dot-unstuffed */
static void
line(struct collect *k, const char *l, size_t n)
{
	long max = k->s->c->opt.MaxHeadersLength;

	k->size += n + 1;
	if (k->in_headers) {
		if (n == 0) {
			k->in_headers = false;
			return;
		}
		k->hdr_len += n + 1;
		if (max > 0 && k->hdr_len > (size_t)max)
			k->hdr_toolarge = true;
		if (k->hdr_toolarge)
			return;
		if ((l[0] == ' ' || l[0] == '\t') && k->hdrs.n > 0) {
			sm_strlist_continue(&k->hdrs, l, n);
			return;
		}
		if (header_is_line(l, n)) {
			char *h = sm_strndup(l, n);

			sm_strlist_add(&k->hdrs, h);
			free(h);
			return;
		}
		k->in_headers = false;	/* no blank line: the body starts */
	}
	body(k, l, n);
	body(k, "\n", 1);
}

/* end_line - CRLF seen: the line in cur is complete */
static void
end_line(struct collect *k)
{
	const char *l = k->cur.data;
	size_t n = k->cur.len;

	if (k->partial) {
		k->size += n + 1;
		body(k, l, n);
		body(k, "\n", 1);
		k->partial = false;
	} else if (n == 1 && l[0] == '.')
		k->done = true;
	else if (n > 0 && l[0] == '.')
		line(k, l + 1, n - 1);		/* dot-stuffing */
	else
		line(k, l, n);
	sm_buf_reset(&k->cur);
}

/* overflow - a line longer than COLLECT_LINE */
static void
overflow(struct collect *k)
{
	const char *l = k->cur.data;
	size_t n = k->cur.len;

	if (k->in_headers) {
		k->hdr_toolarge = true;
		k->in_headers = false;
	}
	if (!k->partial && n > 0 && l[0] == '.') {
		l++;
		n--;
	}
	k->size += n;
	body(k, l, n);
	k->partial = true;
	sm_buf_reset(&k->cur);
}

/* feed - a block of bytes from the client; returns how many it used */
static size_t
feed(struct collect *k, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !k->done && k->bad == NULL; i++) {
		char c = p[i];

		if (k->cr) {
			k->cr = false;
			if (c == '\n') {
				end_line(k);
				continue;
			}
			k->bad = "Bare carriage return (CR)";
			break;
		}
		if (c == '\r') {
			k->cr = true;
			continue;
		}
		if (c == '\n') {
			k->bad = "Bare linefeed (LF)";
			break;
		}
		if (c == '\0')
			k->nul = true;
		if (k->cur.len >= COLLECT_LINE)
			overflow(k);
		(void)sm_buf_putc(&k->cur, c);
	}
	return i;
}

/* count_received - hops so far */
static long
count_received(const struct collect *k)
{
	size_t i;
	long n = 0;

	for (i = 0; i < k->hdrs.n; i++)
		if (strncasecmp(k->hdrs.v[i], "Received:", 9) == 0)
			n++;
	return n;
}

/* received - our Received: header, from the cf template */
static void
received(struct srv *s, struct sm_buf *out)
{
	const char *tpl = default_received;
	char rcpt[400];
	size_t i;

	for (i = 0; i < s->c->cf->nheaders; i++)
		if (strcasecmp(s->c->cf->headers[i].name, "Received") == 0)
			tpl = s->c->cf->headers[i].value;
	sm_cf_define(s->c->cf, "s", s->helo);
	sm_cf_define(s->c->cf, "r", srv_proto(s));
	sm_cf_define(s->c->cf, "i", s->msg->id);
	if (s->rcpts.n == 1)
		(void)snprintf(rcpt, sizeof(rcpt), "<%s>", s->rcpts.v[0]);
	else
		rcpt[0] = '\0';
	sm_cf_define(s->c->cf, "u", rcpt);
	if (sm_cf_expand(s->c->cf, tpl, out) < 0) {
		sm_buf_reset(out);
		(void)sm_buf_printf(out, "by %s id %s", s->hostname,
		    s->msg->id);
	}
}

/* write_headers - the header lines of the control file */
static void
write_headers(struct srv *s, const struct collect *k, time_t now,
    char *msgid, size_t msgidlen)
{
	struct sm_buf b;

	sm_buf_init(&b, 0);
	received(s, &b);
	header_write(s->msg, sm_buf_str(&b), &k->hdrs, s->hostname,
	    s->sender.null ? NULL : s->msg->sender, now, msgid, msgidlen);
	sm_buf_free(&b);
}

/* is_local - is this accepted recipient delivered here? */
static bool
is_local(const struct srv *s, const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');

	return at == NULL || policy_is_local_domain(s->pol, at + 1);
}

/* log_accepted - sendmail's sender line and one line per recipient */
static void
log_accepted(struct srv *s, const char *msgid)
{
	const struct q_msg *m = s->msg;
	char delay[32];
	size_t i;

	if (s->conn->submission)	/* as sendmail logs a local one */
		sm_info("%s: from=%s, size=%zu, class=0, nrcpts=%zu, "
		    "msgid=%s%s%s, relay=%s", m->id, s->sender_shown, m->size,
		    m->nrcpts, msgid, s->body[0] != '\0' ? ", bodytype=" : "",
		    s->body, s->client);
	else
		sm_info("%s: from=%s, size=%zu, class=0, nrcpts=%zu, "
		    "msgid=%s%s%s, proto=%s, daemon=%s, relay=%s", m->id,
		    s->sender_shown, m->size, m->nrcpts, msgid,
		    s->body[0] != '\0' ? ", bodytype=" : "", s->body,
		    srv_proto(s), s->conn->daemon != NULL ?
		    s->conn->daemon->name : "stdin", s->client);
	for (i = 0; i < s->rcpts.n; i++)
		sm_info("%s: to=<%s>, delay=%s, mailer=%s, pri=%ld, "
		    "stat=queued", m->id, s->rcpts.v[i],
		    sm_time_delay(time(NULL) - m->ctime, delay, sizeof(delay)),
		    is_local(s, s->rcpts.v[i]) ? "local" : "esmtp",
		    m->priority);
}

/* refused - log a message that arrived whole but cannot be taken */
static void
refused(struct srv *s, const char *what)
{
	sm_notice("%s: %s from %s during message collect", s->msg->id, what,
	    s->client);
}

/*
 * background - DeliveryMode b: the message is delivered while the
 * session goes on, by a delivery agent or a child.  The delivery must
 * not touch the client's connection, and it starts only after the 250
 * is on its way (srv_data() calls srv_deliver_background late).
 */
static void
background(struct srv *s, const char *id)
{
	(void)snprintf(s->deliver_id, sizeof(s->deliver_id), "%s", id);
}

/*
 * srv_deliver_background - hand the last message to an idle delivery
 * agent of the daemon, or fork its delivery
 */
void
srv_deliver_background(struct srv *s)
{
	pid_t pid;

	if (!s->deliver_after)
		return;
	s->deliver_after = false;
	if (agent_give(s->deliver_id))
		return;
	if ((pid = fork()) < 0) {
		sm_warn("%s: cannot fork the delivery; the queue run will "
		    "deliver it", s->deliver_id);
		return;
	}
	if (pid > 0)
		return;
	(void)close(s->conn->rfd);
	if (s->conn->wfd != s->conn->rfd)
		(void)close(s->conn->wfd);
	_exit(delivery_message(s->c, s->deliver_id));
}

/* accept_message - make it durable, then 250 */
static void
accept_message(struct srv *s, struct collect *k)
{
	struct q_msg *m = s->msg;
	char msgid[512], id[Q_ID_MAX];
	time_t now = time(NULL);
	size_t f = 0;

	q_msg_add_macro(m, "_", s->client);
	if (srv_proto(s)[0] != '\0')
		q_msg_add_macro(m, "r", srv_proto(s));
	if (s->helo[0] != '\0')
		q_msg_add_macro(m, "s", s->helo);
	q_msg_add_macro(m, "daemon_flags", s->conn->daemon != NULL ?
	    s->conn->daemon->modifiers : "");
	write_headers(s, k, now, msgid, sizeof(msgid));
	if (s->body[0] != '\0')
		m->bodytype = sm_strdup(strcmp(s->body, "8BITMIME") == 0 &&
		    !m->eightbit ? "7BIT" : s->body);
	if (m->eightbit)
		m->flags[f++] = '8';
	if (s->ret[0] != '\0')
		m->flags[f++] = 'd';
	if (strcmp(s->ret, "HDRS") == 0)
		m->flags[f++] = 'n';
	m->flags[f] = '\0';
	m->size = k->size;
	m->priority = (long)k->size +
	    (long)m->nrcpts * s->c->opt.RecipientFactor;
	if (q_msg_commit(m, s->c->opt.SuperSafe != 'f') < 0) {
		int e = errno;

		sm_warn("%s: cannot write the queue file", m->id);
		q_msg_abort(m);
		(void)srv_reply(s, e == ENOSPC ? "452 4.3.1 Insufficient disk "
		    "space; try again later" : "451 4.3.0 Temporary system "
		    "failure. Please try again later.");
		return;
	}
	log_accepted(s, msgid);
	(void)snprintf(id, sizeof(id), "%s", m->id);
	switch (s->c->opt.DeliveryMode) {
	case 'i':
		/* Interactive: try before answering; the 250 stands anyway. */
		(void)delivery_message(s->c, id);
		break;
	case 'b':
		background(s, id);
		break;
	default:
		break;		/* q and d: the next queue run delivers */
	}
	(void)srv_reply(s, "250 2.0.0 %s Message accepted for delivery", id);
	if (s->c->opt.DeliveryMode == 'b')
		s->deliver_after = true;
}

/* srv_data - the DATA command */
void
srv_data(struct srv *s)
{
	struct collect k;
	struct sm_deadline dl;
	enum sm_io_result r = SM_IO_OK;
	char buf[16384];
	size_t got, used;
	char reply[1024];
	bool hangup = false;
	long max = s->c->opt.MaxMessageSize;

	if (s->msg == NULL) {
		(void)srv_reply(s, "503 5.0.0 Need MAIL command");
		return;
	}
	if (s->rcpts.n == 0) {
		(void)srv_reply(s, "503 5.0.0 Need RCPT (recipient)");
		return;
	}
	/* Transaction stuffing: the message may not precede our 354. */
	if (srv_input_waiting(s)) {
		sm_notice("%s: rejecting %s: message text before the 354 "
		    "reply", s->msg->id, s->client);
		(void)srv_reply(s, "554 5.5.0 SMTP protocol error");
		s->closing = true;
		return;
	}
	if (srv_reply(s, "354 End data with <CR><LF>.<CR><LF>") < 0)
		return;
	memset(&k, 0, sizeof(k));
	k.s = s;
	k.in_headers = true;
	sm_buf_init(&k.cur, COLLECT_LINE + 1);
	sm_buf_init(&k.wbuf, COLLECT_WBUF + 1);
	while (!k.done && k.bad == NULL) {
		/* Timeout.datablock bounds each read, as in sendmail. */
		sm_deadline_in(&dl, sm_bound(s->c->opt.to.datablock,
		    DATABLOCK_FALLBACK));
		if ((r = sm_io_read(s->io, buf, sizeof(buf), &got,
		    srv_bound(s, &dl))) != SM_IO_OK)
			break;
		used = feed(&k, buf, got);
		/* Commands pipelined after the final dot are read next. */
		if (k.done && used < got)
			sm_io_unread(s->io, got - used);
	}
	flush(&k);
	reply[0] = '\0';
	if (k.bad != NULL) {
		sm_notice("%s: collect: relay=%s, from=%s, info=%s not "
		    "allowed, where=body, status=tempfail", s->msg->id,
		    s->client, s->sender_shown, k.bad);
		(void)snprintf(reply, sizeof(reply), "421 4.5.0 %s not allowed",
		    k.bad);
		hangup = true;
	} else if (r == SM_IO_TIMEOUT && srv_session_over(s)) {
		;			/* MaxSessionTime: said and logged */
	} else if (r == SM_IO_TIMEOUT) {
		sm_notice("%s: timeout waiting for input from %s during "
		    "message collect (Timeout.datablock)", s->msg->id,
		    s->client);
		(void)snprintf(reply, sizeof(reply), "421 4.4.1 collect: "
		    "relay=%.300s, from=%.300s, info=read timeout", s->client,
		    s->sender_shown);
		hangup = true;
	} else if (r != SM_IO_OK) {
		sm_notice("%s: collect: relay=%s, from=%s, info=unexpected "
		    "close", s->msg->id, s->client, s->sender_shown);
		s->closing = true;
	} else if (k.hdr_toolarge) {
		refused(s, "headers too large");
		(void)snprintf(reply, sizeof(reply), "552 5.6.0 Headers too "
		    "large (%ld max)", s->c->opt.MaxHeadersLength);
	} else if (max > 0 && k.size > (size_t)max) {
		refused(s, "message too large");
		(void)snprintf(reply, sizeof(reply), "552 5.2.3 Message "
		    "exceeds maximum fixed size (%ld)", max);
	} else if (k.nul) {
		refused(s, "NUL bytes");
		(void)snprintf(reply, sizeof(reply), "554 5.6.0 Message "
		    "contains NUL characters");
	} else if (count_received(&k) >= s->c->opt.MaxHopCount) {
		refused(s, "too many hops");
		(void)snprintf(reply, sizeof(reply), "554 5.4.6 Too many hops");
	} else if (k.write_failed) {
		errno = k.write_errno;
		sm_warn("%s: cannot write the data file", s->msg->id);
		(void)snprintf(reply, sizeof(reply), "%s", k.write_errno ==
		    ENOSPC ? "452 4.3.1 Insufficient disk space; try again "
		    "later" : "451 4.3.0 Temporary system failure. Please "
		    "try again later.");
	} else if (s->discard) {
		sm_info("%s: discarded (access map) from %s", s->msg->id,
		    s->client);
		(void)snprintf(reply, sizeof(reply), "250 2.0.0 %s Message "
		    "accepted for delivery", s->msg->id);
	} else
		accept_message(s, &k);
	/* What is refused is gone from the disk before the client hears. */
	srv_transaction_reset(s);
	if (reply[0] != '\0')
		(void)srv_reply(s, "%s", reply);
	if (hangup)
		s->closing = true;
	srv_deliver_background(s);
	sm_strlist_clear(&k.hdrs);
	sm_buf_free(&k.cur);
	sm_buf_free(&k.wbuf);
}
