/*
 * local - expansion and delivery of local recipients; see local.h.  The
 * service that does it as root for the queue runner is in local_svc.c.
 */
#include "local.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mda.h"
#include "aliases.h"
#include "local_int.h"
#include "route.h"
#include "safefile.h"
#include "sm_addr.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_proc.h"

#define LOCAL_ARGS_MAX	64	/* words in a mailer's A= */

struct expand {
	const struct config	*c;
	const struct q_ctl	*ctl;		/* NULL when verifying */
	struct mda_msg	 msg;
	char			 from_line[1024];
	const char		*rcpt;		/* as the control file has it */
	time_t			 start;
	struct sm_deadline	 prog_dl;	/* Timeout.datafinal */
	struct q_local		*lo;
	struct sm_strset	 met;		/* targets met, as keys */
	struct sm_strlist	 path;		/* aliases being expanded */
	bool			 temp;
	const struct local_verify_cb *vcb;
	void			*vctx;
	char			 host[256];
	struct route		*rt;
	const char		*paddr;		/* the name being expanded, as
						   it was written */
};

static void expand_name(struct expand *, const char *, size_t, const char *,
    bool, bool);

/* open_dl - a deadline for one file: Timeout.fileopen */
static void
open_dl(const struct expand *e, struct sm_deadline *dl)
{
	sm_deadline_in(dl, sm_bound(e->c->opt.to.fileopen, 60));
}

/* default_user - DefaultUser, who runs the alias file's programs */
static void
default_user(const struct config *c, struct mda_user *u)
{
	const char *name = c->opt.DefaultUser != NULL &&
	    c->opt.DefaultUser[0] != '\0' ? c->opt.DefaultUser : "1:1";
	struct passwd *pw;
	char err[256];
	uid_t uid = 1;
	gid_t gid = 1;

	(void)sm_priv_resolve(name, &uid, &gid, err, sizeof(err));
	memset(u, 0, sizeof(*u));
	u->uid = uid;
	u->gid = gid;
	u->extra_gid = (gid_t)-1;
	pw = getpwuid(uid);
	(void)snprintf(u->name, sizeof(u->name), "%s", pw != NULL ?
	    pw->pw_name : "");
	(void)snprintf(u->home, sizeof(u->home), "/");
}

/*
 * first_time - may this target have the message?  Not when it had it
 * at an earlier attempt (lo->done holds its hash) or was met already in
 * this one.  key gets the target's hash.
 */
static bool
first_time(struct expand *e, const char *kind, uid_t uid, const char *text,
    char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	char ids[32];
	const char *parts[3];
	size_t i, k;
	bool added;

	(void)snprintf(ids, sizeof(ids), "%lu", (unsigned long)uid);
	parts[0] = kind;
	parts[1] = ids;
	parts[2] = text;
	for (k = 0; k < 3; k++)
		for (i = 0; i <= strlen(parts[k]); i++) {
			h ^= (unsigned char)parts[k][i];
			h *= 1099511628211ULL;
		}
	(void)snprintf(key, len, "%016llx", (unsigned long long)h);
	if (sm_strset_find(&e->lo->done, key, NULL))
		return false;
	(void)sm_strset_add(&e->met, key, &added);
	return added;
}

/* result - one target's outcome: logged, then counted */
static void
result(struct expand *e, const char *mailer, const char *target,
    const char *owner, size_t depth, const struct q_result *res,
    const char *key)
{
	char to[1200];

	if (e->ctl != NULL) {
		if (strcmp(target, e->rcpt) == 0)
			(void)snprintf(to, sizeof(to), "%s", target);
		else
			(void)snprintf(to, sizeof(to), "%s, orig_to=%s",
			    target, e->rcpt);
		q_log_delivery(e->ctl, to, e->start, mailer, NULL, res);
	}
	if (res->status == Q_OK) {
		if (key != NULL)
			(void)sm_strset_add(&e->lo->done, key, NULL);
		return;
	}
	if (res->status == Q_TEMPFAIL) {
		if (!e->temp || e->lo->res.status != Q_TEMPFAIL)
			e->lo->res = *res;
		e->temp = true;
		return;
	}
	/* The recipient itself, or an address an alias gave. */
	if (depth == 0 && owner == NULL)
		e->lo->res = *res;
	else
		q_local_add_err(e->lo, owner, target, res);
}

