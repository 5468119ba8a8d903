/*
 * aliases - the alias file and its database; see aliases.h.
 */
#include "aliases.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "sm_addr.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_map.h"
#include "sm_strlist.h"

#define ALIAS_FILE_MAX	(64L * 1024 * 1024)	/* bytes in one file */

struct parser {
	const struct alias_cb	*cb;
	void			*ctx;
	struct sm_buf		 ent;		/* the entry, lines joined */
	int			 line;		/* where it starts */
	bool			 have, toolong, nul;
};

/* trim - s without blanks at either end, in place */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* aliases_split - the items of a value: commas in "" or <> do not count */
void
aliases_split(const char *v, struct sm_strlist *out)
{
	struct sm_buf b;
	bool quoted = false;
	int angle = 0;
	const char *p;
	char *it, *t;

	sm_buf_init(&b, 0);
	for (p = v;; p++) {
		if (*p == '\0' || (*p == ',' && !quoted && angle == 0)) {
			it = sm_strdup(sm_buf_str(&b));
			if (*(t = trim(it)) != '\0')
				sm_strlist_add(out, t);
			free(it);
			sm_buf_reset(&b);
			if (*p == '\0')
				break;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			(void)sm_buf_append(&b, p++, 2);
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle++;
		else if (!quoted && *p == '>' && angle > 0)
			angle--;
		(void)sm_buf_append(&b, p, 1);
	}
	sm_buf_free(&b);
}

/* address_kind - an address item, "Name <a@b>" and "\user" included */
static enum alias_kind
address_kind(const char *it)
{
	struct sm_addr a;
	const char *lt = strchr(it, '<');
	char *path;
	enum alias_kind k;

	if (it[0] == '\\')
		it++;
	if (lt != NULL) {
		const char *gt = strchr(lt, '>');

		if (gt == NULL || gt[strspn(gt + 1, " \t") + 1] != '\0')
			return ALIAS_BAD;
		path = sm_strndup(lt + 1, (size_t)(gt - lt - 1));
	} else
		path = sm_strdup(it);
	k = sm_addr_parse(path, &a) == SM_ADDR_OK && !a.null ? ALIAS_ADDRESS :
	    ALIAS_BAD;
	sm_addr_free(&a);
	free(path);
	return k;
}

/* aliases_item_kind - what one item of a value names */
enum alias_kind
aliases_item_kind(const char *it)
{
	size_t n = strlen(it);
	const char *p = it;

	/* "|prog args" and "/file name": the quotes only hold the text. */
	if (n >= 3 && it[0] == '"' && it[n - 1] == '"' &&
	    (it[1] == '|' || it[1] == '/' || strncasecmp(it + 1, ":include:",
	    9) == 0))
		p = it + 1;
	if (p[0] == '|')
		return p[1] != '\0' && p[1] != '"' ? ALIAS_PROG : ALIAS_BAD;
	if (p[0] == '/')
		return ALIAS_FILE;
	if (strncasecmp(p, ":include:", 9) == 0) {
		p += 9;
		p += strspn(p, " \t");
		return p[0] == '/' ? ALIAS_INCLUDE : ALIAS_BAD;
	}
	return address_kind(it);
}

/* say - a problem, formatted, for the entry at line */
static void say(struct parser *, int, const char *, ...) SM_PRINTF(3, 4);

static void
say(struct parser *p, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->cb->error(p->ctx, line, msg);
}

/* name_ok - printable, no blanks */
static bool
name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* finish - the entry read so far, checked and handed over */
static void
finish(struct parser *p)
{
	struct sm_strlist items = { NULL, 0 };
	char *s, *colon, *name, *value, *q;
	bool ok = true;
	size_t i;

	if (!p->have)
		return;
	p->have = false;
	if (p->nul) {
		say(p, p->line, "%s", "NUL byte in the entry");
		return;
	}
	if (p->toolong) {
		say(p, p->line, "entry longer than %s bytes", "1048576");
		return;
	}
	s = sm_strdup(sm_buf_str(&p->ent));
	if ((colon = strchr(s, ':')) == NULL) {
		say(p, p->line, "%s", "missing colon");
		free(s);
		return;
	}
	*colon = '\0';
	name = trim(s);
	value = trim(colon + 1);
	if (!name_ok(name))
		say(p, p->line, "illegal alias name \"%.100s\"", name);
	else if (*value == '\0')
		say(p, p->line, "alias %.100s has no value", name);
	else {
		for (q = name; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		aliases_split(value, &items);
		for (i = 0; i < items.n; i++)
			if (aliases_item_kind(items.v[i]) == ALIAS_BAD) {
				say(p, p->line, "bad item \"%.100s\"",
				    items.v[i]);
				ok = false;
			}
		if (items.n == 0)
			say(p, p->line, "alias %.100s has no value", name);
		else if (ok)
			p->cb->entry(p->ctx, name, value, p->line);
		sm_strlist_clear(&items);
	}
	free(s);
}

/* blank - does l[0..n) hold only blanks? */
static bool
blank(const char *l, size_t n)
{
	while (n > 0 && (*l == ' ' || *l == '\t')) {
		l++;
		n--;
	}
	return n == 0;
}

/* aliases_parse - the entries of one alias file's text */
void
aliases_parse(const char *text, size_t len, const struct alias_cb *cb,
    void *ctx)
{
	struct parser p;
	const char *l, *end;
	size_t pos = 0, n;
	int lineno = 0;

	memset(&p, 0, sizeof(p));
	p.cb = cb;
	p.ctx = ctx;
	sm_buf_init(&p.ent, 0);
	while (pos < len) {
		l = text + pos;
		end = memchr(l, '\n', len - pos);
		n = end != NULL ? (size_t)(end - l) : len - pos;
		pos += n + 1;
		lineno++;
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n == 0 || l[0] == '#' || blank(l, n)) {
			finish(&p);	/* as in sendmail: the entry ends */
			continue;
		}
		if (l[0] == ' ' || l[0] == '\t') {
			if (!p.have) {
				say(&p, lineno, "%s", "non-continuation line "
				    "starts with space");
				continue;
			}
			(void)sm_buf_puts(&p.ent, " ");
			while (n > 0 && (*l == ' ' || *l == '\t')) {
				l++;
				n--;
			}
		} else {
			finish(&p);
			sm_buf_reset(&p.ent);
			p.have = true;
			p.toolong = p.nul = false;
			p.line = lineno;
		}
		if (memchr(l, '\0', n) != NULL)
			p.nul = true;
		if (p.ent.len + n > ALIAS_MAX)
			p.toolong = true;
		else
			(void)sm_buf_append(&p.ent, l, n);
	}
	finish(&p);
	sm_buf_free(&p.ent);
}

/* The entries of one file while its database is built. */
struct entry {
	char		*name;
	char		*value;
	int		 line;
};

struct build {
	const char	*file;
	struct entry	*v;
	size_t		 n, cap;
	int		 errors;
};

/* by_name - entries in name order, file order among equal names */
static int
by_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* name_is - bsearch: a name against an entry */
static int
name_is(const void *name, const void *e)
{
	return strcmp(name, ((const struct entry *)e)->name);
}

/* find - the entry called name (entries sorted by settle()), or NULL */
static struct entry *
find(const struct build *b, const char *name)
{
	return b->n == 0 ? NULL : bsearch(name, b->v, b->n, sizeof(*b->v),
	    name_is);
}

static void
on_error(void *ctx, int line, const char *msg)
{
	struct build *b = ctx;

	(void)fprintf(stderr, "%s: line %d: %s\n", b->file, line, msg);
	b->errors++;
}

static void
on_entry(void *ctx, const char *name, const char *value, int line)
{
	struct build *b = ctx;

	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? 64 : b->cap * 2;
		b->v = sm_reallocarray(b->v, b->cap, sizeof(*b->v));
	}
	b->v[b->n].name = sm_strdup(name);
	b->v[b->n].value = sm_strdup(value);
	b->v[b->n++].line = line;
}

