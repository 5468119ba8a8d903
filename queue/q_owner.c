/*
 * q_owner - who owns the queue, and root's hand-over of what sendmail
 * left; see q_owner.h.  ROOT: q_owner_adopt() runs with root's rights
 * on a directory that a less trusted user may write: it changes only
 * inodes it has opened without following links and checked.
 */
#include "q_owner.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm_log.h"

/* q_owner_of - the queue directory's owner and group, unless root's */
int
q_owner_of(const char *qdir, uid_t *uid, gid_t *gid)
{
	struct stat st;

	if (stat(qdir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid == 0)
		return -1;
	*uid = st.st_uid;
	*gid = st.st_gid;
	return 0;
}

/* q_owner_name - "user:group" by name, numbers when unknown */
void
q_owner_name(uid_t uid, gid_t gid, char *buf, size_t len)
{
	const struct passwd *pw = getpwuid(uid);
	const struct group *gr = getgrgid(gid);
	char u[64], g[64];

	if (pw != NULL)
		(void)snprintf(u, sizeof(u), "%s", pw->pw_name);
	else
		(void)snprintf(u, sizeof(u), "%lu", (unsigned long)uid);
	if (gr != NULL)
		(void)snprintf(g, sizeof(g), "%s", gr->gr_name);
	else
		(void)snprintf(g, sizeof(g), "%lu", (unsigned long)gid);
	(void)snprintf(buf, len, "%s:%s", u, g);
}

/* is_queue_file - a name sendmail gives queue files: "qf", "df", ... + id */
static bool
is_queue_file(const char *name)
{
	const char *p;

	if (!isalpha((unsigned char)name[0]) || name[1] != 'f' ||
	    name[2] == '\0')
		return false;
	for (p = name + 2; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p))
			return false;
	return true;
}

/*
 * adopt_file - one root-owned queue file to uid:gid.  Opened without
 * following a link and without blocking on a FIFO; only a regular file
 * with one name changes owner, so a link to a file elsewhere never does.
 */
static bool
adopt_file(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	struct stat st;
	bool done = false;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    st.st_uid == 0)
		done = fchown(fd, uid, gid) == 0;
	(void)close(fd);
	return done;
}

/* adopt_files - the root-owned queue files of one directory; how many */
static size_t
adopt_files(int dirfd, uid_t uid, gid_t gid)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d;
	int fd;

	if ((fd = dup(dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			(void)close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL)
		if (is_queue_file(e->d_name) && adopt_file(dirfd, e->d_name,
		    uid, gid))
			n++;
	(void)closedir(d);
	return n;
}

/*
 * open_dir - a directory to look at (path under at, shown as shown):
 * created (mode 0700, uid:gid) when missing and create is set; -1 with
 * err set otherwise
 */
static int
open_dir(int at, const char *path, const char *shown, bool create, uid_t uid,
    gid_t gid, size_t *changed, char *err, size_t len)
{
	char now[160];
	int fd;

	fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(at, path, 0700) < 0) {
			(void)snprintf(err, len, "cannot create %s: %s", shown,
			    strerror(errno));
			return -1;
		}
		q_owner_name(uid, gid, now, sizeof(now));
		fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd >= 0 && fchown(fd, uid, gid) < 0) {
			(void)snprintf(err, len, "cannot give %s to %s: %s",
			    shown, now, strerror(errno));
			(void)close(fd);
			return -1;
		}
		if (fd >= 0) {
			sm_info("%s: created, mode 0700, owner %s", shown, now);
			++*changed;
		}
	}
	if (fd < 0)
		(void)snprintf(err, len, "%s: %s", shown, errno == ENOTDIR ?
		    "not a directory" : strerror(errno));
	return fd;
}

/* take_dir - a root-owned directory to uid:gid, without group/other w */
static int
take_dir(int fd, const char *shown, const struct stat *st, uid_t uid,
    gid_t gid, char *err, size_t len)
{
	char was[160], now[160];

	q_owner_name(st->st_uid, st->st_gid, was, sizeof(was));
	q_owner_name(uid, gid, now, sizeof(now));
	if (fchown(fd, uid, gid) < 0 ||
	    fchmod(fd, st->st_mode & 07755) < 0) {
		(void)snprintf(err, len, "cannot give %s to %s: %s", shown,
		    now, strerror(errno));
		return -1;
	}
	sm_info("%s: owner %s, mode %04o, changed to %s, mode %04o, for the "
	    "sessions and queue runs", shown, was,
	    (unsigned)(st->st_mode & 07777), now,
	    (unsigned)(st->st_mode & 07755));
	return 0;
}

