/*
 * clients_test - counts per client address in a sliding window
 * (sendmaild/smtpd/clients): the window on a test clock, taking one back, the
 * room kept for addresses, IPv4 on an IPv6 socket, and a table shared
 * by processes.
 */
#include "clients.h"

#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sm_deadline.h"

static time_t test_now = 1000000;

/* test_clock - the clock the table reads: test_now */
static void
test_clock(struct timespec *ts)
{
	ts->tv_sec = test_now;
	ts->tv_nsec = 0;
}

/* key - the table's key of a textual address */
static struct clients_addr
key(const char *text)
{
	struct sockaddr_storage ss;
	struct clients_addr a;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	assert_true(clients_addr(&ss, &a));
	return a;
}

/* is_local - clients_addr_local of a textual address */
static bool
is_local(const char *text)
{
	struct clients_addr a = key(text);

	return clients_addr_local(&a);
}

static int
setup(void **state)
{
	(void)state;
	sm_clock_hook = test_clock;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sm_clock_hook = NULL;
	return 0;
}

static void
test_window(void **state)
{
	struct clients *t = clients_new(false);
	struct clients_addr a = key("192.0.2.1"), b = key("192.0.2.2");
	int i;

	(void)state;
	for (i = 1; i <= 5; i++)
		assert_int_equal(clients_add(t, &a, 60, 1), i);
	/* Another address has counts of its own. */
	assert_int_equal(clients_add(t, &b, 60, 1), 1);
	assert_int_equal(clients_add(t, &a, 60, 0), 5);
	test_now += 30;
	assert_int_equal(clients_add(t, &a, 60, 1), 6);
	/* The first five leave the window a minute after they came. */
	test_now += 31;
	assert_int_equal(clients_add(t, &a, 60, 0), 1);
	test_now += 30;
	assert_int_equal(clients_add(t, &a, 60, 0), 0);
	assert_int_equal(clients_add(t, &b, 60, 0), 0);
	clients_free(t);
}

static void
test_take_back(void **state)
{
	struct clients *t = clients_new(false);
	struct clients_addr a = key("192.0.2.1");

	(void)state;
	assert_int_equal(clients_add(t, &a, 900, 1), 1);
	assert_int_equal(clients_add(t, &a, 900, 1), 2);
	/* Later, in another slice: the count taken back is the latest. */
	test_now += 200;
	assert_int_equal(clients_add(t, &a, 900, -1), 1);
	assert_int_equal(clients_add(t, &a, 900, -1), 0);
	assert_int_equal(clients_add(t, &a, 900, -1), 0);
	/* An address never counted takes no slot and has nothing. */
	assert_int_equal(clients_add(t, &a, 900, 0), 0);
	clients_free(t);
}

static void
test_ipv4_on_ipv6(void **state)
{
	struct clients *t = clients_new(false);
	struct clients_addr a = key("192.0.2.7"), m = key("::ffff:192.0.2.7");
	struct clients_addr v6 = key("2001:db8::7");
	struct sockaddr_storage ss;

	(void)state;
	assert_true(clients_addr_eq(&a, &m));
	assert_false(clients_addr_eq(&a, &v6));
	/* This host's own programs: exactly 127.0.0.1 and ::1. */
	assert_true(is_local("127.0.0.1"));
	assert_true(is_local("::ffff:127.0.0.1"));
	assert_true(is_local("::1"));
	assert_false(is_local("127.0.0.2"));
	assert_false(is_local("192.0.2.7"));
	assert_int_equal(clients_add(t, &a, 60, 1), 1);
	assert_int_equal(clients_add(t, &m, 60, 1), 2);
	assert_int_equal(clients_add(t, &v6, 60, 1), 1);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	assert_false(clients_addr(&ss, &a));
	/* No table, no window: nothing is counted. */
	assert_int_equal(clients_add(NULL, &a, 60, 1), 0);
	assert_int_equal(clients_add(t, &a, 0, 1), 0);
	clients_free(t);
}

static void
test_room(void **state)
{
	struct clients *t = clients_new(false);
	struct clients_addr a = key("192.0.2.1"), other;
	char text[64];
	int i, kept = 0;

	(void)state;
	assert_int_equal(clients_add(t, &a, 100000, 1), 1);
	/* Many more addresses than slots, each counted later than a. */
	for (i = 0; i < 4 * CLIENTS_SLOTS; i++) {
		test_now++;
		(void)snprintf(text, sizeof(text), "10.%d.%d.1", i / 250,
		    i % 250);
		other = key(text);
		assert_int_equal(clients_add(t, &other, 100000, 1), 1);
	}
	/* a, counted longest ago, gave its slot up. */
	assert_int_equal(clients_add(t, &a, 100000, 0), 0);
	for (i = 4 * CLIENTS_SLOTS - 200; i < 4 * CLIENTS_SLOTS; i++) {
		(void)snprintf(text, sizeof(text), "10.%d.%d.1", i / 250,
		    i % 250);
		other = key(text);
		kept += clients_add(t, &other, 100000, 0) == 1;
	}
	/* The addresses counted last are still there. */
	assert_true(kept >= 190);
	clients_free(t);
}

static void
test_window_change(void **state)
{
	struct clients *t = clients_new(false);
	struct clients_addr a = key("192.0.2.1");

	(void)state;
	assert_int_equal(clients_add(t, &a, 60, 1), 1);
	assert_int_equal(clients_add(t, &a, 60, 1), 2);
	/* A new ConnectionRateWindowSize: counting starts again. */
	assert_int_equal(clients_add(t, &a, 120, 1), 1);
	/* A window shorter than the slices: one-second slices. */
	assert_int_equal(clients_add(t, &a, 3, 1), 1);
	test_now += 3;
	assert_int_equal(clients_add(t, &a, 3, 0), 0);
	clients_free(t);
}

/* count_in_child - one count of a in another process */
static void
count_in_child(struct clients *t, const struct clients_addr *a)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(clients_add(t, a, 60, 1) > 0 ? 0 : 1);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
test_shared(void **state)
{
	struct clients *t = clients_new(true);
	struct clients_addr a = key("192.0.2.9");
	int i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 4; i++)
		count_in_child(t, &a);
	assert_int_equal(clients_add(t, &a, 60, 0), 4);
	clients_free(t);
}

static void
test_stale_lock(void **state)
{
	struct clients *t = clients_new(true);
	struct clients_addr a = key("192.0.2.9");
	pid_t pid;
	int st;

	(void)state;
	/* A process killed while it held the lock: its pid stays in it. */
	pid = fork();
	if (pid == 0) {
		(void)clients_add(t, &a, 60, 1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(clients_add(t, &a, 60, 0), 1);
	/* Its pid as the holder (the lock is the table's first member). */
	*(_Atomic int *)(void *)t = (int)pid;
	assert_int_equal(clients_add(t, &a, 60, 1), 2);
	clients_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_on_ipv6, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_change, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_lock, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
