/*
 * sm_proc - self-pipe signals, privileges, detaching; see sm_proc.h.
 */
#include "sm_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sm_log.h"

#define NSIG_MAX	65

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_seen[NSIG_MAX];
static int sig_caught[NSIG_MAX];

/* handler - SIGNAL CONTEXT: record the signal and wake the main loop */
static void
handler(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig > 0 && sig < NSIG_MAX)
		sig_seen[sig] = 1;
	/* A full pipe already wakes the loop: the byte may be dropped. */
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* nothing to do in a handler */
	}
	errno = saved;
}

/* sm_sig_init - create the self-pipe */
int
sm_sig_init(void)
{
	if (sig_pipe[0] >= 0)
		return 0;
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* sm_sig_catch - route sig through the self-pipe */
int
sm_sig_catch(int sig)
{
	struct sigaction sa;

	if (sig <= 0 || sig >= NSIG_MAX)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	(void)sigemptyset(&sa.sa_mask);
	sig_caught[sig] = 1;
	return sigaction(sig, &sa, NULL);
}

/* sm_sig_fd - the descriptor to poll */
int
sm_sig_fd(void)
{
	return sig_pipe[0];
}

/* sm_sig_next - the next signal that arrived, or 0 */
int
sm_sig_next(void)
{
	char buf[64];
	int i;

	/* Drain the pipe; the flags say which signals came. */
	while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
		continue;
	for (i = 1; i < NSIG_MAX; i++)
		if (sig_seen[i]) {
			sig_seen[i] = 0;
			return i;
		}
	return 0;
}

/* sm_sig_child_reset - default dispositions, no self-pipe, in a child */
void
sm_sig_child_reset(void)
{
	int i;

	for (i = 1; i < NSIG_MAX; i++)
		if (sig_caught[i])
			(void)signal(i, SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	if (sig_pipe[0] >= 0) {
		(void)close(sig_pipe[0]);
		(void)close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
	}
}

/* number - a whole non-negative decimal number */
static int
number(const char *s, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	*out = strtol(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/*
 * sm_priv_resolve - "user", "uid", "uid:gid", "user:group" to ids.
 * A user name without a group takes the user's primary group.
 */
int
sm_priv_resolve(const char *spec, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	char user[256], *grp;
	struct passwd *pw;
	struct group *gr;
	long n;

	if (sm_strlcpy(user, spec, sizeof(user)) >= sizeof(user) ||
	    user[0] == '\0')
		return sm_errbuf(err, errlen, "bad user \"%s\"", spec);
	if ((grp = strchr(user, ':')) != NULL)
		*grp++ = '\0';
	if (number(user, &n) == 0) {
		*uid = (uid_t)n;
		pw = getpwuid(*uid);
		*gid = pw != NULL ? pw->pw_gid : (gid_t)n;
	} else if ((pw = getpwnam(user)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else
		return sm_errbuf(err, errlen, "unknown user %s", user);
	if (grp != NULL) {
		if (number(grp, &n) == 0)
			*gid = (gid_t)n;
		else if ((gr = getgrnam(grp)) != NULL)
			*gid = gr->gr_gid;
		else
			return sm_errbuf(err, errlen, "unknown group %s", grp);
	}
	return 0;
}

/*
 * sm_priv_become - become uid:gid for good; who names them in errors.
 * ROOT: the order matters; groups first, while we still may change
 * them, the uid last.  The process then may never gain a privilege
 * again, not even by running a set-user-id program (no_new_privs):
 * what reads the network runs no program that needs one.
 */
int
sm_priv_become(uid_t uid, gid_t gid, const char *who, char *err,
    size_t errlen)
{
	if (uid == 0)
		return sm_errbuf(err, errlen, "refusing to run as root");
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return sm_errbuf(err, errlen, "cannot become %s: %s", who,
		    strerror(errno));
	if (setuid(0) == 0 || geteuid() == 0 || getegid() != gid)
		return sm_errbuf(err, errlen, "privileges of %s not dropped "
		    "for good", who);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sm_errbuf(err, errlen, "no_new_privs for %s: %s", who,
		    strerror(errno));
	return 0;
}

/* sm_priv_lose_group - give up a set-group-id group for good */
void
sm_priv_lose_group(void)
{
	gid_t g = getgid();

	if (getegid() != g)
		(void)setresgid(g, g, g);
}

/* sm_priv_drop - become spec for good */
int
sm_priv_drop(const char *spec, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (sm_priv_resolve(spec, &uid, &gid, err, errlen) < 0)
		return -1;
	return sm_priv_become(uid, gid, spec, err, errlen);
}

/* sm_detach - into the background, away from the terminal */
int
sm_detach(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
		if (fd > 2)
			(void)close(fd);
	}
	return 0;
}
