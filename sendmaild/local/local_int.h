/*
 * local_int - what local.c, expand.c and local_svc.c share: the
 * expansion and delivery of one recipient in this process, with the
 * rights it has.  Not for other modules.
 *
 *	local_run(&config, &ctl, dfd, rcpt, &lo)	one recipient, here
 *	local_headers(&config, &ctl, &hdrs)	ctl's headers as the local
 *						mailer shows them
 *
 * Within one expansion (struct expand), expand.c follows aliases,
 * .forward and :include: files (expand_address(), expand_name()), and
 * local.c delivers what they lead to: local_mailbox(), local_prog(),
 * local_file(); both record outcomes with local_result() and
 * local_unknown(), and take each target once (local_first_time()).
 */
#ifndef LOCAL_INT_H
#define LOCAL_INT_H

#include "sm_config.h"

#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "local.h"
#include "mda.h"
#include "q_ctl.h"
#include "q_run.h"
#include "route.h"
#include "sm_deadline.h"
#include "sm_strlist.h"
#include "sm_strset.h"

/* ctl's headers as the local mailer shows them: local_headers() */
void	local_run(const struct config *, const struct q_ctl *, int,
	    const char *, struct q_local *);
bool	local_headers(const struct config *, const struct q_ctl *,
	    struct sm_strlist *);

/* One recipient's expansion and delivery, or its verification (-bv). */
struct expand {
	const struct config	*c;
	const struct q_ctl	*ctl;		/* NULL when verifying */
	struct mda_msg	 msg;
	char			 from_line[1024];
	const char		*rcpt;		/* as the control file has it */
	time_t			 start;
	struct sm_deadline	 prog_dl;	/* Timeout.datafinal */
	struct q_local		*lo;
	struct sm_strset	 met;		/* targets met, as keys */
	struct sm_strlist	 path;		/* aliases being expanded */
	bool			 temp;
	const struct local_verify_cb *vcb;
	void			*vctx;
	char			 host[256];
	struct route		*rt;
	const char		*paddr;		/* the name being expanded, as
						   it was written */
};

void	local_open_dl(const struct expand *, struct sm_deadline *);
void	local_default_user(const struct config *, struct mda_user *);
bool	local_first_time(struct expand *, const char *, uid_t, const char *,
	    char *, size_t);
void	local_result(struct expand *, const char *, const char *,
	    const char *, size_t, const struct q_result *, const char *);
void	local_unknown(struct expand *, const char *, const char *, size_t,
	    const char *, const char *);
void	local_mailbox(struct expand *, const struct passwd *, const char *,
	    const char *, size_t);
void	local_prog(struct expand *, const char *, const struct mda_user *,
	    const char *, size_t);
void	local_file(struct expand *, const char *, const struct mda_user *,
	    const char *, size_t);

void	expand_address(struct expand *, const char *, size_t, const char *,
	    const char *);
void	expand_name(struct expand *, const char *, size_t, const char *,
	    bool, bool);

#endif /* LOCAL_INT_H */
