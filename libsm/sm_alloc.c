/*
 * sm_alloc - allocation that never returns NULL; see sm_alloc.h.
 */
#include "sm_alloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm_log.h"

/* nomem - the environment failed: temporary failure, let callers retry */
static void *
nomem(size_t n)
{
	sm_fatalx(EX_TEMPFAIL, "out of memory allocating %zu bytes", n);
}

/* sm_malloc - malloc that exits on failure; a zero size gets one byte */
void *
sm_malloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	return p != NULL ? p : nomem(n);
}

/* sm_calloc - zeroed array of nmemb elements of size bytes */
void *
sm_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);

	return p != NULL ? p : nomem(nmemb * size);
}

/* sm_realloc - realloc that exits on failure */
void *
sm_realloc(void *old, size_t n)
{
	void *p = realloc(old, n == 0 ? 1 : n);

	return p != NULL ? p : nomem(n);
}

/* sm_reallocarray - realloc nmemb * size bytes, refusing overflow */
void *
sm_reallocarray(void *old, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		sm_panic("sm_reallocarray: %zu * %zu overflows", nmemb, size);
	return sm_realloc(old, nmemb * size);
}

/* sm_strdup - copy a string */
char *
sm_strdup(const char *s)
{
	return sm_strndup(s, strlen(s));
}

/* sm_strndup - copy at most n bytes of s, terminated */
char *
sm_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p;

	if (len == SIZE_MAX)
		sm_panic("sm_strndup: length overflows");
	p = sm_malloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
