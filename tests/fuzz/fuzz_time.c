/*
 * fuzz_time - libFuzzer harness for durations (libsm/sm_time): parsing,
 * and printing whatever parsed, which must read back the same.
 */
#include "sm_time.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), err[128], out[64];
	long v, w;

	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (sm_time_parse(in, 'm', SM_TIME_ALLOW_NOW, &v, err,
	    sizeof(err)) == 0) {
		(void)sm_time_format(v, out, sizeof(out));
		if (sm_time_parse(out, 'm', SM_TIME_ALLOW_NOW, &w, err,
		    sizeof(err)) != 0 || w != v)
			abort();	/* the canonical form must read back */
	}
	free(in);
	return 0;
}
