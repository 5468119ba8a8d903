/*
 * args - sendmail's command line; see args.h.
 *
 * Untrusted input: any local user may run sendmail with any arguments.
 * Nothing here allocates beyond the argument count, and nothing is
 * acted on before the whole line has been checked.
 */
#include "args.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "sm_alloc.h"
#include "sm_log.h"
#include "sm_time.h"
#include "sm_addr.h"

/* Flags that take a value, as in sendmail's getopt string. */
static const char value_flags[] = "ABbCDdeFfhLMNOopQqRrVX";
/* Flags without a value. */
static const char plain_flags[] = "cGIimnsTtUv";

/* uerr - a usage error: message into err, EX_USAGE */
static int SM_PRINTF(3, 4)
uerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)sm_verrbuf(err, errlen, fmt, ap);
	va_end(ap);
	return EX_USAGE;
}

/* args_mode_from_name - the default mode for a program name */
char
args_mode_from_name(const char *name)
{
	if (strcmp(name, "mailq") == 0)
		return 'p';
	if (strcmp(name, "newaliases") == 0)
		return 'i';
	if (strcmp(name, "hoststat") == 0)
		return 'h';
	if (strcmp(name, "purgestat") == 0)
		return 'H';
	if (strcmp(name, "smtpd") == 0)
		return 'd';
	return 'm';
}

/* add_over - record one option override, in command-line order */
static void
add_over(struct args *a, int letter, const char *text)
{
	a->over = sm_reallocarray(a->over, a->nover + 1, sizeof(*a->over));
	a->over[a->nover].letter = letter;
	a->over[a->nover].text = text;
	a->nover++;
}

/* valid_notify - "never" or a comma list of success, failure, delay */
static bool
valid_notify(const char *v)
{
	char buf[128], *w, *save = NULL;

	if (strcasecmp(v, "never") == 0)
		return true;
	if (sm_strlcpy(buf, v, sizeof(buf)) >= sizeof(buf) || *v == '\0')
		return false;
	for (w = strtok_r(buf, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save))
		if (strcasecmp(w, "success") != 0 &&
		    strcasecmp(w, "failure") != 0 &&
		    strcasecmp(w, "delay") != 0)
			return false;
	return true;
}

/* parse_q - the value of -q: empty, a time, f, p[time], [!]Xpattern */
static int
parse_q(struct args *a, const char *v, char *err, size_t errlen)
{
	char terr[128];
	bool neg = false;

	a->queue_run = true;
	if (*v == '\0')
		return 0;
	if (strcmp(v, "f") == 0) {
		a->queue_foreground = true;
		return 0;
	}
	if (*v == 'p') {
		a->queue_persistent = true;
		v++;
		if (*v == '\0')
			return 0;
	}
	if (isdigit((unsigned char)*v)) {
		if (sm_time_parse(v, 'm', 0, &a->queue_interval, terr,
		    sizeof(terr)) < 0)
			return uerr(err, errlen, "-q: %s", terr);
		return 0;
	}
	if (*v == '!') {
		neg = true;
		v++;
	}
	if (*v == '\0' || strchr("IRSQGL", *v) == NULL)
		return uerr(err, errlen, "Invalid -q value: %s", v);
	if (neg && *v == 'G')
		return uerr(err, errlen, "Can not use -q!G");
	if (*v != 'L' && *v != 'Q' && v[1] == '\0')
		return uerr(err, errlen, "-q%s%c: pattern required",
		    neg ? "!" : "", *v);
	a->qsel = sm_reallocarray(a->qsel, a->nqsel + 1, sizeof(*a->qsel));
	a->qsel[a->nqsel].kind = *v;
	a->qsel[a->nqsel].negate = neg;
	a->qsel[a->nqsel].pattern = v + 1;
	a->nqsel++;
	return 0;
}

/* set_once - a flag that may be given once */
static int
set_once(const char **slot, const char *v, const char *what, char *err,
    size_t errlen)
{
	if (*slot != NULL)
		return uerr(err, errlen, "%s", what);
	*slot = v;
	return 0;
}

