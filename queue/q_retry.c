/*
 * q_retry - what becomes of a message after an attempt: bounces, delay
 * notices, the retry recorded; see q_retry.h.
 */
#include "q_retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "q_dsn.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_group.h"
#include "sm_log.h"
#include "sm_time.h"

/*
 * q_retry_expired - has the message been queued longer than
 * Timeout.queuereturn?
 */
bool
q_retry_expired(const struct sm_options *o, const struct q_ctl *c)
{
	long limit = o->to.queuereturn[SM_CLASS_NORMAL];

	return limit == SM_TIME_NOW || (limit > 0 && time(NULL) - c->ctime >=
	    limit);
}

/*
 * q_retry_owners - the failures the local hook filed, one bounce per
 * owner (or the sender); -1 when one could not be queued.
 */
int
q_retry_owners(const struct q_retry *x, const struct q_ctl *c, int dfd,
    const struct q_local *lo)
{
	static char noflags[] = "";	/* the R line's: no NOTIFY */
	const struct sm_options *o = x->opt;
	struct q_result *why;
	struct q_ctl b;
	struct sm_group g;
	struct sm_buf key;
	const size_t *items;
	size_t i, j, k, n;
	int rc = 0;

	if (lo->nerrs == 0)
		return 0;
	sm_group_init(&g, lo->nerrs);
	sm_buf_init(&key, 0);
	for (i = 0; i < lo->nerrs; i++) {
		/* "s": the sender; "o<owner>": an owner- alias. */
		sm_buf_reset(&key);
		(void)sm_buf_printf(&key, "%s%s", lo->errs[i].owner != NULL ?
		    "o" : "s", lo->errs[i].owner != NULL ?
		    lo->errs[i].owner : "");
		sm_group_put(&g, i, sm_buf_str(&key));
	}
	sm_group_sort(&g);
	for (k = 0; k < g.keys.n; k++) {
		char *owner;

		items = sm_group_items(&g, k, &n);
		owner = lo->errs[items[0]].owner;
		b = *c;
		b.sender = owner != NULL ? owner : c->sender;
		b.nrcpts = n;
		b.rcpts = sm_calloc(b.nrcpts, sizeof(*b.rcpts));
		why = sm_calloc(b.nrcpts, sizeof(*why));
		for (j = 0; j < b.nrcpts; j++) {
			i = items[j];
			b.rcpts[j].addr = lo->errs[i].target;
			b.rcpts[j].flags = noflags;
			why[j] = lo->errs[i].res;
		}
		if (q_dsn_bounce(x->qdir, &b, dfd, why, x->hostname,
		    o->DoubleBounceAddress, o->RecipientFactor) < 0)
			rc = -1;
		free(b.rcpts);
		free(why);
	}
	sm_buf_free(&key);
	sm_group_free(&g);
	return rc;
}

/* warn_once - Timeout.queuewarn: one delay notice, marked by flag w */
static void
warn_once(const struct q_retry *x, struct q_ctl *c, const struct q_result *res)
{
	const struct sm_options *o = x->opt;
	long warn = o->to.queuewarn[SM_CLASS_NORMAL];
	size_t n;

	if (warn <= 0 || time(NULL) - c->ctime < warn ||
	    (c->flags != NULL && strchr(c->flags, 'w') != NULL))
		return;
	if (q_dsn_warn(x->qdir, c, res, x->hostname, warn,
	    o->to.queuereturn[SM_CLASS_NORMAL]) < 0)
		return;			/* try again at the next run */
	n = c->flags != NULL ? strlen(c->flags) : 0;
	c->flags = sm_realloc(c->flags, n + 2);
	c->flags[n] = 'w';
	c->flags[n + 1] = '\0';
}

/*
 * q_retry_finish - record the results of an attempt (tried: false when
 * it does not count): bounce, rewrite or remove
 */
void
q_retry_finish(const struct q_retry *x, struct q_ctl *c, int dfd,
    struct q_result *res, bool tried, const char *qf, const char *df)
{
	const struct sm_options *o = x->opt;
	bool bounce = false, left = false;
	bool old = tried && q_retry_expired(o, c);
	const char *reason = NULL;
	size_t i;

	for (i = 0; i < c->nrcpts; i++) {
		if (res[i].status == Q_TEMPFAIL && old) {
			/* Timeout.queuereturn: give up, tell the sender. */
			(void)snprintf(res[i].dsn, sizeof(res[i].dsn), "4.4.7");
			(void)snprintf(res[i].text, sizeof(res[i].text),
			    "Message could not be delivered for too long "
			    "(last: %.400s)", c->rcpts[i].status != NULL ?
			    c->rcpts[i].status : "no attempt");
			res[i].status = Q_PERMFAIL;
		}
		switch (res[i].status) {
		case Q_OK:
			c->rcpts[i].done = true;
			break;
		case Q_PERMFAIL:
			bounce = true;
			break;
		case Q_TEMPFAIL:
			left = true;
			free(c->rcpts[i].status);
			c->rcpts[i].status = sm_strdup(res[i].text);
			reason = c->rcpts[i].status;
			break;
		}
	}
	if (bounce) {
		if (q_dsn_bounce(x->qdir, c, dfd, res, x->hostname,
		    o->DoubleBounceAddress, o->RecipientFactor) < 0)
			left = true;	/* keep them: nothing may be lost */
		else
			for (i = 0; i < c->nrcpts; i++)
				if (res[i].status == Q_PERMFAIL)
					c->rcpts[i].done = true;
	}
	for (i = 0; i < c->nrcpts; i++)
		if (!c->rcpts[i].done)
			left = true;
	if (!left) {
		/* The control file goes first: a data file alone is inert. */
		if (unlink(qf) < 0 || unlink(df) < 0)
			sm_warn("%s: cannot remove the queue files", c->id);
		return;
	}
	if (tried) {
		warn_once(x, c, res);
		c->ntries++;
		c->last = time(NULL);
		c->priority += o->RetryFactor;
	}
	free(c->status);
	c->status = reason != NULL ? sm_strdup(reason) : NULL;
	if (q_ctl_rewrite(c, x->qfdir, o->SuperSafe != 'f') < 0)
		sm_warn("%s: cannot rewrite the control file", c->id);
}
