/*
 * agents - resident delivery agents for background mode; see agents.h.
 *
 * A slot's state moves so:
 *
 *	agent:	 BUSY -> IDLE	before it waits (unless a session claimed it)
 *		 IDLE -> BUSY	when it stops waiting unclaimed (compare
 *				and swap)
 *		 any  -> BUSY	when it has received an id
 *		 BUSY, IDLE -> DOWN	when it ends
 *	session: IDLE -> CLAIMED	(compare and swap), then sends the id
 *		 CLAIMED -> IDLE	when the send failed
 *	master:	 DOWN -> BUSY	before it forks the agent
 */
#include "agents.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "delivery.h"
#include "q_file.h"
#include "sm_log.h"

enum { DOWN, BUSY, IDLE, CLAIMED };

/* How long an idle agent without a connection waits before it looks
 * whether the master is still there (ms). */
#define AGENT_CHECK	60000
/* How long a claimed agent that woke without an id waits for it before
 * it takes the claim back (ms); a session sends right after it claims,
 * so only one that died in between leaves a claim empty, and the agent
 * finds out when its wait (at most AGENT_CHECK) ends. */
#define AGENT_SETTLE	1000

struct slot {
	_Atomic int	 state;
};

static struct slot *shared;	/* AGENT_MAX states, shared */
static size_t nslots;
static int fds[AGENT_MAX][2];	/* [0] sessions send, [1] the agent reads */
static pid_t pids[AGENT_MAX];	/* master: each slot's agent, 0: none */
static time_t started[AGENT_MAX];
static pid_t master;
static volatile sig_atomic_t stopping;

/* agent_init - n slots and their sockets, before any fork */
int
agent_init(size_t n)
{
	void *p;
	size_t i;

	if (n > AGENT_MAX)
		n = AGENT_MAX;
	if (n == 0 || shared != NULL)
		return 0;
	p = mmap(NULL, AGENT_MAX * sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < n; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    fds[i]) < 0)
			break;
	if (i < n) {
		while (i-- > 0) {
			(void)close(fds[i][0]);
			(void)close(fds[i][1]);
		}
		(void)munmap(p, AGENT_MAX * sizeof(*shared));
		return -1;
	}
	shared = p;
	for (i = 0; i < AGENT_MAX; i++)
		atomic_init(&shared[i].state, DOWN);
	nslots = n;
	master = getpid();
	return 0;
}

/* agent_started - the master forked slot's agent at now (monotonic) */
void
agent_started(size_t slot, pid_t pid, time_t now)
{
	pids[slot] = pid;
	started[slot] = now;
}

/* agent_reaped - the slot whose agent pid was, now DOWN; or -1 */
int
agent_reaped(pid_t pid)
{
	size_t i;

	for (i = 0; i < nslots; i++)
		if (pids[i] == pid) {
			pids[i] = 0;
			atomic_store(&shared[i].state, DOWN);
			return (int)i;
		}
	return -1;
}

/*
 * agent_due - a slot without an agent whose time to start has come
 * (marked BUSY: the caller forks for it now), or -1; *ms is lowered to
 * the wait until the next one
 */
int
agent_due(time_t now, int *ms)
{
	size_t i;
	time_t at;

	for (i = 0; i < nslots; i++) {
		if (pids[i] != 0)
			continue;
		at = started[i] + AGENT_RESTART;
		if (started[i] == 0 || now >= at) {
			atomic_store(&shared[i].state, BUSY);
			return (int)i;
		}
		if ((at - now) * 1000 < *ms)
			*ms = (int)(at - now) * 1000;
	}
	return -1;
}

/* agent_signal - sig to every agent */
void
agent_signal(int sig)
{
	size_t i;

	for (i = 0; i < nslots; i++)
		if (pids[i] != 0)
			(void)kill(pids[i], sig);
}

/* agent_restart - every agent ends and starts again without delay */
void
agent_restart(void)
{
	size_t i;

	for (i = 0; i < nslots; i++)
		started[i] = 0;
	agent_signal(SIGTERM);
}

/* agent_running - agents alive */
size_t
agent_running(void)
{
	size_t i, n = 0;

	for (i = 0; i < nslots; i++)
		n += pids[i] != 0;
	return n;
}

