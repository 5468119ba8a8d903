/*
 * tls_test - TLS contexts (libsm/sm_tls) and TLS on a stream (sm_io):
 * a self-signed certificate made here, a handshake over a socketpair
 * with a forked peer, plaintext read ahead of the handshake dropped on
 * both sides, a silent peer bounded by the deadline; AuthInfo values
 * (sendmaild/delivery/secure).
 */
#include "sm_io.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "secure.h"
#include "test.h"

static char certfile[] = "/tmp/tls_test_cert_XXXXXX";
static char keyfile[] = "/tmp/tls_test_key_XXXXXX";

/* self_signed - a key and a certificate for "localhost" in two files */
static void
self_signed(void)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	FILE *f;
	int fd;

	assert_non_null(pk);
	assert_non_null(x);
	(void)X509_set_version(x, 2);
	(void)ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	(void)X509_gmtime_adj(X509_getm_notBefore(x), -60);
	(void)X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	(void)X509_set_pubkey(x, pk);
	(void)X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
	(void)X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	assert_true((fd = mkstemp(certfile)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(PEM_write_X509(f, x), 1);
	(void)fclose(f);
	assert_true((fd = mkstemp(keyfile)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	(void)fclose(f);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static SSL_CTX *
server_ctx(void)
{
	struct sm_tls_conf tc = { .server = true, .cert = certfile,
	    .key = keyfile };
	char err[512];
	SSL_CTX *ctx = sm_tls_ctx_new(&tc, err, sizeof(err));

	if (ctx == NULL)
		fail_msg("%s", err);
	return ctx;
}

static SSL_CTX *
client_ctx(void)
{
	struct sm_tls_conf tc = { .server = false };
	char err[512];
	SSL_CTX *ctx = sm_tls_ctx_new(&tc, err, sizeof(err));

	if (ctx == NULL)
		fail_msg("%s", err);
	return ctx;
}

/* Files that are not there or not PEM are named in the error. */
static void
test_ctx_errors(void **state)
{
	struct sm_tls_conf tc = { .server = true,
	    .cert = "/nonexistent/cert.pem", .key = keyfile };
	char err[512];

	(void)state;
	assert_null(sm_tls_ctx_new(&tc, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/cert.pem"));
	tc.cert = keyfile;		/* a key is no certificate */
	assert_null(sm_tls_ctx_new(&tc, err, sizeof(err)));
	assert_non_null(strstr(err, keyfile));
	tc.cert = certfile;
	tc.ssl_options = "+SSL_OP_NO_SUCH_THING";
	assert_null(sm_tls_ctx_new(&tc, err, sizeof(err)));
	assert_non_null(strstr(err, "SSL_OP_NO_SUCH_THING"));
	tc.ssl_options = "+SSL_OP_NO_TLSv1 -SSL_OP_NO_TICKET 0x0";
	tc.ciphers = "NO-SUCH-CIPHER";
	assert_null(sm_tls_ctx_new(&tc, err, sizeof(err)));
	assert_non_null(strstr(err, "CipherList"));
	tc.ciphers = "HIGH";
	tc.server = false;
	tc.cert = NULL;
	tc.key = NULL;
	tc.ssl_options = NULL;
	tc.cafile = "/nonexistent/ca.pem";
	assert_null(sm_tls_ctx_new(&tc, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/ca.pem"));
}

/*
 * The server side of the handshake test, in a child: read STARTTLS,
 * answer 220 with an injected line behind it, start TLS, read EHLO,
 * answer.  Exit 0 when what it saw was right.
 */
static int
server_side(int fd)
{
	struct sm_io *io = sm_io_new(fd, fd);
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_tls_info ti;
	SSL_CTX *ctx = server_ctx();
	size_t dropped = 0;
	int rc = 0;

	sm_buf_init(&line, 1024);
	sm_deadline_in(&dl, 10);
	if (sm_io_getline(io, &line, 1024, &dl) != SM_IO_OK ||
	    strcmp(line.data, "STARTTLS\r\n") != 0)
		rc |= 1;
	/* A reply that a client must never read as coming from TLS. */
	if (sm_io_write(io, "220 go\r\n554 injected\r\n", 22, &dl) !=
	    SM_IO_OK)
		rc |= 2;
	if (sm_io_starttls(io, ctx, true, NULL, &dl, &dropped) != SM_IO_OK)
		rc |= 4;
	if (dropped != 6)			/* "RSET\r\n" */
		rc |= 8;
	if (sm_io_getline(io, &line, 1024, &dl) != SM_IO_OK ||
	    strcmp(line.data, "EHLO x\r\n") != 0)
		rc |= 16;
	if (!sm_io_tls(io, &ti) || strncmp(ti.version, "TLSv1.", 6) != 0 ||
	    strcmp(ti.verify, "NO") != 0)
		rc |= 32;
	if (sm_io_write(io, "250 ok\r\n", 8, &dl) != SM_IO_OK)
		rc |= 64;
	sm_io_free(io);
	sm_tls_ctx_free(ctx);
	sm_buf_free(&line);
	return rc;
}

static void
test_starttls_both_ways(void **state)
{
	int sv[2], status;
	struct sm_io *io;
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_tls_info ti;
	SSL_CTX *ctx;
	size_t dropped = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		(void)close(sv[0]);
		_exit(server_side(sv[1]));
	}
	(void)close(sv[1]);
	ctx = client_ctx();
	io = sm_io_new(sv[0], sv[0]);
	sm_buf_init(&line, 1024);
	sm_deadline_in(&dl, 10);
	/* A command pipelined in the clear behind STARTTLS. */
	assert_int_equal(sm_io_write(io, "STARTTLS\r\nRSET\r\n", 16, &dl),
	    SM_IO_OK);
	assert_int_equal(sm_io_getline(io, &line, 1024, &dl), SM_IO_OK);
	assert_string_equal(line.data, "220 go\r\n");
	assert_int_equal(sm_io_starttls(io, ctx, false, "localhost", &dl,
	    &dropped), SM_IO_OK);
	/* One write brought both lines: the second is dropped. */
	assert_int_equal(dropped, 14);			/* "554 injected" */
	assert_int_equal(sm_io_write(io, "EHLO x\r\n", 8, &dl), SM_IO_OK);
	assert_int_equal(sm_io_getline(io, &line, 1024, &dl), SM_IO_OK);
	assert_string_equal(line.data, "250 ok\r\n");
	assert_true(sm_io_tls(io, &ti));
	/* Self-signed and no CA configured: seen, and not verified. */
	assert_string_equal(ti.verify, "FAIL");
	assert_non_null(strstr(ti.subject, "CN=localhost"));
	assert_true(ti.bits >= 128);
	sm_io_free(io);
	(void)close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	sm_tls_ctx_free(ctx);
	sm_buf_free(&line);
}

/* A peer that never answers the handshake costs the deadline, no more. */
static void
test_handshake_deadline(void **state)
{
	int sv[2];
	struct sm_io *io;
	struct sm_deadline dl;
	struct timespec a, b;
	SSL_CTX *ctx = client_ctx();
	size_t dropped;
	long ms;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	io = sm_io_new(sv[0], sv[0]);
	sm_deadline_in_ms(&dl, 300);
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(sm_io_starttls(io, ctx, false, NULL, &dl, &dropped),
	    SM_IO_TIMEOUT);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 3000);
	/* The stream is dead: nothing more goes out. */
	assert_int_equal(sm_io_write(io, "x", 1, &dl), SM_IO_ERR);
	sm_io_free(io);
	(void)close(sv[0]);
	(void)close(sv[1]);
	sm_tls_ctx_free(ctx);
}

/* A peer that answers the handshake with garbage: an error, at once. */
static void
test_handshake_garbage(void **state)
{
	int sv[2];
	struct sm_io *io;
	struct sm_deadline dl;
	SSL_CTX *ctx = server_ctx();
	size_t dropped;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], "EHLO not.tls.example\r\n", 22), 22);
	(void)close(sv[1]);
	io = sm_io_new(sv[0], sv[0]);
	sm_deadline_in(&dl, 5);
	assert_int_equal(sm_io_starttls(io, ctx, true, NULL, &dl, &dropped),
	    SM_IO_ERR);
	sm_io_free(io);
	(void)close(sv[0]);
	sm_tls_ctx_free(ctx);
}

/* AuthInfo values: each token, P= in base64, and what is not enough. */
static void
test_authinfo_values(void **state)
{
	struct q_secure s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("\"U:relayuser\" \"I:auth id\" "
	    "\"P:se cret\" \"R:realm\" \"M:PLAIN LOGIN\"", &s), 0);
	assert_true(s.auth);
	assert_string_equal(s.user, "relayuser");
	assert_string_equal(s.authid, "auth id");
	assert_string_equal(s.pass, "se cret");
	assert_string_equal(s.mechs, "PLAIN LOGIN");
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("\"I:bob\" \"P=c2VjcmV0\"", &s),
	    0);
	assert_string_equal(s.authid, "bob");
	assert_string_equal(s.pass, "secret");
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("U:bob P:pw", &s), 0);
	assert_string_equal(s.pass, "pw");
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("\"U:bob\"", &s), -1);
	assert_false(s.auth);
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("\"P:pw\" \"unterminated", &s),
	    -1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("", &s), -1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(secure_parse_authinfo("\"U:a\" \"P=!!!!\"", &s), -1);
}

