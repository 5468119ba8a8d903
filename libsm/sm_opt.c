/*
 * sm_opt - the options: set, printed, reported; see sm_opt.h.  The
 * table of every option is in sm_opt_table.c.
 *
 * Defaults are written as the text a .cf line would carry and parsed
 * by the same code as a .cf line at start-up, so a default can never be
 * a value the parser would refuse.
 */
#include "sm_opt_int.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_time.h"


static int set_row(struct sm_options *, size_t, const char *,
    enum sm_opt_src, char *, size_t);

/* field - address of a row's value (element i of a group) */
static void *
field(const struct sm_options *o, const struct row *r, int i)
{
	char *base = (char *)(uintptr_t)o + r->off;

	switch (r->type) {
	case T_DUR:
	case T_LONG:
	case T_MODE:
		return base + (size_t)i * sizeof(long);
	default:
		return base;
	}
}

/* sm_opt_count - rows in the table (for tests and listings) */
size_t
sm_opt_count(void)
{
	return sm_opt_nrows;
}

/* sm_opt_name - the name of row i */
const char *
sm_opt_name(size_t i)
{
	return i < sm_opt_nrows ? sm_opt_rows[i].name : NULL;
}

/* default_user - sendmail's choice: mailnull, sendmail, daemon, 1:1 */
static const char *
default_user(void)
{
	static const char *const names[] = { "mailnull", "sendmail",
	    "daemon" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (getpwnam(names[i]) != NULL)
			return names[i];
	return "1:1";
}

/* sm_opt_init - every option at its default */
void
sm_opt_init(struct sm_options *o)
{
	char err[256], num[32];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;

	memset(o, 0, sizeof(*o));
	o->src = sm_calloc(sm_opt_nrows, 1);
	o->reported = sm_calloc(sm_opt_nrows, 1);
	if (ncpu < 1)
		ncpu = 1;
	for (i = 0; i < sm_opt_nrows; i++) {
		const struct row *r = &sm_opt_rows[i];
		const char *d = r->dflt;

		if (r->flags & F_NOPRINT)
			continue;
		if (d == NULL) {
			if (strcmp(r->name, "QueueLA") == 0)
				(void)snprintf(num, sizeof(num), "%ld",
				    8 * ncpu);
			else if (strcmp(r->name, "RefuseLA") == 0)
				(void)snprintf(num, sizeof(num), "%ld",
				    12 * ncpu);
			else if (strcmp(r->name, "DefaultUser") == 0)
				(void)sm_strlcpy(num, default_user(),
				    sizeof(num));
			else
				sm_panic("option %s has no default", r->name);
			d = num;
		}
		if (set_row(o, i, d, SM_OPT_SRC_DEFAULT, err, sizeof(err)) < 0)
			sm_panic("default of option %s: %s", r->name, err);
	}
}

/* sm_opt_free - release the strings held by o */
void
sm_opt_free(struct sm_options *o)
{
	size_t i;

	for (i = 0; i < sm_opt_nrows; i++) {
		const struct row *r = &sm_opt_rows[i];

		if (r->type == T_STR)
			free(*(char **)field(o, r, 0));
		else if (r->type == T_LIST)
			sm_strlist_clear(field(o, r, 0));
	}
	free(o->src);
	free(o->reported);
	o->src = o->reported = NULL;
}

/* parse_bool - sendmail's booleans: empty, t, y true; f, n false */
static int
parse_bool(const char *v, bool *out)
{
	if (*v == '\0' || strchr("tTyY", *v) != NULL)
		*out = true;
	else if (strchr("fFnN", *v) != NULL)
		*out = false;
	else
		return -1;
	return 0;
}

/* parse_long - a whole decimal number in [min, max] */
static int
parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	if (*v == '\0')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* parse_priv - PrivacyOptions words separated by commas or blanks */
static int
parse_priv(const char *v, unsigned *out, char *err, size_t errlen)
{
	unsigned bits = 0;
	const char *p = v;

	while (*p != '\0') {
		size_t n, i;

		p += strspn(p, ", \t\n");
		n = strcspn(p, ", \t\n");
		if (n == 0)
			break;
		for (i = 0; i < sm_opt_nprivacy; i++)
			if (strlen(sm_opt_privacy_words[i].word) == n &&
			    strncasecmp(sm_opt_privacy_words[i].word, p,
			    n) == 0)
				break;
		if (i == sm_opt_nprivacy)
			return sm_errbuf(err, errlen,
			    "PrivacyOptions: unknown flag \"%.*s\"", (int)n, p);
		bits |= sm_opt_privacy_words[i].bits;
		p += n;
	}
	*out = bits;
	return 0;
}

/*
 * parse_dbs - DontBlameSendmail words separated by commas or blanks, any
 * case; an unknown word is refused, as sendmail refuses it
 */
static int
parse_dbs(const char *v, uint64_t *out, char *err, size_t errlen)
{
	uint64_t bits = 0;
	const char *p = v;
	size_t n, i;

	for (;;) {
		p += strspn(p, ", \t\n");
		if ((n = strcspn(p, ", \t\n")) == 0)
			break;
		for (i = 0; i < SM_DBS_N; i++)
			if (strlen(sm_opt_dbs_words[i]) == n &&
			    strncasecmp(sm_opt_dbs_words[i], p, n) == 0)
				break;
		if (i < SM_DBS_N)
			bits |= DBS_BIT(i);
		else if (n != 4 || strncasecmp(p, "safe", 4) != 0)
			return sm_errbuf(err, errlen, "DontBlameSendmail: "
			    "unknown word \"%.*s\"", (int)n, p);
		p += n;
	}
	*out = bits;
	return 0;
}

/* sm_opt_dbs_word - the DontBlameSendmail word of bit number w */
const char *
sm_opt_dbs_word(unsigned w)
{
	return w < SM_DBS_N ? sm_opt_dbs_words[w] : NULL;
}

/* dbs_text - the words of bits, comma-separated; "safe" for none */
static void
dbs_text(uint64_t bits, struct sm_buf *b)
{
	unsigned w;

	for (w = 0; w < SM_DBS_N; w++)
		if (bits & DBS_BIT(w))
			(void)sm_buf_printf(b, "%s%s", b->len > 0 ? "," : "",
			    sm_opt_dbs_words[w]);
	if (b->len == 0)
		(void)sm_buf_puts(b, "safe");
}

/* sm_opt_privacy_word - the word for one PrivacyOptions bit */
const char *
sm_opt_privacy_word(unsigned bit)
{
	size_t i;

	for (i = 0; i < sm_opt_nprivacy; i++)
		if (sm_opt_privacy_words[i].bits == bit)
			return sm_opt_privacy_words[i].word;
	return NULL;
}

/* enum_parse - the code of the word whose first letter v starts with */
static int
enum_parse(const struct word *w, const char *v, char *out)
{
	for (; w->word != NULL; w++)
		if (strncasecmp(w->word, v, 1) == 0) {
			*out = w->code;
			return 0;
		}
	return -1;
}

/* enum_word - the printed word for a code */
static const char *
enum_word(const struct word *w, char code)
{
	for (; w->word != NULL; w++)
		if (w->code == code)
			return w->word;
	return "?";
}

/* enum_list - the accepted words of an enum, for error messages */
static void
enum_list(const struct word *w, char *buf, size_t len)
{
	buf[0] = '\0';
	for (; w->word != NULL; w++) {
		if (buf[0] != '\0')
			(void)sm_strlcat(buf, ", ", len);
		(void)sm_strlcat(buf, w->word, len);
	}
}

/* set_legacy_timeout - "Timeout=10m,connect=1m,ident:0" */
static int
set_legacy_timeout(struct sm_options *o, const char *v, enum sm_opt_src src,
    char *err, size_t errlen)
{
	char *copy = sm_strdup(v), *elem, *save = NULL, name[128];
	int rc = 0;
	size_t i;

	for (elem = strtok_r(copy, ",", &save); elem != NULL && rc == 0;
	    elem = strtok_r(NULL, ",", &save)) {
		char *sep;

		elem += strspn(elem, " \t\n");
		if (*elem == '\0')
			continue;
		if (*elem >= '0' && *elem <= '9') {
			for (i = 0; i < sm_opt_nrows && rc == 0; i++)
				if (sm_opt_rows[i].flags & F_STARRED)
					rc = set_row(o, i, elem, src, err,
					    errlen);
			continue;
		}
		sep = elem + strcspn(elem, "=:");
		if (*sep == '\0') {
			rc = sm_errbuf(err, errlen, "Timeout: element \"%s\" is "
			    "neither a duration nor name=value", elem);
			break;
		}
		*sep++ = '\0';
		(void)snprintf(name, sizeof(name), "Timeout.%s", elem);
		rc = sm_opt_set(o, name, sep, src, err, errlen);
	}
	free(copy);
	return rc;
}

/* set_queue_timeout - QueueTimeout "RETURN[/WARN]" */
static int
set_queue_timeout(struct sm_options *o, const char *v, enum sm_opt_src src,
    char *err, size_t errlen)
{
	char *copy = sm_strdup(v), *warn = strchr(copy, '/');
	int rc;

	if (warn != NULL)
		*warn++ = '\0';
	rc = sm_opt_set(o, "Timeout.queuereturn", copy, src, err, errlen);
	if (rc == 0 && warn != NULL)
		rc = sm_opt_set(o, "Timeout.queuewarn", warn, src, err,
		    errlen);
	free(copy);
	return rc;
}

/*
 * set_compound - Timeout= and QueueTimeout= set several options; try them
 * on a scratch copy first so that a bad element changes nothing.
 */
static int
set_compound(struct sm_options *o, enum otype type, const char *v,
    enum sm_opt_src src, char *err, size_t errlen)
{
	struct sm_options scratch;
	int rc;

	sm_opt_init(&scratch);
	rc = type == T_LEGACY_TO ?
	    set_legacy_timeout(&scratch, v, src, err, errlen) :
	    set_queue_timeout(&scratch, v, src, err, errlen);
	sm_opt_free(&scratch);
	if (rc != 0)
		return rc;
	return type == T_LEGACY_TO ?
	    set_legacy_timeout(o, v, src, err, errlen) :
	    set_queue_timeout(o, v, src, err, errlen);
}

/* set_row - parse v as row i's value; nothing changes on error */
static int
set_row(struct sm_options *o, size_t i, const char *v, enum sm_opt_src src,
    char *err, size_t errlen)
{
	const struct row *r = &sm_opt_rows[i];
	char tbuf[128], words[160];
	long n = 0;
	bool b;
	char c;
	unsigned bits = 0;
	uint64_t dbs = 0;
	int k, count = r->count > 0 ? r->count : 1;

	switch (r->type) {
	case T_LEGACY_TO:
	case T_QUEUETO:
		return set_compound(o, r->type, v, src, err, errlen);
	case T_BOOL:
		if (parse_bool(v, &b) < 0)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "a boolean (True or False)", r->name, v);
		*(bool *)field(o, r, 0) = b;
		break;
	case T_LONG:
		if (parse_long(v, r->min, r->max, &n) < 0)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "a number from %ld to %ld", r->name, v, r->min,
			    r->max);
		for (k = 0; k < count; k++)
			*(long *)field(o, r, k) = n;
		break;
	case T_DUR:
		if (sm_time_parse(v, r->unit, (r->flags & F_NOW) ?
		    SM_TIME_ALLOW_NOW : 0, &n, tbuf, sizeof(tbuf)) < 0)
			return sm_errbuf(err, errlen, "option %s: %s", r->name,
			    tbuf);
		for (k = 0; k < count; k++)
			*(long *)field(o, r, k) = n;
		break;
	case T_MODE:
		if (v[0] == '\0' || strspn(v, "01234567") != strlen(v) ||
		    (n = strtol(v, NULL, 8)) > r->max)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "an octal file mode", r->name, v);
		*(long *)field(o, r, 0) = n;
		break;
	case T_STR:
		free(*(char **)field(o, r, 0));
		*(char **)field(o, r, 0) = sm_strdup(v);
		break;
	case T_LIST: {
		struct sm_strlist *l = field(o, r, 0);

		if (o->src[i] != src || *v == '\0')
			sm_strlist_clear(l);
		if (*v != '\0')
			sm_strlist_add(l, v);
		break;
	}
	case T_ENUM:
		if (*v == '\0' && r->words == sm_opt_deliverymode_words)
			c = 'i';	/* "O DeliveryMode" alone */
		else if (enum_parse(r->words, v, &c) < 0) {
			enum_list(r->words, words, sizeof(words));
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "one of %s", r->name, v, words);
		}
		*(char *)field(o, r, 0) = c;
		break;
	case T_CHAR:
		if (strlen(v) > 1)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "a single character", r->name, v);
		*(char *)field(o, r, 0) = *v == '\0' ? ' ' : *v;
		break;
	case T_PRIV:
		if (parse_priv(v, &bits, err, errlen) < 0)
			return -1;
		*(unsigned *)field(o, r, 0) = bits;
		break;
	case T_DBS:
		if (parse_dbs(v, &dbs, err, errlen) < 0)
			return -1;
		*(uint64_t *)field(o, r, 0) = dbs;
		break;
	}
	o->src[i] = (unsigned char)src;
	/* Setting a group marks its members as set from the same source. */
	if (count > 1) {
		size_t j;

		for (j = 0; j < sm_opt_nrows; j++) {
			const struct row *q = &sm_opt_rows[j];

			if (q->off >= r->off && q->type == r->type &&
			    q->off < r->off + (size_t)count * sizeof(long))
				o->src[j] = (unsigned char)src;
		}
	}
	return 0;
}

