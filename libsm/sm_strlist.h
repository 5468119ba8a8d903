/*
 * sm_strlist - a growable list of strings the list owns.
 *
 *	struct sm_strlist l = { NULL, 0 };
 *	sm_strlist_add(&l, "word");	appends a copy
 *	sm_strlist_continue(&l, p, n);	the last string += "\n" p[0..n)
 *	l.v[i], l.n
 *	sm_strlist_clear(&l);		frees the copies; l is empty again
 *
 *	sm_word_in("PLAIN LOGIN", w, n)	is w[0..n) one of the words of a
 *					blank- or comma-separated list?
 *					(case does not matter)
 */
#ifndef SM_STRLIST_H
#define SM_STRLIST_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

struct sm_strlist {
	char	**v;
	size_t	  n;
	size_t	  cap;		/* room in v; grows by doubling */
};

void	sm_strlist_add(struct sm_strlist *, const char *);
void	sm_strlist_clear(struct sm_strlist *);
void	sm_strlist_continue(struct sm_strlist *, const char *, size_t);
bool	sm_word_in(const char *, const char *, size_t);

#endif /* SM_STRLIST_H */
