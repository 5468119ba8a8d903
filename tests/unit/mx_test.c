/*
 * mx_test - MX lookups (libsm/sm_mx) against a small DNS server of the
 * test's own on 127.0.0.1 (a forked child on a UDP port): preference
 * order, random order among equals, null MX, NXDOMAIN, no MX, a server
 * that never answers (bounded by retrans and retry); the sender domain
 * check, PTR lookups and ResolverOptions of libsm/sm_dns.
 */
#include "sm_mx.h"

#include <arpa/inet.h>
#include <resolv.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static struct sockaddr_in ns;
static pid_t server;

/* put_name - a name in DNS label form; its length */
static size_t
put_name(unsigned char *p, const char *name)
{
	size_t n = 0, len;

	while (*name != '\0') {
		len = strcspn(name, ".");
		p[n++] = (unsigned char)len;
		memcpy(p + n, name, len);
		n += len;
		name += len + (name[len] == '.');
	}
	p[n++] = 0;
	return n;
}

/* put_mx - one MX answer record pointing at the question's name */
static size_t
put_mx(unsigned char *p, int pref, const char *host)
{
	size_t n = 0, rdlen;

	p[n++] = 0xc0;
	p[n++] = 12;			/* the name of the question */
	p[n++] = 0;
	p[n++] = 15;			/* MX */
	p[n++] = 0;
	p[n++] = 1;			/* IN */
	memset(p + n, 0, 3);
	p[n + 3] = 60;			/* TTL */
	n += 4;
	rdlen = 2 + put_name(p + n + 4, host);
	p[n++] = (unsigned char)(rdlen >> 8);
	p[n++] = (unsigned char)rdlen;
	p[n++] = (unsigned char)(pref >> 8);
	p[n++] = (unsigned char)pref;
	return n + rdlen - 2;
}

/* put_rr - one answer record of type t for the question's name */
static size_t
put_rr(unsigned char *p, int t, const unsigned char *rdata, size_t rdlen)
{
	size_t n = 0;

	p[n++] = 0xc0;
	p[n++] = 12;
	p[n++] = 0;
	p[n++] = (unsigned char)t;
	p[n++] = 0;
	p[n++] = 1;
	memset(p + n, 0, 3);
	p[n + 3] = 60;
	n += 4;
	p[n++] = 0;
	p[n++] = (unsigned char)rdlen;
	memcpy(p + n, rdata, rdlen);
	return n + rdlen;
}

/* answer - the reply to one query, by the name asked; 0: stay silent */
static size_t
answer(const unsigned char *q, size_t qlen, unsigned char *r)
{
	static const unsigned char a[4] = { 192, 0, 2, 9 };
	unsigned char name_rd[64];
	char name[256];
	size_t i = 12, n = 0, end;
	int an = 0, rcode = 0, type;

	while (i < qlen && q[i] != 0 && n + q[i] + 1 < sizeof(name)) {
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, q + i + 1, q[i]);
		n += q[i];
		i += (size_t)q[i] + 1;
	}
	name[n] = '\0';
	end = i + 5;			/* the zero label, type, class */
	if (end > qlen || strcmp(name, "silent.test") == 0)
		return 0;
	type = q[i + 2];
	memcpy(r, q, end);
	n = end;
	if (strcmp(name, "7.2.0.192.in-addr.arpa") == 0 && type == 12) {
		n += put_rr(r + n, 12, name_rd, put_name(name_rd,
		    "seven.test"));
		an = 1;
	} else if (strcmp(name, "a-only.test") == 0 && type == 1) {
		n += put_rr(r + n, 1, a, sizeof(a));
		an = 1;
	} else if (strcmp(name, "a-only.test") == 0) {
		;			/* exists, no record of this type */
	} else if (strcmp(name, "mx.test") == 0 && type != 15) {
		;
	} else if (strcmp(name, "mx.test") == 0) {
		n += put_mx(r + n, 20, "far.mx.test");
		n += put_mx(r + n, 10, "a.mx.test");
		n += put_mx(r + n, 10, "b.mx.test");
		n += put_mx(r + n, 10, "c.mx.test");
		n += put_mx(r + n, 5, "near.mx.test");
		an = 5;
	} else if (strcmp(name, "null.test") == 0) {
		n += put_mx(r + n, 0, "");
		an = 1;
	} else if (strcmp(name, "nx.test") == 0)
		rcode = 3;
	else if (strcmp(name, "broken.test") == 0)
		rcode = 2;			/* SERVFAIL */
	r[2] = 0x84 | (q[2] & 0x01);		/* answer, authoritative */
	r[3] = (unsigned char)(0x80 | rcode);	/* recursion available */
	r[6] = 0;
	r[7] = (unsigned char)an;
	memset(r + 8, 0, 4);
	return n;
}

