/*
 * srv_session - one SMTP session; see srv_session.h.
 *
 * UNTRUSTED INPUT throughout: every byte comes from the client.  Runs
 * as RunAsUser in a child of the master; it exits when the session
 * ends, so a leak or a stuck client costs one process at most, and no
 * wait in here is longer than the Timeout.* that bounds it.
 */
#include "srv_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "ident.h"
#include "sm_dns.h"
#include "sm_log.h"
#include "sm_time.h"
#include "srv_cmd.h"

/* Fallback for Timeout.command=0 ("no limit"): we keep one anyway. */
#define SRV_COMMAND_FALLBACK	3600

/* srv_bound - a wait's deadline, cut to the session's own (ours) */
const struct sm_deadline *
srv_bound(struct srv *s, struct sm_deadline *dl)
{
	return sm_deadline_min(dl, &s->session_end);
}

/* srv_session_over - did MaxSessionTime run out (and we said so)? */
bool
srv_session_over(struct srv *s)
{
	if (!sm_deadline_expired(&s->session_end))
		return false;
	sm_notice("%s: %s: session longer than MaxSessionTime (%lds), "
	    "closing", s->msg != NULL ? s->msg->id : "NOQUEUE", s->client,
	    s->c->opt.MaxSessionTime);
	/* The reply may take a moment more: the session's time is up. */
	s->session_end.at.tv_sec += 5;
	(void)srv_reply(s, "421 4.4.2 %s Session too long; closing "
	    "connection", s->hostname);
	s->closing = true;
	return true;
}

/* command_deadline - the deadline for the next command or a reply */
static void
command_deadline(struct srv *s, struct sm_deadline *dl)
{
	sm_deadline_in(dl, sm_bound(s->c->opt.to.command,
	    SRV_COMMAND_FALLBACK));
	*dl = *srv_bound(s, dl);
}

/*
 * srv_reply - send one reply line (code, enhanced code, text).  The
 * lines of a multiline reply ("250-...") wait for its last line, so
 * that the whole reply goes out in one write.
 */
int
srv_reply(struct srv *s, const char *fmt, ...)
{
	struct sm_deadline dl;
	struct sm_buf *b = &s->out;
	size_t start = b->len;
	va_list ap;
	int rc;

	if (s->closing)
		return -1;
	va_start(ap, fmt);
	(void)sm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	(void)sm_buf_puts(b, "\r\n");
	/* More lines of this reply follow: they go out together, unless
	 * the reply grows long enough to risk the buffer's limit. */
	if (b->len - start > 4 && b->data[start + 3] == '-' &&
	    b->len < SRV_REPLY_MAX / 2)
		return 0;
	command_deadline(s, &dl);
	rc = sm_io_write(s->io, b->data, b->len, &dl) == SM_IO_OK ? 0 : -1;
	sm_buf_reset(b);
	if (rc < 0) {
		sm_notice("%s: lost connection while writing to %s",
		    s->msg != NULL ? s->msg->id : "NOQUEUE", s->client);
		s->closing = true;
	}
	return rc;
}

/* srv_proto - $r: SMTP, or ESMTP with S for TLS and A for AUTH */
const char *
srv_proto(const struct srv *s)
{
	static const char *const esmtp[] = { "ESMTP", "ESMTPA", "ESMTPS",
	    "ESMTPSA" };

	if (s->conn->submission)
		return "";
	if (!s->esmtp)
		return "SMTP";
	return esmtp[(s->tls ? 2 : 0) + (s->auth_type[0] != '\0' ? 1 : 0)];
}

/* srv_qid - the queue id for log lines */
const char *
srv_qid(const struct srv *s)
{
	return s->msg != NULL ? s->msg->id : "NOQUEUE";
}

/* srv_transaction_reset - forget MAIL, RCPT and any half message */
void
srv_transaction_reset(struct srv *s)
{
	if (s->msg != NULL) {
		q_msg_abort(s->msg);
		q_msg_free(s->msg);
		s->msg = NULL;
	}
	free(s->sender_shown);
	s->sender_shown = NULL;
	sm_addr_free(&s->sender);
	sm_strset_clear(&s->rcpts);
	s->body[0] = s->ret[0] = '\0';
	s->discard = false;
}

