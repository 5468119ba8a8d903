/*
 * sm_group - items put into groups by a key; see sm_group.h.
 */
#include "sm_group.h"

#include <stdlib.h>
#include <string.h>

#include "sm_alloc.h"

/* sm_group_init - room for n items, none put */
void
sm_group_init(struct sm_group *g, size_t n)
{
	memset(g, 0, sizeof(*g));
	sm_strset_init(&g->keys, false);
	g->n = n;
	g->of = sm_calloc(n + 1, sizeof(*g->of));
	g->in = sm_calloc(n + 1, sizeof(*g->in));
	g->item = sm_calloc(n + 1, sizeof(*g->item));
}

/* sm_group_put - item i goes to the group of key */
void
sm_group_put(struct sm_group *g, size_t i, const char *key)
{
	g->of[i] = sm_strset_add(&g->keys, key, NULL);
	g->in[i] = true;
}

/* sm_group_sort - after every sm_group_put: each group's items, by a
 * counting sort */
void
sm_group_sort(struct sm_group *g)
{
	size_t i, k, *next = sm_calloc(g->keys.n + 1, sizeof(*next));

	g->start = sm_calloc(g->keys.n + 1, sizeof(*g->start));
	for (i = 0; i < g->n; i++)
		if (g->in[i])
			g->start[g->of[i] + 1]++;
	for (k = 0; k < g->keys.n; k++)
		g->start[k + 1] += g->start[k];
	for (i = 0; i < g->n; i++)
		if (g->in[i]) {
			k = g->of[i];
			g->item[g->start[k] + next[k]++] = i;
		}
	free(next);
}

/* sm_group_items - the items of group k, *len of them */
const size_t *
sm_group_items(const struct sm_group *g, size_t k, size_t *len)
{
	*len = g->start[k + 1] - g->start[k];
	return &g->item[g->start[k]];
}

/* sm_group_free - what sm_group_init and the rest made */
void
sm_group_free(struct sm_group *g)
{
	sm_strset_clear(&g->keys);
	free(g->of);
	free(g->in);
	free(g->start);
	free(g->item);
}
