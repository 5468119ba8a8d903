/*
 * sm_cf - the sendmail.cf reader; see sm_cf.h.
 *
 * Runs at start-up in every mode, before any privilege is dropped or
 * any socket is opened.  The file is trusted configuration, but it is
 * still checked: every statement either means something here or is an
 * error naming the file and line.
 */
#include "sm_cf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "sm_alloc.h"
#include "sm_log.h"

/* Map types sendmail knows; K lines naming another type are refused. */
static const char *const map_types[] = {
	"arith", "bestmx", "btree", "dbm", "dequote", "dns", "hash", "hesiod",
	"host", "implicit", "ldap", "macro", "netinfo", "nis", "nisplus",
	"nsd", "null", "program", "regex", "sequence", "socket", "stab",
	"switch", "syslog", "text", "user", "userdb", NULL
};

/* sm_cf_new - an empty configuration */
struct sm_cf *
sm_cf_new(void)
{
	return sm_calloc(1, sizeof(struct sm_cf));
}

/* sm_cf_free - release everything */
void
sm_cf_free(struct sm_cf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	free(cf->vendor);
	sm_strlist_clear(&cf->macros);
	for (i = 0; i < cf->nclasses; i++) {
		free(cf->classes[i].name);
		sm_strlist_clear(&cf->classes[i].words);
	}
	free(cf->classes);
	for (i = 0; i < cf->nfileclasses; i++) {
		free(cf->fileclasses[i].name);
		free(cf->fileclasses[i].path);
		free(cf->fileclasses[i].format);
		free(cf->fileclasses[i].file);
	}
	free(cf->fileclasses);
	for (i = 0; i < cf->nmaps; i++) {
		free(cf->maps[i].name);
		free(cf->maps[i].type);
		free(cf->maps[i].args);
	}
	free(cf->maps);
	for (i = 0; i < cf->nmailers; i++) {
		struct sm_cf_mailer *m = &cf->mailers[i];
		char **s[] = { &m->name, &m->path, &m->flags, &m->sender_rw,
		    &m->recipient_rw, &m->eol, &m->type, &m->dir, &m->user,
		    &m->argv, &m->charset, &m->queuegroup, &m->wait,
		    &m->rcptsperconn, &m->nice, &m->ifile };
		size_t k;

		for (k = 0; k < sizeof(s) / sizeof(s[0]); k++)
			free(*s[k]);
	}
	free(cf->mailers);
	for (i = 0; i < cf->nheaders; i++) {
		free(cf->headers[i].flags);
		free(cf->headers[i].name);
		free(cf->headers[i].value);
	}
	free(cf->headers);
	for (i = 0; i < cf->nprecs; i++)
		free(cf->precs[i].name);
	free(cf->precs);
	sm_strlist_clear(&cf->pending);
	free(cf);
}

/* cerr - format a message into err, return EX_CONFIG */
static int SM_PRINTF(3, 4)
cerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)sm_verrbuf(err, errlen, fmt, ap);
	va_end(ap);
	return EX_CONFIG;
}

/* skip_blanks - past spaces, tabs and kept line ends */
static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

/*
 * take_name - a macro or class name at *pp: one character, or {name}.
 * Stores the bare name (without braces) in out; returns -1 when malformed.
 */
static int
take_name(const char **pp, char *out, size_t outlen)
{
	const char *p = *pp, *close;
	size_t n;

	if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n')
		return -1;
	if (*p != '{') {
		if (outlen < 2)
			return -1;
		out[0] = *p;
		out[1] = '\0';
		*pp = p + 1;
		return 0;
	}
	close = strchr(p, '}');
	n = close != NULL ? (size_t)(close - p - 1) : 0;
	if (close == NULL || n == 0 || n >= outlen)
		return -1;
	memcpy(out, p + 1, n);
	out[n] = '\0';
	if (strpbrk(out, " \t\n{$") != NULL)
		return -1;
	*pp = close + 1;
	return 0;
}

