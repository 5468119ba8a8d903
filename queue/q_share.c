/*
 * q_share - the runners of one queue run and what they share; see
 * q_share.h.
 */
#include "q_share.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "q_hoststat.h"
#include "q_smtp.h"
#include "sm_alloc.h"
#include "sm_log.h"

/*
 * What the runners of one run share (memory mapped before they fork):
 * what they found of hosts, the next message to take, how many of them
 * hold a connection or are opening one, and the messages handed back by
 * a runner that a host refused while another runner had a connection (a
 * host that takes one connection per client), for a runner that still
 * has its connection to take when it runs out of messages, or for the
 * first runner at the end.
 */
struct q_share {
	struct q_hostmem hosts;
	_Atomic size_t	 next;
	_Atomic int	 open;
	_Atomic size_t	 nback;
	_Atomic size_t	 back[];	/* index + 1 into the sorted list;
					   0: not written yet, or taken */
};

/*
 * q_share_runners - how many processes deliver the max messages of a
 * run over the queue: MaxRunnersPerQueue, no more than MaxQueueChildren;
 * one under SingleThreadDelivery with a host status directory (a second
 * would find the host locked and defer what it took) and while
 * conversations are traced (-v -qf), so that they do not interleave
 */
size_t
q_share_runners(const struct sm_options *o, size_t max)
{
	size_t n = o->MaxRunnersPerQueue > 1 ?
	    (size_t)o->MaxRunnersPerQueue : 1;
	char hsdir[4200];

	if (o->MaxQueueChildren > 0 && n > (size_t)o->MaxQueueChildren)
		n = (size_t)o->MaxQueueChildren;
	q_hs_dir(o, hsdir, sizeof(hsdir));
	if ((o->SingleThreadDelivery && hsdir[0] != '\0') ||
	    q_smtp_trace != NULL)
		n = 1;
	return n <= max ? n : max > 0 ? max : 1;
}

/* hand_back - message i goes to another runner; this one stops */
static void
hand_back(struct q_share *sh, const struct q_job *jobs, size_t i)
{
	atomic_store(&sh->back[atomic_fetch_add(&sh->nback, 1)], i + 1);
	sm_info("%s: handed back to the run: a runner stops", jobs[i].ctl.id);
}

/*
 * take_back - deliver what runners handed back, each message once; true
 * when this runner was refused in turn (and handed that one back)
 */
static bool
take_back(struct q_share *sh, const struct q_job *jobs,
    const struct q_share_ops *ops)
{
	size_t k, v;

	for (k = 0; k < atomic_load(&sh->nback); k++) {
		if ((v = atomic_exchange(&sh->back[k], 0)) == 0)
			continue;
		if (ops->job(ops->ctx, jobs[v - 1].ctl.id, true)) {
			hand_back(sh, jobs, v - 1);
			return true;
		}
	}
	return false;
}

/*
 * work - take the next message in sort order until none is left, then
 * what others handed back, over the connection this runner has; one
 * refused beside another runner hands its message back and stops
 */
static void
work(struct q_share *sh, const struct q_job *jobs, size_t max,
    const struct q_share_ops *ops)
{
	bool crowded = false;
	size_t i;

	while (!crowded && (i = atomic_fetch_add(&sh->next, 1)) < max)
		if ((crowded = ops->job(ops->ctx, jobs[i].ctl.id, false)))
			hand_back(sh, jobs, i);
	if (!crowded)
		(void)take_back(sh, jobs, ops);
	ops->stop(ops->ctx);
}

/* reap - wait for a runner; say how one that failed ended */
static void
reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return;
	if (WIFSIGNALED(st))
		sm_warnx("queue run: runner %ld killed by signal %d",
		    (long)pid, WTERMSIG(st));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		sm_warnx("queue run: runner %ld exited with %d", (long)pid,
		    WEXITSTATUS(st));
}

/*
 * q_share_run - the max messages of a run over the queue, by n
 * processes that share the sorted list: this one and n - 1 forked, each
 * with its own connection.  The forked ones end with this process (a
 * daemon stopping its run ends them all); each message they take is
 * bounded by the timeouts in force, so waiting for them is too.  Then
 * this one delivers what was handed back and no runner took.
 */
void
q_share_run(const struct q_job *jobs, size_t max, size_t n,
    const struct q_share_ops *ops)
{
	/* A runner hands back one message at most, then stops. */
	size_t i, nkids = 0, size = sizeof(struct q_share) +
	    (n + 1) * sizeof(_Atomic size_t);
	pid_t pid, self = getpid(), *kids;
	struct q_share *sh = MAP_FAILED;

	if (n > 1 && (sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		sm_warn("queue run: no shared memory for %zu runners, one "
		    "delivers", n);
		n = 1;
	}
	if (n == 1)
		sh = sm_calloc(1, size);	/* nothing to share */
	atomic_init(&sh->next, 0);
	atomic_init(&sh->open, 0);
	atomic_init(&sh->nback, 0);
	q_hm_init(&sh->hosts);
	ops->share(ops->ctx, &sh->hosts, &sh->open);
	kids = sm_calloc(n, sizeof(*kids));
	(void)fflush(NULL);
	for (i = 1; i < n; i++) {
		if ((pid = fork()) < 0) {
			sm_warn("queue run: cannot fork runner %zu of %zu", i + 1,
			    n);
			break;
		}
		if (pid == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
				sm_warn("queue run: runner cannot follow its "
				    "run");
			if (getppid() == self)
				work(sh, jobs, max, ops);
			(void)fflush(NULL);
			_exit(EX_OK);
		}
		kids[nkids++] = pid;
	}
	work(sh, jobs, max, ops);
	for (i = 0; i < nkids; i++)
		reap(kids[i]);
	free(kids);
	/* Alone now: what no runner with a connection took. */
	ops->share(ops->ctx, &sh->hosts, NULL);
	q_hm_alone(&sh->hosts);
	(void)take_back(sh, jobs, ops);
	ops->stop(ops->ctx);
	ops->share(ops->ctx, NULL, NULL);
	if (n > 1)
		(void)munmap(sh, size);
	else
		free(sh);
}
