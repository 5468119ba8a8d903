/*
 * sm_io - deadline-bounded I/O on non-blocking descriptors.
 *
 * SYNOPSIS
 *	sm_io_connect(&fd, sa, salen, src, srclen, &dl)
 *	io = sm_io_new(rfd, wfd)	a socket: rfd == wfd; -bs: 0 and 1
 *	sm_io_getline(io, &line, maxlen, &dl)
 *	sm_io_read(io, p, len, &got, &dl)	one block, 1..len bytes
 *	sm_io_write(io, p, len, &dl)		all of it, or a failure
 *	sm_io_unread(io, n)			give back the last n bytes of
 *						the last sm_io_read()
 *	sm_io_pending(io)			bytes read ahead, unconsumed
 *	sm_io_starttls(io, ctx, server, name, &dl, &dropped)
 *						TLS from here on (sm_tls.h)
 *	sm_io_tls(io, &info)			is TLS on? what was agreed
 *	sm_io_tls_error(io)			why TLS failed, or ""
 *	sm_io_free(io)				does not close the descriptors
 *
 * DESCRIPTION
 *	Every call that waits takes an absolute deadline (sm_deadline.h)
 *	and waits with poll() for no longer than the time left, so a loop
 *	of partial reads or writes shares one limit.  Each call returns one
 *	of SM_IO_OK, SM_IO_TIMEOUT (the deadline passed), SM_IO_EOF (the
 *	peer closed), SM_IO_TOOLONG (no line end within maxlen bytes) or
 *	SM_IO_ERR (errno says why).  The caller handles each case.
 *
 *	sm_io_getline() empties line and stores one line in it, line end
 *	included ("\r\n" or a bare "\n": the caller decides what a bare LF
 *	means).  On SM_IO_TOOLONG line holds the first maxlen bytes, which
 *	are consumed; the rest of the line is still unread.  On SM_IO_EOF
 *	line holds whatever came before the close without a line end.
 *
 *	After a timeout or error on a write the stream is marked dead and
 *	every later call returns SM_IO_ERR at once, so cleanup code never
 *	blocks on a peer a second time.  Writes never raise SIGPIPE on a
 *	socket.  The descriptors are put in non-blocking mode and restored
 *	by sm_io_free().
 *
 *	sm_io_starttls() runs the TLS handshake (as the server when server
 *	is true; name is the server name a client sends, or NULL) within
 *	the deadline, and from then on every read and write goes through
 *	TLS.  Whatever was read ahead before it is thrown away, and
 *	*dropped says how many bytes: a command pipelined after STARTTLS,
 *	or a reply a server appended to its 220, was sent in the clear and
 *	must never be taken as coming from inside TLS (CVE-2011-0411).  A
 *	failed handshake leaves the stream dead.  The caller ignores
 *	SIGPIPE (OpenSSL writes to the socket itself).
 */
#ifndef SM_IO_H
#define SM_IO_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "sm_buf.h"
#include "sm_deadline.h"
#include "sm_tls.h"

enum sm_io_result {
	SM_IO_OK,
	SM_IO_TIMEOUT,
	SM_IO_EOF,
	SM_IO_TOOLONG,
	SM_IO_ERR
};

struct sm_io;

struct sm_io	*sm_io_new(int, int);
void		 sm_io_free(struct sm_io *);
enum sm_io_result sm_io_connect(int *, const struct sockaddr *, socklen_t,
		    const struct sockaddr *, socklen_t,
		    const struct sm_deadline *);
enum sm_io_result sm_io_getline(struct sm_io *, struct sm_buf *, size_t,
		    const struct sm_deadline *);
enum sm_io_result sm_io_read(struct sm_io *, void *, size_t, size_t *,
		    const struct sm_deadline *);
enum sm_io_result sm_io_write(struct sm_io *, const void *, size_t,
		    const struct sm_deadline *);
enum sm_io_result sm_io_starttls(struct sm_io *, SSL_CTX *, bool,
		    const char *, const struct sm_deadline *, size_t *);
bool		 sm_io_tls(const struct sm_io *, struct sm_tls_info *);
const char	*sm_io_tls_error(const struct sm_io *);
void		 sm_io_unread(struct sm_io *, size_t);
size_t		 sm_io_pending(const struct sm_io *);
bool		 sm_io_dead(const struct sm_io *);
const char	*sm_io_strresult(enum sm_io_result);

#endif /* SM_IO_H */
