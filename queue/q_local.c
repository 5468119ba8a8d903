/*
 * q_local - what the local delivery hook of a queue run reports for one
 * recipient; see q_local.h.
 */
#include "q_local.h"

#include <stdlib.h>
#include <string.h>

#include "sm_alloc.h"
#include "sm_buf.h"

#define Q_LOCAL_DONE	"{local_done}"

/* q_local_add_err - file a failure under owner (NULL: the sender) */
void
q_local_add_err(struct q_local *lo, const char *owner, const char *target,
    const struct q_result *res)
{
	struct q_local_err *e;

	lo->errs = sm_reallocarray(lo->errs, lo->nerrs + 1, sizeof(*lo->errs));
	e = &lo->errs[lo->nerrs++];
	e->owner = owner != NULL ? sm_strdup(owner) : NULL;
	e->target = sm_strdup(target);
	e->res = *res;
}

/* q_local_free - what q_local holds */
void
q_local_free(struct q_local *lo)
{
	size_t i;

	for (i = 0; i < lo->nerrs; i++) {
		free(lo->errs[i].owner);
		free(lo->errs[i].target);
	}
	free(lo->errs);
	sm_strlist_clear(&lo->forwards);
	sm_strset_clear(&lo->done);
	memset(lo, 0, sizeof(*lo));
}

/* q_local_done_read - the targets that have this message already */
void
q_local_done_read(const struct q_ctl *c, struct sm_strset *done)
{
	const char *v = q_ctl_macro(c, "local_done");
	char *copy, *w, *save = NULL;

	if (v == NULL)
		return;
	copy = sm_strdup(v);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		(void)sm_strset_add(done, w, NULL);
	free(copy);
}

/*
 * q_local_done_write - and the macro that keeps them, when it changed
 * (done holds more than before)
 */
void
q_local_done_write(struct q_ctl *c, const struct sm_strset *done, size_t before)
{
	struct sm_buf b;
	size_t i;

	if (done->n == before)
		return;
	sm_buf_init(&b, 0);
	(void)sm_buf_puts(&b, Q_LOCAL_DONE);
	for (i = 0; i < done->n; i++)
		(void)sm_buf_printf(&b, "%s%s", i > 0 ? " " : "", done->v[i]);
	for (i = 0; i < c->macros.n; i++)
		if (strncmp(c->macros.v[i], Q_LOCAL_DONE,
		    strlen(Q_LOCAL_DONE)) == 0)
			break;
	if (i < c->macros.n) {
		free(c->macros.v[i]);
		c->macros.v[i] = sm_buf_detach(&b);
	} else {
		sm_strlist_add(&c->macros, sm_buf_str(&b));
		sm_buf_free(&b);
	}
}