/* take_value - one value-taking flag; see the DESCRIPTION in args.h */
static int
take_value(struct args *a, int c, const char *v, char *err, size_t errlen)
{
	char *end;

	switch (c) {
	case 'A':
		if (strcmp(v, "c") != 0 && strcmp(v, "m") != 0)
			return uerr(err, errlen, "Invalid -A value: %s", v);
		a->submit_cf = *v;
		return 0;
	case 'B':
		if (strcasecmp(v, "7BIT") != 0 && strcasecmp(v, "8BITMIME") != 0)
			return uerr(err, errlen, "Illegal body type %s", v);
		a->bodytype = v;
		return 0;
	case 'b':
		if (v[0] == 'z' && v[1] == '\0')
			return uerr(err, errlen,
			    "Frozen configurations unsupported");
		if (v[0] == '\0' || v[1] != '\0' ||
		    strchr("CDHOPdhimpstv", v[0]) == NULL)
			return uerr(err, errlen, "Invalid operation mode %s",
			    v);
		a->mode = v[0];
		return 0;
	case 'C':
		a->cf_path = v;
		return 0;
	case 'D':
		return 0;	/* debug output file: we have no -d output */
	case 'd':
		a->debug = v;
		return 0;
	case 'e':
		add_over(a, 'e', v);
		return 0;
	case 'F':
		a->fullname = v;
		return 0;
	case 'f':
	case 'r':
		return set_once(&a->from, v, "More than one \"from\" person",
		    err, errlen);
	case 'h':
		a->hopcount = strtol(v, &end, 10);
		if (end == v || *end != '\0' || a->hopcount < 0)
			return uerr(err, errlen, "Bad hop count (%s)", v);
		return 0;
	case 'L':
		a->logtag = v;
		return 0;
	case 'M':
		if (v[0] == '\0' || (v[0] == '{' && strchr(v, '}') == NULL))
			return uerr(err, errlen, "-M: bad macro name");
		a->macros = sm_reallocarray(a->macros, a->nmacros + 1,
		    sizeof(*a->macros));
		a->macros[a->nmacros].letter = 0;
		a->macros[a->nmacros++].text = v;
		return 0;
	case 'N':
		if (!valid_notify(v))
			return uerr(err, errlen, "Invalid -N argument");
		a->notify = v;
		return 0;
	case 'O':
		add_over(a, 0, v);
		return 0;
	case 'o':
		if (v[0] == '\0')
			return uerr(err, errlen, "-o: option letter missing");
		if (v[0] == 'M')	/* -oMx value: the old spelling of -M */
			return take_value(a, 'M', v + 1, err, errlen);
		add_over(a, (unsigned char)v[0], v + 1);
		return 0;
	case 'p':
		a->proto = v;
		return 0;
	case 'Q':
		a->quarantine = v;
		return 0;
	case 'q':
		return parse_q(a, v, err, errlen);
	case 'R':
		if (a->ret != NULL)
			return uerr(err, errlen, "Duplicate -R flag");
		if (strcasecmp(v, "full") != 0 && strcasecmp(v, "hdrs") != 0)
			return uerr(err, errlen, "Invalid -R value");
		a->ret = v;
		return 0;
	case 'V':
		if (*v == '\0' || strlen(v) > 100 || !sm_addr_xtext_ok(v))
			return uerr(err, errlen, "Invalid syntax in -V flag");
		a->envid = v;
		return 0;
	case 'X':
		a->xscript = v;
		return 0;
	}
	return uerr(err, errlen, "internal: unhandled flag -%c", c);
}

/* take_plain - one flag without a value */
static void
take_plain(struct args *a, int c)
{
	switch (c) {
	case 'I':
		a->mode = 'i';
		break;
	case 'i':
		add_over(a, 'i', "True");
		break;
	case 'n':
		a->no_alias = true;
		break;
	case 't':
		a->read_rcpts = true;
		break;
	case 'v':
		a->verbose = true;
		add_over(a, 'v', "True");
		break;
	case 'c':
		add_over(a, 'c', "True");
		break;
	case 'm':
		add_over(a, 'm', "True");
		break;
	case 's':
		add_over(a, 'f', "True");
		break;
	default:
		break;		/* -G, -T, -U: accepted, no effect here */
	}
}

/* optional_value - flags whose value may be left out: -q, -d, -C, -Q */
static const char *
optional_default(int c)
{
	switch (c) {
	case 'q':
		return "";
	case 'd':
		return "0-99.1";
	case 'C':
		return "sendmail.cf";
	case 'Q':
		return "";
	default:
		return NULL;
	}
}

/* args_parse - parse argv into a; see args.h */
int
args_parse(int argc, char **argv, struct args *a, char *err, size_t errlen)
{
	const char *slash;
	int i, rc;

	memset(a, 0, sizeof(*a));
	a->argc = argc;
	a->argv = argv;
	a->hopcount = -1;
	a->progname = argc > 0 && argv[0] != NULL ? argv[0] : "sendmail";
	if ((slash = strrchr(a->progname, '/')) != NULL)
		a->progname = slash + 1;
	a->mode = args_mode_from_name(a->progname);
	/* runq: sendmail -q, as Debian links it. */
	a->queue_run = strcmp(a->progname, "runq") == 0;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *p;

		if (arg[0] != '-' || arg[1] == '\0')
			break;
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		for (p = arg + 1; *p != '\0'; p++) {
			int c = (unsigned char)*p;
			const char *v, *dflt;

			if (strchr(plain_flags, c) != NULL) {
				take_plain(a, c);
				continue;
			}
			if (strchr(value_flags, c) == NULL)
				return uerr(err, errlen, "Illegal option -%c",
				    c);
			dflt = optional_default(c);
			if (p[1] != '\0')
				v = p + 1;
			else if (dflt != NULL && (c == 'q' || c == 'Q' ||
			    i + 1 >= argc || argv[i + 1][0] == '-'))
				v = dflt;
			else if (i + 1 < argc)
				v = argv[++i];
			else
				return uerr(err, errlen, "option requires an "
				    "argument -- '%c'", c);
			if ((rc = take_value(a, c, v, err, errlen)) != 0)
				return rc;
			break;
		}
	}
	a->rcpts = argv + i;
	a->nrcpts = (size_t)(argc - i);
	if (a->queue_run && a->mode == 'v')
		return uerr(err, errlen, "Can not use -q with -bv");
	if (a->verbose && a->mode != 'p')
		add_over(a, 'd', "i");	/* -v delivers interactively */
	return 0;
}

/* args_free - release what args_parse() allocated */
void
args_free(struct args *a)
{
	free(a->over);
	free(a->macros);
	free(a->qsel);
	memset(a, 0, sizeof(*a));
}
