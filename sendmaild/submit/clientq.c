/*
 * clientq - runs over the client queue; see clientq.h.
 */
#include "clientq.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "daemon_port.h"
#include "delivery.h"
#include "sm_proc.h"

/*
 * clientq_become - become user with the group of ClientQueueDirectory,
 * which lets a run read and remove what set-group-id submissions left
 */
int
clientq_become(const struct config *c, const char *user, char *err,
    size_t len)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (stat(c->opt.ClientQueueDirectory, &st) < 0) {
		(void)snprintf(err, len, "%s: %s", c->opt.ClientQueueDirectory,
		    strerror(errno));
		return -1;
	}
	if (sm_priv_resolve(user, &uid, &gid, err, len) < 0)
		return -1;
	return sm_priv_become(uid, st.st_gid, user, err, len);
}

/* clientq_run - the client queue to the local daemon */
int
clientq_run(struct config *c)
{
	char host[128];
	int port;

	if (daemon_local_address(c, host, sizeof(host), &port) < 0)
		return EX_CONFIG;
	return delivery_client_queue(c, host, port);
}
