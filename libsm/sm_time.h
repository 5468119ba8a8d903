/*
 * sm_time - durations in sendmail's syntax.
 *
 * SYNOPSIS
 *	sm_time_parse("1h30m", 'm', flags, &secs, err, sizeof(err))
 *	sm_time_format(secs, buf, sizeof(buf))
 *
 * DESCRIPTION
 *	A duration is one or more number-unit pairs that add up: units s
 *	(seconds), m (minutes), h (hours), d (days), w (weeks), lower case.
 *	A number without a unit, alone or last ("1h30"), takes the caller's
 *	default unit (spec/timeouts.md 1.2).  With SM_TIME_ALLOW_NOW the word
 *	"now" (any case) parses to SM_TIME_NOW.
 *
 *	Unlike sendmail, which prints a warning and guesses, anything else
 *	is rejected with a message in err: an unknown unit letter, a sign,
 *	blanks inside, an empty value, a value above SM_TIME_MAX.
 *
 *	sm_time_format() writes the canonical form, which parses back to the
 *	same value whatever the default unit: "0", "now", or pairs from
 *	days down to seconds ("5d", "1h30m", "45s").
 */
#ifndef SM_TIME_H
#define SM_TIME_H

#include "sm_config.h"

#include <stddef.h>
#include <time.h>

#define SM_TIME_NOW		(-1L)
#define SM_TIME_MAX		(100L * 366 * 86400)	/* a century */
#define SM_TIME_ALLOW_NOW	0x01

int	 sm_time_parse(const char *, int, int, long *, char *, size_t);
char	*sm_time_format(long, char *, size_t);
char	*sm_time_rfc822(time_t, char *, size_t);
char	*sm_time_delay(long, char *, size_t);

#endif /* SM_TIME_H */
