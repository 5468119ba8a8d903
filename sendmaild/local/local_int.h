/*
 * local_int - what local.c and local_svc.c share: the expansion and
 * delivery of one recipient in this process, with the rights it has.
 */
#ifndef LOCAL_INT_H
#define LOCAL_INT_H

#include "sm_config.h"

#include "config.h"
#include "q_ctl.h"
#include "q_run.h"

/* ctl's headers as the local mailer shows them: local_headers() */
void	local_run(const struct config *, const struct q_ctl *, int,
	    const char *, struct q_local *);
bool	local_headers(const struct config *, const struct q_ctl *,
	    struct sm_strlist *);

#endif /* LOCAL_INT_H */
