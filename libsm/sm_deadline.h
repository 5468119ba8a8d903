/*
 * sm_deadline - absolute time limits on CLOCK_MONOTONIC.
 *
 * SYNOPSIS
 *	struct sm_deadline dl;
 *	sm_deadline_in(&dl, opt.to.command);	seconds from now, > 0
 *	sm_clock_sec()				whole seconds on that clock,
 *						for intervals between events
 *	sm_deadline_in_ms(&dl, 250);
 *	sm_deadline_left_ms(&dl)		for poll(); 0 once it passed
 *	sm_deadline_expired(&dl)
 *	sm_deadline_min(&a, &b)			the earlier of two
 *	sm_bound(value, fallback)		option value, or fallback when 0
 *
 * DESCRIPTION
 *	A deadline is a point in time, so a loop of partial reads shares one
 *	limit instead of restarting a timer per call.  There is no "never":
 *	a caller whose option allows "no limit" (0) picks a documented
 *	finite fallback with sm_bound().  A non-positive length is a bug in
 *	the caller and panics.
 *
 *	The clock can be replaced for tests: set sm_clock_hook to a function
 *	that fills in a struct timespec.
 */
#ifndef SM_DEADLINE_H
#define SM_DEADLINE_H

#include "sm_config.h"

#include <stdbool.h>
#include <time.h>

struct sm_deadline {
	struct timespec	at;	/* CLOCK_MONOTONIC */
};

extern void (*sm_clock_hook)(struct timespec *);

void	 sm_clock_now(struct timespec *);
time_t	 sm_clock_sec(void);
void	 sm_deadline_in(struct sm_deadline *, long);
void	 sm_deadline_in_ms(struct sm_deadline *, long);
int	 sm_deadline_left_ms(const struct sm_deadline *);
bool	 sm_deadline_expired(const struct sm_deadline *);
const struct sm_deadline *sm_deadline_min(const struct sm_deadline *,
	    const struct sm_deadline *);
long	 sm_bound(long, long);

#endif /* SM_DEADLINE_H */