/* agent_give - send id to an idle agent; false: none took it */
bool
agent_give(const char *id)
{
	size_t i, len = strlen(id);
	int idle;

	for (i = 0; i < nslots; i++) {
		idle = IDLE;
		if (!atomic_compare_exchange_strong(&shared[i].state, &idle,
		    CLAIMED))
			continue;
		if (send(fds[i][0], id, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)len)
			return true;
		idle = CLAIMED;
		(void)atomic_compare_exchange_strong(&shared[i].state, &idle,
		    IDLE);
	}
	return false;
}

/* on_stop - SIGTERM, SIGHUP in an agent: end after this message */
static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* valid_id - a queue id: letters and digits only */
static bool
valid_id(const char *id, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]))
			return false;
	return true;
}

/* receive - one id waiting in the socket: delivered; false: none */
static bool
receive(struct delivery_resident *a, struct slot *s, int fd)
{
	char id[Q_ID_MAX + 1];
	ssize_t n = recv(fd, id, sizeof(id), MSG_DONTWAIT | MSG_TRUNC);

	if (n <= 0)
		return false;
	atomic_store(&s->state, BUSY);
	if ((size_t)n >= sizeof(id) || !valid_id(id, (size_t)n)) {
		sm_warnx("delivery agent: a request that is no queue id, "
		    "ignored");
		return true;
	}
	id[n] = '\0';
	delivery_resident_message(a, id);
	return true;
}

/*
 * settle - the slot is CLAIMED and nothing came: wait a little for the
 * session's id; a claim that stays empty (the session died between its
 * claim and its send) is taken back
 */
static void
settle(struct delivery_resident *a, struct slot *s, int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int claimed = CLAIMED;

	if (poll(&pfd, 1, AGENT_SETTLE) > 0 && receive(a, s, fd))
		return;
	(void)atomic_compare_exchange_strong(&s->state, &claimed, BUSY);
}

/* finish - DOWN, with the ids already sent to this slot delivered */
static void
finish(struct delivery_resident *a, struct slot *s, int fd)
{
	int state;

	for (;;) {
		state = atomic_load(&s->state);
		if (state == CLAIMED)
			settle(a, s, fd);
		else if (atomic_compare_exchange_strong(&s->state, &state,
		    DOWN))
			break;
	}
	while (receive(a, s, fd))
		;
	atomic_store(&s->state, DOWN);
}

/* agent_agent - the agent of slot: runs until told to stop */
noreturn void
agent_main(struct config *c, size_t slot)
{
	struct slot *s = &shared[slot];
	int fd = fds[slot][1], state, wait;
	struct delivery_resident *a;
	struct sigaction sa;
	struct pollfd pfd;
	struct timespec ts;
	sigset_t stops, waiting;
	size_t i;
	int n;

	for (i = 0; i < nslots; i++) {
		(void)close(fds[i][0]);
		if (i != slot)
			(void)close(fds[i][1]);
	}
	/*
	 * The stop signals are blocked but while the agent waits (ppoll):
	 * a delivery is never interrupted, and a signal that comes just
	 * before the wait ends it at once instead of being missed.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigemptyset(&stops);
	(void)sigaddset(&stops, SIGTERM);
	(void)sigaddset(&stops, SIGHUP);
	(void)sigaddset(&stops, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &stops, &waiting);
	(void)sigdelset(&waiting, SIGTERM);
	(void)sigdelset(&waiting, SIGHUP);
	(void)sigdelset(&waiting, SIGINT);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	/* ps shows it apart from sessions; it ends with the master. */
	(void)prctl(PR_SET_NAME, AGENT_NAME, 0, 0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != master)
		_exit(0);
	a = delivery_resident_open(c);
	while (!stopping) {
		if (receive(a, s, fd))
			continue;
		state = BUSY;
		(void)atomic_compare_exchange_strong(&s->state, &state, IDLE);
		wait = delivery_resident_wait(a);
		if (wait < 0 || wait > AGENT_CHECK)
			wait = AGENT_CHECK;
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (long)(wait % 1000) * 1000000;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = ppoll(&pfd, 1, &ts, &waiting);
		if (n > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			break;		/* no sender is left: the master ended */
		if (n != 0)
			continue;	/* an id, or a signal */
		/* Nothing came.  Unless claimed meanwhile, tidy up. */
		state = IDLE;
		if (!atomic_compare_exchange_strong(&s->state, &state, BUSY)) {
			settle(a, s, fd);
			continue;
		}
		if (delivery_resident_wait(a) == 0)
			delivery_resident_rest(a);
		if (getppid() != master)
			break;
	}
	finish(a, s, fd);
	delivery_resident_close(a);
	(void)fflush(NULL);
	_exit(0);
}
