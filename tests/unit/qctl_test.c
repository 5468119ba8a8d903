/*
 * qctl_test - reading and rewriting control files (queue/q_ctl): what a
 * queue run and mailq get out of a file sendmail or we wrote, the files
 * refused, and what a rewrite or a checkpoint writes back.
 */
#include "q_ctl.h"

#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "q_file.h"

/* A control file with every record type sendmail 8.17 writes. */
static const char full[] =
    "V8\n"
    "T1795400000\n"
    "K1795400100\n"
    "N2\n"
    "P120500\n"
    "I253/1/4711\n"
    "B8BITMIME\n"
    "MDeferred: Connection refused by mx.example.net\n"
    "Fbw\n"
    "$_host.example.com [192.0.2.7]\n"
    "$rESMTP\n"
    "${daemon_flags}\n"
    "${auth_type}PLAIN\n"
    "Scarol@example.com\n"
    "Zenv-42\n"
    "A<carol@example.com>\n"
    "q\n"
    "!1795403600 N\n"
    "E<old@example.com>\n"
    "Ccarol\n"
    "Qrfc822;dave@example.net\n"
    "rrfc822; dave@mail.example.net\n"
    "M421 4.3.2 try later\n"
    "RPFD:<dave@example.net>\n"
    "RPF:<erin@example.net>\n"
    "R<frank@example.net>\n"
    "H?P?Return-Path: <\201g>\n"
    "H??Received: from host.example.com\n"
    "\tby mx.example.org; Mon, 7 Dec 2026 10:00:00 +0000\n"
    "H??Subject: plans\n"
    ".\n";

