/*
 * safefile - sendmail's rules for a .forward file; see safefile.h.
 */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm_opt.h"

#define SAFEFILE_LINKS_MAX	40	/* symbolic links followed on a path */

/* What a path is checked for. */
#define CK_DIRS		0x01	/* a directory others may write is fatal */
#define CK_NOSLINK	0x02	/* the file may not be a symbolic link */
#define CK_NOHLINK	0x04	/* nor have another name */
#define CK_NOGW		0x08	/* nor be writable by its group */
#define CK_NOWW		0x10	/* nor by others */

struct rules {
	const struct safefile_user *who;
	uint64_t	 dbs;		/* DontBlameSendmail */
	bool		 gw_ok;		/* group write forgiven for now */
};

#define DBS(r, w)	((((r)->dbs) >> (w)) & 1u)

/* in_group - may the user use the rights of group gid? */
static bool
in_group(const struct safefile_user *who, gid_t gid)
{
	struct group *gr;
	char **m;

	if (who->gid == gid)
		return true;
	if (who->name == NULL || (gr = getgrgid(gid)) == NULL)
		return false;
	for (m = gr->gr_mem; *m != NULL; m++)
		if (strcmp(*m, who->name) == 0)
			return true;
	return false;
}

/* next_prefix - the length of dir's prefix one component past len */
static size_t
next_prefix(const char *dir, size_t len)
{
	if (len == 0)
		return 1;		/* "/" */
	len += strspn(dir + len, "/");
	return len + strcspn(dir + len, "/");
}

/*
 * dirs_safe - 0 when each directory from the root down to dir (absolute)
 * passes: with strict, none may be writable by others, nor by its group
 * unless that is forgiven, except a sticky one under TrustStickyBit.  A
 * symbolic link on the way is judged by where it leads.  Otherwise
 * SAFEFILE_E_WWDIR, SAFEFILE_E_GWDIR or an errno.
 */
