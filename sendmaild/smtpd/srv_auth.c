/*
 * srv_auth - the server's AUTH command (RFC 4954) through Cyrus SASL.
 *
 * UNTRUSTED INPUT: the mechanism name and every response line.  Each
 * response is read with the Timeout.command bound like a command line,
 * at most SRV_AUTH_MAXLINE bytes.  The mechanisms offered are those
 * SASL has that AuthMechanisms lists too; with AuthOptions p, those
 * that send a password in the clear only after STARTTLS, with y none
 * that allow anonymous login.  No SASL security layer is negotiated
 * (TLS is the layer): the maximum SSF asked for is 0.
 *
 * SASL reads its settings from Sendmail.conf in its configuration path
 * (the library's default, /etc/sasl2 on Debian, or our option
 * SASLConfigPath): pwcheck_method, mech_list, sasldb_path and so on.
 *
 * Failures are counted per client address, across connections, in a
 * table the master maps before it forks the sessions (clients.h): from
 * the SRV_AUTH_FREE-th attempt on, an AUTH command waits before its
 * credentials are checked, twice as long each time, and from twice
 * that many on the session is ended after the wait, as sendmail's
 * checksmtpattack() slows down and stops one connection.
 */
#include "srv_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

#include "clients.h"
#include "sm_alloc.h"
#include "sm_log.h"
#include "sm_strlist.h"

#define SRV_AUTH_MAXLINE	12288	/* one response line, CRLF included */
#define SRV_AUTH_FREE		3	/* the attempt that waits first */
#define SRV_AUTH_MAXWAIT	240	/* sendmail's MAXTIMEOUT, seconds */
#define SRV_AUTH_MEMORY		900	/* seconds a failure is counted */

struct srv_auth {
	sasl_conn_t	*conn;
	unsigned	 tries;		/* failures, without the shared table */
};

/* The process's SASL state: set up once (in the master, before fork). */
static int	 sasl_state;		/* 0 not tried, 1 ready, -1 failed */
static char	 sasl_confpath[1024];
/* AUTH failures per client address, shared by the sessions. */
static struct clients *failures;

/* log_cb - SASL's own messages, into our log */
static int
log_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (msg == NULL)
		return SASL_OK;
	if (level <= SASL_LOG_ERR)
		sm_warnx("SASL: %s", msg);
	else if (level <= SASL_LOG_NOTE && sm_log_level() > 9)
		sm_info("SASL: %s", msg);
	return SASL_OK;
}

/* confpath_cb - SASLConfigPath: where Sendmail.conf is */
static int
confpath_cb(void *ctx, const char **path)
{
	(void)ctx;
	*path = sasl_confpath;
	return SASL_OK;
}

/* srv_auth_init - SASL for this process (the master calls it once) */
void
srv_auth_init(const struct config *c)
{
	typedef int (*cb_fn)(void);
	static sasl_callback_t cbs[] = {
		{ SASL_CB_LOG, NULL, NULL },
		{ SASL_CB_LIST_END, NULL, NULL },	/* or the path */
		{ SASL_CB_LIST_END, NULL, NULL },
	};
	int rc;

	if (sasl_state != 0)
		return;
	cbs[0].proc = (cb_fn)(void (*)(void))log_cb;
	if (c->opt.SASLConfigPath[0] != '\0') {
		(void)snprintf(sasl_confpath, sizeof(sasl_confpath), "%s",
		    c->opt.SASLConfigPath);
		cbs[1].id = SASL_CB_GETCONFPATH;
		cbs[1].proc = (cb_fn)(void (*)(void))confpath_cb;
	}
	rc = sasl_server_init(cbs, "Sendmail");
	sasl_state = rc == SASL_OK ? 1 : -1;
	if (rc != SASL_OK)
		sm_warnx("AUTH: SASL cannot start: %s; AUTH not offered",
		    sasl_errstring(rc, NULL, NULL));
}

