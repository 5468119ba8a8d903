/*
 * q_smtp - the delivering SMTP client; see q_smtp.h.
 *
 * Runs in a queue runner or delivery process, as RunAsUser.  UNTRUSTED
 * INPUT: the replies of the remote server, read and checked by q_reply.
 */
#include "q_smtp_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_dns.h"
#include "sm_io.h"
#include "sm_log.h"

/* bound - an option's time limit, with a fallback for "none" */
static long
bound(long v)
{
	return sm_bound(v, Q_READ_FALLBACK);
}

/* aconnect - Timeout.aconnect, or its fallback, in seconds */
static long
aconnect(const struct sm_options *o)
{
	return o->to.aconnect > 0 ? o->to.aconnect : Q_CONNECT_FALLBACK * 8;
}

/* q_smtp_aconnect - when Timeout.aconnect (or its fallback) ends */
void
q_smtp_aconnect(const struct sm_options *o, struct sm_deadline *dl)
{
	sm_deadline_in(dl, aconnect(o));
}

/*
 * q_smtp_open_limit - the longest q_smtp_open can take, in seconds, by
 * the options in force: the address lookup (Timeout.resolver.*, first
 * or not), the connects (Timeout.aconnect), then each wait of the
 * session with its own bound: an implicit TLS handshake, the greeting,
 * EHLO and HELO (a command and a reply each), STARTTLS with its
 * handshake and EHLO and HELO again, up to four AUTH steps (a command
 * and a reply each), and a QUIT after a refusal; all of it twice when a
 * failed handshake is tried again in the clear.
 */
long
q_smtp_open_limit(const struct sm_options *o)
{
	struct sm_dns_opts first, later;
	long tls = sm_bound(o->to.starttls, Q_STARTTLS_FALLBACK);
	long dns, session;

	sm_dns_opts_of(o, true, &first);
	sm_dns_opts_of(o, false, &later);
	dns = first.retrans * first.retry;
	if (later.retrans * later.retry > dns)
		dns = later.retrans * later.retry;
	session = aconnect(o) + 4 * tls + bound(o->to.initial) +
	    8 * bound(o->to.helo) + 8 * bound(o->to.auth) + bound(o->to.quit);
	return dns + 1 + 2 * session;
}

/*
 * connect_any - try each address; connect/iconnect each, aconnect all
 * (of this host, or of all the hosts of a destination: *until)
 */
static int
connect_any(struct q_conn *c, const char *host, struct addrinfo *ai,
    bool first, const struct sm_deadline *until, struct q_result *r)
{
	const struct sm_options *o = c->opt;
	struct sm_deadline all, one;
	long per = (first && o->to.iconnect > 0) ? o->to.iconnect :
	    sm_bound(o->to.connect, Q_CONNECT_FALLBACK);
	char ip[INET6_ADDRSTRLEN];
	int err = ETIMEDOUT;

	if (until != NULL)
		all = *until;
	else
		q_smtp_aconnect(o, &all);
	for (; ai != NULL; ai = ai->ai_next) {
		if (sm_deadline_expired(&all)) {
			sm_info("Timeout.to_aconnect occurred before "
			    "exhausting all addresses of %s", host);
			break;
		}
		sm_deadline_in(&one, per);
		(void)getnameinfo(ai->ai_addr, ai->ai_addrlen, ip, sizeof(ip),
		    NULL, 0, NI_NUMERICHOST);
		(void)snprintf(c->relay, sizeof(c->relay), "%s [%s]", host,
		    ip);
		(void)snprintf(c->ip, sizeof(c->ip), "%s", ip);
		if (sm_io_connect(&c->fd, ai->ai_addr, ai->ai_addrlen, NULL, 0,
		    sm_deadline_min(&one, &all)) == SM_IO_OK)
			return 0;
		err = errno;
		if (sm_log_level() > 13)
			sm_info("makeconnection (%s [%s]) failed: %s", host,
			    ip, strerror(err));
	}
	if (err == ECONNREFUSED)
		q_result_set(r, Q_TEMPFAIL, "4.4.1", "Deferred: Connection refused "
		    "by %s", host);
	else
		q_result_set(r, Q_TEMPFAIL, "4.4.1", "Deferred: Connection timed out "
		    "with %s", host);
	return -1;
}

/*
 * connect_path - the unix socket of an A=FILE mailer, within connect
 * (iconnect on a first attempt) and aconnect (*until, when set)
 */
