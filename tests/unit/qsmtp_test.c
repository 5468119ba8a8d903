/*
 * qsmtp_test - the SMTP client's transaction with PIPELINING (queue/
 * q_smtp, RFC 2920) against a scripted server: MAIL, the RCPTs and
 * DATA go together before any reply is read; many recipients go in
 * batches small enough that neither side blocks; recipients refused
 * with 452 go in the next transaction; a refused MAIL leaves the
 * connection usable, unless the server answered the pipelined DATA
 * with 354.
 *
 * The server is a child process on the other end of a socketpair.  It
 * takes what the client wrote until the client waits (nothing more
 * within WAIT_MS), notes that batch in a file, then answers it.
 */
#include "q_smtp.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define WAIT_MS		50
#define PIPE_BYTES	8192	/* what the client writes before it reads */
#define MAXRCPT		400

struct script {
	const char	*ehlo;		/* the reply to EHLO */
	bool		 refuse_mail;	/* 550 to MAIL */
	bool		 data_anyway;	/* 354 to DATA without recipients */
	int		 per_txn;	/* RCPTs per transaction; 0: all */
};

static const char pipelining[] = "250-mx.example\r\n250-PIPELINING\r\n"
    "250 8BITMIME\r\n";
static const char plain[] = "250-mx.example\r\n250 8BITMIME\r\n";

/* The server's buffered reading: what came, and how far it is used. */
static char in[1 << 16];
static size_t inlen, inoff;

/* more - read what fd has within ms; false at its end or after ms */
static bool
more(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	if (inoff > 0) {
		memmove(in, in + inoff, inlen - inoff);
		inlen -= inoff;
		inoff = 0;
	}
	if (poll(&p, 1, ms) != 1 || inlen == sizeof(in))
		return false;
	if ((n = read(fd, in + inlen, sizeof(in) - inlen)) <= 0)
		return false;
	inlen += (size_t)n;
	return true;
}

/* getline_ - the next whole line that came (CRLF gone), or NULL */
static char *
getline_(void)
{
	char *nl = memchr(in + inoff, '\n', inlen - inoff), *s = in + inoff;

	if (nl == NULL)
		return NULL;
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	inoff = (size_t)(nl - in) + 1;
	return s;
}

/* server - answer the client on fd as s says, noting batches in log */
static void
server(int fd, const struct script *s, int log)
{
	char note[64], *l, *p;
	bool mail = false;
	int nrcpt = 0, txns = 0, n;
	size_t bytes;

	test_say(fd, "220 mx.example ESMTP\r\n");
	for (;;) {
		/* A batch: all the client wrote before it waited. */
		if (!more(fd, 5000))
			break;
		while (more(fd, WAIT_MS))
			;
		bytes = inlen - inoff;
		for (n = 0, p = in + inoff; p < in + inlen; p++)
			n += *p == '\n';
		(void)snprintf(note, sizeof(note), "batch %d %zu\n", n, bytes);
		if (write(log, note, strlen(note)) < 0)
			_exit(3);
		while ((l = getline_()) != NULL) {
			if (strncmp(l, "EHLO", 4) == 0)
				test_say(fd, s->ehlo);
			else if (strncmp(l, "MAIL", 4) == 0) {
				mail = !s->refuse_mail;
				nrcpt = 0;
				test_say(fd, mail ? "250 2.1.0 ok\r\n" :
				    "550 5.7.1 not from you\r\n");
			} else if (strncmp(l, "RCPT", 4) == 0) {
				if (!mail)
					test_say(fd,
					    "503 5.5.1 MAIL first\r\n");
				else if (s->per_txn > 0 &&
				    nrcpt >= s->per_txn)
					test_say(fd, "452 4.5.3 Too many "
					    "recipients\r\n");
				else {
					nrcpt++;
					test_say(fd, "250 2.1.5 ok\r\n");
				}
			} else if (strncmp(l, "DATA", 4) == 0) {
				if ((!mail || nrcpt == 0) && !s->data_anyway) {
					test_say(fd,
					    "503 5.5.1 no recipients\r\n");
					continue;
				}
				test_say(fd, "354 go ahead\r\n");
				/* The message, up to its dot. */
				do
					while ((l = getline_()) == NULL)
						if (!more(fd, 5000))
							_exit(0);
				while (strcmp(l, ".") != 0);
				test_say(fd, "250 2.0.0 queued\r\n");
				mail = false;
				txns++;
			} else if (strncmp(l, "RSET", 4) == 0) {
				mail = false;
				test_say(fd, "250 2.0.0 reset\r\n");
			} else if (strncmp(l, "QUIT", 4) == 0) {
				test_say(fd, "221 2.0.0 bye\r\n");
				goto out;
			} else
				test_say(fd, "500 5.5.1 what?\r\n");
		}
	}
out:
	(void)snprintf(note, sizeof(note), "txns %d\n", txns);
	if (write(log, note, strlen(note)) < 0)
		_exit(3);
	_exit(0);
}

