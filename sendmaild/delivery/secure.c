/*
 * secure - TLS and AUTH settings for deliveries; see secure.h.
 *
 * The authinfo map holds passwords: it is read as root and kept in this
 * process's memory (and its children's), never written anywhere.
 */
#include "secure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sm_alloc.h"
#include "sm_log.h"
#include "sm_strlist.h"

/* The authinfo map as last read, keys and values as stored. */
static struct {
	char			*path;
	struct stat		 st;
	struct sm_strlist	 keys, vals;
} ai;

/* forget - drop what was read */
static void
forget(void)
{
	size_t i;

	for (i = 0; i < ai.vals.n; i++)
		explicit_bzero(ai.vals.v[i], strlen(ai.vals.v[i]));
	sm_strlist_clear(&ai.keys);
	sm_strlist_clear(&ai.vals);
	free(ai.path);
	ai.path = NULL;
	memset(&ai.st, 0, sizeof(ai.st));
}

/* keep - one pair of the map, for sm_map_walk */
static int
keep(void *ctx, const void *k, size_t klen, const void *v, size_t vlen)
{
	char *key = sm_strndup(k, klen), *val = sm_strndup(v, vlen);

	(void)ctx;
	sm_strlist_add(&ai.keys, key);
	sm_strlist_add(&ai.vals, val);
	explicit_bzero(val, strlen(val));
	free(key);
	free(val);
	return 0;
}

/* same_file - is path's file the one read last? */
static bool
same_file(const char *path, const struct stat *st)
{
	return ai.path != NULL && strcmp(ai.path, path) == 0 &&
	    ai.st.st_dev == st->st_dev && ai.st.st_ino == st->st_ino &&
	    ai.st.st_mtime == st->st_mtime && ai.st.st_size == st->st_size;
}

/*
 * secure_prepare - the client's TLS context and the authinfo map; true
 * when what is kept of the map changed
 */
bool
secure_prepare(struct config *c)
{
	char *path = config_map_path(c, "authinfo");
	struct sm_map *m;
	struct stat st;
	bool broken, had = ai.path != NULL;

	(void)config_tls(c, false);
	if (path == NULL || stat(path, &st) < 0) {
		forget();
		free(path);
		return had;
	}
	if (same_file(path, &st)) {
		free(path);
		return false;
	}
	forget();
	if ((m = config_map_open(c, "authinfo", &broken)) != NULL) {
		if (sm_map_walk(m, keep, NULL) < 0)
			sm_warn("authinfo map %s: cannot read it all", path);
		(void)sm_map_close(m);
	}
	ai.path = path;
	ai.st = st;
	return true;
}

/* memory_get - a value of the authinfo map as read, or NULL */
static const char *
memory_get(const char *key)
{
	size_t i;

	for (i = 0; i < ai.keys.n; i++)
		if (strcasecmp(ai.keys.v[i], key) == 0)
			return ai.vals.v[i];
	return NULL;
}

/* client_modifiers - the M= letters of ClientPortOptions, all families */
static void
client_modifiers(const struct config *c, char *mods, size_t len)
{
	const struct sm_strlist *l = &c->opt.ClientPortOptions;
	const char *p, *eq;
	size_t i, n;

	mods[0] = '\0';
	for (i = 0; i < l->n; i++)
		for (p = l->v[i]; *p != '\0'; p += strspn(p, ",")) {
			p += strspn(p, " \t");
			n = strcspn(p, ",");
			eq = memchr(p, '=', n);
			if ((*p == 'M' || *p == 'm') && eq != NULL)
				(void)snprintf(mods + strlen(mods),
				    len - strlen(mods), "%.*s",
				    (int)(n - (size_t)(eq + 1 - p)), eq + 1);
			p += n;
		}
}

/* token - copy a "X:value" token's value (quotes removed) into buf */
static void
token(const char *v, size_t n, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%.*s", (int)n, v);
}

/*
 * secure_parse_authinfo - an AuthInfo value into sec's credentials;
 * -1 when it names no identity or no password
 */
