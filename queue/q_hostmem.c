/*
 * q_hostmem - a run's memory of hosts, shared by its runners; see
 * q_hostmem.h.
 */
#include "q_hostmem.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sm_deadline.h"
#include "sm_log.h"

/* q_hm_init - an empty table */
void
q_hm_init(struct q_hostmem *hm)
{
	memset(hm->v, 0, sizeof(hm->v));
	hm->n = 0;
	atomic_init(&hm->lock, 0);
}

/*
 * lock - hm, for one look or change; false when not had in time.  The
 * holder never waits while it holds it, so a short sleep between tries
 * is enough.
 */
static bool
lock(struct q_hostmem *hm)
{
	struct sm_deadline dl;
	bool waiting = false;

	while (atomic_exchange(&hm->lock, 1) != 0) {
		if (!waiting) {
			sm_deadline_in_ms(&dl, Q_HS_LOCK_WAIT_MS);
			waiting = true;
		} else if (sm_deadline_expired(&dl)) {
			sm_warnx("queue run: the runners' host status stays "
			    "locked; none used");
			return false;
		}
		(void)usleep(1000);
	}
	return true;
}

/* unlock - the end of a look or change */
static void
unlock(struct q_hostmem *hm)
{
	atomic_store(&hm->lock, 0);
}

/* find - host's place, or NULL */
static struct q_hm_host *
find(struct q_hostmem *hm, const char *host)
{
	size_t i;

	for (i = 0; i < hm->n; i++)
		if (strcasecmp(hm->v[i].host, host) == 0)
			return &hm->v[i];
	return NULL;
}

/*
 * make - host's place, a new one when it has none: a free one, else the
 * one heard of longest ago that nobody is trying; NULL when every host
 * kept is being tried
 */
static struct q_hm_host *
make(struct q_hostmem *hm, const char *host)
{
	struct q_hm_host *m = find(hm, host);
	size_t i;

	if (m != NULL)
		return m;
	if (hm->n < Q_HM_HOSTS)
		m = &hm->v[hm->n++];
	else
		for (i = 0; i < hm->n; i++)
			if (hm->v[i].trying == 0 && (m == NULL ||
			    hm->v[i].e.when < m->e.when))
				m = &hm->v[i];
	if (m == NULL)
		return NULL;
	memset(m, 0, sizeof(*m));
	(void)snprintf(m->host, sizeof(m->host), "%s", host);
	m->e.when = time(NULL);
	return m;
}

/* q_hm_look - what to do about a connection to host; see q_hostmem.h */
enum q_hm_state
q_hm_look(struct q_hostmem *hm, const char *host, long window, bool claim,
    struct q_hs_entry *e, pid_t *who)
{
	pid_t self = getpid();
	time_t now = time(NULL);
	enum q_hm_state st = Q_HM_GO;
	struct q_hm_host *m;

	if (!lock(hm))
		return Q_HM_GO;
	m = find(hm, host);
	if (m != NULL && m->known && m->e.state != Q_HS_OK &&
	    now - m->e.when < window) {
		*e = m->e;
		st = Q_HM_DOWN;
	} else if (m != NULL && m->trying != 0 && m->trying != self) {
		*who = m->trying;
		st = Q_HM_BUSY;
	} else if (m != NULL && (m->trying == self ||
	    (m->known && m->e.state == Q_HS_OK)))
		st = Q_HM_GO;
	else if (!claim)
		st = Q_HM_NONE;
	else if ((m = make(hm, host)) != NULL)
		m->trying = self;	/* the others wait for its outcome */
	unlock(hm);
	return st;
}

/* q_hm_set - host's new outcome; false when it was up and still is */
bool
q_hm_set(struct q_hostmem *hm, const char *host, const struct q_hs_entry *e)
{
	pid_t self = getpid();
	struct q_hm_host *m;
	bool news = true;

	if (!lock(hm))
		return true;
	if ((m = make(hm, host)) != NULL) {
		news = e->state != Q_HS_OK || !m->known ||
		    m->e.state != Q_HS_OK;
		m->e = *e;
		m->known = true;
		if (m->trying == self)
			m->trying = 0;
	}
	unlock(hm);
	return news;
}

/* q_hm_release - this process's attempt at host ended without outcome */
void
q_hm_release(struct q_hostmem *hm, const char *host)
{
	pid_t self = getpid();
	struct q_hm_host *m;

	if (!lock(hm))
		return;
	if ((m = find(hm, host)) != NULL && m->trying == self)
		m->trying = 0;
	unlock(hm);
}

/* q_hm_take - the first attempt at host is this process's from now */
void
q_hm_take(struct q_hostmem *hm, const char *host)
{
	pid_t self = getpid();
	struct q_hm_host *m;

	if (!lock(hm))
		return;
	if ((m = make(hm, host)) != NULL)
		m->trying = self;
	unlock(hm);
}

/* q_hm_alone - the other processes have ended: so have their attempts */
void
q_hm_alone(struct q_hostmem *hm)
{
	pid_t self = getpid();
	size_t i;

	if (!lock(hm))
		return;
	for (i = 0; i < hm->n; i++)
		if (hm->v[i].trying != self)
			hm->v[i].trying = 0;
	unlock(hm);
}

/* q_hm_clear - forget every host */
void
q_hm_clear(struct q_hostmem *hm)
{
	if (!lock(hm))
		return;
	hm->n = 0;
	unlock(hm);
}
