/*
 * config - the .cf file plus the command line; see config.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "q_hoststat.h"
#include "q_owner.h"
#include "sm_alloc.h"
#include "sm_dns.h"
#include "sm_log.h"
#include "sm_map.h"
#include "sm_proc.h"

/* apply_args - command-line options and macros, in order */
static int
apply_args(struct config *c, const struct args *a, char *err, size_t errlen)
{
	char why[512];
	size_t i;
	int rc;

	for (i = 0; i < a->nover; i++) {
		const struct args_override *o = &a->over[i];

		if (o->letter == 0)
			rc = sm_opt_set_line(&c->opt, o->text,
			    SM_OPT_SRC_CMDLINE, why, sizeof(why));
		else
			rc = sm_opt_set_letter(&c->opt, o->letter, o->text,
			    SM_OPT_SRC_CMDLINE, why, sizeof(why));
		if (rc < 0) {
			(void)snprintf(err, errlen, "command line: %s", why);
			return EX_USAGE;
		}
	}
	for (i = 0; i < a->nmacros; i++) {
		const char *t = a->macros[i].text, *close;
		char name[128];
		size_t n;

		if (t[0] == '{') {
			close = strchr(t, '}');
			n = (size_t)(close - t - 1);
			if (n == 0 || n >= sizeof(name)) {
				(void)snprintf(err, errlen, "command line: "
				    "-M: bad macro name");
				return EX_USAGE;
			}
			memcpy(name, t + 1, n);
			name[n] = '\0';
			sm_cf_define(c->cf, name, close + 1);
		} else {
			name[0] = t[0];
			name[1] = '\0';
			sm_cf_define(c->cf, name, t + 1);
		}
	}
	return 0;
}

/* warn_pending - name once what the file asks for that we cannot do yet */
static void
warn_pending(struct config *c)
{
	const struct sm_cf_mailer *local;
	size_t i;

	if (c->cf->rules_skipped > 0)
		sm_warnx("%s: skipped %zu rewriting rule lines (S and R): "
		    "routing and policy are built in", c->path,
		    c->cf->rules_skipped);
	if (c->cf->obsolete_skipped > 0)
		sm_warnx("%s: skipped %zu obsolete L/G lines", c->path,
		    c->cf->obsolete_skipped);
	for (i = 0; i < c->cf->pending.n; i++)
		sm_warnx("%s: not yet in force: %.60s", c->path,
		    c->cf->pending.v[i]);
	/* A server as the local mailer: reach it through mailertable. */
	if ((local = sm_cf_mailer(c->cf, "local")) != NULL &&
	    local->path != NULL && strcmp(local->path, "[IPC]") == 0)
		sm_warnx("%s: local mailer P=[IPC] is not supported: local "
		    "mail goes into %s", c->path, c->opt.MailSpoolDirectory);
	(void)sm_opt_report_pending(&c->opt);
}

/* reports_pending - the modes that start the daemon or show the config */
static bool
reports_pending(char mode)
{
	return strchr("dDOC", mode) != NULL;
}

/*
 * probe_interfaces - our interfaces' addresses ("[192.0.2.1]",
 * "[IPv6:2001:db8::1]") and their names in class w, as sendmail does
 * unless DontProbeInterfaces (loopback: all but the loopback ones); the
 * names are looked up only while the deadline lasts
 */
static void
probe_interfaces(struct config *c, const struct sm_dns_opts *o,
    const struct sm_deadline *dl)
{
	struct ifaddrs *ifs, *i;
	struct sm_dns_opts one;
	char ip[INET6_ADDRSTRLEN], line[400], name[256], err[300];
	socklen_t len;
	int af;

	if (getifaddrs(&ifs) < 0)
		return;
	for (i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		af = i->ifa_addr->sa_family;
		if ((af != AF_INET && af != AF_INET6) ||
		    (c->opt.DontProbeInterfaces == 'l' &&
		    (i->ifa_flags & IFF_LOOPBACK)))
			continue;
		len = af == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
		if (getnameinfo(i->ifa_addr, len, ip, sizeof(ip), NULL, 0,
		    NI_NUMERICHOST) != 0 || strchr(ip, '%') != NULL)
			continue;	/* link-local: not an address for mail */
		(void)snprintf(line, sizeof(line), "Cw [%s%s]",
		    af == AF_INET6 ? "IPv6:" : "", ip);
		(void)sm_cf_parse_line(c->cf, line, &c->opt, err, sizeof(err));
		if (sm_deadline_expired(dl))
			continue;
		one = *o;
		sm_dns_opts_within(&one, dl);
		if (sm_dns_ptr(i->ifa_addr, len, &one, name, sizeof(name), err,
		    sizeof(err)) == SM_DNS_OK && strchr(name, ' ') == NULL) {
			(void)snprintf(line, sizeof(line), "Cw %s", name);
			(void)sm_cf_parse_line(c->cf, line, &c->opt, err,
			    sizeof(err));
		}
	}
	freeifaddrs(ifs);
}

