/*
 * sm_tls - TLS contexts; see sm_tls.h.
 *
 * Runs in the master (server context) and in queue runners (client
 * context), as root or RunAsUser.  The files named here are trusted
 * configuration; what the peer sends is handled by OpenSSL.
 */
#include "sm_tls.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* The SSL_OP_ names ServerSSLOptions and ClientSSLOptions may use. */
static const struct {
	const char	*name;
	uint64_t	 value;
} ssl_ops[] = {
	{ "SSL_OP_ALL", SSL_OP_ALL },
	{ "SSL_OP_NO_SSLv2", SSL_OP_NO_SSLv2 },
	{ "SSL_OP_NO_SSLv3", SSL_OP_NO_SSLv3 },
	{ "SSL_OP_NO_TLSv1", SSL_OP_NO_TLSv1 },
	{ "SSL_OP_NO_TLSv1_1", SSL_OP_NO_TLSv1_1 },
	{ "SSL_OP_NO_TLSv1_2", SSL_OP_NO_TLSv1_2 },
	{ "SSL_OP_NO_TLSv1_3", SSL_OP_NO_TLSv1_3 },
	{ "SSL_OP_NO_COMPRESSION", SSL_OP_NO_COMPRESSION },
	{ "SSL_OP_NO_TICKET", SSL_OP_NO_TICKET },
	{ "SSL_OP_CIPHER_SERVER_PREFERENCE", SSL_OP_CIPHER_SERVER_PREFERENCE },
	{ "SSL_OP_NO_RENEGOTIATION", SSL_OP_NO_RENEGOTIATION },
	{ "SSL_OP_NO_QUERY_MTU", SSL_OP_NO_QUERY_MTU },
};

/* sm_tls_error - OpenSSL's first queued error as text (queue emptied) */
void
sm_tls_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		(void)snprintf(buf, len, "unknown TLS error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

/* ssl_options - apply "+NAME -NAME 0x..." to ctx; -1 on a bad word */
static int
ssl_options(SSL_CTX *ctx, const char *spec, char *err, size_t len)
{
	char word[64];
	const char *p = spec;
	size_t n, i;

	while (*p != '\0') {
		bool clear = false;
		uint64_t v = 0;
		bool found = false;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		(void)snprintf(word, sizeof(word), "%.*s", (int)n, p);
		p += n;
		if (word[0] == '+' || word[0] == '-') {
			clear = word[0] == '-';
			memmove(word, word + 1, strlen(word));
		}
		if (isdigit((unsigned char)word[0])) {
			char *end;

			v = strtoull(word, &end, 0);
			found = *end == '\0';
		}
		for (i = 0; !found && i < sizeof(ssl_ops) / sizeof(ssl_ops[0]);
		    i++)
			if (strcasecmp(word, ssl_ops[i].name) == 0) {
				v = ssl_ops[i].value;
				found = true;
			}
		if (!found) {
			(void)snprintf(err, len, "unknown SSL option \"%s\"",
			    word);
			return -1;
		}
		if (clear)
			(void)SSL_CTX_clear_options(ctx, v);
		else
			(void)SSL_CTX_set_options(ctx, v);
	}
	return 0;
}

/* accept_any - verification is recorded, not enforced, here */
static int
accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

/* load_dh - DHParameters: a PEM file of parameters, or "none" */
static int
load_dh(SSL_CTX *ctx, const char *path, char *err, size_t len)
{
	EVP_PKEY *pk = NULL;
	BIO *f;

	if (path == NULL || path[0] == '\0' || strcmp(path, "none") == 0)
		return 0;
	if ((f = BIO_new_file(path, "r")) == NULL) {
		(void)snprintf(err, len, "DHParameters %s: cannot open", path);
		return -1;
	}
	pk = PEM_read_bio_Parameters(f, NULL);
	BIO_free(f);
	if (pk == NULL || SSL_CTX_set0_tmp_dh_pkey(ctx, pk) != 1) {
		EVP_PKEY_free(pk);
		(void)snprintf(err, len, "DHParameters %s: not usable", path);
		return -1;
	}
	return 0;
}

/* load_crl - CRLFile: checked for the peer's certificate chain */
static int
load_crl(SSL_CTX *ctx, const char *path, char *err, size_t len)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);

	if (path == NULL || path[0] == '\0')
		return 0;
	if (X509_STORE_load_file(st, path) != 1) {
		(void)snprintf(err, len, "CRLFile %s: not usable", path);
		return -1;
	}
	(void)X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK |
	    X509_V_FLAG_CRL_CHECK_ALL);
	return 0;
}

