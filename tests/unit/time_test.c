/*
 * time_test - durations in sendmail's syntax (libsm/sm_time).
 */
#include "sm_time.h"

#include <string.h>

#include "test.h"

static const struct {
	const char	*in;
	char		 unit;
	int		 flags;
	long		 want;
} good[] = {
	{ "45s", 'm', 0, 45 },
	{ "5m", 'm', 0, 300 },
	{ "1h", 'm', 0, 3600 },
	{ "2d", 'm', 0, 172800 },
	{ "1w", 'm', 0, 604800 },
	{ "1h30m", 'm', 0, 5400 },
	{ "3d22h4s", 'm', 0, 3 * 86400 + 22 * 3600 + 4 },
	{ "1h30", 'm', 0, 5400 },		/* trailing number: default unit */
	{ "10", 'm', 0, 600 },			/* bare number, minutes */
	{ "4", 'h', 0, 14400 },			/* queuewarn: hours */
	{ "5", 'd', 0, 432000 },		/* queuereturn: days */
	{ "5", 's', 0, 5 },			/* resolver.retrans: seconds */
	{ "0", 'm', 0, 0 },
	{ "0s", 'm', 0, 0 },
	{ "now", 'd', SM_TIME_ALLOW_NOW, SM_TIME_NOW },
	{ "NOW", 'd', SM_TIME_ALLOW_NOW, SM_TIME_NOW },
	{ "007m", 'm', 0, 420 },
};

static const struct {
	const char	*in;
	int		 flags;
	const char	*msg;		/* a part of the error text */
} bad[] = {
	{ "", 0, "empty" },
	{ "10x", 0, "units are" },
	{ "10M", 0, "units are" },		/* units are lower case */
	{ "-5m", 0, "expected a number" },
	{ "+5m", 0, "expected a number" },
	{ "5 m", 0, "units are" },
	{ " 5m", 0, "expected a number" },
	{ "m", 0, "expected a number" },
	{ "1hh", 0, "expected a number" },
	{ "abc", 0, "expected a number" },
	{ "now", 0, "not allowed" },
	{ "99999999999999999999", 0, "too large" },
	{ "1000000w", 0, "too large" },
	{ "5m\n", 0, "expected a number" },
};

/* Every form in spec/timeouts.md 1.2 gives the right number of seconds. */
static void
test_good(void **state)
{
	char err[128];
	size_t i;
	long v;

	(void)state;
	for (i = 0; i < NELEM(good); i++) {
		v = -99;
		if (sm_time_parse(good[i].in, good[i].unit, good[i].flags, &v,
		    err, sizeof(err)) != 0)
			fail_msg("\"%s\": %s", good[i].in, err);
		if (v != good[i].want)
			fail_msg("\"%s\": got %ld, want %ld", good[i].in, v,
			    good[i].want);
	}
}

/* Garbage is refused with a message that names the problem. */
static void
test_bad(void **state)
{
	char err[128];
	size_t i;
	long v = 12345;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		err[0] = '\0';
		if (sm_time_parse(bad[i].in, 'm', bad[i].flags, &v, err,
		    sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i].in);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"",
			    bad[i].in, err, bad[i].msg);
		assert_int_equal(v, 12345);	/* untouched */
	}
}

/* The canonical form parses back to the same value, whatever the unit. */
static void
test_format_roundtrip(void **state)
{
	static const long values[] = { 0, 1, 59, 60, 61, 3599, 3600, 5400,
	    86399, 86400, 432000, 604800, 694861, SM_TIME_NOW,
	    SM_TIME_MAX };
	static const char units[] = "smhdw";
	char buf[64], err[128];
	size_t i, u;
	long v;

	(void)state;
	for (i = 0; i < NELEM(values); i++)
		for (u = 0; u < strlen(units); u++) {
			(void)sm_time_format(values[i], buf, sizeof(buf));
			assert_int_equal(sm_time_parse(buf, units[u],
			    SM_TIME_ALLOW_NOW, &v, err, sizeof(err)), 0);
			assert_int_equal(v, values[i]);
		}
	assert_string_equal(sm_time_format(5400, buf, sizeof(buf)), "1h30m");
	assert_string_equal(sm_time_format(432000, buf, sizeof(buf)), "5d");
	assert_string_equal(sm_time_format(45, buf, sizeof(buf)), "45s");
	assert_string_equal(sm_time_format(0, buf, sizeof(buf)), "0");
	assert_string_equal(sm_time_format(SM_TIME_NOW, buf, sizeof(buf)),
	    "now");
	assert_string_equal(sm_time_format(90061, buf, sizeof(buf)),
	    "1d1h1m1s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
