/*
 * hoststat_test - the host status cache (queue/q_hoststat): what a
 * delivery records and later finds, what hoststat lists and purgestat
 * removes, and a cache that is corrupt or locked, which means no cached
 * status and never a stopped delivery.
 */
#include "q_hoststat.h"

#include "test.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sm_map.h"
#include "sm_opt.h"

/* dir - the path of a cache directory test_dir/name (the cache makes it) */
static void
dir(char *buf, size_t len, const char *name)
{
	(void)snprintf(buf, len, "%s/%s", test_dir, name);
}

/* entry - a status as a delivery records it */
static struct q_hs_entry
entry(enum q_hs_state st, time_t when, const char *dsn, const char *reply)
{
	struct q_hs_entry e;

	memset(&e, 0, sizeof(e));
	e.when = when;
	e.state = st;
	e.err = st == Q_HS_OK ? 0 : 111;
	(void)snprintf(e.dsn, sizeof(e.dsn), "%s", dsn);
	(void)snprintf(e.reply, sizeof(e.reply), "%s", reply);
	return e;
}

/* HostStatusDirectory: unset, absolute, or under the queue. */
static void
test_dir_option(void **state)
{
	struct sm_options o;
	char buf[256], err[256];

	(void)state;
	sm_opt_init(&o);
	assert_int_equal(sm_opt_set(&o, "QueueDirectory", "/var/spool/mqueue",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	assert_int_equal(sm_opt_set(&o, "HostStatusDirectory", "",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	q_hs_dir(&o, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(sm_opt_set(&o, "HostStatusDirectory", ".hoststat",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	q_hs_dir(&o, buf, sizeof(buf));
	assert_string_equal(buf, "/var/spool/mqueue/.hoststat");
	assert_int_equal(sm_opt_set(&o, "HostStatusDirectory", "/var/hs",
	    SM_OPT_SRC_FILE, err, sizeof(err)), 0);
	q_hs_dir(&o, buf, sizeof(buf));
	assert_string_equal(buf, "/var/hs");
	sm_opt_free(&o);
}

/*
 * A status recorded is found again, field for field, under the host's
 * name in any case and with or without its final dot; a host never
 * recorded, or a cache never made, has none.
 */
static void
test_put_get(void **state)
{
	struct q_hs_entry e = entry(Q_HS_TEMP, 1795400000, "4.4.1",
	    "Connection refused by mx.example.net"), got;
	char d[256];

	(void)state;
	dir(d, sizeof(d), "putget");
	assert_int_equal(q_hs_get(d, "mx.example.net", &got), 1);
	assert_int_equal(q_hs_put(d, "MX.Example.NET.", &e), 0);
	memset(&got, 0xff, sizeof(got));
	assert_int_equal(q_hs_get(d, "mx.example.net", &got), 0);
	assert_int_equal(got.when, e.when);
	assert_int_equal(got.state, Q_HS_TEMP);
	assert_int_equal(got.err, 111);
	assert_string_equal(got.dsn, "4.4.1");
	assert_string_equal(got.reply, e.reply);
	assert_int_equal(q_hs_get(d, "MX.EXAMPLE.NET.", &got), 0);
	assert_int_equal(q_hs_get(d, "other.example.net", &got), 1);
	/* A later outcome replaces the earlier one. */
	e = entry(Q_HS_OK, 1795400100, "", "");
	assert_int_equal(q_hs_put(d, "mx.example.net", &e), 0);
	assert_int_equal(q_hs_get(d, "mx.example.net", &got), 0);
	assert_int_equal(got.state, Q_HS_OK);
	assert_int_equal(got.when, 1795400100);
}

/* After a success the host is forgotten; the others stay. */
static void
test_clear(void **state)
{
	struct q_hs_entry e = entry(Q_HS_PERM, 1795400000, "5.1.2",
	    "Host unknown"), got;
	char d[256];

	(void)state;
	dir(d, sizeof(d), "clear");
	assert_int_equal(q_hs_put(d, "a.example", &e), 0);
	assert_int_equal(q_hs_put(d, "[192.0.2.9]", &e), 0);
	assert_int_equal(q_hs_clear(d, "A.example"), 0);
	assert_int_equal(q_hs_get(d, "a.example", &got), 1);
	assert_int_equal(q_hs_get(d, "[192.0.2.9]", &got), 0);
	assert_int_equal(got.state, Q_HS_PERM);
}

struct seen {
	size_t	 n;
	char	 hosts[4][64];
	time_t	 when[4];
};

/* see - hoststat's callback: note each host */
static void
see(void *ctx, const char *host, const struct q_hs_entry *e)
{
	struct seen *s = ctx;

	if (s->n < NELEM(s->hosts)) {
		(void)snprintf(s->hosts[s->n], sizeof(s->hosts[0]), "%s",
		    host);
		s->when[s->n] = e->when;
	}
	s->n++;
}

/* find - the index of host among those seen, or -1 */
static int
find(const struct seen *s, const char *host)
{
	size_t i;

	for (i = 0; i < s->n && i < NELEM(s->hosts); i++)
		if (strcmp(s->hosts[i], host) == 0)
			return (int)i;
	return -1;
}

/*
 * hoststat lists every host; purgestat removes those older than its
 * limit and keeps the recent ones.
 */
static void
test_walk_purge(void **state)
{
	time_t now = time(NULL);
	struct q_hs_entry old = entry(Q_HS_TEMP, now - 1000, "4.4.1", "old");
	struct q_hs_entry recent = entry(Q_HS_TEMP, now - 10, "4.4.1", "new");
	struct seen s;
	char d[256];

	(void)state;
	dir(d, sizeof(d), "walk");
	memset(&s, 0, sizeof(s));
	assert_int_equal(q_hs_walk(d, see, &s), 0);	/* no cache yet */
	assert_int_equal(s.n, 0);
	assert_int_equal(q_hs_put(d, "old.example", &old), 0);
	assert_int_equal(q_hs_put(d, "new.example", &recent), 0);
	assert_int_equal(q_hs_walk(d, see, &s), 0);
	assert_int_equal(s.n, 2);
	assert_true(find(&s, "old.example") >= 0);
	assert_int_equal(s.when[find(&s, "new.example")], now - 10);
	assert_int_equal(q_hs_purge(d, 500), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(q_hs_walk(d, see, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.hosts[0], "new.example");
}

/*
 * A cache file that is not a database, or a record that cannot be
 * read, is no cached status: the delivery goes ahead.
 */
static void
test_corrupt(void **state)
{
	struct q_hs_entry e = entry(Q_HS_TEMP, 1795400000, "4.4.1", "x"), got;
	char d[256], path[300], err[256];
	struct sm_map *m;
	struct seen s;
	FILE *fp;

	(void)state;
	dir(d, sizeof(d), "corrupt");
	assert_int_equal(mkdir(d, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/hoststat.db", d);
	fp = fopen(path, "w");
	assert_non_null(fp);
	(void)fputs("this is not a Berkeley DB hash file\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(q_hs_get(d, "mx.example.net", &got), 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(q_hs_walk(d, see, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(q_hs_put(d, "mx.example.net", &e), -1);
	/* A database with one bad record among good ones. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(q_hs_put(d, "good.example", &e), 0);
	m = sm_map_open(path, SM_MAP_HASH, 0, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(sm_map_put(m, "bad.example", 11, "garbage", 7,
	    true), 0);
	assert_int_equal(sm_map_close(m), 0);
	assert_int_equal(q_hs_get(d, "bad.example", &got), 1);
	assert_int_equal(q_hs_get(d, "good.example", &got), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(q_hs_walk(d, see, &s), 0);
	assert_int_equal(s.n, 1);		/* the bad one skipped */
}

/*
 * A lock another process keeps (it hangs, or was stopped in the middle
 * of an access) costs a delivery at most Q_HS_LOCK_WAIT_MS, then it goes
 * on without a cached status.
 */
static void
test_lock_busy(void **state)
{
	struct q_hs_entry got;
	struct timespec a, b;
	struct flock fl;
	char d[256], path[300];
	double waited;
	int fd;

	(void)state;
	dir(d, sizeof(d), "busy");
	assert_int_equal(mkdir(d, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/hoststat.lock", d);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(q_hs_get(d, "mx.example.net", &got), -1);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	waited = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(waited >= Q_HS_LOCK_WAIT_MS / 1000.0 * 0.9);
	assert_true(waited < Q_HS_LOCK_WAIT_MS / 1000.0 + 5);
	(void)close(fd);				/* the holder died */
	assert_int_equal(q_hs_get(d, "mx.example.net", &got), 1);
}

/*
 * SingleThreadDelivery: one process at a time holds a host's lock,
 * hoststat sees it held, and a host name never names a lock file
 * outside the directory.
 */
static void
test_host_lock(void **state)
{
	char d[256], path[400];
	int fd, fd2;

	(void)state;
	dir(d, sizeof(d), "hostlock");
	assert_false(q_hs_host_locked(d, "mx.example.net"));
	fd = q_hs_host_lock(d, "MX.example.net.");
	assert_true(fd >= 0);
	assert_true(q_hs_host_locked(d, "mx.example.net"));
	assert_int_equal(q_hs_host_lock(d, "mx.example.net"), -1);
	(void)close(fd);
	assert_false(q_hs_host_locked(d, "mx.example.net"));
	fd = q_hs_host_lock(d, "mx.example.net");
	assert_true(fd >= 0);
	(void)close(fd);
	fd2 = q_hs_host_lock(d, "../escape");
	assert_true(fd2 >= 0);
	(void)snprintf(path, sizeof(path), "%s/escape.lock", test_dir);
	assert_int_equal(access(path, F_OK), -1);
	(void)snprintf(path, sizeof(path), "%s/.._escape.lock", d);
	assert_int_equal(access(path, F_OK), 0);
	(void)close(fd2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_option),
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_walk_purge),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_lock_busy),
		cmocka_unit_test(test_host_lock),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
