/*
 * opt_test - the option table (libsm/sm_opt).
 */
#include "sm_opt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* Binary defaults of every Timeout suboption (spec/timeouts.md 3). */
static void
test_timeout_defaults(void **state)
{
	struct sm_options o;
	int k;

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(o.to.connect, 0);
	assert_int_equal(o.to.iconnect, 0);
	assert_int_equal(o.to.aconnect, 0);
	assert_int_equal(o.to.initial, 300);
	assert_int_equal(o.to.helo, 300);
	assert_int_equal(o.to.mail, 600);
	assert_int_equal(o.to.rcpt, 3600);
	assert_int_equal(o.to.datainit, 300);
	assert_int_equal(o.to.datablock, 3600);
	assert_int_equal(o.to.datafinal, 3600);
	assert_int_equal(o.to.rset, 300);
	assert_int_equal(o.to.quit, 120);
	assert_int_equal(o.to.misc, 120);
	assert_int_equal(o.to.command, 3600);
	assert_int_equal(o.to.ident, 5);
	assert_int_equal(o.to.fileopen, 60);
	assert_int_equal(o.to.lhlo, 120);
	assert_int_equal(o.to.auth, 600);
	assert_int_equal(o.to.starttls, 3600);
	assert_int_equal(o.to.control, 120);
	assert_int_equal(o.to.hoststatus, 1800);
	for (k = 0; k < SM_CLASS_N; k++) {
		assert_int_equal(o.to.queuereturn[k], 5 * 86400);
		assert_int_equal(o.to.queuewarn[k], 0);
	}
	for (k = 0; k < SM_RES_N; k++) {
		assert_int_equal(o.to.resolver_retrans[k], 5);
		assert_int_equal(o.to.resolver_retry[k], 2);
	}
	sm_opt_free(&o);
}

/* Other defaults the issue names. */
static void
test_defaults(void **state)
{
	struct sm_options o;

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(o.DeliveryMode, 'b');
	assert_string_equal(o.QueueDirectory, "/var/spool/mqueue");
	assert_int_equal(o.MaxMessageSize, 0);
	/* Not sendmail's 0: see man/sendmaild.7. */
	assert_int_equal(o.MaxRecipientsPerMessage, 1000);
	assert_int_equal(o.MaxDaemonChildren, 0);
	assert_int_equal(o.ConnectionRateThrottle, 0);
	assert_int_equal(o.MaxQueueChildren, 0);
	assert_int_equal(o.MaxQueueRunSize, 0);
	assert_int_equal(o.MinQueueAge, 0);
	assert_int_equal(o.QueueSortOrder, 'p');
	assert_int_equal(o.ConnectionCacheSize, 1);
	assert_int_equal(o.ConnectionCacheTimeout, 300);
	assert_false(o.SingleThreadDelivery);
	assert_string_equal(o.HostStatusDirectory, "");
	assert_int_equal(o.PrivacyOptions, 0);
	assert_int_equal(o.LogLevel, 9);
	assert_string_equal(o.RunAsUser, "");
	assert_true(o.DefaultUser[0] != '\0');
	assert_int_equal(o.DaemonPortOptions.n, 1);
	assert_string_equal(o.DaemonPortOptions.v[0], "Name=MTA");
	assert_string_equal(o.SmtpGreetingMessage,
	    "$j Sendmail $v ready at $b");
	assert_string_equal(o.AliasFile, "");
	assert_string_equal(o.StatusFile, "");
	assert_int_equal(o.MaxHeadersLength, 32768);
	assert_int_equal(o.TempFileMode, 0600);
	assert_int_equal(o.BlankSub, ' ');
	assert_true(o.QueueLA > 0 && o.RefuseLA > o.QueueLA);
	sm_opt_free(&o);
}

struct setcase {
	const char	*line;
	const char	*print;		/* a line of -bO output it gives */
};