static int
setup(void **state)
{
	socklen_t len = sizeof(ns);
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ns, 0, sizeof(ns));
	ns.sin_family = AF_INET;
	ns.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ns, sizeof(ns)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ns, &len) < 0)
		return -1;
	if ((server = fork()) == 0) {
		unsigned char q[512], r[1024];
		struct sockaddr_in from;
		ssize_t got;
		size_t n;

		/* Serves until killed; a parent gone for 60 s ends it too. */
		(void)alarm(60);
		for (;;) {
			len = sizeof(from);
			got = recvfrom(fd, q, sizeof(q), 0,
			    (struct sockaddr *)&from, &len);
			if (got < 12)
				continue;
			if ((n = answer(q, (size_t)got, r)) > 0)
				(void)sendto(fd, r, n, 0,
				    (struct sockaddr *)&from, len);
		}
	}
	(void)close(fd);
	return server > 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	(void)kill(server, SIGKILL);
	(void)waitpid(server, NULL, 0);
	return 0;
}

static enum sm_dns_result
lookup(const char *d, long retrans, long retry, struct sm_mx *mx, size_t *n,
    bool *nullmx)
{
	struct sm_dns_opts o = { retrans, retry, 0, 0, &ns };
	char err[256];

	return sm_mx_lookup(d, &o, mx, 16, n, nullmx, err, sizeof(err));
}

/* Lowest preference first; equals in every order over many lookups. */
static void
test_preference_order(void **state)
{
	struct sm_mx mx[16];
	size_t n, i;
	bool nullmx, first_seen[3] = { false, false, false };

	(void)state;
	for (i = 0; i < 40; i++) {
		assert_int_equal(lookup("mx.test", 2, 1, mx, &n, &nullmx),
		    SM_DNS_OK);
		assert_int_equal(n, 5);
		assert_false(nullmx);
		assert_string_equal(mx[0].host, "near.mx.test");
		assert_int_equal(mx[0].pref, 5);
		assert_int_equal(mx[1].pref, 10);
		assert_int_equal(mx[3].pref, 10);
		assert_string_equal(mx[4].host, "far.mx.test");
		first_seen[mx[1].host[0] - 'a'] = true;
	}
	assert_true(first_seen[0] && first_seen[1] && first_seen[2]);
}

static void
test_null_mx_nxdomain_no_mx(void **state)
{
	struct sm_mx mx[16];
	size_t n;
	bool nullmx;

	(void)state;
	assert_int_equal(lookup("null.test", 2, 1, mx, &n, &nullmx),
	    SM_DNS_OK);
	assert_true(nullmx);
	assert_int_equal(n, 0);
	assert_int_equal(lookup("nx.test", 2, 1, mx, &n, &nullmx),
	    SM_DNS_NOTFOUND);
	assert_int_equal(lookup("other.test", 2, 1, mx, &n, &nullmx),
	    SM_DNS_OK);
	assert_int_equal(n, 0);
	assert_false(nullmx);
	assert_int_equal(lookup("broken.test", 2, 1, mx, &n, &nullmx),
	    SM_DNS_TEMP);
}

