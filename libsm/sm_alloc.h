/*
 * sm_alloc - memory allocation that never returns NULL.
 *
 * On exhaustion these log and exit EX_TEMPFAIL through sm_fatalx(), so
 * the exit hook of sm_log (a session child's 421) still runs.  Sizes
 * that are products go through sm_reallocarray(), which checks for
 * overflow.  Memory is released with free().
 */
#ifndef SM_ALLOC_H
#define SM_ALLOC_H

#include "sm_config.h"

#include <stddef.h>

void	*sm_malloc(size_t);
void	*sm_calloc(size_t, size_t);
void	*sm_realloc(void *, size_t);
void	*sm_reallocarray(void *, size_t, size_t);
char	*sm_strdup(const char *);
char	*sm_strndup(const char *, size_t);

#endif /* SM_ALLOC_H */
