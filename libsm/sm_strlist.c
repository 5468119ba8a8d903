/*
 * sm_strlist - a growable list of owned strings; see sm_strlist.h.
 */
#include "sm_strlist.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm_alloc.h"

/*
 * sm_strlist_add - append a copy of s.  The array doubles when full, so
 * n additions copy O(n) pointers in all, not O(n * n) as growing it by
 * one each time can (realloc moves a block it cannot extend in place).
 */
void
sm_strlist_add(struct sm_strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap < 8 ? 8 : l->cap * 2;
		l->v = sm_reallocarray(l->v, l->cap, sizeof(l->v[0]));
	}
	l->v[l->n++] = sm_strdup(s);
}

/* sm_strlist_clear - free every string and the array */
void
sm_strlist_clear(struct sm_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* sm_strlist_continue - append "\n" and n bytes of p to the last string */
void
sm_strlist_continue(struct sm_strlist *l, const char *p, size_t n)
{
	char **last = &l->v[l->n - 1];
	size_t old = strlen(*last);

	*last = sm_realloc(*last, old + n + 2);
	(*last)[old] = '\n';
	memcpy(*last + old + 1, p, n);
	(*last)[old + n + 1] = '\0';
}

/* sm_word_in - is word[0..n) in the blank- or comma-separated list? */
bool
sm_word_in(const char *list, const char *word, size_t n)
{
	const char *p = list;
	size_t m;

	while (*p != '\0') {
		p += strspn(p, " \t,");
		m = strcspn(p, " \t,");
		if (m > 0 && m == n && strncasecmp(p, word, n) == 0)
			return true;
		p += m;
	}
	return false;
}