static int
connect_path(struct q_conn *c, const char *path, bool first,
    const struct sm_deadline *until, struct q_result *r)
{
	const struct sm_options *o = c->opt;
	struct sockaddr_un sun;
	struct sm_deadline all, one;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		q_result_set(r, Q_TEMPFAIL, "4.3.5", "Deferred: socket path %.200s "
		    "is too long", path);
		return -1;
	}
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (until != NULL)
		all = *until;
	else
		q_smtp_aconnect(o, &all);
	sm_deadline_in(&one, (first && o->to.iconnect > 0) ? o->to.iconnect :
	    sm_bound(o->to.connect, Q_CONNECT_FALLBACK));
	if (sm_io_connect(&c->fd, (struct sockaddr *)&sun, sizeof(sun), NULL,
	    0, sm_deadline_min(&one, &all)) == SM_IO_OK)
		return 0;
	q_result_set(r, Q_TEMPFAIL, "4.4.1", "Deferred: %s: %s", path,
	    strerror(errno));
	return -1;
}

/* greet - read the greeting of c's peer and say EHLO; false: c is bad */
static bool
greet(struct q_conn *c, const char *helo, const struct q_secure *sec,
    const char *name, struct q_result *r)
{
	c->io = sm_io_new(c->fd, c->fd);
	if (sec != NULL && sec->implicit && !q_tls_start(c, sec, name, r))
		return false;
	if (q_smtp_reply(c, c->opt->to.initial, "client greeting", r) == 0)
		return false;
	if (r->status != Q_OK) {
		(void)q_smtp_cmd(c, "QUIT\r\n", c->opt->to.quit);
		return false;
	}
	if (q_smtp_ehlo(c, helo, r) < 0)
		return false;
	if (sec != NULL && !q_secure_session(c, helo, sec, name, r))
		return false;
	r->status = Q_OK;
	return true;
}

/* new_conn - a connection that is not open yet */
static struct q_conn *
new_conn(const char *name, bool lmtp, const struct sm_options *o)
{
	struct q_conn *c = sm_calloc(1, sizeof(*c));

	c->fd = -1;
	c->lmtp = lmtp;
	c->opt = o;
	sm_buf_init(&c->line, Q_REPLY_MAX);
	(void)snprintf(c->relay, sizeof(c->relay), "%s", name);
	return c;
}

/* q_smtp_open - connect, read the greeting, say EHLO (LHLO) */
struct q_conn *
q_smtp_open(const struct q_peer *p, const struct sm_options *o,
    bool first, const struct sm_deadline *until, const char *helo,
    const struct q_client *cl, struct q_result *r)
{
	const char *host = p->path != NULL ? "localhost" : p->host;
	int port = p->port;
	struct q_conn *c = new_conn(host, p->lmtp, o);
	struct addrinfo *ai = NULL;
	struct sm_dns_opts dns;
	struct q_secure sec;
	char err[300], name[256];
	bool ok;

	r->refused = false;
	if (p->path != NULL) {
		/* A local socket: no lookup, no TLS, no AUTH. */
		if (connect_path(c, p->path, first, until, r) < 0 ||
		    !greet(c, helo, NULL, NULL, r))
			goto bad;
		return c;
	}
	/* The lookup is bounded by Timeout.resolver.* (.first or not). */
	sm_dns_opts_of(o, first, &dns);
	switch (sm_dns_resolve(host, port, &dns, &ai, err, sizeof(err))) {
	case SM_DNS_OK:
		break;
	case SM_DNS_NOTFOUND:
		q_result_set(r, Q_PERMFAIL, "5.1.2", "Host unknown (Name server: %s: "
		    "host not found)", host);
		goto bad;
	case SM_DNS_TEMP:
		q_result_set(r, Q_TEMPFAIL, "4.4.3", "Deferred: Name server: %s: host "
		    "name lookup failure", host);
		goto bad;
	}
	if (connect_any(c, host, ai, first, until, r) < 0)
		goto bad;
	/* The name without brackets: for the hook's lookups and SNI. */
	(void)snprintf(name, sizeof(name), "%.*s", (int)strcspn(host +
	    (host[0] == '['), "]"), host + (host[0] == '['));
	memset(&sec, 0, sizeof(sec));
	sec.implicit = port == 465;
	if (cl != NULL && cl->secure != NULL)
		cl->secure(cl->ctx, name, c->ip, port, &sec);
	/* SNI names a host, never an address (RFC 6066 3). */
	ok = greet(c, helo, cl != NULL ? &sec : NULL,
	    sm_dns_is_literal(host) ? NULL : name, r);
	/*
	 * TLSFallbacktoClear: a STARTTLS handshake that failed is tried
	 * again at once without STARTTLS, unless TLS is a condition.
	 */
	if (!ok && c->tls_failed && o->TLSFallbacktoClear &&
	    !sec.tls_required && !sec.implicit) {
		sm_notice("relay=%s: TLS handshake failed; trying again "
		    "without STARTTLS (TLSFallbacktoClear)", c->relay);
		q_smtp_close(c, false);
		c = new_conn(host, p->lmtp, o);
		sec.tls = NULL;
		ok = connect_any(c, host, ai, first, NULL, r) == 0 &&
		    greet(c, helo, &sec, NULL, r);
	}
	explicit_bzero(&sec, sizeof(sec));	/* the password */
	sm_dns_free(ai);
	ai = NULL;
	if (ok)
		return c;
bad:
	/* A host that took the connection and then said no, at once. */
	r->refused = c->fd >= 0 && !c->timed_out && !c->tls_failed;
	if (ai != NULL)
		sm_dns_free(ai);
	q_smtp_close(c, false);
	return NULL;
}