/* find - the row for a name: exact, or a unique prefix (warned) */
static int
find(const char *name, size_t *idx, char *err, size_t errlen)
{
	size_t i, len = strlen(name), hit = sm_opt_nrows;
	char *sub;

	for (i = 0; i < sm_opt_nrows; i++)
		if (strcasecmp(sm_opt_rows[i].name, name) == 0) {
			*idx = i;
			return 0;
		}
	/* "Timeout.queuereturn.*" is a synonym of "Timeout.queuereturn". */
	if (len > 2 && strcmp(name + len - 2, ".*") == 0 &&
	    strncasecmp(name, "Timeout.", 8) == 0) {
		char base[128];

		if (len - 2 < sizeof(base)) {
			memcpy(base, name, len - 2);
			base[len - 2] = '\0';
			for (i = 0; i < sm_opt_nrows; i++)
				if (strcasecmp(sm_opt_rows[i].name, base) == 0 &&
				    sm_opt_rows[i].count > 1) {
					*idx = i;
					return 0;
				}
		}
	}
	if ((sub = strchr(name, '.')) != NULL)
		return sm_errbuf(err, errlen, "unknown option %s (no such "
		    "suboption)", name);
	if (len == 0)
		return sm_errbuf(err, errlen, "option name missing");
	for (i = 0; i < sm_opt_nrows; i++) {
		if (strchr(sm_opt_rows[i].name, '.') != NULL ||
		    strncasecmp(sm_opt_rows[i].name, name, len) != 0)
			continue;
		if (hit != sm_opt_nrows)
			return sm_errbuf(err, errlen, "ambiguous option name %s "
			    "(matches %s and %s)", name, sm_opt_rows[hit].name,
			    sm_opt_rows[i].name);
		hit = i;
	}
	if (hit == sm_opt_nrows)
		return sm_errbuf(err, errlen, "unknown option %s", name);
	sm_warnx("option %s used as abbreviation for %s", name,
	    sm_opt_rows[hit].name);
	*idx = hit;
	return 0;
}

