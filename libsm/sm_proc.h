/*
 * sm_proc - signals through a self-pipe, privilege dropping, detaching.
 *
 * SYNOPSIS
 *	sm_sig_init()			once, in the master
 *	sm_sig_catch(SIGTERM)		the handler only records the signal
 *	fd = sm_sig_fd()		poll it for POLLIN
 *	while ((sig = sm_sig_next()) != 0) ...	in the main loop
 *	sm_sig_child_reset()		in a child after fork()
 *	sm_priv_drop("mail", err, n)	"user", "uid:gid" or "user:group"
 *	sm_priv_become(uid, gid, "mail", err, n)	ids resolved earlier
 *	sm_priv_lose_group()		a set-group-id group, for good
 *	sm_detach()			-bd: leave the terminal
 *
 * DESCRIPTION
 *	A handler saves errno, sets a flag for the signal, writes one byte
 *	to a non-blocking pipe, restores errno and returns; reaping,
 *	reloading and stopping happen in the main loop.  sm_priv_drop()
 *	calls setgroups, setresgid and setresuid in that order and then
 *	checks that root cannot be regained; it returns -1 with a reason
 *	when any step fails, and the caller must not go on.
 *	sm_priv_become() does the same for ids sm_priv_resolve() gave
 *	earlier, so that a process forked per connection does not read
 *	the user database each time.
 */
#ifndef SM_PROC_H
#define SM_PROC_H

#include "sm_config.h"

#include <stddef.h>
#include <sys/types.h>

int	sm_sig_init(void);
int	sm_sig_catch(int);
int	sm_sig_fd(void);
int	sm_sig_next(void);
void	sm_sig_child_reset(void);
int	sm_priv_resolve(const char *, uid_t *, gid_t *, char *, size_t);
int	sm_priv_drop(const char *, char *, size_t);
int	sm_priv_become(uid_t, gid_t, const char *, char *, size_t);
void	sm_priv_lose_group(void);
int	sm_detach(void);

#endif /* SM_PROC_H */