/* q_smtp_attach - the same over fd, already connected to name */
struct q_conn *
q_smtp_attach(int fd, const char *name, bool lmtp, const struct sm_options *o,
    const char *helo, struct q_result *r)
{
	struct q_conn *c = new_conn(name, lmtp, o);

	c->fd = fd;
	if (greet(c, helo, NULL, NULL, r))
		return c;
	q_smtp_close(c, false);
	return NULL;
}

/* q_header_wanted - "?flags?" conditions against the mailer's flags */
bool
q_header_wanted(const char *h, const char *mflags, const char **rest)
{
	const char *q;

	*rest = h;
	if (h[0] != '?')
		return true;
	if ((q = strchr(h + 1, '?')) == NULL)
		return true;
	*rest = q + 1;
	if (q == h + 1)
		return true;		/* "??": always */
	if (h[1] == '$' || h[1] == '\201')
		return false;		/* conditional on a macro: not set */
	for (h++; h < q; h++)
		if (strchr(mflags, *h) != NULL)
			return true;
	return false;
}

/*
 * q_header_put - one header, 0x81g expanded; for SMTP its line ends made
 * CRLF and a continuation line that starts with a dot gets it doubled,
 * otherwise LF.  A CR is dropped (a bare one could end the data for some
 * receivers).
 */
void
q_header_put(struct sm_buf *b, const char *h, const char *sender, bool smtp)
{
	const char *eol = smtp ? "\r\n" : "\n";

	for (; *h != '\0'; h++) {
		if (*h == '\r')
			continue;
		if (*h == '\n') {
			(void)sm_buf_puts(b, eol);
			if (smtp && h[1] == '.')
				(void)sm_buf_putc(b, '.');
		} else if ((unsigned char)*h == 0x81 && h[1] != '\0') {
			h++;
			if (*h == 'g') {
				size_t n = strlen(sender);

				/* $g: the sender without its brackets. */
				if (n >= 2 && sender[0] == '<')
					(void)sm_buf_append(b, sender + 1,
					    n - 2);
				else
					(void)sm_buf_puts(b, sender);
			}
		} else
			(void)sm_buf_putc(b, *h);
	}
	(void)sm_buf_puts(b, eol);
}

/* flush_body - write out what b holds, within the progress timer */
static bool
flush_body(struct q_conn *c, struct sm_buf *b)
{
	struct sm_deadline dl;

	sm_deadline_in(&dl, Q_DATA_PROGRESS);
	if (b->len > 0 && sm_io_write(c->io, b->data, b->len, &dl) !=
	    SM_IO_OK) {
		c->broken = true;
		return false;
	}
	sm_buf_reset(b);
	return true;
}

/*
 * body_byte - one byte of the data file onto the wire.  LF, CR LF and a
 * bare CR all end a line and go out as CR LF, so no receiver can read an
 * end of data where we meant none (SMTP smuggling); a dot that starts a
 * line is doubled.  *cr holds a CR until the next byte shows whether an
 * LF follows it.
 */
