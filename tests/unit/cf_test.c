/*
 * cf_test - the sendmail.cf reader (libsm/sm_cf).
 *
 * SPEC_EXAMPLES names the folder of example .cf extracts; by default
 * tests/data/examples, from the project's root where make runs.
 */
#include "sm_cf.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "test.h"

/* write_cf - a file with the given text; returns its path (static) */
static const char *
write_cf(const char *text)
{
	static char path[256];
	FILE *fp;

	(void)snprintf(path, sizeof(path), "%s/test.cf", test_dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* read_text - read a .cf from text; returns the result code */
static int
read_text(const char *text, struct sm_cf **cfp, struct sm_options *o,
    char *err, size_t errlen)
{
	*cfp = sm_cf_new();
	sm_opt_init(o);
	return sm_cf_read(*cfp, write_cf(text), o, err, errlen);
}

/* Each example .cf under the spec parses. */
static void
test_examples(void **state)
{
	const char *dir = getenv("SPEC_EXAMPLES");
	char pattern[512], err[1024];
	struct sm_options o;
	struct sm_cf *cf;
	glob_t g;
	size_t i;

	(void)state;
	if (dir == NULL)
		dir = "tests/data/examples";
	(void)snprintf(pattern, sizeof(pattern), "%s/*.options.txt", dir);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 4);
	for (i = 0; i < g.gl_pathc; i++) {
		cf = sm_cf_new();
		sm_opt_init(&o);
		if (sm_cf_read(cf, g.gl_pathv[i], &o, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(cf->version, 10);
		assert_non_null(sm_cf_mailer(cf, "relay"));
		assert_non_null(sm_cf_mailer(cf, "local"));
		sm_cf_free(cf);
		sm_opt_free(&o);
	}
	globfree(&g);
}

/* What the reader takes from each kind of line. */
static void
test_contents(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    "\n"
	    "V10/Berkeley\n"
	    "Djmail.example.org\n"
	    "D{daemon_name}MTA\n"
	    "DSrelay.example.com\n"
	    "Cwlocalhost\n"
	    "C{w}localhost.localdomain mail\n"
	    "C{Features}delay_checks\n"
	    "Fw/etc/mail/local-host-names\n"
	    "FR-o /etc/mail/relay-domains\n"
	    "F{P}|/bin/echo x\n"
	    "Kaccess hash -T<TMPF> -o /etc/mail/access.db\n"
	    "O LogLevel=14\n"
	    "O Timeout.command = 25m\n"
	    "Odq\n"
	    "Troot daemon\n"
	    "Pjunk=-100\n"
	    "H?P?Return-Path: <$g>\n"
	    "HReceived: $?sfrom $s $.by $j\n"
	    "\tid $i; $b\n"
	    "Mrelay,\t\tP=[IPC], F=mDFMuXa8, S=EnvFromSMTP/HdrFromSMTP, "
	    "R=MasqSMTP, E=\\r\\n, L=2040,\n"
	    "\t\tT=DNS/RFC822/SMTP,\n"
	    "\t\tA=TCP $h 587\n"
	    "Mlocal, P=/usr/bin/procmail, F=lsDFM, A=procmail -d $u\n"
	    "Scanonify=3\n"
	    "R$*\t$@ $1\tcomment\n"
	    "Xfilter, S=unix:/x\n";
	const struct sm_cf_mailer *m;
	const struct sm_cf_map *k;
	struct sm_options o;
	struct sm_cf *cf;
	char err[1024];

	(void)state;
	if (read_text(text, &cf, &o, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cf->version, 10);
	assert_string_equal(cf->vendor, "Berkeley");
	assert_string_equal(sm_cf_macro(cf, "j"), "mail.example.org");
	assert_string_equal(sm_cf_macro(cf, "daemon_name"), "MTA");
	assert_true(sm_cf_class_has(cf, "w", "localhost"));
	assert_true(sm_cf_class_has(cf, "w", "LOCALHOST.localdomain"));
	assert_true(sm_cf_class_has(cf, "w", "mail"));
	assert_true(sm_cf_class_has(cf, "Features", "delay_checks"));
	assert_true(sm_cf_class_has(cf, "t", "daemon"));
	assert_int_equal(cf->nfileclasses, 3);
	assert_false(cf->fileclasses[0].optional);
	assert_true(cf->fileclasses[1].optional);
	assert_string_equal(cf->fileclasses[1].path,
	    "/etc/mail/relay-domains");
	assert_true(cf->fileclasses[2].program);
	assert_string_equal(cf->fileclasses[2].path, "/bin/echo x");
	k = sm_cf_map(cf, "access");
	assert_non_null(k);
	assert_string_equal(k->type, "hash");
	assert_string_equal(k->args, "-T<TMPF> -o /etc/mail/access.db");
	assert_int_equal(o.LogLevel, 14);
	assert_int_equal(o.to.command, 1500);
	assert_int_equal(o.DeliveryMode, 'q');
	assert_int_equal(cf->nprecs, 1);
	assert_int_equal(cf->precs[0].value, -100);
	assert_int_equal(cf->nheaders, 2);
	assert_string_equal(cf->headers[0].flags, "P");
	assert_string_equal(cf->headers[0].name, "Return-Path");
	assert_string_equal(cf->headers[1].value,
	    "$?sfrom $s $.by $j\n\tid $i; $b");
	m = sm_cf_mailer(cf, "relay");
	assert_non_null(m);
	assert_string_equal(m->path, "[IPC]");
	assert_string_equal(m->flags, "mDFMuXa8");
	assert_string_equal(m->argv, "TCP $h 587");
	assert_string_equal(m->eol, "\\r\\n");
	assert_string_equal(m->type, "DNS/RFC822/SMTP");
	assert_int_equal(m->linelimit, 2040);
	m = sm_cf_mailer(cf, "local");
	assert_non_null(m);
	assert_string_equal(m->argv, "procmail -d $u");
	assert_int_equal(cf->rules_skipped, 2);
	assert_int_equal(cf->pending.n, 1);
	sm_cf_free(cf);
	sm_opt_free(&o);
}

/* Macro expansion with conditionals and nested values. */
static void
test_expand(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "$j Sendmail $v", "mail.example.org Sendmail 1.0" },
		{ "${daemon_name}!", "MTA!" },
		{ "$?sfrom $s $.by $j", "by mail.example.org" },
		{ "$?jyes$|no$.", "yes" },
		{ "$?sa$|b$.", "b" },
		{ "$?j$?sA$|B$.$|C$.", "B" },
		{ "$&j", "mail.example.org" },
		{ "$w.$m", "mail.example.org.example.org" },	/* nested */
		{ "no macros", "no macros" },
	};
	struct sm_options o;
	struct sm_cf *cf;
	struct sm_buf b;
	char err[256];
	size_t i;

	(void)state;
	if (read_text("Djmail.$m\nDmexample.org\nDv1.0\nD{daemon_name}MTA\n"
	    "Dw$j\n", &cf, &o, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	sm_buf_init(&b, 0);
	for (i = 0; i < NELEM(cases); i++) {
		sm_buf_reset(&b);
		assert_int_equal(sm_cf_expand(cf, cases[i].in, &b), 0);
		assert_string_equal(sm_buf_str(&b), cases[i].out);
	}
	sm_buf_reset(&b);
	assert_int_equal(sm_cf_expand(cf, "$?jno end", &b), -1);
	sm_buf_reset(&b);
	assert_int_equal(sm_cf_expand(cf, "${open", &b), -1);
	sm_cf_define(cf, "x", "$x");
	sm_buf_reset(&b);
	assert_int_equal(sm_cf_expand(cf, "$x", &b), -1);	/* a loop */
	sm_buf_free(&b);
	sm_cf_free(cf);
	sm_opt_free(&o);
}

/* Each bad line: EX_CONFIG and "FILE: line 3: reason". */
static void
test_bad_lines(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "Zbogus", "unknown configuration line type 'Z'" },
		{ "V99/Berkeley", "newer than this program" },
		{ "Vx", "invalid version" },
		{ "D", "macro name" },
		{ "D{unterminated value", "macro name" },
		{ "Dxsee ${here", "unterminated macro" },
		{ "C", "class name" },
		{ "Fw", "missing file name" },
		{ "Fw-x /etc/x", "unknown flag" },
		{ "K", "missing map name" },
		{ "Kaccess", "missing map type" },
		{ "Kaccess nosuchtype /etc/x", "unknown map type" },
		{ "O NoSuchOption=1", "unknown option" },
		{ "O Timeout.command=5x", "units are" },
		{ "O Timeout.bogus=5m", "no such suboption" },
		{ "O MaxMessageSize=lots", "not a number" },
		{ "O", "option name missing" },
		{ "OMx", "define macro" },
		{ "O!x", "unknown option letter" },
		{ "Mfoo, F=x, A=foo", "P= must be given" },
		{ "Mfoo, P=/bin/foo, F=x", "A= must be given" },
		{ "Mfoo, P=/bin/foo, Z=1, A=x", "unknown mailer field" },
		{ "Mfoo, P=/bin/foo, L=many, A=x", "not a number" },
		{ "Mfoo, P=/bin/foo, F, A=x", "has no value" },
		{ "Mlocal, P=/bin/x, A=x", "defined twice" },
		{ "M", "missing mailer name" },
		{ "HNoColon", "colon required" },
		{ "H?P", "unterminated ?flags?" },
		{ "Pjunk", "name=number" },
		{ "Pjunk=lots", "not a number" },
	};
	char text[512], err[1024], want[256];
	struct sm_options o;
	struct sm_cf *cf;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		(void)snprintf(text, sizeof(text), "V10/Berkeley\n"
		    "Mlocal, P=/bin/true, A=true\n%s\nDjfine\n", bad[i].line);
		err[0] = '\0';
		rc = read_text(text, &cf, &o, err, sizeof(err));
		if (rc != EX_CONFIG)
			fail_msg("\"%s\": result %d, want EX_CONFIG (%s)",
			    bad[i].line, rc, err);
		(void)snprintf(want, sizeof(want), "%s/test.cf: line 3: ",
		    test_dir);
		if (strncmp(err, want, strlen(want)) != 0 ||
		    strstr(err, bad[i].msg) == NULL)
			fail_msg("\"%s\": message \"%s\" wants \"%s\" and "
			    "\"%s\"", bad[i].line, err, want, bad[i].msg);
		sm_cf_free(cf);
		sm_opt_free(&o);
	}
}

/* A continued line's error names the line it starts on. */
static void
test_error_line_numbers(void **state)
{
	char err[1024], want[256];
	struct sm_options o;
	struct sm_cf *cf;

	(void)state;
	assert_int_equal(read_text("V10\nMrelay, P=[IPC],\n\tF=m,\n"
	    "\tZ=1\n", &cf, &o, err, sizeof(err)), EX_CONFIG);
	(void)snprintf(want, sizeof(want), "%s/test.cf: line 2: ", test_dir);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	sm_cf_free(cf);
	sm_opt_free(&o);
}

/* A file that cannot be opened: EX_OSFILE and "line 0: cannot open". */
static void
test_missing_file(void **state)
{
	struct sm_options o;
	struct sm_cf *cf = sm_cf_new();
	char err[512];

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(sm_cf_read(cf, "/nonexistent/sendmail.cf", &o, err,
	    sizeof(err)), EX_OSFILE);
	assert_non_null(strstr(err, "/nonexistent/sendmail.cf: line 0: "
	    "cannot open"));
	sm_cf_free(cf);
	sm_opt_free(&o);
}

/* An empty file is a valid configuration: all defaults. */
static void
test_empty(void **state)
{
	struct sm_options o;
	struct sm_cf *cf;
	char err[512];

	(void)state;
	assert_int_equal(read_text("", &cf, &o, err, sizeof(err)), 0);
	assert_int_equal(cf->version, 0);
	assert_int_equal(o.to.command, 3600);
	sm_cf_free(cf);
	sm_opt_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_contents),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_error_line_numbers),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
