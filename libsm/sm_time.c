/*
 * sm_time - duration parsing and printing; see sm_time.h.
 */
#include "sm_time.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sm_log.h"

/* unit_secs - seconds in one unit, or 0 for a letter that is no unit */
static long
unit_secs(int c)
{
	switch (c) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	default:
		return 0;
	}
}

/* sm_time_parse - parse duration s with default unit defunit */
int
sm_time_parse(const char *s, int defunit, int flags, long *out, char *err,
    size_t errlen)
{
	long total = 0, dflt = unit_secs(defunit);
	const char *p = s;

	if (dflt == 0)
		return sm_errbuf(err, errlen, "bad default unit for \"%s\"", s);
	if (*s == '\0')
		return sm_errbuf(err, errlen, "empty duration");
	if (strcasecmp(s, "now") == 0) {
		if (!(flags & SM_TIME_ALLOW_NOW))
			return sm_errbuf(err, errlen,
			    "\"now\" is not allowed here");
		*out = SM_TIME_NOW;
		return 0;
	}
	while (*p != '\0') {
		long n = 0, unit;

		if (*p < '0' || *p > '9')
			return sm_errbuf(err, errlen,
			    "invalid duration \"%s\": expected a number", s);
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p - '0');
			if (n > SM_TIME_MAX)
				return sm_errbuf(err, errlen,
				    "duration \"%s\" is too large", s);
			p++;
		}
		if (*p == '\0')
			unit = dflt;
		else if ((unit = unit_secs(*p)) == 0)
			return sm_errbuf(err, errlen, "invalid duration \"%s\": "
			    "units are s, m, h, d, w", s);
		else
			p++;
		if (n > (SM_TIME_MAX - total) / unit)
			return sm_errbuf(err, errlen,
			    "duration \"%s\" is too large", s);
		total += n * unit;
	}
	*out = total;
	return 0;
}

/* sm_time_format - canonical text for secs; returns buf */
char *
sm_time_format(long secs, char *buf, size_t len)
{
	static const struct {
		long	secs;
		char	unit;
	} parts[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	size_t i, used = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (secs == SM_TIME_NOW)
		(void)snprintf(buf, len, "now");
	else if (secs <= 0)
		(void)snprintf(buf, len, "0");
	else {
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			long n = secs / parts[i].secs;
			int w;

			if (n == 0)
				continue;
			secs %= parts[i].secs;
			w = snprintf(buf + used, len - used, "%ld%c", n,
			    parts[i].unit);
			if (w < 0 || (size_t)w >= len - used)
				break;
			used += (size_t)w;
		}
	}
	return buf;
}

/*
 * sm_time_rfc822 - a date as mail headers and the greeting carry it:
 * "Sun, 22 Nov 2026 09:17:48 GMT", or "... -0800 (PST)" away from UTC.
 */
char *
sm_time_rfc822(time_t t, char *buf, size_t len)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char zone[16];

	(void)localtime_r(&t, &tm);
	if (tm.tm_gmtoff == 0)
		(void)sm_strlcpy(zone, "GMT", sizeof(zone));
	else
		(void)strftime(zone, sizeof(zone), "%z (%Z)", &tm);
	/* The day of the month without a leading zero, as sendmail writes. */
	(void)snprintf(buf, len, "%.3s, %d %.3s %d %02d:%02d:%02d %s",
	    days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
	return buf;
}

/* sm_time_delay - a delay for log lines: "HH:MM:SS" or "D+HH:MM:SS" */
char *
sm_time_delay(long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		(void)snprintf(buf, len, "%ld+%02ld:%02ld:%02ld", secs / 86400,
		    secs % 86400 / 3600, secs % 3600 / 60, secs % 60);
	else
		(void)snprintf(buf, len, "%02ld:%02ld:%02ld", secs / 3600,
		    secs % 3600 / 60, secs % 60);
	return buf;
}
