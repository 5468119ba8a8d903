/*
 * sm_io - deadline-bounded I/O with poll(); see sm_io.h.
 *
 * Runs in every process that talks to a peer.  Never blocks: each
 * descriptor is non-blocking and every wait is a poll() bounded by the
 * caller's deadline.  Not alarm()/longjmp (unsafe with stdio and malloc),
 * not SO_RCVTIMEO (it bounds one call, not a line), not select() (it
 * breaks above FD_SETSIZE).
 */
#include "sm_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <openssl/err.h>

#include "sm_alloc.h"
#include "sm_log.h"

#define SM_IO_RBUFSIZE	16384

struct sm_io {
	int	 rfd, wfd;
	int	 rflags, wflags;	/* fcntl flags to restore */
	bool	 wsock;			/* wfd is a socket: use send() */
	bool	 dead;			/* a write failed or timed out */
	bool	 eof;			/* the peer closed its side */
	bool	 replied;		/* wrote since the last read */
	char	*rbuf;
	size_t	 rpos, rlen;		/* unread bytes: rbuf[rpos..rlen) */
	SSL	*ssl;			/* after sm_io_starttls() */
	char	 tls_err[256];		/* why TLS failed, for the log */
};

/* set_nonblock - make fd non-blocking, return the old flags or -1 */
static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fl;
}

/* sm_io_new - a stream reading rfd and writing wfd */
struct sm_io *
sm_io_new(int rfd, int wfd)
{
	struct sm_io *io = sm_calloc(1, sizeof(*io));
	int type;
	socklen_t len = sizeof(type);

	io->rfd = rfd;
	io->wfd = wfd;
	io->rflags = set_nonblock(rfd);
	io->wflags = wfd == rfd ? io->rflags : set_nonblock(wfd);
	io->wsock = getsockopt(wfd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
	io->rbuf = sm_malloc(SM_IO_RBUFSIZE);
	return io;
}

/* sm_io_free - release the stream, restore the descriptors' flags */
void
sm_io_free(struct sm_io *io)
{
	if (io == NULL)
		return;
	if (io->ssl != NULL) {
		/* One try at close_notify; never a wait for the peer's. */
		if (!io->dead)
			(void)SSL_shutdown(io->ssl);
		SSL_free(io->ssl);
		ERR_clear_error();
	}
	/* Best effort: the descriptor may already be closed by the peer. */
	if (io->rflags >= 0)
		(void)fcntl(io->rfd, F_SETFL, io->rflags);
	if (io->wfd != io->rfd && io->wflags >= 0)
		(void)fcntl(io->wfd, F_SETFL, io->wflags);
	free(io->rbuf);
	free(io);
}

/* wait_fd - poll one descriptor for events until the deadline */
static enum sm_io_result
wait_fd(int fd, short events, const struct sm_deadline *dl)
{
	struct pollfd pfd;
	int n;

	for (;;) {
		/* Checked each time: a peer that keeps the descriptor
		 * ready without progress must not outlast the deadline. */
		if (sm_deadline_expired(dl))
			return SM_IO_TIMEOUT;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, sm_deadline_left_ms(dl));
		if (n > 0)
			return SM_IO_OK;	/* errors show in the next call */
		if (n == 0) {
			if (sm_deadline_expired(dl))
				return SM_IO_TIMEOUT;
			continue;		/* woke a hair early */
		}
		if (errno != EINTR)
			return SM_IO_ERR;
	}
}

/*
 * tls_wait - after an OpenSSL call returned rc: wait for what it wants
 * (OK: call again), or the result that ends the call.
 */
static enum sm_io_result
tls_wait(struct sm_io *io, int rc, const struct sm_deadline *dl)
{
	int e = SSL_get_error(io->ssl, rc);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(io->rfd, POLLIN, dl);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(io->wfd, POLLOUT, dl);
	case SSL_ERROR_ZERO_RETURN:
		return SM_IO_EOF;
	case SSL_ERROR_SYSCALL:
		if (errno == EINTR)
			return SM_IO_OK;
		if (errno == 0)
			return SM_IO_EOF;	/* closed without close_notify */
		(void)snprintf(io->tls_err, sizeof(io->tls_err), "%s",
		    strerror(errno));
		break;
	default:
		sm_tls_error(io->tls_err, sizeof(io->tls_err));
		break;
	}
	/* A fatal TLS error: no more I/O on it, not even a shutdown. */
	ERR_clear_error();
	io->dead = true;
	return SM_IO_ERR;
}

