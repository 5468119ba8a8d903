/*
 * fuzz_addr - libFuzzer harness for the MAIL/RCPT argument and path
 * parsers (libsm/sm_addr): any bytes, no crash, no leak.
 */
#include "sm_addr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *path, *params;
	struct sm_addr a;

	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (sm_addr_split(in, &path, &params) == SM_ADDR_OK) {
		if (sm_addr_parse(path, &a) == SM_ADDR_OK)
			sm_addr_free(&a);
		free(path);
		free(params);
	}
	if (sm_addr_parse(in, &a) == SM_ADDR_OK)
		sm_addr_free(&a);
	(void)sm_addr_valid_domain(in);
	free(in);
	return 0;
}