/*
 * host_setup - ResolverOptions checked once, our name ($j: confDOMAIN_NAME, else the system's name, qualified
 * through the hosts file or DNS) and class w from our interfaces, for
 * the modes that serve or deliver mail.  All the start-up lookups
 * share one resolver bound: DNS that does not answer delays start-up
 * by no more than Timeout.resolver.retrans x .retry.
 */
static void
host_setup(struct config *c, char mode)
{
	struct sm_dns_opts o, one;
	struct sm_deadline dl;
	unsigned long set, clear;
	char err[300], name[256], full[256];

	sm_dns_opts_of(&c->opt, false, &o);
	if (reports_pending(mode) && sm_dns_parse_options(
	    c->opt.ResolverOptions, &set, &clear, err, sizeof(err)) < 0)
		sm_warnx("%s: %s (ignored)", c->path, err);
	if (strchr("dDqms", mode) == NULL)
		return;
	sm_dns_deadline(&o, &dl);
	if (sm_cf_macro(c->cf, "j") == NULL &&
	    gethostname(name, sizeof(name) - 1) == 0) {
		name[sizeof(name) - 1] = '\0';
		one = o;
		sm_dns_opts_within(&one, &dl);
		if (strchr(name, '.') == NULL) {
			if (sm_dns_canonical(name, &one, full, sizeof(full), err,
			    sizeof(err)) == SM_DNS_OK &&
			    strchr(full, '.') != NULL)
				(void)snprintf(name, sizeof(name), "%s", full);
			else if (reports_pending(mode))
				sm_warnx("unable to qualify my own domain name "
				    "(%s) -- using short name", name);
		}
		sm_cf_define(c->cf, "j", name);
	}
	if (c->opt.DontProbeInterfaces != 't')
		probe_interfaces(c, &o, &dl);
}

/*
 * run_as_setup - whom sessions and runs become: RunAsUser; else, as the
 * files on a sendmail box are laid out, the owner and group of the
 * queue directory unless that is root (on Debian smmta:smmsp, who own
 * sendmail's queue and maps); else DefaultUser
 */
static void
run_as_setup(struct config *c)
{
	uid_t uid;
	gid_t gid;

	if (c->opt.RunAsUser[0] == '\0' &&
	    q_owner_of(c->opt.QueueDirectory, &uid, &gid) == 0)
		q_owner_name(uid, gid, c->run_as, sizeof(c->run_as));
	else
		(void)snprintf(c->run_as, sizeof(c->run_as), "%s",
		    c->opt.RunAsUser[0] != '\0' ? c->opt.RunAsUser :
		    c->opt.DefaultUser);
}

/* config_load - read the configuration in force; see config.h */
int
config_load(struct config *c, const struct args *a, char *err, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->path = a->cf_path != NULL ? a->cf_path : SM_CF_PATH;
	sm_opt_init(&c->opt);
	c->cf = sm_cf_new();
	if ((rc = sm_cf_read(c->cf, c->path, &c->opt, err, errlen)) != 0)
		return rc;
	if ((rc = apply_args(c, a, err, errlen)) != 0)
		return rc;
	run_as_setup(c);
	/* -bO shows options: it must work on a .cf from another host. */
	if (a->mode != 'O' &&
	    (rc = sm_cf_load_files(c->cf, err, errlen)) != 0)
		return rc;
	sm_log_set_level((int)c->opt.LogLevel);
	sm_debug("configuration %s: version %d, %zu mailers, %zu maps, "
	    "%zu classes", c->path, c->cf->version, c->cf->nmailers,
	    c->cf->nmaps, c->cf->nclasses);
	if (reports_pending(a->mode))
		warn_pending(c);
	if (a->mode != 'O')
		host_setup(c, a->mode);
	return 0;
}

