/*
 * q_file - durable queue files in sendmail's format; see q_file.h.
 *
 * Runs in the SMTP session child (and later the submission path), as
 * RunAsUser.  The format and the names are here; the flushes and the
 * rename that make a 250 reply safe are q_commit's.
 */
#include "q_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "q_commit.h"
#include "sm_alloc.h"
#include "sm_log.h"

static const char base60[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

/*
 * q_id_make - a queue id for time t and process pid.  The two-character
 * sequence counts up per process from a random start; when it comes
 * round again within one second, the caller has made 3600 ids in that
 * second and q_msg_new() waits for the next.
 */
void
q_id_make(char *buf, size_t len, time_t t, pid_t pid)
{
	static int seq = -1;
	struct tm tm;

	if (seq < 0)
		seq = (int)(((unsigned)getpid() ^ (unsigned)t) % 3600);
	seq = (seq + 1) % 3600;
	(void)gmtime_r(&t, &tm);
	(void)snprintf(buf, len, "%c%c%c%c%c%c%c%c%06ld",
	    base60[(tm.tm_year) % 60], base60[tm.tm_mon],
	    base60[tm.tm_mday], base60[tm.tm_hour], base60[tm.tm_min],
	    base60[tm.tm_sec % 60], base60[seq / 60], base60[seq % 60],
	    (long)pid);
}

/* subdir - dir/sub when that is a directory, else dir */
static char *
subdir(const char *dir, const char *sub)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) <
	    sizeof(path) && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return sm_strdup(path);
	return sm_strdup(dir);
}

/* q_msg_new - a new message for queue directory qdir */
struct q_msg *
q_msg_new(const char *qdir)
{
	struct q_msg *m = sm_calloc(1, sizeof(*m));

	m->qdir = sm_strdup(qdir);
	m->qfdir = subdir(qdir, "qf");
	m->dfdir = subdir(qdir, "df");
	m->ctime = time(NULL);
	m->dfd = -1;
	m->mode = 0600;
	q_id_make(m->id, sizeof(m->id), m->ctime, getpid());
	sm_buf_init(&m->macros, 0);
	sm_buf_init(&m->ctl_tail, 0);
	return m;
}

/* q_path - the path of the file of type c ('q', 'd', 't') */
char *
q_path(const struct q_msg *m, char c, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s/%cf%s", c == 'd' ? m->dfdir : m->qfdir,
	    c, m->id);
	return buf;
}

/*
 * q_lock - lock a queue file for working on it; see q_file.h.  An open
 * file description lock: unlike a classic fcntl lock it is not dropped
 * when the process closes another descriptor of the file (q_ctl_read()
 * does), and on Linux it still conflicts with the classic locks
 * sendmail takes.
 */