/* check_macros - every ${ in a value is closed */
static int
check_macros(const char *v)
{
	const char *p;

	for (p = v; (p = strchr(p, '$')) != NULL; p++) {
		if (p[1] == '{' && strchr(p, '}') == NULL)
			return -1;
		if (p[1] == '\0')
			return -1;
	}
	return 0;
}

/* sm_cf_define - set macro name to value (replacing an older value) */
void
sm_cf_define(struct sm_cf *cf, const char *name, const char *value)
{
	size_t i, len = strlen(name);
	struct sm_buf b;

	for (i = 0; i < cf->macros.n; i++)
		if (strncmp(cf->macros.v[i], name, len) == 0 &&
		    cf->macros.v[i][len] == '=') {
			free(cf->macros.v[i]);
			break;
		}
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "%s=%s", name, value);
	if (i == cf->macros.n) {
		cf->macros.v = sm_reallocarray(cf->macros.v, cf->macros.n + 1,
		    sizeof(cf->macros.v[0]));
		cf->macros.n++;
	}
	cf->macros.v[i] = sm_buf_detach(&b);
}

/* sm_cf_macro - the value of a macro, or NULL when undefined */
const char *
sm_cf_macro(const struct sm_cf *cf, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < cf->macros.n; i++)
		if (strncmp(cf->macros.v[i], name, len) == 0 &&
		    cf->macros.v[i][len] == '=')
			return cf->macros.v[i] + len + 1;
	return NULL;
}

/* class_get - the class of that name, created when create is set */
static struct sm_cf_class *
class_get(struct sm_cf *cf, const char *name, bool create)
{
	size_t i;

	for (i = 0; i < cf->nclasses; i++)
		if (strcmp(cf->classes[i].name, name) == 0)
			return &cf->classes[i];
	if (!create)
		return NULL;
	cf->classes = sm_reallocarray(cf->classes, cf->nclasses + 1,
	    sizeof(cf->classes[0]));
	memset(&cf->classes[cf->nclasses], 0, sizeof(cf->classes[0]));
	cf->classes[cf->nclasses].name = sm_strdup(name);
	return &cf->classes[cf->nclasses++];
}

/* sm_cf_class - a class by name, NULL when it has no words */
const struct sm_cf_class *
sm_cf_class(const struct sm_cf *cf, const char *name)
{
	return class_get((struct sm_cf *)(uintptr_t)cf, name, false);
}

/* sm_cf_class_has - is word in class name?  (case-insensitive) */
bool
sm_cf_class_has(const struct sm_cf *cf, const char *name, const char *word)
{
	const struct sm_cf_class *c = sm_cf_class(cf, name);
	size_t i;

	for (i = 0; c != NULL && i < c->words.n; i++)
		if (strcasecmp(c->words.v[i], word) == 0)
			return true;
	return false;
}

/* add_words - add blank-separated words of p to class name */
static void
add_words(struct sm_cf *cf, const char *name, const char *p)
{
	struct sm_cf_class *c = class_get(cf, name, true);

	for (;;) {
		size_t n;
		char *w;

		p = skip_blanks(p);
		if (*p == '\0')
			break;
		n = strcspn(p, " \t\n");
		w = sm_strndup(p, n);
		if (!sm_cf_class_has(cf, name, w))
			sm_strlist_add(&c->words, w);
		free(w);
		p += n;
	}
}

/* sm_cf_mailer - a mailer by name */
const struct sm_cf_mailer *
sm_cf_mailer(const struct sm_cf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nmailers; i++)
		if (strcmp(cf->mailers[i].name, name) == 0)
			return &cf->mailers[i];
	return NULL;
}

/* sm_cf_map - a map by name */
const struct sm_cf_map *
sm_cf_map(const struct sm_cf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nmaps; i++)
		if (strcmp(cf->maps[i].name, name) == 0)
			return &cf->maps[i];
	return NULL;
}

