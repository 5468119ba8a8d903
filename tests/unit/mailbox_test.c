/*
 * mailbox_test - the built-in mailbox delivery (sendmaild/local/mda) when an
 * earlier attempt at the same delivery was cut off: the copy it left at
 * the end of the mailbox, recognised by its X-Delivery-ID line and its
 * bytes, is the delivery when whole, and is replaced when cut short.
 * The test delivers to a mailbox of its own user in a scratch spool.
 */
#include "mda.h"

#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm_buf.h"
#include "test.h"

#define FROM_1	"From a@example.org  Mon Dec  7 10:00:00 2026"
#define FROM_2	"From a@example.org  Tue Dec  8 11:30:00 2026"
#define BODY	"hello\nFrom the start\nbye\n"

static struct q_ctl ctl;
static struct mda_user user;
static char box[4200];
static int dfd = -1;

/* setup - a message queued as 6AM9Bx4c025096, an empty mailbox */
static int
setup(void **state)
{
	char path[4200];
	struct passwd *pw = getpwuid(getuid());

	if (test_dir_setup(state) < 0 || pw == NULL)
		return -1;
	memset(&ctl, 0, sizeof(ctl));
	(void)snprintf(ctl.id, sizeof(ctl.id), "6AM9Bx4c025096");
	ctl.sender = strdup("<a@example.org>");
	sm_strlist_add(&ctl.headers, "??Subject: planted");
	(void)snprintf(path, sizeof(path), "%s/df", test_dir);
	if ((dfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    write(dfd, BODY, strlen(BODY)) != (ssize_t)strlen(BODY))
		return -1;
	mda_user(&user, pw, (gid_t)-1);
	(void)snprintf(box, sizeof(box), "%s/%s", test_dir, pw->pw_name);
	return 0;
}

static int
teardown(void **state)
{
	(void)close(dfd);
	q_ctl_free(&ctl);
	return test_dir_teardown(state);
}

/* deliver - the message into the mailbox once, with this From line */
static void
deliver(const char *id, const char *from_line, struct q_result *res)
{
	struct mda_msg m;
	struct sm_deadline dl;

	memset(&m, 0, sizeof(m));
	(void)snprintf(ctl.id, sizeof(ctl.id), "%s", id);
	m.ctl = &ctl;
	m.dfd = dfd;
	m.mflags = "lsDFMAw5:/|@qPn9";
	m.from_line = from_line;
	memset(res, 0, sizeof(*res));
	sm_deadline_in(&dl, 10);
	mda_mailbox(&m, &user, test_dir, &dl, res);
}

/* slurp - the mailbox's text */
static void
slurp(struct sm_buf *b)
{
	char buf[65536];
	ssize_t n;
	int fd = open(box, O_RDONLY);

	sm_buf_reset(b);
	assert_true(fd >= 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		(void)sm_buf_append(b, buf, (size_t)n);
	(void)close(fd);
}

/* box_is - the mailbox holds want, byte for byte */
static void
box_is(const struct sm_buf *want)
{
	struct sm_buf b;

	sm_buf_init(&b, 0);
	slurp(&b);
	assert_int_equal(b.len, want->len);
	assert_memory_equal(b.data, want->data, b.len);
	sm_buf_free(&b);
}

/* plant - text written at the end of the mailbox as another writer would */
static void
plant(const char *text, size_t len)
{
	int fd = open(box, O_WRONLY | O_APPEND | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	(void)close(fd);
}

/* count - how many times s occurs in b */
static size_t
count(const struct sm_buf *b, const char *s)
{
	const char *p = b->data, *end = b->data + b->len;
	size_t n = 0;

	while (p < end && (p = memmem(p, (size_t)(end - p), s,
	    strlen(s))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* fresh - an empty mailbox */
static void
fresh(void)
{
	(void)unlink(box);
}

static const char one_copy[] = FROM_1 "\n"
    "X-Delivery-ID: 6AM9Bx4c025096 %s\n"
    "Subject: planted\n\nhello\n>From the start\nbye\n\n";

/* The copy names its delivery on the line after its From line. */
static void
test_copy_names_the_delivery(void **state)
{
	struct q_result res;
	struct sm_buf want;

	(void)state;
	fresh();
	sm_buf_init(&want, 0);
	deliver("6AM9Bx4c025096", FROM_1, &res);
	assert_int_equal(res.status, Q_OK);
	assert_string_equal(res.text, "");
	(void)sm_buf_printf(&want, one_copy, user.name);
	box_is(&want);
	sm_buf_free(&want);
}

/*
 * The same delivery again (its process was killed before the queue file
 * said so), later (another From date), after other mail came: the
 * mailbox has it, nothing is written.
 */
static void
test_whole_copy_is_the_delivery(void **state)
{
	static const char other[] = "From b@example.org  Mon Dec  7 10:00:01 "
	    "2026\nSubject: other\n\nanother message\n\n";
	struct q_result res;
	struct sm_buf b;
	size_t len;

	(void)state;
	fresh();
	sm_buf_init(&b, 0);
	deliver("6AM9Bx4c025096", FROM_1, &res);
	plant(other, strlen(other));
	slurp(&b);
	len = b.len;
	deliver("6AM9Bx4c025096", FROM_2, &res);
	assert_int_equal(res.status, Q_OK);
	assert_string_equal(res.text, "the mailbox had it already");
	slurp(&b);
	assert_int_equal(b.len, len);
	/* Another message (another queue id) is delivered. */
	deliver("6AM9Bx4c025097", FROM_2, &res);
	assert_int_equal(res.status, Q_OK);
	assert_string_equal(res.text, "");
	slurp(&b);
	assert_int_equal(count(&b, "\nSubject: planted\n"), 2);
	sm_buf_free(&b);
}

/* A copy killed in the middle of its write is cut off and written again. */
static void
test_cut_copy_is_replaced(void **state)
{
	struct q_result res;
	struct sm_buf whole;

	(void)state;
	fresh();
	sm_buf_init(&whole, 0);
	deliver("6AM9Bx4c025096", FROM_1, &res);
	slurp(&whole);
	assert_int_equal(truncate(box, (off_t)whole.len - 12), 0);
	deliver("6AM9Bx4c025096", FROM_1, &res);
	assert_int_equal(res.status, Q_OK);
	assert_string_equal(res.text, "a cut copy replaced");
	box_is(&whole);
	sm_buf_free(&whole);
}

/*
 * Only our own bytes count: a copy with the same X-Delivery-ID line whose
 * text differs, or a cut one that others' mail follows, is not the
 * delivery; nor is one that ends farther back than the part searched.
 */
static void
test_other_copies_are_not_the_delivery(void **state)
{
	static const char more[] = "\n\nFrom b@example.org  Mon Dec  7 "
	    "10:00:01 2026\n\nx\n\n";
	struct q_result res;
	struct sm_buf b, forged, filler;
	size_t i;

	(void)state;
	fresh();
	sm_buf_init(&b, 0);
	sm_buf_init(&forged, 0);
	(void)sm_buf_printf(&forged, one_copy, user.name);
	forged.data[forged.len - 3] = 'X';		/* "byX" */
	plant(forged.data, forged.len);
	deliver("6AM9Bx4c025096", FROM_1, &res);
	assert_string_equal(res.text, "");
	slurp(&b);
	assert_int_equal(count(&b, "X-Delivery-ID: 6AM9Bx4c025096"), 2);

	fresh();
	forged.data[forged.len - 3] = 'e';		/* ours again */
	plant(forged.data, forged.len - 20);		/* cut, then more */
	plant(more, strlen(more));
	deliver("6AM9Bx4c025096", FROM_1, &res);
	assert_string_equal(res.text, "");
	slurp(&b);
	assert_int_equal(count(&b, "X-Delivery-ID: 6AM9Bx4c025096"), 2);

	fresh();
	deliver("6AM9Bx4c025096", FROM_1, &res);
	sm_buf_init(&filler, 0);
	(void)sm_buf_puts(&filler, "From b@example.org  Mon Dec  7 10:00:01 "
	    "2026\n\n");
	for (i = 0; i < 4 * 1024 * 1024 / 64; i++)
		(void)sm_buf_puts(&filler, "a line of another message, long "
		    "enough to fill the mailbox....\n");
	(void)sm_buf_puts(&filler, "\n");
	plant(filler.data, filler.len);
	deliver("6AM9Bx4c025096", FROM_1, &res);
	assert_string_equal(res.text, "");
	slurp(&b);
	assert_int_equal(count(&b, "X-Delivery-ID: 6AM9Bx4c025096"), 2);
	sm_buf_free(&b);
	sm_buf_free(&forged);
	sm_buf_free(&filler);
}

/*
 * A mailbox that ends in the middle of a line (a copy cut short by some
 * other writer): ours still begins a line of its own, after a blank one.
 */
static void
test_copy_begins_its_own_line(void **state)
{
	static const char cut[] = "From b@example.org  Mon Dec  7 10:00:01 "
	    "2026\nSubject: cut\n\nhalf a li";
	struct q_result res;
	struct sm_buf b;

	(void)state;
	fresh();
	sm_buf_init(&b, 0);
	plant(cut, strlen(cut));
	deliver("6AM9Bx4c025096", FROM_1, &res);
	assert_int_equal(res.status, Q_OK);
	slurp(&b);
	assert_true(b.len > strlen(cut) + 2);
	assert_memory_equal(b.data + strlen(cut), "\n\n" FROM_1 "\n",
	    strlen(FROM_1) + 3);
	sm_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_names_the_delivery),
		cmocka_unit_test(test_whole_copy_is_the_delivery),
		cmocka_unit_test(test_cut_copy_is_replaced),
		cmocka_unit_test(test_other_copies_are_not_the_delivery),
		cmocka_unit_test(test_copy_begins_its_own_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
