/*
 * q_list - scan, select, sort and print the queue; see q_list.h.
 */
#include "q_list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_log.h"

/* sub - dir/name when it is a directory, else dir */
static char *
sub(const char *dir, const char *name, char *buf, size_t len)
{
	struct stat st;

	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) < len &&
	    stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
		return buf;
	(void)snprintf(buf, len, "%s", dir);
	return buf;
}

/* q_qfdir - where control files live: qdir/qf or qdir */
char *
q_qfdir(const char *qdir, char *buf, size_t len)
{
	return sub(qdir, "qf", buf, len);
}

/* q_dfdir - where data files live: qdir/df or qdir */
char *
q_dfdir(const char *qdir, char *buf, size_t len)
{
	return sub(qdir, "df", buf, len);
}

/* contains - does hay contain needle (optionally ignoring case)? */
static bool
contains(const char *hay, const char *needle, bool icase)
{
	return hay != NULL && (icase ? strcasestr(hay, needle) :
	    strstr(hay, needle)) != NULL;
}

/* selected - does any selector pick this job? */
static bool
selected(const struct q_ctl *c, const struct q_select *sel, size_t nsel)
{
	size_t i, k;

	if (nsel == 0)
		return true;
	for (i = 0; i < nsel; i++) {
		bool hit = false;

		switch (sel[i].kind) {
		case 'I':
			hit = contains(c->id, sel[i].pattern, false);
			break;
		case 'S':
			hit = contains(c->sender, sel[i].pattern, true);
			break;
		case 'R':
			for (k = 0; k < c->nrcpts && !hit; k++)
				hit = contains(c->rcpts[k].addr,
				    sel[i].pattern, true);
			break;
		default:
			break;
		}
		if (hit != sel[i].negate)
			return true;
	}
	return false;
}

/* is_locked - does another process hold the control file's lock? */
static bool
is_locked(int fd)
{
	struct flock fl;

	/* F_OFD_GETLK sees both kinds of lock: ours and sendmail's. */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

/* q_scan - read every selected control file of the queue */
int
q_scan(const char *qdir, const struct q_select *sel, size_t nsel,
    struct q_job **jobs, size_t *njobs)
{
	char qfdir[4096], dfdir[4096], path[8300], err[256];
	struct dirent *e;
	struct stat st;
	DIR *dp;
	int fd;

	*jobs = NULL;
	*njobs = 0;
	(void)q_qfdir(qdir, qfdir, sizeof(qfdir));
	(void)q_dfdir(qdir, dfdir, sizeof(dfdir));
	if ((dp = opendir(qfdir)) == NULL)
		return -1;
	while ((e = readdir(dp)) != NULL) {
		struct q_job j;

		if (strncmp(e->d_name, "qf", 2) != 0 || e->d_name[2] == '\0')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", qfdir, e->d_name);
		memset(&j, 0, sizeof(j));
		if (q_ctl_read(path, &j.ctl, err, sizeof(err)) < 0) {
			sm_warnx("%s: %s", path, err);
			continue;
		}
		if (!selected(&j.ctl, sel, nsel)) {
			q_ctl_free(&j.ctl);
			continue;
		}
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			j.locked = is_locked(fd);
			if (fstat(fd, &st) == 0)
				j.mtime = st.st_mtime;
			(void)close(fd);
		}
		(void)snprintf(path, sizeof(path), "%s/df%s", j.ctl.dfdir !=
		    NULL ? j.ctl.dfdir : dfdir, j.ctl.id);
		j.dfsize = stat(path, &st) == 0 ? st.st_size : 0;
		*jobs = sm_reallocarray(*jobs, *njobs + 1, sizeof(**jobs));
		(*jobs)[(*njobs)++] = j;
	}
	(void)closedir(dp);
	return 0;
}

static char sort_order;

/* first_host - the host of a job's first recipient, for "host" order */
static const char *
first_host(const struct q_job *j)
{
	const char *at;

	if (j->ctl.nrcpts == 0)
		return "";
	at = strrchr(j->ctl.rcpts[0].addr, '@');
	return at != NULL ? at + 1 : "";
}

