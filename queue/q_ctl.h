/*
 * q_ctl - reading and rewriting a queue control file (qfID), version 8,
 * as sendmail 8.17 writes it and as q_file writes it (spec/queue.md 3).
 *
 * SYNOPSIS
 *	struct q_ctl c;
 *	q_ctl_read(path, &c, err, sizeof(err))
 *	c.sender, c.rcpts[i].addr, c.status, ...
 *	r = q_ctl_add_rcpt(&c)			a new recipient, all zero, at
 *						the end (rcpts may move)
 *	q_ctl_rewrite(&c, qfdir, safe)		tfID, flushed, renamed to qfID
 *	q_ctl_checkpoint(&c, qfdir, safe, &fd)	the same while a delivery goes
 *						on: fd, the locked descriptor
 *						of qfID, becomes the new
 *						file's, locked before the rename
 *	q_ctl_free(&c)
 *
 * DESCRIPTION
 *	UNTRUSTED INPUT in a weak sense: the file is ours, but it may come
 *	from another version or be cut short by a crash.  A file without
 *	the final "." is incomplete and refused; an unknown record type is
 *	refused; "E" (obsolete) is skipped.  Header lines keep their
 *	"?flags?" part and continuation lines; macros keep sendmail's
 *	internal 0x81 byte.  The reader holds every record it understands
 *	so that q_ctl_rewrite() writes the same file back with the fields
 *	the caller changed (K, N, P, M, the recipients left).
 *	q_ctl_checkpoint() records progress in the middle of a delivery:
 *	the new file is locked (q_lock) before it replaces the old one, and
 *	the caller's descriptor of the old file, whose lock now guards
 *	nothing, is closed and replaced, so no other run can take the
 *	message at any moment.
 *
 * DIAGNOSTICS
 *	q_ctl_read() returns 0, or -1 with the reason ("line 12: ...") in
 *	err; q_ctl_rewrite() and q_ctl_checkpoint() return 0 or -1 with
 *	errno (the old file, and its lock, then stay as they were).
 */
#ifndef Q_CTL_H
#define Q_CTL_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sm_strlist.h"

struct q_rcpt {
	char	*addr;		/* as in the R line, e.g. "<root@x>" */
	char	*flags;		/* letters before the colon */
	char	*orcpt;		/* Q line, or NULL */
	char	*final;		/* r line, or NULL */
	char	*status;	/* M line before the R line, or NULL */
	char	*ctladdr;	/* C line in force, or NULL */
	bool	 done;		/* delivered or failed for good: not rewritten */
};

struct q_ctl {
	char		 id[32];
	int		 version;
	time_t		 ctime;		/* T */
	time_t		 last;		/* K */
	long		 ntries;	/* N */
	long		 priority;	/* P */
	char		*inode;		/* I */
	char		*bodytype;	/* B */
	char		*status;	/* M before any R: the envelope's */
	char		*flags;		/* F */
	char		*sender;	/* S */
	char		*envid;		/* Z */
	char		*auth;		/* A */
	char		*quarantine;	/* q */
	char		*deliverby;	/* ! */
	char		*dfdir;		/* d */
	struct sm_strlist macros;	/* text after "$" */
	struct sm_strlist headers;	/* text after "H" */
	struct q_rcpt	*rcpts;
	size_t		 nrcpts;
	size_t		 rcpts_cap;	/* room in rcpts */
};

int	q_ctl_read(const char *, struct q_ctl *, char *, size_t);
struct q_rcpt *q_ctl_add_rcpt(struct q_ctl *);
int	q_ctl_rewrite(const struct q_ctl *, const char *, bool);
int	q_ctl_checkpoint(const struct q_ctl *, const char *, bool, int *);
const char *q_ctl_macro(const struct q_ctl *, const char *);
void	q_ctl_free(struct q_ctl *);

#endif /* Q_CTL_H */
