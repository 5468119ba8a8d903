/*
 * qroute_test - where a queue run sends each recipient, and which
 * recipients share a transaction (queue/q_route): the smart host, the
 * domain's MX hosts without one, unix sockets, what is settled without
 * a transaction, one transaction per destination in the order named,
 * and how a recipient is named in RCPT.
 */
#include "q_route.h"

#include <string.h>

#include "test.h"

static const struct q_route_relay smart = { "[10.0.0.1]", 2525, "mDFMuX",
    587, "mDFMuXa" };
static const struct q_route_relay mx = { "", 2525, "mDFMuX", 0,
    "mDFMuXa" };
static const struct q_route_relay mx587 = { "", 2525, "mDFMuX", 587,
    "mDFMuXa" };

struct resolve_case {
	const char			*name;
	const struct q_route_relay	*relay;
	const char			*addr;
	/* what the route hook said */
	bool				 local, failed;
	const char			*host, *mailer, *path;
	int				 port;
	/* what the run does with it */
	bool				 settled;
	enum q_status			 status;	/* when settled */
	const char			*dsn;
	const char			*want_host, *want_mailer;
	int				 want_port;
	const char			*want_flags;
};

static const struct resolve_case resolves[] = {
	{ "nothing said: the smart host through relay", &smart,
	    "<a@remote.example>", false, false, "", "", "", 0,
	    false, Q_OK, NULL, "[10.0.0.1]", "relay", 2525, "mDFMuX" },
	{ "no smart host: the domain's MX hosts through esmtp on 25", &mx,
	    "<a@remote.example>", false, false, "", "", "", 0,
	    false, Q_OK, NULL, "remote.example", "esmtp", 25, "mDFMuXa" },
	{ "no smart host, esmtp's own port", &mx587,
	    "<a@remote.example>", false, false, "", "", "", 0,
	    false, Q_OK, NULL, "remote.example", "esmtp", 587, "mDFMuXa" },
	{ "a mailertable host and mailer keep theirs", &smart,
	    "<a@x.example>", false, false, "mx.x.example", "esmtp", "", 26,
	    false, Q_OK, NULL, "mx.x.example", "esmtp", 26, "mDFMuX" },
	{ "a host without a port: the relay mailer's", &smart,
	    "<a@x.example>", false, false, "hub.example", "", "", 0,
	    false, Q_OK, NULL, "hub.example", "relay", 2525, "mDFMuX" },
	{ "a unix socket is the host localhost", &smart,
	    "<a@x.example>", false, false, "", "cyrus", "/run/lmtp", 0,
	    false, Q_OK, NULL, "localhost", "cyrus", 2525, "mDFMuX" },
	{ "no domain and no smart host: fails for good", &mx,
	    "<bob>", false, false, "", "", "", 0,
	    true, Q_PERMFAIL, "5.1.2", NULL, "esmtp", 0, NULL },
	{ "an expansion's local address waits for the next attempt", &smart,
	    "<bob@here.example>", true, false, "", "", "", 0,
	    true, Q_TEMPFAIL, "4.3.0", NULL, "", 0, NULL },
	{ "a failed route keeps its own result", &smart,
	    "<bob@gone.example>", false, true, "", "error", "", 0,
	    true, Q_PERMFAIL, "5.1.1", NULL, "error", 0, NULL },
};

/* Each route is completed as the runner's relay and esmtp say. */
static void
test_resolve(void **state)
{
	const struct resolve_case *t;
	struct q_result res;
	struct q_route rt;
	size_t i;
	bool settled;

	(void)state;
	for (i = 0; i < NELEM(resolves); i++) {
		t = &resolves[i];
		memset(&rt, 0, sizeof(rt));
		memset(&res, 0, sizeof(res));
		rt.local = t->local;
		rt.failed = t->failed;
		(void)snprintf(rt.host, sizeof(rt.host), "%s", t->host);
		(void)snprintf(rt.mailer, sizeof(rt.mailer), "%s", t->mailer);
		(void)snprintf(rt.path, sizeof(rt.path), "%s", t->path);
		rt.port = t->port;
		if (t->failed)
			q_result_set(&rt.res, Q_PERMFAIL, "5.1.1",
			    "User unknown");
		settled = q_route_resolve(&rt, t->addr, t->relay, &res);
		if (settled != t->settled)
			fail_msg("%s: settled %d", t->name, settled);
		if (settled) {
			if (res.status != t->status ||
			    strcmp(res.dsn, t->dsn) != 0)
				fail_msg("%s: %d %s", t->name,
				    (int)res.status, res.dsn);
			if (strcmp(rt.mailer, t->want_mailer) != 0)
				fail_msg("%s: logged as %s", t->name,
				    rt.mailer);
			continue;
		}
		if (strcmp(rt.host, t->want_host) != 0 ||
		    strcmp(rt.mailer, t->want_mailer) != 0 ||
		    rt.port != t->want_port ||
		    strcmp(rt.flags, t->want_flags) != 0)
			fail_msg("%s: %s %s %d %s", t->name, rt.host,
			    rt.mailer, rt.port, rt.flags);
	}
}