/* tls_fill - fill() through TLS */
static enum sm_io_result
tls_fill(struct sm_io *io, const struct sm_deadline *dl)
{
	enum sm_io_result r;
	int n;

	for (;;) {
		errno = 0;
		ERR_clear_error();
		n = SSL_read(io->ssl, io->rbuf + io->rlen,
		    (int)(SM_IO_RBUFSIZE - io->rlen));
		if (n > 0) {
			io->rlen += (size_t)n;
			return SM_IO_OK;
		}
		if ((r = tls_wait(io, n, dl)) != SM_IO_OK) {
			if (r == SM_IO_EOF)
				io->eof = true;
			return r;
		}
	}
}

/* fill - read more input into rbuf; OK when at least one byte came */
static enum sm_io_result
fill(struct sm_io *io, const struct sm_deadline *dl)
{
	enum sm_io_result r;
	ssize_t n;

	if (io->eof)
		return SM_IO_EOF;
	if (io->rpos > 0) {
		memmove(io->rbuf, io->rbuf + io->rpos, io->rlen - io->rpos);
		io->rlen -= io->rpos;
		io->rpos = 0;
	}
	/*
	 * Right after a reply the peer's next line is seldom there yet:
	 * wait for it first instead of a read that would find nothing.
	 */
	if (io->replied) {
		io->replied = false;
		if ((io->ssl == NULL || !SSL_has_pending(io->ssl)) &&
		    (r = wait_fd(io->rfd, POLLIN, dl)) != SM_IO_OK)
			return r;
	}
	if (io->ssl != NULL)
		return tls_fill(io, dl);
	for (;;) {
		n = read(io->rfd, io->rbuf + io->rlen,
		    SM_IO_RBUFSIZE - io->rlen);
		if (n > 0) {
			io->rlen += (size_t)n;
			return SM_IO_OK;
		}
		if (n == 0) {
			io->eof = true;
			return SM_IO_EOF;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return SM_IO_ERR;
		if ((r = wait_fd(io->rfd, POLLIN, dl)) != SM_IO_OK)
			return r;
	}
}

/* sm_io_getline - read one line of at most maxlen bytes */
enum sm_io_result
sm_io_getline(struct sm_io *io, struct sm_buf *line, size_t maxlen,
    const struct sm_deadline *dl)
{
	enum sm_io_result r;

	sm_buf_reset(line);
	if (io->dead)
		return SM_IO_ERR;
	for (;;) {
		size_t avail = io->rlen - io->rpos, take, room;
		char *start = io->rbuf + io->rpos;
		char *nl = memchr(start, '\n', avail);

		room = maxlen - line->len;
		take = nl != NULL ? (size_t)(nl - start) + 1 : avail;
		if (take > room)
			take = room;
		if (sm_buf_append(line, start, take) < 0)
			return SM_IO_ERR;	/* line's own limit < maxlen */
		io->rpos += take;
		if (line->len > 0 && line->data[line->len - 1] == '\n')
			return SM_IO_OK;
		if (line->len >= maxlen)
			return SM_IO_TOOLONG;
		if ((r = fill(io, dl)) != SM_IO_OK)
			return r;
	}
}

/* sm_io_read - read between 1 and len bytes */
enum sm_io_result
sm_io_read(struct sm_io *io, void *p, size_t len, size_t *got,
    const struct sm_deadline *dl)
{
	enum sm_io_result r;
	size_t n;

	*got = 0;
	if (io->dead)
		return SM_IO_ERR;
	if (len == 0)
		return SM_IO_OK;
	if (io->rpos == io->rlen && (r = fill(io, dl)) != SM_IO_OK)
		return r;
	n = io->rlen - io->rpos;
	if (n > len)
		n = len;
	memcpy(p, io->rbuf + io->rpos, n);
	io->rpos += n;
	*got = n;
	return SM_IO_OK;
}

/* sm_io_write - write all len bytes before the deadline */
enum sm_io_result
sm_io_write(struct sm_io *io, const void *p, size_t len,
    const struct sm_deadline *dl)
{
	const char *s = p;
	enum sm_io_result r;
	ssize_t n;

	if (io->dead)
		return SM_IO_ERR;
	io->replied = len > 0;
	while (len > 0 && io->ssl != NULL) {
		int n1;

		errno = 0;
		ERR_clear_error();
		n1 = SSL_write(io->ssl, s, len > INT_MAX ? INT_MAX : (int)len);
		if (n1 > 0) {
			s += n1;
			len -= (size_t)n1;
			continue;
		}
		if ((r = tls_wait(io, n1, dl)) != SM_IO_OK) {
			io->dead = true;
			return r == SM_IO_EOF ? SM_IO_ERR : r;
		}
	}
	while (len > 0) {
		if (io->wsock)
			n = send(io->wfd, s, len, MSG_NOSIGNAL);
		else
			n = write(io->wfd, s, len);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = wait_fd(io->wfd, POLLOUT, dl)) == SM_IO_OK)
				continue;
		} else
			r = SM_IO_ERR;
		io->dead = true;
		return r;
	}
	return SM_IO_OK;
}