int
secure_parse_authinfo(const char *v, struct q_secure *sec)
{
	const char *p = v, *start;
	size_t n;

	while (*p != '\0') {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (*p == '"') {
			start = ++p;
			n = strcspn(p, "\"");
			p += n + (p[n] == '"');
		} else {
			start = p;
			n = strcspn(p, " \t");
			p += n;
		}
		if (n < 2 || (start[1] != ':' && start[1] != '='))
			continue;
		switch (start[0]) {
		case 'U':
			token(start + 2, n - 2, sec->user, sizeof(sec->user));
			break;
		case 'I':
			token(start + 2, n - 2, sec->authid,
			    sizeof(sec->authid));
			break;
		case 'P':
			if (start[1] == ':')
				token(start + 2, n - 2, sec->pass,
				    sizeof(sec->pass));
			else {
				size_t got;

				/* One byte is kept for the NUL. */
				if (sm_tls_b64_decode(start + 2, n - 2,
				    (unsigned char *)sec->pass,
				    sizeof(sec->pass) - 1, &got) < 0)
					got = 0;
				sec->pass[got] = '\0';
			}
			break;
		case 'M':
			token(start + 2, n - 2, sec->mechs,
			    sizeof(sec->mechs));
			break;
		default:
			break;		/* R: realm: no mechanism of ours uses it */
		}
	}
	if ((sec->user[0] == '\0' && sec->authid[0] == '\0') ||
	    sec->pass[0] == '\0')
		return -1;
	sec->auth = true;
	return 0;
}

/* access_tag - Tag:host, Tag:parent domains, Tag:ip in the access map */
static const char *
access_tag(struct sm_map *m, const char *tag, const char *host,
    const char *ip, struct sm_buf *val)
{
	const char *d, *v;
	char key[600];

	for (d = host; d != NULL && *d != '\0';
	    d = strchr(d, '.') != NULL ? strchr(d, '.') + 1 : NULL) {
		(void)snprintf(key, sizeof(key), "%s:%s", tag, d);
		if ((v = config_map_get(m, key, val)) != NULL)
			return v;
	}
	(void)snprintf(key, sizeof(key), "%s:%s", tag, ip);
	return config_map_get(m, key, val);
}

/* tls_srv - a TLS_Srv: value: VERIFY[:bits], ENCR:bits */
static void
tls_srv(const char *v, struct q_secure *sec)
{
	const char *p;

	sec->tls_required = true;
	if (strncasecmp(v, "VERIFY", 6) == 0)
		sec->verify_required = true;
	if ((p = strchr(v, ':')) != NULL)
		sec->min_bits = atoi(p + 1);
}

/* secure_fill - the settings for one connection; see secure.h */
void
secure_fill(struct config *c, const char *host, const char *ip, int port,
    struct q_secure *sec)
{
	struct sm_map *access;
	struct sm_buf val;
	const char *v = NULL, *keys[3];
	char mods[64], key[600];
	bool broken;
	size_t i;

	(void)port;
	if (ai.path == NULL) {
		char *path = config_map_path(c, "authinfo");

		if (path != NULL)
			(void)secure_prepare(c);	/* not read before */
		free(path);
	}
	client_modifiers(c, mods, sizeof(mods));
	sm_buf_init(&val, 4096);
	access = config_map_open(c, "access", &broken);
	if (strchr(mods, 'S') == NULL)
		sec->tls = config_tls(c, false);
	if (!sec->implicit && (v = access_tag(access, "Try_TLS", host, ip,
	    &val)) != NULL && strncasecmp(v, "NO", 2) == 0)
		sec->tls = NULL;
	if ((v = access_tag(access, "TLS_Srv", host, ip, &val)) != NULL)
		tls_srv(v, sec);
	sec->cleartext_ok = c->opt.AllowCleartextAuth &&
	    strchr(c->opt.AuthOptions, 'p') == NULL;
	sec->auth_param_only_if_auth = strchr(c->opt.AuthOptions, 'A') != NULL;
	keys[0] = host;
	keys[1] = ip;
	keys[2] = "";
	for (i = 0, v = NULL; v == NULL && i < 3 && strchr(mods, 'A') == NULL;
	    i++) {
		(void)snprintf(key, sizeof(key), "AuthInfo:%s", keys[i]);
		v = ai.path != NULL ? memory_get(key) :
		    config_map_get(access, key, &val);
	}
	if (v != NULL && secure_parse_authinfo(v, sec) < 0)
		sm_warnx("AuthInfo for %s: no user or no password; not "
		    "authenticating", host);
	explicit_bzero(val.data, val.len);
	sm_buf_free(&val);
	(void)sm_map_close(access);
}
