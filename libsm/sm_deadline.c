/*
 * sm_deadline - absolute time limits; see sm_deadline.h.
 */
#include "sm_deadline.h"

#include <limits.h>

#include "sm_log.h"

void (*sm_clock_hook)(struct timespec *);

/* sm_clock_now - the monotonic time, or the test clock */
void
sm_clock_now(struct timespec *ts)
{
	if (sm_clock_hook != NULL) {
		sm_clock_hook(ts);
		return;
	}
	if (clock_gettime(CLOCK_MONOTONIC, ts) < 0)
		sm_panic("clock_gettime(CLOCK_MONOTONIC) failed");
}

/* sm_clock_sec - the monotonic time in whole seconds */
time_t
sm_clock_sec(void)
{
	struct timespec ts;

	sm_clock_now(&ts);
	return ts.tv_sec;
}

/* sm_deadline_in_ms - a deadline ms milliseconds from now */
void
sm_deadline_in_ms(struct sm_deadline *dl, long ms)
{
	struct timespec now;

	if (ms <= 0)
		sm_panic("sm_deadline: length %ld ms is not positive", ms);
	sm_clock_now(&now);
	dl->at.tv_sec = now.tv_sec + ms / 1000;
	dl->at.tv_nsec = now.tv_nsec + (ms % 1000) * 1000000L;
	if (dl->at.tv_nsec >= 1000000000L) {
		dl->at.tv_sec++;
		dl->at.tv_nsec -= 1000000000L;
	}
}

/* sm_deadline_in - a deadline secs seconds from now */
void
sm_deadline_in(struct sm_deadline *dl, long secs)
{
	if (secs <= 0 || secs > LONG_MAX / 1000)
		sm_panic("sm_deadline: length %ld s is out of range", secs);
	sm_deadline_in_ms(dl, secs * 1000);
}

/* sm_deadline_left_ms - milliseconds until the deadline, at least 0 */
int
sm_deadline_left_ms(const struct sm_deadline *dl)
{
	struct timespec now;
	long long ms;

	sm_clock_now(&now);
	ms = (long long)(dl->at.tv_sec - now.tv_sec) * 1000 +
	    (dl->at.tv_nsec - now.tv_nsec) / 1000000;
	/* Round up so a poll() never wakes a hair before the deadline. */
	if ((dl->at.tv_nsec - now.tv_nsec) % 1000000 > 0)
		ms++;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* sm_deadline_expired - has the deadline passed? */
bool
sm_deadline_expired(const struct sm_deadline *dl)
{
	struct timespec now;

	sm_clock_now(&now);
	return now.tv_sec > dl->at.tv_sec ||
	    (now.tv_sec == dl->at.tv_sec && now.tv_nsec >= dl->at.tv_nsec);
}

/* sm_deadline_min - the earlier of two deadlines */
const struct sm_deadline *
sm_deadline_min(const struct sm_deadline *a, const struct sm_deadline *b)
{
	if (a->at.tv_sec != b->at.tv_sec)
		return a->at.tv_sec < b->at.tv_sec ? a : b;
	return a->at.tv_nsec <= b->at.tv_nsec ? a : b;
}

/* sm_bound - an option's time limit, or fallback where it says "none" */
long
sm_bound(long value, long fallback)
{
	return value > 0 ? value : fallback;
}