/* addr_text - an address of a sockaddr */
static void
addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if ((ss->ss_family != AF_INET && ss->ss_family != AF_INET6) ||
	    inet_ntop(ss->ss_family, a, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
	/* An IPv4 client on an IPv6 socket is an IPv4 client. */
	if (strncmp(buf, "::ffff:", 7) == 0 && strchr(buf + 7, '.') != NULL)
		memmove(buf, buf + 7, strlen(buf + 7) + 1);
}

/*
 * reverse - the client's name, forward-confirmed: its PTR (or hosts
 * file) name must lead back to its address.  ${client_resolve} is OK,
 * FAIL (no name), TEMP (DNS did not tell in time) or FORGED (the name
 * does not lead back); only an OK name is used for access checks and
 * relaying, the others leave client_name as "[ip]".  Each of the two
 * lookups is bounded by Timeout.resolver.*.
 */
static void
reverse(struct srv *s, char *ptr, size_t len)
{
	struct sm_dns_opts o;
	char err[300];

	sm_dns_opts_of(&s->c->opt, false, &o);
	(void)snprintf(s->client_name, sizeof(s->client_name), "[%s]",
	    s->peer_ip);
	switch (sm_dns_ptr((const struct sockaddr *)&s->conn->peer,
	    sizeof(s->conn->peer), &o, ptr, len, err, sizeof(err))) {
	case SM_DNS_OK:
		break;
	case SM_DNS_NOTFOUND:
		s->client_resolve = "FAIL";
		return;
	case SM_DNS_TEMP:
		if (sm_log_level() > 8)
			sm_info("NOQUEUE: reverse lookup of [%s]: %s",
			    s->peer_ip, err);
		s->client_resolve = "TEMP";
		return;
	}
	switch (sm_dns_confirm(ptr, s->peer_ip, &o)) {
	case SM_DNS_OK:
		s->client_resolve = "OK";
		(void)snprintf(s->client_name, sizeof(s->client_name), "%s",
		    ptr);
		break;
	case SM_DNS_NOTFOUND:
		s->client_resolve = "FORGED";
		break;
	case SM_DNS_TEMP:
		s->client_resolve = "TEMP";
		break;
	}
}

/*
 * identify - who the client is: $_ is "[ident-user@]name [ip]" with
 * " (may be forged)" when the name does not lead back, or "[ip]" alone
 * without a name; {client_addr}, {client_name} and {client_resolve} are
 * defined for the session.
 */
static void
identify(struct srv *s)
{
	struct sm_deadline dl;
	char user[256] = "", ptr[256] = "";

	if (!s->conn->is_socket) {
		struct passwd *pw = s->conn->login != NULL ? NULL :
		    getpwuid(getuid());

		(void)snprintf(s->client_name, sizeof(s->client_name),
		    "localhost");
		s->client_resolve = "OK";
		(void)snprintf(s->client, sizeof(s->client), "%s@localhost",
		    s->conn->login != NULL ? s->conn->login : pw != NULL ?
		    pw->pw_name : "unknown");
		return;
	}
	addr_text(&s->conn->peer, s->peer_ip, sizeof(s->peer_ip));
	addr_text(&s->conn->local, s->local_ip, sizeof(s->local_ip));
	reverse(s, ptr, sizeof(ptr));
	/* Timeout.ident bounds the whole query; 0 turns it off. */
	if (s->c->opt.to.ident > 0) {
		sm_deadline_in(&dl, s->c->opt.to.ident);
		if (ident_query(&s->conn->local, &s->conn->peer, &dl, user,
		    sizeof(user)) < 0)
			user[0] = '\0';
	}
	if (ptr[0] == '\0')
		(void)snprintf(s->client, sizeof(s->client), "%s%s[%s]",
		    user, user[0] != '\0' ? "@" : "", s->peer_ip);
	else
		(void)snprintf(s->client, sizeof(s->client), "%s%s%s [%s]%s",
		    user, user[0] != '\0' ? "@" : "", ptr, s->peer_ip,
		    strcmp(s->client_resolve, "FORGED") == 0 ?
		    " (may be forged)" : "");
	if (s->conn->counted) {
		char n[16];

		(void)snprintf(n, sizeof(n), "%u", s->conn->client_connections);
		sm_cf_define(s->c->cf, "client_connections", n);
		(void)snprintf(n, sizeof(n), "%u", s->conn->client_rate);
		sm_cf_define(s->c->cf, "client_rate", n);
	}
	sm_cf_define(s->c->cf, "client_addr", s->peer_ip);
	sm_cf_define(s->c->cf, "client_name", ptr[0] != '\0' ? ptr :
	    s->client_name);
	sm_cf_define(s->c->cf, "client_resolve", s->client_resolve);
}

/* greet - the 220 greeting: SmtpGreetingMessage, ESMTP after word one */
static int
greet(struct srv *s)
{
	struct sm_buf text;
	char *p, *nl, *word;
	int rc = 0;

	sm_buf_init(&text, 4096);
	if (sm_cf_expand(s->c->cf, s->c->opt.SmtpGreetingMessage, &text) < 0)
		(void)sm_buf_printf(&text, "%s", s->hostname);
	p = text.data;
	word = p + strcspn(p, " \n");
	for (;;) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (p == text.data)
			rc = srv_reply(s, "220%c%.*s ESMTP%s", nl != NULL ?
			    '-' : ' ', (int)(word - p), p, word);
		else
			rc = srv_reply(s, "220%c%s", nl != NULL ? '-' : ' ',
			    p);
		if (rc < 0 || nl == NULL)
			break;
		p = nl + 1;
	}
	sm_buf_free(&text);
	return rc;
}