/* What the server saw, from its notes. */
struct seen {
	size_t	 nbatch;
	int	 lines[256];
	size_t	 bytes[256];
	int	 txns;
};

/* Between two transactions of one q_smtp_send. */
static int betweens;

static void
between(void *ctx)
{
	(void)ctx;
	betweens++;
}

/* The client's side of one run against a script. */
struct run {
	struct sm_options	 o;
	struct q_conn		*c;
	pid_t			 pid;
	char			 log[sizeof(test_dir) + 8];
};

/* start - a server for s, and the client connected to it */
static void
start(struct run *r, const struct script *s)
{
	struct q_result res;
	int sv[2], log;

	sm_opt_init(&r->o);
	r->o.to.mail = r->o.to.rcpt = r->o.to.datainit = 5;
	r->o.to.datafinal = r->o.to.rset = r->o.to.quit = 5;
	(void)snprintf(r->log, sizeof(r->log), "%s/log", test_dir);
	log = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	assert_true(log >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		(void)close(sv[0]);
		server(sv[1], s, log);
	}
	(void)close(sv[1]);
	(void)close(log);
	r->c = q_smtp_attach(sv[0], "mx.example", false, &r->o, "me.example",
	    &res);
	assert_non_null(r->c);
}

/* finish - QUIT (when quit), and what the server saw */
static void
finish(struct run *r, bool quit, struct seen *seen)
{
	char word[16];
	long a;
	size_t b;
	FILE *fp;
	int st;

	q_smtp_close(r->c, quit);
	assert_int_equal(waitpid(r->pid, &st, 0), r->pid);
	memset(seen, 0, sizeof(*seen));
	fp = fopen(r->log, "r");
	assert_non_null(fp);
	while (fscanf(fp, "%15s %ld", word, &a) == 2) {
		if (strcmp(word, "txns") == 0) {
			seen->txns = (int)a;
			continue;
		}
		if (fscanf(fp, "%zu", &b) != 1)
			break;
		if (seen->nbatch < NELEM(seen->lines)) {
			seen->lines[seen->nbatch] = (int)a;
			seen->bytes[seen->nbatch++] = b;
		}
	}
	(void)fclose(fp);
	sm_opt_free(&r->o);
}

/* transact - a message to n recipients over r; q_smtp_send's result */
static int
transact(struct run *r, size_t n, struct q_result *res)
{
	static char addrs[MAXRCPT][80];
	static const char *rcpts[MAXRCPT], *none[MAXRCPT];
	struct sm_strlist hdrs = { NULL, 0 };
	char body[sizeof(test_dir) + 8];
	struct q_txn t;
	size_t i;
	int dfd, rc;

	(void)snprintf(body, sizeof(body), "%s/df", test_dir);
	dfd = open(body, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(dfd >= 0);
	assert_int_equal(write(dfd, "hello\n", 6), 6);
	for (i = 0; i < n; i++) {
		(void)snprintf(addrs[i], sizeof(addrs[i]),
		    "<recipient-%03zu@a-rather-long-domain-name.example>", i);
		rcpts[i] = addrs[i];
		none[i] = NULL;
	}
	sm_strlist_add(&hdrs, "Subject: pipelining");
	memset(res, 0, n * sizeof(*res));
	t = (struct q_txn){ .sender = "<s@example.org>", .nrcpts = n,
	    .rcpts = rcpts, .notify = none, .orcpt = none, .results = res,
	    .headers = &hdrs, .mailer_flags = "mDFMuX", .dfd = dfd,
	    .id = "TEST", .between = between };
	betweens = 0;
	rc = q_smtp_send(r->c, &t);
	sm_strlist_clear(&hdrs);
	(void)close(dfd);
	return rc;
}

/* all_ok - every one of the n results is a delivery */
static void
all_ok(const struct q_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].status != Q_OK)
			fail_msg("recipient %zu: %s", i, res[i].text);
}