/* Values are parsed and printed back in the canonical form. */
static void
test_set_and_print(void **state)
{
	static const struct setcase cases[] = {
		{ "Timeout.command=25m", "O Timeout.command=25m\n" },
		{ "timeout.QUEUEWARN.URGENT=1h",
		    "O Timeout.queuewarn.urgent=1h\n" },
		{ "Timeout.queuereturn.*=3d",
		    "O Timeout.queuereturn.dsn=3d\n" },
		{ "Timeout.datablock=90", "O Timeout.datablock=1h30m\n" },
		{ "Timeout.queuewarn=4", "O Timeout.queuewarn.normal=4h\n" },
		{ "Timeout.queuereturn=now", "O Timeout.queuereturn=now\n" },
		{ "Timeout.resolver.retrans=3",
		    "O Timeout.resolver.retrans.first=3s\n" },
		{ "Timeout.resolver.retry=4",
		    "O Timeout.resolver.retry.normal=4\n" },
		{ "Timeout=10m,connect=1m,ident:0", "O Timeout.mail=10m\n" },
		{ "Timeout=10m,connect=1m,ident:0", "O Timeout.connect=1m\n" },
		{ "Timeout=10m,connect=1m,ident:0", "O Timeout.ident=0\n" },
		{ "QueueTimeout=5d/4h", "O Timeout.queuewarn.dsn=4h\n" },
		{ "DeliveryMode=queueonly", "O DeliveryMode=queueonly\n" },
		{ "DeliveryMode=q", "O DeliveryMode=queueonly\n" },
		{ "DeliveryMode", "O DeliveryMode=interactive\n" },
		{ "MaxMessageSize = 23271520", "O MaxMessageSize=23271520\n" },
		{ "PrivacyOptions=authwarnings,novrfy,noexpn,restrictqrun",
		    "O PrivacyOptions=noexpn,novrfy,authwarnings,"
		    "restrictqrun\n" },
		{ "PrivacyOptions=goaway", "O PrivacyOptions=needmailhelo,"
		    "needexpnhelo,needvrfyhelo,noexpn,novrfy,authwarnings,"
		    "noverb\n" },
		{ "SuperSafe=True", "O SuperSafe=True\n" },
		{ "SuperSafe=interactive", "O SuperSafe=interactive\n" },
		{ "DontProbeInterfaces=loopback",
		    "O DontProbeInterfaces=loopback\n" },
		{ "TempFileMode=0640", "O TempFileMode=0640\n" },
		{ "SingleThreadDelivery", "O SingleThreadDelivery=True\n" },
		{ "HostStatusDirectory=.hoststat",
		    "O HostStatusDirectory=.hoststat\n" },
		{ "SmtpGreetingMessage=$j Sendmail $v/$Z; $b",
		    "O SmtpGreetingMessage=$j Sendmail $v/$Z; $b\n" },
		{ "QueueSortOrder=host", "O QueueSortOrder=host\n" },
		{ "MinQueueAge=15m", "O MinQueueAge=15m\n" },
		{ "ConnectionCacheTimeout=2m",
		    "O ConnectionCacheTimeout=2m\n" },
		{ "BlankSub=.", "O BlankSub=.\n" },
		{ "MaxDaemon=40", "O MaxDaemonChildren=40\n" },	/* prefix */
		{ "DontBlameSendmail=safe", "O DontBlameSendmail=safe\n" },
		{ "DontBlameSendmail=truststickybit, Safe\tGROUPWRITABLE"
		    "FORWARDFILE,,", "O DontBlameSendmail=GroupWritable"
		    "ForwardFile,TrustStickyBit\n" },
	};
	struct sm_options o;
	char err[256], *out;
	size_t i, len;
	FILE *fp;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		sm_opt_init(&o);
		if (sm_opt_set_line(&o, cases[i].line, SM_OPT_SRC_FILE, err,
		    sizeof(err)) != 0)
			fail_msg("\"%s\": %s", cases[i].line, err);
		fp = open_memstream(&out, &len);
		sm_opt_print(&o, fp);
		(void)fclose(fp);
		if (strstr(out, cases[i].print) == NULL)
			fail_msg("\"%s\": output lacks \"%s\"", cases[i].line,
			    cases[i].print);
		free(out);
		sm_opt_free(&o);
	}
}