/* parse_V - "V10/Berkeley" */
static int
parse_V(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	char *end;
	long level;

	p = skip_blanks(p);
	errno = 0;
	level = strtol(p, &end, 10);
	if (end == p || errno != 0 || level < 0)
		return cerr(err, errlen, "invalid version line");
	if (level > SM_CF_VERSION_MAX)
		return cerr(err, errlen, "configuration version %ld is newer "
		    "than this program reads (%d)", level, SM_CF_VERSION_MAX);
	if (*end != '\0' && *end != '/' && *end != ' ' && *end != '\t')
		return cerr(err, errlen, "invalid version line");
	cf->version = (int)level;
	free(cf->vendor);
	cf->vendor = *end == '/' ? sm_strdup(end + 1) : NULL;
	return 0;
}

/* parse_D - "Dx value" or "D{name}value" */
static int
parse_D(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	char name[128];

	if (take_name(&p, name, sizeof(name)) < 0)
		return cerr(err, errlen, "D line: missing or malformed macro "
		    "name");
	if (check_macros(p) < 0)
		return cerr(err, errlen, "D line: unterminated macro "
		    "reference in the value of %s", name);
	sm_cf_define(cf, name, p);
	return 0;
}

/* parse_C - "Cx word ..." / "C{name} word ..." */
static int
parse_C(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	char name[128];

	if (take_name(&p, name, sizeof(name)) < 0)
		return cerr(err, errlen, "C line: missing or malformed class "
		    "name");
	add_words(cf, name, p);
	return 0;
}

/* parse_F - "Fx[-o] path [format]" or "Fx|program" */
static int
parse_F(struct sm_cf *cf, const char *p, const char *file, int line,
    char *err, size_t errlen)
{
	struct sm_cf_fileclass fc;
	char name[128];
	size_t n;

	memset(&fc, 0, sizeof(fc));
	if (take_name(&p, name, sizeof(name)) < 0)
		return cerr(err, errlen, "F line: missing or malformed class "
		    "name");
	p = skip_blanks(p);
	while (p[0] == '-') {
		if (p[1] != 'o')
			return cerr(err, errlen, "F line: unknown flag -%c",
			    p[1] != '\0' ? p[1] : '?');
		fc.optional = true;
		p = skip_blanks(p + 2);
	}
	if (*p == '|') {
		fc.program = true;
		p = skip_blanks(p + 1);
		n = strlen(p);
	} else
		n = strcspn(p, " \t\n");
	if (n == 0)
		return cerr(err, errlen, "F line: missing file name for class "
		    "%s", name);
	fc.name = sm_strdup(name);
	fc.path = sm_strndup(p, n);
	p = skip_blanks(p + n);
	fc.format = *p != '\0' ? sm_strdup(p) : NULL;
	fc.file = sm_strdup(file);
	fc.line = line;
	cf->fileclasses = sm_reallocarray(cf->fileclasses,
	    cf->nfileclasses + 1, sizeof(fc));
	cf->fileclasses[cf->nfileclasses++] = fc;
	(void)class_get(cf, name, true);
	return 0;
}

/* parse_K - "Kname type [flags] [file]" */
static int
parse_K(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	struct sm_cf_map m;
	size_t n, i;
	const char *name, *type;
	size_t nlen, tlen;

	p = skip_blanks(p);
	name = p;
	nlen = strcspn(p, " \t\n");
	if (nlen == 0)
		return cerr(err, errlen, "K line: missing map name");
	p = skip_blanks(p + nlen);
	type = p;
	tlen = strcspn(p, " \t\n");
	if (tlen == 0)
		return cerr(err, errlen, "K line: map %.*s: missing map type",
		    (int)nlen, name);
	for (i = 0; map_types[i] != NULL; i++)
		if (strlen(map_types[i]) == tlen &&
		    strncmp(map_types[i], type, tlen) == 0)
			break;
	if (map_types[i] == NULL)
		return cerr(err, errlen, "K line: map %.*s: unknown map type "
		    "%.*s", (int)nlen, name, (int)tlen, type);
	p = skip_blanks(p + tlen);
	n = strlen(p);
	while (n > 0 && strchr(" \t\n", p[n - 1]) != NULL)
		n--;
	m.name = sm_strndup(name, nlen);
	m.type = sm_strndup(type, tlen);
	m.args = sm_strndup(p, n);
	for (i = 0; i < cf->nmaps; i++)
		if (strcmp(cf->maps[i].name, m.name) == 0)
			break;
	if (i < cf->nmaps) {		/* a later K line redefines the map */
		free(cf->maps[i].name);
		free(cf->maps[i].type);
		free(cf->maps[i].args);
	} else {
		cf->maps = sm_reallocarray(cf->maps, cf->nmaps + 1,
		    sizeof(m));
		cf->nmaps++;
	}
	cf->maps[i] = m;
	return 0;
}

