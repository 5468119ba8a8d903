/*
 * sm_map - Berkeley DB maps (hash and btree), as makemap builds them and
 * K lines of type hash or btree name them.
 *
 * SYNOPSIS
 *	sm_map_type("hash", &type)
 *	m = sm_map_open(path, type, flags, err, sizeof(err))
 *	sm_map_put(m, key, klen, val, vlen, replace)
 *	sm_map_get(m, key, klen, &buf)
 *	sm_map_walk(m, fn, ctx)
 *	sm_map_close(m)			flushes; check the result
 *
 * DESCRIPTION
 *	path is the file itself, "name.db" included.  Handles are opened by
 *	the process that uses them and never cross a fork().  Keys and
 *	values are byte strings; whether a trailing NUL is part of a key is
 *	the caller's choice (makemap -N), as in sendmail.
 *
 * DIAGNOSTICS
 *	sm_map_open() returns NULL with the reason in err.  sm_map_put()
 *	returns 0, 1 when the key exists and replace is false, or -1.
 *	sm_map_get() returns 0 (found), 1 (not found) or -1.  The others
 *	return 0 or -1; errno is set where the system gave one.
 */
#ifndef SM_MAP_H
#define SM_MAP_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "sm_buf.h"

enum sm_map_type {
	SM_MAP_HASH,
	SM_MAP_BTREE
};

#define SM_MAP_RDONLY	0x01	/* read only */
#define SM_MAP_CREATE	0x02	/* create; the file must not exist */
#define SM_MAP_DUPS	0x04	/* allow several values per key (btree) */

struct sm_map;

int		 sm_map_type(const char *, enum sm_map_type *);
struct sm_map	*sm_map_open(const char *, enum sm_map_type, int, char *,
		    size_t);
int		 sm_map_put(struct sm_map *, const void *, size_t,
		    const void *, size_t, bool);
int		 sm_map_get(struct sm_map *, const void *, size_t,
		    struct sm_buf *);
int		 sm_map_del(struct sm_map *, const void *, size_t);
int		 sm_map_walk(struct sm_map *, int (*)(void *, const void *,
		    size_t, const void *, size_t), void *);
int		 sm_map_close(struct sm_map *);

#endif /* SM_MAP_H */
