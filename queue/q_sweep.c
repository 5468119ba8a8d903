/*
 * q_sweep - the files that crashed writers left in the queue, removed;
 * see q_sweep.h.
 */
#include "q_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "q_file.h"
#include "sm_log.h"

/* unheld - can we lock path?  (nobody works on it; the file exists) */
static bool
unheld(const char *path)
{
	bool free_ = false;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	free_ = q_lock(fd) == 0;
	(void)close(fd);
	return free_;
}

/* q_sweep - remove what crashed writers left behind */
void
q_sweep(const char *qfdir, const char *dfdir)
{
	char path[8300], qf[8300], df[8300];
	const char *dirs[2] = { dfdir, qfdir };
	struct dirent *e;
	struct stat st;
	DIR *dp;
	int i;

	for (i = 0; i < 2; i++) {
		if (i == 1 && strcmp(qfdir, dfdir) == 0)
			break;
		if ((dp = opendir(dirs[i])) == NULL)
			continue;
		while ((e = readdir(dp)) != NULL) {
			const char *id = e->d_name + 2;
			bool tf = strncmp(e->d_name, "tf", 2) == 0;

			if ((!tf && strncmp(e->d_name, "df", 2) != 0) ||
			    *id == '\0')
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", dirs[i],
			    e->d_name);
			(void)snprintf(qf, sizeof(qf), "%s/qf%s", qfdir,
			    id);
			(void)snprintf(df, sizeof(df), "%s/df%s", dfdir,
			    id);
			if (!tf && access(qf, F_OK) == 0)
				continue;	/* a queued message's data */
			/* A writer locks a new file at once; a minute's
			 * grace keeps the sweep out of that instant. */
			if (stat(path, &st) < 0 ||
			    time(NULL) - st.st_mtime < Q_SWEEP_GRACE)
				continue;
			if (!tf && !unheld(path))
				continue;	/* still being received */
			if (tf && (access(qf, F_OK) == 0 ? !unheld(qf) :
			    access(df, F_OK) == 0 && !unheld(df)))
				continue;	/* a rewrite or commit going on */
			/* Check again: the writer may have just finished. */
			if (!tf && access(qf, F_OK) == 0)
				continue;
			if (unlink(path) == 0)
				sm_notice("%s: removed %s left by a process "
				    "that died", id, tf ? "a temporary control "
				    "file" : "an unfinished data file");
		}
		(void)closedir(dp);
	}
}
