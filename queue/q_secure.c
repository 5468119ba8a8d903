/*
 * q_secure - TLS and AUTH on a delivery connection; see q_smtp.h.
 *
 * UNTRUSTED INPUT: the server's replies, its certificate, its AUTH
 * challenges.  Each wait is bounded: Timeout.starttls for the reply to
 * STARTTLS and the handshake, Timeout.auth for each AUTH reply.  The
 * password leaves this process only inside TLS, unless the
 * configuration says otherwise (AllowCleartextAuth), or inside a
 * CRAM-MD5 digest.
 */
#include "q_smtp_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_strlist.h"

/* deny - fail the connection with a temporary result; false */
static bool
deny(struct q_conn *c, struct q_result *r, const char *dsn, const char *why)
{
	sm_notice("relay=%s: %s", c->relay, why);
	q_result_set(r, Q_TEMPFAIL, dsn, "Deferred: %s", why);
	c->broken = true;
	return false;
}

/*
 * q_tls_start - the handshake as a client on c (after the server's 220
 * to STARTTLS, or at once for implicit TLS); name is sent as SNI.
 */
bool
q_tls_start(struct q_conn *c, const struct q_secure *sec, const char *name,
    struct q_result *r)
{
	struct sm_deadline dl;
	struct sm_tls_info ti;
	enum sm_io_result io;
	char why[300];
	size_t dropped = 0;

	if (sec->tls == NULL)
		return deny(c, r, "4.7.0", "403 4.7.0 TLS is not configured "
		    "(port 465 needs it)");
	sm_deadline_in(&dl, sm_bound(c->opt->to.starttls,
	    Q_STARTTLS_FALLBACK));
	io = sm_io_starttls(c->io, sec->tls, false, name, &dl, &dropped);
	if (dropped > 0)
		sm_notice("STARTTLS=client, relay=%s: %zu bytes the server "
		    "sent in the clear before the handshake were discarded",
		    c->relay, dropped);
	if (io != SM_IO_OK) {
		const char *e = sm_io_tls_error(c->io);

		(void)snprintf(why, sizeof(why), "403 4.7.0 TLS handshake "
		    "failed: %s", io == SM_IO_TIMEOUT ? "Timeout.starttls" :
		    e[0] != '\0' ? e : "connection closed");
		c->tls_failed = true;
		return deny(c, r, "4.7.0", why);
	}
	c->tls = true;
	(void)sm_io_tls(c->io, &ti);
	sm_info("STARTTLS=client, relay=%s, version=%s, verify=%s, "
	    "cipher=%s, bits=%d/%d", c->relay, ti.version, ti.verify,
	    ti.cipher, ti.bits, ti.alg_bits);
	if (sec->verify_required && strcmp(ti.verify, "OK") != 0) {
		(void)snprintf(why, sizeof(why), "403 4.7.0 server certificate "
		    "not verified (verify=%s), TLS_Srv requires it",
		    ti.verify);
		return deny(c, r, "4.7.0", why);
	}
	if (ti.bits < sec->min_bits) {
		(void)snprintf(why, sizeof(why), "403 4.7.0 cipher has %d "
		    "bits, TLS_Srv requires %d", ti.bits, sec->min_bits);
		return deny(c, r, "4.7.0", why);
	}
	return true;
}

/* starttls - STARTTLS, the handshake, EHLO again; false: c is bad */
static bool
starttls(struct q_conn *c, const char *helo, const struct q_secure *sec,
    const char *name, struct q_result *r)
{
	if (!q_smtp_cmd(c, "STARTTLS\r\n", c->opt->to.starttls) ||
	    q_smtp_reply(c, c->opt->to.starttls, "client STARTTLS", r) == 0)
		return false;
	if (r->status != Q_OK) {
		char why[600];

		if (!sec->tls_required)
			return true;	/* on in the clear */
		(void)snprintf(why, sizeof(why), "STARTTLS refused, TLS_Srv "
		    "requires TLS: %s", r->text);
		return deny(c, r, "4.7.0", why);
	}
	if (!q_tls_start(c, sec, name, r))
		return false;
	/* RFC 3207 4.2: what the server said before counts no more. */
	return q_smtp_ehlo(c, helo, r) == 0;
}