/*
 * settle - sort the entries by name and keep the last of each name,
 * reporting the others: one sort instead of a search per entry.
 */
static void
settle(struct build *b)
{
	size_t i, k = 0, first = 0;

	qsort(b->v, b->n, sizeof(*b->v), by_name);
	for (i = 0; i < b->n; i++) {
		if (k > 0 && strcmp(b->v[k - 1].name, b->v[i].name) == 0) {
			(void)fprintf(stderr, "%s: line %d: duplicate alias "
			    "name %s (first at line %d); this one is used\n",
			    b->file, b->v[i].line, b->v[i].name,
			    b->v[first].line);
			free(b->v[k - 1].name);
			free(b->v[k - 1].value);
			b->v[k - 1] = b->v[i];
			continue;
		}
		first = i;
		b->v[k++] = b->v[i];
	}
	b->n = k;
}

/* local_alias - the entry a bare local name item expands through */
static struct entry *
local_alias(const struct build *b, const char *item)
{
	char *name, *q;
	struct entry *e;

	if (aliases_item_kind(item) != ALIAS_ADDRESS || item[0] == '\\' ||
	    strpbrk(item, "@<") != NULL)
		return NULL;
	name = sm_strdup(item);
	for (q = name; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	e = find(b, name);
	free(name);
	return e;
}

/*
 * loops - report entries whose expansion never leaves the aliases: every
 * item is another alias that in turn never leaves them.  An entry that
 * names itself ("a: a") is delivered to that user, as in sendmail.  The
 * values are read once into edges between entries; "leaves" then spreads
 * backwards along them from the entries that leave directly, each edge
 * once.
 */
static void
loops(struct build *b)
{
	struct sm_strlist items = { NULL, 0 };
	bool *out = sm_calloc(b->n + 1, sizeof(*out));
	size_t *from = NULL, *to = NULL, nedge = 0;
	size_t *rfirst = sm_calloc(b->n + 2, sizeof(*rfirst));
	size_t *rev, *queue, head = 0, tail = 0, i, j;
	struct entry *e;

	for (i = 0; i < b->n; i++) {
		aliases_split(b->v[i].value, &items);
		for (j = 0; j < items.n; j++) {
			e = local_alias(b, items.v[j]);
			if (e == NULL || e == &b->v[i])
				out[i] = true;
			else {
				from = sm_reallocarray(from, nedge + 1,
				    sizeof(*from));
				to = sm_reallocarray(to, nedge + 1, sizeof(*to));
				from[nedge] = i;
				to[nedge++] = (size_t)(e - b->v);
			}
		}
		sm_strlist_clear(&items);
	}
	/* Who points at each entry: rev[rfirst[k] .. rfirst[k + 1]). */
	for (j = 0; j < nedge; j++)
		rfirst[to[j] + 2]++;
	for (i = 2; i < b->n + 2; i++)
		rfirst[i] += rfirst[i - 1];
	rev = sm_calloc(nedge + 1, sizeof(*rev));
	for (j = 0; j < nedge; j++)
		rev[rfirst[to[j] + 1]++] = from[j];
	queue = sm_calloc(b->n + 1, sizeof(*queue));
	for (i = 0; i < b->n; i++)
		if (out[i])
			queue[tail++] = i;
	while (head < tail) {
		i = queue[head++];
		for (j = rfirst[i]; j < rfirst[i + 1]; j++)
			if (!out[rev[j]]) {
				out[rev[j]] = true;
				queue[tail++] = rev[j];
			}
	}
	for (i = 0; i < b->n; i++)
		if (!out[i]) {
			(void)fprintf(stderr, "%s: line %d: alias loop: %s "
			    "leads only back to itself\n", b->file,
			    b->v[i].line, b->v[i].name);
			b->errors++;
		}
	free(out);
	free(from);
	free(to);
	free(rfirst);
	free(rev);
	free(queue);
}

/* read_all - a whole file, at most ALIAS_FILE_MAX bytes */
static int
read_all(const char *path, struct sm_buf *out)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (out->len + (size_t)n > ALIAS_FILE_MAX) {
			errno = EFBIG;
			n = -1;
			break;
		}
		(void)sm_buf_append(out, buf, (size_t)n);
	}
	(void)close(fd);
	return n < 0 ? -1 : 0;
}

