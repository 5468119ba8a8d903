/*
 * io_test - deadline I/O on real sockets (libsm/sm_io).
 *
 * Uses socketpairs and loopback TCP; waits are a few hundred ms.
 */
#include "sm_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define WAIT_MS	300

static long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
send_all(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Lines come back whole, with their line ends, across partial reads. */
static void
test_getline(void **state)
{
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_io *io;
	int sv[2];

	(void)state;
	pair(sv);
	io = sm_io_new(sv[0], sv[0]);
	sm_buf_init(&line, 0);
	send_all(sv[1], "EHLO a\r\nMAIL FROM:<x>\nRC");
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_OK);
	assert_string_equal(sm_buf_str(&line), "EHLO a\r\n");
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_OK);
	assert_string_equal(sm_buf_str(&line), "MAIL FROM:<x>\n");
	assert_int_equal(sm_io_pending(io), 2);
	send_all(sv[1], "PT TO:<y>\r\n");
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_OK);
	assert_string_equal(sm_buf_str(&line), "RCPT TO:<y>\r\n");
	send_all(sv[1], "tail");
	(void)close(sv[1]);
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_EOF);
	assert_string_equal(sm_buf_str(&line), "tail");
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_EOF);
	sm_buf_free(&line);
	sm_io_free(io);
	(void)close(sv[0]);
}

/* A line longer than the limit is TOOLONG, not OK; the rest stays. */
static void
test_toolong(void **state)
{
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_io *io;
	int sv[2];

	(void)state;
	pair(sv);
	io = sm_io_new(sv[0], sv[0]);
	sm_buf_init(&line, 0);
	send_all(sv[1], "0123456789abcdef\r\nnext\r\n");
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_getline(io, &line, 10, &dl), SM_IO_TOOLONG);
	assert_string_equal(sm_buf_str(&line), "0123456789");
	assert_int_equal(sm_io_getline(io, &line, 10, &dl), SM_IO_OK);
	assert_string_equal(sm_buf_str(&line), "abcdef\r\n");
	/* Exactly maxlen bytes, line end included, is still a line. */
	assert_int_equal(sm_io_getline(io, &line, 6, &dl), SM_IO_OK);
	assert_string_equal(sm_buf_str(&line), "next\r\n");
	sm_buf_free(&line);
	sm_io_free(io);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

/* A peer that sends nothing: timeout within 100 ms after the deadline. */
static void
test_read_timeout(void **state)
{
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_io *io;
	char blk[16];
	size_t got;
	long t0, dt;
	int sv[2];

	(void)state;
	pair(sv);
	io = sm_io_new(sv[0], sv[0]);
	sm_buf_init(&line, 0);
	send_all(sv[1], "partial line, then silence");
	t0 = now_ms();
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_getline(io, &line, 1000, &dl), SM_IO_TIMEOUT);
	dt = now_ms() - t0;
	if (dt < WAIT_MS || dt > WAIT_MS + 100)
		fail_msg("getline timed out after %ld ms, deadline %d ms", dt,
		    WAIT_MS);
	t0 = now_ms();
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_read(io, blk, sizeof(blk), &got, &dl),
	    SM_IO_TIMEOUT);
	dt = now_ms() - t0;
	if (dt < WAIT_MS || dt > WAIT_MS + 100)
		fail_msg("read timed out after %ld ms, deadline %d ms", dt,
		    WAIT_MS);
	assert_int_equal(got, 0);
	/* A trickle of bytes does not stretch one deadline. */
	t0 = now_ms();
	sm_deadline_in_ms(&dl, WAIT_MS);
	send_all(sv[1], "x");
	assert_int_equal(sm_io_getline(io, &line, 1000, &dl), SM_IO_TIMEOUT);
	dt = now_ms() - t0;
	assert_true(dt >= WAIT_MS && dt <= WAIT_MS + 100);
	sm_buf_free(&line);
	sm_io_free(io);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

