/*
 * srv_tls - the server's STARTTLS (RFC 3207) and implicit TLS (a daemon
 * with M=s, port 465 style, RFC 8314).
 *
 * UNTRUSTED INPUT: the client's handshake.  The handshake is bounded by
 * Timeout.starttls (and the session's own limit).  Anything the client
 * sent after STARTTLS and before its handshake came in the clear and is
 * thrown away, never read as a command (CVE-2011-0411).  After the
 * handshake the session starts over as RFC 3207 section 4.2 says: no
 * HELO name, no transaction, the client must say EHLO again.
 */
#include "srv_int.h"

#include <stdio.h>
#include <string.h>

#include "sm_log.h"
#include "sm_time.h"

/* Fallback for Timeout.starttls=0 ("no limit"). */
#define SRV_STARTTLS_FALLBACK	3600

/* srv_tls_offered - may this client start TLS now? */
bool
srv_tls_offered(const struct srv *s)
{
	return s->c->tls_server != NULL && s->conn->is_socket && !s->tls &&
	    !(s->conn->daemon != NULL &&
	    daemon_has_modifier(s->conn->daemon, 'S'));
}

/* handshake - TLS on s's stream as the server; 0, or -1 (closing) */
static int
handshake(struct srv *s)
{
	struct sm_deadline dl;
	struct sm_tls_info ti;
	enum sm_io_result r;
	char bits[16];
	size_t dropped = 0;

	sm_deadline_in(&dl, sm_bound(s->c->opt.to.starttls,
	    SRV_STARTTLS_FALLBACK));
	r = sm_io_starttls(s->io, s->c->tls_server, true, NULL,
	    srv_bound(s, &dl), &dropped);
	if (dropped > 0)
		sm_notice("%s: STARTTLS=server, relay=%s: %zu bytes sent in "
		    "the clear after STARTTLS were discarded", srv_qid(s),
		    s->client, dropped);
	if (r != SM_IO_OK) {
		const char *why = sm_io_tls_error(s->io);

		sm_notice("%s: STARTTLS=server, error: accept failed=%s, "
		    "relay=%s, reason=%s", srv_qid(s), sm_io_strresult(r),
		    s->client, r == SM_IO_TIMEOUT ? "Timeout.starttls" :
		    why[0] != '\0' ? why : "connection closed");
		/* No way back to the clear: the stream is gone. */
		s->closing = true;
		return -1;
	}
	(void)sm_io_tls(s->io, &ti);
	s->tls = true;
	(void)snprintf(bits, sizeof(bits), "%d", ti.bits);
	sm_cf_define(s->c->cf, "tls_version", ti.version);
	sm_cf_define(s->c->cf, "cipher", ti.cipher);
	sm_cf_define(s->c->cf, "cipher_bits", bits);
	sm_cf_define(s->c->cf, "verify", ti.verify);
	sm_cf_define(s->c->cf, "cert_subject", ti.subject);
	sm_cf_define(s->c->cf, "cert_issuer", ti.issuer);
	sm_info("%s: STARTTLS=server, relay=%s, version=%s, verify=%s, "
	    "cipher=%s, bits=%d/%d", srv_qid(s), s->client, ti.version,
	    ti.verify, ti.cipher, ti.bits, ti.alg_bits);
	return 0;
}

/* srv_starttls - the STARTTLS command */
void
srv_starttls(struct srv *s, const char *arg)
{
	if (*arg != '\0') {
		(void)srv_reply(s, "501 5.5.2 Syntax error (no parameters "
		    "allowed)");
		return;
	}
	if (s->tls) {
		(void)srv_reply(s, "454 4.3.3 TLS not available after start");
		return;
	}
	if (!srv_tls_offered(s)) {
		(void)srv_reply(s, "503 5.5.0 TLS not available");
		return;
	}
	if (s->msg != NULL) {
		(void)srv_reply(s, "503 5.5.0 TLS not permitted during a mail "
		    "transaction");
		return;
	}
	if (srv_reply(s, "220 2.0.0 Ready to start TLS") < 0)
		return;
	if (handshake(s) < 0)
		return;
	/* RFC 3207 4.2: forget what the client said in the clear. */
	srv_transaction_reset(s);
	s->helo[0] = '\0';
	s->helo_seen = false;
	s->esmtp = false;
	srv_auth_reset(s);
}

/* srv_tls_implicit - a daemon with M=s: TLS before the greeting */
int
srv_tls_implicit(struct srv *s)
{
	if (s->c->tls_server == NULL) {
		sm_warnx("%s: daemon %s has M=s but TLS is not configured "
		    "(ServerCertFile, ServerKeyFile): closing", srv_qid(s),
		    s->conn->daemon->name);
		s->closing = true;
		return -1;
	}
	return handshake(s);
}
