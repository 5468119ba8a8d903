/*
 * expand - what a local recipient leads to: aliases, .forward files and
 * :include: lists followed as sendmail follows them, each target taken
 * once, loops and unsafe files refused (local_int.h).
 */
#include "local_int.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliases.h"
#include "safefile.h"
#include "sm_addr.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"

/* remote - an address elsewhere: the runner sends it on */
static void
remote(struct expand *e, const char *addr)
{
	char a[400], key[32];

	(void)snprintf(a, sizeof(a), "<%s>", addr);
	if (!local_first_time(e, "remote", 0, a, key, sizeof(key)))
		return;
	if (e->vcb != NULL) {
		e->vcb->target(e->vctx, LOCAL_REMOTE, a, NULL);
		return;
	}
	sm_strlist_add(&e->lo->forwards, a);
}

/* unquote - "|prog args" from "\"|prog args\"" */
static const char *
unquote(const char *it, char *buf, size_t len)
{
	size_t n = strlen(it);

	if (n >= 2 && it[0] == '"' && it[n - 1] == '"') {
		(void)snprintf(buf, len, "%.*s", (int)(n - 2), it + 1);
		return buf;
	}
	return it;
}

static size_t expand_text(struct expand *, const char *, size_t,
    const char *, const struct mda_user *, const char *, const char *);
static void note(struct expand *, const char *, ...) SM_PRINTF(2, 3);

/* include - ":include:/path": its lines, read as who may */
static void
include(struct expand *e, const char *path, size_t depth, const char *owner,
    const struct mda_user *ctl)
{
	struct mda_user root, runner;
	struct sm_deadline dl;
	struct sm_buf text;
	struct q_result res;
	uid_t fowner;
	struct passwd *pw;
	int rc;

	sm_buf_init(&text, 0);
	memset(&res, 0, sizeof(res));
	if (ctl == NULL) {
		/* From the alias file: read it as root, run as its owner. */
		memset(&root, 0, sizeof(root));
		root.extra_gid = (gid_t)-1;
		(void)snprintf(root.name, sizeof(root.name), "root");
		(void)snprintf(root.home, sizeof(root.home), "/");
		ctl = &root;
	}
	local_open_dl(e, &dl);
	rc = mda_read(ctl, path, &dl, &text, &fowner, &res);
	if (rc < 0) {
		local_result(e, "local", path, owner, depth, &res, NULL);
	} else if (rc > 0) {
		res.status = Q_PERMFAIL;
		(void)snprintf(res.dsn, sizeof(res.dsn), "5.3.0");
		(void)snprintf(res.text, sizeof(res.text),
		    "cannot open %s", path);
		if (e->vcb != NULL)
			e->vcb->target(e->vctx, LOCAL_UNKNOWN, path, &res);
		else
			local_result(e, "local", path, owner, depth, &res, NULL);
	} else {
		if (fowner != 0 && (pw = getpwuid(fowner)) != NULL)
			mda_user(&runner, pw, (gid_t)-1);
		else if (ctl->uid == 0)
			local_default_user(e->c, &runner);
		else {
			runner = *ctl;
			runner.unsafe = false;	/* its own file is judged */
		}
		(void)expand_text(e, sm_buf_str(&text), depth + 1, owner,
		    &runner, NULL, NULL);
	}
	sm_buf_free(&text);
}

/* redirected - FEATURE(redirect): "new@address.REDIRECT" */
static bool
redirected(struct expand *e, const char *addr, size_t depth,
    const char *owner)
{
	size_t n = strlen(addr);
	char text[600];

	if (n <= 9 || strcasecmp(addr + n - 9, ".REDIRECT") != 0 ||
	    !sm_cf_class_has(e->c->cf, "Features", "redirect"))
		return false;
	(void)snprintf(text, sizeof(text), "User has moved; please try <%.*s>",
	    (int)(n - 9), addr);
	local_unknown(e, e->rcpt, owner, depth, "5.1.1", text);
	return true;
}

/*
 * expand_address - the recipient, or an address an expansion met: a virtual
 * address (virtusertable) is replaced by its entry, a local name is
 * expanded, an address that mailertable keeps here ("local:") too, and
 * any other goes on to the runner.  self: the .forward's own user.
 */
