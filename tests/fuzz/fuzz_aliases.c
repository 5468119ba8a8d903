/*
 * fuzz_aliases - libFuzzer harness for the alias file reader
 * (sendmaild/local/aliases): any text gives entries or errors, and every item
 * of every entry is classified again.
 */
#include "aliases.h"

#include <stdint.h>
#include <string.h>

#include "sm_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
on_entry(void *ctx, const char *name, const char *value, int line)
{
	size_t *n = ctx;

	*n += strlen(name) + strlen(value) + (size_t)(line > 0);
	(void)aliases_item_kind(value);
}

static void
on_error(void *ctx, int line, const char *msg)
{
	size_t *n = ctx;

	*n += strlen(msg) + (size_t)(line > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct alias_cb cb = { on_entry, on_error };
	size_t n = 0;

	sm_log_init("fuzz", 0);
	aliases_parse((const char *)data, size, &cb, &n);
	return 0;
}
