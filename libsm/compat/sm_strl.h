/*
 * sm_strl - bounded string copy and concatenation (BSD strlcpy/strlcat).
 *
 * Both return the length of the string they tried to create; a result
 * >= size means the output was truncated.  The output is always
 * NUL-terminated when size > 0.
 */
#ifndef SM_STRL_H
#define SM_STRL_H

#include <stddef.h>

size_t	sm_strlcpy(char *, const char *, size_t);
size_t	sm_strlcat(char *, const char *, size_t);

#endif /* SM_STRL_H */
