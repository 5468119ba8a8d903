/*
 * args_test - sendmail's command line (sendmaild/config/args).
 */
#include "args.h"

#include <string.h>
#include <sysexits.h>

#include "test.h"

#define MAXARGS	32

/* parse - split a command line at blanks and parse it */
static int
parse(const char *line, struct args *a, char *err, size_t errlen)
{
	static char buf[512];
	static char *argv[MAXARGS];
	int argc = 0;
	char *w, *save = NULL;

	assert_true(strlen(line) < sizeof(buf));
	(void)sm_strlcpy(buf, line, sizeof(buf));
	for (w = strtok_r(buf, " ", &save); w != NULL && argc < MAXARGS - 1;
	    w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return args_parse(argc, argv, a, err, errlen);
}

/* The program name picks the mode; -b overrides it. */
static void
test_modes(void **state)
{
	static const struct {
		const char *line;
		char mode;
	} cases[] = {
		{ "sendmail", 'm' }, { "/usr/sbin/sendmail", 'm' },
		{ "mailq", 'p' }, { "/usr/bin/newaliases", 'i' },
		{ "hoststat", 'h' }, { "purgestat", 'H' }, { "smtpd", 'd' },
		{ "sendmail -bd", 'd' }, { "sendmail -bD", 'D' },
		{ "sendmail -bs", 's' }, { "sendmail -bp", 'p' },
		{ "sendmail -bO", 'O' }, { "sendmail -b v", 'v' },
		{ "sendmail -bd -bp", 'p' }, { "sendmail -I", 'i' },
		{ "mailq -bd", 'd' },
	};
	struct args a;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		if (parse(cases[i].line, &a, err, sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].line, err);
		if (a.mode != cases[i].mode)
			fail_msg("%s: mode %c, want %c", cases[i].line, a.mode,
			    cases[i].mode);
		args_free(&a);
	}
	/* runq is sendmail -q. */
	assert_int_equal(parse("/usr/sbin/runq", &a, err, sizeof(err)), 0);
	assert_true(a.queue_run);
	assert_int_equal(a.mode, 'm');
	args_free(&a);
	assert_int_equal(parse("sendmail", &a, err, sizeof(err)), 0);
	assert_false(a.queue_run);
	args_free(&a);
}

/* Flags and their values, attached or in the next word. */
static void
test_flags(void **state)
{
	struct args a;
	char err[256];

	(void)state;
	assert_int_equal(parse("sendmail -C /tmp/x.cf -O Timeout.command=25m "
	    "-odq -oi -f alice@example.org -Fname -N success,delay -R hdrs "
	    "-V abc+2Bdef -t a@b c@d", &a, err, sizeof(err)), 0);
	assert_string_equal(a.cf_path, "/tmp/x.cf");
	assert_int_equal(a.nover, 3);
	assert_int_equal(a.over[0].letter, 0);
	assert_string_equal(a.over[0].text, "Timeout.command=25m");
	assert_int_equal(a.over[1].letter, 'd');
	assert_string_equal(a.over[1].text, "q");
	assert_int_equal(a.over[2].letter, 'i');
	assert_string_equal(a.from, "alice@example.org");
	assert_string_equal(a.fullname, "name");
	assert_string_equal(a.notify, "success,delay");
	assert_string_equal(a.ret, "hdrs");
	assert_string_equal(a.envid, "abc+2Bdef");
	assert_true(a.read_rcpts);
	assert_int_equal(a.nrcpts, 2);
	assert_string_equal(a.rcpts[0], "a@b");
	assert_string_equal(a.rcpts[1], "c@d");
	args_free(&a);

	assert_int_equal(parse("sendmail -- -notaflag", &a, err,
	    sizeof(err)), 0);
	assert_int_equal(a.nrcpts, 1);
	assert_string_equal(a.rcpts[0], "-notaflag");
	args_free(&a);
	assert_int_equal(parse("sendmail -ti x", &a, err, sizeof(err)), 0);
	assert_true(a.read_rcpts);
	assert_int_equal(a.nover, 1);
	args_free(&a);
	assert_int_equal(parse("sendmail -oMrESMTP", &a, err, sizeof(err)),
	    0);
	assert_int_equal(a.nmacros, 1);
	assert_string_equal(a.macros[0].text, "rESMTP");
	args_free(&a);
}

/* -q forms. */
static void
test_queue(void **state)
{
	struct args a;
	char err[256];

	(void)state;
	assert_int_equal(parse("sendmail -q", &a, err, sizeof(err)), 0);
	assert_true(a.queue_run);
	assert_int_equal(a.queue_interval, 0);
	args_free(&a);
	assert_int_equal(parse("sendmail -bd -q15m", &a, err, sizeof(err)),
	    0);
	assert_int_equal(a.queue_interval, 900);
	args_free(&a);
	assert_int_equal(parse("sendmail -q1h30", &a, err, sizeof(err)), 0);
	assert_int_equal(a.queue_interval, 5400);
	args_free(&a);
	assert_int_equal(parse("sendmail -qf", &a, err, sizeof(err)), 0);
	assert_true(a.queue_foreground);
	args_free(&a);
	assert_int_equal(parse("sendmail -qRexample.com -q!Sspam -qIabc",
	    &a, err, sizeof(err)), 0);
	assert_int_equal(a.nqsel, 3);
	assert_int_equal(a.qsel[0].kind, 'R');
	assert_string_equal(a.qsel[0].pattern, "example.com");
	assert_true(a.qsel[1].negate);
	assert_int_equal(a.qsel[1].kind, 'S');
	assert_int_equal(a.qsel[2].kind, 'I');
	args_free(&a);
	assert_int_equal(parse("sendmail -qp5s", &a, err, sizeof(err)), 0);
	assert_true(a.queue_persistent);
	assert_int_equal(a.queue_interval, 5);
	args_free(&a);
}

/* Usage errors, worded as sendmail words them. */
static void
test_usage_errors(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "sendmail -bz", "Frozen configurations unsupported" },
		{ "sendmail -bx", "Invalid operation mode x" },
		{ "sendmail -q -bv", "Can not use -q with -bv" },
		{ "sendmail -f a -f b", "More than one \"from\" person" },
		{ "sendmail -r a -f b", "More than one \"from\" person" },
		{ "sendmail -N sometimes", "Invalid -N argument" },
		{ "sendmail -R full -R hdrs", "Duplicate -R flag" },
		{ "sendmail -R most", "Invalid -R value" },
		{ "sendmail -V a=b", "Invalid syntax in -V flag" },
		{ "sendmail -V a+zz", "Invalid syntax in -V flag" },
		{ "sendmail -q10x", "units are" },
		{ "sendmail -qZfoo", "Invalid -q value" },
		{ "sendmail -q!Gx", "Can not use -q!G" },
		{ "sendmail -y", "Illegal option -y" },
		{ "sendmail -O", "requires an argument" },
		{ "sendmail -B 9BIT", "Illegal body type" },
	};
	struct args a;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		err[0] = '\0';
		if (parse(bad[i].line, &a, err, sizeof(err)) != EX_USAGE)
			fail_msg("%s: accepted", bad[i].line);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].line, err,
			    bad[i].msg);
		args_free(&a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
