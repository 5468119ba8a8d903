/*
 * header_test - a message's header as DATA and submission handle it
 * (sendmaild/message/header).
 */
#include "header.h"

#include <string.h>
#include <time.h>

#include "q_file.h"
#include "sm_buf.h"
#include "sm_strlist.h"
#include "test.h"

static void
test_is_line(void **state)
{
	(void)state;
	assert_true(header_is_line("Subject: hi", 11));
	assert_true(header_is_line("X-Empty:", 8));
	/* A name of printable characters, at least one, then a colon. */
	assert_false(header_is_line(": no name", 9));
	assert_false(header_is_line("No colon here", 13));
	assert_false(header_is_line("Two words: x", 12));
	assert_false(header_is_line("Tab\there: x", 11));
	assert_false(header_is_line("Caf\351: x", 7));
	/* Only the first len bytes count. */
	assert_false(header_is_line("Subject: hi", 7));
}

static void
test_value(void **state)
{
	struct sm_strlist h = { NULL, 0 };

	(void)state;
	sm_strlist_add(&h, "Subject:   \thello");
	sm_strlist_add(&h, "To: a@x.example,\n\tb@x.example");
	sm_strlist_add(&h, "Subject: second");
	sm_strlist_add(&h, "X-Subject: not it");
	/* The first one, its name matched without regard to case. */
	assert_string_equal(header_value(&h, "subject"), "hello");
	assert_string_equal(header_value(&h, "TO"),
	    "a@x.example,\n\tb@x.example");
	/* A name is whole: "Subj" is not "Subject". */
	assert_null(header_value(&h, "Subj"));
	assert_null(header_value(&h, "Date"));
	sm_strlist_clear(&h);
}

/* written - the H lines a header_write() left in m's control file */
static const char *
written(struct q_msg *m)
{
	return sm_buf_str(&m->ctl_tail);
}

static void
test_write_adds_what_lacks(void **state)
{
	struct sm_strlist h = { NULL, 0 };
	struct q_msg *m;
	char msgid[256];
	const char *w;

	(void)state;
	sm_strlist_add(&h, "Subject: hi");
	m = q_msg_new(test_dir);
	header_write(m, "from x by y", &h, "mx.example", "<a@b.example>",
	    (time_t)1700000000, msgid, sizeof(msgid));
	w = written(m);
	/* Return-Path, Received, the message's own, then what it lacks. */
	assert_non_null(strstr(w, "H?P?Return-Path: <\201g>\n"
	    "H??Received: from x by y\nH??Subject: hi\n"));
	assert_non_null(strstr(w, "H?D?Date: Tue, 14 Nov 2023 22:13:20"));
	assert_non_null(strstr(w, "H?M?Message-Id: <202311142213."));
	assert_non_null(strstr(w, "@mx.example>\nH?F?From: <a@b.example>\n"));
	/* msgid is the Message-Id added. */
	assert_true(strncmp(msgid, "<202311142213.", 14) == 0);
	assert_non_null(strstr(w, msgid));
	q_msg_free(m);
	sm_strlist_clear(&h);
}

static void
test_write_keeps_what_is_there(void **state)
{
	struct sm_strlist h = { NULL, 0 };
	struct q_msg *m;
	char msgid[256];
	const char *w;

	(void)state;
	sm_strlist_add(&h, "Date: Mon, 1 Jan 2024 00:00:00 +0000");
	sm_strlist_add(&h, "Message-Id: <own@x.example>");
	sm_strlist_add(&h, "From: Someone <s@x.example>");
	m = q_msg_new(test_dir);
	/* A null sender (bounces): no From: is made up either. */
	header_write(m, "r", &h, "mx.example", NULL, (time_t)1700000000,
	    msgid, sizeof(msgid));
	w = written(m);
	assert_string_equal(msgid, "<own@x.example>");
	assert_null(strstr(w, "H?D?"));
	assert_null(strstr(w, "H?M?"));
	assert_null(strstr(w, "H?F?"));
	assert_non_null(strstr(w, "H??Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "H??Message-Id: <own@x.example>\n"
	    "H??From: Someone <s@x.example>\n"));
	q_msg_free(m);
	sm_strlist_clear(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_line),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_write_adds_what_lacks),
		cmocka_unit_test(test_write_keeps_what_is_there),
	};

	/* Date: is written in local time: make it UTC here. */
	(void)setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