/* sm_opt_set - set option name to value v */
int
sm_opt_set(struct sm_options *o, const char *name, const char *v,
    enum sm_opt_src src, char *err, size_t errlen)
{
	size_t i;

	if (find(name, &i, err, errlen) < 0)
		return -1;
	return set_row(o, i, v, src, err, errlen);
}

/*
 * sm_opt_set_line - "Name=value", "Name = value" or "Name" (empty value),
 * as in an O line or a -O argument.  Blanks around the name and the
 * value are not part of them.
 */
int
sm_opt_set_line(struct sm_options *o, const char *line, enum sm_opt_src src,
    char *err, size_t errlen)
{
	const char *eq = strchr(line, '=');
	const char *ns, *ne, *vs, *ve;
	char name[128], *val;
	int rc;

	ns = line + strspn(line, " \t");
	ne = eq != NULL ? eq : line + strlen(line);
	while (ne > ns && strchr(" \t\n", ne[-1]) != NULL)
		ne--;
	if ((size_t)(ne - ns) >= sizeof(name))
		return sm_errbuf(err, errlen, "option name too long");
	memcpy(name, ns, (size_t)(ne - ns));
	name[ne - ns] = '\0';
	if (eq == NULL)
		vs = ve = ne;
	else {
		vs = eq + 1 + strspn(eq + 1, " \t");
		ve = vs + strlen(vs);
		while (ve > vs && strchr(" \t\n\r", ve[-1]) != NULL)
			ve--;
	}
	val = sm_strndup(vs, (size_t)(ve - vs));
	rc = sm_opt_set(o, name, val, src, err, errlen);
	free(val);
	return rc;
}

