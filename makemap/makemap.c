/*
 * makemap - build a Berkeley DB map from text, as sendmail's makemap does.
 *
 * usage: makemap [-N] [-c size] [-C file] [-D char] [-d] [-e] [-f] [-l]
 *                [-o] [-r] [-s] [-t delim] [-u] [-v] type mapname
 *
 * Reads "key value" lines on standard input and writes mapname.db (type
 * hash or btree).  Keys are folded to lower case unless -f.  A new map
 * is written under a temporary name, flushed to disk and renamed over
 * the old one, so a reader never sees half a map; -o adds to the
 * existing map in place.  -u prints a map instead, one "key<TAB>value"
 * line per entry.  Exit codes are sysexits: 64 usage, 65 bad input
 * (a missing value or duplicate key, reported with the line), 66 the
 * map to print is missing, 73 the map cannot be created, 74 I/O error.
 */
#include "sm_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_map.h"

#define MAXLINE	(64 * 1024)

struct mm {
	bool	 nul;		/* -N: keys and values end with NUL */
	bool	 dups;		/* -d */
	bool	 empty_ok;	/* -e */
	bool	 fold;		/* not -f */
	bool	 append;	/* -o */
	bool	 replace;	/* -r */
	bool	 verbose;	/* -v */
	int	 comment;	/* -D */
	int	 delim;		/* -t, 0 = white space */
	const char *mapname;
};

/* usage - print the synopsis, return EX_USAGE */
static int
usage(void)
{
	(void)fprintf(stderr, "usage: makemap [-N] [-c size] [-C file] "
	    "[-D char] [-d] [-e] [-f] [-l] [-o] [-r] [-s]\n"
	    "               [-t delim] [-u] [-v] type mapname\n");
	return EX_USAGE;
}

/* print_pair - -u: one "key<TAB>value" line */
static int
print_pair(void *ctx, const void *k, size_t kl, const void *v, size_t vl)
{
	const struct mm *mm = ctx;

	if (mm->nul && kl > 0 && ((const char *)k)[kl - 1] == '\0')
		kl--;
	if (mm->nul && vl > 0 && ((const char *)v)[vl - 1] == '\0')
		vl--;
	(void)fwrite(k, 1, kl, stdout);
	(void)putchar(mm->delim != 0 ? mm->delim : '\t');
	(void)fwrite(v, 1, vl, stdout);
	(void)putchar('\n');
	return 0;
}

/* dump - -u */
static int
dump(const struct mm *mm, enum sm_map_type type, const char *path)
{
	char err[512];
	struct sm_map *m = sm_map_open(path, type, SM_MAP_RDONLY, err,
	    sizeof(err));
	int rc = EX_OK;

	if (m == NULL) {
		sm_errorx("%s", err);
		return EX_NOINPUT;
	}
	if (sm_map_walk(m, print_pair, (void *)(uintptr_t)mm) < 0) {
		sm_error("%s: read", path);
		rc = EX_IOERR;
	}
	(void)sm_map_close(m);
	if (fflush(stdout) != 0)
		rc = EX_IOERR;
	return rc;
}

/* split - find key and value in a line; -1 when there is no value */
static int
split(const struct mm *mm, char *line, char **val)
{
	char *p;

	if (mm->delim != 0)
		p = strchr(line, mm->delim);
	else
		for (p = line; *p != '\0' && !isspace((unsigned char)*p); p++)
			continue;
	if (p == NULL || *p == '\0') {
		*val = line + strlen(line);
		return -1;
	}
	*p++ = '\0';
	if (mm->delim == 0)
		while (isspace((unsigned char)*p))
			p++;
	*val = p;
	return *p == '\0' ? -1 : 0;
}

/* load - read stdin into the open map; returns a sysexits code */
static int
load(const struct mm *mm, struct sm_map *m)
{
	char *line = NULL, *val, *p;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = EX_OK, r;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		if (n > MAXLINE || memchr(line, '\0', (size_t)n) != NULL) {
			sm_errorx("%s: line %zu: line too long or holds a NUL",
			    mm->mapname, lineno);
			rc = EX_DATAERR;
			continue;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == mm->comment)
			continue;
		if (split(mm, line, &val) < 0 && !mm->empty_ok) {
			sm_errorx("%s: line %zu: no RHS for LHS %s",
			    mm->mapname, lineno, line);
			rc = EX_DATAERR;
			continue;
		}
		if (line[0] == '\0')
			continue;	/* blank or only white space */
		if (mm->fold)
			for (p = line; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
		if (mm->verbose)
			(void)printf("key=`%s', val=`%s'\n", line, val);
		r = sm_map_put(m, line, strlen(line) + mm->nul, val,
		    strlen(val) + mm->nul, mm->replace);
		if (r < 0) {
			sm_error("%s: line %zu: cannot store key %s",
			    mm->mapname, lineno, line);
			rc = EX_IOERR;
			break;
		}
		if (r == 1) {
			sm_errorx("%s: line %zu: key %s: duplicate key",
			    mm->mapname, lineno, line);
			rc = EX_DATAERR;
		}
	}
	free(line);
	if (ferror(stdin)) {
		sm_error("reading standard input");
		rc = EX_IOERR;
	}
	return rc;
}

