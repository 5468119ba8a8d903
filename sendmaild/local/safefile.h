/*
 * safefile - sendmail's rules for a .forward file: whether mail may be
 * taken from it, and whether the programs and files it names may be run
 * and written.
 *
 * SYNOPSIS
 *	struct safefile_user who = { uid, gid, "name" };
 *	fd = safefile_forward_open(path, &who, dbs, &unsafe, &err)
 *					-1: err says why (an errno or
 *					SAFEFILE_E_*)
 *	safefile_error(err)		sendmail's words for it
 *	safefile_transient(err)		worth trying again later?
 *
 * DESCRIPTION
 *	Run it as the user (the checks use the user's view of the file
 *	system).  The directory that holds the file, and every directory
 *	on the way to it from the root, must not be writable by its group
 *	or by others; a directory reached through a symbolic link is
 *	checked where the link leads.  When they are, the file is not used
 *	("World writable directory", "Group writable directory"), unless
 *	DontBlameSendmail relaxes it: ForwardFileInUnsafeDirPath takes the
 *	file all the same, ForwardFileInGroupWritableDirPath and
 *	GroupWritableDirPathSafe forgive group write permission,
 *	TrustStickyBit forgives a directory with the sticky bit.  The file
 *	must be a regular file, not writable by its group or by others
 *	(GroupWritableForwardFile, WorldWritableForwardFile), owned by the
 *	user or by root, and readable by the user.  A symbolic link or a
 *	file with more than one link is followed only in a directory that
 *	passed the checks (LinkedForwardFileInWritableDir: anywhere).
 *
 *	A file taken although its directory or its own mode is unsafe is
 *	marked unsafe: what it names may be addresses, not programs or
 *	files, unless ForwardFileInUnsafeDirPathSafe or
 *	GroupWritableForwardFileSafe says so.
 *
 *	The file must be, once open, the file that was checked ("File
 *	changed after open").  Opening may hang (a dead NFS server): bound
 *	the process that calls it.
 */
#ifndef SAFEFILE_H
#define SAFEFILE_H

#include "sm_config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct safefile_user {
	uid_t		 uid;
	gid_t		 gid;
	const char	*name;
};

/* Reasons beyond errno, in sendmail's words (safefile_error). */
enum {
	SAFEFILE_E_BASE = 10000,
	SAFEFILE_E_NOSLINK,
	SAFEFILE_E_NOHLINK,
	SAFEFILE_E_REGONLY,
	SAFEFILE_E_WWDIR,
	SAFEFILE_E_GWDIR,
	SAFEFILE_E_WWFILE,
	SAFEFILE_E_GWFILE,
	SAFEFILE_E_CHANGED
};

int	 safefile_forward_open(const char *, const struct safefile_user *,
	    uint64_t, bool *, int *);
const char *safefile_error(int);
bool	 safefile_transient(int);

#endif /* SAFEFILE_H */
