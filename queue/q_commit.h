/*
 * q_commit - how a new message becomes durable in the queue: which
 * flushes make a message that was acknowledged (250) survive a crash of
 * the machine or a power cut, chosen for the file system it is on.
 *
 * SYNOPSIS
 *	q_commit_group_init()		in the daemon, before it forks its
 *					sessions: they share directory fsyncs
 *	q_commit_probe(dfdir)		as root, before forking: which path
 *					the data files' file system takes
 *	q_commit_start(dfd)		the data file's writes start while
 *					the control file is being built
 *	q_commit_publish(&f, safe, &renamed)
 *					both files flushed as the path needs,
 *					tfID renamed to qfID, all on disk
 *					before it returns 0
 *	q_commit_path_of(fd)		the path taken on fd's file system
 *
 * THE INVARIANT
 *	When q_commit_publish() returns 0 with safe set, the control file
 *	under its qf name and the data file are whole on the disk: a crash
 *	of the machine at any later moment leaves the message queued.
 *	With safe set, at every moment a qf name on the disk has complete
 *	files behind it.  A crash before the return may leave the message
 *	queued although it was not acknowledged: the client sends it
 *	again, a duplicate, never a loss.  On failure (-1, errno set) the
 *	qf name is gone again (*renamed says whether the rename happened,
 *	and so whether the temporary name is left for the caller to
 *	remove).
 *
 *	Q_COMMIT_JOURNAL, "one journal commit": ext4 with its journal
 *	inside the file system (/proc/fs/jbd2/NAME-8 exists), without the
 *	fast_commit feature (read from the superblock, which needs root:
 *	hence q_commit_probe()), both files on that one file system.
 *	Flushes: sync_file_range() writes both files and waits for the
 *	writes; the rename; one fsync() of the control file.  Why that
 *	is enough: ext4 records a buffered write's blocks as written, and
 *	the file's size, in the journal when the write completes, so both
 *	files' blocks and sizes are in a journal transaction no later than
 *	the rename's; the rename changes the control file's inode (ctime)
 *	in the transaction that holds the new name, so its fsync commits
 *	that transaction; jbd2 commits transactions in order, and writes
 *	each commit record only after flushing the disk's cache (the
 *	default barrier=1).  No fsync of the data file (it would flush the
 *	cache again) nor of the directory (it would force a commit of its
 *	own).  The choice does not read the mount options: data=ordered
 *	(the default) is the mode the tests mount; data=writeback and
 *	data=journal take the same path untested.
 *	Shown by: tests/integration/test_queue_commit.py
 *	    test_journaled_ext4_one_commit_per_message (20 messages, 20
 *	    to 30 journal commits: each 250 waited for one),
 *	    test_disk_holds_each_message_at_its_250[ext4-safe];
 *	tests/unit/commit_test.c test_choose_journal.
 *
 *	Q_COMMIT_FULL, everywhere else, as sendmail does: fsync() of the
 *	data file and of the control file, the rename, fsync() of the
 *	control file's directory (shared, below), and of the data file's
 *	when it is another.  The file system's fsync must then flush
 *	what it wrote and the disk's cache, which ext4, XFS and btrfs do.
 *	Taken on:
 *	  ext4 with fast commits: a fast commit logs only the inodes queued
 *	    for it, and an fsync that found another fast commit running may
 *	    return once that one ends, without a rename made meanwhile;
 *	    the directory's fsync forces a full commit.  Shown by
 *	    test_fast_commits_keep_the_full_order (one full commit a
 *	    message at least), test_disk_holds_each_message_at_its_250
 *	    [ext4-fastcommit-safe].
 *	  ext4 without a journal: test_ext4_without_journal,
 *	    test_disk_holds_each_message_at_its_250[ext4-nojournal-safe].
 *	  XFS: test_disk_holds_each_message_at_its_250[xfs-safe].
 *	  btrfs: test_disk_holds_each_message_at_its_250[btrfs-safe].
 *	  ext4 whose superblock could not be read (a daemon not started as
 *	    root) or with an external journal: not tested.
 *	  the data files on another file system than the control files
 *	    (a df/ link elsewhere): test_data_files_on_another_file_system.
 *	  any other file system (tmpfs keeps nothing over a power cut; a
 *	    network file system is as safe as its fsync): not tested.
 *	tests/unit/commit_test.c test_choose_full and test_path_of_tmpfs
 *	show the choice for each of the facts that make it.
 *
 *	The crash copies see a flush left out: without the control file's
 *	fsync the journal path fails at [ext4-safe]; without the
 *	directory's, the full path fails at [ext4-fastcommit-safe],
 *	[ext4-nojournal-safe], [xfs-safe] and [btrfs-safe]; without the
 *	files' fsyncs before the rename, at [ext4-nojournal-safe] and
 *	[btrfs-safe] (on XFS and with fast commits the directory's fsync
 *	happens to carry the files too, whose writes were waited for).
 *
 *	What no test shows: the disk's own cache.  The crash tests copy the
 *	image file behind a loop device, which holds every write the file
 *	system completed; they show that the right writes are complete
 *	when 250 is sent, not that a disk's volatile cache was flushed (the
 *	file systems above flush it at a journal commit or an fsync,
 *	unless mounted with barrier=0 or nobarrier, which nothing here
 *	checks).
 *
 *	safe false (SuperSafe=False): no flush at all, and nothing is
 *	promised over a crash of the machine; a crash of the process alone
 *	loses nothing acknowledged.  test_disk_holds_each_message_at_its_250
 *	[*-unsafe] shows the copy then holds no message: the crash copies
 *	would see a missing flush.
 *
 * GROUP COMMIT
 *	The full path's directory fsync is shared by the processes forked
 *	after q_commit_group_init(): one fsync covers every rename that
 *	finished before the fsync began.  A process takes a ticket after
 *	its rename (q_commit_ticket); when a covering fsync has finished
 *	(q_commit_covered) it is done; otherwise it takes the directory's
 *	flock (the kernel drops it if the holder dies), looks again, notes
 *	the renames counted so far (q_commit_sync_begin), fsyncs, and
 *	records them as covered (q_commit_sync_done; the count never goes
 *	back).  Each process still returns only after its own rename is
 *	on disk.  Shown by tests/unit/qfile_test.c test_group_commit (four
 *	writers, every message lands) and tests/unit/commit_test.c
 *	test_group_tickets.
 *
 * DIAGNOSTICS
 *	q_commit_publish() returns 0, or -1 with errno (ENOSPC, EIO, ...).
 */
