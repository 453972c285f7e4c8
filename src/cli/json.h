/*
 * json.h — a small streaming JSON writer for the tools' -j/--json output.
 *
 * The writer keeps one "first item" flag per nesting level, so callers never
 * think about commas; strings are escaped (quotes, backslashes, control
 * characters) and checked for UTF-8 (a bad byte becomes U+FFFD), so the
 * output is always valid JSON whatever a VM name or description holds.
 * Keys are given for members of objects and NULL for array elements and the
 * top-level value.  Output is indented with tabs, one member per line.
 */
#ifndef OPENPRL_CLI_JSON_H
#define OPENPRL_CLI_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_JSON_MAX_DEPTH 16

typedef struct cli_json {
	FILE *out;
	int depth;
	bool first[CLI_JSON_MAX_DEPTH];
} cli_json;

void cli_json_init(cli_json *j, FILE *out);
void cli_json_begin_object(cli_json *j, const char *key);
void cli_json_end_object(cli_json *j);
void cli_json_begin_array(cli_json *j, const char *key);
void cli_json_end_array(cli_json *j);
void cli_json_str(cli_json *j, const char *key, const char *val);
void cli_json_uint(cli_json *j, const char *key, unsigned long long val);
void cli_json_bool(cli_json *j, const char *key, bool val);
/* Ends the document with a newline. */
void cli_json_finish(cli_json *j);

/* Writes s as a quoted, escaped JSON string. */
void cli_json_write_string(FILE *out, const char *s);

#endif