/* Block reads return what is there, then EOF. */
static void
test_read_block(void **state)
{
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_io *io;
	char blk[8];
	size_t got;
	int sv[2];

	(void)state;
	pair(sv);
	io = sm_io_new(sv[0], sv[0]);
	sm_buf_init(&line, 0);
	send_all(sv[1], "head\r\nbody bytes");
	(void)close(sv[1]);
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_OK);
	assert_int_equal(sm_io_read(io, blk, sizeof(blk), &got, &dl),
	    SM_IO_OK);
	assert_int_equal(got, 8);
	assert_memory_equal(blk, "body byt", 8);
	assert_int_equal(sm_io_read(io, blk, sizeof(blk), &got, &dl),
	    SM_IO_OK);
	assert_int_equal(got, 2);
	assert_int_equal(sm_io_read(io, blk, sizeof(blk), &got, &dl),
	    SM_IO_EOF);
	sm_buf_free(&line);
	sm_io_free(io);
	(void)close(sv[0]);
}

/* A peer that never reads: the write times out and the stream is dead. */
static void
test_write_timeout(void **state)
{
	static char chunk[65536];
	struct sm_deadline dl;
	struct sm_io *io;
	long t0, dt;
	int sv[2], i, r = SM_IO_OK;

	(void)state;
	pair(sv);
	io = sm_io_new(sv[0], sv[0]);
	t0 = now_ms();
	sm_deadline_in_ms(&dl, WAIT_MS);
	for (i = 0; i < 1000 && r == SM_IO_OK; i++)
		r = sm_io_write(io, chunk, sizeof(chunk), &dl);
	dt = now_ms() - t0;
	assert_int_equal(r, SM_IO_TIMEOUT);
	if (dt < WAIT_MS || dt > WAIT_MS + 100)
		fail_msg("write timed out after %ld ms, deadline %d ms", dt,
		    WAIT_MS);
	assert_true(sm_io_dead(io));
	/* Dead: later calls fail at once instead of waiting again. */
	t0 = now_ms();
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_write(io, "x", 1, &dl), SM_IO_ERR);
	assert_true(now_ms() - t0 < 50);
	sm_io_free(io);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

/* Writing to a closed peer is an error, not a SIGPIPE. */
static void
test_write_closed(void **state)
{
	struct sm_deadline dl;
	struct sm_io *io;
	int sv[2], i, r = SM_IO_OK;

	(void)state;
	pair(sv);
	io = sm_io_new(sv[0], sv[0]);
	(void)close(sv[1]);
	sm_deadline_in_ms(&dl, WAIT_MS);
	for (i = 0; i < 10 && r == SM_IO_OK; i++)
		r = sm_io_write(io, "hello\r\n", 7, &dl);
	assert_int_equal(r, SM_IO_ERR);
	sm_io_free(io);
	(void)close(sv[0]);
}

/* connect: to a listener works; to a closed port fails with an error. */
static void
test_connect(void **state)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct sm_deadline dl;
	int lfd, fd;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 5), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_connect(&fd, (struct sockaddr *)&sin,
	    sizeof(sin), NULL, 0, &dl), SM_IO_OK);
	assert_true(fd >= 0);
	(void)close(fd);
	(void)close(lfd);
	/* The port is closed now: refused at once. */
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_connect(&fd, (struct sockaddr *)&sin,
	    sizeof(sin), NULL, 0, &dl), SM_IO_ERR);
	assert_int_equal(errno, ECONNREFUSED);
	assert_int_equal(fd, -1);
}

/* Separate read and write descriptors, as for -bs on a pipe. */
static void
test_two_fds(void **state)
{
	struct sm_deadline dl;
	struct sm_buf line;
	struct sm_io *io;
	int in[2], out[2];
	char buf[32];

	(void)state;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	io = sm_io_new(in[0], out[1]);
	sm_buf_init(&line, 0);
	send_all(in[1], "HELO x\r\n");
	sm_deadline_in_ms(&dl, WAIT_MS);
	assert_int_equal(sm_io_getline(io, &line, 100, &dl), SM_IO_OK);
	assert_int_equal(sm_io_write(io, "250 ok\r\n", 8, &dl), SM_IO_OK);
	assert_int_equal(read(out[0], buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "250 ok\r\n", 8);
	sm_buf_free(&line);
	sm_io_free(io);
	(void)close(in[0]);
	(void)close(in[1]);
	(void)close(out[0]);
	(void)close(out[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getline),
		cmocka_unit_test(test_toolong),
		cmocka_unit_test(test_read_timeout),
		cmocka_unit_test(test_read_block),
		cmocka_unit_test(test_write_timeout),
		cmocka_unit_test(test_write_closed),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_two_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
