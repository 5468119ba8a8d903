/*
 * input - reading the message that submission (submit.h) takes from
 * standard input: its header lines and its body, as cron, mail(1),
 * PHP's mail() and scripts write it.
 *
 * SYNOPSIS
 *	struct input s;
 *	r = input_read(fd, ignore_dots, max_header_bytes, &s, err, n)
 *	v = header_value(&s.hdrs, "Subject")	first value, or NULL
 *	input_recipients(&s, &list)		-t: To, Cc and Bcc
 *	input_remove(&s, "Bcc")		drop every such header
 *	input_free(&s)
 *
 * DESCRIPTION
 *	input_read() reads until end of input or, unless ignore_dots (-i,
 *	-oi), until a line holding a single dot.  Lines may end in LF or
 *	CRLF; both are kept as LF, as the queue keeps them.  A dot at the
 *	start of any other line is text, as in sendmail: there is no
 *	dot-stuffing on standard input.  The header is every line up to
 *	the first empty line; a line that is neither a header ("Name:"
 *	with a printable name) nor a continuation starts the body
 *	instead, and a leading mailbox "From " line is dropped.  The body
 *	goes to an unlinked temporary file, so its size is bounded by the
 *	disk, not by memory.
 *
 *	input_recipients() takes the addresses of To:, Cc: and Bcc:, or of
 *	Resent-To:, Resent-Cc: and Resent-Bcc: when the message has any
 *	Resent- header (it is being resent), unchecked.
 *
 * DIAGNOSTICS
 *	input_read() returns a sysexits code: EX_OK, EX_DATAERR when the
 *	header is longer than max_header_bytes (0: no limit), EX_IOERR or
 *	EX_TEMPFAIL (no room for the temporary file) with a reason in err.
 */
#ifndef INPUT_H
#define INPUT_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sm_strlist.h"

struct input {
	struct sm_strlist hdrs;		/* "Name: value[\n\tmore]" */
	FILE		*body;		/* LF line ends; rewound */
	size_t		 size;		/* header and body bytes, LF ends */
	bool		 eightbit;	/* a byte >= 0x80 somewhere */
};

int		 input_read(int, bool, size_t, struct input *, char *,
		    size_t);
size_t		 input_recipients(const struct input *,
		    struct sm_strlist *);
void		 input_remove(struct input *, const char *);
void		 input_free(struct input *);

#endif /* INPUT_H */
