/*
 * clients - counts per client address in a sliding window; see
 * clients.h.  Runs in the master (connections, its own table) and in
 * the session children (AUTH failures, a table they share).
 */
#include "clients.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_deadline.h"
#include "sm_log.h"

#define CLIENTS_PROBES	8	/* slots looked at for one address */

struct clients_slot {
	struct clients_addr a;
	bool		 used;
	time_t		 last;		/* when it last counted */
	long		 slice[CLIENTS_SLICES];	/* its number: time / width */
	unsigned	 count[CLIENTS_SLICES];
};

struct clients {
	_Atomic int	 lock;		/* the holder's pid, 0: free */
	bool		 shared;
	long		 width;		/* seconds per slice */
	size_t		 size;		/* of the whole table, mapped */
	struct clients_slot v[CLIENTS_SLOTS];
};

/* clients_new - an empty table, shared with later children or not */
struct clients *
clients_new(bool shared)
{
	struct clients *t;

	if (!shared)
		t = sm_calloc(1, sizeof(*t));
	else {
		t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (t == MAP_FAILED)
			return NULL;		/* the kernel zeroed it */
	}
	atomic_init(&t->lock, 0);
	t->shared = shared;
	t->size = sizeof(*t);
	return t;
}

/* clients_free - the table and its memory */
void
clients_free(struct clients *t)
{
	if (t == NULL)
		return;
	if (t->shared)
		(void)munmap(t, t->size);
	else
		free(t);
}

/* clients_addr - the key of an inet or inet6 address; false otherwise */
bool
clients_addr(const struct sockaddr_storage *ss, struct clients_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		memcpy(a->b, &((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_addr, sizeof(a->b));
		return true;
	}
	if (ss->ss_family != AF_INET)
		return false;
	/* As the kernel shows it on an IPv6 socket: both are one client. */
	a->b[10] = a->b[11] = 0xff;
	memcpy(a->b + 12, &((const struct sockaddr_in *)(const void *)ss)->
	    sin_addr, 4);
	return true;
}

/* clients_addr_local - 127.0.0.1 or ::1, this host's own programs? */
bool
clients_addr_local(const struct clients_addr *a)
{
	static const unsigned char v4[16] = { [10] = 0xff, [11] = 0xff,
	    [12] = 127, [15] = 1 };
	static const unsigned char v6[16] = { [15] = 1 };

	return memcmp(a->b, v4, sizeof(v4)) == 0 ||
	    memcmp(a->b, v6, sizeof(v6)) == 0;
}

/* clients_addr_eq - one address? */
bool
clients_addr_eq(const struct clients_addr *x, const struct clients_addr *y)
{
	return memcmp(x->b, y->b, sizeof(x->b)) == 0;
}

/*
 * lock - t, for one look or change.  The holder never waits while it
 * holds it, so a short sleep between tries is enough; a holder that
 * died in that instant leaves its pid behind, and the lock is taken
 * from it.
 */
static bool
lock(struct clients *t)
{
	static bool said;
	struct sm_deadline dl;
	int self = (int)getpid(), holder = 0;

	if (!t->shared)
		return true;
	sm_deadline_in_ms(&dl, CLIENTS_LOCK_MS);
	while (!atomic_compare_exchange_strong(&t->lock, &holder, self)) {
		if (kill((pid_t)holder, 0) < 0 && errno == ESRCH &&
		    atomic_compare_exchange_strong(&t->lock, &holder, self))
			return true;
		if (sm_deadline_expired(&dl)) {
			if (!said)
				sm_warnx("the table of client addresses stays "
				    "locked by process %d; not counted", holder);
			said = true;
			return false;
		}
		(void)usleep(1000);
		holder = 0;
	}
	return true;
}

/* unlock - the end of a look or change */
static void
unlock(struct clients *t)
{
	if (t->shared)
		atomic_store(&t->lock, 0);
}

/* hash - where an address's probes start */
static size_t
hash(const struct clients_addr *a)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(a->b); i++)
		h = (h ^ a->b[i]) * 16777619u;
	return h % CLIENTS_SLOTS;
}

/*
 * slot - a's slot: the one it has, else (with make) a free one among its
 * probes, else the one of those used longest ago, emptied for it; NULL
 * when a has none and make is not set
 */
static struct clients_slot *
slot(struct clients *t, const struct clients_addr *a, bool make)
{
	struct clients_slot *s, *best = NULL;
	size_t i, h = hash(a);

	for (i = 0; i < CLIENTS_PROBES; i++) {
		s = &t->v[(h + i) % CLIENTS_SLOTS];
		if (s->used && clients_addr_eq(&s->a, a))
			return s;
		if (best == NULL || (best->used &&
		    (!s->used || s->last < best->last)))
			best = s;
	}
	if (!make)
		return NULL;
	memset(best, 0, sizeof(*best));
	best->a = *a;
	best->used = true;
	return best;
}

/* restart - a new slice width: what was counted means nothing now */
static void
restart(struct clients *t, long width)
{
	memset(t->v, 0, sizeof(t->v));
	t->width = width;
}

/* take_back - one fewer in the latest slice of the window that has any */
static void
take_back(struct clients_slot *s, long now, long nslices)
{
	long best = -1;
	size_t i;

	for (i = 0; i < CLIENTS_SLICES; i++)
		if (s->count[i] > 0 && s->slice[i] > now - nslices &&
		    s->slice[i] <= now && (best < 0 ||
		    s->slice[i] > s->slice[best]))
			best = (long)i;
	if (best >= 0)
		s->count[best]--;
}

/* clients_add - count delta (1, 0 or -1) for a now; see clients.h */
unsigned
clients_add(struct clients *t, const struct clients_addr *a, long window,
    int delta)
{
	struct clients_slot *s;
	time_t secs = sm_clock_sec();
	long width, now, nslices;
	unsigned n = 0;
	size_t i, cur;

	if (t == NULL || window <= 0 || !lock(t))
		return 0;
	width = (window + CLIENTS_SLICES - 1) / CLIENTS_SLICES;
	nslices = (window + width - 1) / width;
	if (width != t->width)
		restart(t, width);
	now = (long)(secs / width);
	/* Only a new count takes a slot (and may push another out). */
	if ((s = slot(t, a, delta > 0)) == NULL) {
		unlock(t);
		return 0;
	}
	cur = (size_t)now % CLIENTS_SLICES;
	if (s->slice[cur] != now) {
		s->slice[cur] = now;
		s->count[cur] = 0;
	}
	if (delta > 0) {
		s->count[cur]++;
		s->last = secs;
	} else if (delta < 0)
		take_back(s, now, nslices);
	for (i = 0; i < CLIENTS_SLICES; i++)
		if (s->slice[i] > now - nslices && s->slice[i] <= now)
			n += s->count[i];
	unlock(t);
	return n;
}
