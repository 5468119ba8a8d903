/*
 * qlocal_test - what the local hook reports for a recipient, and the
 * targets that have a message already (queue/q_local): the macro
 * ${local_done} read back as written, rewritten only when it grew, one
 * macro however often it is written; the failures a hook files, kept
 * as copies.
 */
#include "q_local.h"

#include <string.h>

#include "test.h"

/* macros_named - how many of c's macros are ${local_done} */
static size_t
macros_named(const struct q_ctl *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->macros.n; i++)
		n += strncmp(c->macros.v[i], "{local_done}", 12) == 0;
	return n;
}

static void
test_done(void **state)
{
	struct q_ctl c;
	struct sm_strset done, back;
	size_t before;

	(void)state;
	memset(&c, 0, sizeof(c));
	sm_strlist_add(&c.macros, "{daemon_flags}");
	sm_strset_init(&done, false);
	q_local_done_read(&c, &done);
	assert_int_equal(done.n, 0);

	/* Nothing new: nothing written. */
	q_local_done_write(&c, &done, 0);
	assert_int_equal(macros_named(&c), 0);

	(void)sm_strset_add(&done, "h1", NULL);
	(void)sm_strset_add(&done, "h2", NULL);
	q_local_done_write(&c, &done, 0);
	assert_int_equal(macros_named(&c), 1);
	before = done.n;
	(void)sm_strset_add(&done, "h3", NULL);
	q_local_done_write(&c, &done, before);
	assert_int_equal(macros_named(&c), 1);
	assert_int_equal(c.macros.n, 2);

	sm_strset_init(&back, false);
	q_local_done_read(&c, &back);
	assert_int_equal(back.n, 3);
	assert_string_equal(back.v[0], "h1");
	assert_string_equal(back.v[1], "h2");
	assert_string_equal(back.v[2], "h3");
	sm_strset_clear(&back);
	sm_strset_clear(&done);
	sm_strlist_clear(&c.macros);
}

static void
test_errs(void **state)
{
	struct q_local lo;
	struct q_result r;
	char owner[] = "<owner-list@example.org>";

	(void)state;
	memset(&lo, 0, sizeof(lo));
	q_result_set(&r, Q_PERMFAIL, "5.1.1", "User unknown");
	q_local_add_err(&lo, owner, "gone", &r);
	q_local_add_err(&lo, NULL, "/no/file", &r);
	owner[1] = 'X';		/* the hook's buffers are its own */
	assert_int_equal(lo.nerrs, 2);
	assert_string_equal(lo.errs[0].owner, "<owner-list@example.org>");
	assert_string_equal(lo.errs[0].target, "gone");
	assert_null(lo.errs[1].owner);
	assert_string_equal(lo.errs[1].res.dsn, "5.1.1");
	q_local_free(&lo);
	assert_int_equal(lo.nerrs, 0);
	assert_null(lo.errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_done),
		cmocka_unit_test(test_errs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
