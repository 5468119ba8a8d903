/*
 * sm_log - reporting to syslog (LOG_MAIL) and stderr; see sm_log.h.
 */
#include "sm_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static const char *log_ident = "sendmail";
static int log_flags = SM_LOG_STDERR;
static int log_level = 9;
static void (*log_exit_hook)(int);

/* sm_log_init - choose where messages go; ident is kept, not copied */
void
sm_log_init(const char *ident, int flags)
{
	log_ident = ident;
	log_flags = flags;
	if (flags & SM_LOG_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* sm_log_flags - where messages go now */
int
sm_log_flags(void)
{
	return log_flags;
}

/* sm_log_set_flags - change where messages go (syslog already opened) */
void
sm_log_set_flags(int flags)
{
	if ((flags & SM_LOG_SYSLOG) && !(log_flags & SM_LOG_SYSLOG))
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_flags = flags;
}

/* sm_log_reopen - a new connection to syslog, after closing every fd */
void
sm_log_reopen(void)
{
	closelog();
	if (log_flags & SM_LOG_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* sm_log_set_level - record sendmail's LogLevel for callers that test it */
void
sm_log_set_level(int level)
{
	log_level = level;
}

/* sm_log_level - the LogLevel in force */
int
sm_log_level(void)
{
	return log_level;
}

/* sm_log_set_exit_hook - run hook(exitcode) before a fatal exit */
void
sm_log_set_exit_hook(void (*hook)(int))
{
	log_exit_hook = hook;
}

/* vlog - format once, send to each destination; errno survives */
static void
vlog(int pri, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;
	size_t len;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		(void)snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(saved));
	}
	if ((log_flags & SM_LOG_SYSLOG) && pri != LOG_DEBUG)
		syslog(pri, "%s", msg);
	if ((log_flags & SM_LOG_STDERR) &&
	    (pri != LOG_DEBUG || (log_flags & SM_LOG_DEBUG))) {
		(void)fprintf(stderr, "%s: %s\n", log_ident, msg);
		(void)fflush(stderr);
	}
	errno = saved;
}

#define LOGFN(name, pri, with_errno)			\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	vlog(pri, with_errno, fmt, ap);			\
	va_end(ap);					\
}

LOGFN(sm_info, LOG_INFO, 0)
LOGFN(sm_notice, LOG_NOTICE, 0)
LOGFN(sm_warn, LOG_WARNING, 1)
LOGFN(sm_warnx, LOG_WARNING, 0)
LOGFN(sm_error, LOG_ERR, 1)
LOGFN(sm_errorx, LOG_ERR, 0)
LOGFN(sm_debug, LOG_DEBUG, 0)

/* fatal_exit - run the exit hook once, then exit */
static noreturn void
fatal_exit(int ex)
{
	void (*hook)(int) = log_exit_hook;

	log_exit_hook = NULL;
	if (hook != NULL)
		hook(ex);
	exit(ex);
}

/* sm_fatal - log with errno text and exit with sysexits code ex */
void
sm_fatal(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	fatal_exit(ex);
}

/* sm_fatalx - log and exit with sysexits code ex */
void
sm_fatalx(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	fatal_exit(ex);
}

/* sm_panic - an invariant broke: log and dump core */
void
sm_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	abort();
}

/* sm_verrbuf - format a reason into err (when errlen > 0); return -1 */
int
sm_verrbuf(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (errlen > 0)
		(void)vsnprintf(err, errlen, fmt, ap);
	return -1;
}

/* sm_errbuf - format a reason into err (when errlen > 0); return -1 */
int
sm_errbuf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)sm_verrbuf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * sm_log_clean - copy at most inlen bytes of untrusted text into out for
 * logging: printable ASCII as is, anything else as a \ooo escape, and the
 * result cut to fit outlen.  Returns out.
 */
char *
sm_log_clean(char *out, size_t outlen, const char *in, size_t inlen)
{
	size_t o = 0, i;

	if (outlen == 0)
		return out;
	for (i = 0; i < inlen && in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			(void)snprintf(out + o, 5, "\\%03o", c);
			o += 4;
		}
	}
	out[o] = '\0';
	return out;
}
