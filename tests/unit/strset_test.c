/*
 * strset_test - the ordered string set with a hash index (libsm/sm_strset).
 */
#include "sm_strset.h"

#include <string.h>

#include "test.h"

/* SipHash-2-4 of the paper: key 00..0f, message 00..(n-1). */
static void
test_siphash_vectors(void **state)
{
	static const struct {
		size_t		n;
		uint64_t	h;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },
		{ 15, 0xa129ca6149be45e5ULL },
	};
	uint8_t k[16], m[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)i;
	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	for (i = 0; i < NELEM(v); i++)
		assert_true(sm_siphash(k, m, v[i].n) == v[i].h);
}

static void
test_order_and_duplicates(void **state)
{
	struct sm_strset s;
	bool added;
	size_t i;

	(void)state;
	sm_strset_init(&s, true);
	assert_false(sm_strset_find(&s, "a@b", NULL));
	assert_int_equal(sm_strset_add(&s, "Bob@Example.org", &added), 0);
	assert_true(added);
	assert_int_equal(sm_strset_add(&s, "carol@example.org", &added), 1);
	assert_true(added);
	/* Case does not matter: the first form stays. */
	assert_int_equal(sm_strset_add(&s, "BOB@example.ORG", &added), 0);
	assert_false(added);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0], "Bob@Example.org");
	assert_true(sm_strset_find(&s, "CAROL@EXAMPLE.ORG", &i));
	assert_int_equal(i, 1);
	sm_strset_clear(&s);
	assert_int_equal(s.n, 0);
	assert_false(sm_strset_find(&s, "carol@example.org", NULL));

	/* Without folding, case counts. */
	sm_strset_init(&s, false);
	(void)sm_strset_add(&s, "abc", NULL);
	(void)sm_strset_add(&s, "ABC", &added);
	assert_true(added);
	assert_int_equal(s.n, 2);
	assert_false(sm_strset_find(&s, "Abc", NULL));
	sm_strset_clear(&s);
}

/*
 * Many strings: each is found, in its place, and the work stays linear:
 * the slots looked at grow with the number of strings, not its square.
 */
static void
test_many_linear(void **state)
{
	struct sm_strset s;
	char buf[64];
	size_t i, n = 100000, idx;
	bool added;

	(void)state;
	sm_strset_init(&s, true);
	for (i = 0; i < n; i++) {
		(void)snprintf(buf, sizeof(buf), "user%zu@far%zu.example", i,
		    i % 7);
		assert_int_equal(sm_strset_add(&s, buf, &added), i);
		assert_true(added);
	}
	assert_true(s.probes < 3 * n);
	s.probes = 0;
	for (i = 0; i < n; i++) {
		(void)snprintf(buf, sizeof(buf), "USER%zu@FAR%zu.EXAMPLE", i,
		    i % 7);
		assert_true(sm_strset_find(&s, buf, &idx));
		assert_int_equal(idx, i);
	}
	assert_true(s.probes < 3 * n);
	/* Strings that differ only past the first eight bytes. */
	s.probes = 0;
	for (i = 0; i < n; i++) {
		(void)snprintf(buf, sizeof(buf), "absent-%zu@far.example", i);
		assert_false(sm_strset_find(&s, buf, NULL));
	}
	assert_true(s.probes < 3 * n);
	sm_strset_clear(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_order_and_duplicates),
		cmocka_unit_test(test_many_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
