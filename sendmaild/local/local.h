/*
 * local - local recipients: aliases, .forward and :include: files
 * expanded, then the local, prog and file deliveries (mda), as the
 * users they belong to.
 *
 * SYNOPSIS
 *	local_service_start(&config)	root, before dropping privileges
 *	local_service_forget()		a process that delivers nothing
 *	local_deliver(&config, &ctl, dfd, "<root@host>", &lo)
 *					the queue runner's local hook
 *	local_verify(&config, "postmaster", &cb, ctx)	-bv
 *
 * DESCRIPTION
 *	A local name is looked up in the alias database (the name with a
 *	"+detail" first, then without), each item of its value expanded in
 *	turn: an address in a local domain is a local name again, another
 *	address is sent on (lo->forwards), "|program" runs through the prog
 *	mailer and "/file" is appended to, both as DefaultUser for the
 *	alias file's entries, ":include:/path" reads that file as its
 *	owner and expands its lines likewise.  A name that is not an alias
 *	is a user: the first file of ForwardPath ($z home, $w host, $u
 *	user) that exists and passes sendmail's rules (safefile.h; each
 *	one refused is logged as sendmail logs it) is read as the user and
 *	expanded with the user's rights ("\user" and the user's own name
 *	mean the mailbox; one with no address leaves the mail to it), else
 *	the message goes to the user's mailbox through the local mailer:
 *	its P= program run as the user, or, when P= is "[MBOX]" or names
 *	no executable file, the built-in delivery into MailSpoolDirectory.
 *	A local mailer with F=z speaks LMTP and is given the user as the
 *	recipient of an LMTP transaction (mda_lmtp); with F=S it runs
 *	with our own rights (root in the service), as sendmail runs
 *	mail.local -l, which becomes each user itself.
 *	A name met again on its own expansion path is taken as a user, so
 *	"a: a, b" keeps a copy for a, and an expansion deeper than
 *	MaxAliasRecursion fails with 5.4.6.  Each target is delivered once
 *	per message however many ways lead to it.
 *
 *	Results: a failure of an address that an alias named is filed
 *	under "owner-ALIAS" when that alias exists (lo->errs), so the list
 *	owner hears of it and not the sender; other failures of expanded
 *	addresses are filed under the sender.  The recipient itself fails
 *	only when it is unknown or when any target failed temporarily, in
 *	which case it is expanded again at the next attempt.
 *
 *	Privileges: becoming a user needs root, and the queue runner runs
 *	as RunAsUser.  local_service_start() forks, while still root, a
 *	service that later processes reach through an inherited socket:
 *	each process that delivers gets a worker of its own (named
 *	LOCAL_SERVICE_NAME).  The asking process reads the control file
 *	and rewrites the headers (local_headers), as RunAsUser; the worker
 *	is told the id, sender, recipient and headers, checks each, and
 *	opens the data file by the id: root parses no control file.  A
 *	worker that is gone when asked is replaced at once; one that dies
 *	after it was asked, before it answered, too, but the new one is
 *	told so (q_local.again) and writes only to mailboxes, which
 *	recognise a copy they have: the recipient's programs, files and
 *	other mailers are deferred to the next attempt.
 *	local_service_forget()
 *	lets a process that delivers nothing close the socket.  The
 *	service ends when the last process that could reach it is gone.
 *	Without the service (not started by root), local_deliver() works
 *	in-process and can serve only the user it runs as.
 *
 *	Bounds: Timeout.fileopen for each .forward, include file, mailbox
 *	or file (opening and locking), Timeout.datafinal for a program
 *	(from the start of the recipient's delivery); the client Timeout.*
 *	options, each at its step, for an LMTP program.
 */
#ifndef LOCAL_H
#define LOCAL_H

/* The command name of the root service and its workers (ps, top). */
#define LOCAL_SERVICE_NAME	"sendmail-local"

#include "sm_config.h"

#include <stdbool.h>

#include "config.h"
#include "q_ctl.h"
#include "q_run.h"

enum local_kind {
	LOCAL_MAILBOX,		/* text: the user */
	LOCAL_PROG,		/* text: the command, without "|" */
	LOCAL_FILE,		/* text: the path */
	LOCAL_REMOTE,		/* text: "<a@b>" */
	LOCAL_UNKNOWN,		/* text: the name; res says why */
	LOCAL_NOTE		/* text: a line for -bv -v */
};

struct local_verify_cb {
	void	(*target)(void *, enum local_kind, const char *,
		    const struct q_result *);
};

int	local_service_start(const struct config *);
void	local_service_forget(void);
void	local_deliver(const struct config *, const struct q_ctl *, int,
	    const char *, struct q_local *);
void	local_verify(const struct config *, const char *,
	    const struct local_verify_cb *, void *);

#endif /* LOCAL_H */