/* mailer_number - a numeric mailer field */
static int
mailer_number(const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	return (end == v || *end != '\0' || errno != 0 || *out < 0) ? -1 : 0;
}

/* parse_M - "Mname, P=path, F=flags, ..., A=argv" */
static int
parse_M(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	struct sm_cf_mailer m;
	size_t n, i;
	int rc = 0;

	memset(&m, 0, sizeof(m));
	p = skip_blanks(p);
	n = strcspn(p, ", \t\n");
	if (n == 0)
		return cerr(err, errlen, "M line: missing mailer name");
	m.name = sm_strndup(p, n);
	p += n;
	while (rc == 0) {
		char code, *val, **slot = NULL;
		const char *eq;

		p = skip_blanks(p);
		if (*p == ',')
			p = skip_blanks(p + 1);
		if (*p == '\0')
			break;
		code = *p;
		eq = p + strcspn(p, "=,");
		if (*eq != '=') {
			rc = cerr(err, errlen, "M%s: field \"%.*s\" has no "
			    "value", m.name, (int)(eq - p), p);
			break;
		}
		p = skip_blanks(eq + 1);
		n = strcspn(p, ",");
		while (n > 0 && strchr(" \t\n", p[n - 1]) != NULL)
			n--;
		val = sm_strndup(p, n);
		p += strcspn(p, ",");
		switch (code) {
		case 'P': slot = &m.path; break;
		case 'F': slot = &m.flags; break;
		case 'S': slot = &m.sender_rw; break;
		case 'R': slot = &m.recipient_rw; break;
		case 'E': slot = &m.eol; break;
		case 'T': slot = &m.type; break;
		case 'D': slot = &m.dir; break;
		case 'U': slot = &m.user; break;
		case 'A': slot = &m.argv; break;
		case 'C': slot = &m.charset; break;
		case 'Q': slot = &m.queuegroup; break;
		case 'W': slot = &m.wait; break;
		case 'r': slot = &m.rcptsperconn; break;
		case 'N': slot = &m.nice; break;
		case 'I': slot = &m.ifile; break;
		case 'L':
		case 'M':
		case 'm':
			if (mailer_number(val, code == 'L' ? &m.linelimit :
			    code == 'M' ? &m.maxsize : &m.maxmsgs) < 0)
				rc = cerr(err, errlen, "M%s: %c=%s is not a "
				    "number", m.name, code, val);
			free(val);
			continue;
		default:
			rc = cerr(err, errlen, "M%s: unknown mailer field %c=",
			    m.name, code);
			free(val);
			continue;
		}
		free(*slot);
		*slot = val;
	}
	if (rc == 0 && m.path == NULL)
		rc = cerr(err, errlen, "M%s: P= must be given", m.name);
	if (rc == 0 && m.argv == NULL) {
		if (strcmp(m.path, "[IPC]") == 0)
			m.argv = sm_strdup("TCP $h");
		else
			rc = cerr(err, errlen, "M%s: A= must be given",
			    m.name);
	}
	for (i = 0; rc == 0 && i < cf->nmailers; i++)
		if (strcmp(cf->mailers[i].name, m.name) == 0)
			rc = cerr(err, errlen, "M%s: mailer defined twice",
			    m.name);
	if (rc != 0) {
		char **s[] = { &m.name, &m.path, &m.flags, &m.sender_rw,
		    &m.recipient_rw, &m.eol, &m.type, &m.dir, &m.user,
		    &m.argv, &m.charset, &m.queuegroup, &m.wait,
		    &m.rcptsperconn, &m.nice, &m.ifile };

		for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
			free(*s[i]);
		return rc;
	}
	cf->mailers = sm_reallocarray(cf->mailers, cf->nmailers + 1,
	    sizeof(m));
	cf->mailers[cf->nmailers++] = m;
	return 0;
}

