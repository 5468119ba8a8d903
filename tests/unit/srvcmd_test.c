/*
 * srvcmd_test - command words, MAIL/RCPT parameters, DaemonPortOptions
 * (sendmaild/smtpd/srv_cmd, sendmaild/config/daemon_port).
 */
#include "srv_cmd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon_port.h"
#include "test.h"

static void
test_lookup(void **state)
{
	const char *arg;

	(void)state;
	assert_int_equal(srv_cmd_lookup("ehlo x.example", &arg), SRV_CMD_EHLO);
	assert_string_equal(arg, "x.example");
	assert_int_equal(srv_cmd_lookup("MaIl FROM:<a>", &arg), SRV_CMD_MAIL);
	assert_string_equal(arg, "FROM:<a>");
	assert_int_equal(srv_cmd_lookup("QUIT", &arg), SRV_CMD_QUIT);
	assert_string_equal(arg, "");
	assert_int_equal(srv_cmd_lookup("MAILX", &arg), SRV_CMD_UNKNOWN);
	assert_int_equal(srv_cmd_lookup("TURN", &arg), SRV_CMD_OBSOLETE);
	assert_int_equal(srv_cmd_lookup("GET / HTTP/1.0", &arg),
	    SRV_CMD_PROXY);
	assert_int_equal(srv_cmd_lookup("", &arg), SRV_CMD_UNKNOWN);
}

static void
test_mail_params(void **state)
{
	static const struct {
		const char *params, *reply;
	} bad[] = {
		{ "SIZE=big", "501 5.5.2 Bad argument \"big\" to SIZE" },
		{ "SIZE=-1", "501 5.5.2 Bad argument \"-1\" to SIZE" },
		{ "BODY=9BIT", "501 5.5.4 Unknown BODY type 9BIT" },
		{ "RET=MOST", "501 5.5.2 Bad argument \"MOST\" to RET" },
		{ "RET=FULL RET=HDRS", "501 5.5.2 Bad argument \"HDRS\" to RET" },
		{ "ENVID=a=b", "501 5.5.2 Bad argument \"a=b\" to ENVID" },
		{ "ENVID=a+zz", "501 5.5.2 Bad argument \"a+zz\" to ENVID" },
		{ "FOO=1", "555 5.5.4 FOO parameter unrecognized" },
	};
	struct srv_mail_params mp;
	char reply[256];
	size_t i;

	(void)state;
	assert_int_equal(srv_cmd_mail_params("SIZE=1000 body=8bitmime "
	    "RET=hdrs ENVID=abc+2Bdef AUTH=<>", &mp, reply, sizeof(reply)),
	    0);
	assert_int_equal(mp.size, 1000);
	assert_string_equal(mp.body, "8BITMIME");
	assert_string_equal(mp.ret, "HDRS");
	assert_string_equal(mp.envid, "abc+2Bdef");
	assert_int_equal(srv_cmd_mail_params("", &mp, reply, sizeof(reply)),
	    0);
	assert_int_equal(mp.size, -1);
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(srv_cmd_mail_params(bad[i].params, &mp, reply,
		    sizeof(reply)), -1);
		assert_string_equal(reply, bad[i].reply);
	}
}

static void
test_rcpt_params(void **state)
{
	struct srv_rcpt_params rp;
	char reply[256];

	(void)state;
	assert_int_equal(srv_cmd_rcpt_params("NOTIFY=SUCCESS,DELAY "
	    "ORCPT=rfc822;a+40b", &rp, reply, sizeof(reply)), 0);
	assert_int_equal(rp.notify, SRV_NOTIFY_GIVEN | SRV_NOTIFY_SUCCESS |
	    SRV_NOTIFY_DELAY);
	assert_string_equal(rp.orcpt, "rfc822;a+40b");
	assert_int_equal(srv_cmd_rcpt_params("NOTIFY=NEVER", &rp, reply,
	    sizeof(reply)), 0);
	assert_int_equal(srv_cmd_rcpt_params("NOTIFY=BOGUS", &rp, reply,
	    sizeof(reply)), -1);
	assert_string_equal(reply, "501 5.5.4 Bad argument \"BOGUS\"  to "
	    "NOTIFY");
	assert_int_equal(srv_cmd_rcpt_params("NOTIFY=NEVER,SUCCESS", &rp,
	    reply, sizeof(reply)), -1);
	assert_int_equal(srv_cmd_rcpt_params("ORCPT=noscheme", &rp, reply,
	    sizeof(reply)), -1);
}

static void
test_daemon_spec(void **state)
{
	struct daemon_spec d;
	char err[256];

	(void)state;
	assert_int_equal(daemon_parse_spec("Port=2525, Addr=127.0.0.1, "
	    "Name=MTA, M=Ea", 0, &d, err, sizeof(err)), 0);
	assert_int_equal(d.port, 2525);
	assert_int_equal(d.family, AF_INET);
	assert_string_equal(d.name, "MTA");
	assert_true(daemon_has_modifier(&d, 'E'));
	assert_true(daemon_has_modifier(&d, 'a'));
	/* sendmail's parse: no comma before M=a, so no modifier. */
	assert_int_equal(daemon_parse_spec("Port=smtp,Addr=0.0.0.0, "
	    "Name=MTA M=a", 0, &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "MTA M=a");
	assert_false(daemon_has_modifier(&d, 'a'));
	assert_int_equal(d.port, 25);
	assert_int_equal(daemon_parse_spec("Name=MTA", 3, &d, err,
	    sizeof(err)), 0);
	assert_int_equal(d.port, 25);
	assert_int_equal(daemon_parse_spec("", 3, &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "Daemon3");
	assert_int_equal(daemon_parse_spec("Family=inet6, Addr=::1, "
	    "Port=submission, M=O", 0, &d, err, sizeof(err)), 0);
	assert_int_equal(d.family, AF_INET6);
	assert_int_equal(d.port, 587);
	assert_true(d.optional);
	assert_int_equal(daemon_parse_spec("Family=local", 0, &d, err,
	    sizeof(err)), -1);
	assert_int_equal(daemon_parse_spec("Addr=999.1.1.1", 0, &d, err,
	    sizeof(err)), -1);
	assert_int_equal(daemon_parse_spec("Port=nosuchservice", 0, &d, err,
	    sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_mail_params),
		cmocka_unit_test(test_rcpt_params),
		cmocka_unit_test(test_daemon_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