void
expand_address(struct expand *e, const char *text, size_t depth,
    const char *owner, const char *self)
{
	struct route_result rr;
	enum sm_addr_result r;
	struct sm_addr a;
	const char *saved;
	char buf[600];
	int hops, rc;

	if (redirected(e, text, depth, owner))
		return;
	saved = e->paddr;
	e->paddr = text;
	(void)snprintf(buf, sizeof(buf), "%s", text);
	for (hops = 0;; hops++) {
		memset(&a, 0, sizeof(a));
		if ((r = sm_addr_parse(buf, &a)) != SM_ADDR_OK || a.null) {
			/* Why, as SMTP would say it (5.6.7: not ASCII). */
			local_unknown(e, text, owner, depth, r != SM_ADDR_OK ?
			    sm_addr_dsn(r) : "5.1.3", r != SM_ADDR_OK ?
			    sm_addr_errtext(r) : "Syntax error in address");
			break;
		}
		if (hops > e->c->opt.MaxAliasRecursion) {
			local_unknown(e, text, owner, depth, "5.4.6",
			    "aliasing/forwarding loop broken");
			break;
		}
		if (a.domain == NULL) {
			expand_name(e, a.local, depth, owner, self != NULL &&
			    strcasecmp(a.local, self) == 0, false);
			break;
		}
		if ((rc = route_virtual(e->rt, a.text, &rr)) != 0) {
			if (rc < 0 || rr.kind == ROUTE_ERROR) {
				local_unknown(e, text, owner, depth, rr.res.dsn,
				    rr.res.text);
				break;
			}
			(void)snprintf(buf, sizeof(buf), "%s", rr.addr);
			sm_addr_free(&a);
			continue;
		}
		if (config_is_local_domain(e->c, a.domain)) {
			expand_name(e, a.local, depth, owner, self != NULL &&
			    strcasecmp(a.local, self) == 0, true);
			break;
		}
		if (sm_cf_class_has(e->c->cf, "VirtHost", a.domain)) {
			local_unknown(e, text, owner, depth, "5.1.1", "User unknown");
			break;
		}
		rc = route_domain(e->rt, a.domain, &rr);
		if (rc > 0 && rr.kind == ROUTE_LOCAL)
			expand_name(e, rr.addr[0] != '\0' ? rr.addr : a.local,
			    depth, owner, false, true);
		else if (depth == 0 && hops == 0)
			local_unknown(e, text, owner, depth, "4.3.0", "Deferred: "
			    "not a local address");
		else
			remote(e, a.text);
		break;
	}
	sm_addr_free(&a);
	e->paddr = saved;
}

/* item - one item of an alias, .forward or include file */
static void
item(struct expand *e, const char *it, size_t depth, const char *owner,
    const struct mda_user *ctl, const char *self)
{
	struct mda_user du;
	char buf[2048];
	const char *p = unquote(it, buf, sizeof(buf));
	const char *lt;
	char *path;

	if (ctl == NULL && (p[0] == '|' || p[0] == '/'))
		local_default_user(e->c, &du);
	switch (aliases_item_kind(it)) {
	case ALIAS_PROG:
		local_prog(e, p + 1, ctl != NULL ? ctl : &du, owner, depth);
		return;
	case ALIAS_FILE:
		local_file(e, p, ctl != NULL ? ctl : &du, owner, depth);
		return;
	case ALIAS_INCLUDE:
		p += 9;
		p += strspn(p, " \t");
		include(e, p, depth, owner, ctl);
		return;
	case ALIAS_ADDRESS:
		break;
	case ALIAS_BAD:
	default:
		local_unknown(e, it, owner, depth + 1, "5.1.3", "Syntax error in "
		    "address");
		return;
	}
	/* "\user": the mailbox, no alias, no .forward. */
	if (it[0] == '\\') {
		const char *saved = e->paddr;

		e->paddr = it;
		expand_name(e, it + 1, depth + 1, owner, true, true);
		e->paddr = saved;
		return;
	}
	if ((lt = strchr(it, '<')) != NULL)
		path = sm_strndup(lt + 1, strcspn(lt + 1, ">"));
	else
		path = sm_strdup(it);
	expand_address(e, path, depth + 1, owner, self);
	free(path);
}

/* note - a line -bv -v shows (what sendmail says with -v) */
static void
note(struct expand *e, const char *fmt, ...)
{
	struct sm_buf b;
	va_list ap;

	if (e->vcb == NULL)
		return;
	sm_buf_init(&b, 0);
	va_start(ap, fmt);
	(void)sm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	e->vcb->target(e->vctx, LOCAL_NOTE, sm_buf_str(&b), NULL);
	sm_buf_free(&b);
}

/*
 * expand_text - the items of an alias value, or of the lines of a
 * .forward (file: its path) or include file (commas and newlines
 * separate; "#" lines are comments).  Returns how many items it had.
 */