/* cmp_job - QueueSortOrder */
static int
cmp_job(const void *a, const void *b)
{
	const struct q_job *x = a, *y = b;
	int c;

	switch (sort_order) {
	case 'h':
		if ((c = strcasecmp(first_host(x), first_host(y))) != 0)
			return c;
		break;
	case 't':
		if (x->ctl.ctime != y->ctl.ctime)
			return x->ctl.ctime < y->ctl.ctime ? -1 : 1;
		break;
	case 'm':
		if (x->mtime != y->mtime)
			return x->mtime < y->mtime ? -1 : 1;
		break;
	case 'f':
		return strcmp(x->ctl.id, y->ctl.id);
	case 'n':
	case 'r':
		return 0;
	default:
		break;
	}
	if (x->ctl.priority != y->ctl.priority)
		return x->ctl.priority < y->ctl.priority ? -1 : 1;
	return strcmp(x->ctl.id, y->ctl.id);
}

/* q_sort - order jobs as QueueSortOrder says */
void
q_sort(struct q_job *jobs, size_t n, char order)
{
	size_t i;

	if (n < 2)
		return;			/* qsort() may not be given NULL */
	if (order == 'r') {		/* random */
		for (i = n; i > 1; i--) {
			size_t k = (size_t)random() % i;
			struct q_job t = jobs[i - 1];

			jobs[i - 1] = jobs[k];
			jobs[k] = t;
		}
		return;
	}
	sort_order = order;
	qsort(jobs, n, sizeof(*jobs), cmp_job);
}

/* q_list_print - sendmail's mailq layout */
void
q_list_print(FILE *fp, const char *qdir, const struct q_job *jobs, size_t n,
    bool verbose, size_t total)
{
	char dfdir[4096], when[32];
	size_t i, k;

	(void)q_dfdir(qdir, dfdir, sizeof(dfdir));
	if (n == 0)
		(void)fprintf(fp, "%s is empty\n", dfdir);
	else {
		(void)fprintf(fp, "\t\t%s (%zu request%s", dfdir, total,
		    total == 1 ? "" : "s");
		if (n < total)
			(void)fprintf(fp, ", only %zu printed", n);
		(void)fprintf(fp, ")\n");
		(void)fprintf(fp, verbose ?
		    "-----Q-ID----- --Size-- -Priority- ---Q-Time--- "
		    "--------Sender/Recipient--------\n" :
		    "-----Q-ID----- --Size-- -----Q-Time----- "
		    "------------Sender/Recipient-----------\n");
	}
	for (i = 0; i < n; i++) {
		const struct q_job *j = &jobs[i];
		const struct q_ctl *c = &j->ctl;
		time_t t = c->ctime;

		(void)ctime_r(&t, when);
		if (verbose)
			(void)fprintf(fp, "%13s%c%8lld %10ld%c%.12s %.38s",
			    c->id, j->locked ? '*' : ' ',
			    (long long)j->dfsize, c->priority,
			    c->flags != NULL && strchr(c->flags, 'w') != NULL ?
			    '+' : ' ', when + 4, c->sender);
		else
			(void)fprintf(fp, "%13s%c%8lld %.16s %.39s", c->id,
			    j->locked ? '*' : ' ', (long long)j->dfsize, when,
			    c->sender);
		if (c->status != NULL || c->bodytype != NULL)
			(void)fprintf(fp, "\n    %10s   (%.*s)", c->bodytype !=
			    NULL ? c->bodytype : "", verbose ? 100 : 60,
			    c->status != NULL ? c->status : "");
		for (k = 0; k < c->nrcpts; k++) {
			if (c->rcpts[k].done)
				continue;
			(void)fprintf(fp, "\n%s %.38s", verbose ?
			    "\t\t\t\t\t\t" : "\t\t\t\t\t", c->rcpts[k].addr);
		}
		(void)fputc('\n', fp);
	}
	(void)fprintf(fp, "\t\tTotal requests: %zu\n", total);
}

/* q_jobs_free - release a scan */
void
q_jobs_free(struct q_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		q_ctl_free(&jobs[i].ctl);
	free(jobs);
}
