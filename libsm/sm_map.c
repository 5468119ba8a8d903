/*
 * sm_map - Berkeley DB 5.3 maps; see sm_map.h.
 *
 * Opened without a Berkeley DB environment: each access is short and
 * file locking is the caller's business, as it is for sendmail's maps.
 */
#include "sm_map.h"

#include <db.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_alloc.h"

struct sm_map {
	DB	*db;
};

/* sm_map_type - "hash" or "btree" */
int
sm_map_type(const char *name, enum sm_map_type *type)
{
	if (strcmp(name, "hash") == 0)
		*type = SM_MAP_HASH;
	else if (strcmp(name, "btree") == 0)
		*type = SM_MAP_BTREE;
	else
		return -1;
	return 0;
}

/* quiet - Berkeley DB's own messages: our callers report errors */
static void
quiet(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	(void)msg;
}

/* sm_map_open - open (or create) the map file at path */
struct sm_map *
sm_map_open(const char *path, enum sm_map_type type, int flags, char *err,
    size_t errlen)
{
	struct sm_map *m;
	DB *db;
	u_int32_t oflags = 0;
	int rc;

	if ((rc = db_create(&db, NULL, 0)) != 0) {
		(void)snprintf(err, errlen, "%s: %s", path, db_strerror(rc));
		return NULL;
	}
	db->set_errcall(db, quiet);
	if ((flags & SM_MAP_DUPS) && (rc = db->set_flags(db, DB_DUP)) != 0) {
		(void)snprintf(err, errlen, "%s: %s", path, db_strerror(rc));
		(void)db->close(db, 0);
		return NULL;
	}
	if (flags & SM_MAP_RDONLY)
		oflags |= DB_RDONLY;
	if (flags & SM_MAP_CREATE)
		oflags |= DB_CREATE | DB_EXCL;
	rc = db->open(db, NULL, path, NULL,
	    type == SM_MAP_HASH ? DB_HASH : DB_BTREE, oflags, 0640);
	if (rc != 0) {
		(void)snprintf(err, errlen, "%s: %s", path, db_strerror(rc));
		(void)db->close(db, 0);
		if (rc > 0)
			errno = rc;
		return NULL;
	}
	m = sm_calloc(1, sizeof(*m));
	m->db = db;
	return m;
}

/* dbt - a DBT over caller's bytes */
static DBT
dbt(const void *p, size_t len)
{
	DBT d;

	memset(&d, 0, sizeof(d));
	d.data = (void *)(uintptr_t)p;
	d.size = (u_int32_t)len;
	return d;
}

/* sm_map_put - store a value; see sm_map.h for the results */
int
sm_map_put(struct sm_map *m, const void *k, size_t klen, const void *v,
    size_t vlen, bool replace)
{
	DBT key = dbt(k, klen), val = dbt(v, vlen);
	u_int32_t flags = 0;
	int rc;

	if (klen > UINT32_MAX || vlen > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (!replace) {
		u_int32_t dbflags = 0;

		(void)m->db->get_flags(m->db, &dbflags);
		if (!(dbflags & DB_DUP))
			flags = DB_NOOVERWRITE;
	}
	rc = m->db->put(m->db, NULL, &key, &val, flags);
	if (rc == DB_KEYEXIST)
		return 1;
	if (rc != 0) {
		errno = rc > 0 ? rc : EIO;
		return -1;
	}
	return 0;
}

/* sm_map_get - look a key up; the value goes into out */
int
sm_map_get(struct sm_map *m, const void *k, size_t klen, struct sm_buf *out)
{
	DBT key = dbt(k, klen), val = dbt(NULL, 0);
	int rc;

	rc = m->db->get(m->db, NULL, &key, &val, 0);
	if (rc == DB_NOTFOUND)
		return 1;
	if (rc != 0) {
		errno = rc > 0 ? rc : EIO;
		return -1;
	}
	sm_buf_reset(out);
	return sm_buf_append(out, val.data, val.size);
}

/* sm_map_del - remove a key; 0 also when it was not there */
int
sm_map_del(struct sm_map *m, const void *k, size_t klen)
{
	DBT key = dbt(k, klen);
	int rc = m->db->del(m->db, NULL, &key, 0);

	if (rc != 0 && rc != DB_NOTFOUND) {
		errno = rc > 0 ? rc : EIO;
		return -1;
	}
	return 0;
}

/* sm_map_walk - call fn for every pair until it returns non-zero */
int
sm_map_walk(struct sm_map *m, int (*fn)(void *, const void *, size_t,
    const void *, size_t), void *ctx)
{
	DBC *c;
	DBT key, val;
	int rc, stop = 0;

	if ((rc = m->db->cursor(m->db, NULL, &c, 0)) != 0) {
		errno = rc > 0 ? rc : EIO;
		return -1;
	}
	memset(&key, 0, sizeof(key));
	memset(&val, 0, sizeof(val));
	while (stop == 0 && (rc = c->get(c, &key, &val, DB_NEXT)) == 0)
		stop = fn(ctx, key.data, key.size, val.data, val.size);
	(void)c->close(c);
	if (rc != 0 && rc != DB_NOTFOUND) {
		errno = rc > 0 ? rc : EIO;
		return -1;
	}
	return 0;
}

/* sm_map_close - flush and close; -1 when the data may not be on disk */
int
sm_map_close(struct sm_map *m)
{
	int rc;

	if (m == NULL)
		return 0;
	rc = m->db->close(m->db, 0);
	free(m);
	if (rc != 0) {
		errno = rc > 0 ? rc : EIO;
		return -1;
	}
	return 0;
}
