/*
 * deadline_test - deadlines on an injected clock (libsm/sm_deadline).
 */
#include "sm_deadline.h"

#include "test.h"

static struct timespec fake_now;

static void
fake_clock(struct timespec *ts)
{
	*ts = fake_now;
}

static void
advance_ms(long ms)
{
	fake_now.tv_sec += ms / 1000;
	fake_now.tv_nsec += (ms % 1000) * 1000000L;
	if (fake_now.tv_nsec >= 1000000000L) {
		fake_now.tv_sec++;
		fake_now.tv_nsec -= 1000000000L;
	}
}

static int
setup(void **state)
{
	(void)state;
	fake_now.tv_sec = 1000;
	fake_now.tv_nsec = 999000000L;	/* near a second boundary */
	sm_clock_hook = fake_clock;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sm_clock_hook = NULL;
	return 0;
}

/* Time left counts down with the clock and stops at zero. */
static void
test_countdown(void **state)
{
	struct sm_deadline dl;

	(void)state;
	sm_deadline_in(&dl, 3);
	assert_int_equal(sm_deadline_left_ms(&dl), 3000);
	assert_false(sm_deadline_expired(&dl));
	advance_ms(1500);
	assert_int_equal(sm_deadline_left_ms(&dl), 1500);
	advance_ms(1499);
	assert_int_equal(sm_deadline_left_ms(&dl), 1);
	assert_false(sm_deadline_expired(&dl));
	advance_ms(1);
	assert_int_equal(sm_deadline_left_ms(&dl), 0);
	assert_true(sm_deadline_expired(&dl));
	advance_ms(60000);
	assert_int_equal(sm_deadline_left_ms(&dl), 0);
}

/* Milliseconds, the earlier of two, and option fallbacks. */
static void
test_min_and_bound(void **state)
{
	struct sm_deadline a, b;

	(void)state;
	sm_deadline_in_ms(&a, 250);
	sm_deadline_in(&b, 1);
	assert_ptr_equal(sm_deadline_min(&a, &b), &a);
	assert_ptr_equal(sm_deadline_min(&b, &a), &a);
	assert_int_equal(sm_deadline_left_ms(&a), 250);
	assert_int_equal(sm_bound(0, 300), 300);
	assert_int_equal(sm_bound(-1, 300), 300);
	assert_int_equal(sm_bound(5, 300), 5);
}

/* Whole seconds on the same clock, for intervals between events. */
static void
test_seconds(void **state)
{
	(void)state;
	assert_int_equal(sm_clock_sec(), 1000);
	advance_ms(1);
	assert_int_equal(sm_clock_sec(), 1001);
	advance_ms(59999);
	assert_int_equal(sm_clock_sec(), 1060);
}

/* A long deadline does not overflow the int poll() takes. */
static void
test_long(void **state)
{
	struct sm_deadline dl;

	(void)state;
	sm_deadline_in(&dl, 100L * 366 * 86400);
	assert_true(sm_deadline_left_ms(&dl) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_countdown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_min_and_bound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seconds, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
