/*
 * q_list - what is in the queue: scanning, selecting, sorting, and
 * printing in sendmail's mailq layout (spec/cli.md 3).
 *
 * SYNOPSIS
 *	struct q_job *jobs; size_t n;
 *	q_scan(qdir, sel, nsel, &jobs, &n)	every readable qfID
 *	q_sort(jobs, n, order)			QueueSortOrder's first letter
 *	q_list_print(stdout, qdir, jobs, n, verbose, shown_max)
 *	q_jobs_free(jobs, n)
 *
 * DESCRIPTION
 *	A selector (-qI, -qR, -qS, and their "!" forms) picks jobs whose
 *	queue id (case matters), some recipient or the sender (case does
 *	not matter) contains its pattern; with several, a job is picked
 *	when any of them picks it.  A job being delivered (its control
 *	file locked by another process) is marked "*"; the test takes no
 *	lock of its own.  A control file that cannot be read is skipped
 *	with a warning.
 */
#ifndef Q_LIST_H
#define Q_LIST_H

#include "sm_config.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "q_ctl.h"

struct q_select {
	char		 kind;		/* 'I', 'R' or 'S' */
	bool		 negate;
	const char	*pattern;
};

struct q_job {
	struct q_ctl	 ctl;
	off_t		 dfsize;
	bool		 locked;
	time_t		 mtime;		/* of the control file */
};

char	*q_qfdir(const char *, char *, size_t);
char	*q_dfdir(const char *, char *, size_t);
int	 q_scan(const char *, const struct q_select *, size_t,
	    struct q_job **, size_t *);
void	 q_sort(struct q_job *, size_t, char);
void	 q_list_print(FILE *, const char *, const struct q_job *, size_t,
	    bool, size_t);
void	 q_jobs_free(struct q_job *, size_t);

#endif /* Q_LIST_H */
