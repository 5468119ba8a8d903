/*
 * sm_strset - an ordered set of strings with a hash index; see
 * sm_strset.h.
 */
#include "sm_strset.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "sm_alloc.h"

#define SM_STRSET_MINSLOT	16

static uint8_t	key[16];	/* the hash key of this process */
static bool	keyed;

/* lower - ASCII lower case, as strcasecmp() in the C locale folds */
static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* rotl - rotate a 64-bit word left */
static uint64_t
rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* le64 - eight bytes, least significant first */
static uint64_t
le64(const uint8_t *p)
{
	uint64_t w = 0;
	int i;

	for (i = 7; i >= 0; i--)
		w = (w << 8) | p[i];
	return w;
}

/* sip_round - one SipRound over the state */
static void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

/* sip_word - absorb one 64-bit word (two rounds: SipHash-2-4) */
static void
sip_word(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

/* sip - SipHash-2-4 of p[0..n) under k, bytes folded to lower case */
static uint64_t
sip(const uint8_t k[16], const unsigned char *p, size_t n, bool fold)
{
	uint64_t k0 = le64(k), k1 = le64(k + 8), v[4];
	uint8_t w[8];
	size_t i, j;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= n; i += 8) {
		for (j = 0; j < 8; j++)
			w[j] = fold ? lower(p[i + j]) : p[i + j];
		sip_word(v, le64(w));
	}
	/* The last word: the bytes left, and the length in its top byte. */
	memset(w, 0, sizeof(w));
	for (j = 0; i + j < n; j++)
		w[j] = fold ? lower(p[i + j]) : p[i + j];
	w[7] = (uint8_t)n;
	sip_word(v, le64(w));
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* sm_siphash - SipHash-2-4 of p[0..n) under k (tests check the vectors) */
uint64_t
sm_siphash(const uint8_t k[16], const void *p, size_t n)
{
	return sip(k, p, n, false);
}

/*
 * make_key - this process's hash key, once.  Without getrandom(2) (a
 * kernel before 3.17) the clock and the process id still make the key
 * hard to guess from outside.
 */
static void
make_key(void)
{
	struct timespec ts;
	uint64_t a, b;

	if (keyed)
		return;
	if (getrandom(key, sizeof(key), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(key)) {
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		a = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30);
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		b = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
		    (uint64_t)(uintptr_t)&ts;
		memcpy(key, &a, 8);
		memcpy(key + 8, &b, 8);
	}
	keyed = true;
}

/* same - equal strings, as the set compares them */
static bool
same(const struct sm_strset *s, const char *a, const char *b)
{
	return s->fold ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* sm_strset_init - an empty set; fold: ASCII case does not matter */
void
sm_strset_init(struct sm_strset *s, bool fold)
{
	memset(s, 0, sizeof(*s));
	s->fold = fold;
}

/*
 * lookup - the slot that holds str (hash h), or the empty slot where it
 * would go; the table must have an empty slot
 */
static struct sm_strset_slot *
lookup(struct sm_strset *s, const char *str, uint64_t h)
{
	size_t mask = s->nslot - 1, i = (size_t)h & mask;
	struct sm_strset_slot *sl;

	for (;; i = (i + 1) & mask) {
		sl = &s->slot[i];
		s->probes++;
		if (sl->idx == 0 || (sl->hash == h &&
		    same(s, s->v[sl->idx - 1], str)))
			return sl;
	}
}

/* grow - twice the slots (or the first ones), every string placed again */
static void
grow(struct sm_strset *s)
{
	struct sm_strset_slot *old = s->slot, *sl;
	size_t n = s->nslot, i;

	s->nslot = n == 0 ? SM_STRSET_MINSLOT : n * 2;
	s->slot = sm_calloc(s->nslot, sizeof(*s->slot));
	for (i = 0; i < n; i++) {
		if (old[i].idx == 0)
			continue;
		for (sl = &s->slot[old[i].hash & (s->nslot - 1)]; sl->idx != 0;
		    sl = sl + 1 < s->slot + s->nslot ? sl + 1 : s->slot)
			;
		*sl = old[i];
	}
	free(old);
}

/* hash - of str, under this process's key and the set's folding */
static uint64_t
hash(const struct sm_strset *s, const char *str)
{
	make_key();
	return sip(key, (const unsigned char *)str, strlen(str), s->fold);
}

/*
 * sm_strset_add - str's index in the set: a copy of it goes at the end
 * (*added true) unless an equal string is there (*added false; added
 * may be NULL)
 */
size_t
sm_strset_add(struct sm_strset *s, const char *str, bool *added)
{
	struct sm_strset_slot *sl;
	uint64_t h = hash(s, str);

	/* At most half full: probe runs stay short. */
	if ((s->n + 1) * 2 > s->nslot)
		grow(s);
	sl = lookup(s, str, h);
	if (added != NULL)
		*added = sl->idx == 0;
	if (sl->idx != 0)
		return sl->idx - 1;
	if (s->n == s->cap) {
		s->cap = s->cap < 8 ? 8 : s->cap * 2;
		s->v = sm_reallocarray(s->v, s->cap, sizeof(s->v[0]));
	}
	s->v[s->n] = sm_strdup(str);
	sl->hash = h;
	sl->idx = ++s->n;
	return s->n - 1;
}

/* sm_strset_find - is str in the set?  *idx (may be NULL) gets where */
bool
sm_strset_find(struct sm_strset *s, const char *str, size_t *idx)
{
	struct sm_strset_slot *sl;

	if (s->n == 0)
		return false;
	sl = lookup(s, str, hash(s, str));
	if (sl->idx == 0)
		return false;
	if (idx != NULL)
		*idx = sl->idx - 1;
	return true;
}

/* sm_strset_clear - free the strings and the index; the set stays usable */
void
sm_strset_clear(struct sm_strset *s)
{
	size_t i;
	bool fold = s->fold;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->slot);
	sm_strset_init(s, fold);
}
