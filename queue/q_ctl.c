/*
 * q_ctl - read and rewrite control files; see q_ctl.h.
 */
#include "q_ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "q_file.h"
#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"

/* set - replace *slot with a copy of v */
static void
set(char **slot, const char *v)
{
	free(*slot);
	*slot = sm_strdup(v);
}

/* number - a whole decimal number, or -1 */
static int
number(const char *v, long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	*out = strtol(v, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/*
 * q_ctl_add_rcpt - room for one more recipient, zeroed, at the end.  The
 * array doubles when full: a file of n recipients is not copied n times.
 */
struct q_rcpt *
q_ctl_add_rcpt(struct q_ctl *c)
{
	struct q_rcpt *r;

	if (c->nrcpts == c->rcpts_cap) {
		c->rcpts_cap = c->rcpts_cap < 8 ? 8 : c->rcpts_cap * 2;
		c->rcpts = sm_reallocarray(c->rcpts, c->rcpts_cap,
		    sizeof(*c->rcpts));
	}
	r = &c->rcpts[c->nrcpts++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* q_ctl_read - parse the control file at path */
int
q_ctl_read(const char *path, struct q_ctl *c, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	char *line = NULL, *pending_status = NULL, *pending_orcpt = NULL;
	char *pending_final = NULL, *ctladdr = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	bool ended = false;
	FILE *fp;
	long v;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	base = base != NULL ? base + 1 : path;
	(void)snprintf(c->id, sizeof(c->id), "%s",
	    strncmp(base, "qf", 2) == 0 ? base + 2 : base);
	if ((fp = fopen(path, "r")) == NULL)
		return sm_errbuf(err, errlen, "cannot open: %s",
		    strerror(errno));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (ended) {
			sm_errbuf(err, errlen, "line %zu: text after the end "
			    "mark", lineno);
			goto out;
		}
		if ((line[0] == '\t' || line[0] == ' ') && c->headers.n > 0) {
			char **h = &c->headers.v[c->headers.n - 1];
			size_t old = strlen(*h);

			*h = sm_realloc(*h, old + (size_t)n + 2);
			(*h)[old] = '\n';
			memcpy(*h + old + 1, line, (size_t)n + 1);
			continue;
		}
		switch (line[0]) {
		case 'V':
			if (number(line + 1, &v) < 0 || v < 1 || v > 8) {
				sm_errbuf(err, errlen, "line %zu: unknown "
				    "version %s", lineno, line + 1);
				goto out;
			}
			c->version = (int)v;
			break;
		case 'T':
			if (number(line + 1, &v) == 0)
				c->ctime = (time_t)v;
			break;
		case 'K':
			if (number(line + 1, &v) == 0)
				c->last = (time_t)v;
			break;
		case 'N':
			if (number(line + 1, &v) == 0)
				c->ntries = v;
			break;
		case 'P':
			if (number(line + 1, &v) == 0)
				c->priority = v;
			break;
		case 'I': set(&c->inode, line + 1); break;
		case 'B': set(&c->bodytype, line + 1); break;
		case 'F': set(&c->flags, line + 1); break;
		case 'S': set(&c->sender, line + 1); break;
		case 'Z': set(&c->envid, line + 1); break;
		case 'A': set(&c->auth, line + 1); break;
		case 'q': set(&c->quarantine, line + 1); break;
		case '!': set(&c->deliverby, line + 1); break;
		case 'd': set(&c->dfdir, line + 1); break;
		case 'C': set(&ctladdr, line + 1); break;
		case 'Q': set(&pending_orcpt, line + 1); break;
		case 'r': set(&pending_final, line + 1); break;
		case 'M':
			/* Before any R: the envelope's; else the next R's. */
			if (c->nrcpts == 0 && c->sender == NULL)
				set(&c->status, line + 1);
			else
				set(&pending_status, line + 1);
			break;
		case '$':
			sm_strlist_add(&c->macros, line + 1);
			break;
		case 'H':
			sm_strlist_add(&c->headers, line + 1);
			break;
		case 'R': {
			struct q_rcpt *r;
			char *colon = strchr(line + 1, ':');

			r = q_ctl_add_rcpt(c);
			/* Version 8 has flags before a colon; "R<x>" has none. */
			if (colon != NULL && strcspn(line + 1, "<:@") ==
			    (size_t)(colon - line - 1)) {
				r->flags = sm_strndup(line + 1,
				    (size_t)(colon - line - 1));
				r->addr = sm_strdup(colon + 1);
			} else {
				r->flags = sm_strdup("");
				r->addr = sm_strdup(line + 1);
			}
			r->orcpt = pending_orcpt;
			r->final = pending_final;
			r->status = pending_status;
			r->ctladdr = ctladdr != NULL ? sm_strdup(ctladdr) :
			    NULL;
			pending_orcpt = pending_final = pending_status = NULL;
			break;
		}
		case 'E':
			break;		/* obsolete error recipient */
		case '.':
			if (line[1] == '\0') {
				ended = true;
				break;
			}
			SM_FALLTHROUGH;
		default:
			sm_errbuf(err, errlen, "line %zu: unknown record type "
			    "'%c'", lineno, line[0]);
			goto out;
		}
	}
	if (!ended)
		sm_errbuf(err, errlen, "incomplete (no end mark)");
	else if (c->sender == NULL)
		sm_errbuf(err, errlen, "no sender (S line)");
	else
		rc = 0;
out:
	free(line);
	free(pending_status);
	free(pending_orcpt);
	free(pending_final);
	free(ctladdr);
	(void)fclose(fp);
	if (rc < 0)
		q_ctl_free(c);
	return rc;
}

/* q_ctl_macro - a saved macro's value ("_", "r", "daemon_flags") */
const char *
q_ctl_macro(const struct q_ctl *c, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < c->macros.n; i++) {
		const char *m = c->macros.v[i];

		if (n == 1 && m[0] == name[0])
			return m + 1;
		if (m[0] == '{' && strncmp(m + 1, name, n) == 0 &&
		    m[n + 1] == '}')
			return m + n + 2;
	}
	return NULL;
}

/* opt - "<c><value>\n" when value is set */
static void
opt(struct sm_buf *b, char c, const char *v)
{
	if (v != NULL)
		(void)sm_buf_printf(b, "%c%s\n", c, v);
}

/*
 * write_back - c as tfID, flushed (safe), renamed over qfID.  With lock,
 * the new file is locked (q_lock) before the rename through a descriptor
 * that replaces *lock, the old file's: the message is never unlocked in
 * between, so no other run can take it while its delivery goes on.
 */
static int
write_back(const struct q_ctl *c, const char *qfdir, bool safe, int *lock)
{
	char tf[4200], qf[4200];
	struct sm_buf b;
	struct stat st;
	const char *ctl = NULL;
	mode_t mode = 0600;
	size_t i;
	int fd, e;

	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "V%d\nT%lld\nK%lld\nN%ld\nP%ld\n",
	    c->version > 0 ? c->version : 8, (long long)c->ctime,
	    (long long)c->last, c->ntries, c->priority);
	opt(&b, 'd', c->dfdir);
	opt(&b, 'I', c->inode);
	opt(&b, 'B', c->bodytype);
	opt(&b, 'q', c->quarantine);
	opt(&b, 'M', c->status);
	opt(&b, 'F', c->flags);
	for (i = 0; i < c->macros.n; i++)
		(void)sm_buf_printf(&b, "$%s\n", c->macros.v[i]);
	opt(&b, 'S', c->sender);
	opt(&b, 'Z', c->envid);
	opt(&b, 'A', c->auth);
	opt(&b, '!', c->deliverby);
	for (i = 0; i < c->nrcpts; i++) {
		const struct q_rcpt *r = &c->rcpts[i];

		if (r->done)
			continue;
		if (r->ctladdr != NULL && (ctl == NULL ||
		    strcmp(ctl, r->ctladdr) != 0)) {
			opt(&b, 'C', r->ctladdr);
			ctl = r->ctladdr;
		}
		opt(&b, 'Q', r->orcpt);
		opt(&b, 'r', r->final);
		opt(&b, 'M', r->status);
		(void)sm_buf_printf(&b, "R%s:%s\n", r->flags, r->addr);
	}
	for (i = 0; i < c->headers.n; i++)
		(void)sm_buf_printf(&b, "H%s\n", c->headers.v[i]);
	(void)sm_buf_puts(&b, ".\n");
	(void)snprintf(tf, sizeof(tf), "%s/tf%s", qfdir, c->id);
	(void)snprintf(qf, sizeof(qf), "%s/qf%s", qfdir, c->id);
	/* The new file keeps the old one's mode (QueueFileMode when it
	   was written): a queue mailq reads through its group stays so. */
	if (stat(qf, &st) == 0)
		mode = st.st_mode & 0660;
	fd = open(tf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		goto fail;
	if ((lock != NULL && q_lock(fd) < 0) ||
	    (mode != 0600 && fchmod(fd, mode | 0600) < 0) ||
	    write(fd, b.data, b.len) != (ssize_t)b.len ||
	    (safe && fsync(fd) < 0)) {
		e = errno;
		(void)close(fd);
		(void)unlink(tf);
		errno = e != 0 ? e : EIO;
		goto fail;
	}
	/* Kept open with the lock it carries, else closed first: an error
	   that only close reports keeps the file from replacing the old. */
	if ((lock == NULL && close(fd) < 0) || rename(tf, qf) < 0) {
		e = errno;
		if (lock != NULL)
			(void)close(fd);
		(void)unlink(tf);
		errno = e;
		goto fail;
	}
	if (lock != NULL) {
		/* The old file is gone from the queue; its lock goes too. */
		(void)close(*lock);
		*lock = fd;
	}
	sm_buf_free(&b);
	return 0;
fail:
	e = errno;
	sm_buf_free(&b);
	errno = e;
	return -1;
}

/* q_ctl_rewrite - write c back: tfID, flush, rename over qfID */
int
q_ctl_rewrite(const struct q_ctl *c, const char *qfdir, bool safe)
{
	return write_back(c, qfdir, safe, NULL);
}

/* q_ctl_checkpoint - q_ctl_rewrite, the lock kept; see q_ctl.h */
int
q_ctl_checkpoint(const struct q_ctl *c, const char *qfdir, bool safe,
    int *lock)
{
	return write_back(c, qfdir, safe, lock);
}

/* q_ctl_free - release everything */
void
q_ctl_free(struct q_ctl *c)
{
	size_t i;

	free(c->inode);
	free(c->bodytype);
	free(c->status);
	free(c->flags);
	free(c->sender);
	free(c->envid);
	free(c->auth);
	free(c->quarantine);
	free(c->deliverby);
	free(c->dfdir);
	sm_strlist_clear(&c->macros);
	sm_strlist_clear(&c->headers);
	for (i = 0; i < c->nrcpts; i++) {
		free(c->rcpts[i].addr);
		free(c->rcpts[i].flags);
		free(c->rcpts[i].orcpt);
		free(c->rcpts[i].final);
		free(c->rcpts[i].status);
		free(c->rcpts[i].ctladdr);
	}
	free(c->rcpts);
	memset(c, 0, sizeof(*c));
}