/* Bad names and values are refused with a reason; nothing changes. */
static void
test_bad(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "NoSuchOption=1", "unknown option" },
		{ "Timeout.nosuch=1m", "no such suboption" },
		{ "Timeout.command=10x", "units are" },
		{ "Timeout.command=now", "not allowed" },
		{ "Timeout=10m,bogus", "neither a duration" },
		{ "Max=1", "ambiguous" },
		{ "MaxMessageSize=big", "not a number" },
		{ "MaxMessageSize=-1", "not a number" },
		{ "LogLevel=1000", "not a number" },
		{ "SuperSafe=maybe", "not one of" },
		{ "DeliveryMode=x", "not one of" },
		{ "QueueSortOrder=zigzag", "not one of" },
		{ "SevenBitInput=perhaps", "not a boolean" },
		{ "PrivacyOptions=authwarnings,nosuch", "unknown flag" },
		{ "DontBlameSendmail=TrustStickyBit,Foo", "unknown word" },
		{ "DontBlameSendmail=TrustSticky", "unknown word" },
		{ "TempFileMode=0800", "octal" },
		{ "TempFileMode=rw", "octal" },
		{ "BlankSub=..", "single character" },
		{ "=value", "option name missing" },
	};
	struct sm_options o;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		sm_opt_init(&o);
		err[0] = '\0';
		if (sm_opt_set_line(&o, bad[i].line, SM_OPT_SRC_FILE, err,
		    sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i].line);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].line,
			    err, bad[i].msg);
		assert_int_equal(o.to.command, 3600);
		assert_int_equal(o.MaxMessageSize, 0);
		sm_opt_free(&o);
	}
}

/* One-letter options, as in "Odq" and "-oi". */
static void
test_letters(void **state)
{
	struct sm_options o;
	char err[256];

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(sm_opt_set_letter(&o, 'd', "q", SM_OPT_SRC_CMDLINE,
	    err, sizeof(err)), 0);
	assert_int_equal(o.DeliveryMode, 'q');
	assert_int_equal(sm_opt_set_letter(&o, 'L', "20", SM_OPT_SRC_CMDLINE,
	    err, sizeof(err)), 0);
	assert_int_equal(o.LogLevel, 20);
	assert_int_equal(sm_opt_set_letter(&o, 'Q', "/tmp/q",
	    SM_OPT_SRC_CMDLINE, err, sizeof(err)), 0);
	assert_string_equal(o.QueueDirectory, "/tmp/q");
	assert_int_equal(sm_opt_set_letter(&o, 'r', "10m",
	    SM_OPT_SRC_CMDLINE, err, sizeof(err)), 0);
	assert_int_equal(o.to.datablock, 600);
	assert_int_equal(o.to.command, 600);
	assert_int_equal(o.to.rcpt, 600);
	assert_int_equal(o.to.initial, 300);	/* not starred */
	assert_int_equal(sm_opt_set_letter(&o, 'T', "5d/4h",
	    SM_OPT_SRC_CMDLINE, err, sizeof(err)), 0);
	assert_int_equal(o.to.queuewarn[SM_CLASS_URGENT], 4 * 3600);
	assert_int_equal(sm_opt_set_letter(&o, 'i', "", SM_OPT_SRC_CMDLINE,
	    err, sizeof(err)), 0);
	assert_true(o.IgnoreDots);
	assert_int_equal(sm_opt_set_letter(&o, '!', "", SM_OPT_SRC_CMDLINE,
	    err, sizeof(err)), -1);
	sm_opt_free(&o);
}

