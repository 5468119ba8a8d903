/*
 * sm_tls - TLS contexts for the server and the client (OpenSSL 3).
 *
 * SYNOPSIS
 *	struct sm_tls_conf tc = { .server = true, .cert = ..., .key = ... };
 *	ctx = sm_tls_ctx_new(&tc, err, sizeof(err))	NULL: err says why
 *	sm_io_starttls(io, ctx, true, NULL, &dl, &dropped)	see sm_io.h
 *	sm_tls_info_of(ssl, &info)	version, cipher, bits, verify
 *	sm_tls_ctx_free(ctx)
 *	sm_tls_b64_decode(text, n, out, cap, &len)	base64, for AUTH
 *
 * DESCRIPTION
 *	A context is made once, in the process that reads the configuration
 *	(the master, or a queue runner), while it can still read the key
 *	files; every connection forked from it shares it.  Certificates and
 *	keys are PEM files; CACertFile and CACertPath give the authorities
 *	that verify the peer.  CipherList is OpenSSL's cipher string (TLS
 *	1.2 and older); ServerSSLOptions and ClientSSLOptions take
 *	sendmail's form, "+SSL_OP_NAME -SSL_OP_NAME" or a number, for the
 *	names in the table in sm_tls.c.
 *
 *	Neither side refuses a peer for its certificate here: a server asks
 *	for a client certificate (unless request_cert is false) and a client
 *	takes whatever the server shows; the outcome is in the info's verify
 *	field ("OK", "FAIL", "NO" when there was no certificate), and the
 *	caller decides (the access map's TLS_Srv: entries, for instance).
 *
 *	sm_tls_b64_decode() decodes the n bytes of base64 at text into out
 *	(cap bytes), the padding not counted in *len; -1 when the text is
 *	not base64 or does not fit.
 */
#ifndef SM_TLS_H
#define SM_TLS_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct sm_tls_conf {
	bool		 server;
	const char	*cert, *key;		/* server: both required */
	const char	*cafile, *capath;
	const char	*ciphers;		/* CipherList */
	const char	*ssl_options;		/* Server/ClientSSLOptions */
	const char	*dhparams;		/* DHParameters: a PEM file */
	const char	*crlfile;		/* CRLFile */
	bool		 request_cert;		/* server: ask for one */
};

struct sm_tls_info {
	char	version[32];	/* "TLSv1.3" */
	char	cipher[128];	/* "TLS_AES_256_GCM_SHA384" */
	int	bits, alg_bits;
	char	verify[16];	/* OK, FAIL, NO */
	char	subject[256];	/* the peer certificate's, or "" */
	char	issuer[256];
};

SSL_CTX	*sm_tls_ctx_new(const struct sm_tls_conf *, char *, size_t);
void	 sm_tls_ctx_free(SSL_CTX *);
void	 sm_tls_info_of(SSL *, struct sm_tls_info *);
void	 sm_tls_error(char *, size_t);
int	 sm_tls_b64_decode(const char *, size_t, unsigned char *, size_t,
	    size_t *);

#endif /* SM_TLS_H */
