/*
 * sm_strl - bounded string copy and concatenation; see sm_strl.h.
 */
#include <string.h>

#include "sm_strl.h"

/* sm_strlcpy - copy src into dst of size bytes, always terminated */
size_t
sm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* sm_strlcat - append src to the string in dst of size bytes */
size_t
sm_strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + sm_strlcpy(dst + dlen, src, size - dlen);
}
