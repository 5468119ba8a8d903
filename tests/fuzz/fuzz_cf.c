/*
 * fuzz_cf - libFuzzer harness for the .cf reader (libsm/sm_cf): each line
 * of the input is one logical line, as after continuation joining, and
 * every macro value is expanded afterwards.
 */
#include "sm_cf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *line, *save = NULL, err[512];
	struct sm_options o;
	struct sm_cf *cf;
	struct sm_buf b;
	size_t i;

	if (in == NULL)
		return 0;
	sm_log_init("fuzz", 0);
	memcpy(in, data, size);
	in[size] = '\0';
	sm_opt_init(&o);
	cf = sm_cf_new();
	for (line = strtok_r(in, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		(void)sm_cf_parse_line(cf, line, &o, err, sizeof(err));
	sm_buf_init(&b, 65536);
	for (i = 0; i < cf->macros.n; i++) {
		sm_buf_reset(&b);
		(void)sm_cf_expand(cf, cf->macros.v[i], &b);
	}
	sm_buf_free(&b);
	sm_cf_free(cf);
	sm_opt_free(&o);
	free(in);
	return 0;
}
