/*
 * route_test - error: values, header address lists and masquerading.
 */
#include "route.h"

#include <string.h>

#include "sm_cf.h"
#include "sm_opt.h"
#include "test.h"

static void
test_error_values(void **state)
{
	static const struct {
		const char	*in;
		int		 code;
		const char	*dsn;
		const char	*text;
	} cases[] = {
		{ "nouser User unknown", 550, "5.1.1", "User unknown" },
		{ "nouser 550 5.1.1 No such list", 550, "5.1.1",
		    "No such list" },
		{ "5.7.1:550 Rejected", 550, "5.7.1", "Rejected" },
		{ "4.2.1:450 Busy", 450, "4.2.1", "Busy" },
		{ "550 5.7.0 Go away", 550, "5.7.0", "Go away" },
		{ "451  4.3.0 Later", 451, "4.3.0", "Later" },
		{ "553 Denied", 553, "5.0.0", "Denied" },
		{ "tempfail try later", 451, "4.0.0", "try later" },
		{ "just words", 550, "5.0.0", "just words" },
		{ "", 550, "5.0.0", "Address rejected" },
		/* A status of the other class than the code is not taken. */
		{ "550 4.1.1 odd", 550, "5.0.0", "4.1.1 odd" },
	};
	struct route_result rr;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		route_error(cases[i].in, &rr);
		assert_int_equal(rr.kind, ROUTE_ERROR);
		assert_int_equal(rr.code, cases[i].code);
		assert_string_equal(rr.res.dsn, cases[i].dsn);
		assert_string_equal(rr.res.text, cases[i].text);
		assert_int_equal(rr.res.status, cases[i].code / 100 == 4 ?
		    Q_TEMPFAIL : Q_PERMFAIL);
	}
}

/* A configuration from lines, as a .cf file would give them. */
static void
config(struct config *c, struct sm_options *o, const char *const *lines)
{
	char err[256];

	sm_opt_init(o);
	c->path = "test.cf";
	c->cf = sm_cf_new();
	for (; *lines != NULL; lines++)
		assert_int_equal(sm_cf_parse_line(c->cf, *lines, o, err,
		    sizeof(err)), 0);
	c->opt = *o;
}

/* rewrite - one header through route_headers; the result in out */
static void
rewrite(const struct config *c, const char *h, bool local, char *out,
    size_t len)
{
	struct sm_strlist in = { NULL, 0 }, res = { NULL, 0 };
	struct route *rt = route_open(c);

	sm_strlist_add(&in, h);
	if (route_headers(rt, &in, "<alice@here.example>", local, &res))
		(void)snprintf(out, len, "%s", res.v[0]);
	else
		(void)snprintf(out, len, "(unchanged)");
	sm_strlist_clear(&in);
	sm_strlist_clear(&res);
	route_close(rt);
}

static void
test_masquerading(void **state)
{
	static const char *const lines[] = {
		"Dj" "here.example",
		"DMmasq.example",
		"C{M}inner.example",
		"C{E}root",
		"C{N}keep.inner.example",
		"C{Features}masquerade_entire_domain",
		NULL
	};
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "?F?From: Alice <alice@here.example>",
		    "?F?From: Alice <alice@masq.example>" },
		{ "From: a@localhost, \"B, C\" <b@x.inner.example> (B)",
		    "From: a@masq.example, \"B, C\" <b@masq.example> (B)" },
		{ "Sender: root@here.example", "Sender: root@here.example" },
		{ "Reply-To: z@keep.inner.example, y",
		    "Reply-To: z@keep.inner.example, y@masq.example" },
		{ "From: \x81g", "From: alice@masq.example" },
		{ "To: bob, carl@far.example",
		    "To: bob@here.example, carl@far.example" },
		{ "From: group: a@here.example, b@far.example;",
		    "From: group: a@masq.example, b@far.example;" },
		{ "From: <@route:a@here.example>",
		    "From: <@route:a@here.example>" },
		{ "From: unclosed <a@here.example",
		    "From: unclosed <a@here.example" },
		{ "Subject: a@here.example", "Subject: a@here.example" },
	};
	struct sm_options o;
	struct config c;
	char out[512];
	size_t i;

	(void)state;
	config(&c, &o, lines);
	for (i = 0; i < NELEM(cases); i++) {
		rewrite(&c, cases[i].in, false, out, sizeof(out));
		assert_string_equal(out, cases[i].out);
	}
	sm_cf_free(c.cf);
	sm_opt_free(&o);
}

static void
test_nothing_to_do(void **state)
{
	static const char *const lines[] = { "Dj" "here.example", NULL };
	struct sm_options o;
	struct config c;
	char out[512];

	(void)state;
	config(&c, &o, lines);
	/* The local mailer without always_add_domain: as queued. */
	rewrite(&c, "To: bob", true, out, sizeof(out));
	assert_string_equal(out, "(unchanged)");
	/* SMTP qualifies what is unqualified. */
	rewrite(&c, "To: bob", false, out, sizeof(out));
	assert_string_equal(out, "To: bob@here.example");
	sm_cf_free(c.cf);
	sm_opt_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_values),
		cmocka_unit_test(test_masquerading),
		cmocka_unit_test(test_nothing_to_do),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