/* unknown - a name that is no user and no alias */
static void
unknown(struct expand *e, const char *name, const char *owner, size_t depth,
    const char *dsn, const char *text)
{
	struct q_result res;

	memset(&res, 0, sizeof(res));
	res.status = dsn[0] == '4' ? Q_TEMPFAIL : Q_PERMFAIL;
	(void)snprintf(res.dsn, sizeof(res.dsn), "%s", dsn);
	(void)snprintf(res.text, sizeof(res.text), "%s", text);
	if (e->vcb != NULL) {
		e->vcb->target(e->vctx, LOCAL_UNKNOWN, name, &res);
		return;
	}
	result(e, "local", name, owner, depth, &res, NULL);
}

/*
 * interrupted - lo->again: a process that delivered this recipient died
 * before it said what it had done, and this target (a program, a file,
 * a mailer of its own) cannot tell whether it got the message then.
 * Not now: the next attempt delivers to it.
 */
static bool
interrupted(struct expand *e, const char *mailer, const char *target,
    const char *owner, size_t depth)
{
	struct q_result res;

	if (!e->lo->again)
		return false;
	q_result_set(&res, Q_TEMPFAIL, "4.3.0", "Deferred: the local "
	    "delivery service died while delivering; %s waits for the next "
	    "attempt", target);
	result(e, mailer, target, owner, depth, &res, NULL);
	return true;
}

/* expand_args - a mailer's A= as argv, $u $h $f $z $g filled in */
static size_t
expand_args(const char *spec, const char *u, const char *h, const char *f,
    const char *z, char **argv, struct sm_buf *store)
{
	size_t n = 0, start;
	const char *p = spec;

	sm_buf_reset(store);
	while (*p != '\0' && n < LOCAL_ARGS_MAX - 1) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = store->len;
		for (; *p != '\0' && *p != ' ' && *p != '\t'; p++) {
			const char *v = NULL;

			if (*p == '$' && p[1] != '\0') {
				switch (p[1]) {
				case 'u': v = u; break;
				case 'h': v = h; break;
				case 'f': case 'g': v = f; break;
				case 'z': v = z; break;
				default: v = ""; break;
				}
				p++;
				(void)sm_buf_puts(store, v);
				continue;
			}
			(void)sm_buf_putc(store, *p);
		}
		(void)sm_buf_putc(store, '\0');
		argv[n++] = (char *)(uintptr_t)start;	/* offsets for now */
	}
	for (size_t i = 0; i < n; i++)
		argv[i] = store->data + (uintptr_t)argv[i];
	argv[n] = NULL;
	return n;
}

/* sender_text - the envelope sender without brackets ($f, $g) */
static void
sender_text(const struct q_ctl *ctl, char *buf, size_t len)
{
	const char *s = ctl != NULL && ctl->sender != NULL ? ctl->sender : "<>";
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<')
		(void)snprintf(buf, len, "%.*s", (int)(n - 2), s + 1);
	else
		(void)snprintf(buf, len, "%s", s);
	if (buf[0] == '\0')
		(void)snprintf(buf, len, "MAILER-DAEMON");
}

/*
 * run_mailer - a mailer's program for one target, as u; rcpt: the
 * recipient when the mailer speaks LMTP (F=z), else NULL
 */
static void
run_mailer(struct expand *e, const struct sm_cf_mailer *m,
    const struct mda_user *u, const char *user, const char *host,
    const char *dir, const char *rcpt, struct q_result *res)
{
	char *argv[LOCAL_ARGS_MAX + 1], from[512];
	struct sm_buf store;

	sm_buf_init(&store, 0);
	sender_text(e->ctl, from, sizeof(from));
	argv[0] = m->path;
	if (expand_args(m->argv != NULL ? m->argv : "", user, host, from,
	    u->home, argv + 1, &store) == 0) {
		argv[1] = m->path;
		argv[2] = NULL;
	}
	e->msg.mflags = m->flags != NULL ? m->flags : "";
	if (rcpt != NULL)
		mda_lmtp(&e->msg, u, argv, dir, rcpt, res);
	else
		mda_program(&e->msg, u, argv, dir, &e->prog_dl, res);
	sm_buf_free(&store);
}

/* has_flag - does mailer m have flag f in F=? */
static bool
has_flag(const struct sm_cf_mailer *m, char f)
{
	return m->flags != NULL && strchr(m->flags, f) != NULL;
}

/* plain - text that needs no quoting in a path: no blank, control, special */
static bool
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f ||
		    strchr("\"\\<>()[],;:@", *s) != NULL)
			return false;
	return true;
}

/*
 * lmtp_mailbox - the user's mailbox through a local mailer that speaks
 * LMTP.  One program serves every user (mail.local -l) and becomes each
 * one itself, so with F=S it runs with our own rights, root in the
 * delivery service, as sendmail runs it; without S as the user.
 */