/* put - one key and value with their trailing NUL, as sendmail stores */
static int
put(struct sm_map *m, const char *k, const char *v)
{
	return sm_map_put(m, k, strlen(k) + 1, v, strlen(v) + 1, true);
}

/* write_db - path.db from the entries, through a temporary file */
static int
write_db(struct build *b, const char *path, enum sm_map_type type,
    const char *who)
{
	struct sm_buf db, tmp;
	struct sm_map *m;
	char err[512];
	size_t i, longest = 0, total = 0;
	int rc = EX_OK;

	sm_buf_init(&db, 0);
	sm_buf_init(&tmp, 0);
	(void)sm_buf_printf(&db, "%s.db", path);
	(void)sm_buf_printf(&tmp, "%s.db.new%ld", path, (long)getpid());
	(void)unlink(sm_buf_str(&tmp));
	if ((m = sm_map_open(sm_buf_str(&tmp), type, SM_MAP_CREATE, err,
	    sizeof(err))) == NULL) {
		(void)fprintf(stderr, "%s: cannot create the database: %s\n",
		    path, err);
		rc = EX_CANTCREAT;
		goto out;
	}
	for (i = 0; i < b->n && rc == EX_OK; i++) {
		if (put(m, b->v[i].name, b->v[i].value) < 0)
			rc = EX_CANTCREAT;
		if (strlen(b->v[i].value) > longest)
			longest = strlen(b->v[i].value);
		total += strlen(b->v[i].name) + strlen(b->v[i].value);
	}
	/* The mark of a complete database. */
	if (put(m, "@", "@") < 0)
		rc = EX_CANTCREAT;
	if (sm_map_close(m) < 0)
		rc = EX_CANTCREAT;
	if (rc == EX_OK && (chmod(sm_buf_str(&tmp), 0644) < 0 ||
	    rename(sm_buf_str(&tmp), sm_buf_str(&db)) < 0))
		rc = EX_CANTCREAT;
	if (rc != EX_OK) {
		(void)fprintf(stderr, "%s: cannot write the database: %s\n",
		    sm_buf_str(&db), strerror(errno));
		(void)unlink(sm_buf_str(&tmp));
		goto out;
	}
	(void)printf("%s: %zu aliases, longest %zu bytes, %zu bytes total\n",
	    path, b->n, longest, total);
	sm_info("alias database %s rebuilt by %s", path, who);
out:
	sm_buf_free(&db);
	sm_buf_free(&tmp);
	return rc;
}

