/*
 * clientq - the client queue (ClientQueueDirectory): where submission
 * leaves a message while the daemon is down, and the runs that send it
 * to the daemon (sendmail -Ac -q, and the master when it starts and at
 * each queue run interval).
 *
 * SYNOPSIS
 *	clientq_become(&config, user, err, sizeof(err))	root: become user
 *					with the client queue's group
 *	ex = clientq_run(&config)	the client queue to the daemon at the
 *					first DaemonPortOptions address
 *
 * DESCRIPTION
 *	clientq_become() lets a run read and remove what set-group-id
 *	submissions left: the group is the directory's.  It returns 0, or
 *	-1 with the reason in err.  clientq_run() returns a sysexits code.
 */
#ifndef CLIENTQ_H
#define CLIENTQ_H

#include "sm_config.h"

#include <stddef.h>

#include "config.h"

int	clientq_become(const struct config *, const char *, char *, size_t);
int	clientq_run(struct config *);

#endif /* CLIENTQ_H */