int
q_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* q_msg_data_open - create the data file; it must not exist */
int
q_msg_data_open(struct q_msg *m)
{
	char path[4200];

	m->dfd = open(q_path(m, 'd', path, sizeof(path)),
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
	if (m->dfd < 0)
		return -1;
	m->df_made = true;
	/* The mode asked for, whatever the umask. */
	if (m->mode != 0600 && fchmod(m->dfd, m->mode) < 0)
		return -1;
	/*
	 * Held until the message is committed or abandoned: a queue run
	 * that finds a data file without a control file removes it only
	 * when nobody holds this lock (the writer crashed).
	 */
	return q_lock(m->dfd);
}

/* write_all - write n bytes to fd */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* q_msg_data_write - append body bytes */
int
q_msg_data_write(struct q_msg *m, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	if (!m->eightbit)
		for (i = 0; i < n; i++)
			if (c[i] >= 0x80) {
				m->eightbit = true;
				break;
			}
	m->size += n;
	return write_all(m->dfd, p, n);
}

/* line - append "<c><text>\n" to the control data, one line per value */
static void
line(struct q_msg *m, char c, const char *a, const char *b)
{
	(void)sm_buf_putc(&m->ctl_tail, c);
	(void)sm_buf_puts(&m->ctl_tail, a);
	if (b != NULL)
		(void)sm_buf_puts(&m->ctl_tail, b);
	(void)sm_buf_putc(&m->ctl_tail, '\n');
}

/* q_msg_add_macro - a saved macro: "$_value" or "${name}value" */
void
q_msg_add_macro(struct q_msg *m, const char *name, const char *value)
{
	if (strlen(name) == 1)
		(void)sm_buf_printf(&m->macros, "$%s%s\n", name, value);
	else
		(void)sm_buf_printf(&m->macros, "${%s}%s\n", name, value);
}

/* q_msg_add_rcpt - a recipient with its flags and DSN ORCPT */
void
q_msg_add_rcpt(struct q_msg *m, const char *addr, const char *flags,
    const char *orcpt)
{
	if (orcpt != NULL)
		line(m, 'Q', orcpt, NULL);
	(void)sm_buf_printf(&m->ctl_tail, "R%s:%s\n", flags, addr);
	m->nrcpts++;
}

/*
 * q_msg_add_header - "H?flags?Name: value"; value may span lines (each
 * continuation line keeps its leading blank, as in the message).
 */
void
q_msg_add_header(struct q_msg *m, const char *flags, const char *name,
    const char *value)
{
	(void)sm_buf_printf(&m->ctl_tail, "H?%s?%s: %s\n", flags, name,
	    value);
}

/*
 * q_msg_probe - learn now (as root) how the file system of the queue's
 * data files commits: dir/df when there is one, else dir
 */
void
q_msg_probe(const char *dir)
{
	char *df = subdir(dir, "df");	/* where q_msg_new() puts them */

	q_commit_probe(df);
	free(df);
}

/*
 * q_msg_commit - make the message durable and visible to the runner:
 * the control file written in full under its temporary name, then
 * q_commit_publish() flushes what the file system needs and renames it
 * (see q_commit.h for which flushes, and why they are enough).
 */
int
q_msg_commit(struct q_msg *m, bool safe)
{
	char tf[4200], qf[4200];
	struct q_commit_files f;
	struct stat st;
	struct sm_buf b;
	int fd = -1, rc, saved;
	bool renamed;

	if (m->dfd < 0 || fstat(m->dfd, &st) < 0)
		return -1;
	/* The data file stays open, and locked, until the qf exists. */
	if (safe)
		q_commit_start(m->dfd);
	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "V8\nT%lld\nK0\nN0\nP%ld\nI%u/%u/%llu\n",
	    (long long)m->ctime, m->priority, major(st.st_dev),
	    minor(st.st_dev), (unsigned long long)st.st_ino);
	if (m->bodytype != NULL)
		(void)sm_buf_printf(&b, "B%s\n", m->bodytype);
	if (m->flags[0] != '\0')
		(void)sm_buf_printf(&b, "F%s\n", m->flags);
	(void)sm_buf_append(&b, m->macros.data, m->macros.len);
	(void)sm_buf_printf(&b, "S%s\n", m->sender);
	if (m->envid != NULL)
		(void)sm_buf_printf(&b, "Z%s\n", m->envid);
	if (m->auth != NULL)
		(void)sm_buf_printf(&b, "A%s\n", m->auth);
	(void)sm_buf_append(&b, m->ctl_tail.data, m->ctl_tail.len);
	(void)sm_buf_puts(&b, ".\n");
	fd = open(q_path(m, 't', tf, sizeof(tf)),
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, m->mode);
	if (fd < 0)
		goto fail;
	m->qf_made = true;
	if (q_lock(fd) < 0)
		goto fail;
	if (m->mode != 0600 && fchmod(fd, m->mode) < 0)
		goto fail;
	if (write_all(fd, b.data, b.len) < 0)
		goto fail;
	f.id = m->id;
	f.dfd = m->dfd;
	f.cfd = fd;
	f.tmp = tf;
	f.final = q_path(m, 'q', qf, sizeof(qf));
	f.cdir = m->qfdir;
	f.ddir = m->dfdir;
	rc = q_commit_publish(&f, safe, &renamed);
	if (renamed)
		m->qf_made = false;	/* no tf: published, or taken back */
	if (rc < 0)
		goto fail;
	/* Everything is on disk: this close can lose nothing. */
	if (close(fd) < 0)
		sm_warn("%s: closing the control file", m->id);
	fd = -1;
	sm_buf_free(&b);
	m->df_made = false;	/* nothing of ours to remove any more */
	if (close(m->dfd) < 0)
		sm_warn("%s: closing the data file", m->id);
	m->dfd = -1;
	return 0;
fail:
	saved = errno;
	/* Still locked by us: no queue run has it. */
	if (fd >= 0)
		(void)close(fd);
	sm_buf_free(&b);
	errno = saved;
	return -1;
}

/* q_msg_abort - remove the files of an unfinished message */
void
q_msg_abort(struct q_msg *m)
{
	char path[4200];
	int saved = errno;

	if (m->dfd >= 0) {
		(void)close(m->dfd);
		m->dfd = -1;
	}
	if (m->df_made)
		(void)unlink(q_path(m, 'd', path, sizeof(path)));
	if (m->qf_made)
		(void)unlink(q_path(m, 't', path, sizeof(path)));
	m->df_made = m->qf_made = false;
	errno = saved;
}

/* q_msg_free - release the message (abort first if unfinished) */
void
q_msg_free(struct q_msg *m)
{
	if (m == NULL)
		return;
	q_msg_abort(m);
	free(m->qdir);
	free(m->qfdir);
	free(m->dfdir);
	free(m->sender);
	free(m->envid);
	free(m->auth);
	free(m->bodytype);
	sm_buf_free(&m->macros);
	sm_buf_free(&m->ctl_tail);
	free(m);
}
