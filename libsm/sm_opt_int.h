/*
 * sm_opt_int - the option table, shared by sm_opt.c (setting, printing,
 * reporting options) and sm_opt_table.c (the rows).  Not for other
 * modules.
 *
 * Each row names an option (its long name and, when it has one, its
 * letter), its type, where its value lives in struct sm_options, its
 * default as a .cf line would write it, and whether this program acts
 * on it (F_INFORCE).
 */
#ifndef SM_OPT_INT_H
#define SM_OPT_INT_H

#include "sm_config.h"

#include <stddef.h>
#include <stdint.h>

#include "sm_opt.h"

enum otype {
	T_BOOL,		/* True/False */
	T_LONG,		/* decimal integer in [min, max] */
	T_DUR,		/* duration, seconds, default unit in `unit' */
	T_MODE,		/* octal file mode */
	T_STR,		/* text, may hold $ macro references */
	T_LIST,		/* one entry per line (DaemonPortOptions) */
	T_ENUM,		/* a word of which only the first letter counts */
	T_CHAR,		/* one character (BlankSub) */
	T_PRIV,		/* PrivacyOptions word list */
	T_DBS,		/* DontBlameSendmail word list */
	T_LEGACY_TO,	/* bare Timeout: "10m,connect=1m,ident:0" */
	T_QUEUETO	/* QueueTimeout: "RETURN[/WARN]" */
};

#define F_INFORCE	0x01	/* this program acts on the option */
#define F_NOPRINT	0x02	/* a setter of other rows, no value */
#define F_STARRED	0x04	/* set by a bare duration in Timeout= */
#define F_NOW		0x08	/* duration may be "now" */

struct word {
	const char	*word;
	char		 code;
};

struct row {
	const char	*name;
	int		 letter;
	enum otype	 type;
	size_t		 off;
	int		 count;		/* group rows: elements they set */
	const char	*dflt;		/* NULL: computed in sm_opt_init() */
	char		 unit;
	long		 min, max;
	const struct word *words;
	unsigned	 flags;
};

/* PrivacyOptions words and the bits they set. */
struct sm_opt_privacy {
	const char	*word;
	unsigned	 bits;
};

#define DBS_BIT(w)	((uint64_t)1 << (w))

/* The words this program acts on: those that concern .forward files. */
#define SM_DBS_INFORCE	(DBS_BIT(SM_DBS_DONTWARNFORWARDFILEINUNSAFEDIRPATH) | \
	DBS_BIT(SM_DBS_FORWARDFILEINGROUPWRITABLEDIRPATH) | \
	DBS_BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATH) | \
	DBS_BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATHSAFE) | \
	DBS_BIT(SM_DBS_GROUPWRITABLEDIRPATHSAFE) | \
	DBS_BIT(SM_DBS_GROUPWRITABLEFORWARDFILE) | \
	DBS_BIT(SM_DBS_GROUPWRITABLEFORWARDFILESAFE) | \
	DBS_BIT(SM_DBS_LINKEDFORWARDFILEINWRITABLEDIR) | \
	DBS_BIT(SM_DBS_TRUSTSTICKYBIT) | \
	DBS_BIT(SM_DBS_WORLDWRITABLEFORWARDFILE))

extern const struct row sm_opt_rows[];
extern const size_t sm_opt_nrows;
extern const struct word sm_opt_deliverymode_words[];
extern const struct sm_opt_privacy sm_opt_privacy_words[];
extern const size_t sm_opt_nprivacy;
extern const char *const sm_opt_dbs_words[SM_DBS_N];

#endif /* SM_OPT_INT_H */
