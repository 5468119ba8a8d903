/*
 * group_test - items put into groups by a key (libsm/sm_group): groups
 * in the order of their first item, each group's items in order, items
 * never put in no group, and keys told apart exactly.
 */
#include "sm_group.h"

#include <string.h>

#include "test.h"

/* items_are - group k holds want[0..n) */
static void
items_are(const struct sm_group *g, size_t k, const size_t *want, size_t n)
{
	const size_t *items;
	size_t len, i;

	items = sm_group_items(g, k, &len);
	assert_int_equal(len, n);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i], want[i]);
}

static void
test_order(void **state)
{
	static const char *const keys[] = { "b", "a", "b", NULL, "c", "a",
	    "B" };
	static const size_t b[] = { 0, 2 }, a[] = { 1, 5 }, c[] = { 4 },
	    upper[] = { 6 };
	struct sm_group g;
	size_t i;

	(void)state;
	sm_group_init(&g, NELEM(keys));
	for (i = 0; i < NELEM(keys); i++)
		if (keys[i] != NULL)
			sm_group_put(&g, i, keys[i]);
	sm_group_sort(&g);
	assert_int_equal(g.keys.n, 4);
	items_are(&g, 0, b, NELEM(b));
	items_are(&g, 1, a, NELEM(a));
	items_are(&g, 2, c, NELEM(c));
	items_are(&g, 3, upper, NELEM(upper));
	sm_group_free(&g);
}

/* Many items in few groups: every item once, in its group. */
static void
test_many(void **state)
{
	enum { N = 10000 };
	struct sm_group g;
	const size_t *items;
	char key[16];
	size_t i, k, len, total = 0;

	(void)state;
	sm_group_init(&g, N);
	for (i = 0; i < N; i++) {
		(void)snprintf(key, sizeof(key), "k%zu", i % 7);
		sm_group_put(&g, i, key);
	}
	sm_group_sort(&g);
	assert_int_equal(g.keys.n, 7);
	for (k = 0; k < g.keys.n; k++) {
		items = sm_group_items(&g, k, &len);
		for (i = 0; i < len; i++) {
			assert_int_equal(items[i] % 7, k);
			if (i > 0)
				assert_true(items[i] > items[i - 1]);
		}
		total += len;
	}
	assert_int_equal(total, N);
	sm_group_free(&g);
}

/* Nothing put: no group. */
static void
test_empty(void **state)
{
	struct sm_group g;

	(void)state;
	sm_group_init(&g, 3);
	sm_group_sort(&g);
	assert_int_equal(g.keys.n, 0);
	sm_group_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
