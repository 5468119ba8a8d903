/*
 * header - the header of a message, as the SMTP server (DATA) and
 * submission on standard input both handle it.
 *
 * SYNOPSIS
 *	header_is_line(line, len)		"Name:..." with a printable name?
 *	v = header_value(&hdrs, "Subject")	the first value, or NULL
 *	header_write(&msg, received, &hdrs, hostname, from, now,
 *	    msgid, sizeof(msgid))		into a control file
 *
 * DESCRIPTION
 *	A header list (struct sm_strlist) holds one "Name: value" string
 *	per header field, continuation lines included.  header_value()
 *	matches the name without regard to case and skips the blanks that
 *	begin the value.
 *
 *	header_write() writes the header lines of a control file as the
 *	server does: Return-Path, our Received: (the text given), the
 *	message's own, then the Date:, Message-Id: and From: (from, unless
 *	NULL) it lacks.  msgid gets the Message-Id in force.  Submission
 *	goes through an SMTP session of its own, so both add the same
 *	headers.
 */
#ifndef HEADER_H
#define HEADER_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "q_file.h"
#include "sm_strlist.h"

bool		 header_is_line(const char *, size_t);
const char	*header_value(const struct sm_strlist *, const char *);
void		 header_write(struct q_msg *, const char *,
		    const struct sm_strlist *, const char *, const char *,
		    time_t, char *, size_t);

#endif /* HEADER_H */