static void
body_byte(struct sm_buf *b, char ch, bool *bol, bool *cr)
{
	if (*cr) {
		*cr = false;
		(void)sm_buf_puts(b, "\r\n");
		*bol = true;
		if (ch == '\n')
			return;
	}
	if (ch == '\r') {
		*cr = true;
		return;
	}
	if (*bol && ch == '.')
		(void)sm_buf_putc(b, '.');
	if (ch == '\n') {
		(void)sm_buf_puts(b, "\r\n");
		*bol = true;
	} else {
		(void)sm_buf_putc(b, ch);
		*bol = false;
	}
}

/* send_message - headers, blank line, body: CRLF, dots stuffed */
static bool
send_message(struct q_conn *c, const struct q_txn *t)
{
	struct sm_buf b;
	char buf[16384];
	const char *rest;
	bool bol = true, cr = false, ok = true;
	ssize_t n;
	size_t i;

	sm_buf_init(&b, 0);
	for (i = 0; i < t->headers->n; i++)
		if (q_header_wanted(t->headers->v[i], t->mailer_flags, &rest))
			q_header_put(&b, rest, t->sender, true);
	(void)sm_buf_puts(&b, "\r\n");
	if (lseek(t->dfd, 0, SEEK_SET) < 0)
		ok = false;
	while (ok && (n = read(t->dfd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; i++)
			body_byte(&b, buf[i], &bol, &cr);
		if (b.len > 65536 && !flush_body(c, &b))
			ok = false;
	}
	if (ok && n < 0)
		ok = false;
	if (ok && (cr || !bol))
		(void)sm_buf_puts(&b, "\r\n");
	if (ok)
		(void)sm_buf_puts(&b, ".\r\n");
	if (ok)
		q_smtp_show(">>> ", ".", 1);
	if (ok && !flush_body(c, &b))
		ok = false;
	sm_buf_free(&b);
	return ok;
}

/* all - set the result of every recipient idx[0..n) of t (only_ok:
 * of those that have Q_OK) */
static void
all(struct q_txn *t, const size_t *idx, size_t n, const struct q_result *r,
    bool only_ok)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!only_ok || t->results[idx[i]].status == Q_OK)
			t->results[idx[i]] = *r;
}

/*
 * put_path - an address as a MAIL or RCPT argument: in angle brackets
 * (RFC 5321 4.1.2), which sendmail's own queue files leave off for
 * addresses given on its command line ("Salice@example.org").  With
 * qualify set, an address without a domain gets "@qualify", as
 * sendmail's SMTP mailers add $j: its submission program leaves local
 * names bare in the client queue ("Sbob", "RPFD:carol").
 */
static void
put_path(struct sm_buf *b, const char *verb, const char *addr,
    const char *qualify)
{
	size_t n;
	bool angle;

	while (*addr == ' ' || *addr == '\t')
		addr++;
	n = strlen(addr);
	while (n > 0 && (addr[n - 1] == ' ' || addr[n - 1] == '\t'))
		n--;
	angle = n >= 2 && addr[0] == '<' && addr[n - 1] == '>';
	if (angle) {
		addr++;
		n -= 2;
	}
	(void)sm_buf_printf(b, "%s:<%.*s", verb, (int)n, addr);
	if (qualify != NULL && n > 0 && memchr(addr, '@', n) == NULL)
		(void)sm_buf_printf(b, "@%s", qualify);
	(void)sm_buf_puts(b, ">");
}

/*
 * lmtp_status - after the final dot, one reply for each recipient the
 * server accepted, in RCPT order (RFC 2033 4.2), each the recipient's
 * own result.  When the connection fails first, the recipients still
 * waiting for theirs get the failure, a deferral: -1 then.
 */
static int
lmtp_status(struct q_conn *c, struct q_txn *t, const size_t *idx, size_t n)
{
	struct q_result r;
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		if (t->results[idx[i]].status != Q_OK)
			continue;	/* refused at RCPT: no reply due */
		/* Once broken, r holds why: the rest get that. */
		if (!c->broken)
			(void)q_smtp_reply(c, c->opt->to.datafinal,
			    "client DATA status", &r);
		t->results[idx[i]] = r;
	}
	return c->broken ? -1 : 0;
}

