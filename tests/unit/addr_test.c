/*
 * addr_test - RFC 5321 paths (libsm/sm_addr).
 */
#include "sm_addr.h"

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
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
