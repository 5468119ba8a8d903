/*
 * fuzz_qctl - libFuzzer harness for the queue control-file reader
 * (queue/q_ctl): the input is a qf file; a file that reads is also
 * written back.
 */
#define _GNU_SOURCE 1
#include "q_ctl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sm_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/fuzz_qctl.XXXXXX";
	static int made;
	char path[64], err[256];
	struct q_ctl c;
	FILE *fp;

	sm_log_init("fuzz", 0);
	if (!made) {
		if (mkdtemp(dir) == NULL)
			return 0;
		made = 1;
	}
	(void)snprintf(path, sizeof(path), "%s/qfFUZZ0000000001", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	(void)fwrite(data, 1, size, fp);
	(void)fclose(fp);
	if (q_ctl_read(path, &c, err, sizeof(err)) == 0) {
		(void)q_ctl_rewrite(&c, dir, false);
		(void)q_ctl_macro(&c, "_");
		q_ctl_free(&c);
	}
	return 0;
}
