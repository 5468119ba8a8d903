/*
 * addr_test - RFC 5321 paths (libsm/sm_addr).
 */
#include "sm_addr.h"
#include "sm_buf.h"

#include <stdlib.h>
#include <string.h>

#include "test.h"

static void
test_split(void **state)
{
	static const struct {
		const char *arg, *path, *params;
		enum sm_addr_result r;
	} cases[] = {
		{ "<a@b.example>", "a@b.example", "", SM_ADDR_OK },
		{ " <a@b.example> SIZE=10 BODY=8BITMIME", "a@b.example",
		    "SIZE=10 BODY=8BITMIME", SM_ADDR_OK },
		{ "a@b.example SIZE=1", "a@b.example", "SIZE=1", SM_ADDR_OK },
		{ "<>", "", "", SM_ADDR_OK },
		{ "<\"x y\"@b.example>", "\"x y\"@b.example", "", SM_ADDR_OK },
		{ "<\"x>y\"@b.example>", "\"x>y\"@b.example", "", SM_ADDR_OK },
		{ "<a@b.example", NULL, NULL, SM_ADDR_UNBALANCED },
		{ "<a<b>", NULL, NULL, SM_ADDR_UNBALANCED },
		{ "<a@b>x", NULL, NULL, SM_ADDR_SYNTAX },
		{ "a>b", NULL, NULL, SM_ADDR_UNBALANCED },
	};
	char *path, *params;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		enum sm_addr_result r = sm_addr_split(cases[i].arg, &path,
		    &params);

		if (r != cases[i].r)
			fail_msg("%s: result %d, want %d", cases[i].arg, r,
			    cases[i].r);
		if (r == SM_ADDR_OK) {
			assert_string_equal(path, cases[i].path);
			assert_string_equal(params, cases[i].params);
		}
		free(path);
		free(params);
	}
}

static void
test_parse(void **state)
{
	static const struct {
		const char *path, *local, *domain;
		enum sm_addr_result r;
	} cases[] = {
		{ "root", "root", NULL, SM_ADDR_OK },
		{ "Root@LAB.example.org", "Root", "LAB.example.org", SM_ADDR_OK },
		{ "a@[127.0.0.1]", "a", "[127.0.0.1]", SM_ADDR_OK },
		{ "a@[IPv6:::1]", "a", "[IPv6:::1]", SM_ADDR_OK },
		{ "@relay.example,@r2.example:u@dest.example", "u",
		    "dest.example", SM_ADDR_OK },
		{ "\"john doe\"@example.org", "\"john doe\"", "example.org",
		    SM_ADDR_OK },
		{ "a+tag@example.org", "a+tag", "example.org", SM_ADDR_OK },
		{ "a@b@c", NULL, NULL, SM_ADDR_ROUTE },
		{ "a@.b", NULL, NULL, SM_ADDR_BADHOST },
		{ "a@b..c", NULL, NULL, SM_ADDR_BADHOST },
		{ "a@b_c!", NULL, NULL, SM_ADDR_BADHOST },
		{ "a@[999.1.1.1]", NULL, NULL, SM_ADDR_BADHOST },
		{ "a@[1.2.3]", NULL, NULL, SM_ADDR_BADHOST },
		{ "a@[IPv6:zz::1]", NULL, NULL, SM_ADDR_BADHOST },
		{ "a@[x:1]", NULL, NULL, SM_ADDR_BADHOST },
		{ "a b@", NULL, NULL, SM_ADDR_NOHOST },
		{ "a@", NULL, NULL, SM_ADDR_NOHOST },
		{ "list:;", NULL, NULL, SM_ADDR_LIST },
		{ "@nohost", NULL, NULL, SM_ADDR_ROUTE },
		{ "a,b@c", NULL, NULL, SM_ADDR_SYNTAX },
		{ "a\rb@c", NULL, NULL, SM_ADDR_SYNTAX },
		{ "@x:", NULL, NULL, SM_ADDR_SYNTAX },
		/* Not ASCII, in any part: 5.6.7 before any other check. */
		{ "caf\xc3\xa9@far.example", NULL, NULL, SM_ADDR_8BIT },
		{ "\xc3(bad@far.example", NULL, NULL, SM_ADDR_8BIT },
		{ "root@\xc3\xa9xample.org", NULL, NULL, SM_ADDR_8BIT },
		{ "\"caf\xc3\xa9\"@far.example", NULL, NULL, SM_ADDR_8BIT },
		{ "@r\xff.example:u@far.example", NULL, NULL, SM_ADDR_8BIT },
		{ "j\x80rg", NULL, NULL, SM_ADDR_8BIT },
		{ "a\x7f@far.example", NULL, NULL, SM_ADDR_SYNTAX },
	};
	struct sm_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		enum sm_addr_result r = sm_addr_parse(cases[i].path, &a);

		if (r != cases[i].r)
			fail_msg("%s: result %d, want %d", cases[i].path, r,
			    cases[i].r);
		if (r == SM_ADDR_OK) {
			assert_string_equal(a.local, cases[i].local);
			if (cases[i].domain == NULL)
				assert_null(a.domain);
			else
				assert_string_equal(a.domain, cases[i].domain);
		}
		sm_addr_free(&a);
	}
	assert_int_equal(sm_addr_parse("", &a), SM_ADDR_OK);
	assert_true(a.null);
	sm_addr_free(&a);
	assert_string_equal(sm_addr_dsn(SM_ADDR_BADHOST), "5.1.2");
	assert_string_equal(sm_addr_errtext(SM_ADDR_ROUTE),
	    "Invalid route address");
	assert_string_equal(sm_addr_dsn(SM_ADDR_8BIT), "5.6.7");
	assert_string_equal(sm_addr_errtext(SM_ADDR_8BIT),
	    "Non-ASCII address not permitted without SMTPUTF8");
}

/* Address lists as To:, Cc: and Bcc: carry them. */
static void
test_list(void **state)
{
	static const struct {
		const char *value;
		const char *want;	/* the addresses joined by " | " */
	} cases[] = {
		{ "a@b.example", "a@b.example" },
		{ " a@b.example ,c@d.example", "a@b.example | c@d.example" },
		{ "Alice Smith <alice@x.example>", "alice@x.example" },
		{ "\"Smith, Alice\" <alice@x.example>, bob@y.example",
		    "alice@x.example | bob@y.example" },
		{ "bob@y.example (Bob, (the) builder)", "bob@y.example" },
		{ "\"a b\"@x.example", "\"a b\"@x.example" },
		{ "team: a@x.example, b@x.example;, c@x.example",
		    "a@x.example | b@x.example | c@x.example" },
		{ "undisclosed-recipients:;", "" },
		{ "root", "root" },
		{ "root,\n\tpostmaster", "root | postmaster" },
		{ "<@relay.example:u@x.example>", "@relay.example:u@x.example" },
		{ "Name <a@x.example", "Name<a@x.example" },
		{ "\"unterminated <a@x.example>", "\"unterminated <a@x.example>" },
		{ "(only a comment)", "" },
		{ ",,,", "" },
		{ "", "" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		struct sm_strlist l = { NULL, 0 };
		struct sm_buf b;
		size_t n = sm_addr_list(cases[i].value, &l);

		assert_int_equal(n, l.n);
		sm_buf_init(&b, 0);
		for (j = 0; j < l.n; j++)
			(void)sm_buf_printf(&b, "%s%s", j > 0 ? " | " : "",
			    l.v[j]);
		if (strcmp(sm_buf_str(&b), cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"",
			    cases[i].value, sm_buf_str(&b), cases[i].want);
		sm_buf_free(&b);
		sm_strlist_clear(&l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
