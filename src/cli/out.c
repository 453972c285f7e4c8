/*
 * out.c — see out.h.  Every function is a two-way switch: the JSON writer,
 * or the text form with two spaces of indentation per level.
 */
#include "out.h"

#include <string.h>

void out_init(cli_out *o, FILE *f, bool json)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	cli_json_init(&o->j, f);
}

void out_list_begin(cli_out *o)
{
	if (o->json)
		cli_json_begin_array(&o->j, NULL);
}

void out_list_end(cli_out *o)
{
	if (o->json)
		cli_json_end_array(&o->j);
}

void out_record_begin(cli_out *o)
{
	if (o->json)
		cli_json_begin_object(&o->j, NULL);
}

void out_record_end(cli_out *o)
{
	if (o->json)
		cli_json_end_object(&o->j);
}

void out_finish(cli_out *o)
{
	if (o->json)
		cli_json_finish(&o->j);
	fflush(o->f);
}

static void indent(cli_out *o)
{
	for (int i = 0; i < o->level; i++)
		fputs("  ", o->f);
}

void out_kv(cli_out *o, const char *key, const char *val)
{
	if (o->json) {
		cli_json_str(&o->j, key, val);
		return;
	}
	indent(o);
	fprintf(o->f, "%s: %s\n", key, val ? val : "");
}

void out_kv_uint(cli_out *o, const char *key, unsigned long long val)
{
	if (o->json) {
		cli_json_uint(&o->j, key, val);
		return;
	}
	indent(o);
	fprintf(o->f, "%s: %llu\n", key, val);
}

void out_kv_uuid(cli_out *o, const char *key, const char *uuid)
{
	size_t n = uuid ? strlen(uuid) : 0;
	char bare[128];

	if (!o->json || n < 2 || uuid[0] != '{' || uuid[n - 1] != '}' || n - 2 >= sizeof(bare)) {
		out_kv(o, key, uuid);
		return;
	}
	memcpy(bare, uuid + 1, n - 2);
	bare[n - 2] = '\0';
	cli_json_str(&o->j, key, bare);
}

void out_section_begin(cli_out *o, const char *key)
{
	if (o->json) {
		cli_json_begin_object(&o->j, key);
		return;
	}
	indent(o);
	fprintf(o->f, "%s:\n", key);
	o->level++;
}

void out_section_end(cli_out *o)
{
	if (o->json)
		cli_json_end_object(&o->j);
	else if (o->level > 0)
		o->level--;
}

void out_item_begin(cli_out *o, const char *name)
{
	if (o->json) {
		cli_json_begin_object(&o->j, name);
		return;
	}
	indent(o);
	/* prlctl puts a colon after a top-level item: "Remote display: mode=off". */
	fprintf(o->f, o->level == 0 ? "%s:" : "%s", name);
}

void out_item_end(cli_out *o)
{
	if (o->json)
		cli_json_end_object(&o->j);
	else
		fputc('\n', o->f);
}

void out_item_kv(cli_out *o, const char *key, const char *val)
{
	if (o->json)
		cli_json_str(&o->j, key, val);
	else
		fprintf(o->f, " %s=%s", key, val);
}

void out_item_quoted(cli_out *o, const char *key, const char *val)
{
	if (o->json)
		cli_json_str(&o->j, key, val);
	else
		fprintf(o->f, " %s='%s'", key, val);
}

void out_item_uint(cli_out *o, const char *key, unsigned long long val)
{
	if (o->json)
		cli_json_uint(&o->j, key, val);
	else
		fprintf(o->f, " %s=%llu", key, val);
}

void out_item_word(cli_out *o, const char *key, const char *text)
{
	if (o->json)
		cli_json_str(&o->j, key, text);
	else
		fprintf(o->f, " %s", text);
}

void out_item_flag(cli_out *o, const char *key, bool on)
{
	if (o->json)
		cli_json_bool(&o->j, key, on);
	else if (on)
		fprintf(o->f, " %s", key);
}

void out_item_enabled(cli_out *o, bool enabled)
{
	if (o->json)
		cli_json_bool(&o->j, "enabled", enabled);
	else
		fputs(enabled ? " (+)" : " (-)", o->f);
}