#ifndef Q_COMMIT_H
#define Q_COMMIT_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum q_commit_path {
	Q_COMMIT_FULL,		/* fsync files, rename, fsync directories */
	Q_COMMIT_JOURNAL	/* wait for writes, rename, one fsync */
};

/* What q_commit_publish() works on: two written files, two directories. */
struct q_commit_files {
	const char	*id;		/* the queue id, for the log */
	int		 dfd;		/* the data file, its writes done */
	int		 cfd;		/* the control file, locked, written */
	const char	*tmp;		/* the control file's name (tfID) */
	const char	*final;		/* its name once published (qfID) */
	const char	*cdir;		/* the control file's directory */
	const char	*ddir;		/* the data file's directory */
};

/* What decides the path (q_commit_choose); gathered by q_commit_path_of. */
struct q_commit_fs {
	long		 type;		/* statfs f_type */
	bool		 journal;	/* /proc/fs/jbd2/NAME-8 exists */
	const unsigned char *sb;	/* the bytes at offset 1024 of the
					   device, or NULL: not readable */
	size_t		 sblen;
};

#define Q_COMMIT_EXT4_MAGIC	0xEF53	/* f_type of ext2, 3 and 4 */
#define Q_COMMIT_SB_LEN		0x60	/* superblock bytes the choice reads */

/* The counters of the group commit, in memory shared by the sessions. */
struct q_commit_group {
	_Atomic uint64_t renamed;	/* renames counted */
	_Atomic uint64_t synced;	/* renames a finished fsync covers */
};

int		 q_commit_group_init(void);
void		 q_commit_probe(const char *);
void		 q_commit_start(int);
int		 q_commit_publish(const struct q_commit_files *, bool, bool *);
enum q_commit_path q_commit_path_of(int);

/* The pure parts, for tests. */
enum q_commit_path q_commit_choose(const struct q_commit_fs *);
uint64_t	 q_commit_ticket(struct q_commit_group *);
bool		 q_commit_covered(struct q_commit_group *, uint64_t);
uint64_t	 q_commit_sync_begin(struct q_commit_group *);
void		 q_commit_sync_done(struct q_commit_group *, uint64_t);

#endif /* Q_COMMIT_H */