/* put - write text as test_dir/name; its path in buf */
static const char *
put(const char *name, const char *text, char *buf, size_t len)
{
	FILE *fp;

	(void)snprintf(buf, len, "%s/%s", test_dir, name);
	fp = fopen(buf, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* slurp - the text of the file at path */
static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	(void)fclose(fp);
	return buf;
}

/* Every field of a full file is where a queue run and mailq look. */
static void
test_read_full(void **state)
{
	struct q_ctl c;
	char path[256], err[256];

	(void)state;
	put("qfABC123", full, path, sizeof(path));
	assert_int_equal(q_ctl_read(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.id, "ABC123");	/* from the file name */
	assert_int_equal(c.version, 8);
	assert_int_equal(c.ctime, 1795400000);
	assert_int_equal(c.last, 1795400100);
	assert_int_equal(c.ntries, 2);
	assert_int_equal(c.priority, 120500);
	assert_string_equal(c.inode, "253/1/4711");
	assert_string_equal(c.bodytype, "8BITMIME");
	assert_string_equal(c.status,
	    "Deferred: Connection refused by mx.example.net");
	assert_string_equal(c.flags, "bw");
	assert_string_equal(c.sender, "carol@example.com");
	assert_string_equal(c.envid, "env-42");
	assert_string_equal(c.auth, "<carol@example.com>");
	assert_string_equal(c.quarantine, "");
	assert_string_equal(c.deliverby, "1795403600 N");
	assert_int_equal(c.nrcpts, 3);
	assert_string_equal(c.rcpts[0].addr, "<dave@example.net>");
	assert_string_equal(c.rcpts[0].flags, "PFD");
	assert_string_equal(c.rcpts[0].orcpt, "rfc822;dave@example.net");
	assert_string_equal(c.rcpts[0].final, "rfc822; dave@mail.example.net");
	assert_string_equal(c.rcpts[0].status, "421 4.3.2 try later");
	assert_string_equal(c.rcpts[0].ctladdr, "carol");
	/* Q, r and M belong to the next R only. */
	assert_string_equal(c.rcpts[1].flags, "PF");
	assert_null(c.rcpts[1].orcpt);
	assert_null(c.rcpts[1].final);
	assert_null(c.rcpts[1].status);
	assert_string_equal(c.rcpts[1].ctladdr, "carol");	/* in force */
	/* An old "R<addr>" line: no flags. */
	assert_string_equal(c.rcpts[2].addr, "<frank@example.net>");
	assert_string_equal(c.rcpts[2].flags, "");
	assert_int_equal(c.headers.n, 3);
	assert_string_equal(c.headers.v[0], "?P?Return-Path: <\201g>");
	assert_string_equal(c.headers.v[1], "??Received: from "
	    "host.example.com\n\tby mx.example.org; Mon, 7 Dec 2026 "
	    "10:00:00 +0000");
	assert_string_equal(q_ctl_macro(&c, "_"),
	    "host.example.com [192.0.2.7]");
	assert_string_equal(q_ctl_macro(&c, "r"), "ESMTP");
	assert_string_equal(q_ctl_macro(&c, "daemon_flags"), "");
	assert_string_equal(q_ctl_macro(&c, "auth_type"), "PLAIN");
	assert_null(q_ctl_macro(&c, "auth"));	/* no prefix match */
	assert_null(q_ctl_macro(&c, "s"));
	q_ctl_free(&c);
}

/*
 * Files a queue run must not act on, each with the reason it logs: cut
 * short by a crash, from a version or a writer it does not know, or
 * without a sender.
 */
static void
test_read_refused(void **state)
{
	static const struct {
		const char	*text;
		const char	*why;
	} t[] = {
		{ "V8\nT1\nSa@b\nR<x@y>\n", "incomplete" },
		{ "", "incomplete" },
		{ "V8\nSa@b\nR<x@y>\n.\nR<z@y>\n", "line 5: text after" },
		{ "V8\nSa@b\nX what\n.\n", "line 3: unknown record type 'X'" },
		{ "V8\nSa@b\n.x\n.\n", "line 3: unknown record type '.'" },
		{ "V9\nSa@b\n.\n", "line 1: unknown version 9" },
		{ "Vx\nSa@b\n.\n", "line 1: unknown version x" },
		{ "V8\nR<x@y>\n.\n", "no sender" },
	};
	struct q_ctl c;
	char path[256], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		put("qfBAD", t[i].text, path, sizeof(path));
		err[0] = '\0';
		if (q_ctl_read(path, &c, err, sizeof(err)) != -1)
			fail_msg("case %zu read", i);
		if (strstr(err, t[i].why) == NULL)
			fail_msg("case %zu: \"%s\", not \"%s\"", i, err,
			    t[i].why);
	}
	(void)snprintf(path, sizeof(path), "%s/qfNONE", test_dir);
	assert_int_equal(q_ctl_read(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
}

/* Many recipients are all kept, in order. */
static void
test_read_many(void **state)
{
	char path[256], err[256], rcpt[64];
	struct q_ctl c;
	FILE *fp;
	size_t i;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/qfMANY", test_dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	(void)fputs("V8\nS<a@b>\n", fp);
	for (i = 0; i < 1000; i++)
		(void)fprintf(fp, "RPFD:<u%zu@example.net>\n", i);
	(void)fputs(".\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(q_ctl_read(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nrcpts, 1000);
	for (i = 0; i < c.nrcpts; i++) {
		(void)snprintf(rcpt, sizeof(rcpt), "<u%zu@example.net>", i);
		assert_string_equal(c.rcpts[i].addr, rcpt);
	}
	q_ctl_free(&c);
}

/*
 * A rewrite writes back what it read, with the fields a run changes and
 * without the recipients done: read again, it is the same message.
 */
static void
test_rewrite(void **state)
{
	struct q_ctl c, again;
	char path[256], err[256];
	const char *text;
	struct q_rcpt *r;

	(void)state;
	put("qfREW", full, path, sizeof(path));
	assert_int_equal(q_ctl_read(path, &c, err, sizeof(err)), 0);
	c.ntries = 3;
	c.last = 1795400200;
	c.priority = 210500;
	c.rcpts[0].done = true;			/* dave delivered */
	r = q_ctl_add_rcpt(&c);			/* a new one, at the end */
	r->addr = strdup("<gina@example.net>");
	r->flags = strdup("PF");
	r->ctladdr = strdup("gina");
	assert_int_equal(q_ctl_rewrite(&c, test_dir, true), 0);
	assert_int_equal(access(path, F_OK), 0);
	(void)snprintf(err, sizeof(err), "%s/tfREW", test_dir);
	assert_int_equal(access(err, F_OK), -1);	/* no tf left */
	text = slurp(path);
	assert_true(strncmp(text, "V8\nT1795400000\nK1795400200\nN3\n"
	    "P210500\n", 30) == 0);
	assert_non_null(strstr(text, "\n.\n"));
	assert_null(strstr(text, "dave"));
	assert_null(strstr(text, "\nE"));	/* obsolete: dropped */
	assert_int_equal(q_ctl_read(path, &again, err, sizeof(err)), 0);
	assert_int_equal(again.nrcpts, 3);
	assert_string_equal(again.rcpts[0].addr, "<erin@example.net>");
	assert_string_equal(again.rcpts[0].ctladdr, "carol");
	assert_string_equal(again.rcpts[1].addr, "<frank@example.net>");
	assert_string_equal(again.rcpts[2].addr, "<gina@example.net>");
	assert_string_equal(again.rcpts[2].ctladdr, "gina");
	assert_string_equal(again.sender, c.sender);
	assert_string_equal(again.envid, c.envid);
	assert_string_equal(again.auth, c.auth);
	assert_string_equal(again.status, c.status);
	assert_string_equal(again.deliverby, c.deliverby);
	assert_string_equal(again.inode, c.inode);
	assert_string_equal(q_ctl_macro(&again, "_"),
	    "host.example.com [192.0.2.7]");
	assert_int_equal(again.headers.n, c.headers.n);
	assert_string_equal(again.headers.v[0], "?P?Return-Path: <\201g>");
	assert_string_equal(again.headers.v[1], c.headers.v[1]);
	q_ctl_free(&again);
	q_ctl_free(&c);
}

/*
 * held - the control file at path, locked as the run delivering it
 * holds it, and read into c; the locked descriptor
 */
static int
held(const char *path, struct q_ctl *c)
{
	char err[256];
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(q_lock(fd), 0);
	assert_int_equal(q_ctl_read(path, c, err, sizeof(err)), 0);
	return fd;
}

/* committed - a message with these recipients, as a session queues it */
static struct q_msg *
committed(mode_t mode, const char *const *rcpts, char *path, size_t len)
{
	struct q_msg *m = q_msg_new(test_dir);

	m->mode = mode;
	assert_int_equal(q_msg_data_open(m), 0);
	m->sender = strdup("<a@b.example>");
	for (; *rcpts != NULL; rcpts++)
		q_msg_add_rcpt(m, *rcpts, "PFD", NULL);
	assert_int_equal(q_msg_commit(m, true), 0);
	(void)snprintf(path, len, "%s/qf%s", test_dir, m->id);
	return m;
}

/* A queue run's rewrite keeps the control file's QueueFileMode. */
static void
test_rewrite_keeps_mode(void **state)
{
	static const char *const rcpts[] = { "<root>", NULL };
	struct q_msg *m;
	struct q_ctl c;
	struct stat st;
	char path[4200], err[256];

	(void)state;
	m = committed(0640, rcpts, path, sizeof(path));
	assert_int_equal(q_ctl_read(path, &c, err, sizeof(err)), 0);
	c.ntries++;
	assert_int_equal(q_ctl_rewrite(&c, test_dir, true), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	q_ctl_free(&c);
	q_msg_free(m);
}

/*
 * A checkpoint in the middle of a delivery: the recipient delivered is
 * gone from the file, which stays locked by the delivering process from
 * the old file to the new one (another run cannot take the message).
 */
static void
test_checkpoint_keeps_the_lock(void **state)
{
	static const char *const rcpts[] = { "<one@x.example>",
	    "<two@x.example>", NULL };
	struct q_msg *m;
	struct q_ctl c, again;
	struct stat a, b;
	char path[4200], tf[4200], err[256];
	int fd, old;

	(void)state;
	m = committed(0600, rcpts, path, sizeof(path));
	(void)snprintf(tf, sizeof(tf), "%s/tf%s", test_dir, m->id);
	fd = held(path, &c);
	c.rcpts[0].done = true;
	old = fd;
	assert_int_equal(q_ctl_checkpoint(&c, test_dir, true, &fd), 0);
	assert_int_not_equal(fd, -1);
	assert_false(test_lockable(path));		/* held all along */
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino == b.st_ino);	/* the new file's lock */
	assert_int_equal(access(tf, F_OK), -1);
	assert_int_equal(q_ctl_read(path, &again, err, sizeof(err)), 0);
	assert_int_equal(again.nrcpts, 1);
	assert_string_equal(again.rcpts[0].addr, "<two@x.example>");
	q_ctl_free(&again);
	assert_true(old == fd || fcntl(old, F_GETFD) == -1);	/* closed */
	(void)close(fd);
	assert_true(test_lockable(path));
	q_ctl_free(&c);
	q_msg_free(m);
}

/*
 * A checkpoint that cannot write its new file (here tfID is in the way
 * as a directory) leaves the old file as it was, and the caller's lock
 * on it: the delivery goes on and no other run takes the message.
 */
static void
test_checkpoint_fails(void **state)
{
	struct q_ctl c, again;
	char path[256], tf[256], err[256];
	int fd, old;

	(void)state;
	put("qfCKP", full, path, sizeof(path));
	(void)snprintf(tf, sizeof(tf), "%s/tfCKP", test_dir);
	assert_int_equal(mkdir(tf, 0700), 0);
	fd = held(path, &c);
	c.rcpts[0].done = true;
	old = fd;
	assert_int_equal(q_ctl_checkpoint(&c, test_dir, true, &fd), -1);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(fd, old);
	assert_false(test_lockable(path));		/* still locked */
	assert_string_equal(slurp(path), full);
	assert_int_equal(q_ctl_read(path, &again, err, sizeof(err)), 0);
	assert_int_equal(again.nrcpts, 3);
	q_ctl_free(&again);
	q_ctl_free(&c);
	(void)close(fd);
	assert_int_equal(rmdir(tf), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_full),
		cmocka_unit_test(test_read_refused),
		cmocka_unit_test(test_read_many),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_rewrite_keeps_mode),
		cmocka_unit_test(test_checkpoint_keeps_the_lock),
		cmocka_unit_test(test_checkpoint_fails),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
