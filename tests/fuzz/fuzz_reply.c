/*
 * fuzz_reply - libFuzzer harness for the SMTP client's reply reader
 * (queue/q_smtp): the input is what a smart host sends, from its
 * greeting on.
 */
#define _GNU_SOURCE 1
#include "q_smtp.h"

#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sm_log.h"
#include "sm_opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sm_options o;
	static int ready;
	int sv[2];

	if (!ready) {
		sm_log_init("fuzz", 0);
		sm_opt_init(&o);
		o.to.initial = o.to.helo = o.to.misc = 1;
		ready = 1;
	}
	if (size > 65536 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	/* The whole input waits in the socket, then the peer is gone. */
	if (write(sv[1], data, size) != (ssize_t)size) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		return 0;
	}
	(void)shutdown(sv[1], SHUT_WR);
	(void)q_smtp_replies(sv[0], &o);
	(void)close(sv[0]);
	(void)close(sv[1]);
	return 0;
}
