/*
 * args - sendmail's command line, parsed.
 *
 * SYNOPSIS
 *	struct args a;
 *	ex = args_parse(argc, argv, &a, err, sizeof(err));
 *	args_free(&a);
 *
 * DESCRIPTION
 *	Understands the command line of spec/cli.md: the mode from the
 *	program name (sendmail, mailq, newaliases, hoststat, purgestat,
 *	smtpd) and -b; -C; options by long name (-O Name=value) and by
 *	letter (-oXvalue), kept in order so they can be applied after the
 *	configuration file; the flags -q[...], -f/-r, -F, -N, -R, -V, -B,
 *	-L, -M, -d, -t, -i, -v and the legacy ones; and the recipient
 *	addresses after the options.  A value-taking flag takes the rest of
 *	its word or the next word.  Flags that mean an option (-e, -i, -v,
 *	-c, -m, -s) are turned into letter overrides.  The argument strings
 *	are not copied: argv must outlive the struct.
 *
 * DIAGNOSTICS
 *	args_parse() returns 0, or EX_USAGE with a message in err worded as
 *	sendmail words it.
 */
#ifndef ARGS_H
#define ARGS_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

struct args_override {
	int		 letter;	/* 0: text is "Name=value" (-O) */
	const char	*text;
};

struct args_qsel {
	char		 kind;		/* I, R, S, Q, G or L */
	bool		 negate;	/* -q!R... */
	const char	*pattern;
};

struct args {
	const char	*progname;	/* basename of argv[0] */
	char		 mode;		/* the -b letter in force */
	const char	*cf_path;	/* -C, or NULL for the default */
	struct args_override *over;
	size_t		 nover;
	struct args_override *macros;	/* -M: letter unused, text "x..." */
	size_t		 nmacros;
	bool		 queue_run;	/* some -q given */
	long		 queue_interval; /* -q15m: seconds; 0 = one run */
	bool		 queue_foreground; /* -qf */
	bool		 queue_persistent; /* -qp */
	struct args_qsel *qsel;
	size_t		 nqsel;
	const char	*from;		/* -f / -r */
	const char	*fullname;	/* -F */
	const char	*notify;	/* -N */
	const char	*ret;		/* -R */
	const char	*envid;		/* -V */
	const char	*bodytype;	/* -B */
	const char	*logtag;	/* -L */
	const char	*debug;		/* -d */
	const char	*proto;		/* -p */
	const char	*xscript;	/* -X */
	const char	*quarantine;	/* -Q */
	long		 hopcount;	/* -h, -1 when not given */
	char		 submit_cf;	/* -A: 'c', 'm' or 0 */
	bool		 read_rcpts;	/* -t */
	bool		 verbose;	/* -v */
	bool		 no_alias;	/* -n */
	char		**rcpts;
	size_t		 nrcpts;
	int		 argc;		/* the whole command line */
	char		**argv;
};

int	args_parse(int, char **, struct args *, char *, size_t);
void	args_free(struct args *);
char	args_mode_from_name(const char *);

#endif /* ARGS_H */