/* mail_cmd - MAIL with the parameters the server takes */
static void
mail_cmd(const struct q_conn *c, const struct q_txn *t, struct sm_buf *cmd)
{
	put_path(cmd, "MAIL From", t->sender, t->qualify);
	if (c->size && t->size > 0)
		(void)sm_buf_printf(cmd, " SIZE=%ld", t->size);
	if (c->eightbit && t->body != NULL)
		(void)sm_buf_printf(cmd, " BODY=%s", t->body);
	if (c->dsn && t->ret != NULL)
		(void)sm_buf_printf(cmd, " RET=%s", t->ret);
	if (c->dsn && t->envid != NULL)
		(void)sm_buf_printf(cmd, " ENVID=%s", t->envid);
	/*
	 * RFC 4954 5: who submitted the message, when it is known; an
	 * unknown submitter is the same as no parameter (AUTH=<>), which
	 * some servers refuse, so none is sent then.
	 */
	if (c->auth_offered && (c->authenticated ||
	    !c->auth_param_only_if_auth) && t->auth != NULL &&
	    t->auth[0] != '\0' && strcmp(t->auth, "<>") != 0)
		(void)sm_buf_printf(cmd, " AUTH=%s", t->auth);
	(void)sm_buf_puts(cmd, "\r\n");
}

/* rcpt_cmd - RCPT for recipient i of t, with its DSN parameters */
static void
rcpt_cmd(const struct q_conn *c, const struct q_txn *t, size_t i,
    struct sm_buf *cmd)
{
	put_path(cmd, "RCPT To", t->rcpts[i], t->qualify);
	if (c->dsn && t->notify[i] != NULL)
		(void)sm_buf_printf(cmd, " NOTIFY=%s", t->notify[i]);
	if (c->dsn && t->orcpt[i] != NULL)
		(void)sm_buf_printf(cmd, " ORCPT=%s", t->orcpt[i]);
	(void)sm_buf_puts(cmd, "\r\n");
}

/*
 * batch - with PIPELINING, the next RCPT commands (from *sent on) that
 * fit in Q_PIPE_BYTES, and DATA after the last one.  The commands of a
 * batch go in one write and all their replies are read before the next
 * batch goes: a client that keeps writing while the server's replies
 * pile up unread can block both sides (RFC 2920 section 3.1), so what
 * is written but unanswered stays within what the sockets' buffers
 * hold.  A message of a few hundred recipients still takes one round
 * trip.
 */
static void
batch(const struct q_conn *c, const struct q_txn *t, const size_t *idx,
    size_t n, size_t *sent, bool *data, struct sm_buf *cmd)
{
	do
		rcpt_cmd(c, t, idx[(*sent)++], cmd);
	while (*sent < n && cmd->len < Q_PIPE_BYTES);
	if (*sent == n) {
		(void)sm_buf_puts(cmd, "DATA\r\n");
		*data = true;
	}
}

/* too_many - RCPT refused for now with 452: more than the server takes
 * in one transaction (RFC 5321 section 4.5.3.1.10) */
static bool
too_many(const struct q_result *r)
{
	return r->status == Q_TEMPFAIL && strncmp(r->text, "452", 3) == 0;
}

/*
 * transaction - one transaction for the recipients idx[0..n) of t
 * (n > 0): their results are set, *taken says for how many of them the
 * server took the message, and again[i] whether recipient i was
 * refused at RCPT as one too many.  -1 when the connection failed.
 */
