/*
 * q_owner - who owns the queue: the user that sessions and queue runs
 * become, and the step, run by root before it drops its privileges,
 * that hands them what sendmail left behind.
 *
 * SYNOPSIS
 *	q_owner_of("/var/spool/mqueue", &uid, &gid)	0: a user owns it
 *	q_owner_adopt(qdir, hsdir, uid, gid, who, &n, err, len)
 *	q_owner_name(uid, gid, buf, len)	"smmta:smmsp"
 *
 * DESCRIPTION
 *	q_owner_of() says which user owns the queue directory, and its
 *	group: the identity sessions and runs take when RunAsUser is
 *	unset (config_run_as).  On Debian that is smmta:smmsp, who owns
 *	sendmail's queue and maps.  It returns -1 when the directory is
 *	missing or belongs to root: then DefaultUser applies.
 *
 *	q_owner_adopt() runs as root, before the privileges are dropped,
 *	at the daemon's start and reload, and before root's queue run,
 *	-bs or submission writes the queue.  It makes the queue directory
 *	(created, mode 0700, when its parent exists and it does not) and
 *	the queue files in it and in its qf/, df/ and xf/ subdirectories
 *	belong to uid:gid where root owns them: sendmail running as root
 *	leaves its directory and files as root's, and the process that
 *	reads the network must not be root.  A file is a queue file by
 *	its name (a letter, "f", an id), a regular file not reached
 *	through a link.  The mode of a directory it takes over loses its
 *	group and other write bits.  The host status directory (hsdir,
 *	"" for none) is made when missing and taken over when root's,
 *	the directory alone.  What it changes is logged with the old
 *	owner, so that it can be undone.
 *
 *	A queue directory that belongs to another user than uid, that
 *	others may write, or that is not a directory, is not touched:
 *	err names the path, its owner and mode, who needs it, and what to
 *	change.
 *
 * DIAGNOSTICS
 *	q_owner_adopt() returns 0 with the number of files and
 *	directories it changed in *changed, or -1 with err set.
 */
#ifndef Q_OWNER_H
#define Q_OWNER_H

#include "sm_config.h"

#include <stddef.h>
#include <sys/types.h>

int	q_owner_of(const char *, uid_t *, gid_t *);
void	q_owner_name(uid_t, gid_t, char *, size_t);
int	q_owner_adopt(const char *, const char *, uid_t, gid_t, const char *,
	    size_t *, char *, size_t);

#endif /* Q_OWNER_H */
