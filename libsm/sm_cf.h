/*
 * sm_cf - the sendmail.cf reader.
 *
 * SYNOPSIS
 *	struct sm_cf *cf = sm_cf_new();
 *	ex = sm_cf_read(cf, path, &opt, err, sizeof(err));
 *	sm_cf_macro(cf, "j"), sm_cf_class(cf, "w"), sm_cf_mailer(cf, "relay")
 *	sm_cf_expand(cf, "$j Sendmail $v", &buf)
 *	sm_cf_free(cf);
 *
 * DESCRIPTION
 *	Reads a configuration file in sendmail.cf syntax (spec/m4.md 6): one
 *	statement per line, the first character naming its kind; a line that
 *	starts with a blank or a tab continues the one before (the line end
 *	is kept, so a multi-line H template keeps its shape); blank lines
 *	and lines starting with # are comments.
 *
 *	V (version), D (macro), C and T (class words), F (class from a file
 *	or program: recorded here, read when a mode needs it), K (map), O
 *	(option, into the struct sm_options given, through sm_opt), M
 *	(mailer), H (header template), P (precedence) are understood.  S and
 *	R lines (rewriting rules) are counted and skipped: routing and
 *	policy are built in, driven by the macros, classes, maps, mailers
 *	and options; the caller warns once with the count.  E, Q and X lines
 *	are recorded and reported as not yet in force; L and G are obsolete
 *	and skipped.
 *
 *	Values keep their $ macro references; sm_cf_expand() resolves $x,
 *	${name}, $&x and the conditional $?x text $| text $. against the
 *	macros defined so far.
 *
 * DIAGNOSTICS
 *	sm_cf_read() returns 0, EX_OSFILE when the file cannot be opened, or
 *	EX_CONFIG for a statement it cannot accept; err then reads
 *	"FILE: line N: what is wrong".  Reading stops at the first error.
 */
#ifndef SM_CF_H
#define SM_CF_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "sm_buf.h"
#include "sm_opt.h"

struct sm_cf_class {
	char		 *name;
	struct sm_strlist words;
};

struct sm_cf_fileclass {
	char	*name;		/* the class */
	char	*path;		/* file, or program after | */
	char	*format;	/* scanf format, or NULL */
	bool	 optional;	/* -o: a missing file is no error */
	bool	 program;	/* F{x}|/path/to/program */
	char	*file;		/* where the F line is, for messages */
	int	 line;
};

struct sm_cf_map {
	char	*name;
	char	*type;
	char	*args;		/* flags and file, as written */
};

struct sm_cf_mailer {
	char	*name;
	char	*path;		/* P= */
	char	*flags;		/* F= */
	char	*sender_rw;	/* S= */
	char	*recipient_rw;	/* R= */
	char	*eol;		/* E= */
	char	*type;		/* T= */
	char	*dir;		/* D= */
	char	*user;		/* U= */
	char	*argv;		/* A= */
	char	*charset;	/* C= */
	char	*queuegroup;	/* Q= */
	char	*wait;		/* W= */
	char	*rcptsperconn;	/* r= */
	char	*nice;		/* N= */
	char	*ifile;		/* I= */
	long	 linelimit;	/* L=, 0 = none */
	long	 maxsize;	/* M=, 0 = none */
	long	 maxmsgs;	/* m=, 0 = none */
};

struct sm_cf_header {
	char	*flags;		/* text between the ?s, or NULL */
	char	*name;
	char	*value;		/* template, may span lines */
};

struct sm_cf_prec {
	char	*name;
	long	 value;
};

struct sm_cf {
	int		 version;	/* V level, 0 when absent */
	char		*vendor;
	struct sm_strlist macros;	/* "name=value": name is x or {x} */
	struct sm_cf_class *classes;
	size_t		 nclasses;
	struct sm_cf_fileclass *fileclasses;
	size_t		 nfileclasses;
	struct sm_cf_map *maps;
	size_t		 nmaps;
	struct sm_cf_mailer *mailers;
	size_t		 nmailers;
	struct sm_cf_header *headers;
	size_t		 nheaders;
	struct sm_cf_prec *precs;
	size_t		 nprecs;
	struct sm_strlist pending;	/* E, Q, X lines: not yet in force */
	size_t		 rules_skipped;	/* S and R lines */
	size_t		 obsolete_skipped;	/* L and G lines */
};

#define SM_CF_VERSION_MAX	10

struct sm_cf	*sm_cf_new(void);
void		 sm_cf_free(struct sm_cf *);
int		 sm_cf_read(struct sm_cf *, const char *, struct sm_options *,
		    char *, size_t);
int		 sm_cf_parse_line(struct sm_cf *, const char *,
		    struct sm_options *, char *, size_t);
int		 sm_cf_load_files(struct sm_cf *, char *, size_t);
const char	*sm_cf_macro(const struct sm_cf *, const char *);
void		 sm_cf_define(struct sm_cf *, const char *, const char *);
const struct sm_cf_class *sm_cf_class(const struct sm_cf *, const char *);
bool		 sm_cf_class_has(const struct sm_cf *, const char *,
		    const char *);
const struct sm_cf_mailer *sm_cf_mailer(const struct sm_cf *, const char *);
const struct sm_cf_map *sm_cf_map(const struct sm_cf *, const char *);
int		 sm_cf_expand(const struct sm_cf *, const char *,
		    struct sm_buf *);

#endif /* SM_CF_H */
