/*
 * json.c — see json.h.  Escaping follows RFC 8259: '"' and '\\' get a
 * backslash, control characters the short forms or \u00XX; multi-byte UTF-8
 * sequences are copied when well-formed and replaced by U+FFFD otherwise
 * (the real prlctl printed strings raw, which is how a quote in a name broke
 * its JSON for Vagrant).
 */
#include "json.h"

#include <string.h>

/* Length of the well-formed UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;

	if (n == 0 || s[0] > 0xF4 || (n == 2 && s[0] < 0xC2))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F)))
		return 0;           /* overlong, or a UTF-16 surrogate */
	if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F)))
		return 0;           /* overlong, or beyond U+10FFFF */
	return n;
}

static void write_char(FILE *out, unsigned char c)
{
	static const char shortform[] = "\b\f\n\r\t";
	static const char letter[] = "bfnrt";
	const char *p = c ? strchr(shortform, c) : NULL;

	if (c == '"' || c == '\\')
		fprintf(out, "\\%c", c);
	else if (p)
		fprintf(out, "\\%c", letter[p - shortform]);
	else if (c < 0x20 || c == 0x7F)
		fprintf(out, "\\u%04x", c);
	else
		fputc(c, out);
}

void cli_json_write_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*p) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p);
		if (n == 1)
			write_char(out, *p);
		else if (n > 1)
			fwrite(p, 1, n, out);
		else
			fputs("\\ufffd", out);
		p += n ? n : 1;
	}
	fputc('"', out);
}

void cli_json_init(cli_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

/* Comma, newline and indentation before a new value, then its key. */
static void lead(cli_json *j, const char *key)
{
	if (j->depth > 0) {
		fputs(j->first[j->depth] ? "\n" : ",\n", j->out);
		for (int i = 0; i < j->depth; i++)
			fputc('\t', j->out);
	}
	j->first[j->depth] = false;
	if (key) {
		cli_json_write_string(j->out, key);
		fputs(": ", j->out);
	}
}

static void container_open(cli_json *j, const char *key, char c)
{
	lead(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < CLI_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void container_close(cli_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		fputc('\n', j->out);
		for (int i = 0; i < j->depth; i++)
			fputc('\t', j->out);
	}
	fputc(c, j->out);
}

void cli_json_begin_object(cli_json *j, const char *key) { container_open(j, key, '{'); }
void cli_json_end_object(cli_json *j) { container_close(j, '}'); }
void cli_json_begin_array(cli_json *j, const char *key) { container_open(j, key, '['); }
void cli_json_end_array(cli_json *j) { container_close(j, ']'); }

void cli_json_str(cli_json *j, const char *key, const char *val)
{
	lead(j, key);
	cli_json_write_string(j->out, val);
}

void cli_json_uint(cli_json *j, const char *key, unsigned long long val)
{
	lead(j, key);
	fprintf(j->out, "%llu", val);
}

void cli_json_bool(cli_json *j, const char *key, bool val)
{
	lead(j, key);
	fputs(val ? "true" : "false", j->out);
}

void cli_json_finish(cli_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
