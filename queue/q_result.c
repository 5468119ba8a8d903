/*
 * q_result - a recipient's result in a delivery attempt; see q_result.h.
 */
#include "q_result.h"

#include <stdio.h>

/* q_result_vset - fill in a result, the text from fmt and ap */
void
q_result_vset(struct q_result *r, enum q_status st, const char *dsn,
    const char *fmt, va_list ap)
{
	r->status = st;
	(void)snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
	(void)vsnprintf(r->text, sizeof(r->text), fmt, ap);
}

/* q_result_set - fill in a result */
void
q_result_set(struct q_result *r, enum q_status st, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	q_result_vset(r, st, dsn, fmt, ap);
	va_end(ap);
}