/* sync_path - fsync a file or directory by name */
static int
sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	(void)close(fd);
	return rc;
}

/* build - write a new map atomically, or add to one with -o */
static int
build(const struct mm *mm, enum sm_map_type type, const char *path)
{
	char tmp[4096], err[512], dir[4096];
	struct sm_map *m;
	int rc, flags = (mm->dups ? SM_MAP_DUPS : 0);

	if (mm->append) {
		if ((m = sm_map_open(path, type, flags, err, sizeof(err)))
		    == NULL) {
			sm_errorx("%s", err);
			return EX_CANTCREAT;
		}
		rc = load(mm, m);
		if (sm_map_close(m) < 0 || sync_path(path, O_RDONLY) < 0) {
			sm_error("%s: cannot flush", path);
			return EX_IOERR;
		}
		return rc;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path,
	    (long)getpid()) >= sizeof(tmp)) {
		sm_errorx("%s: name too long", path);
		return EX_USAGE;
	}
	(void)unlink(tmp);	/* a leftover of a crashed run of ours */
	m = sm_map_open(tmp, type, flags | SM_MAP_CREATE, err, sizeof(err));
	if (m == NULL) {
		sm_errorx("%s", err);
		return EX_CANTCREAT;
	}
	rc = load(mm, m);
	if (sm_map_close(m) < 0 || sync_path(tmp, O_RDONLY) < 0) {
		sm_error("%s: cannot flush", tmp);
		(void)unlink(tmp);
		return EX_IOERR;
	}
	if (rc == EX_IOERR) {
		(void)unlink(tmp);
		return rc;
	}
	/* Readers see the old map or the new one, never a half-built one. */
	if (rename(tmp, path) < 0) {
		sm_error("cannot rename %s to %s", tmp, path);
		(void)unlink(tmp);
		return EX_CANTCREAT;
	}
	(void)sm_strlcpy(dir, path, sizeof(dir));
	if (sync_path(dirname(dir), O_RDONLY | O_DIRECTORY) < 0) {
		sm_error("%s: cannot flush the directory", path);
		return EX_IOERR;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct mm mm;
	enum sm_map_type type;
	char path[4096];
	bool unmake = false;
	int c;

	sm_log_init("makemap", SM_LOG_STDERR);
	memset(&mm, 0, sizeof(mm));
	mm.fold = true;
	mm.comment = '#';
	while ((c = getopt(argc, argv, "C:D:Nc:deflorst:uv")) != -1) {
		switch (c) {
		case 'C':	/* sendmail.cf for TrustedUser: not needed */
		case 'c':	/* cache size: Berkeley DB's default is fine */
		case 's':	/* safety checks are the file modes' job */
			break;
		case 'D':
			mm.comment = optarg[0];
			break;
		case 'N':
			mm.nul = true;
			break;
		case 'd':
			mm.dups = true;
			break;
		case 'e':
			mm.empty_ok = true;
			break;
		case 'f':
			mm.fold = false;
			break;
		case 'l':
			(void)printf("hash\nbtree\n");
			return EX_OK;
		case 'o':
			mm.append = true;
			break;
		case 'r':
			mm.replace = true;
			break;
		case 't':
			if (optarg[0] == '\0' || optarg[1] != '\0')
				return usage();
			mm.delim = (unsigned char)optarg[0];
			break;
		case 'u':
			unmake = true;
			break;
		case 'v':
			mm.verbose = true;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2)
		return usage();
	if (sm_map_type(argv[optind], &type) < 0) {
		sm_errorx("unknown map type %s (makemap -l lists them)",
		    argv[optind]);
		return EX_USAGE;
	}
	mm.mapname = argv[optind + 1];
	if ((size_t)snprintf(path, sizeof(path), "%s%s", mm.mapname,
	    strlen(mm.mapname) > 3 &&
	    strcmp(mm.mapname + strlen(mm.mapname) - 3, ".db") == 0 ?
	    "" : ".db") >= sizeof(path)) {
		sm_errorx("%s: name too long", mm.mapname);
		return EX_USAGE;
	}
	return unmake ? dump(&mm, type, path) : build(&mm, type, path);
}
