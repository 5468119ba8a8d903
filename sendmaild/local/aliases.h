/*
 * aliases - the alias file (aliases(5)) and its Berkeley DB database, as
 * newaliases (-bi) builds it.
 *
 * SYNOPSIS
 *	aliases_parse(text, len, &cb, ctx)	one file's entries, in order
 *	aliases_split(value, &items)		the items of a value
 *	aliases_item_kind("|/usr/bin/prog")	ALIAS_PROG
 *	ex = aliases_build(&config, login)	-bi: every AliasFile
 *	r = aliases_lookup(&config, "postmaster", &value)
 *
 * DESCRIPTION
 *	UNTRUSTED INPUT, in the sense that any text must give entries or
 *	errors, never a crash: the file is the administrator's, but it is
 *	also the fuzzers'.  An entry is "name: value" on one line and the
 *	lines after it that begin with a blank (continuation lines, joined
 *	with one blank).  Lines that begin with "#" and empty lines are
 *	skipped.  Names are lowercased; the value is a comma-separated list
 *	of items, commas inside double quotes or angle brackets not
 *	counting: an address (a bare local name included), "|program" (or
 *	"\"|program args\""), "/file", ":include:/file".  Each problem is
 *	reported with the line where its entry starts: a line that starts
 *	with a blank but continues nothing, no colon, a bad name, no value,
 *	a bad item, an entry over ALIAS_MAX bytes.  The entry is then
 *	skipped and the rest of the file is still read.
 *
 *	aliases_build() reads each file of AliasFile ("[hash:|btree:]path",
 *	comma-separated), writes "path.db" as sendmail does (keys and values
 *	with their trailing NUL, and the "@" entry that marks a complete
 *	database) into a temporary file that is renamed into place, prints
 *	"path: N aliases, longest L bytes, T bytes total" and logs who
 *	rebuilt it.  A name defined twice is reported, the later entry
 *	wins.  A loop among aliases (a: b and b: a, with no way out) is
 *	reported as an error naming the entries.
 *
 *	aliases_lookup() finds a name (lowercase) in the databases of
 *	AliasFile, the first that has it; a database that is not there
 *	yet holds nothing.
 *
 * DIAGNOSTICS
 *	aliases_build() returns EX_OK; EX_DATAERR when any entry had an
 *	error (the database is still built from the good ones, as
 *	sendmail does); EX_NOINPUT when a file cannot be read; EX_CANTCREAT
 *	when the database cannot be written; EX_CONFIG without AliasFile.
 *	Messages go to standard error as "file: line N: reason".
 *	aliases_lookup() returns 0 (found), 1 (not found) or -1.
 */
#ifndef ALIASES_H
#define ALIASES_H

#include "sm_config.h"

#include <stddef.h>

#include "config.h"
#include "sm_buf.h"
#include "sm_strlist.h"

#define ALIAS_MAX	(1024 * 1024)	/* bytes in one entry */

enum alias_kind {
	ALIAS_ADDRESS,
	ALIAS_PROG,		/* |program */
	ALIAS_FILE,		/* /path */
	ALIAS_INCLUDE,		/* :include:/path */
	ALIAS_BAD
};

struct alias_cb {
	/* An entry: name lowercased, value as written, its first line. */
	void	(*entry)(void *, const char *, const char *, int);
	/* A problem in the entry that starts at line. */
	void	(*error)(void *, int, const char *);
};

void		 aliases_split(const char *, struct sm_strlist *);
void		 aliases_parse(const char *, size_t, const struct alias_cb *,
		    void *);
enum alias_kind	 aliases_item_kind(const char *);
int		 aliases_build(struct config *, const char *);
int		 aliases_lookup(const struct config *, const char *,
		    struct sm_buf *);

#endif /* ALIASES_H */