/* parse_H - "H?flags?Name: template" */
static int
parse_H(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	struct sm_cf_header h;
	const char *colon;
	size_t n;

	memset(&h, 0, sizeof(h));
	if (*p == '?') {
		const char *q = strchr(p + 1, '?');

		if (q == NULL)
			return cerr(err, errlen, "H line: unterminated ?flags?");
		h.flags = sm_strndup(p + 1, (size_t)(q - p - 1));
		p = q + 1;
	}
	p = skip_blanks(p);
	colon = strchr(p, ':');
	n = colon != NULL ? strcspn(p, ": \t") : 0;
	if (colon == NULL || n == 0 || p + n != colon) {
		free(h.flags);
		return cerr(err, errlen, "H line: header name and colon "
		    "required");
	}
	if (check_macros(colon + 1) < 0) {
		free(h.flags);
		return cerr(err, errlen, "H line: unterminated macro "
		    "reference in %.*s", (int)n, p);
	}
	h.name = sm_strndup(p, n);
	h.value = sm_strdup(skip_blanks(colon + 1));
	cf->headers = sm_reallocarray(cf->headers, cf->nheaders + 1,
	    sizeof(h));
	cf->headers[cf->nheaders++] = h;
	return 0;
}

/* parse_P - "Pname=number" */
static int
parse_P(struct sm_cf *cf, const char *p, char *err, size_t errlen)
{
	const char *eq = strchr(p, '=');
	char *end;
	long v;

	if (eq == NULL || eq == p)
		return cerr(err, errlen, "P line: name=number required");
	errno = 0;
	v = strtol(eq + 1, &end, 10);
	if (end == eq + 1 || errno != 0 || *skip_blanks(end) != '\0')
		return cerr(err, errlen, "P line: \"%s\" is not a number",
		    eq + 1);
	cf->precs = sm_reallocarray(cf->precs, cf->nprecs + 1,
	    sizeof(cf->precs[0]));
	cf->precs[cf->nprecs].name = sm_strndup(p, (size_t)(eq - p));
	cf->precs[cf->nprecs++].value = v;
	return 0;
}

/* parse_O - "O Name=value" or the one-letter "Oxvalue" */
static int
parse_O(const char *p, struct sm_options *opt, char *err, size_t errlen)
{
	char oerrbuf[512];
	int rc;

	if (*p == ' ' || *p == '\t')
		rc = sm_opt_set_line(opt, p, SM_OPT_SRC_FILE, oerrbuf,
		    sizeof(oerrbuf));
	else if (*p == '\0')
		return cerr(err, errlen, "O line: option name missing");
	else if (p[0] == 'M')
		return cerr(err, errlen, "O line: option M (define macro) is "
		    "not supported: use a D line");
	else
		rc = sm_opt_set_letter(opt, (unsigned char)p[0],
		    skip_blanks(p + 1), SM_OPT_SRC_FILE, oerrbuf,
		    sizeof(oerrbuf));
	if (rc < 0)
		return cerr(err, errlen, "%s", oerrbuf);
	return 0;
}