/* alias_spec - the path of one "[type:]path" and its type; NULL: bad type */
static const char *
alias_spec(const char *spec, enum sm_map_type *type)
{
	const char *colon = strchr(spec, ':');
	char t[32];

	*type = SM_MAP_HASH;
	if (colon == NULL || spec[0] == '/')
		return spec;
	(void)snprintf(t, sizeof(t), "%.*s", (int)(colon - spec), spec);
	return sm_map_type(t, type) < 0 ? NULL : colon + 1;
}

/* build_one - the database of one "[type:]path" */
static int
build_one(const char *spec, const char *who)
{
	static const struct alias_cb cb = { on_entry, on_error };
	enum sm_map_type type;
	const char *path = alias_spec(spec, &type);
	struct build b;
	struct sm_buf text;
	size_t i;
	int rc;

	if (path == NULL) {
		(void)fprintf(stderr, "%s: this alias database type is not "
		    "supported\n", spec);
		return EX_CONFIG;
	}
	sm_buf_init(&text, 0);
	if (read_all(path, &text) < 0) {
		(void)fprintf(stderr, "%s: cannot read: %s\n", path,
		    strerror(errno));
		sm_buf_free(&text);
		return EX_NOINPUT;
	}
	memset(&b, 0, sizeof(b));
	b.file = path;
	aliases_parse(text.data != NULL ? text.data : "", text.len, &cb, &b);
	sm_buf_free(&text);
	settle(&b);
	loops(&b);
	rc = write_db(&b, path, type, who);
	if (rc == EX_OK && b.errors > 0)
		rc = EX_DATAERR;
	for (i = 0; i < b.n; i++) {
		free(b.v[i].name);
		free(b.v[i].value);
	}
	free(b.v);
	return rc;
}

/* aliases_lookup - the value of alias name, from the first database */
int
aliases_lookup(const struct config *c, const char *name, struct sm_buf *value)
{
	struct sm_strlist files = { NULL, 0 };
	enum sm_map_type type;
	struct sm_buf db;
	struct sm_map *m;
	char err[512];
	size_t i;
	int rc = 1;

	sm_buf_init(&db, 0);
	aliases_split(c->opt.AliasFile, &files);
	for (i = 0; i < files.n && rc == 1; i++) {
		const char *path = alias_spec(files.v[i], &type);

		if (path == NULL)
			continue;
		sm_buf_reset(&db);
		(void)sm_buf_printf(&db, "%s.db", path);
		if ((m = sm_map_open(sm_buf_str(&db), type, SM_MAP_RDONLY, err,
		    sizeof(err))) == NULL)
			continue;	/* no database yet: nothing in it */
		rc = sm_map_get(m, name, strlen(name) + 1, value);
		(void)sm_map_close(m);
	}
	/* Stored with its NUL, as sendmail stores it. */
	if (rc == 0 && value->len > 0 && value->data[value->len - 1] == '\0')
		value->len--;
	sm_buf_free(&db);
	sm_strlist_clear(&files);
	return rc < 0 ? -1 : rc;
}

/* aliases_build - newaliases: every file of AliasFile */
int
aliases_build(struct config *c, const char *who)
{
	struct sm_strlist files = { NULL, 0 };
	size_t i;
	int rc = EX_OK, r;

	if (c->opt.AliasFile[0] == '\0') {
		(void)fprintf(stderr, "No alias file (AliasFile) is set\n");
		return EX_CONFIG;
	}
	aliases_split(c->opt.AliasFile, &files);
	for (i = 0; i < files.n; i++)
		if ((r = build_one(files.v[i], who)) != EX_OK && rc == EX_OK)
			rc = r;
	sm_strlist_clear(&files);
	if (fflush(stdout) != 0 && rc == EX_OK)
		rc = EX_IOERR;
	return rc;
}