/* config_free - release the configuration */
void
config_free(struct config *c)
{
	sm_tls_ctx_free(c->tls_server);
	sm_tls_ctx_free(c->tls_client);
	c->tls_server = c->tls_client = NULL;
	sm_opt_free(&c->opt);
	sm_cf_free(c->cf);
	c->cf = NULL;
}

/* config_hostname - our name: $j, else gethostname(), else localhost */
void
config_hostname(const struct config *c, char *buf, size_t len)
{
	if (sm_cf_macro(c->cf, "j") != NULL)
		(void)snprintf(buf, len, "%s", sm_cf_macro(c->cf, "j"));
	else if (gethostname(buf, len) < 0)
		(void)snprintf(buf, len, "localhost");
}

/* config_run_as - whom root becomes to read the network (run_as_setup) */
const char *
config_run_as(const struct config *c)
{
	return c->run_as;
}

/*
 * config_adopt_queue - as root, before sessions or runs drop to
 * config_run_as(): the queue directory and host status directory made
 * theirs where root owns them (q_owner_adopt).  0, or -1 with err
 * naming the path, its owner and what to change.  Not root: 0.
 */
int
config_adopt_queue(const struct config *c, char *err, size_t len)
{
	char hsdir[4200];
	size_t changed;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (sm_priv_resolve(config_run_as(c), &uid, &gid, err, len) < 0)
		return -1;
	q_hs_dir(&c->opt, hsdir, sizeof(hsdir));
	return q_owner_adopt(c->opt.QueueDirectory, hsdir, uid, gid,
	    config_run_as(c), &changed, err, len);
}

/*
 * config_client_queue_problem - can this process leave a message in
 * ClientQueueDirectory?  Root only needs it to exist (its sessions take
 * the directory's group).  false, or true with why naming the directory
 * and what to change.
 */
bool
config_client_queue_problem(const struct config *c, char *why, size_t len)
{
	const char *d = c->opt.ClientQueueDirectory;
	struct stat st;
	char owner[160];

	if (stat(d, &st) < 0 || !S_ISDIR(st.st_mode)) {
		(void)snprintf(why, len, "client queue %s: %s: make it as "
		    "INSTALL says (install -d -o root -g smmsp -m 0770 %s)", d,
		    access(d, F_OK) < 0 ? strerror(errno) : "not a directory",
		    d);
		return true;
	}
	if (geteuid() == 0 ||
	    faccessat(AT_FDCWD, d, W_OK | X_OK, AT_EACCESS) == 0)
		return false;
	q_owner_name(st.st_uid, st.st_gid, owner, sizeof(owner));
	(void)snprintf(why, len, "client queue %s is %s's, mode %04o: this "
	    "program must be installed set-group-id to its group, which must "
	    "be able to write it (chgrp GROUP PROGRAM; chmod 2755 PROGRAM; "
	    "chmod 0770 %s)", d, owner, (unsigned)(st.st_mode & 07777), d);
	return true;
}

/* config_is_local_domain - is mail for this domain ours?  ("" is) */
bool
config_is_local_domain(const struct config *c, const char *domain)
{
	size_t n = strlen(domain);
	char d[300], j[256];

	if (n == 0)
		return true;
	if (n >= sizeof(d))
		return false;
	memcpy(d, domain, n + 1);
	if (d[n - 1] == '.')
		d[n - 1] = '\0';	/* a trailing dot names the same host */
	config_hostname(c, j, sizeof(j));	/* $j, or the system's name */
	return strcasecmp(d, "localhost") == 0 || strcasecmp(d, j) == 0 ||
	    sm_cf_class_has(c->cf, "w", d);
}

/* map_file - the file of a K line's arguments: last word, ".db" */
static char *
map_file(const char *args, bool *optional)
{
	char *copy = sm_strdup(args), *w, *save = NULL, *last = NULL, *r;
	size_t n;

	*optional = false;
	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (w[0] == '-') {
			if (w[1] == 'o')
				*optional = true;
			continue;
		}
		last = w;
	}
	if (last == NULL) {
		free(copy);
		return NULL;
	}
	n = strlen(last);
	if (n > 3 && strcmp(last + n - 3, ".db") == 0)
		r = sm_strdup(last);
	else {
		r = sm_malloc(n + 4);
		(void)snprintf(r, n + 4, "%s.db", last);
	}
	free(copy);
	return r;
}

