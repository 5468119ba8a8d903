/*
 * srv_envelope - MAIL, RCPT, VRFY and EXPN: the envelope of a
 * transaction, checked against the policy (srv_int.h).
 *
 * UNTRUSTED INPUT: the arguments are the client's.
 */
#include "srv_int.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>

#include "sm_alloc.h"
#include "sm_log.h"
#include "srv_cmd.h"

/* split_path - "FROM:<a> params": check the keyword, split the rest */
static bool
split_path(struct srv *s, const char *arg, const char *kw, char **path,
    char **params)
{
	size_t n = strlen(kw);
	enum sm_addr_result r;

	if (strncasecmp(arg, kw, n) != 0) {
		(void)srv_reply(s, "501 5.5.2 Syntax error in parameters "
		    "scanning \"%.*s\"", (int)strcspn(arg, ":"), arg);
		return false;
	}
	arg += n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (*arg == '\0') {
		(void)srv_reply(s, "501 5.5.2 Syntax error in parameters "
		    "scanning \"\"");
		return false;
	}
	if ((r = sm_addr_split(arg, path, params)) != SM_ADDR_OK) {
		(void)srv_reply(s, "553 %s %.*s... %s", sm_addr_dsn(r),
		    (int)strcspn(arg, " "), arg, sm_addr_errtext(r));
		return false;
	}
	return true;
}

/*
 * shown - how the client wrote the path: with brackets when it did.
 * Replies are ASCII without SMTPUTF8: a byte outside it shows as '?'.
 */
static char *
shown(const char *arg, const char *kw)
{
	const char *p = arg + strlen(kw);
	char *s, *q;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = *p == '<' ? strcspn(p, ">") + 1 : strcspn(p, " \t");
	s = sm_strndup(p, n);
	for (q = s; *q != '\0'; q++)
		if ((unsigned char)*q >= 0x80)
			*q = '?';
	return s;
}

/*
 * enough_space - MinFreeBlocks: refuse a transaction the queue's file
 * system cannot hold (its declared SIZE included) before taking it.
 */
static bool
enough_space(const struct srv *s, long size)
{
	struct statvfs sv;
	long minfree = s->c->opt.MinFreeBlocks;
	unsigned long long need;

	if (statvfs(s->c->opt.QueueDirectory, &sv) < 0)
		return true;		/* cannot tell: the writes will */
	need = (unsigned long long)(minfree > 0 ? minfree : 0);
	if (size > 0 && sv.f_bsize > 0)
		need += (unsigned long long)size / sv.f_bsize + 1;
	return (unsigned long long)sv.f_bavail >= need;
}

/* start_message - the queue file of a new transaction */
static bool
start_message(struct srv *s)
{
	s->msg = q_msg_new(s->c->opt.QueueDirectory);
	s->msg->mode = ((mode_t)s->c->opt.QueueFileMode & 0660) | 0600;
	if (q_msg_data_open(s->msg) < 0) {
		sm_warn("%s: cannot create data file in %s", s->msg->id,
		    s->c->opt.QueueDirectory);
		(void)srv_reply(s, errno == ENOSPC ? "452 4.3.1 Insufficient "
		    "disk space; try again later" : "451 4.3.0 Temporary "
		    "system failure. Please try again later.");
		srv_transaction_reset(s);
		return false;
	}
	return true;
}

/*
 * auth_param - the A line: AUTH= of MAIL (RFC 4954 section 5) only from
 * a client that authenticated, and only for the identity it
 * authenticated as (or <>); an unauthenticated client's AUTH= is not
 * trusted and not passed on.
 */
static void
auth_param(struct srv *s, const char *given)
{
	const char *who = sm_cf_macro(s->c->cf, "auth_authen"), *w;
	struct sm_buf b;

	if (s->auth_type[0] == '\0' || who == NULL || who[0] == '\0')
		return;
	/* xtext (RFC 3461 section 4): '+', '=' and the unprintable as +XX. */
	sm_buf_init(&b, 1024);
	for (w = who; *w != '\0'; w++) {
		unsigned char ch = (unsigned char)*w;

		if (ch < 33 || ch > 126 || ch == '+' || ch == '=')
			(void)sm_buf_printf(&b, "+%02X", ch);
		else
			(void)sm_buf_putc(&b, (char)ch);
	}
	/*
	 * The client vouches for no one but itself (sendmail's trust_auth):
	 * AUTH=<> stands, another identity is replaced by its own.
	 */
	if (strcmp(given, "<>") == 0)
		s->msg->auth = sm_strdup(given);
	else {
		if (given[0] != '\0' && strcmp(given, sm_buf_str(&b)) != 0)
			sm_notice("%s: AUTH=%.100s given by %s, authenticated as "
			    "%.100s: not trusted, replaced", srv_qid(s), given,
			    s->client, who);
		s->msg->auth = sm_strdup(sm_buf_str(&b));
	}
	sm_buf_free(&b);
}

