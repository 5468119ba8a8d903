/*
 * aliases_test - the alias file reader (newaliases).
 */
#include "aliases.h"

#include <stdio.h>
#include <string.h>

#include "sm_buf.h"
#include "test.h"

/* What the reader said: "name=value@line" and "line: reason", in order. */
struct said {
	struct sm_buf	 entries;
	struct sm_buf	 errors;
};

static void
on_entry(void *ctx, const char *name, const char *value, int line)
{
	struct said *s = ctx;

	(void)sm_buf_printf(&s->entries, "%s=%s@%d\n", name, value, line);
}

static void
on_error(void *ctx, int line, const char *msg)
{
	struct said *s = ctx;

	(void)sm_buf_printf(&s->errors, "%d: %s\n", line, msg);
}

static void
parse(const char *text, struct said *s)
{
	static const struct alias_cb cb = { on_entry, on_error };

	sm_buf_init(&s->entries, 0);
	sm_buf_init(&s->errors, 0);
	aliases_parse(text, strlen(text), &cb, s);
}

static void
done(struct said *s)
{
	sm_buf_free(&s->entries);
	sm_buf_free(&s->errors);
}

static void
test_entries(void **state)
{
	struct said s;

	(void)state;
	parse("# comment\n"
	    "Postmaster: root\n"
	    "\n"
	    "staff: alice,\n"
	    "\tbob@example.org,\n"
	    "   \"Carl C\" <carl@example.net>\n"
	    "prog: \"|/usr/bin/logger -t mail\", |/bin/cat\n"
	    "file: /var/log/copy\n"
	    "inc: :include:/etc/mail/list\r\n"
	    "self: self, \\self\n", &s);
	assert_string_equal(sm_buf_str(&s.entries),
	    "postmaster=root@2\n"
	    "staff=alice, bob@example.org, \"Carl C\" <carl@example.net>@4\n"
	    "prog=\"|/usr/bin/logger -t mail\", |/bin/cat@7\n"
	    "file=/var/log/copy@8\n"
	    "inc=:include:/etc/mail/list@9\n"
	    "self=self, \\self@10\n");
	assert_string_equal(sm_buf_str(&s.errors), "");
	done(&s);
}

static void
test_errors_name_the_line(void **state)
{
	struct said s;

	(void)state;
	parse("a: b,\n"
	    " more\n"			/* continues a: fine */
	    "\n"
	    "  orphan\n"		/* continues nothing */
	    "no colon here\n"
	    "bad name: x\n"
	    "empty:\n"
	    "commas: , ,\n"
	    "inc: :include:relative\n"
	    "pipe: |\n"
	    "angle: <open@example.org\n"
	    "ok: c\n", &s);
	assert_string_equal(sm_buf_str(&s.entries), "a=b, more@1\nok=c@12\n");
	assert_string_equal(sm_buf_str(&s.errors),
	    "4: non-continuation line starts with space\n"
	    "5: missing colon\n"
	    "6: illegal alias name \"bad name\"\n"
	    "7: alias empty has no value\n"
	    "8: alias commas has no value\n"
	    "9: bad item \":include:relative\"\n"
	    "10: bad item \"|\"\n"
	    "11: bad item \"<open@example.org\"\n");
	done(&s);
}

static void
test_nul_and_length(void **state)
{
	static const struct alias_cb cb = { on_entry, on_error };
	static const char text[] = "a: b\0c\nd: e\n";
	struct said s;
	struct sm_buf big;
	char want[64];
	size_t i, lines = ALIAS_MAX / 6;

	(void)state;
	sm_buf_init(&s.entries, 0);
	sm_buf_init(&s.errors, 0);
	aliases_parse(text, sizeof(text) - 1, &cb, &s);
	assert_string_equal(sm_buf_str(&s.entries), "d=e@2\n");
	assert_string_equal(sm_buf_str(&s.errors),
	    "1: NUL byte in the entry\n");
	done(&s);
	sm_buf_init(&big, 0);
	(void)sm_buf_puts(&big, "big: a");
	for (i = 0; i < lines; i++)
		(void)sm_buf_puts(&big, "\n\tx@y.z,");
	(void)sm_buf_puts(&big, "\nafter: ok");	/* no final newline */
	parse(sm_buf_str(&big), &s);
	(void)snprintf(want, sizeof(want), "after=ok@%zu\n", lines + 2);
	assert_string_equal(sm_buf_str(&s.entries), want);
	assert_string_equal(sm_buf_str(&s.errors),
	    "1: entry longer than 1048576 bytes\n");
	done(&s);
	sm_buf_free(&big);
}

static void
test_item_kinds(void **state)
{
	(void)state;
	assert_int_equal(aliases_item_kind("root"), ALIAS_ADDRESS);
	assert_int_equal(aliases_item_kind("\\root"), ALIAS_ADDRESS);
	assert_int_equal(aliases_item_kind("Name <a@b.example>"),
	    ALIAS_ADDRESS);
	assert_int_equal(aliases_item_kind("|/bin/prog"), ALIAS_PROG);
	assert_int_equal(aliases_item_kind("\"|/bin/prog arg\""), ALIAS_PROG);
	assert_int_equal(aliases_item_kind("/var/mail/x"), ALIAS_FILE);
	assert_int_equal(aliases_item_kind(":include: /etc/l"), ALIAS_INCLUDE);
	assert_int_equal(aliases_item_kind(":include:l"), ALIAS_BAD);
	assert_int_equal(aliases_item_kind("a@b@c"), ALIAS_BAD);
	assert_int_equal(aliases_item_kind("<a@b> trailing"), ALIAS_BAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_nul_and_length),
		cmocka_unit_test(test_item_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
