/*
 * sm_group - items put into groups by a string key, in linear time.
 *
 * SYNOPSIS
 *	struct sm_group g;
 *	sm_group_init(&g, n)		room for items 0 to n - 1
 *	sm_group_put(&g, i, "key")	item i goes to the group of "key"
 *	sm_group_sort(&g)		after the last put
 *	g.keys.n			how many groups
 *	items = sm_group_items(&g, k, &len)	group k's item numbers
 *	sm_group_free(&g)
 *
 * DESCRIPTION
 *	Groups are numbered in the order of their first sm_group_put, and
 *	a group's items come in increasing order; an item never put is in
 *	no group.  The keys are told apart exactly (case matters), by a
 *	strset (sm_strset), and the items sorted by counting, so that n
 *	items cost time in proportion to n however many groups they make.
 *	Used for a message's recipients: one transaction per destination,
 *	one bounce per owner.
 */
#ifndef SM_GROUP_H
#define SM_GROUP_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "sm_strset.h"

struct sm_group {
	struct sm_strset keys;		/* one per group */
	size_t		 n;		/* items */
	size_t		*of;		/* each item's group */
	bool		*in;		/* and whether it was put */
	size_t		*start;		/* keys.n + 1 of them */
	size_t		*item;		/* item numbers, by group */
};

void		 sm_group_init(struct sm_group *, size_t);
void		 sm_group_put(struct sm_group *, size_t, const char *);
void		 sm_group_sort(struct sm_group *);
const size_t	*sm_group_items(const struct sm_group *, size_t, size_t *);
void		 sm_group_free(struct sm_group *);

#endif /* SM_GROUP_H */