/* sm_opt_set_letter - the one-letter form: "Odq", "-oi", "-oL20" */
int
sm_opt_set_letter(struct sm_options *o, int letter, const char *v,
    enum sm_opt_src src, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sm_opt_nrows; i++)
		if (sm_opt_rows[i].letter == letter)
			return set_row(o, i, v, src, err, errlen);
	return sm_errbuf(err, errlen, "unknown option letter '%c'", letter);
}

/* value_text - row r's value as a .cf line would carry it */
static void
value_text(const struct sm_options *o, const struct row *r, struct sm_buf *b)
{
	char tbuf[64];
	unsigned bits;
	size_t k;

	sm_buf_reset(b);
	switch (r->type) {
	case T_BOOL:
		(void)sm_buf_puts(b, *(bool *)field(o, r, 0) ?
		    "True" : "False");
		break;
	case T_LONG:
		(void)sm_buf_printf(b, "%ld", *(long *)field(o, r, 0));
		break;
	case T_DUR:
		(void)sm_buf_puts(b, sm_time_format(*(long *)field(o, r, 0),
		    tbuf, sizeof(tbuf)));
		break;
	case T_MODE:
		(void)sm_buf_printf(b, "%04lo", *(long *)field(o, r, 0));
		break;
	case T_STR:
		(void)sm_buf_puts(b, *(char **)field(o, r, 0));
		break;
	case T_ENUM:
		(void)sm_buf_puts(b, enum_word(r->words,
		    *(char *)field(o, r, 0)));
		break;
	case T_CHAR:
		if (*(char *)field(o, r, 0) != ' ')
			(void)sm_buf_putc(b, *(char *)field(o, r, 0));
		break;
	case T_DBS:
		dbs_text(*(uint64_t *)field(o, r, 0), b);
		break;
	case T_PRIV:
		bits = *(unsigned *)field(o, r, 0);
		if (bits == 0)
			(void)sm_buf_puts(b, "public");
		for (k = 0; k < 32; k++) {
			const char *w;

			if (!(bits & (1u << k)) ||
			    (w = sm_opt_privacy_word(1u << k)) == NULL)
				continue;
			if (b->len > 0)
				(void)sm_buf_putc(b, ',');
			(void)sm_buf_puts(b, w);
		}
		break;
	case T_LIST:
	case T_LEGACY_TO:
	case T_QUEUETO:
		break;
	}
}

