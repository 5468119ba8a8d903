/*
 * qdest_test - what a delivery process knows of destinations
 * (queue/q_dest), with servers on unix sockets (A=FILE) and recorded
 * outcomes, never the network: a host that failed is skipped, with its
 * failure, for Timeout.hoststatus, by this process and (through the
 * host status file) by the next one; a partial run and
 * Timeout.hoststatus=0 try it anyway; a host that answers is up again
 * for everyone; the connection is kept for the next message to the
 * same destination and closed for another.
 */
#include "q_dest.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define HOST	"localhost"	/* a unix socket's name, as sendmail's */

static struct sm_options opt;
static char sock[2][sizeof(test_dir) + 8], log_path[sizeof(test_dir) + 8];
static pid_t servers[2];

/* talk - one connection: greet, answer EHLO, RSET, QUIT */
static void
talk(int fd)
{
	char buf[512];

	test_say(fd, "220 lmtp.example ESMTP\r\n");
	while (test_line(fd, buf, sizeof(buf))) {
		if (strncmp(buf, "EHLO", 4) == 0)
			test_say(fd, "250 lmtp.example\r\n");
		else if (strncmp(buf, "RSET", 4) == 0)
			test_say(fd, "250 2.0.0 reset\r\n");
		else if (strncmp(buf, "QUIT", 4) == 0) {
			test_say(fd, "221 2.0.0 bye\r\n");
			break;
		} else
			test_say(fd, "500 5.5.1 what?\r\n");
	}
	(void)close(fd);
}

/* serve - a server on path; each connection noted "k" in the log */
static pid_t
serve(const char *path, char k)
{
	struct sockaddr_un sun;
	pid_t pid;
	int s, c, log;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(s, 8), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log = open(log_path, O_WRONLY | O_APPEND);
		while ((c = accept(s, NULL, NULL)) >= 0) {
			if (write(log, &k, 1) != 1)
				_exit(3);
			talk(c);
		}
		_exit(0);
	}
	(void)close(s);
	return pid;
}

/* connections - the connections the servers took, in order */
static void
connections(char *buf, size_t len)
{
	int fd = open(log_path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	(void)close(fd);
}

static int
setup(void **state)
{
	char err[200], hs[sizeof(test_dir) + 16];
	int fd;

	if (test_dir_setup(state) < 0)
		return -1;
	sm_opt_init(&opt);
	(void)snprintf(hs, sizeof(hs), "%s/.hoststat", test_dir);
	if (mkdir(hs, 0700) < 0 || sm_opt_set(&opt, "HostStatusDirectory",
	    hs, SM_OPT_SRC_FILE, err, sizeof(err)) < 0)
		return -1;
	opt.to.hoststatus = 600;
	(void)snprintf(log_path, sizeof(log_path), "%s/log", test_dir);
	if ((fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	(void)close(fd);
	(void)snprintf(sock[0], sizeof(sock[0]), "%s/s0", test_dir);
	(void)snprintf(sock[1], sizeof(sock[1]), "%s/s1", test_dir);
	servers[0] = serve(sock[0], 'a');
	servers[1] = serve(sock[1], 'b');
	return 0;
}

static int
teardown(void **state)
{
	int st, i;

	for (i = 0; i < 2; i++) {
		(void)kill(servers[i], SIGTERM);
		(void)waitpid(servers[i], &st, 0);
	}
	sm_opt_free(&opt);
	return test_dir_teardown(state);
}

/* peer - the destination of socket i */
static struct q_peer
peer(int i)
{
	struct q_peer p = { HOST, 25, sock[i], false };

	return p;
}

/* opens - does d get a connection to socket i?  res and host say */
static bool
opens(struct q_dest *d, int i, struct q_result *res)
{
	struct q_peer p = peer(i);
	char host[256];

	memset(res, 0, sizeof(*res));
	if (q_dest_open(d, &p, false, host, sizeof(host), res) == NULL)
		return false;
	assert_string_equal(host, HOST);
	return true;
}

/*
 * A host found down is skipped, with its failure, by this process and
 * by the next one (the host status file); a partial run and
 * Timeout.hoststatus=0 try it; once it answers it is up for all.
 */
static void
test_host_down(void **state)
{
	struct q_result down, res;
	struct q_dest *d, *next, *partial;

	(void)state;
	d = q_dest_new(&opt, "me.example", NULL, NULL, NULL, false);
	q_result_set(&down, Q_TEMPFAIL, "4.4.1", "Deferred: Connection "
	    "refused by localhost");
	q_dest_remember(d, HOST, false, &down);
	assert_false(opens(d, 0, &res));
	assert_int_equal(res.status, Q_TEMPFAIL);
	assert_string_equal(res.dsn, "4.4.1");
	assert_string_equal(res.text, down.text);

	next = q_dest_new(&opt, "me.example", NULL, NULL, NULL, false);
	assert_false(opens(next, 0, &res));
	assert_string_equal(res.text, down.text);

	partial = q_dest_new(&opt, "me.example", NULL, NULL, NULL, true);
	assert_true(opens(partial, 0, &res));
	q_dest_free(partial);

	opt.to.hoststatus = 0;
	assert_true(opens(next, 0, &res));
	opt.to.hoststatus = 600;
	q_dest_remember(next, HOST, true, NULL);
	q_dest_free(next);

	/* Up again, in the file: a new process connects. */
	next = q_dest_new(&opt, "me.example", NULL, NULL, NULL, false);
	assert_true(opens(next, 0, &res));
	q_dest_free(next);
	q_dest_free(d);
}

/*
 * The connection is kept for the next message to the same destination
 * (RSET in between) and closed for another destination.
 */
static void
test_cache(void **state)
{
	struct q_dest *d;
	struct q_result res;
	char seen[64];

	(void)state;
	d = q_dest_new(&opt, "me.example", NULL, NULL, NULL, false);
	assert_true(opens(d, 0, &res));
	assert_true(q_dest_idle(d) >= 0);
	assert_true(opens(d, 0, &res));
	assert_true(opens(d, 1, &res));
	assert_true(opens(d, 1, &res));
	q_dest_rest(d);
	assert_int_equal(q_dest_idle(d), -1);
	assert_true(opens(d, 1, &res));
	q_dest_free(d);
	connections(seen, sizeof(seen));
	/* test_host_down's three, then one to a, two to b */
	assert_string_equal(seen, "aaaabb");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_down),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