/* srv_mail - MAIL FROM */
void
srv_mail(struct srv *s, const char *arg)
{
	struct srv_mail_params mp;
	struct policy_result pr;
	enum sm_addr_result r;
	char reply[600], *path = NULL, *params = NULL;

	if ((s->c->opt.PrivacyOptions & SM_PRIV_NEEDMAILHELO) &&
	    !s->helo_seen) {
		(void)srv_reply(s, "503 5.0.0 Polite people say HELO first");
		return;
	}
	if (s->msg != NULL) {
		(void)srv_reply(s, "503 5.5.0 Sender already specified");
		return;
	}
	if (srv_auth_required(s)) {
		(void)srv_reply(s, "530 5.7.0 Authentication required");
		return;
	}
	if (!split_path(s, arg, "FROM:", &path, &params))
		goto out;
	s->sender_shown = shown(arg, "FROM:");
	if ((r = sm_addr_parse(path, &s->sender)) != SM_ADDR_OK) {
		(void)srv_reply(s, "553 %s %s... %s", sm_addr_dsn(r),
		    s->sender_shown, sm_addr_errtext(r));
		goto fail;
	}
	if (!s->sender.null && s->sender.domain == NULL &&
	    s->conn->is_socket &&
	    !policy_has_feature(s->pol, "accept_unqualified_senders") &&
	    !(s->conn->daemon != NULL &&
	    daemon_has_modifier(s->conn->daemon, 'u'))) {
		(void)srv_reply(s, "553 5.5.4 %s... Domain name required for "
		    "sender address %s", s->sender_shown, s->sender.text);
		goto fail;
	}
	if (srv_cmd_mail_params(params, &mp, reply, sizeof(reply)) < 0) {
		(void)srv_reply(s, "%s", reply);
		goto fail;
	}
	if (s->c->opt.MaxMessageSize > 0 && mp.size > s->c->opt.MaxMessageSize) {
		(void)srv_reply(s, "552 5.2.3 Message size exceeds fixed "
		    "maximum message size (%ld)", s->c->opt.MaxMessageSize);
		goto fail;
	}
	if (!enough_space(s, mp.size)) {
		sm_warnx("%s: queue file system full: refusing MAIL from %s",
		    srv_qid(s), s->client);
		(void)srv_reply(s, "452 4.3.1 Insufficient disk space; try "
		    "again later");
		goto fail;
	}
	if (!policy_has_feature(s->pol, "delay_checks")) {
		policy_mail(s->pol, &s->sender, s->sender_shown, &pr);
		if (pr.v == POL_REJECT || pr.v == POL_TEMPFAIL) {
			(void)srv_reply(s, "%s", pr.reply);
			goto fail;
		}
	} else
		policy_mail(s->pol, &s->sender, s->sender_shown, &pr);
	if (!start_message(s))
		goto out;
	s->did_mail = true;
	s->discard = pr.v == POL_DISCARD;
	(void)snprintf(s->body, sizeof(s->body), "%s", mp.body);
	(void)snprintf(s->ret, sizeof(s->ret), "%s", mp.ret);
	s->msg->sender = sm_malloc(strlen(s->sender.text) + 3);
	(void)snprintf(s->msg->sender, strlen(s->sender.text) + 3, "<%s>",
	    s->sender.text);
	if (mp.envid[0] != '\0')
		s->msg->envid = sm_strdup(mp.envid);
	auth_param(s, mp.auth);
	(void)srv_reply(s, "250 2.1.0 %s... Sender ok", s->sender_shown);
	goto out;
fail:
	srv_transaction_reset(s);
out:
	free(path);
	free(params);
}

/* rcpt_flags - the R line flags: primary, and NOTIFY as given */
static void
rcpt_flags(const struct srv_rcpt_params *rp, char *f, size_t len)
{
	size_t n = 0;

	f[n++] = 'P';
	if (rp->notify & SRV_NOTIFY_GIVEN) {
		f[n++] = 'N';
		if (rp->notify & SRV_NOTIFY_SUCCESS)
			f[n++] = 'S';
		if (rp->notify & SRV_NOTIFY_FAILURE)
			f[n++] = 'F';
		if (rp->notify & SRV_NOTIFY_DELAY)
			f[n++] = 'D';
	} else {
		f[n++] = 'F';
		f[n++] = 'D';
	}
	f[n < len ? n : len - 1] = '\0';
}