/*
 * With PIPELINING, MAIL, the RCPTs and DATA are written together and
 * the message follows its 354; without it, one command at a time.
 */
static void
test_together(void **state)
{
	static const struct script with = { pipelining, false, false, 0 },
	    without = { plain, false, false, 0 };
	struct q_result res[3];
	struct seen seen;
	struct run r;
	size_t i;

	(void)state;
	start(&r, &with);
	assert_int_equal(transact(&r, 3, res), 0);
	all_ok(res, 3);
	finish(&r, true, &seen);
	/* EHLO, then MAIL + 3 RCPT + DATA (the message after 354), QUIT */
	assert_int_equal(seen.nbatch, 3);
	assert_int_equal(seen.lines[1], 5);
	assert_int_equal(seen.txns, 1);

	start(&r, &without);
	assert_int_equal(transact(&r, 3, res), 0);
	all_ok(res, 3);
	finish(&r, true, &seen);
	assert_int_equal(seen.nbatch, 1 + 5 + 1);
	for (i = 1; i < 6; i++)
		assert_int_equal(seen.lines[i], 1);
}

/*
 * Many recipients go in batches of about PIPE_BYTES, each one's
 * replies read before the next is written, so that neither side fills
 * the other's buffers; all of them get the message in one transaction.
 */
static void
test_batches(void **state)
{
	static const struct script with = { pipelining, false, false, 0 };
	static struct q_result res[MAXRCPT];
	struct seen seen;
	struct run r;
	size_t i, cmds = 0;

	(void)state;
	start(&r, &with);
	assert_int_equal(transact(&r, MAXRCPT, res), 0);
	all_ok(res, MAXRCPT);
	finish(&r, true, &seen);
	assert_int_equal(seen.txns, 1);
	assert_true(seen.nbatch > 3);	/* EHLO, batches, QUIT */
	for (i = 1; i + 1 < seen.nbatch; i++) {
		/* A batch stops at the first command past PIPE_BYTES. */
		if (seen.bytes[i] > PIPE_BYTES + 100)
			fail_msg("batch %zu: %zu bytes", i, seen.bytes[i]);
		cmds += (size_t)seen.lines[i];
	}
	assert_int_equal(cmds, 1 + MAXRCPT + 1);
}

/*
 * A server that takes two recipients per transaction (452 for more)
 * gets the others in the next transactions on the same connection,
 * with what each delivered recorded in between.
 */
static void
test_too_many(void **state)
{
	static const struct script two = { pipelining, false, false, 2 },
	    two_plain = { plain, false, false, 2 };
	struct q_result res[5];
	struct seen seen;
	struct run r;

	(void)state;
	start(&r, &two);
	assert_int_equal(transact(&r, 5, res), 0);
	all_ok(res, 5);
	assert_int_equal(betweens, 2);
	assert_true(q_smtp_usable(r.c));
	finish(&r, true, &seen);
	assert_int_equal(seen.txns, 3);

	start(&r, &two_plain);
	assert_int_equal(transact(&r, 5, res), 0);
	all_ok(res, 5);
	finish(&r, true, &seen);
	assert_int_equal(seen.txns, 3);
}

/*
 * MAIL refused while the RCPTs and DATA were on their way: every
 * recipient gets the refusal, the replies to the rest are read, and the
 * connection can carry the next message.  A server that answers such a
 * DATA with 354 waits for a message: only hanging up ends that.
 */
static void
test_mail_refused(void **state)
{
	static const struct script refuse = { pipelining, true, false, 0 },
	    refuse_354 = { pipelining, true, true, 0 };
	struct q_result res[3];
	struct seen seen;
	struct run r;
	size_t i;

	(void)state;
	start(&r, &refuse);
	assert_int_equal(transact(&r, 3, res), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(res[i].status, Q_PERMFAIL);
		assert_string_equal(res[i].text, "550 5.7.1 not from you");
	}
	assert_true(q_smtp_usable(r.c));
	assert_int_equal(q_smtp_rset(r.c), 0);
	finish(&r, true, &seen);
	assert_int_equal(seen.txns, 0);

	start(&r, &refuse_354);
	(void)transact(&r, 3, res);
	for (i = 0; i < 3; i++)
		assert_int_equal(res[i].status, Q_PERMFAIL);
	assert_false(q_smtp_usable(r.c));
	finish(&r, false, &seen);
	assert_int_equal(seen.txns, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_together),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_mail_refused),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
