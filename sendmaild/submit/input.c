/*
 * input - a message read from standard input; see input.h.
 */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "header.h"
#include "sm_addr.h"
#include "sm_alloc.h"
#include "sm_buf.h"

#define SUBMIT_LINE	65536	/* longer lines are body, written in parts */

struct reader {
	struct input	*s;
	struct sm_buf	 cur;		/* the line being read, no LF */
	bool		 in_headers;
	bool		 first;		/* no line seen yet */
	bool		 partial;	/* part of cur already in the body */
	bool		 ignore_dots;
	bool		 done;		/* the lone dot was seen */
	size_t		 max_hdr, hdr_len;
	bool		 hdr_toolong;
	bool		 write_failed;
	int		 write_errno;
};

/* put - body bytes to the temporary file */
static void
put(struct reader *r, const char *p, size_t n)
{
	if (r->write_failed || n == 0)
		return;
	if (fwrite(p, 1, n, r->s->body) != n) {
		r->write_failed = true;
		r->write_errno = errno;
	}
}

/* header_line - one line while the header lasts; false: body starts */
static bool
header_line(struct reader *r, const char *l, size_t n)
{
	struct input *s = r->s;

	if (r->first && n >= 5 && memcmp(l, "From ", 5) == 0)
		return true;		/* a mailbox separator, not a header */
	if (n == 0) {
		r->in_headers = false;
		return true;
	}
	if ((l[0] == ' ' || l[0] == '\t') && s->hdrs.n > 0)
		sm_strlist_continue(&s->hdrs, l, n);
	else if (header_is_line(l, n)) {
		char *h = sm_strndup(l, n);

		sm_strlist_add(&s->hdrs, h);
		free(h);
	} else
		return false;
	r->hdr_len += n + 1;
	if (r->max_hdr > 0 && r->hdr_len > r->max_hdr)
		r->hdr_toolong = true;
	return true;
}

/* end_line - a line feed: the line in cur is complete */
static void
end_line(struct reader *r)
{
	char *l = r->cur.data;
	size_t n = r->cur.len;

	if (n > 0 && l[n - 1] == '\r')
		n--;			/* CRLF: kept as LF */
	if (r->partial) {
		put(r, l, n);
		put(r, "\n", 1);
		r->partial = false;
	} else if (!r->ignore_dots && n == 1 && l[0] == '.')
		r->done = true;
	else if (r->in_headers && header_line(r, l, n))
		;
	else {
		r->in_headers = false;
		put(r, l, n);
		put(r, "\n", 1);
	}
	r->first = false;
	r->s->size += n + 1;
	sm_buf_reset(&r->cur);
}

/* feed - a block of input */
static void
feed(struct reader *r, const char *p, size_t n)
{
	while (n > 0 && !r->done) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - p) : n;
		size_t i;

		for (i = 0; i < take; i++)
			if ((unsigned char)p[i] >= 0x80)
				r->s->eightbit = true;
		if (r->cur.len + take > SUBMIT_LINE) {
			/* An overlong line: body text, written in parts. */
			size_t room = SUBMIT_LINE - r->cur.len;

			(void)sm_buf_append(&r->cur, p, room);
			r->in_headers = false;
			put(r, r->cur.data, r->cur.len);
			r->s->size += r->cur.len;
			sm_buf_reset(&r->cur);
			r->partial = true;
			r->first = false;
			p += room;
			n -= room;
			continue;
		}
		(void)sm_buf_append(&r->cur, p, take);
		if (nl == NULL)
			return;
		end_line(r);
		p += take + 1;
		n -= take + 1;
	}
}

int
input_read(int fd, bool ignore_dots, size_t max_header_bytes,
    struct input *s, char *err, size_t errlen)
{
	struct reader r;
	char buf[65536];
	ssize_t got;
	int rc = EX_OK;

	memset(s, 0, sizeof(*s));
	if ((s->body = tmpfile()) == NULL) {
		(void)snprintf(err, errlen, "cannot create a temporary file: "
		    "%s", strerror(errno));
		return EX_TEMPFAIL;
	}
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.in_headers = r.first = true;
	r.ignore_dots = ignore_dots;
	r.max_hdr = max_header_bytes;
	sm_buf_init(&r.cur, SUBMIT_LINE + 1);
	while (!r.done) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			(void)snprintf(err, errlen, "reading the message: %s",
			    strerror(errno));
			rc = EX_IOERR;
			break;
		}
		if (got == 0) {
			if (r.cur.len > 0 || r.partial)
				end_line(&r);	/* no line feed at the end */
			break;
		}
		feed(&r, buf, (size_t)got);
	}
	sm_buf_free(&r.cur);
	if (rc == EX_OK && (fflush(s->body) != 0 || r.write_failed)) {
		(void)snprintf(err, errlen, "cannot keep the message in a "
		    "temporary file: %s", strerror(r.write_failed ?
		    r.write_errno : errno));
		rc = EX_TEMPFAIL;
	}
	if (rc == EX_OK && r.hdr_toolong) {
		(void)snprintf(err, errlen, "message header longer than "
		    "%zu bytes (MaxHeadersLength)", max_header_bytes);
		rc = EX_DATAERR;
	}
	rewind(s->body);
	return rc;
}

/* name_is - is header h called name? */
static bool
name_is(const char *h, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(h, name, n) == 0 && h[n] == ':';
}

size_t
input_recipients(const struct input *s, struct sm_strlist *out)
{
	static const char *const plain[] = { "To", "Cc", "Bcc" };
	static const char *const resent[] = { "Resent-To", "Resent-Cc",
	    "Resent-Bcc" };
	const char *const *names = plain;
	size_t i, j, n = 0;

	for (i = 0; i < s->hdrs.n; i++)
		if (strncasecmp(s->hdrs.v[i], "Resent-", 7) == 0)
			names = resent;
	for (i = 0; i < s->hdrs.n; i++)
		for (j = 0; j < 3; j++)
			if (name_is(s->hdrs.v[i], names[j])) {
				const char *v = s->hdrs.v[i] +
				    strlen(names[j]) + 1;

				n += sm_addr_list(v, out);
			}
	return n;
}

void
input_remove(struct input *s, const char *name)
{
	size_t i, k = 0;

	for (i = 0; i < s->hdrs.n; i++) {
		if (name_is(s->hdrs.v[i], name))
			free(s->hdrs.v[i]);
		else
			s->hdrs.v[k++] = s->hdrs.v[i];
	}
	s->hdrs.n = k;
}

void
input_free(struct input *s)
{
	sm_strlist_clear(&s->hdrs);
	if (s->body != NULL)
		(void)fclose(s->body);
	memset(s, 0, sizeof(*s));
}