/* srv_rcpt - RCPT TO */
void
srv_rcpt(struct srv *s, const char *arg)
{
	struct srv_rcpt_params rp;
	struct policy_result pr;
	struct sm_addr a;
	enum sm_addr_result r;
	char reply[600], flags[8], *path = NULL, *params = NULL, *sh = NULL;
	size_t i;

	memset(&a, 0, sizeof(a));
	if (s->msg == NULL) {
		(void)srv_reply(s, "503 5.0.0 Need MAIL before RCPT");
		return;
	}
	if (!split_path(s, arg, "TO:", &path, &params))
		goto out;
	sh = shown(arg, "TO:");
	if ((r = sm_addr_parse(path, &a)) != SM_ADDR_OK) {
		(void)srv_reply(s, "553 %s %s... %s", sm_addr_dsn(r), sh,
		    sm_addr_errtext(r));
		goto out;
	}
	if (a.null) {
		(void)srv_reply(s, "553 5.0.0 <>... User address required");
		goto out;
	}
	if (srv_cmd_rcpt_params(params, &rp, reply, sizeof(reply)) < 0) {
		(void)srv_reply(s, "%s", reply);
		goto out;
	}
	/* Given before: accepted again, as sendmail does, kept once. */
	if (sm_strset_find(&s->rcpts, a.text, &i)) {
		(void)srv_reply(s, "250 2.1.5 <%s>... Recipient ok",
		    s->rcpts.v[i]);
		goto out;
	}
	if (s->c->opt.MaxRecipientsPerMessage > 0 &&
	    s->rcpts.n >= (size_t)s->c->opt.MaxRecipientsPerMessage) {
		(void)srv_reply(s, "452 4.5.3 Too many recipients");
		goto out;
	}
	policy_rcpt(s->pol, &a, sh, &pr);
	if (pr.v == POL_REJECT || pr.v == POL_TEMPFAIL) {
		sm_info("%s: ruleset=check_rcpt, arg1=%s, relay=%s, "
		    "reject=%s", srv_qid(s), sh, s->client, pr.reply);
		(void)srv_reply(s, "%s", pr.reply);
		/* 421 says the service closes (RFC 5321 4.2.2): it does. */
		if (strncmp(pr.reply, "421", 3) == 0)
			s->closing = true;
		goto out;
	}
	rcpt_flags(&rp, flags, sizeof(flags));
	{
		char *rc = sm_malloc(strlen(a.text) + 3);

		(void)snprintf(rc, strlen(a.text) + 3, "<%s>", a.text);
		q_msg_add_rcpt(s->msg, rc, flags,
		    rp.orcpt[0] != '\0' ? rp.orcpt : NULL);
		free(rc);
	}
	(void)sm_strset_add(&s->rcpts, a.text, NULL);
	(void)srv_reply(s, "250 2.1.5 %s... Recipient ok", sh);
out:
	sm_addr_free(&a);
	free(sh);
	free(path);
	free(params);
}

/* srv_vrfy - VRFY and EXPN: local users only (aliases come later) */
void
srv_vrfy(struct srv *s, const char *arg, bool expn)
{
	unsigned priv = s->c->opt.PrivacyOptions;
	struct passwd *pw;
	char user[256];
	size_t i;

	s->did_mail = true;
	if (expn && (priv & SM_PRIV_NOEXPN)) {
		(void)srv_reply(s, "502 5.7.0 Sorry, we do not allow this "
		    "operation");
		return;
	}
	if (!expn && (priv & SM_PRIV_NOVRFY)) {
		(void)srv_reply(s, "252 2.5.2 Cannot VRFY user; try RCPT to "
		    "attempt delivery (or try finger)");
		return;
	}
	if (((priv & SM_PRIV_NEEDVRFYHELO) && !expn && !s->helo_seen) ||
	    ((priv & SM_PRIV_NEEDEXPNHELO) && expn && !s->helo_seen)) {
		(void)srv_reply(s, "503 5.0.0 I demand that you introduce "
		    "yourself first");
		return;
	}
	if (*arg == '\0') {
		(void)srv_reply(s, "501 5.5.2 Argument required");
		return;
	}
	for (i = 0; arg[i] != '\0' && arg[i] != '@' && arg[i] != '>' &&
	    i + 1 < sizeof(user); i++)
		user[i] = (char)tolower((unsigned char)arg[i]);
	user[i] = '\0';
	if (user[0] == '<')
		memmove(user, user + 1, strlen(user));
	if ((pw = getpwnam(user)) == NULL) {
		(void)srv_reply(s, "550 5.1.1 %.100s... User unknown", arg);
		return;
	}
	(void)srv_reply(s, "250 2.1.5 %s <%s@%s>", pw->pw_name, pw->pw_name,
	    s->hostname);
}
