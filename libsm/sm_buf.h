/*
 * sm_buf - the growable, bounded, always-terminated byte buffer.
 *
 * SYNOPSIS
 *	struct sm_buf b;
 *	sm_buf_init(&b, limit);		limit = most bytes it may ever hold
 *	sm_buf_append(&b, p, n)		and _puts, _putc, _printf
 *	sm_buf_str(&b), b.len
 *	sm_buf_reset(&b)		empty it, keep the memory
 *	sm_buf_free(&b)
 *
 * DESCRIPTION
 *	The data is always followed by a NUL byte (not counted in len), so
 *	it can be used as a C string when it holds no NUL of its own.  The
 *	buffer grows by doubling with overflow checks.  An append that
 *	would take len past limit changes nothing and returns -1 with errno
 *	EMSGSIZE: "an SMTP line is at most 1000 bytes" is one limit here
 *	rather than checks scattered through a parser.  limit 0 means
 *	SM_BUF_NOLIMIT.  Memory comes from sm_alloc, so growth never fails
 *	for lack of memory (the process exits EX_TEMPFAIL instead).
 *	The caller owns the struct; sm_buf_free() releases its memory.
 */
#ifndef SM_BUF_H
#define SM_BUF_H

#include "sm_config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sm_log.h"

#define SM_BUF_NOLIMIT	(SIZE_MAX / 2)

struct sm_buf {
	char	*data;		/* len bytes, then NUL */
	size_t	 len;		/* bytes held, NUL not counted */
	size_t	 cap;		/* bytes allocated, NUL included */
	size_t	 limit;		/* len may never exceed this */
};

void	 sm_buf_init(struct sm_buf *, size_t);
void	 sm_buf_free(struct sm_buf *);
void	 sm_buf_reset(struct sm_buf *);
int	 sm_buf_append(struct sm_buf *, const void *, size_t);
int	 sm_buf_puts(struct sm_buf *, const char *);
int	 sm_buf_putc(struct sm_buf *, int);
int	 sm_buf_printf(struct sm_buf *, const char *, ...) SM_PRINTF(2, 3);
int	 sm_buf_vprintf(struct sm_buf *, const char *, va_list);
void	 sm_buf_truncate(struct sm_buf *, size_t);
void	 sm_buf_chomp(struct sm_buf *);
const char *sm_buf_str(const struct sm_buf *);
char	*sm_buf_detach(struct sm_buf *);

#endif /* SM_BUF_H */