/* parse_line - one logical line; the reason for an error goes to err */
static int
parse_line(struct sm_cf *cf, const char *l, struct sm_options *opt,
    const char *file, int line, char *err, size_t errlen)
{
	const char *p = l + 1;

	switch (l[0]) {
	case 'V':
		return parse_V(cf, p, err, errlen);
	case 'D':
		return parse_D(cf, p, err, errlen);
	case 'C':
		return parse_C(cf, p, err, errlen);
	case 'T':
		add_words(cf, "t", p);
		return 0;
	case 'F':
		return parse_F(cf, p, file, line, err, errlen);
	case 'K':
		return parse_K(cf, p, err, errlen);
	case 'O':
		return parse_O(p, opt, err, errlen);
	case 'M':
		return parse_M(cf, p, err, errlen);
	case 'H':
		return parse_H(cf, p, err, errlen);
	case 'P':
		return parse_P(cf, p, err, errlen);
	case 'S':
	case 'R':
		cf->rules_skipped++;
		return 0;
	case 'E':
	case 'Q':
	case 'X':
		sm_strlist_add(&cf->pending, l);
		return 0;
	case 'L':
	case 'G':
		cf->obsolete_skipped++;
		return 0;
	default:
		if (isprint((unsigned char)l[0]))
			return cerr(err, errlen, "unknown configuration line "
			    "type '%c'", l[0]);
		return cerr(err, errlen, "unknown configuration line type "
		    "\\%03o", (unsigned char)l[0]);
	}
}

/*
 * sm_cf_parse_line - one logical line (continuations joined).  Returns 0
 * or EX_CONFIG with the reason in err (without file and line).
 */
int
sm_cf_parse_line(struct sm_cf *cf, const char *l, struct sm_options *opt,
    char *err, size_t errlen)
{
	return parse_line(cf, l, opt, "-", 0, err, errlen);
}

/* is_comment - a blank line or one starting with # */
static bool
is_comment(const char *l)
{
	return l[0] == '#' || *skip_blanks(l) == '\0';
}

/*
 * flush - parse the logical line collected in b, which started at line
 * `start'; on error, prefix the reason with file and line.
 */
static int
flush(struct sm_cf *cf, struct sm_buf *b, int start, const char *path,
    struct sm_options *opt, char *err, size_t errlen)
{
	char why[1024];
	int rc = 0;

	if (b->len > 0 && !is_comment(b->data)) {
		rc = parse_line(cf, b->data, opt, path, start, why,
		    sizeof(why));
		if (rc != 0)
			(void)snprintf(err, errlen, "%s: line %d: %s", path,
			    start, why);
	}
	sm_buf_reset(b);
	return rc;
}

/* sm_cf_read - read the file at path into cf and opt */
int
sm_cf_read(struct sm_cf *cf, const char *path, struct sm_options *opt,
    char *err, size_t errlen)
{
	FILE *fp;
	struct sm_buf logical;
	char *phys = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, start = 0, rc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s: line 0: cannot open: %s",
		    path, strerror(errno));
		return EX_OSFILE;
	}
	sm_buf_init(&logical, SM_CF_MAXLINE);
	while (rc == 0 && (n = getline(&phys, &cap, fp)) >= 0) {
		lineno++;
		if (n > 0 && phys[n - 1] == '\n')
			phys[--n] = '\0';
		if (n > 0 && phys[n - 1] == '\r')
			phys[--n] = '\0';
		if (memchr(phys, '\0', (size_t)n) != NULL) {
			(void)snprintf(err, errlen, "%s: line %d: NUL byte in "
			    "line", path, lineno);
			rc = EX_CONFIG;
			break;
		}
		if ((phys[0] == ' ' || phys[0] == '\t') && logical.len > 0) {
			/* Continuation: keep the line end, for H templates. */
			if (sm_buf_putc(&logical, '\n') < 0 ||
			    sm_buf_append(&logical, phys, (size_t)n) < 0)
				goto toolong;
			continue;
		}
		rc = flush(cf, &logical, start, path, opt, err, errlen);
		start = lineno;
		if (rc == 0 && sm_buf_append(&logical, phys, (size_t)n) < 0)
			goto toolong;
	}
	if (rc == 0 && ferror(fp)) {
		(void)snprintf(err, errlen, "%s: line %d: read error: %s",
		    path, lineno, strerror(errno));
		rc = EX_OSFILE;
	}
	if (rc == 0)
		rc = flush(cf, &logical, start, path, opt, err, errlen);
	goto out;
