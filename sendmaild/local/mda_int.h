/*
 * mda_int - what mda.c (programs, LMTP, reading as the user, the child
 * that becomes the user) and mailbox.c (mailboxes and files) share.
 * Not for other modules.
 *
 *	mda_run_as(&u, fn, arg, &dl, &out, &gone)	fn(arg, fd) in a child
 *					that is the user; its sysexits code,
 *					or -1 when the deadline passed
 *	mda_outcome(&res, code, &said, what)	a child's code as a result
 *	mda_put_message(&m, mbox, id, &w)	the message as a local mailer
 *					sees it, through a writer
 *	mda_put_fd(&fd, p, n)		the writer of a file descriptor
 *	mda_full_write(fd, p, n)	all of it, or -1
 */
#ifndef MDA_INT_H
#define MDA_INT_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mda.h"
#include "sm_buf.h"

/* What to do after a child that did not exit by itself, before reaping. */
struct mda_gone {
	void	(*fn)(void *, pid_t);
	void	*arg;
};

/* The message, written as a local mailer sees it. */
struct mda_writer {
	int	(*put)(void *, const char *, size_t);
	void	*ctx;
};

typedef int (*mda_fn)(void *, int);

int	mda_full_write(int, const char *, size_t);
int	mda_run_as(const struct mda_user *, mda_fn, void *,
	    const struct sm_deadline *, struct sm_buf *,
	    const struct mda_gone *);
void	mda_outcome(struct q_result *, int, const struct sm_buf *,
	    const char *);
int	mda_put_message(const struct mda_msg *, bool, const char *,
	    const struct mda_writer *);
int	mda_put_fd(void *, const char *, size_t);

#endif /* MDA_INT_H */