static size_t
expand_text(struct expand *e, const char *text, size_t depth,
    const char *owner, const struct mda_user *ctl, const char *self,
    const char *file)
{
	struct sm_strlist items = { NULL, 0 };
	char *copy = sm_strdup(text), *line, *next;
	size_t i, n, lineno = 0;

	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else if (*line == '\0')
			break;
		lineno++;
		if (line[strspn(line, " \t\r")] == '#' ||
		    line[strspn(line, " \t\r")] == '\0')
			continue;
		if (file != NULL)
			note(e, "%s: line %zu: forwarding to %.*s", file,
			    lineno, (int)strcspn(line, "\r"), line);
		aliases_split(line, &items);
	}
	for (i = 0; i < items.n; i++)
		item(e, items.v[i], depth, owner, ctl, self);
	n = items.n;
	sm_strlist_clear(&items);
	free(copy);
	return n;
}

/* forward_path - one ForwardPath entry with $z, $w, $u filled in */
static void
forward_path(const struct expand *e, const char *spec, size_t n,
    const struct passwd *pw, char *out, size_t len)
{
	struct sm_buf b;
	char shorthost[256];
	size_t i;

	(void)snprintf(shorthost, sizeof(shorthost), "%.*s",
	    (int)strcspn(e->host, "."), e->host);
	sm_buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		if (spec[i] == '$' && i + 1 < n) {
			i++;
			(void)sm_buf_puts(&b, spec[i] == 'z' ? pw->pw_dir :
			    spec[i] == 'u' ? pw->pw_name : spec[i] == 'w' ?
			    shorthost : "");
			continue;
		}
		(void)sm_buf_putc(&b, spec[i]);
	}
	(void)snprintf(out, len, "%s", sm_buf_str(&b));
	sm_buf_free(&b);
}

/*
 * forward_skipped - a .forward that is not used, and why: in the log as
 * sendmail logs it, and shown by -bv -v
 */
static void
forward_skipped(struct expand *e, const char *path, const char *why,
    bool passing)
{
	if (e->vcb != NULL)
		note(e, "%s... forward: %s: %s", e->paddr != NULL ? e->paddr :
		    e->rcpt, path, why);
	else
		sm_warnx("%s: forward %s: %s%s", e->ctl != NULL ? e->ctl->id :
		    "NOQUEUE", path, passing ? "transient error: " : "", why);
}

/*
 * forward - the user's .forward, if any: 1 when it decided, else 0.
 * Each file of ForwardPath is tried in turn (safefile.h says which may
 * be used); the first that is read decides, and one without an address
 * leaves the mail to the mailbox.  When none was read and one could not
 * be for a passing reason, the recipient waits for the next attempt.
 */
static int
forward(struct expand *e, const struct passwd *pw, size_t depth,
    const char *owner)
{
	const char *fp = e->c->opt.ForwardPath, *colon;
	struct mda_forward f;
	struct mda_user u;
	struct sm_deadline dl;
	struct sm_buf text;
	struct q_result later;
	char path[4200];
	int rc = -1;

	if (fp == NULL || (geteuid() != 0 && getuid() != pw->pw_uid))
		return 0;		/* cannot read as the user */
	mda_user(&u, pw, (gid_t)-1);
	sm_buf_init(&text, 0);
	memset(&later, 0, sizeof(later));
	for (; fp != NULL && *fp != '\0' && rc < 0;
	    fp = colon != NULL ? colon + 1 : NULL) {
		colon = strchr(fp, ':');
		forward_path(e, fp, colon != NULL ? (size_t)(colon - fp) :
		    strlen(fp), pw, path, sizeof(path));
		if (path[0] != '/')
			continue;
		local_open_dl(e, &dl);
		switch (mda_read_forward(&u, path,
		    e->c->opt.DontBlameSendmail, &dl, &text, &f)) {
		case MDA_FWD_READ:
			u.unsafe = f.unsafe;
			rc = expand_text(e, sm_buf_str(&text), depth, owner, &u,
			    pw->pw_name, path) > 0;
			break;
		case MDA_FWD_NONE:
			break;
		case MDA_FWD_REFUSED:
			forward_skipped(e, path, safefile_error(f.err), false);
			break;
		default:
			if (f.err == ETIMEDOUT) {
				forward_skipped(e, path, "Timeout.fileopen",
				    true);
				q_result_set(&later, Q_TEMPFAIL, "4.4.7",
				    "Deferred: Timeout.fileopen: %s took too "
				    "long to open", path);
				break;
			}
			forward_skipped(e, path, safefile_error(f.err), true);
			q_result_set(&later, Q_TEMPFAIL, "4.3.0", "Deferred: "
			    "cannot read %s: %s", path, safefile_error(f.err));
			break;
		}
	}
	sm_buf_free(&text);
	if (rc < 0 && later.status == Q_TEMPFAIL) {
		local_unknown(e, pw->pw_name, owner, depth, later.dsn, later.text);
		return 1;
	}
	return rc > 0;
}