/* Base64 as AUTH uses it: padding not counted, bad text refused. */
static void
test_b64_decode(void **state)
{
	unsigned char out[16];
	size_t len;

	(void)state;
	assert_int_equal(sm_tls_b64_decode("c2VjcmV0", 8, out, sizeof(out),
	    &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "secret", 6);
	assert_int_equal(sm_tls_b64_decode("YQ==", 4, out, sizeof(out), &len),
	    0);
	assert_int_equal(len, 1);
	assert_int_equal(sm_tls_b64_decode("", 0, out, sizeof(out), &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(sm_tls_b64_decode("YQ=", 3, out, sizeof(out), &len),
	    -1);
	assert_int_equal(sm_tls_b64_decode("!!!!", 4, out, sizeof(out), &len),
	    -1);
	assert_int_equal(sm_tls_b64_decode("QUFBQUFBQUFBQUFBQUFBQUFB", 24, out,
	    sizeof(out), &len), -1);		/* 18 bytes: too many */
}

static int
setup(void **state)
{
	(void)state;
	(void)signal(SIGPIPE, SIG_IGN);
	self_signed();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	(void)unlink(certfile);
	(void)unlink(keyfile);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctx_errors),
		cmocka_unit_test(test_starttls_both_ways),
		cmocka_unit_test(test_handshake_deadline),
		cmocka_unit_test(test_handshake_garbage),
		cmocka_unit_test(test_authinfo_values),
		cmocka_unit_test(test_b64_decode),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
