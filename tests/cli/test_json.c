/*
 * test_json.c — the tools' JSON writer (src/cli/json.c) on its own: commas
 * and nesting, empty containers, and the escaping the dispatcher never lets
 * through end to end (control characters, malformed UTF-8), compared with
 * the exact text expected.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static char *buf;
static size_t len;

static FILE *mem(void)
{
	free(buf);
	buf = NULL;
	return open_memstream(&buf, &len);
}

static void assert_escaped(const char *in, const char *want)
{
	FILE *f = mem();

	cli_json_write_string(f, in);
	fclose(f);
	assert_string_equal(buf, want);
}

static void test_escapes(void **state)
{
	assert_escaped("plain", "\"plain\"");
	assert_escaped("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	assert_escaped("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	assert_escaped("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	assert_escaped(NULL, "\"\"");
}

static void test_utf8(void **state)
{
	assert_escaped("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	assert_escaped("a\xff" "b", "\"a\\ufffdb\"");
	assert_escaped("\xc0\xaf", "\"\\ufffd\\ufffd\"");            /* overlong '/' */
	assert_escaped("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* a UTF-16 surrogate */
	assert_escaped("\xe2\x82", "\"\\ufffd\\ufffd\"");            /* cut short */
	assert_escaped("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
}

static void test_structure(void **state)
{
	FILE *f = mem();
	cli_json j;

	cli_json_init(&j, f);
	cli_json_begin_object(&j, NULL);
	cli_json_str(&j, "a", "x");
	cli_json_uint(&j, "n", 18446744073709551615ULL);
	cli_json_bool(&j, "t", true);
	cli_json_begin_array(&j, "list");
	cli_json_begin_object(&j, NULL);
	cli_json_end_object(&j);
	cli_json_begin_array(&j, NULL);
	cli_json_end_array(&j);
	cli_json_end_array(&j);
	cli_json_end_object(&j);
	cli_json_finish(&j);
	fclose(f);
	assert_string_equal(buf, "{\n\t\"a\": \"x\",\n\t\"n\": 18446744073709551615,\n\t\"t\": true,\n"
			    "\t\"list\": [\n\t\t{},\n\t\t[]\n\t]\n}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_structure),
	};
	int rc = cmocka_run_group_tests_name("cli json writer", tests, NULL, NULL);

	free(buf);
	return rc;
}
