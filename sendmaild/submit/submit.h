/*
 * submit - sendmail's default mode (-bm): the message on standard input
 * handed to the queue, as cron, mail(1), PHP's mail() and scripts
 * expect.
 *
 * SYNOPSIS
 *	ex = submit_main(&config, &args)
 *
 * DESCRIPTION
 *	The message is read with input_read() (-i, -oi: a lone dot is
 *	text).  Recipients are the addresses on the command line and, with
 *	-t, those of To:, Cc: and Bcc: (Bcc: is then removed).  The
 *	envelope sender is -f (checked, qualified with $j) or the invoking
 *	user at $j; -f from a user outside class t adds an
 *	X-Authentication-Warning: header when PrivacyOptions has
 *	authwarnings.  A message without From: gets one with the full name
 *	of -F or the user's GECOS field.
 *
 *	The message then goes in by SMTP, so that it gets exactly the
 *	checks, headers and logging of the daemon, over one of three
 *	ways, the first that can take it:
 *
 *	1. root, and a user who may write QueueDirectory (RunAsUser):
 *	   a session of our own on a socket pair, in a child that runs as
 *	   RunAsUser, writing QueueDirectory and delivering as
 *	   DeliveryMode says;
 *	2. anyone else: the local daemon, at the address of the first
 *	   DaemonPortOptions (an unspecified address means loopback);
 *	3. when no daemon answers: a session of our own writing
 *	   ClientQueueDirectory, with files of mode 0660 and no delivery.
 *	   The program installed set-group-id to the directory's group
 *	   (never set-user-id) may write there; the daemon sends what is
 *	   there to itself by SMTP when it starts and at every queue run
 *	   interval (clientq_run()).
 *
 *	Nothing is lost: when no way took the message, it is appended to
 *	dead.letter in the user's home directory.
 *
 * DIAGNOSTICS
 *	Each refused recipient is printed as "address... reason".  The exit
 *	status is sendmail's: EX_OK once every recipient was accepted (or
 *	queued), EX_USAGE for a bad address or no recipient, EX_NOUSER for
 *	an unknown user, EX_UNAVAILABLE for another permanent refusal,
 *	EX_TEMPFAIL when no way took the message, EX_DATAERR for a header
 *	longer than MaxHeadersLength.
 */
#ifndef SUBMIT_H
#define SUBMIT_H

#include "sm_config.h"

#include "args.h"
#include "config.h"

int	submit_main(struct config *, const struct args *);

#endif /* SUBMIT_H */