/* on_path - is name (kind "alias" or "forward") being expanded above? */
static bool
on_path(const struct expand *e, const char *kind, const char *name)
{
	size_t i, n = strlen(kind);

	for (i = 0; i < e->path.n; i++)
		if (strncmp(e->path.v[i], kind, n) == 0 &&
		    e->path.v[i][n] == ':' &&
		    strcmp(e->path.v[i] + n + 1, name) == 0)
			return true;
	return false;
}

/* push - name goes on the expansion path */
static void
push(struct expand *e, const char *kind, const char *name)
{
	char key[300];

	(void)snprintf(key, sizeof(key), "%s:%s", kind, name);
	sm_strlist_add(&e->path, key);
}

/* pop - and off it again */
static void
pop(struct expand *e)
{
	free(e->path.v[--e->path.n]);
}

/* alias - expand name's alias entry; true when it has one */
static bool
alias(struct expand *e, const char *name, size_t depth, const char *owner)
{
	struct sm_buf val, own;
	char key[300];
	const char *o = owner;
	bool found = false;

	sm_buf_init(&val, 0);
	sm_buf_init(&own, 0);
	if (!on_path(e, "alias", name) &&
	    aliases_lookup(e->c, name, &val) == 0) {
		found = true;
		/* owner-NAME takes the errors of NAME's members. */
		(void)snprintf(key, sizeof(key), "owner-%s", name);
		if (strncmp(name, "owner-", 6) != 0 &&
		    aliases_lookup(e->c, key, &own) == 0) {
			(void)snprintf(key, sizeof(key), "<owner-%s>", name);
			o = key;
		}
		push(e, "alias", name);
		(void)expand_text(e, sm_buf_str(&val), depth, o, NULL, NULL,
		    NULL);
		pop(e);
	}
	sm_buf_free(&val);
	sm_buf_free(&own);
	return found;
}

/* to_hub - MAIL_HUB, LOCAL_RELAY: name@hub goes on to the hub */
static void
to_hub(struct expand *e, const char *name, const char *hub)
{
	char a[600];
	size_t n = strlen(hub);

	/* "[10.0.0.1]" is its own domain literal; "hub." its name. */
	if (n > 1 && hub[n - 1] == '.' && hub[0] != '[')
		n--;
	(void)snprintf(a, sizeof(a), "%s@%.*s", name, (int)n, hub);
	remote(e, a);
}

/* expand_name - a local name: alias, then user (.forward, mailbox) */
void
expand_name(struct expand *e, const char *local, size_t depth,
    const char *owner, bool mailbox_only, bool qualified)
{
	char name[256], base[256], hub[300];
	const char *detail;
	struct passwd *pw;
	size_t i;

	if (depth > (size_t)e->c->opt.MaxAliasRecursion) {
		local_unknown(e, local, owner, depth, "5.4.6", "aliasing/forwarding "
		    "loop broken");
		return;
	}
	for (i = 0; local[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)local[i]);
	name[i] = '\0';
	if (name[0] == '"' || strchr(name, '/') != NULL) {
		local_unknown(e, local, owner, depth, "5.1.1", "User unknown");
		return;
	}
	(void)snprintf(base, sizeof(base), "%.*s", (int)strcspn(name, "+"),
	    name);
	detail = name[strlen(base)] == '+' ? name + strlen(base) + 1 : "";
	/* LOCAL_RELAY takes unqualified names before the aliases do. */
	if (!mailbox_only && !qualified &&
	    route_hub(e->rt, "R", name, hub, sizeof(hub))) {
		to_hub(e, local, hub);
		return;
	}
	if (!mailbox_only && (alias(e, name, depth, owner) ||
	    (detail[0] != '\0' && alias(e, base, depth, owner))))
		return;
	/* MAIL_HUB: a name that is no alias is the hub's to know. */
	if (!mailbox_only && route_hub(e->rt, "H", name, hub, sizeof(hub))) {
		to_hub(e, local, hub);
		return;
	}
	if ((pw = getpwnam(base)) == NULL) {
		local_unknown(e, local, owner, depth, "5.1.1", "User unknown");
		return;
	}
	if (!mailbox_only && !on_path(e, "forward", base)) {
		int decided;

		push(e, "forward", base);
		decided = forward(e, pw, depth + 1, owner);
		pop(e);
		if (decided)
			return;
	}
	local_mailbox(e, pw, detail, owner, depth);
}