/* srv_input_waiting - has the client sent more than we answered? */
bool
srv_input_waiting(struct srv *s)
{
	struct pollfd pfd;

	if (sm_io_pending(s->io) > 0)
		return true;
	pfd.fd = s->conn->rfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

/* helo_ok - sendmail's check of a HELO argument */
static bool
helo_ok(const char *a)
{
	for (; *a != '\0'; a++)
		if (!isalnum((unsigned char)*a) &&
		    strchr("[].-_#:", *a) == NULL)
			return false;
	return true;
}

/* do_helo - HELO and EHLO */
static void
do_helo(struct srv *s, const char *arg, bool ehlo)
{
	unsigned priv = s->c->opt.PrivacyOptions;
	char mechs[512];

	if (*arg == '\0') {
		(void)srv_reply(s, "501 5.0.0 %s requires domain address",
		    ehlo ? "EHLO" : "HELO");
		return;
	}
	if (!helo_ok(arg) && !s->c->opt.AllowBogusHELO) {
		(void)srv_reply(s, "501 5.0.0 Invalid domain name");
		return;
	}
	/* Transaction stuffing: nothing may follow EHLO before its reply. */
	if (srv_input_waiting(s)) {
		sm_notice("%s: rejecting server %s from %s due to traffic "
		    "before response", srv_qid(s), ehlo ? "EHLO" : "HELO",
		    s->client);
		(void)srv_reply(s, "554 5.5.0 SMTP protocol error");
		s->reject = SRV_REJECT_PROTOCOL;
		return;
	}
	srv_transaction_reset(s);
	/* A local submission's Received: shows only who sent it. */
	if (!s->conn->submission)
		(void)snprintf(s->helo, sizeof(s->helo), "%s", arg);
	s->helo_seen = true;
	s->esmtp = ehlo;
	if (!ehlo) {
		(void)srv_reply(s, "250 %s Hello %s, pleased to meet you",
		    s->hostname, s->client);
		return;
	}
	(void)srv_reply(s, "250-%s Hello %s, pleased to meet you",
	    s->hostname, s->client);
	(void)srv_reply(s, "250-ENHANCEDSTATUSCODES");
	(void)srv_reply(s, "250-PIPELINING");
	if (!(priv & SM_PRIV_NOEXPN))
		(void)srv_reply(s, "250-EXPN");
	if (!(priv & (SM_PRIV_NOEXPN | SM_PRIV_NOVERB)))
		(void)srv_reply(s, "250-VERB");
	(void)srv_reply(s, "250-8BITMIME");
	if (s->c->opt.MaxMessageSize > 0)
		(void)srv_reply(s, "250-SIZE %ld", s->c->opt.MaxMessageSize);
	else
		(void)srv_reply(s, "250-SIZE");
	if (!(priv & SM_PRIV_NORECEIPTS) && s->c->opt.SendMimeErrors)
		(void)srv_reply(s, "250-DSN");
	if (srv_auth_mechs(s, mechs, sizeof(mechs)))
		(void)srv_reply(s, "250-AUTH %s", mechs);
	if (srv_tls_offered(s))
		(void)srv_reply(s, "250-STARTTLS");
	(void)srv_reply(s, "250 HELP");
}

/* do_help - HELP: a short built-in text */
static void
do_help(struct srv *s, const char *arg)
{
	static const char *const topics[] = { "HELO", "EHLO", "MAIL", "RCPT",
	    "DATA", "RSET", "NOOP", "QUIT", "HELP", "VRFY", "EXPN", "VERB" };
	size_t i;

	if (*arg != '\0') {
		for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
			if (strcasecmp(arg, topics[i]) == 0) {
				(void)srv_reply(s, "214-2.0.0 %s: see RFC 5321",
				    topics[i]);
				(void)srv_reply(s, "214 2.0.0 End of HELP info");
				return;
			}
		(void)srv_reply(s, "504 5.3.0 HELP topic \"%.10s\" unknown",
		    arg);
		return;
	}
	(void)srv_reply(s, "214-2.0.0 This is sendmaild version %s",
	    SM_VERSION);
	(void)srv_reply(s, "214-2.0.0 Topics:");
	(void)srv_reply(s, "214-2.0.0 \tHELO\tEHLO\tMAIL\tRCPT\tDATA");
	(void)srv_reply(s, "214-2.0.0 \tRSET\tNOOP\tQUIT\tHELP\tVRFY");
	(void)srv_reply(s, "214-2.0.0 \tEXPN\tVERB");
	(void)srv_reply(s, "214 2.0.0 End of HELP info");
}

/*
 * srv_stop_attack - too many bad commands (sendmail's MAXBADCOMMANDS),
 * or AUTH tried too often: 421 and the end of the session
 */
void
srv_stop_attack(struct srv *s)
{
	(void)srv_reply(s, "421 4.7.0 %s Too many bad commands; closing "
	    "connection", s->hostname);
	s->closing = true;
}

/*
 * connect_refused - the verdict on a new client that its commands get
 * (Connect: REJECT, a connection limit), unless delay_checks defers it
 * to RCPT; true when the session ends at once (a 421 verdict)
 */
static bool
connect_refused(struct srv *s, const struct policy_result *pr)
{
	if (pr->v != POL_REJECT && !pr->limit)
		return false;
	if (policy_has_feature(s->pol, "delay_checks") && !pr->nodelay)
		return false;
	if (pr->limit)
		sm_info("NOQUEUE: ruleset=check_relay, arg1=%s, arg2=%s, "
		    "relay=%s, reject=%s", sm_cf_macro(s->c->cf,
		    "client_name"), s->peer_ip, s->client, pr->reply);
	s->reject = SRV_REJECT_ACCESS;
	(void)snprintf(s->reject_reply, sizeof(s->reject_reply), "%s",
	    pr->reply);
	return strncmp(pr->reply, "421", 3) == 0;
}

/* srv_lost - the client went away or went quiet between commands */
void
srv_lost(struct srv *s, enum sm_io_result r)
{
	if (r == SM_IO_TIMEOUT && srv_session_over(s))
		return;
	if (r == SM_IO_TIMEOUT) {
		sm_notice("%s: timeout waiting for input from %s during "
		    "server cmd read (Timeout.command)", srv_qid(s), s->client);
		(void)srv_reply(s, "421 4.4.1 %s Lost input channel from %s",
		    s->hostname, s->client);
	}
	sm_notice("%s: lost input channel from %s to %s after %s", srv_qid(s),
	    s->client, s->conn->daemon != NULL ? s->conn->daemon->name :
	    "stdin", s->last_cmd != NULL ? s->last_cmd : "startup");
	s->closing = true;
}

/* bad_line - a bare CR or LF, or a NUL: refuse; true when refused */
static bool
bad_line(struct srv *s)
{
	const char *l = s->line.data, *what = NULL;
	size_t n = s->line.len;		/* the line ends with LF */

	if (n < 2 || l[n - 2] != '\r')
		what = "Bare linefeed (LF)";
	else if (memchr(l, '\r', n - 2) != NULL)
		what = "Bare carriage return (CR)";
	if (what != NULL) {
		sm_notice("%s: %s not allowed in a command from %s", srv_qid(s),
		    what, s->client);
		(void)srv_reply(s, "421 4.5.0 %s not allowed", what);
		s->closing = true;
		return true;
	}
	if (memchr(l, '\0', n) != NULL) {
		(void)srv_reply(s, "500 5.5.2 NUL byte in command");
		s->nbad++;
		return true;
	}
	return false;
}

/* too_long - swallow the rest of an over-long line, then answer 500 */
static bool
too_long(struct srv *s)
{
	struct sm_deadline dl;
	enum sm_io_result r;

	command_deadline(s, &dl);
	do
		r = sm_io_getline(s->io, &s->line, SRV_MAXLINE, &dl);
	while (r == SM_IO_TOOLONG);
	if (r != SM_IO_OK) {
		srv_lost(s, r);
		return false;
	}
	s->nbad++;
	sm_notice("%s: command line too long from %s", srv_qid(s), s->client);
	(void)srv_reply(s, "500 5.5.2 Line too long");
	return true;
}

/* dispatch - one command line (line end removed) */
static void
dispatch(struct srv *s, const char *l)
{
	const char *arg;
	enum srv_cmd cmd = srv_cmd_lookup(l, &arg);

	if (s->reject == SRV_REJECT_PROTOCOL && cmd != SRV_CMD_QUIT) {
		(void)srv_reply(s, "550 5.0.0 Command rejected");
		s->nbad++;
		return;
	}
	if (s->reject == SRV_REJECT_ACCESS && cmd != SRV_CMD_QUIT &&
	    cmd != SRV_CMD_NOOP && cmd != SRV_CMD_RSET &&
	    cmd != SRV_CMD_HELO && cmd != SRV_CMD_EHLO) {
		(void)srv_reply(s, "%s", s->reject_reply);
		s->nbad++;
		return;
	}
	if (cmd != SRV_CMD_UNKNOWN)
		s->last_cmd = srv_cmd_name(cmd);
	switch (cmd) {
	case SRV_CMD_HELO:
	case SRV_CMD_EHLO:
		if (s->reject == SRV_REJECT_ACCESS) {
			/* A refused client learns nothing of our extensions. */
			(void)srv_reply(s, "250%s%s Hello %s, pleased to meet "
			    "you", cmd == SRV_CMD_EHLO ? "-" : " ",
			    s->hostname, s->client);
			if (cmd == SRV_CMD_EHLO)
				(void)srv_reply(s, "250 ENHANCEDSTATUSCODES");
			return;
		}
		do_helo(s, arg, cmd == SRV_CMD_EHLO);
		break;
	case SRV_CMD_MAIL:
		srv_mail(s, arg);
		break;
	case SRV_CMD_RCPT:
		srv_rcpt(s, arg);
		break;
	case SRV_CMD_DATA:
		srv_data(s);
		break;
	case SRV_CMD_RSET:
		srv_transaction_reset(s);
		(void)srv_reply(s, "250 2.0.0 Reset state");
		break;
	case SRV_CMD_NOOP:
		(void)srv_reply(s, "250 2.0.0 OK");
		break;
	case SRV_CMD_QUIT:
		(void)srv_reply(s, "221 2.0.0 %s closing connection",
		    s->hostname);
		s->closing = true;
		break;
	case SRV_CMD_VRFY:
	case SRV_CMD_EXPN:
		srv_vrfy(s, arg, cmd == SRV_CMD_EXPN);
		break;
	case SRV_CMD_HELP:
		do_help(s, arg);
		break;
	case SRV_CMD_VERB:
		if (s->c->opt.PrivacyOptions &
		    (SM_PRIV_NOEXPN | SM_PRIV_NOVERB))
			(void)srv_reply(s, "502 5.7.0 Verbose unavailable");
		else
			(void)srv_reply(s, "250 2.0.0 Verbose mode");
		break;
	case SRV_CMD_STARTTLS:
		srv_starttls(s, arg);
		break;
	case SRV_CMD_AUTH:
		srv_auth(s, arg);
		break;
	case SRV_CMD_ETRN:
		/* XXX(issue 5): ETRN starts a queue run once runners exist. */
		(void)srv_reply(s, "502 5.5.1 Command not implemented: "
		    "\"%.40s\"", l);
		break;
	case SRV_CMD_PROXY:
		if (s->ncmds == 1 && strchr(l, ' ') != NULL) {
			(void)srv_reply(s, "421 4.7.0 %s Rejecting open proxy "
			    "%s", s->hostname, s->client);
			s->closing = true;
			break;
		}
		SM_FALLTHROUGH;
	case SRV_CMD_UNKNOWN:
		s->nbad++;
		(void)srv_reply(s, "500 5.5.1 Command unrecognized: \"%.40s\"",
		    l);
		break;
	case SRV_CMD_OBSOLETE:
		(void)srv_reply(s, "502 5.5.1 Command not implemented: "
		    "\"%.40s\"", l);
		break;
	}
}

/* srv_session - serve one connection; see srv_session.h */
int
srv_session(struct config *c, const struct srv_conn *conn)
{
	struct srv s;
	struct policy_result pr;
	struct sm_deadline dl;
	enum sm_io_result r;
	char date[64];
	bool refused;

	memset(&s, 0, sizeof(s));
	sm_strset_init(&s.rcpts, true);
	sm_deadline_in(&s.session_end, sm_bound(c->opt.MaxSessionTime,
	    SRV_COMMAND_FALLBACK * 24));
	/* Background deliveries are reaped by the kernel: no zombies. */
	(void)signal(SIGCHLD, SIG_IGN);
	s.c = c;
	s.conn = conn;
	s.io = sm_io_new(conn->rfd, conn->wfd);
	sm_buf_init(&s.line, SRV_MAXLINE);
	sm_buf_init(&s.out, SRV_REPLY_MAX);
	config_hostname(c, s.hostname, sizeof(s.hostname));
	identify(&s);
	sm_cf_define(c->cf, "j", s.hostname);
	sm_cf_define(c->cf, "v", SM_VERSION);
	if (sm_cf_macro(c->cf, "Z") == NULL)
		sm_cf_define(c->cf, "Z", SM_VERSION);
	sm_cf_define(c->cf, "b", sm_time_rfc822(time(NULL), date,
	    sizeof(date)));
	sm_cf_define(c->cf, "_", s.client);
	s.pol = policy_open(c, conn->is_socket ? s.peer_ip : "",
	    s.client_name, s.local_ip, conn->client_queue);
	policy_client_resolve(s.pol, s.client_resolve,
	    sm_cf_macro(c->cf, "client_name"));
	if (sm_log_level() > 9)
		sm_info("NOQUEUE: connect from %s", s.client);
	if (conn->counted)
		policy_client_counts(s.pol, conn->client_connections,
		    conn->client_rate);
	policy_connect(s.pol, &pr);
	refused = connect_refused(&s, &pr);
	if (conn->daemon != NULL && daemon_has_modifier(conn->daemon, 's') &&
	    srv_tls_implicit(&s) < 0)
		goto out;
	/* A 421 verdict is the greeting, and the end (as sendmail's). */
	if (refused) {
		(void)srv_reply(&s, "%s", s.reject_reply);
		goto out;
	}
	if (greet(&s) < 0)
		goto out;
	while (!s.closing) {
		if (s.nbad >= SRV_MAXBAD) {
			srv_stop_attack(&s);
			break;
		}
		command_deadline(&s, &dl);
		r = sm_io_getline(s.io, &s.line, SRV_MAXLINE, &dl);
		if (r == SM_IO_TOOLONG) {
			if (!too_long(&s))
				break;
			continue;
		}
		if (r != SM_IO_OK) {
			srv_lost(&s, r);
			break;
		}
		if (bad_line(&s))
			continue;
		sm_buf_chomp(&s.line);
		s.ncmds++;
		dispatch(&s, s.line.data);
	}
out:
	if (!s.did_mail)
		sm_info("%s: %s did not issue MAIL/EXPN/VRFY/ETRN during "
		    "connection to %s", srv_qid(&s), s.client,
		    conn->daemon != NULL ? conn->daemon->name : "stdin");
	srv_transaction_reset(&s);
	srv_auth_free(&s);
	policy_close(s.pol);
	sm_buf_free(&s.line);
	sm_buf_free(&s.out);
	sm_io_free(s.io);
	return EX_OK;
}