static int
transaction(struct q_conn *c, struct q_txn *t, const size_t *idx, size_t n,
    size_t *taken, bool *again)
{
	const struct sm_options *o = c->opt;
	struct sm_buf cmd;
	struct q_result r, drain;
	size_t i, sent = 0, accepted = 0;
	bool data = false, full = false;
	int rc = 0;

	*taken = 0;
	c->fresh = false;
	sm_buf_init(&cmd, 0);
	mail_cmd(c, t, &cmd);
	if (c->pipelining)
		batch(c, t, idx, n, &sent, &data, &cmd);
	if (!q_smtp_cmd(c, cmd.data, o->to.mail)) {
		q_result_set(&r, Q_TEMPFAIL, "4.4.2", "Deferred: Connection reset by "
		    "%s", c->relay);
		all(t, idx, n, &r, false);
		rc = -1;
		goto out;
	}
	if (q_smtp_reply(c, o->to.mail, "client MAIL", &r) == 0 ||
	    r.status != Q_OK) {
		all(t, idx, n, &r, false);
		if (c->broken)
			rc = -1;
		else if (c->pipelining) {
			/* Drain the pipelined replies before RSET. */
			for (i = 0; i < sent && !c->broken; i++)
				(void)q_smtp_reply(c, o->to.rcpt, "client RCPT",
				    &drain);
			if (data && !c->broken)
				(void)q_smtp_reply(c, o->to.datainit,
				    "client DATA 354", &drain);
			/* A 354 with nothing to send: the server waits for a
			 * message; only hanging up ends that cleanly. */
			if (data && !c->broken && drain.status == Q_OK)
				c->broken = true;
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!c->pipelining || i == sent) {
			/* Once the server took no more, the rest wait for
			 * the next transaction, unsent. */
			if (full)
				break;
			/* Every reply due is in: the next command(s). */
			sm_buf_reset(&cmd);
			if (c->pipelining)
				batch(c, t, idx, n, &sent, &data, &cmd);
			else
				rcpt_cmd(c, t, idx[i], &cmd);
			if (!q_smtp_cmd(c, cmd.data, o->to.rcpt))
				break;
		}
		if (q_smtp_reply(c, o->to.rcpt, "client RCPT",
		    &t->results[idx[i]]) == 0)
			break;
		if (t->results[idx[i]].status == Q_OK)
			accepted++;
		again[idx[i]] = too_many(&t->results[idx[i]]);
		if (again[idx[i]])
			full = true;
	}
	if (c->broken) {
		q_result_set(&r, Q_TEMPFAIL, "4.4.2", "Deferred: Connection timed out "
		    "with %s", c->relay);
		all(t, idx, n, &r, false);
		rc = -1;
		goto out;
	}
	/* Their results stay what q_smtp_send() or the last try set. */
	for (; i < n; i++)
		again[idx[i]] = true;
	if (!data) {
		/* Not pipelined with the last RCPT: DATA now, if of use. */
		if (accepted == 0)
			goto out;
		if (!q_smtp_cmd(c, "DATA\r\n", o->to.datainit)) {
			q_result_set(&r, Q_TEMPFAIL, "4.4.2", "Deferred: "
			    "Connection reset by %s", c->relay);
			all(t, idx, n, &r, true);
			rc = -1;
			goto out;
		}
	}
	if (q_smtp_reply(c, o->to.datainit, "client DATA 354", &r) == 0) {
		all(t, idx, n, &r, false);
		rc = -1;
		goto out;
	}
	if (accepted == 0) {
		/* A pipelined DATA: refused, or a 354 we cannot use. */
		if (r.status == Q_OK)
			c->broken = true;
		goto out;
	}
	if (r.status != Q_OK) {
		all(t, idx, n, &r, true);
		goto out;
	}
	if (!send_message(c, t)) {
		q_result_set(&r, Q_TEMPFAIL, "4.4.2", "Deferred: Connection reset by "
		    "%s", c->relay);
		all(t, idx, n, &r, true);
		rc = -1;
		goto out;
	}
	if (c->lmtp)
		rc = lmtp_status(c, t, idx, n);
	/* Too short a datafinal makes duplicates: the peer may have it. */
	else if (q_smtp_reply(c, o->to.datafinal, "client DATA status",
	    &r) == 0) {
		all(t, idx, n, &r, true);
		rc = -1;
	} else
		all(t, idx, n, &r, true);
	for (i = 0; i < n; i++)
		if (t->results[idx[i]].status == Q_OK)
			(*taken)++;
	/* The final reply resets the server's state. */
	c->fresh = rc == 0;
out:
	sm_buf_free(&cmd);
	return rc;
}

/* eightbit - has s a byte outside ASCII? */
static bool
eightbit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/*
 * q_smtp_send - every recipient of t, in as many transactions as the
 * server asks for: the recipients it refused with 452 (too many for
 * one transaction) go in the next one, on the same connection, as
 * long as each transaction delivers to someone, and t->between (unless
 * NULL) is called after each that another follows, with the results of
 * those done so far in t->results.  An address with a
 * byte outside ASCII is not sent at all (this client does not speak
 * SMTPUTF8, RFC 6531): such a recipient fails for good, and so does
 * every recipient when it is the sender.
 */
