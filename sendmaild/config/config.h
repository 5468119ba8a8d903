/*
 * config - the configuration in force: the .cf file, then the command
 * line on top of it.
 *
 * SYNOPSIS
 *	struct config c;
 *	ex = config_load(&c, &args, err, sizeof(err));
 *	c.opt.to.command, sm_cf_macro(c.cf, "j"), ...
 *	config_hostname(&c, buf, len)	$j, else the system's name
 *	config_run_as(&c)		whom root becomes to read the
 *					network: RunAsUser, else the owner
 *					of the queue directory (not root),
 *					else DefaultUser
 *	config_adopt_queue(&c, err, len)	as root: the queue directory
 *					and its root-owned files made
 *					config_run_as()'s (q_owner_adopt)
 *	config_client_queue_problem(&c, why, len)	true when this
 *					process cannot leave a message in
 *					ClientQueueDirectory, with why
 *	config_is_local_domain(&c, d)	"", localhost, $j or class w
 *	config_map_open(&c, "access", &broken)	that file, read only
 *	config_map_get(m, "Connect:1.2.3.4", &val)	sendmail's lookup
 *	config_map_path(&c, "authinfo")	the file of a K line, or NULL
 *	config_in_class(&c, "R", dom, parents)	dom (or a parent) in a class
 *	config_tls(&c, server)		c.tls_server or c.tls_client from
 *					the TLS options, once; NULL when
 *					not configured or unusable (logged)
 *	config_free(&c);
 *
 * DESCRIPTION
 *	Starts from the binary defaults (sm_opt), reads the .cf file named
 *	by -C (default SM_CF_PATH), then applies -O, -o and the option
 *	flags in command-line order, so the command line wins, and -M
 *	macro definitions.  Then, in the modes that start the daemon or
 *	inspect the configuration (-bd, -bD, -bO, -bC), it warns once each:
 *	how many rewriting rules (S/R lines) were skipped, which E/Q/X lines
 *	and which options are set but not yet in force.  LogLevel is handed
 *	to sm_log.
 *
 * DIAGNOSTICS
 *	Returns 0; EX_OSFILE when the file cannot be opened; EX_CONFIG for
 *	an error in it ("FILE: line N: reason" in err); EX_USAGE for a bad
 *	command-line option.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "sm_cf.h"
#include "sm_map.h"
#include "sm_opt.h"
#include "sm_tls.h"

struct config {
	const char	*path;
	struct sm_options opt;
	struct sm_cf	*cf;
	SSL_CTX		*tls_server;	/* STARTTLS offered when set */
	SSL_CTX		*tls_client;
	bool		 tls_tried[2];	/* server, client */
	char		 run_as[160];	/* config_run_as(), "user:group" */
};

int	config_load(struct config *, const struct args *, char *, size_t);
void	config_free(struct config *);
void	config_hostname(const struct config *, char *, size_t);
const char *config_run_as(const struct config *);
int	config_adopt_queue(const struct config *, char *, size_t);
bool	config_client_queue_problem(const struct config *, char *, size_t);
bool	config_is_local_domain(const struct config *, const char *);
struct sm_map *config_map_open(const struct config *, const char *, bool *);
char	*config_map_path(const struct config *, const char *);
const char *config_map_get(struct sm_map *, const char *, struct sm_buf *);
bool	config_in_class(const struct config *, const char *, const char *,
	    bool);
SSL_CTX	*config_tls(struct config *, bool);

#endif /* CONFIG_H */