/*
 * config_map_open - the Berkeley DB file of K line name, read only.
 * NULL when there is no such line, when it is optional (-o) and the
 * file does not exist, or (*broken set, warned) when it cannot be read.
 */
struct sm_map *
config_map_open(const struct config *c, const char *name, bool *broken)
{
	const struct sm_cf_map *k = sm_cf_map(c->cf, name);
	struct sm_map *m = NULL;
	enum sm_map_type type;
	char err[512], *file;
	bool optional;

	*broken = false;
	if (k == NULL || (file = map_file(k->args, &optional)) == NULL)
		return NULL;
	if (sm_map_type(k->type, &type) < 0) {
		sm_warnx("%s map: type %s is not available", name, k->type);
		*broken = true;
	} else if ((m = sm_map_open(file, type, SM_MAP_RDONLY, err,
	    sizeof(err))) == NULL && !(optional && errno == ENOENT)) {
		sm_warnx("%s map: %s", name, err);
		*broken = true;
	}
	free(file);
	return m;
}

/* config_map_path - the file of map name's K line ("x.db"), or NULL */
char *
config_map_path(const struct config *c, const char *name)
{
	const struct sm_cf_map *k = sm_cf_map(c->cf, name);
	bool optional;

	return k != NULL ? map_file(k->args, &optional) : NULL;
}

/*
 * config_map_get - key's value in m, as sendmail looks: the key in lower
 * case, without or with a trailing NUL (makemap -N); NULL if none
 */
const char *
config_map_get(struct sm_map *m, const char *key, struct sm_buf *val)
{
	char lower[1024];
	size_t i;

	if (m == NULL)
		return NULL;
	for (i = 0; key[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)key[i]);
	lower[i] = '\0';
	if (sm_map_get(m, lower, strlen(lower), val) == 0 ||
	    sm_map_get(m, lower, strlen(lower) + 1, val) == 0) {
		if (val->len > 0 && val->data[val->len - 1] == '\0')
			sm_buf_truncate(val, val->len - 1);
		return sm_buf_str(val);
	}
	return NULL;
}

/* config_in_class - is word, or with parents a parent domain, in class? */
bool
config_in_class(const struct config *c, const char *class, const char *word,
    bool parents)
{
	const char *d;

	for (d = word; d != NULL && *d != '\0';
	    d = parents && strchr(d, '.') != NULL ? strchr(d, '.') + 1 : NULL)
		if (sm_cf_class_has(c->cf, class, d))
			return true;
	return false;
}

/*
 * config_tls - the server's TLS context (ServerCertFile and ServerKeyFile
 * needed; a client certificate is asked for unless TLSSrvOptions has V)
 * or the client's (ClientCertFile and ClientKeyFile optional), made once.
 * A configured context that cannot be made is logged and left NULL: the
 * server then does not offer STARTTLS, the client does not use it.
 */
SSL_CTX *
config_tls(struct config *c, bool server)
{
	const struct sm_options *o = &c->opt;
	struct sm_tls_conf tc;
	SSL_CTX **slot = server ? &c->tls_server : &c->tls_client;
	char err[512];

	if (c->tls_tried[server ? 0 : 1])
		return *slot;
	c->tls_tried[server ? 0 : 1] = true;
	memset(&tc, 0, sizeof(tc));
	tc.server = server;
	tc.cert = server ? o->ServerCertFile : o->ClientCertFile;
	tc.key = server ? o->ServerKeyFile : o->ClientKeyFile;
	if (server && (tc.cert[0] == '\0' || tc.key[0] == '\0'))
		return NULL;
	tc.cafile = o->CACertFile;
	tc.capath = o->CACertPath;
	tc.ciphers = o->CipherList;
	tc.ssl_options = server ? o->ServerSSLOptions : o->ClientSSLOptions;
	tc.dhparams = server ? o->DHParameters : NULL;
	tc.crlfile = o->CRLFile;
	tc.request_cert = server && strchr(o->TLSSrvOptions, 'V') == NULL;
	if ((*slot = sm_tls_ctx_new(&tc, err, sizeof(err))) == NULL)
		sm_warnx("STARTTLS=%s: %s; TLS not available", server ?
		    "server" : "client", err);
	return *slot;
}
