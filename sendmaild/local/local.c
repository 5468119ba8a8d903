/*
 * local - delivery of local recipients; see local.h.  What a recipient
 * leads to (aliases, .forward, :include:) is found in expand.c; the
 * service that delivers as root for the queue runner is in local_svc.c.
 */
#include "local.h"

#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mda.h"
#include "local_int.h"
#include "route.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_proc.h"

#define LOCAL_ARGS_MAX	64	/* words in a mailer's A= */


/* local_open_dl - a deadline for one file: Timeout.fileopen */
void
local_open_dl(const struct expand *e, struct sm_deadline *dl)
{
	sm_deadline_in(dl, sm_bound(e->c->opt.to.fileopen, 60));
}

/* local_default_user - DefaultUser, who runs the alias file's programs */
void
local_default_user(const struct config *c, struct mda_user *u)
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
 * local_first_time - may this target have the message?  Not when it had it
 * at an earlier attempt (lo->done holds its hash) or was met already in
 * this one.  key gets the target's hash.
 */
bool
local_first_time(struct expand *e, const char *kind, uid_t uid,
    const char *text, char *key, size_t len)
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

/* local_result - one target's outcome: logged, then counted */
void
local_result(struct expand *e, const char *mailer, const char *target,
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

/* local_unknown - a name that is no user and no alias */
void
local_unknown(struct expand *e, const char *name, const char *owner,
    size_t depth, const char *dsn, const char *text)
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
	local_result(e, "local", name, owner, depth, &res, NULL);
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
	local_result(e, mailer, target, owner, depth, &res, NULL);
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

/* local_mailbox - a user's own mailbox: the local mailer */
void
local_mailbox(struct expand *e, const struct passwd *pw, const char *detail,
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

	if (!local_first_time(e, "mailbox", pw->pw_uid, pw->pw_name, key,
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
		local_open_dl(e, &dl);
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
	local_result(e, "local", pw->pw_name, owner, depth, &res, key);
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
		local_result(e, mailer, target, owner, depth, &res, NULL);
	return true;
}

/* local_prog - "|command" through the prog mailer, as u */
void
local_prog(struct expand *e, const char *cmd, const struct mda_user *u,
    const char *owner, size_t depth)
{
	const struct sm_cf_mailer *m = sm_cf_mailer(e->c->cf, "prog");
	struct sm_cf_mailer sh;
	struct q_result res;
	char target[1100], key[32];

	(void)snprintf(target, sizeof(target), "\"|%s\"", cmd);
	if (unsafe(e, u, "prog", target, "programs", owner, depth) ||
	    !local_first_time(e, "prog", u->uid, cmd, key, sizeof(key)))
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
	local_result(e, "prog", target, owner, depth, &res, key);
}

/* local_file - "/path": appended to, as u */
void
local_file(struct expand *e, const char *path, const struct mda_user *u,
    const char *owner, size_t depth)
{
	struct q_result res;
	struct sm_deadline dl;
	char key[32];

	if (unsafe(e, u, "*file*", path, "files", owner, depth) ||
	    !local_first_time(e, "file", u->uid, path, key, sizeof(key)))
		return;
	if (e->vcb != NULL) {
		e->vcb->target(e->vctx, LOCAL_FILE, path, NULL);
		return;
	}
	if (interrupted(e, "*file*", path, owner, depth))
		return;
	memset(&res, 0, sizeof(res));
	e->msg.mflags = "lsDFMPEouq9";		/* sendmail's *file* */
	local_open_dl(e, &dl);
	mda_file(&e->msg, u, path, &dl, &res);
	local_result(e, "*file*", path, owner, depth, &res, key);
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
	expand_address(&e, path, 0, NULL, NULL);
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
	expand_address(&e, name, 0, NULL, NULL);
	teardown(&e);
	q_local_free(&lo);
}
