/*
 * mda - the last step of a local delivery: append a message to a
 * mailbox or a file, or pipe it into a program, as a given user; and
 * read a .forward or :include: file as its owner would.
 *
 * SYNOPSIS
 *	struct mda_msg m = { &ctl, dfd, "lsDFMAw5:/|@qSPfhn9", from_line };
 *	struct mda_user u;
 *	mda_user(&u, pw, spool_gid)
 *	mda_mailbox(&m, &u, "/var/mail", &dl, &res)	built-in mbox
 *	mda_file(&m, &u, "/path/file", &dl, &res)
 *	mda_program(&m, &u, argv, dir, &dl, &res)	local, prog mailers:
 *					argv[0] is the path, argv[1..] A=
 *	mda_lmtp(&m, &u, argv, dir, "<user>", &res)	a local mailer
 *					that speaks LMTP (F=z)
 *	mda_read(&u, path, &dl, &text, &owner, &res)	an include file:
 *					0, 1 (no file, or not safe: writable
 *					by others), -1
 *	mda_read_forward(&u, path, dbs, &dl, &text, &f)	a .forward under
 *					sendmail's rules (safefile.h):
 *					MDA_FWD_READ, _NONE, _REFUSED
 *					(f.err says why), _LATER
 *
 * DESCRIPTION
 *	Each step runs in a child process that becomes the user (when we
 *	are root: the user's groups, plus extra_gid when it is not -1)
 *	before it opens anything, so a file the user could not write is
 *	not written.  The parent waits for the child no longer than the
 *	deadline: Timeout.fileopen for opening and locking (a hung NFS
 *	mount, a FIFO in place of a .forward), Timeout.datafinal for a
 *	program.  When it passes the child is killed and the result is a
 *	temporary failure naming the timeout; the parent never blocks on
 *	a child that cannot die.
 *
 *	A mailbox is locked with a dot-lock file (mailbox.lock, holding
 *	"pid host") where the spool directory allows one, and with fcntl;
 *	the message is appended in mbox format (the "From " line from
 *	UnixFromLine, ">From " quoting, a blank line at the end), fsynced,
 *	and the mailbox is cut back to its old size when any write fails,
 *	so a mailbox never holds half a message.  A dot-lock of ours whose
 *	process is gone from this host is broken at once, any other after
 *	five minutes; when a mailbox child is killed (or dies of a signal)
 *	the parent has its lock removed.  A mailbox that exists must be a
 *	regular file with one link that belongs to its user, or the
 *	delivery fails at once for good (5.2.0, mail.local's words); it is
 *	never waited for.  A file must be a regular file with one link; one
 *	that cannot be made fails for good (EX_CANTCREAT).
 *
 *	A mailbox copy has "X-Delivery-ID: queue-id user" on the line after
 *	its From line.  Before it appends, the child (holding the locks)
 *	searches the last megabyte of the mailbox for that line after a
 *	From line: a copy there that is, after its From line, byte for byte
 *	the one it would write (an earlier attempt killed before the queue
 *	file said so) is the delivery, and nothing is written; the result
 *	says "the mailbox had it already".  A copy the mailbox ends in the
 *	middle of (its writer killed while writing) is cut off and written
 *	whole ("a cut copy replaced"), and other text that ends without a
 *	newline gets a blank line before the copy.  When a mailbox child
 *	dies of a signal (not at the deadline), a second one is run at once.
 *
 *	A program gets the message on its standard input (a "From " line
 *	first when the mailer has flag U), a minimal environment, and its
 *	output is kept for the result.  Exit 0 is delivered; 75, 71, 74
 *	and a signal are temporary; other codes are permanent failures
 *	with sendmail's enhanced status code for each (sysexits).  When
 *	m.whole is set (the local mailer, whose job is to store the
 *	message), a program that exits 0 without having read all of the
 *	message did not deliver it: a temporary failure.  A program of the
 *	prog mailer may ignore its input, as in sendmail, and its exit code
 *	alone decides.
 *
 *	An LMTP mailer (RFC 2033) gets one socket as its standard input
 *	and output, and the message in an LMTP transaction (q_smtp, with
 *	the client Timeout.* options: initial, lhlo, mail, rcpt, datainit,
 *	datafinal, quit); its standard error is kept apart for the
 *	result.  The result is the program's answer for the recipient
 *	after the message.  A program that ends the conversation before it
 *	answered (it exits, dies or goes silent) did not deliver: its exit
 *	code decides as for any program when it is not 0, otherwise the
 *	recipient is deferred.  The program is waited for Timeout.quit
 *	after the conversation, then killed.
 */
#ifndef MDA_H
#define MDA_H

#include "sm_config.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "q_ctl.h"
#include "q_result.h"
#include "sm_buf.h"
#include "sm_deadline.h"

struct mda_msg {
	const struct q_ctl	*ctl;
	int			 dfd;		/* the body, LF line ends */
	const char		*mflags;	/* the mailer's F= */
	const char		*from_line;	/* "From a@b Mon Nov 23 ..." */
	const struct sm_strlist	*headers;	/* NULL: ctl's, as queued */
	bool			 whole;		/* a program must read it all */
	const struct sm_options	*opt;		/* LMTP: the Timeout.* */
	const char		*helo;		/* LMTP: $j, for LHLO */
};

struct mda_user {
	uid_t		 uid;
	gid_t		 gid;
	gid_t		 extra_gid;	/* (gid_t)-1: none */
	bool		 unsafe;	/* its .forward may name addresses
					   only, no programs or files */
	char		 name[64];
	char		 home[1024];
};

/* What mda_read_forward() found: MDA_FWD_* and this. */
enum {
	MDA_FWD_READ,		/* text holds it */
	MDA_FWD_NONE,		/* no such file */
	MDA_FWD_REFUSED,	/* not safe, or not readable: err says */
	MDA_FWD_LATER		/* a passing trouble: err (ETIMEDOUT) */
};

struct mda_forward {
	uid_t		 owner;
	bool		 unsafe;	/* taken, but for addresses only */
	int		 err;		/* why not: safefile_error() */
};

void	mda_user(struct mda_user *, const struct passwd *, gid_t);
void	mda_mailbox(const struct mda_msg *, const struct mda_user *,
	    const char *, const struct sm_deadline *, struct q_result *);
void	mda_file(const struct mda_msg *, const struct mda_user *,
	    const char *, const struct sm_deadline *, struct q_result *);
void	mda_program(const struct mda_msg *, const struct mda_user *,
	    char *const *, const char *, const struct sm_deadline *,
	    struct q_result *);
void	mda_lmtp(const struct mda_msg *, const struct mda_user *,
	    char *const *, const char *, const char *, struct q_result *);
int	mda_read(const struct mda_user *, const char *,
	    const struct sm_deadline *, struct sm_buf *, uid_t *,
	    struct q_result *);
int	mda_read_forward(const struct mda_user *, const char *,
	    uint64_t, const struct sm_deadline *, struct sm_buf *,
	    struct mda_forward *);

#endif /* MDA_H */