/* set - a non-empty option value, or NULL */
static const char *
set(const char *v)
{
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* sm_tls_ctx_new - a context from tc; NULL with err filled in */
SSL_CTX *
sm_tls_ctx_new(const struct sm_tls_conf *tc, char *err, size_t len)
{
	SSL_CTX *ctx;
	const char *cert = set(tc->cert), *key = set(tc->key);
	const char *cafile = set(tc->cafile), *capath = set(tc->capath);
	char why[256];

	ctx = SSL_CTX_new(tc->server ? TLS_server_method() :
	    TLS_client_method());
	if (ctx == NULL) {
		sm_tls_error(why, sizeof(why));
		(void)snprintf(err, len, "cannot make a TLS context: %s", why);
		return NULL;
	}
	(void)SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* A peer that closes without close_notify has just gone: EOF. */
	(void)SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (key == NULL)
		key = cert;
	if (cert != NULL &&
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		sm_tls_error(why, sizeof(why));
		(void)snprintf(err, len, "certificate %s: %s", cert, why);
		goto bad;
	}
	if (cert != NULL &&
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		sm_tls_error(why, sizeof(why));
		(void)snprintf(err, len, "key %s: %s", key, why);
		goto bad;
	}
	if (cert != NULL && SSL_CTX_check_private_key(ctx) != 1) {
		(void)snprintf(err, len, "key %s does not match certificate "
		    "%s", key, cert);
		goto bad;
	}
	if ((cafile != NULL || capath != NULL) &&
	    SSL_CTX_load_verify_locations(ctx, cafile, capath) != 1) {
		sm_tls_error(why, sizeof(why));
		(void)snprintf(err, len, "CA %s%s%s: %s", cafile != NULL ?
		    cafile : "", cafile != NULL && capath != NULL ? ", " : "",
		    capath != NULL ? capath : "", why);
		goto bad;
	}
	if (set(tc->ciphers) != NULL &&
	    SSL_CTX_set_cipher_list(ctx, tc->ciphers) != 1) {
		(void)snprintf(err, len, "CipherList \"%s\" selects no cipher",
		    tc->ciphers);
		goto bad;
	}
	if (set(tc->ssl_options) != NULL &&
	    ssl_options(ctx, tc->ssl_options, err, len) < 0)
		goto bad;
	if (load_dh(ctx, tc->dhparams, err, len) < 0 ||
	    load_crl(ctx, tc->crlfile, err, len) < 0)
		goto bad;
	if (tc->server) {
		if (cert == NULL) {
			(void)snprintf(err, len, "no ServerCertFile");
			goto bad;
		}
		(void)SSL_CTX_set_session_id_context(ctx,
		    (const unsigned char *)"sendmaild", 9);
		if (tc->request_cert) {
			if (cafile != NULL)
				SSL_CTX_set_client_CA_list(ctx,
				    SSL_load_client_CA_file(cafile));
			SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			    SSL_VERIFY_CLIENT_ONCE, accept_any);
		}
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	ERR_clear_error();
	return ctx;
bad:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

/* sm_tls_ctx_free - drop a context (NULL is fine) */
void
sm_tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

/* sm_tls_info_of - what a finished handshake agreed on */
void
sm_tls_info_of(SSL *ssl, struct sm_tls_info *ti)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	X509 *peer = SSL_get1_peer_certificate(ssl);

	memset(ti, 0, sizeof(*ti));
	(void)snprintf(ti->version, sizeof(ti->version), "%s",
	    SSL_get_version(ssl));
	(void)snprintf(ti->cipher, sizeof(ti->cipher), "%s",
	    c != NULL ? SSL_CIPHER_get_name(c) : "NONE");
	ti->bits = c != NULL ? SSL_CIPHER_get_bits(c, &ti->alg_bits) : 0;
	if (peer == NULL)
		(void)snprintf(ti->verify, sizeof(ti->verify), "NO");
	else {
		(void)snprintf(ti->verify, sizeof(ti->verify), "%s",
		    SSL_get_verify_result(ssl) == X509_V_OK ? "OK" : "FAIL");
		(void)X509_NAME_oneline(X509_get_subject_name(peer),
		    ti->subject, (int)sizeof(ti->subject));
		(void)X509_NAME_oneline(X509_get_issuer_name(peer),
		    ti->issuer, (int)sizeof(ti->issuer));
		X509_free(peer);
	}
}

/* sm_tls_b64_decode - base64 text into bytes; see sm_tls.h */
int
sm_tls_b64_decode(const char *text, size_t n, unsigned char *out,
    size_t cap, size_t *len)
{
	size_t pad = 0;
	int got;

	if (n % 4 != 0 || n / 4 * 3 > cap)
		return -1;
	if (n > 0 && text[n - 1] == '=')
		pad++;
	if (n > 1 && text[n - 2] == '=')
		pad++;
	got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
	if (got < 0)
		return -1;
	*len = (size_t)got - pad;
	return 0;
}
