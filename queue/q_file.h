/*
 * q_file - writing a message into the queue, durably, in sendmail's
 * version 8 control-file format (spec/queue.md sections 2 to 4).
 *
 * SYNOPSIS
 *	struct q_msg *m = q_msg_new(queuedir);	assigns the queue id
 *	q_msg_data_open(m)			creates dfID (0600, O_EXCL)
 *	q_msg_data_write(m, p, n)		body bytes (headers go in qf)
 *	q_msg_add_header(m, "?D?", "Date", "...")
 *	q_msg_add_rcpt(m, "<root@x>", "PFD", orcpt)
 *	q_msg_commit(m, fsync)			dfID and tfID written, renamed
 *						to qfID, all on disk
 *	q_msg_probe(queuedir)			as root, before forking: how
 *						its file system commits
 *	q_msg_abort(m)				remove what was created
 *	q_msg_free(m)
 *	q_lock(fd)				the lock every process working
 *						on a queue file holds; -1 when
 *						another holds it
 *
 * DESCRIPTION
 *	The control file holds the envelope and the headers, the data file
 *	the body only, as in sendmail.  A message exists for the queue
 *	runner only once q_msg_commit() has renamed tfID to qfID; until
 *	then a crash leaves at most a tf or df file that is never delivered
 *	(the runner reads only qf files).  Which flushes come before and
 *	after that rename, on which file systems, and the tests that show
 *	that an acknowledged message survives a power cut: q_commit.h.
 *	q_msg_probe() hands the data files' directory to q_commit_probe().
 *	The control file stays locked until everything is on disk.  When
 *	the queue directory has qf/ and df/ subdirectories the files go
 *	there.
 *
 *	Queue ids have sendmail's form: eight base-60 characters for the
 *	time (year mod 60, month, day, hour, minute, second in UTC) and a
 *	sequence number, then the process id, zero-padded to six digits.
 *
 * DIAGNOSTICS
 *	Functions return 0, or -1 with errno set (ENOSPC, EIO, ...) and
 *	nothing half-written left behind once q_msg_abort() ran.
 */
#ifndef Q_FILE_H
#define Q_FILE_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "sm_buf.h"

#define Q_ID_MAX	32

struct q_msg {
	char		 id[Q_ID_MAX];
	char		*qdir;		/* the queue directory */
	char		*qfdir;		/* where qf/tf files go */
	char		*dfdir;		/* where df files go */
	time_t		 ctime;
	long		 priority;
	char		*sender;	/* as received, e.g. "<a@b>" */
	char		*envid;		/* ENVID=, or NULL */
	char		*auth;		/* AUTH=, or NULL */
	char		*bodytype;	/* "7BIT", "8BITMIME" or NULL */
	char		 flags[16];	/* F line letters */
	struct sm_buf	 macros;	/* $ lines, written before S */
	struct sm_buf	 ctl_tail;	/* Q, R and H lines in order */
	size_t		 nrcpts;
	size_t		 size;		/* body bytes written */
	int		 dfd;		/* data file while writing, or -1 */
	bool		 df_made, qf_made;
	bool		 eightbit;	/* body has bytes >= 0x80 */
	mode_t		 mode;		/* of the files; 0600 unless set */
};

void		 q_msg_probe(const char *);
void		 q_id_make(char *, size_t, time_t, pid_t);
struct q_msg	*q_msg_new(const char *);
int		 q_msg_data_open(struct q_msg *);
int		 q_msg_data_write(struct q_msg *, const void *, size_t);
void		 q_msg_add_macro(struct q_msg *, const char *, const char *);
void		 q_msg_add_rcpt(struct q_msg *, const char *, const char *,
		    const char *);
void		 q_msg_add_header(struct q_msg *, const char *, const char *,
		    const char *);
int		 q_msg_commit(struct q_msg *, bool);
void		 q_msg_abort(struct q_msg *);
void		 q_msg_free(struct q_msg *);
char		*q_path(const struct q_msg *, char, char *, size_t);
int		 q_lock(int);

#endif /* Q_FILE_H */