struct optline {
	char	*text;		/* "Name=value" */
	size_t	 seq;		/* order of creation: keeps list order */
};

/* cmp_line - order lines by name ignoring case, then as created */
static int
cmp_line(const void *a, const void *b)
{
	const struct optline *x = a, *y = b;
	size_t nx = strcspn(x->text, "="), ny = strcspn(y->text, "=");
	int c = strncasecmp(x->text, y->text, nx < ny ? nx : ny);

	if (c != 0)
		return c;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* add_line - append "name=value" to the array of lines */
static struct optline *
add_line(struct optline *lines, size_t *n, const char *name,
    const char *value)
{
	struct sm_buf b;

	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "%s=%s", name, value);
	lines = sm_reallocarray(lines, *n + 1, sizeof(*lines));
	lines[*n].text = sm_buf_detach(&b);
	lines[*n].seq = *n;
	(*n)++;
	return lines;
}

/*
 * sm_opt_print - every effective option as "O Name=value", sorted by
 * name; list options give one line per entry (a line with an empty value
 * when the list is empty).  Reading the output back gives the same
 * values.
 */
void
sm_opt_print(const struct sm_options *o, FILE *fp)
{
	struct sm_buf b;
	struct optline *lines = NULL;
	size_t n = 0, i, k;

	sm_buf_init(&b, 0);
	for (i = 0; i < sm_opt_nrows; i++) {
		const struct row *r = &sm_opt_rows[i];

		if (r->flags & F_NOPRINT)
			continue;
		if (r->type == T_LIST) {
			const struct sm_strlist *l = field(o, r, 0);

			if (l->n == 0)
				lines = add_line(lines, &n, r->name, "");
			for (k = 0; k < l->n; k++)
				lines = add_line(lines, &n, r->name, l->v[k]);
			continue;
		}
		value_text(o, r, &b);
		lines = add_line(lines, &n, r->name, sm_buf_str(&b));
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (i = 0; i < n; i++) {
		(void)fprintf(fp, "O %s\n", lines[i].text);
		free(lines[i].text);
	}
	free(lines);
	sm_buf_free(&b);
}

/*
 * dbs_pending - one warning naming the DontBlameSendmail words set that
 * are not in force; 1 when there was one
 */
static size_t
dbs_pending(uint64_t bits)
{
	struct sm_buf words;

	if ((bits &= ~SM_DBS_INFORCE) == 0)
		return 0;
	sm_buf_init(&words, 0);
	dbs_text(bits, &words);
	sm_warnx("DontBlameSendmail words set but not yet in force: %s",
	    sm_buf_str(&words));
	sm_buf_free(&words);
	return 1;
}

/*
 * sm_opt_report_pending - name, in one warning, every option that was set
 * by the file or command line but that this program does not act on yet,
 * and in a second the DontBlameSendmail words it does not act on.  Each
 * is named once per process.  Returns how many were named (the words
 * count as one).
 */
size_t
sm_opt_report_pending(struct sm_options *o)
{
	struct sm_buf b;
	size_t i, n = 0;
	bool dbs = false;

	sm_buf_init(&b, 0);
	for (i = 0; i < sm_opt_nrows; i++) {
		if (o->src[i] == SM_OPT_SRC_DEFAULT || o->reported[i] ||
		    (sm_opt_rows[i].flags & F_NOPRINT))
			continue;
		if (sm_opt_rows[i].type == T_DBS) {
			o->reported[i] = 1;
			dbs = true;
			continue;
		}
		if (sm_opt_rows[i].flags & F_INFORCE)
			continue;
		o->reported[i] = 1;
		(void)sm_buf_printf(&b, "%s%s", n > 0 ? ", " : "",
		    sm_opt_rows[i].name);
		n++;
	}
	if (n > 0)
		sm_warnx("options set but not yet in force: %s",
		    sm_buf_str(&b));
	if (dbs)
		n += dbs_pending(o->DontBlameSendmail);
	sm_buf_free(&b);
	return n;
}