static void
lmtp_mailbox(struct expand *e, const struct sm_cf_mailer *m,
    const struct mda_user *user, const char *detail, struct q_result *res)
{
	struct mda_user self;
	struct passwd *pw;
	char rcpt[400];

	/*
	 * R=EnvToL: the user, with its +detail, without a domain.  The
	 * detail came from the sender: one that would need quoting in a
	 * path is left off rather than given to a program run as root.
	 */
	if (!plain(detail))
		detail = "";
	(void)snprintf(rcpt, sizeof(rcpt), "<%s%s%s>", user->name,
	    detail[0] != '\0' ? "+" : "", detail);
	if (has_flag(m, 'S') && (pw = getpwuid(geteuid())) != NULL) {
		mda_user(&self, pw, (gid_t)-1);
		run_mailer(e, m, &self, user->name, detail, "/", rcpt, res);
	} else
		run_mailer(e, m, user, user->name, detail, user->home, rcpt,
		    res);
}

/* builtin_mailbox - is the local mailer our own mbox delivery? */
static bool
builtin_mailbox(const struct sm_cf_mailer *m)
{
	return m == NULL || m->path == NULL ||
	    strcmp(m->path, "[MBOX]") == 0 || access(m->path, X_OK) < 0;
}

/* mailbox - a user's own mailbox: the local mailer */
static void
mailbox(struct expand *e, const struct passwd *pw, const char *detail,
    const char *owner, size_t depth)
{
	const struct sm_cf_mailer *m = sm_cf_mailer(e->c->cf, "local");
	const char *spool = e->c->opt.MailSpoolDirectory;
	struct mda_user u;
	struct q_result res;
	struct sm_deadline dl;
	struct stat st;
	gid_t extra = (gid_t)-1;

	char key[32];

	if (!first_time(e, "mailbox", pw->pw_uid, pw->pw_name, key,
	    sizeof(key)))
		return;
	if (e->vcb != NULL) {
		e->vcb->target(e->vctx, LOCAL_MAILBOX, pw->pw_name, NULL);
		return;
	}
	if (!builtin_mailbox(m) && interrupted(e, "local", pw->pw_name,
	    owner, depth))
		return;
	memset(&res, 0, sizeof(res));
	if (builtin_mailbox(m)) {
		/* A group-writable spool (root:mail 2775) lets users in. */
		if (stat(spool, &st) == 0 && (st.st_mode & S_IWGRP) != 0)
			extra = st.st_gid;
		mda_user(&u, pw, extra);
		e->msg.mflags = m != NULL && m->flags != NULL ? m->flags :
		    "lsDFMAw5:/|@qPn9";
		open_dl(e, &dl);
		mda_mailbox(&e->msg, &u, spool, &dl, &res);
	} else if (has_flag(m, 'z')) {
		mda_user(&u, pw, extra);
		lmtp_mailbox(e, m, &u, detail, &res);
	} else {
		mda_user(&u, pw, extra);
		/* Its job is to store the message: it must read all of it. */
		e->msg.whole = true;
		run_mailer(e, m, &u, pw->pw_name, detail, u.home, NULL, &res);
		e->msg.whole = false;
	}
	result(e, "local", pw->pw_name, owner, depth, &res, key);
}

/*
 * unsafe - a program or file that a .forward taken from an unsafe place
 * names is refused, as sendmail refuses it (DontBlameSendmail says when)
 */
static bool
unsafe(struct expand *e, const struct mda_user *u, const char *mailer,
    const char *target, const char *what, const char *owner, size_t depth)
{
	struct q_result res;

	if (!u->unsafe)
		return false;
	q_result_set(&res, Q_PERMFAIL, "5.7.1", "Address %s is unsafe for "
	    "mailing to %s", u->name, what);
	if (e->vcb != NULL)
		e->vcb->target(e->vctx, LOCAL_UNKNOWN, target, &res);
	else
		result(e, mailer, target, owner, depth, &res, NULL);
	return true;
}

/* prog - "|command" through the prog mailer, as u */
static void
prog(struct expand *e, const char *cmd, const struct mda_user *u,
    const char *owner, size_t depth)
{
	const struct sm_cf_mailer *m = sm_cf_mailer(e->c->cf, "prog");
	struct sm_cf_mailer sh;
	struct q_result res;
	char target[1100], key[32];

	(void)snprintf(target, sizeof(target), "\"|%s\"", cmd);
	if (unsafe(e, u, "prog", target, "programs", owner, depth) ||
	    !first_time(e, "prog", u->uid, cmd, key, sizeof(key)))
		return;
	if (e->vcb != NULL) {
		e->vcb->target(e->vctx, LOCAL_PROG, cmd, NULL);
		return;
	}
	if (interrupted(e, "prog", target, owner, depth))
		return;
	if (m == NULL) {
		memset(&sh, 0, sizeof(sh));
		sh.path = (char *)(uintptr_t)"/bin/sh";
		sh.argv = (char *)(uintptr_t)"sh -c $u";
		sh.flags = (char *)(uintptr_t)"lsDFMoqeu9";
		m = &sh;
	}
	memset(&res, 0, sizeof(res));
	/* D=$z:/ : the home directory, else the root. */
	run_mailer(e, m, u, cmd, "", u->home, NULL, &res);
	result(e, "prog", target, owner, depth, &res, key);
}

