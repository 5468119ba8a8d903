/*
 * sm_buf - growable bounded buffer; see sm_buf.h.
 */
#include "sm_buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_alloc.h"

#define SM_BUF_MINCAP	64

/* sm_buf_init - an empty buffer that may hold at most limit bytes */
void
sm_buf_init(struct sm_buf *b, size_t limit)
{
	b->limit = (limit == 0 || limit > SM_BUF_NOLIMIT) ?
	    SM_BUF_NOLIMIT : limit;
	b->cap = SM_BUF_MINCAP;
	b->data = sm_malloc(b->cap);
	b->data[0] = '\0';
	b->len = 0;
}

/* sm_buf_free - release the memory; the buffer must be init'ed again */
void
sm_buf_free(struct sm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* sm_buf_reset - make the buffer empty, keeping its memory */
void
sm_buf_reset(struct sm_buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* reserve - room for n more bytes plus NUL, or -1/EMSGSIZE past limit */
static int
reserve(struct sm_buf *b, size_t n)
{
	size_t want, cap;

	if (n > b->limit - b->len) {
		errno = EMSGSIZE;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap;
	while (cap < want)
		cap *= 2;	/* cannot overflow: want <= SIZE_MAX / 2 + 1 */
	b->data = sm_realloc(b->data, cap);
	b->cap = cap;
	return 0;
}

/* sm_buf_append - add n bytes; all or nothing */
int
sm_buf_append(struct sm_buf *b, const void *p, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* sm_buf_puts - add a C string */
int
sm_buf_puts(struct sm_buf *b, const char *s)
{
	return sm_buf_append(b, s, strlen(s));
}

/* sm_buf_putc - add one byte */
int
sm_buf_putc(struct sm_buf *b, int c)
{
	char ch = (char)c;

	return sm_buf_append(b, &ch, 1);
}

/* sm_buf_vprintf - add formatted text; all or nothing */
int
sm_buf_vprintf(struct sm_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->data[b->len] = '\0';
		return -1;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (reserve(b, (size_t)n) < 0) {
			b->data[b->len] = '\0';
			return -1;
		}
		(void)vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	} else if ((size_t)n > b->limit - b->len) {
		b->data[b->len] = '\0';
		errno = EMSGSIZE;
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

/* sm_buf_printf - add formatted text; all or nothing */
int
sm_buf_printf(struct sm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* sm_buf_truncate - keep only the first n bytes */
void
sm_buf_truncate(struct sm_buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}

/* sm_buf_chomp - drop one trailing LF or CRLF */
void
sm_buf_chomp(struct sm_buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] == '\n') {
		b->len--;
		if (b->len > 0 && b->data[b->len - 1] == '\r')
			b->len--;
		b->data[b->len] = '\0';
	}
}

/* sm_buf_str - the contents as a C string */
const char *
sm_buf_str(const struct sm_buf *b)
{
	return b->data != NULL ? b->data : "";
}

/* sm_buf_detach - hand the string to the caller (free() it); b is freed */
char *
sm_buf_detach(struct sm_buf *b)
{
	char *s = b->data;

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}
