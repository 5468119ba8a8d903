/*
 * map_test - Berkeley DB maps (libsm/sm_map).
 */
#include "sm_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static int
count_pair(void *ctx, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(int *)ctx)++;
	return 0;
}

/* Store, look up, refuse duplicates, replace, walk, reopen read-only. */
static void
roundtrip(enum sm_map_type type, const char *name)
{
	char path[256], err[256];
	struct sm_map *m;
	struct sm_buf b;
	int n = 0;

	(void)snprintf(path, sizeof(path), "%s/%s.db", test_dir, name);
	m = sm_map_open(path, type, SM_MAP_CREATE, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(sm_map_put(m, "root", 4, "alice", 5, false), 0);
	assert_int_equal(sm_map_put(m, "root", 4, "bob", 3, false), 1);
	assert_int_equal(sm_map_put(m, "postmaster", 10, "root", 4, false),
	    0);
	assert_int_equal(sm_map_put(m, "postmaster", 10, "carol", 5, true),
	    0);
	assert_int_equal(sm_map_close(m), 0);
	/* The file exists now: creating again is refused. */
	assert_null(sm_map_open(path, type, SM_MAP_CREATE, err, sizeof(err)));
	m = sm_map_open(path, type, SM_MAP_RDONLY, err, sizeof(err));
	assert_non_null(m);
	sm_buf_init(&b, 0);
	assert_int_equal(sm_map_get(m, "root", 4, &b), 0);
	assert_string_equal(sm_buf_str(&b), "alice");
	assert_int_equal(sm_map_get(m, "postmaster", 10, &b), 0);
	assert_string_equal(sm_buf_str(&b), "carol");
	assert_int_equal(sm_map_get(m, "nobody", 6, &b), 1);
	assert_int_equal(sm_map_walk(m, count_pair, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sm_map_put(m, "x", 1, "y", 1, true), -1);
	sm_buf_free(&b);
	assert_int_equal(sm_map_close(m), 0);
}

static void
test_hash(void **state)
{
	(void)state;
	roundtrip(SM_MAP_HASH, "h");
}

static void
test_btree(void **state)
{
	(void)state;
	roundtrip(SM_MAP_BTREE, "b");
}

/* Type names; a missing file is an error with a reason. */
static void
test_types_and_errors(void **state)
{
	enum sm_map_type t;
	char err[256];

	(void)state;
	assert_int_equal(sm_map_type("hash", &t), 0);
	assert_int_equal(t, SM_MAP_HASH);
	assert_int_equal(sm_map_type("btree", &t), 0);
	assert_int_equal(t, SM_MAP_BTREE);
	assert_int_equal(sm_map_type("dbm", &t), -1);
	err[0] = '\0';
	assert_null(sm_map_open("/nonexistent/x.db", SM_MAP_HASH,
	    SM_MAP_RDONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/x.db"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_btree),
		cmocka_unit_test(test_types_and_errors),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