int
q_smtp_send(struct q_conn *c, struct q_txn *t)
{
	struct q_result r, unsent;
	size_t *idx = sm_calloc(t->nrcpts + 1, sizeof(*idx));
	bool *again = sm_calloc(t->nrcpts + 1, sizeof(*again));
	size_t i, n, left, taken;
	bool sender8 = eightbit(t->sender);
	int rc = 0;

	q_result_set(&r, Q_PERMFAIL, "5.6.7", "Non-ASCII sender address "
	    "%.300s not sent: SMTPUTF8 is not supported", t->sender);
	/* What a recipient that no transaction got to is told. */
	q_result_set(&unsent, Q_TEMPFAIL, "4.5.3", "Deferred: %s took no "
	    "more recipients", c->relay);
	for (i = n = 0; i < t->nrcpts; i++) {
		if (sender8)
			t->results[i] = r;
		else if (eightbit(t->rcpts[i]))
			q_result_set(&t->results[i], Q_PERMFAIL, "5.6.7",
			    "Non-ASCII address not sent: SMTPUTF8 is not "
			    "supported");
		else {
			t->results[i] = unsent;
			idx[n++] = i;
		}
	}
	while (n > 0 && (rc = transaction(c, t, idx, n, &taken, again)) == 0 &&
	    taken > 0) {
		for (i = left = 0; i < n; i++)
			if (again[idx[i]])
				idx[left++] = idx[i];
		n = left;
		/* What this transaction delivered, before the next one. */
		if (n > 0 && t->between != NULL)
			t->between(t->between_ctx);
	}
	free(again);
	free(idx);
	return rc;
}

/* quiet - has the server sent nothing (no reply, no close) since? */
static bool
quiet(const struct q_conn *c)
{
	struct pollfd p;

	p.fd = c->fd;
	p.events = POLLIN;
	p.revents = 0;
	return sm_io_pending(c->io) == 0 && poll(&p, 1, 0) == 0;
}

/*
 * q_smtp_rset - make a cached connection ready for the next message.
 * After the reply to a message's final dot the server has reset its
 * state (RFC 5321 section 4.1.1.4), so when it has said nothing since,
 * not even a 421 or a close, the next MAIL goes without RSET and its
 * round trip; otherwise RSET, which also proves the server is there.
 */
int
q_smtp_rset(struct q_conn *c)
{
	struct q_result r;
	bool fresh = c->fresh;

	c->fresh = false;
	if (!c->broken && fresh && quiet(c))
		return 0;
	if (c->broken || !q_smtp_cmd(c, "RSET\r\n", c->opt->to.rset) ||
	    q_smtp_reply(c, c->opt->to.rset, "client RSET", &r) == 0 ||
	    r.status != Q_OK) {
		c->broken = true;
		return -1;
	}
	return 0;
}

/* q_smtp_relay - "host [ip]" of the server, for log lines */
const char *
q_smtp_relay(const struct q_conn *c)
{
	return c->relay;
}

/* q_smtp_usable - may this connection carry another message? */
bool
q_smtp_usable(const struct q_conn *c)
{
	return c != NULL && !c->broken;
}

/* q_smtp_close - QUIT (when polite and possible), close, free */
void
q_smtp_close(struct q_conn *c, bool quit)
{
	struct q_result r;

	if (c == NULL)
		return;
	if (quit && c->io != NULL && !c->broken &&
	    q_smtp_cmd(c, "QUIT\r\n", c->opt->to.quit))
		(void)q_smtp_reply(c, c->opt->to.quit, "client QUIT", &r);
	sm_io_free(c->io);
	if (c->fd >= 0)
		(void)close(c->fd);
	sm_buf_free(&c->line);
	free(c);
}

/*
 * q_smtp_replies - what a smart host says on fd read as a delivery reads
 * it: the greeting, the answer to EHLO (written to fd), then replies
 * until one fails; the number of replies read.  For tests and fuzzing.
 */
int
q_smtp_replies(int fd, const struct sm_options *o)
{
	struct q_conn *c = new_conn("fuzz", false, o);
	struct q_result r;
	int n = 0;

	c->fd = fd;
	c->io = sm_io_new(fd, fd);
	if (q_smtp_reply(c, o->to.initial, "client greeting", &r) != 0 &&
	    r.status == Q_OK && q_smtp_ehlo(c, "fuzz.example", &r) == 0)
		for (n = 2; q_smtp_reply(c, o->to.misc, "client RCPT", &r) != 0;)
			n++;
	c->fd = -1;			/* the caller's */
	q_smtp_close(c, false);
	return n;
}