/* List options: file lines add, the command line replaces. */
static void
test_lists(void **state)
{
	struct sm_options o;
	char err[256];

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(sm_opt_set_line(&o, "DaemonPortOptions=Port=25",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(sm_opt_set_line(&o, "DaemonPortOptions=Port=587",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(o.DaemonPortOptions.n, 2);
	assert_string_equal(o.DaemonPortOptions.v[0], "Port=25");
	assert_string_equal(o.DaemonPortOptions.v[1], "Port=587");
	assert_int_equal(sm_opt_set_line(&o, "O=Port=2525",
	    SM_OPT_SRC_CMDLINE, err, sizeof(err)), -1);	/* no such name */
	assert_int_equal(sm_opt_set_letter(&o, 'O', "Port=2525",
	    SM_OPT_SRC_CMDLINE, err, sizeof(err)), 0);
	assert_int_equal(o.DaemonPortOptions.n, 1);
	assert_string_equal(o.DaemonPortOptions.v[0], "Port=2525");
	sm_opt_free(&o);
}

/* Only options set by the file or command line are reported, once. */
static void
test_pending(void **state)
{
	struct sm_options o;
	char err[256];

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(sm_opt_report_pending(&o), 0);
	assert_int_equal(sm_opt_set_line(&o, "LogLevel=12", SM_OPT_SRC_FILE,
	    err, sizeof(err)), 0);
	assert_int_equal(sm_opt_report_pending(&o), 0);	/* in force */
	assert_int_equal(sm_opt_set_line(&o, "AliasWait=5",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(sm_opt_report_pending(&o), 1);
	assert_int_equal(sm_opt_report_pending(&o), 0);	/* once */
	sm_opt_free(&o);
}

/* DontBlameSendmail: each of sendmail's words is a bit; the words that
 * concern .forward files are in force, the others are reported. */
static void
test_dont_blame_sendmail(void **state)
{
	struct sm_options o;
	char err[256];
	unsigned w;

	(void)state;
	sm_opt_init(&o);
	assert_true(o.DontBlameSendmail == 0);
	for (w = 0; w < SM_DBS_N; w++) {
		char line[128];

		assert_non_null(sm_opt_dbs_word(w));
		(void)snprintf(line, sizeof(line), "DontBlameSendmail=%s",
		    sm_opt_dbs_word(w));
		assert_int_equal(sm_opt_set_line(&o, line, SM_OPT_SRC_FILE,
		    err, sizeof(err)), 0);
		assert_true(o.DontBlameSendmail == ((uint64_t)1 << w));
		assert_true(SM_DBS(&o, w));
	}
	assert_null(sm_opt_dbs_word(SM_DBS_N));
	sm_opt_free(&o);

	sm_opt_init(&o);
	assert_int_equal(sm_opt_set_line(&o, "DontBlameSendmail="
	    "ForwardFileInUnsafeDirPath,LinkedForwardFileInWritableDir",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(sm_opt_report_pending(&o), 0);	/* in force */
	assert_true(SM_DBS(&o, SM_DBS_FORWARDFILEINUNSAFEDIRPATH));
	assert_false(SM_DBS(&o, SM_DBS_TRUSTSTICKYBIT));
	sm_opt_free(&o);

	sm_opt_init(&o);
	assert_int_equal(sm_opt_set_line(&o, "DontBlameSendmail="
	    "TrustStickyBit,GroupWritableAliasFile", SM_OPT_SRC_FILE, err,
	    sizeof(err)), 0);
	assert_int_equal(sm_opt_report_pending(&o), 1);	/* the alias word */
	sm_opt_free(&o);
}

/* Every row has a name; printing every option parses back unchanged. */
static void
test_print_roundtrip(void **state)
{
	struct sm_options o, p;
	char err[256], *out1, *out2, *line, *save = NULL;
	size_t len, i;
	FILE *fp;

	(void)state;
	assert_true(sm_opt_count() > 150);
	for (i = 0; i < sm_opt_count(); i++)
		assert_non_null(sm_opt_name(i));
	sm_opt_init(&o);
	assert_int_equal(sm_opt_set_line(&o, "Timeout.queuereturn.urgent=2d",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(sm_opt_set_line(&o, "DaemonPortOptions=A=1",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(sm_opt_set_line(&o, "DaemonPortOptions=A=2",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	fp = open_memstream(&out1, &len);
	sm_opt_print(&o, fp);
	(void)fclose(fp);
	sm_opt_init(&p);
	for (line = strtok_r(out1, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_true(strncmp(line, "O ", 2) == 0);
		if (sm_opt_set_line(&p, line + 2, SM_OPT_SRC_FILE, err,
		    sizeof(err)) != 0)
			fail_msg("\"%s\": %s", line, err);
	}
	free(out1);
	fp = open_memstream(&out1, &len);
	sm_opt_print(&o, fp);
	(void)fclose(fp);
	fp = open_memstream(&out2, &len);
	sm_opt_print(&p, fp);
	(void)fclose(fp);
	assert_string_equal(out1, out2);
	free(out1);
	free(out2);
	sm_opt_free(&o);
	sm_opt_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_defaults),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_and_print),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_dont_blame_sendmail),
		cmocka_unit_test(test_print_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