/* A server that never answers: a temporary failure within the bound. */
static void
test_silent_server_is_bounded(void **state)
{
	struct sm_mx mx[16];
	struct timespec a, b;
	size_t n;
	bool nullmx;
	long ms;

	(void)state;
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(lookup("silent.test", 1, 2, mx, &n, &nullmx),
	    SM_DNS_TEMP);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	/* Two tries of about a second each, with some slack. */
	assert_true(ms >= 900 && ms < 6000);
}

static enum sm_dns_result
domain_check(const char *d, bool *nullmx)
{
	struct sm_dns_opts o = { 2, 1, 0, 0, &ns };
	char err[256];

	return sm_mx_mail_domain(d, &o, nullmx, err, sizeof(err));
}

/* The sender domain check: MX, else A or AAAA; null MX told apart. */
static void
test_mail_domain(void **state)
{
	bool nullmx;

	(void)state;
	assert_int_equal(domain_check("mx.test", &nullmx), SM_DNS_OK);
	assert_false(nullmx);
	assert_int_equal(domain_check("a-only.test", &nullmx), SM_DNS_OK);
	assert_false(nullmx);
	assert_int_equal(domain_check("null.test", &nullmx), SM_DNS_OK);
	assert_true(nullmx);
	assert_int_equal(domain_check("nx.test", &nullmx), SM_DNS_NOTFOUND);
	/* The name exists but has no record mail could use. */
	assert_int_equal(domain_check("other.test", &nullmx),
	    SM_DNS_NOTFOUND);
	assert_int_equal(domain_check("broken.test", &nullmx), SM_DNS_TEMP);
}

/* A PTR from DNS; an address without one; loopback from the hosts file. */
static void
test_ptr(void **state)
{
	struct sm_dns_opts o = { 2, 1, 0, 0, &ns };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	char name[256], err[256];

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr), 1);
	assert_int_equal(sm_dns_ptr((struct sockaddr *)&sin, sizeof(sin), &o,
	    name, sizeof(name), err, sizeof(err)), SM_DNS_OK);
	assert_string_equal(name, "seven.test");
	/* The same client on an IPv6 socket. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.7",
	    &sin6.sin6_addr), 1);
	assert_int_equal(sm_dns_ptr((struct sockaddr *)&sin6, sizeof(sin6),
	    &o, name, sizeof(name), err, sizeof(err)), SM_DNS_OK);
	assert_string_equal(name, "seven.test");
	assert_int_equal(inet_pton(AF_INET, "192.0.2.8", &sin.sin_addr), 1);
	assert_int_equal(sm_dns_ptr((struct sockaddr *)&sin, sizeof(sin), &o,
	    name, sizeof(name), err, sizeof(err)), SM_DNS_NOTFOUND);
	assert_string_equal(name, "");
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr), 1);
	assert_int_equal(sm_dns_ptr((struct sockaddr *)&sin, sizeof(sin), &o,
	    name, sizeof(name), err, sizeof(err)), SM_DNS_OK);
	assert_string_equal(name, "localhost");
}

/* ResolverOptions: words with + and -, case aside; unknown ones named. */
static void
test_resolver_options(void **state)
{
	unsigned long set, clear;
	char err[128];

	(void)state;
	assert_int_equal(sm_dns_parse_options("+AAONLY -DNSRCH +UseVC "
	    "HasWildcardMX WorkAroundBrokenAAAA", &set, &clear, err,
	    sizeof(err)), 0);
	assert_int_equal(set, RES_USEVC);
	assert_int_equal(clear, RES_DNSRCH);
	assert_int_equal(sm_dns_parse_options("-defnames +bogus +rotate", &set,
	    &clear, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"bogus\""));
	assert_int_equal(set, RES_ROTATE);
	assert_int_equal(clear, RES_DEFNAMES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preference_order),
		cmocka_unit_test(test_null_mx_nxdomain_no_mx),
		cmocka_unit_test(test_silent_server_is_bounded),
		cmocka_unit_test(test_mail_domain),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_resolver_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