/* sm_io_connect - open a stream socket to sa before the deadline */
enum sm_io_result
sm_io_connect(int *fdp, const struct sockaddr *sa, socklen_t salen,
    const struct sockaddr *src, socklen_t srclen,
    const struct sm_deadline *dl)
{
	enum sm_io_result r;
	int fd, err = 0;
	socklen_t len = sizeof(err);

	*fdp = -1;
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return SM_IO_ERR;
	if (src != NULL && bind(fd, src, srclen) < 0)
		goto fail;
	if (connect(fd, sa, salen) == 0)
		goto done;
	if (errno != EINPROGRESS && errno != EINTR)
		goto fail;
	if ((r = wait_fd(fd, POLLOUT, dl)) != SM_IO_OK) {
		(void)close(fd);
		if (r == SM_IO_TIMEOUT)
			errno = ETIMEDOUT;
		return r;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		goto fail;
	if (err != 0) {
		errno = err;
		goto fail;
	}
done:
	*fdp = fd;
	return SM_IO_OK;
fail:
	err = errno;
	(void)close(fd);
	errno = err;
	return SM_IO_ERR;
}

/*
 * sm_io_unread - push back the last n bytes that sm_io_read() returned
 * (a parser that read past the end of what it wanted); they are read
 * again next.
 */
void
sm_io_unread(struct sm_io *io, size_t n)
{
	if (n > io->rpos)
		sm_panic("sm_io_unread: %zu bytes, only %zu read", n, io->rpos);
	io->rpos -= n;
}

/* sm_io_pending - bytes already read from the peer and not consumed */
size_t
sm_io_pending(const struct sm_io *io)
{
	return io->rlen - io->rpos +
	    (io->ssl != NULL ? (size_t)SSL_pending(io->ssl) : 0);
}

/* sm_io_starttls - the TLS handshake; see sm_io.h */
enum sm_io_result
sm_io_starttls(struct sm_io *io, SSL_CTX *ctx, bool server,
    const char *name, const struct sm_deadline *dl, size_t *dropped)
{
	struct sigaction sa;
	enum sm_io_result r;
	int rc;

	*dropped = io->rlen - io->rpos;
	io->rpos = io->rlen = 0;
	if (io->dead || io->ssl != NULL)
		return SM_IO_ERR;
	/* OpenSSL writes with write(2): a closed peer must not kill us. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		(void)signal(SIGPIPE, SIG_IGN);
	if ((io->ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_rfd(io->ssl, io->rfd) != 1 ||
	    SSL_set_wfd(io->ssl, io->wfd) != 1 ||
	    (!server && name != NULL && name[0] != '\0' &&
	    SSL_set_tlsext_host_name(io->ssl, name) != 1)) {
		io->dead = true;
		return SM_IO_ERR;
	}
	for (;;) {
		errno = 0;
		ERR_clear_error();
		rc = server ? SSL_accept(io->ssl) : SSL_connect(io->ssl);
		if (rc == 1)
			return SM_IO_OK;
		if ((r = tls_wait(io, rc, dl)) != SM_IO_OK) {
			io->dead = true;
			return r == SM_IO_EOF ? SM_IO_ERR : r;
		}
	}
}

/* sm_io_tls_error - why TLS on the stream failed, or "" */
const char *
sm_io_tls_error(const struct sm_io *io)
{
	return io->tls_err;
}

/* sm_io_tls - is the stream in TLS; info (unless NULL) says how */
bool
sm_io_tls(const struct sm_io *io, struct sm_tls_info *info)
{
	if (io->ssl == NULL)
		return false;
	if (info != NULL)
		sm_tls_info_of(io->ssl, info);
	return true;
}

/* sm_io_dead - did a write fail or time out? */
bool
sm_io_dead(const struct sm_io *io)
{
	return io->dead;
}

/* sm_io_strresult - a word for a result, for logs and test output */
const char *
sm_io_strresult(enum sm_io_result r)
{
	switch (r) {
	case SM_IO_OK:
		return "ok";
	case SM_IO_TIMEOUT:
		return "timeout";
	case SM_IO_EOF:
		return "eof";
	case SM_IO_TOOLONG:
		return "line too long";
	case SM_IO_ERR:
		return "error";
	}
	return "?";
}