/* file - "/path": appended to, as u */
static void
file(struct expand *e, const char *path, const struct mda_user *u,
    const char *owner, size_t depth)
{
	struct q_result res;
	struct sm_deadline dl;
	char key[32];

	if (unsafe(e, u, "*file*", path, "files", owner, depth) ||
	    !first_time(e, "file", u->uid, path, key, sizeof(key)))
		return;
	if (e->vcb != NULL) {
		e->vcb->target(e->vctx, LOCAL_FILE, path, NULL);
		return;
	}
	if (interrupted(e, "*file*", path, owner, depth))
		return;
	memset(&res, 0, sizeof(res));
	e->msg.mflags = "lsDFMPEouq9";		/* sendmail's *file* */
	open_dl(e, &dl);
	mda_file(&e->msg, u, path, &dl, &res);
	result(e, "*file*", path, owner, depth, &res, key);
}

/* remote - an address elsewhere: the runner sends it on */
static void
remote(struct expand *e, const char *addr)
{
	char a[400], key[32];

	(void)snprintf(a, sizeof(a), "<%s>", addr);
	if (!first_time(e, "remote", 0, a, key, sizeof(key)))
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
	open_dl(e, &dl);
	rc = mda_read(ctl, path, &dl, &text, &fowner, &res);
	if (rc < 0) {
		result(e, "local", path, owner, depth, &res, NULL);
	} else if (rc > 0) {
		res.status = Q_PERMFAIL;
		(void)snprintf(res.dsn, sizeof(res.dsn), "5.3.0");
		(void)snprintf(res.text, sizeof(res.text),
		    "cannot open %s", path);
		if (e->vcb != NULL)
			e->vcb->target(e->vctx, LOCAL_UNKNOWN, path, &res);
		else
			result(e, "local", path, owner, depth, &res, NULL);
	} else {
		if (fowner != 0 && (pw = getpwuid(fowner)) != NULL)
			mda_user(&runner, pw, (gid_t)-1);
		else if (ctl->uid == 0)
			default_user(e->c, &runner);
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
	unknown(e, e->rcpt, owner, depth, "5.1.1", text);
	return true;
}

/*
 * address - the recipient, or an address an expansion met: a virtual
 * address (virtusertable) is replaced by its entry, a local name is
 * expanded, an address that mailertable keeps here ("local:") too, and
 * any other goes on to the runner.  self: the .forward's own user.
 */
static void
address(struct expand *e, const char *text, size_t depth, const char *owner,
    const char *self)
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
			unknown(e, text, owner, depth, r != SM_ADDR_OK ?
			    sm_addr_dsn(r) : "5.1.3", r != SM_ADDR_OK ?
			    sm_addr_errtext(r) : "Syntax error in address");
			break;
		}
		if (hops > e->c->opt.MaxAliasRecursion) {
			unknown(e, text, owner, depth, "5.4.6",
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
				unknown(e, text, owner, depth, rr.res.dsn,
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
			unknown(e, text, owner, depth, "5.1.1", "User unknown");
			break;
		}
		rc = route_domain(e->rt, a.domain, &rr);
		if (rc > 0 && rr.kind == ROUTE_LOCAL)
			expand_name(e, rr.addr[0] != '\0' ? rr.addr : a.local,
			    depth, owner, false, true);
		else if (depth == 0 && hops == 0)
			unknown(e, text, owner, depth, "4.3.0", "Deferred: "
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
		default_user(e->c, &du);
	switch (aliases_item_kind(it)) {
	case ALIAS_PROG:
		prog(e, p + 1, ctl != NULL ? ctl : &du, owner, depth);
		return;
	case ALIAS_FILE:
		file(e, p, ctl != NULL ? ctl : &du, owner, depth);
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
		unknown(e, it, owner, depth + 1, "5.1.3", "Syntax error in "
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
	address(e, path, depth + 1, owner, self);
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
		open_dl(e, &dl);
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
		unknown(e, pw->pw_name, owner, depth, later.dsn, later.text);
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
static void
expand_name(struct expand *e, const char *local, size_t depth,
    const char *owner, bool mailbox_only, bool qualified)
{
	char name[256], base[256], hub[300];
	const char *detail;
	struct passwd *pw;
	size_t i;

	if (depth > (size_t)e->c->opt.MaxAliasRecursion) {
		unknown(e, local, owner, depth, "5.4.6", "aliasing/forwarding "
		    "loop broken");
		return;
	}
	for (i = 0; local[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)local[i]);
	name[i] = '\0';
	if (name[0] == '"' || strchr(name, '/') != NULL) {
		unknown(e, local, owner, depth, "5.1.1", "User unknown");
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
		unknown(e, local, owner, depth, "5.1.1", "User unknown");
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
	mailbox(e, pw, detail, owner, depth);
}

/* from_line - UnixFromLine with $g and $d */
static void
from_line(struct expand *e)
{
	const char *f = e->c->opt.UnixFromLine != NULL ?
	    e->c->opt.UnixFromLine : "From $g  $d";
	char sender[512], date[64];
	struct sm_buf b;
	struct tm tm;
	time_t now = time(NULL);

	sender_text(e->ctl, sender, sizeof(sender));
	(void)strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y",
	    localtime_r(&now, &tm));
	sm_buf_init(&b, 0);
	for (; *f != '\0'; f++) {
		if (*f == '$' && (f[1] == 'g' || f[1] == 'd')) {
			(void)sm_buf_puts(&b, *++f == 'g' ? sender : date);
			continue;
		}
		(void)sm_buf_putc(&b, *f);
	}
	(void)snprintf(e->from_line, sizeof(e->from_line), "%s",
	    sm_buf_str(&b));
	sm_buf_free(&b);
}

/* setup - an expansion for one recipient */
static void
setup(struct expand *e, const struct config *c, const struct q_ctl *ctl,
    int dfd, const char *rcpt, struct q_local *lo)
{
	memset(e, 0, sizeof(*e));
	e->c = c;
	e->ctl = ctl;
	e->rcpt = rcpt;
	e->lo = lo;
	e->start = time(NULL);
	sm_deadline_in(&e->prog_dl, sm_bound(c->opt.to.datafinal, 3600));
	config_hostname(c, e->host, sizeof(e->host));
	e->msg.ctl = ctl;
	e->msg.dfd = dfd;
	e->msg.from_line = e->from_line;
	e->msg.opt = &c->opt;
	e->msg.helo = e->host;
	e->rt = route_open(c);
	if (ctl != NULL)
		from_line(e);
}

/*
 * local_headers - the message's headers as the local mailer shows them
 * (masquerading, always_add_domain) into out; false: as they are.  The
 * caller does it, as RunAsUser, before the root service sees them.
 */
bool
local_headers(const struct config *c, const struct q_ctl *ctl,
    struct sm_strlist *out)
{
	struct route *rt = route_open(c);
	bool changed = route_headers(rt, &ctl->headers, ctl->sender, true,
	    out);

	route_close(rt);
	return changed;
}

/* teardown - what setup made */
static void
teardown(struct expand *e)
{
	sm_strset_clear(&e->met);
	sm_strlist_clear(&e->path);
	route_close(e->rt);
}

/* local_run - expand and deliver rcpt ("<user@host>"); see local.h */
void
local_run(const struct config *c, const struct q_ctl *ctl, int dfd,
    const char *rcpt, struct q_local *lo)
{
	struct sm_strset done = lo->done;	/* in and out */
	bool again = lo->again;			/* in */
	struct expand e;
	char *path = sm_strndup(rcpt + (rcpt[0] == '<'),
	    strcspn(rcpt + (rcpt[0] == '<'), ">"));

	memset(lo, 0, sizeof(*lo));
	lo->done = done;
	lo->again = again;
	lo->res.status = Q_OK;
	(void)snprintf(lo->res.dsn, sizeof(lo->res.dsn), "2.0.0");
	setup(&e, c, ctl, dfd, rcpt, lo);
	address(&e, path, 0, NULL, NULL);
	free(path);
	teardown(&e);
}

/* local_verify - -bv: what name expands to, nothing delivered */
void
local_verify(const struct config *c, const char *name,
    const struct local_verify_cb *cb, void *ctx)
{
	struct q_local lo;
	struct expand e;

	memset(&lo, 0, sizeof(lo));
	setup(&e, c, NULL, -1, name, &lo);
	e.vcb = cb;
	e.vctx = ctx;
	address(&e, name, 0, NULL, NULL);
	teardown(&e);
	q_local_free(&lo);
}