/* recipient - an entry of an attempt, routed to host:port by mailer */
static struct q_route_rcpt
recipient(const char *host, int port, const char *mailer, const char *path,
    bool settled)
{
	struct q_route_rcpt v;

	memset(&v, 0, sizeof(v));
	(void)snprintf(v.route.host, sizeof(v.route.host), "%s", host);
	(void)snprintf(v.route.mailer, sizeof(v.route.mailer), "%s", mailer);
	(void)snprintf(v.route.path, sizeof(v.route.path), "%s", path);
	v.route.port = port;
	v.settled = settled;
	return v;
}

/* groups - g as text: each group's items, groups apart by "|" */
static const char *
groups(const struct sm_group *g)
{
	static char buf[256];
	const size_t *items;
	size_t k, i, len, used = 0;

	buf[0] = '\0';
	for (k = 0; k < g->keys.n; k++) {
		items = sm_group_items(g, k, &len);
		for (i = 0; i < len && used < sizeof(buf); i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
			    "%s%zu", i > 0 ? " " : k > 0 ? "|" : "", items[i]);
	}
	return buf;
}

/*
 * One transaction per destination, hosts in the order the recipients
 * name them, each with its recipients in the message's order; a port,
 * a mailer or a socket of its own makes another destination, and the
 * recipients settled already have none.
 */
static void
test_group(void **state)
{
	struct q_route_rcpt v[8];
	struct sm_group g;

	(void)state;
	v[0] = recipient("hub.example", 25, "relay", "", false);
	v[1] = recipient("mx.a.example", 25, "esmtp", "", false);
	v[2] = recipient("hub.example", 25, "relay", "", false);
	v[3] = recipient("hub.example", 26, "relay", "", false);
	v[4] = recipient("hub.example", 25, "relay", "", true);
	v[5] = recipient("hub.example", 25, "lmtp", "", false);
	v[6] = recipient("localhost", 25, "lmtp", "/run/lmtp", false);
	v[7] = recipient("hub.example", 25, "relay", "", false);
	q_route_group(&g, v, NELEM(v));
	/* hub, mx.a, hub:26, hub by lmtp, the socket; 4 is settled */
	assert_string_equal(groups(&g), "0 2 7|1|3|5|6");
	sm_group_free(&g);
}

/* A host and a mailer never pass for another pair that reads alike. */
static void
test_group_key(void **state)
{
	struct q_route_rcpt v[2];
	struct sm_group g;

	(void)state;
	v[0] = recipient("a", 25, "bc", "", false);
	v[1] = recipient("ab", 25, "c", "", false);
	q_route_group(&g, v, NELEM(v));
	assert_string_equal(groups(&g), "0|1");
	sm_group_free(&g);
	/* Nothing to send: no transaction at all. */
	v[0].settled = v[1].settled = true;
	q_route_group(&g, v, NELEM(v));
	assert_int_equal(g.keys.n, 0);
	sm_group_free(&g);
}

struct wire_case {
	const char	*addr, *flags;
	bool		 user_only;
	const char	*wire, *notify;
};

static const struct wire_case wires[] = {
	{ "<a@b.example>", "PFD", false, "<a@b.example>", NULL },
	{ "<a@b.example>", "NSF", false, "<a@b.example>", "SUCCESS,FAILURE" },
	{ "<a@b.example>", "ND", false, "<a@b.example>", "DELAY" },
	{ "<a@b.example>", "N", false, "<a@b.example>", "NEVER" },
	{ "<a@b.example>", "NSFD", true, "<a>", "SUCCESS,FAILURE,DELAY" },
	{ "a@b.example", "", true, "a", NULL },
	{ "<bob>", "", true, "<bob>", NULL },
};

/* RCPT's address (the user alone for R=EnvToL) and NOTIFY= of R flags */
static void
test_wire(void **state)
{
	struct q_route_rcpt v;
	struct q_rcpt rc;
	char addr[64], flags[16];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(wires); i++) {
		memset(&v, 0, sizeof(v));
		memset(&rc, 0, sizeof(rc));
		(void)snprintf(addr, sizeof(addr), "%s", wires[i].addr);
		(void)snprintf(flags, sizeof(flags), "%s", wires[i].flags);
		rc.addr = addr;
		rc.flags = flags;
		v.route.user_only = wires[i].user_only;
		q_route_wire(&v, &rc);
		assert_string_equal(v.wire, wires[i].wire);
		if (wires[i].notify == NULL)
			assert_null(v.notify);
		else
			assert_string_equal(v.notify, wires[i].notify);
		q_route_unwire(&v);
		assert_null(v.wire);
		assert_null(v.notify);
	}
}

/* The domain of an address as the runner's checks see it. */
static void
test_domain(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(q_route_domain("<a@B.example>", buf, sizeof(buf)),
	    "B.example");
	assert_string_equal(q_route_domain("a@b@c.example", buf, sizeof(buf)),
	    "c.example");
	assert_string_equal(q_route_domain("<bob>", buf, sizeof(buf)), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_group_key),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
