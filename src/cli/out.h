/*
 * out.h — one description of a record, printed either as indented
 * "Key: value" text or as JSON (prlctl list -i, prlsrvctl info).
 *
 * A record is a list of key/value lines, sections (a "Hardware:" heading with
 * indented lines under it) and items: one line per device in the text form,
 * "hdd0 (+) sata:0 image='...' 65536Mb", whose parts are inline key=value
 * pairs, bare words and flags.  In JSON a section and an item are nested
 * objects, an inline pair a member, a flag a boolean and a bare word a member
 * under the key given for it.  Several records form a JSON array (list -i)
 * or follow one another in the text form.
 */
#ifndef OPENPRL_CLI_OUT_H
#define OPENPRL_CLI_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"

typedef struct cli_out {
	FILE *f;
	bool json;
	int level;          /* text indentation depth */
	cli_json j;
} cli_out;

void out_init(cli_out *o, FILE *f, bool json);
void out_list_begin(cli_out *o);
void out_list_end(cli_out *o);
void out_record_begin(cli_out *o);
void out_record_end(cli_out *o);
/* Ends the output (the JSON document's final newline). */
void out_finish(cli_out *o);

void out_kv(cli_out *o, const char *key, const char *val);
void out_kv_uint(cli_out *o, const char *key, unsigned long long val);
/* A UUID "{...}": braces kept in the text form, stripped in JSON (as prlctl). */
void out_kv_uuid(cli_out *o, const char *key, const char *uuid);
void out_section_begin(cli_out *o, const char *key);
void out_section_end(cli_out *o);

void out_item_begin(cli_out *o, const char *name);
void out_item_end(cli_out *o);
void out_item_kv(cli_out *o, const char *key, const char *val);
void out_item_quoted(cli_out *o, const char *key, const char *val);
void out_item_uint(cli_out *o, const char *key, unsigned long long val);
void out_item_word(cli_out *o, const char *key, const char *text);
void out_item_flag(cli_out *o, const char *key, bool on);
void out_item_enabled(cli_out *o, bool enabled);

#endif