/* b64 - base64 of len bytes into b (appended) */
static void
b64(struct sm_buf *b, const void *p, size_t len)
{
	size_t cap = (len + 2) / 3 * 4 + 1;
	unsigned char *out = sm_malloc(cap);
	int n = EVP_EncodeBlock(out, p, (int)len);

	(void)sm_buf_append(b, (const char *)out, (size_t)(n > 0 ? n : 0));
	explicit_bzero(out, cap);
	free(out);
}

/* mech_ok - is mech one we speak, and safe on this connection? */
static bool
mech_ok(const struct q_conn *c, const struct q_secure *sec, const char *m,
    size_t n, bool *cleartext)
{
	*cleartext = (n == 5 && strncasecmp(m, "PLAIN", 5) == 0) ||
	    (n == 5 && strncasecmp(m, "LOGIN", 5) == 0);
	if (!*cleartext && !(n == 8 && strncasecmp(m, "CRAM-MD5", 8) == 0))
		return false;
	return !*cleartext || c->tls || sec->cleartext_ok;
}

/* choose - the first allowed mechanism the server offers, or "" */
static void
choose(const struct q_conn *c, const struct q_secure *sec, const char *list,
    char *mech, size_t len, bool *held_back)
{
	const char *p = list;
	bool clear;
	size_t n;

	mech[0] = '\0';
	*held_back = false;
	while (*p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n > 0 && sm_word_in(c->auth_mechs, p, n)) {
			if (mech_ok(c, sec, p, n, &clear)) {
				(void)snprintf(mech, len, "%.*s", (int)n, p);
				return;
			}
			if (clear)
				*held_back = true;
		}
		p += n;
	}
}

/*
 * step - send one AUTH line, read the reply; its code, 0 when lost.
 * -v shows shown in place of the line: never the credentials.
 */
static int
step(struct q_conn *c, struct sm_buf *line, const char *shown,
    struct q_result *r)
{
	int code;
	bool was = q_smtp_trace != NULL;
	FILE *t = q_smtp_trace;

	(void)sm_buf_puts(line, "\r\n");
	if (was) {
		(void)fprintf(t, ">>> %s\n", shown);
		q_smtp_trace = NULL;
	}
	code = q_smtp_cmd(c, line->data, c->opt->to.auth) ?
	    q_smtp_reply(c, c->opt->to.auth, "client AUTH", r) : 0;
	q_smtp_trace = t;
	if (was && code != 0)
		(void)fprintf(t, "%s\n", r->text);
	explicit_bzero(line->data, line->len);
	sm_buf_reset(line);
	return code;
}

/* cram - CRAM-MD5's answer (RFC 2195) to the challenge in reply text */
static int
cram(const struct q_secure *sec, const char *authid, const char *text,
    struct sm_buf *line)
{
	unsigned char ch[1024], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t chlen;
	struct sm_buf plain;
	unsigned i;

	if (sm_tls_b64_decode(text, strcspn(text, " \r\n"), ch, sizeof(ch),
	    &chlen) < 0 ||
	    HMAC(EVP_md5(), sec->pass, (int)strlen(sec->pass), ch, chlen, mac,
	    &maclen) == NULL)
		return -1;
	sm_buf_init(&plain, 1024);
	(void)sm_buf_printf(&plain, "%s ", authid);
	for (i = 0; i < maclen; i++)
		(void)sm_buf_printf(&plain, "%02x", mac[i]);
	b64(line, plain.data, plain.len);
	explicit_bzero(plain.data, plain.len);
	sm_buf_free(&plain);
	return 0;
}

/*
 * exchange - AUTH with mech: the commands and answers up to the final
 * reply, which is left in r; its code, 0 when the connection is lost
 */
static int
exchange(struct q_conn *c, const struct q_secure *sec, const char *mech,
    struct q_result *r)
{
	const char *authid = sec->authid[0] != '\0' ? sec->authid : sec->user;
	const char *authz = sec->user[0] != '\0' &&
	    strcmp(sec->user, authid) != 0 ? sec->user : "";
	struct sm_buf line, cred;
	char first[80];
	int code = 0, n;

