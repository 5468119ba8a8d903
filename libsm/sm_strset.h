/*
 * sm_strset - a set of strings, in the order they were added, that
 * answers "is this one there already?" in constant time on average.
 *
 * SYNOPSIS
 *	struct sm_strset s;
 *	sm_strset_init(&s, fold)		fold: ASCII case does not
 *						matter ("A@B" is "a@b")
 *	i = sm_strset_add(&s, "word", &added)	its index; added says
 *						whether it was new (a copy
 *						is kept) or there already
 *	sm_strset_find(&s, "WORD", &i)		true when there, i its index
 *	s.v[i], s.n				the strings, oldest first
 *	sm_strset_clear(&s)			frees them; s is empty again
 *
 * DESCRIPTION
 *	For lists that grow with untrusted input, such as the recipients
 *	of one message, where a linear search per entry would make n
 *	entries cost n * n comparisons.  The index is a hash table with
 *	open addressing, kept at most half full; the hash is SipHash-2-4
 *	with a key drawn from getrandom(2) once per process, so that a
 *	client cannot choose strings that all land on one slot.
 *
 *	probes counts the slots looked at by add and find: n additions of
 *	distinct strings look at fewer than 2 * n slots on average (tests
 *	check that the cost stays linear).
 */
#ifndef SM_STRSET_H
#define SM_STRSET_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sm_strset_slot {
	uint64_t	 hash;
	size_t		 idx;		/* into v, plus one; 0: empty */
};

struct sm_strset {
	char			**v;		/* the strings, in order */
	size_t			  n;
	size_t			  cap;		/* room in v */
	struct sm_strset_slot	 *slot;
	size_t			  nslot;	/* 0 or a power of two */
	bool			  fold;		/* ASCII case ignored */
	unsigned long		  probes;	/* slots looked at */
};

void	sm_strset_init(struct sm_strset *, bool);
size_t	sm_strset_add(struct sm_strset *, const char *, bool *);
bool	sm_strset_find(struct sm_strset *, const char *, size_t *);
void	sm_strset_clear(struct sm_strset *);
uint64_t sm_siphash(const uint8_t [16], const void *, size_t);

#endif /* SM_STRSET_H */