toolong:
	(void)snprintf(err, errlen, "%s: line %d: line longer than %d bytes",
	    path, start, SM_CF_MAXLINE);
	rc = EX_CONFIG;
out:
	free(phys);
	sm_buf_free(&logical);
	(void)fclose(fp);
	return rc;
}

/*
 * sm_cf_load_files - read the F lines' files into their classes: words
 * separated by blanks, "#" to the end of a line is a comment.  A file
 * that cannot be read is an error unless the line said -o.  Program
 * classes (F{x}|program) are not run: they are reported as not yet in
 * force.  Returns 0, or EX_OSERR with "FILE: line N: ..." in err.
 */
int
sm_cf_load_files(struct sm_cf *cf, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, i;
	FILE *fp;

	for (i = 0; i < cf->nfileclasses; i++) {
		const struct sm_cf_fileclass *fc = &cf->fileclasses[i];

		if (fc->program) {
			sm_warnx("%s: line %d: F%s|%s: program classes are "
			    "not yet in force", fc->file, fc->line, fc->name,
			    fc->path);
			continue;
		}
		if ((fp = fopen(fc->path, "r")) == NULL) {
			if (fc->optional && errno == ENOENT)
				continue;
			(void)snprintf(err, errlen, "%s: line %d: fileclass: "
			    "cannot open '%s': %s", fc->file, fc->line,
			    fc->path, strerror(errno));
			free(line);
			return EX_OSERR;
		}
		while (getline(&line, &cap, fp) >= 0) {
			line[strcspn(line, "#")] = '\0';
			add_words(cf, fc->name, line);
		}
		(void)fclose(fp);
	}
	free(line);
	return 0;
}

/* macro_ref - parse $x or ${name} at p (after the $); name into out */
static const char *
macro_ref(const char *p, char *out, size_t outlen)
{
	if (take_name(&p, out, outlen) < 0)
		return NULL;
	return p;
}

/* expand - sm_cf_expand() at a nesting level of macro values */
static int
expand(const struct sm_cf *cf, const char *s, struct sm_buf *out, int level)
{
	/* skip[d] is set while the text at conditional depth d is hidden. */
	bool skip[16] = { false };
	bool cond_true[16] = { false };
	int depth = 0;
	char name[128];
	const char *p = s, *v;

	if (level > 10)
		return -1;	/* a macro that refers to itself */
	while (*p != '\0') {
		bool hidden = skip[depth];

		if (*p != '$') {
			if (!hidden && sm_buf_putc(out, *p) < 0)
				return -1;
			p++;
			continue;
		}
		p++;
		switch (*p) {
		case '?':
			if ((p = macro_ref(p + 1, name, sizeof(name))) == NULL ||
			    depth + 1 >= (int)(sizeof(skip) / sizeof(skip[0])))
				return -1;
			v = sm_cf_macro(cf, name);
			depth++;
			cond_true[depth] = v != NULL && *v != '\0';
			skip[depth] = hidden || !cond_true[depth];
			continue;
		case '|':
			if (depth == 0)
				return -1;
			skip[depth] = skip[depth - 1] || cond_true[depth];
			p++;
			continue;
		case '.':
			if (depth == 0)
				return -1;
			depth--;
			p++;
			continue;
		case '&':
			p++;
			break;
		default:
			break;
		}
		if ((p = macro_ref(p, name, sizeof(name))) == NULL)
			return -1;
		v = sm_cf_macro(cf, name);
		if (!hidden && v != NULL && expand(cf, v, out, level + 1) < 0)
			return -1;
	}
	return depth == 0 ? 0 : -1;
}

/*
 * sm_cf_expand - append s to out with macro references resolved: $x and
 * ${name} (undefined: empty; a value is itself expanded), $&x (the same
 * here: no deferral), and $?x then-text [$| else-text] $. (nestable).
 * Returns -1 when s is malformed, a macro refers to itself, or out's
 * limit is reached; out then holds a prefix.
 */
int
sm_cf_expand(const struct sm_cf *cf, const char *s, struct sm_buf *out)
{
	return expand(cf, s, out, 0);
}
