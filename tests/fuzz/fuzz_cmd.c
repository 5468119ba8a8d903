/*
 * fuzz_cmd - libFuzzer harness for SMTP command lines
 * (sendmaild/smtpd/srv_cmd): the command word and the ESMTP parameters
 * of MAIL and RCPT.
 */
#include "srv_cmd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sm_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), reply[256];
	struct srv_mail_params mp;
	struct srv_rcpt_params rp;
	const char *arg;

	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	(void)srv_cmd_lookup(in, &arg);
	(void)srv_cmd_mail_params(in, &mp, reply, sizeof(reply));
	(void)srv_cmd_rcpt_params(in, &rp, reply, sizeof(reply));
	(void)sm_addr_xtext_ok(in);
	free(in);
	return 0;
}