	sm_buf_init(&line, 4096);
	sm_buf_init(&cred, 1024);
	(void)snprintf(first, sizeof(first), "AUTH %s", mech);
	(void)sm_buf_puts(&line, first);
	if (strcasecmp(mech, "PLAIN") == 0) {
		/* RFC 4616: authzid NUL authcid NUL password */
		(void)sm_buf_append(&cred, authz, strlen(authz));
		(void)sm_buf_putc(&cred, '\0');
		(void)sm_buf_append(&cred, authid, strlen(authid));
		(void)sm_buf_putc(&cred, '\0');
		(void)sm_buf_append(&cred, sec->pass, strlen(sec->pass));
		(void)sm_buf_putc(&line, ' ');
		b64(&line, cred.data, cred.len);
		code = step(c, &line, "AUTH PLAIN <credentials>", r);
	} else if (strcasecmp(mech, "LOGIN") == 0) {
		const char *ans[2] = { authid, sec->pass };

		code = step(c, &line, first, r);
		for (n = 0; n < 2 && code == 334; n++) {
			b64(&line, ans[n], strlen(ans[n]));
			code = step(c, &line, "<credentials>", r);
		}
	} else {
		code = step(c, &line, first, r);
		if (code == 334 && cram(sec, authid, strlen(r->text) > 4 ?
		    r->text + 4 : "", &line) == 0)
			code = step(c, &line, "<credentials>", r);
	}
	/* A server that still asks: end the exchange (RFC 4954 4). */
	if (code == 334) {
		(void)sm_buf_puts(&line, "*");
		code = step(c, &line, "*", r);
	}
	explicit_bzero(cred.data, cred.len);
	sm_buf_free(&cred);
	sm_buf_free(&line);
	return code;
}

/* authenticate - AUTH when the server offers it and we have credentials */
static bool
authenticate(struct q_conn *c, const struct q_secure *sec,
    const char *mechs, struct q_result *r)
{
	char mech[64], why[700];
	bool held;
	int code;

	choose(c, sec, sec->mechs[0] != '\0' ? sec->mechs : mechs, mech,
	    sizeof(mech), &held);
	if (mech[0] == '\0') {
		/* Without AUTH the server may still take the mail, or say
		 * why not at MAIL; the log says why we did not try. */
		sm_notice("AUTH=client, relay=%s, available mech=%s, allowed "
		    "mech=%s: %s", c->relay, c->auth_mechs, sec->mechs[0] !=
		    '\0' ? sec->mechs : mechs, held ? "not sending a password "
		    "without TLS (AllowCleartextAuth is not set)" :
		    "no mechanism in common");
		return true;
	}
	code = exchange(c, sec, mech, r);
	if (code == 0)
		return false;
	if (code == 235) {
		c->authenticated = true;
		sm_info("AUTH=client, relay=%s, mech=%s, bits=0", c->relay,
		    mech);
		return true;
	}
	/* Wrong credentials are fixed by a person: defer, never bounce. */
	(void)snprintf(why, sizeof(why), "%s", r->text);
	sm_notice("AUTH=client, relay=%s, mech=%s: authentication failed: "
	    "%s", c->relay, mech, why);
	q_result_set(r, Q_TEMPFAIL, "4.7.0", "%s", why);
	if (isdigit((unsigned char)why[0]) && why[3] == ' ' &&
	    isdigit((unsigned char)why[4]) && why[5] == '.') {
		(void)snprintf(r->dsn, sizeof(r->dsn), "4%.*s",
		    (int)strcspn(why + 5, " "), why + 5);
	}
	(void)q_smtp_cmd(c, "QUIT\r\n", c->opt->to.quit);
	c->broken = true;
	return false;
}

/*
 * q_secure_session - after the first EHLO: STARTTLS when offered (or
 * required), then AUTH; false when c must not carry mail, r says why
 */
bool
q_secure_session(struct q_conn *c, const char *helo,
    const struct q_secure *sec, const char *name, struct q_result *r)
{
	c->auth_param_only_if_auth = sec->auth_param_only_if_auth;
	if (!c->tls && sec->tls != NULL && c->starttls &&
	    !starttls(c, helo, sec, name, r))
		return false;
	if (!c->tls && sec->tls_required) {
		char why[400];

		(void)snprintf(why, sizeof(why), "403 4.7.0 TLS_Srv requires "
		    "TLS, but %s", sec->tls == NULL ? "TLS is not configured" :
		    "the server does not offer STARTTLS");
		return deny(c, r, "4.7.0", why);
	}
	if (sec->auth && c->auth_offered &&
	    !authenticate(c, sec, c->opt->AuthMechanisms, r))
		return false;
	return true;
}
