/*
 * q_hoststat - the host status cache in Berkeley DB; see q_hoststat.h.
 */
#include "q_hoststat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_map.h"
#include "sm_opt.h"
#include "sm_strlist.h"

/* q_hs_dir - HostStatusDirectory, relative to the queue; "" when unset */
void
q_hs_dir(const struct sm_options *o, char *buf, size_t len)
{
	const char *d = o->HostStatusDirectory;

	if (d[0] == '\0')
		buf[0] = '\0';
	else if (d[0] == '/')
		(void)snprintf(buf, len, "%s", d);
	else
		(void)snprintf(buf, len, "%s/%s", o->QueueDirectory, d);
}

/* key - the cache key of a host: lower case, no trailing dot */
static void
key(const char *host, char *buf, size_t len)
{
	size_t i;

	for (i = 0; host[i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)host[i]);
	buf[i] = '\0';
	if (i > 1 && buf[i - 1] == '.')
		buf[i - 1] = '\0';
}

/* lock - the cache's lock file, held for one short access; -1 if not had */
static int
lock(const char *dir)
{
	char path[4200];
	struct flock fl;
	int fd, waited = 0;

	(void)mkdir(dir, 0700);
	(void)snprintf(path, sizeof(path), "%s/hoststat.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		sm_warn("host status: %s", path);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	/* A bounded wait: the holder's access is a few milliseconds. */
	while (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
		if ((errno != EAGAIN && errno != EACCES) ||
		    waited >= Q_HS_LOCK_WAIT_MS) {
			sm_warnx("host status: %s busy, no cached status used",
			    path);
			(void)close(fd);
			return -1;
		}
		(void)usleep(10000);
		waited += 10;
	}
	return fd;
}

/* open_db - the hash file; created when create is set */
static struct sm_map *
open_db(const char *dir, bool create)
{
	char path[4200], err[512];
	struct sm_map *m;

	(void)snprintf(path, sizeof(path), "%s/hoststat.db", dir);
	m = sm_map_open(path, SM_MAP_HASH, 0, err, sizeof(err));
	if (m == NULL && create && errno == ENOENT)
		m = sm_map_open(path, SM_MAP_HASH, SM_MAP_CREATE, err,
		    sizeof(err));
	if (m == NULL && (create || errno != ENOENT))
		sm_warnx("host status: %s (no cached status used)", err);
	return m;
}

/* decode - "when state err dsn\treply" */
static int
decode(const char *v, size_t len, struct q_hs_entry *e)
{
	char buf[512], *tab;
	long long when;
	int state;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	memset(e, 0, sizeof(*e));
	if (sscanf(buf, "%lld %d %d %15s", &when, &state, &e->err, e->dsn) !=
	    4 || state < Q_HS_OK || state > Q_HS_PERM)
		return -1;
	e->when = (time_t)when;
	e->state = (enum q_hs_state)state;
	if ((tab = strchr(buf, '\t')) != NULL)
		(void)snprintf(e->reply, sizeof(e->reply), "%s", tab + 1);
	return 0;
}

/* q_hs_get - the cached status of host */
int
q_hs_get(const char *dir, const char *host, struct q_hs_entry *e)
{
	struct sm_map *m;
	struct sm_buf v;
	char k[300];
	int fd, rc = 1;

	if ((fd = lock(dir)) < 0)
		return -1;
	key(host, k, sizeof(k));
	if ((m = open_db(dir, false)) != NULL) {
		sm_buf_init(&v, 1024);
		rc = sm_map_get(m, k, strlen(k), &v);
		if (rc == 0 && decode(v.data, v.len, e) < 0) {
			sm_warnx("host status: bad record for %s ignored", k);
			rc = 1;
		}
		sm_buf_free(&v);
		(void)sm_map_close(m);
	}
	(void)close(fd);
	return rc < 0 ? -1 : rc;
}

/* q_hs_put - record host's status */
int
q_hs_put(const char *dir, const char *host, const struct q_hs_entry *e)
{
	struct sm_map *m;
	char k[300], v[512];
	int fd, rc = -1;

	if ((fd = lock(dir)) < 0)
		return -1;
	key(host, k, sizeof(k));
	(void)snprintf(v, sizeof(v), "%lld %d %d %s\t%s", (long long)e->when,
	    (int)e->state, e->err, e->dsn[0] != '\0' ? e->dsn : "-",
	    e->reply);
	if ((m = open_db(dir, true)) != NULL) {
		rc = sm_map_put(m, k, strlen(k), v, strlen(v), true);
		if (sm_map_close(m) < 0)
			rc = -1;
	}
	(void)close(fd);
	return rc < 0 ? -1 : 0;
}

/* del_keys - remove the keys listed */
static void
del_keys(const char *dir, const struct sm_strlist *keys)
{
	char path[4200];
	size_t i;
	struct sm_map *m;
	char err[256];

	(void)snprintf(path, sizeof(path), "%s/hoststat.db", dir);
	if ((m = sm_map_open(path, SM_MAP_HASH, 0, err, sizeof(err))) == NULL)
		return;
	for (i = 0; i < keys->n; i++)
		(void)sm_map_del(m, keys->v[i], strlen(keys->v[i]));
	(void)sm_map_close(m);
}

/* q_hs_clear - forget host (after a success) */
int
q_hs_clear(const char *dir, const char *host)
{
	struct sm_strlist keys = { NULL, 0 };
	char k[300];
	int fd;

	if ((fd = lock(dir)) < 0)
		return -1;
	key(host, k, sizeof(k));
	sm_strlist_add(&keys, k);
	del_keys(dir, &keys);
	sm_strlist_clear(&keys);
	(void)close(fd);
	return 0;
}

struct walk {
	void	(*fn)(void *, const char *, const struct q_hs_entry *);
	void	*ctx;
	long	 maxage;
	struct sm_strlist old;
};

/* visit - one record of the file */
static int
visit(void *ctx, const void *k, size_t kl, const void *v, size_t vl)
{
	struct walk *w = ctx;
	struct q_hs_entry e;
	char name[300];

	(void)snprintf(name, sizeof(name), "%.*s", (int)kl, (const char *)k);
	if (decode(v, vl, &e) < 0)
		return 0;
	if (w->fn != NULL)
		w->fn(w->ctx, name, &e);
	else if (time(NULL) - e.when >= w->maxage)
		sm_strlist_add(&w->old, name);
	return 0;
}

/* q_hs_walk - every record, for hoststat */
int
q_hs_walk(const char *dir, void (*fn)(void *, const char *,
    const struct q_hs_entry *), void *ctx)
{
	struct walk w = { fn, ctx, 0, { NULL, 0 } };
	struct sm_map *m;
	int fd;

	if ((fd = lock(dir)) < 0)
		return -1;
	if ((m = open_db(dir, false)) != NULL) {
		(void)sm_map_walk(m, visit, &w);
		(void)sm_map_close(m);
	}
	(void)close(fd);
	return 0;
}

/* q_hs_purge - remove records older than maxage seconds (purgestat) */
int
q_hs_purge(const char *dir, long maxage)
{
	struct walk w = { NULL, NULL, maxage, { NULL, 0 } };
	struct sm_map *m;
	int fd;

	if ((fd = lock(dir)) < 0)
		return -1;
	if ((m = open_db(dir, false)) != NULL) {
		(void)sm_map_walk(m, visit, &w);
		(void)sm_map_close(m);
		del_keys(dir, &w.old);
	}
	sm_strlist_clear(&w.old);
	(void)close(fd);
	return 0;
}

/* host_lock_path - the per-host lock file of SingleThreadDelivery */
static void
host_lock_path(const char *dir, const char *host, char *buf, size_t len)
{
	char k[300];
	size_t i;

	key(host, k, sizeof(k));
	for (i = 0; k[i] != '\0'; i++)
		if (k[i] == '/')
			k[i] = '_';	/* a key never names another directory */
	(void)snprintf(buf, len, "%s/%s.lock", dir, k);
}

/*
 * q_hs_host_lock - SingleThreadDelivery: an exclusive lock on host held
 * while the connection is open (close the descriptor to release it);
 * -1 when another process holds it; -2 when the lock file cannot be
 * used (logged: the delivery goes ahead without it).
 */
int
q_hs_host_lock(const char *dir, const char *host)
{
	char path[4400];
	struct flock fl;
	int fd;

	(void)mkdir(dir, 0700);
	host_lock_path(dir, host, path, sizeof(path));
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		sm_warn("host status: %s (delivering without the host lock)",
		    path);
		return -2;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
		(void)close(fd);
		return errno == EAGAIN || errno == EACCES ? -1 : -2;
	}
	return fd;
}

/* q_hs_host_locked - is a delivery to host in progress (hoststat's *)? */
bool
q_hs_host_locked(const char *dir, const char *host)
{
	char path[4400];
	struct flock fl;
	bool locked = false;
	int fd;

	host_lock_path(dir, host, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		locked = true;
	(void)close(fd);
	return locked;
}