static int
dirs_safe(const struct rules *r, const char *dir, bool strict, int links)
{
	char path[PATH_MAX], to[PATH_MAX], where[PATH_MAX];
	mode_t bad = S_IWOTH;
	struct stat st;
	size_t len = 0, n = strlen(dir);
	const char *last;
	ssize_t k;
	int rc;

	if (links > SAFEFILE_LINKS_MAX)
		return ELOOP;
	if (dir[0] != '/' || n >= sizeof(path))
		return dir[0] != '/' ? EINVAL : ENAMETOOLONG;
	if (!r->gw_ok && !DBS(r, SM_DBS_GROUPWRITABLEDIRPATHSAFE))
		bad |= S_IWGRP;
	while (len < n) {
		len = next_prefix(dir, len);
		memcpy(path, dir, len);
		path[len] = '\0';
		last = strrchr(path, '/') + 1;
		/* "." and ".." lead where the walk has been already. */
		if (*last != '\0' && (strcmp(last, ".") == 0 ||
		    strcmp(last, "..") == 0))
			continue;
		if (lstat(path, &st) < 0)
			return errno;
		if (S_ISLNK(st.st_mode)) {
			if ((k = readlink(path, to, sizeof(to) - 1)) < 0)
				return errno;
			to[k] = '\0';
			if ((size_t)snprintf(where, sizeof(where), "%.*s%s",
			    to[0] == '/' ? 0 : (int)(last - path), path, to) >=
			    sizeof(where))
				return ENAMETOOLONG;
			if ((rc = dirs_safe(r, where, strict, links + 1)) != 0)
				return rc;
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			return ENOTDIR;
		if (strict && (st.st_mode & bad) != 0 &&
		    !(DBS(r, SM_DBS_TRUSTSTICKYBIT) &&
		    (st.st_mode & S_ISVTX) != 0))
			return (st.st_mode & S_IWOTH) != 0 ? SAFEFILE_E_WWDIR :
			    SAFEFILE_E_GWDIR;
	}
	return 0;
}

/*
 * file_safe - the file's own checks, after its directories' when
 * pathcheck is set: 0, or why not; st gets what was checked
 */
static int
file_safe(const struct rules *r, const char *path, const char *dir, int ck,
    bool pathcheck, struct stat *st)
{
	const struct safefile_user *who = r->who;
	mode_t need;
	int rc, missing = 0;

	if (((ck & CK_NOSLINK) != 0 ? lstat(path, st) : stat(path, st)) < 0)
		missing = errno;
	/* Where the directories are unsafe, that is the answer. */
	if (pathcheck &&
	    (rc = dirs_safe(r, dir, (ck & CK_DIRS) != 0, 0)) != 0)
		return rc;
	if (missing != 0)
		return missing;
	if ((ck & CK_NOSLINK) != 0 && S_ISLNK(st->st_mode))
		return SAFEFILE_E_NOSLINK;
	if (!S_ISREG(st->st_mode))
		return SAFEFILE_E_REGONLY;
	if ((ck & CK_NOGW) != 0 && (st->st_mode & S_IWGRP) != 0)
		return SAFEFILE_E_GWFILE;
	if ((ck & CK_NOWW) != 0 && (st->st_mode & S_IWOTH) != 0)
		return SAFEFILE_E_WWFILE;
	if ((ck & CK_NOHLINK) != 0 && st->st_nlink != 1)
		return SAFEFILE_E_NOHLINK;
	if (st->st_uid == who->uid)
		need = S_IRUSR;
	else if (in_group(who, st->st_gid))
		need = S_IRGRP;
	else
		need = S_IROTH;
	if ((st->st_uid != who->uid && st->st_uid != 0) ||
	    (st->st_mode & need) == 0)
		return EACCES;
	return 0;
}

/* safefile_forward_open - a .forward opened if it is safe; see safefile.h */
int
safefile_forward_open(const char *path, const struct safefile_user *who,
    uint64_t dbs, bool *unsafe, int *err)
{
	struct rules r = { who, dbs, false };
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct stat st, fst;
	bool safedir = false, pathcheck = true;
	int ck = CK_NOGW | CK_NOWW, rc, fd;

	*unsafe = false;
	if (path[0] != '/' || strlen(path) >= sizeof(dir)) {
		*err = path[0] != '/' ? EINVAL : ENAMETOOLONG;
		return -1;
	}
	if (DBS(&r, SM_DBS_GROUPWRITABLEFORWARDFILE))
		ck &= ~CK_NOGW;
	if (DBS(&r, SM_DBS_WORLDWRITABLEFORWARDFILE))
		ck &= ~CK_NOWW;
	(void)snprintf(dir, sizeof(dir), "%.*s",
	    slash == path ? 1 : (int)(slash - path), path);
	if ((rc = dirs_safe(&r, dir, true, 0)) == 0) {
		safedir = true;
		pathcheck = false;
	} else {
		if (DBS(&r, SM_DBS_FORWARDFILEINUNSAFEDIRPATH))
			pathcheck = false;
		else if (DBS(&r, SM_DBS_FORWARDFILEINGROUPWRITABLEDIRPATH) &&
		    rc == SAFEFILE_E_GWDIR) {
			r.gw_ok = true;
			rc = dirs_safe(&r, dir, true, 0);
			r.gw_ok = false;
			if (rc == 0)
				pathcheck = false;
			else
				ck |= CK_DIRS;
		} else
			ck |= CK_DIRS;
		/* Taken from an unsafe place: addresses only. */
		if ((rc == SAFEFILE_E_WWDIR || rc == SAFEFILE_E_GWDIR) &&
		    !DBS(&r, SM_DBS_FORWARDFILEINUNSAFEDIRPATHSAFE))
			*unsafe = true;
	}
	/* Links only where nobody else may make them. */
	if (!safedir && !DBS(&r, SM_DBS_LINKEDFORWARDFILEINWRITABLEDIR))
		ck |= CK_NOSLINK | CK_NOHLINK;
	if ((rc = file_safe(&r, path, dir, ck, pathcheck, &st)) != 0) {
		*err = rc;
		return -1;
	}
	/*
	 * A file put in its place since is refused below; the wait of an
	 * open that hangs (a FIFO put there, a dead NFS server) is the
	 * caller's to bound.
	 */
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC |
	    ((ck & CK_NOSLINK) != 0 ? O_NOFOLLOW : 0));
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev ||
	    fst.st_ino != st.st_ino || fst.st_nlink != st.st_nlink ||
	    fst.st_uid != st.st_uid || fst.st_gid != st.st_gid) {
		(void)close(fd);
		*err = SAFEFILE_E_CHANGED;
		return -1;
	}
	if ((st.st_mode & (S_IWOTH | (DBS(&r,
	    SM_DBS_GROUPWRITABLEFORWARDFILESAFE) ? 0 : S_IWGRP))) != 0)
		*unsafe = true;
	return fd;
}

/* safefile_error - sendmail's words for a reason */
const char *
safefile_error(int err)
{
	switch (err) {
	case SAFEFILE_E_NOSLINK:
		return "Symbolic links not allowed";
	case SAFEFILE_E_NOHLINK:
		return "Hard links not allowed";
	case SAFEFILE_E_REGONLY:
		return "Regular files only";
	case SAFEFILE_E_WWDIR:
		return "World writable directory";
	case SAFEFILE_E_GWDIR:
		return "Group writable directory";
	case SAFEFILE_E_WWFILE:
		return "World writable file";
	case SAFEFILE_E_GWFILE:
		return "Group writable file";
	case SAFEFILE_E_CHANGED:
		return "File changed after open";
	default:
		return strerror(err);
	}
}

/* safefile_transient - an error that may go away by itself */
bool
safefile_transient(int err)
{
	switch (err) {
	case EIO:
	case EAGAIN:
	case ENOMEM:
	case ENFILE:
	case EMFILE:
	case ENOSPC:
	case EDQUOT:
	case ETIMEDOUT:
	case ESTALE:
	case ENOBUFS:
	case ENOLCK:
	case ENETDOWN:
	case ENETUNREACH:
	case ECONNRESET:
	case ECONNREFUSED:
	case EHOSTDOWN:
	case EHOSTUNREACH:
		return true;
	default:
		return false;
	}
}