/*
 * srv_auth_failures_init - the sessions' shared count of AUTH failures
 * per client address (the master calls it once, before forking); -1
 * when the memory cannot be had: then each session counts its own
 */
int
srv_auth_failures_init(void)
{
	if (failures == NULL)
		failures = clients_new(true);
	return failures != NULL ? 0 : -1;
}

/* has_flag - is a letter set in AuthOptions? */
static bool
has_flag(const struct srv *s, char f)
{
	return strchr(s->c->opt.AuthOptions, f) != NULL;
}

/* ip_port - "a.b.c.d;port" as SASL wants an address */
static void
ip_port(const struct sockaddr_storage *ss, const char *ip, char *buf,
    size_t len)
{
	unsigned port = 0;

	if (ss->ss_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	else if (ss->ss_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	(void)snprintf(buf, len, "%s;%u", ip, port);
}

/* set_props - the security properties for the state the session is in */
static void
set_props(struct srv *s)
{
	sasl_security_properties_t sp;

	memset(&sp, 0, sizeof(sp));
	sp.min_ssf = 0;
	sp.max_ssf = 0;			/* no SASL security layer */
	sp.maxbufsize = 0;
	if (has_flag(s, 'p') && !s->tls)
		sp.security_flags |= SASL_SEC_NOPLAINTEXT;
	if (has_flag(s, 'y'))
		sp.security_flags |= SASL_SEC_NOANONYMOUS;
	if (has_flag(s, 'a'))
		sp.security_flags |= SASL_SEC_NOACTIVE;
	if (has_flag(s, 'c'))
		sp.security_flags |= SASL_SEC_PASS_CREDENTIALS;
	if (has_flag(s, 'd'))
		sp.security_flags |= SASL_SEC_NODICTIONARY;
	if (has_flag(s, 'f'))
		sp.security_flags |= SASL_SEC_FORWARD_SECRECY;
	if (has_flag(s, 'm'))
		sp.security_flags |= SASL_SEC_MUTUAL_AUTH;
	(void)sasl_setprop(s->auth->conn, SASL_SEC_PROPS, &sp);
}

/* open_conn - the session's SASL connection, made on first use */
static bool
open_conn(struct srv *s)
{
	char local[96], remote[96];
	const char *realm = s->c->opt.AuthRealm[0] != '\0' ?
	    s->c->opt.AuthRealm : s->hostname;
	int rc;

	if (s->auth != NULL)
		return s->auth->conn != NULL;
	srv_auth_init(s->c);
	s->auth = sm_calloc(1, sizeof(*s->auth));
	if (sasl_state != 1)
		return false;
	ip_port(&s->conn->local, s->local_ip, local, sizeof(local));
	ip_port(&s->conn->peer, s->peer_ip, remote, sizeof(remote));
	rc = sasl_server_new("smtp", s->hostname, realm,
	    s->local_ip[0] != '\0' ? local : NULL,
	    s->peer_ip[0] != '\0' ? remote : NULL, NULL, 0, &s->auth->conn);
	if (rc != SASL_OK) {
		sm_warnx("%s: AUTH: sasl_server_new: %s", srv_qid(s),
		    sasl_errstring(rc, NULL, NULL));
		s->auth->conn = NULL;
		return false;
	}
	return true;
}

/*
 * srv_auth_mechs - the mechanisms to offer now, blank-separated, in buf;
 * false when AUTH is not offered (daemon M=A, done already, none left)
 */
bool
srv_auth_mechs(struct srv *s, char *buf, size_t len)
{
	const char *all = NULL, *p;
	unsigned plen;
	int count;
	size_t n, used = 0;

	buf[0] = '\0';
	if (!s->conn->is_socket || s->auth_type[0] != '\0' ||
	    s->c->opt.AuthMechanisms[0] == '\0' ||
	    (s->conn->daemon != NULL &&
	    daemon_has_modifier(s->conn->daemon, 'A')) || !open_conn(s))
		return false;
	set_props(s);
	if (sasl_listmech(s->auth->conn, NULL, "", " ", "", &all, &plen,
	    &count) != SASL_OK || all == NULL)
		return false;
	for (p = all; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0 || !sm_word_in(s->c->opt.AuthMechanisms, p, n) ||
		    used + n + 2 > len)
			continue;
		if (used > 0)
			buf[used++] = ' ';
		memcpy(buf + used, p, n);
		used += n;
		buf[used] = '\0';
	}
	return used > 0;
}

/* srv_auth_required - daemon M=a and not authenticated yet? */
bool
srv_auth_required(const struct srv *s)
{
	return s->conn->daemon != NULL &&
	    daemon_has_modifier(s->conn->daemon, 'a') &&
	    s->auth_type[0] == '\0';
}

/* challenge - "334 base64" of what SASL wants to send; -1: lost */
static int
challenge(struct srv *s, const char *out, unsigned outlen)
{
	char *enc;
	unsigned enclen = 0;
	size_t cap = ((size_t)outlen + 2) / 3 * 4 + 1;
	int rc;

	enc = sm_malloc(cap);
	if (sasl_encode64(out, outlen, enc, (unsigned)cap, &enclen) !=
	    SASL_OK)
		enclen = 0;
	enc[enclen] = '\0';
	rc = srv_reply(s, "334 %s", enc);
	free(enc);
	return rc;
}

/*
 * response - the client's next line, base64-decoded into *dec (freed by
 * the caller); 1 got one, 0 the client said "*" or sent bad base64 (the
 * reply is made), -1 the session is lost.
 */
static int
response(struct srv *s, char **dec, unsigned *declen)
{
	struct sm_deadline dl;
	enum sm_io_result r;
	struct sm_buf line;
	size_t cap;
	int rc = 0;

	*dec = NULL;
	/* Longer than a command line may be (GSSAPI tokens). */
	sm_buf_init(&line, SRV_AUTH_MAXLINE);
	sm_deadline_in(&dl, sm_bound(s->c->opt.to.command, 3600));
	r = sm_io_getline(s->io, &line, SRV_AUTH_MAXLINE, srv_bound(s, &dl));
	if (r == SM_IO_TOOLONG) {
		(void)srv_reply(s, "500 5.5.0 AUTH response too long");
		s->closing = true;
		rc = -1;
	} else if (r != SM_IO_OK) {
		srv_lost(s, r);
		rc = -1;
	} else {
		sm_buf_chomp(&line);
		cap = line.len / 4 * 3 + 4;
		*dec = sm_malloc(cap);
		if (strcmp(line.data, "*") == 0)
			(void)srv_reply(s, "501 5.0.0 AUTH aborted");
		else if (sasl_decode64(line.data, (unsigned)line.len, *dec,
		    (unsigned)cap, declen) != SASL_OK)
			(void)srv_reply(s, "501 5.5.4 cannot decode AUTH "
			    "parameter %.40s", line.data);
		else
			rc = 1;
		if (rc == 0) {
			free(*dec);
			*dec = NULL;
		}
	}
	explicit_bzero(line.data, line.len);
	sm_buf_free(&line);
	return rc;
}

/*
 * attempt - count an AUTH attempt of the client (delta 1) as a failure
 * until it ends otherwise, or take one back (-1); the attempts of the
 * client's address in the last SRV_AUTH_MEMORY seconds, this one and
 * those in progress included.  A client with no address (-bs), this
 * host's own programs at 127.0.0.1 and ::1 (a webmail's users are many
 * people behind one address) and all of them without the shared table
 * count in their session, as sendmail does.
 */
static unsigned
attempt(struct srv *s, int delta)
{
	struct clients_addr a;

	if (failures != NULL && s->conn->is_socket &&
	    clients_addr(&s->conn->peer, &a) && !clients_addr_local(&a))
		return clients_add(failures, &a, SRV_AUTH_MEMORY, delta);
	if (delta < 0 && s->auth->tries > 0)
		s->auth->tries--;
	else if (delta > 0)
		s->auth->tries++;
	return s->auth->tries;
}

/*
 * hold - wait secs seconds (within MaxSessionTime) before an AUTH
 * attempt is looked at; false when the client hung up meanwhile
 */
static bool
hold(struct srv *s, long secs)
{
	struct sm_deadline dl;
	const struct sm_deadline *until;
	struct pollfd pfd;
	int ms, rc;

	sm_deadline_in(&dl, secs);
	until = srv_bound(s, &dl);
	while ((ms = sm_deadline_left_ms(until)) > 0) {
		/* Only a hang-up ends it: what the client sends waits. */
		pfd.fd = s->conn->rfd;
		pfd.events = POLLRDHUP;
		pfd.revents = 0;
		rc = poll(&pfd, 1, ms);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			return false;
	}
	return true;
}

/*
 * slow_down - the client's count-th attempt: from SRV_AUTH_FREE on it
 * waits 1, 2, 4 ... seconds (at most SRV_AUTH_MAXWAIT), and from twice
 * SRV_AUTH_FREE on the session ends after the wait; false when the
 * attempt goes no further (the count is taken back then)
 */
static bool
slow_down(struct srv *s, unsigned count)
{
	unsigned shift;
	long secs;

	if (count < SRV_AUTH_FREE)
		return true;
	if (count == SRV_AUTH_FREE)
		sm_info("%s: possible SMTP attack: command=AUTH, count=%u",
		    s->client, count);
	shift = count - SRV_AUTH_FREE;
	secs = shift < 8 ? 1L << shift : SRV_AUTH_MAXWAIT;
	if (secs > SRV_AUTH_MAXWAIT)
		secs = SRV_AUTH_MAXWAIT;
	if (!hold(s, secs)) {
		(void)attempt(s, -1);
		srv_lost(s, SM_IO_EOF);
		return false;
	}
	if (srv_session_over(s) || count >= 2 * SRV_AUTH_FREE) {
		(void)attempt(s, -1);
		if (!s->closing)
			srv_stop_attack(s);
		return false;
	}
	return true;
}

/* authenticated - AUTH succeeded with mech: macros, policy, reply */
static void
authenticated(struct srv *s, const char *mech)
{
	const void *v = NULL;
	const char *user = "", *author = "";

	if (sasl_getprop(s->auth->conn, SASL_USERNAME, &v) == SASL_OK &&
	    v != NULL)
		user = v;
	v = NULL;
	if (sasl_getprop(s->auth->conn, SASL_AUTHUSER, &v) == SASL_OK &&
	    v != NULL)
		author = v;
	(void)snprintf(s->auth_type, sizeof(s->auth_type), "%s", mech);
	sm_cf_define(s->c->cf, "auth_type", mech);
	sm_cf_define(s->c->cf, "auth_authen", user);
	sm_cf_define(s->c->cf, "auth_author", author[0] != '\0' ? author :
	    user);
	policy_auth(s->pol, mech);
	sm_info("%s: AUTH=server, relay=%s, authid=%s, mech=%s, bits=0",
	    srv_qid(s), s->client, user, mech);
	(void)srv_reply(s, "235 2.0.0 OK Authenticated");
}

/* srv_auth - the AUTH command: "MECH [initial-response]" */
void
srv_auth(struct srv *s, const char *arg)
{
	char mechs[512], mech[64], *in = NULL;
	const char *out = NULL, *ir;
	unsigned inlen = 0, outlen = 0;
	size_t n;
	int rc;

	if (s->auth_type[0] != '\0') {
		(void)srv_reply(s, "503 5.5.0 Already Authenticated");
		return;
	}
	if (s->msg != NULL) {
		(void)srv_reply(s, "503 5.5.0 AUTH not permitted during a mail "
		    "transaction");
		return;
	}
	if (!srv_auth_mechs(s, mechs, sizeof(mechs))) {
		(void)srv_reply(s, "503 5.3.3 AUTH not available");
		return;
	}
	n = strcspn(arg, " ");
	if (n == 0) {
		(void)srv_reply(s, "501 5.5.2 AUTH mechanism must be given");
		return;
	}
	(void)snprintf(mech, sizeof(mech), "%.*s", (int)n, arg);
	if (n >= sizeof(mech) || !sm_word_in(mechs, arg, n)) {
		(void)srv_reply(s, "504 5.3.3 AUTH mechanism %.32s not "
		    "available", mech);
		return;
	}
	for (n = 0; mech[n] != '\0'; n++)
		mech[n] = (char)toupper((unsigned char)mech[n]);
	/* Counted as failed until it ends otherwise: a client that tries
	 * side by side waits for each try, and one that hangs up early
	 * learns nothing sooner. */
	if (!slow_down(s, attempt(s, 1)))
		return;
	ir = arg + strcspn(arg, " ");
	ir += strspn(ir, " ");
	if (*ir != '\0') {
		size_t cap = strlen(ir) / 4 * 3 + 4;

		in = sm_malloc(cap);
		if (strcmp(ir, "=") == 0)
			inlen = 0;	/* an empty initial response */
		else if (sasl_decode64(ir, (unsigned)strlen(ir), in,
		    (unsigned)cap, &inlen) != SASL_OK) {
			free(in);
			(void)attempt(s, -1);
			(void)srv_reply(s, "501 5.5.4 cannot decode AUTH "
			    "parameter %.40s", ir);
			return;
		}
	}
	rc = sasl_server_start(s->auth->conn, mech, in, inlen, &out, &outlen);
	for (;;) {
		free(in);
		in = NULL;
		if (rc != SASL_CONTINUE)
			break;
		if (challenge(s, out, outlen) < 0 ||
		    (rc = response(s, &in, &inlen)) <= 0) {
			/* Cut short: no verdict, no failure. */
			(void)attempt(s, -1);
			if (rc == 0)
				s->nbad++;
			return;
		}
		rc = sasl_server_step(s->auth->conn, in, inlen, &out,
		    &outlen);
	}
	if (rc == SASL_OK) {
		(void)attempt(s, -1);
		authenticated(s, mech);
		return;
	}
	s->nbad++;
	sm_notice("%s: AUTH failure (%s): %s (%d) %s, relay=%s", srv_qid(s),
	    mech, sasl_errstring(rc, NULL, NULL), rc,
	    sasl_errdetail(s->auth->conn), s->client);
	/* RFC 4954 6: an outage is not a wrong password. */
	if (rc == SASL_TRYAGAIN || rc == SASL_UNAVAIL) {
		(void)attempt(s, -1);
		(void)srv_reply(s, "454 4.7.0 Temporary authentication "
		    "failure");
	} else if (rc == SASL_TOOWEAK)
		(void)srv_reply(s, "534 5.7.9 Authentication mechanism is too "
		    "weak");
	else if (rc == SASL_ENCRYPT)
		(void)srv_reply(s, "538 5.7.11 Encryption required for "
		    "requested authentication mechanism");
	else
		(void)srv_reply(s, "535 5.7.0 authentication failed");
}

/*
 * srv_auth_reset - after STARTTLS: nothing of an AUTH done in the clear
 * counts (RFC 3207 4.2); a new SASL connection is made when needed
 */
void
srv_auth_reset(struct srv *s)
{
	srv_auth_free(s);
	if (s->auth_type[0] == '\0')
		return;
	s->auth_type[0] = '\0';
	sm_cf_define(s->c->cf, "auth_type", "");
	sm_cf_define(s->c->cf, "auth_authen", "");
	sm_cf_define(s->c->cf, "auth_author", "");
	policy_auth(s->pol, "");
}

/* srv_auth_free - the session's SASL state */
void
srv_auth_free(struct srv *s)
{
	if (s->auth == NULL)
		return;
	if (s->auth->conn != NULL)
		sasl_dispose(&s->auth->conn);
	free(s->auth);
	s->auth = NULL;
}