/*
 * adopt_queue_dir - the queue directory (path under at, shown as shown)
 * or one of its qf/ df/ xf/
 */
static int
adopt_queue_dir(int at, const char *path, const char *shown, bool create,
    uid_t uid, gid_t gid, const char *who, size_t *changed, char *err,
    size_t len)
{
	char owner[160];
	struct stat st;
	size_t n;
	int fd, rc = 0;

	if ((fd = open_dir(at, path, shown, create, uid, gid, changed, err,
	    len)) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		(void)snprintf(err, len, "%s: %s", shown, strerror(errno));
		(void)close(fd);
		return -1;
	}
	q_owner_name(st.st_uid, st.st_gid, owner, sizeof(owner));
	if (st.st_mode & S_IWOTH) {
		(void)snprintf(err, len, "queue directory %s (owner %s) is "
		    "writable by everyone (mode %04o): chmod o-w %s", shown,
		    owner, (unsigned)(st.st_mode & 07777), shown);
		rc = -1;
	} else if (st.st_uid == 0) {
		rc = take_dir(fd, shown, &st, uid, gid, err, len);
		if (rc == 0)
			++*changed;
	} else if (st.st_uid != uid) {
		(void)snprintf(err, len, "queue directory %s belongs to %s "
		    "(mode %04o), but sessions and queue runs run as %s: "
		    "chown -R %s %s, or set RunAsUser to its owner", shown,
		    owner, (unsigned)(st.st_mode & 07777), who, who, shown);
		rc = -1;
	}
	if (rc == 0 && (n = adopt_files(fd, uid, gid)) > 0) {
		sm_info("%s: %zu queue files of root's given to %s", shown, n,
		    who);
		*changed += n;
	}
	(void)close(fd);
	return rc;
}

/* writable_by - may uid:gid (its one group) write the inode of st? */
static bool
writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
	if (st->st_uid == uid)
		return (st->st_mode & S_IWUSR) != 0;
	if (st->st_gid == gid)
		return (st->st_mode & S_IWGRP) != 0;
	return (st->st_mode & S_IWOTH) != 0;
}

/*
 * adopt_hs_dir - the host status directory: made where its user could
 * not make it (the cache makes it when first used otherwise), or taken
 * from root where that user may not write it
 */
static void
adopt_hs_dir(const char *hsdir, uid_t uid, gid_t gid, size_t *changed)
{
	char err[512], parent[4200], *slash;
	struct stat st;
	bool create;
	int fd;

	if (hsdir[0] == '\0')
		return;
	(void)snprintf(parent, sizeof(parent), "%s", hsdir);
	if ((slash = strrchr(parent, '/')) != NULL)
		*(slash == parent ? slash + 1 : slash) = '\0';
	create = stat(parent, &st) == 0 && !writable_by(&st, uid, gid);
	if ((fd = open_dir(AT_FDCWD, hsdir, hsdir, create, uid, gid, changed,
	    err, sizeof(err))) < 0) {
		if (create || errno != ENOENT)
			sm_warnx("HostStatusDirectory %s: host status is kept "
			    "for one queue run only", err);
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_uid == 0 &&
	    !writable_by(&st, uid, gid)) {
		if (take_dir(fd, hsdir, &st, uid, gid, err, sizeof(err)) < 0)
			sm_warnx("%s", err);
		else
			++*changed;
	}
	(void)close(fd);
}

/* q_owner_adopt - as root: give the queue root left to uid:gid */
int
q_owner_adopt(const char *qdir, const char *hsdir, uid_t uid, gid_t gid,
    const char *who, size_t *changed, char *err, size_t len)
{
	static const char *const subdirs[] = { "qf", "df", "xf" };
	char shown[4200];
	struct stat st;
	size_t i;
	int fd;

	*changed = 0;
	if (uid == 0) {
		(void)snprintf(err, len, "sessions and queue runs must not "
		    "be root: set RunAsUser");
		return -1;
	}
	if (adopt_queue_dir(AT_FDCWD, qdir, qdir, true, uid, gid, who,
	    changed, err, len) < 0)
		return -1;
	if ((fd = open(qdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		(void)snprintf(err, len, "%s: %s", qdir, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		(void)snprintf(shown, sizeof(shown), "%s/%s", qdir,
		    subdirs[i]);
		if (fstatat(fd, subdirs[i], &st, 0) == 0 &&
		    S_ISDIR(st.st_mode) && adopt_queue_dir(fd, subdirs[i],
		    shown, false, uid, gid, who, changed, err, len) < 0) {
			(void)close(fd);
			return -1;
		}
	}
	(void)close(fd);
	adopt_hs_dir(hsdir, uid, gid, changed);
	return 0;
}
