/*
 * cmd_list.c — `prlctl list`: one row per VM, in the real tool's fixed-width
 * columns (UUID 39, STATUS 12, IP_ADDR 15, T 2, NAME 32, each followed by a
 * space, the last column unpadded), sorted by name, or by the first -o field
 * or the -s field.  By default only running VMs and no templates; -a lists
 * every VM, -t only templates, `list <ve>` just that one.  -j prints the
 * same rows as a JSON array of objects keyed by field name (UUIDs without
 * braces, as prlctl does).  `list -i` is cmd_info.c.
 *
 * Rows are built first (every field as a string), then sorted, then printed,
 * so the plain and JSON forms cannot differ in content.
 */
#define _GNU_SOURCE
#include "cmds.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "names.h"

enum {
	O_ALL = 'a', O_INFO = 'i', O_JSON = LIST_O_JSON, O_FIELDS = 'o', O_SORT = 's',
	O_TEMPLATE = 't', O_LIST_FIELDS = 'L', O_NO_HDR = LIST_O_NO_HDR,
};

#define MAX_FIELDS 16

typedef char *(*field_get)(PRL_HANDLE vm);

typedef struct list_field {
	const char *name, *hdr;
	int width;
	field_get get;
} list_field;

/* ---- field values (malloc'ed; "" is printed as "-") ---------------------- */

static char *get_uuid(PRL_HANDLE vm) { return cli_get_str(PrlVmCfg_GetUuid, vm); }
static char *get_name(PRL_HANDLE vm) { return cli_get_str(PrlVmCfg_GetName, vm); }
static char *get_desc(PRL_HANDLE vm) { return cli_get_str(PrlVmCfg_GetDescription, vm); }
static char *get_hostname(PRL_HANDLE vm) { return cli_get_str(PrlVmCfg_GetHostname, vm); }
static char *get_status(PRL_HANDLE vm) { return cli_xstrdup(cli_state_name(cli_vm_state(vm))); }
static char *get_type(PRL_HANDLE vm) { return cli_xstrdup(cli_vm_type_str(vm)); }

static char *get_dist(PRL_HANDLE vm)
{
	PRL_UINT32 ver = 0;

	PrlVmCfg_GetOsVersion(vm, &ver);
	return cli_xstrdup(cli_dist_name(ver));
}

/* The first configured address of the first adapter that has one. */
static char *get_ip(PRL_HANDLE vm)
{
	PRL_UINT32 n = 0;

	PrlVmCfg_GetNetAdaptersCount(vm, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE dev = PRL_INVALID_HANDLE, list = PRL_INVALID_HANDLE;
		PRL_UINT32 count = 0;
		if (PRL_FAILED(PrlVmCfg_GetNetAdapter(vm, i, &dev)) ||
		    PRL_FAILED(PrlVmDevNet_GetNetAddresses(dev, &list)) ||
		    PRL_FAILED(PrlStrList_GetItemsCount(list, &count)) || count == 0)
			continue;
		char buf[256] = "";
		PRL_UINT32 len = sizeof(buf);
		PrlStrList_GetItem(list, 0, buf, &len);
		buf[strcspn(buf, "/")] = '\0';
		return cli_xstrdup(buf);
	}
	return cli_xstrdup("");
}

static char *get_mac(PRL_HANDLE vm)
{
	PRL_UINT32 n = 0;
	char out[512] = "";

	PrlVmCfg_GetNetAdaptersCount(vm, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE dev = PRL_INVALID_HANDLE;
		if (PRL_FAILED(PrlVmCfg_GetNetAdapter(vm, i, &dev)))
			continue;
		CLI_AUTOFREE char *mac = cli_get_str(PrlVmDevNet_GetMacAddress, dev);
		size_t used = strlen(out);
		snprintf(out + used, sizeof(out) - used, "%s%s", used ? " " : "", mac);
	}
	return cli_xstrdup(out);
}

static const list_field fields[] = {
	{ "uuid", "UUID", 39, get_uuid },
	{ "status", "STATUS", 12, get_status },
	{ "name", "NAME", 32, get_name },
	{ "dist", "DIST", 15, get_dist },
	{ "description", "DESCRIPTION", 32, get_desc },
	{ "ip", "IP_ADDR", 15, get_ip },
	{ "ip_configured", "IP_ADDR", 15, get_ip },
	{ "hostname", "HOSTNAME", 32, get_hostname },
	{ "mac", "MAC", 36, get_mac },
	{ "type", "T", 2, get_type },
	{ NULL },
};

static const char default_fields[] = "uuid,status,ip_configured,type,name";

static const list_field *find_field(const char *name)
{
	for (const list_field *f = fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* "a,b,c" → field pointers; -1 (with a message) on an unknown name. */
static int parse_fields(const char *spec, const list_field **out)
{
	CLI_AUTOFREE char *copy = cli_xstrdup(spec);
	char *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const list_field *f = find_field(tok);
		if (!f || n == MAX_FIELDS) {
			cli_error(f ? "Too many fields." : "Unknown field: %s (see 'prlctl list -L').", tok);
			return -1;
		}
		out[n++] = f;
	}
	if (n == 0)
		cli_error("No fields given to -o.");
	return n ? n : -1;
}

/* ---- rows ------------------------------------------------------------------ */

typedef struct row {
	char *val[MAX_FIELDS];
	char *sort;
} row;

typedef struct table {
	const list_field *f[MAX_FIELDS];
	int nf;
	const list_field *sort_by;
	bool reverse;
	row *rows;
	int nrows;
} table;

static void add_row(table *t, PRL_HANDLE vm)
{
	row *r = &t->rows[t->nrows++];

	for (int i = 0; i < t->nf; i++)
		r->val[i] = t->f[i]->get(vm);
	r->sort = t->sort_by->get(vm);
}

static bool reverse_sort;

static int cmp_rows(const void *a, const void *b)
{
	int d = strcmp(((const row *)a)->sort, ((const row *)b)->sort);

	return reverse_sort ? -d : d;
}

static void free_rows(table *t)
{
	for (int i = 0; i < t->nrows; i++) {
		for (int k = 0; k < t->nf; k++)
			free(t->rows[i].val[k]);
		free(t->rows[i].sort);
	}
	free(t->rows);
}

/* ---- printing --------------------------------------------------------------- */

static void print_cell(const char *s, int width, bool last)
{
	if (last)
		printf("%s", s);
	else
		printf("%-*s ", width, s);
}

static void print_plain(const table *t, bool header)
{
	if (header) {
		for (int i = 0; i < t->nf; i++)
			print_cell(t->f[i]->hdr, t->f[i]->width, i + 1 == t->nf);
		putchar('\n');
	}
	for (int r = 0; r < t->nrows; r++) {
		for (int i = 0; i < t->nf; i++) {
			const char *v = t->rows[r].val[i];
			print_cell(*v ? v : "-", t->f[i]->width, i + 1 == t->nf);
		}
		putchar('\n');
	}
}

static void json_value(cli_json *j, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (strcmp(key, "uuid") == 0 && n > 2 && v[0] == '{' && v[n - 1] == '}') {
		CLI_AUTOFREE char *bare = strndup(v + 1, n - 2);
		cli_json_str(j, key, bare ? bare : v);
	} else {
		cli_json_str(j, key, *v ? v : "-");
	}
}

static void print_json(const table *t)
{
	cli_json j;

	cli_json_init(&j, stdout);
	cli_json_begin_array(&j, NULL);
	for (int r = 0; r < t->nrows; r++) {
		cli_json_begin_object(&j, NULL);
		for (int i = 0; i < t->nf; i++)
			json_value(&j, t->f[i]->name, t->rows[r].val[i]);
		cli_json_end_object(&j);
	}
	cli_json_end_array(&j);
	cli_json_finish(&j);
}

/* ---- selecting VMs ------------------------------------------------------------ */

static bool wanted(PRL_HANDLE vm, const cli_args *a)
{
	PRL_BOOL tmpl = PRL_FALSE;

	PrlVmCfg_IsTemplate(vm, &tmpl);
	if (cli_opt_has(a, O_TEMPLATE))
		return tmpl;
	if (tmpl)
		return false;
	return cli_opt_has(a, O_ALL) || cli_vm_state(vm) == VMS_RUNNING;
}

static int collect_all(cli_ctx *c, const cli_args *a, table *t)
{
	CLI_AUTO_HANDLE res = PRL_INVALID_HANDLE;
	PRL_UINT32 n = 0;

	if (PRL_FAILED(cli_job(c, PrlSrv_GetVmListEx(c->srv, PVTF_VM | PVTF_CT | PGVLF_GET_STATE_INFO),
			       "Failed to get the list of virtual machines", &res)))
		return -1;
	PrlResult_GetParamsCount(res, &n);
	t->rows = cli_xmalloc(sizeof(row) * (n ? n : 1));
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;
		if (PRL_SUCCEEDED(PrlResult_GetParamByIndex(res, i, &vm)) && wanted(vm, a))
			add_row(t, vm);
	}
	return 0;
}

static int collect_one(cli_ctx *c, const char *id, table *t)
{
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;

	if (PRL_FAILED(cli_find_vm(c, id, &vm)))
		return -1;
	t->rows = cli_xmalloc(sizeof(row));
	add_row(t, vm);
	return 0;
}

static int list_fields(void)
{
	for (const list_field *f = fields; f->name; f++)
		printf("%-20s %s\n", f->name, f->hdr);
	return CLI_EXIT_OK;
}

/* Fields and sort order from -o and -s; the default sort is by name. */
static int setup_table(const cli_args *a, table *t)
{
	const char *sort = cli_opt_val(a, O_SORT);

	t->nf = parse_fields(cli_opt_has(a, O_FIELDS) ? cli_opt_val(a, O_FIELDS) : default_fields, t->f);
	if (t->nf < 0)
		return -1;
	t->sort_by = cli_opt_has(a, O_FIELDS) ? t->f[0] : find_field("name");
	if (sort) {
		t->reverse = sort[0] == '-';
		t->sort_by = find_field(sort + t->reverse);
		if (!t->sort_by) {
			cli_error("%s is an invalid field name for -s (see 'prlctl list -L').", sort);
			return -1;
		}
	}
	return 0;
}

static int run_list(cli_ctx *c, const cli_args *a)
{
	table t = { 0 };
	int rc;

	if (cli_opt_has(a, O_INFO))
		return cli_list_info(c, a);
	if (cli_opt_has(a, O_LIST_FIELDS))
		return list_fields();
	if (setup_table(a, &t) < 0)
		return CLI_EXIT_USAGE;
	rc = a->npos ? collect_one(c, a->pos[0], &t) : collect_all(c, a, &t);
	if (rc == 0) {
		reverse_sort = t.reverse;
		qsort(t.rows, (size_t)t.nrows, sizeof(row), cmp_rows);
		if (cli_opt_has(a, O_JSON))
			print_json(&t);
		else
			print_plain(&t, !cli_opt_has(a, O_NO_HDR));
	}
	free_rows(&t);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static const cli_opt list_opts[] = {
	{ "all", O_ALL, false, NULL, "list every VM, not only the running ones" },
	{ "info", O_INFO, false, NULL, "show the configuration of each VM (Key: value)" },
	{ "json", O_JSON, false, NULL, "print JSON" },
	{ "output", O_FIELDS, true, "field,...", "the columns to show (see -L)" },
	{ "sort", O_SORT, true, "[-]field", "sort by this field (- for descending)" },
	{ "template", O_TEMPLATE, false, NULL, "list templates only" },
	{ "list", O_LIST_FIELDS, false, NULL, "list the field names for -o and -s" },
	{ "no-header", O_NO_HDR, false, NULL, "omit the header line (INFO with -i)" },
	{ NULL },
};

const cli_cmd cmd_list = {
	"list", run_list, list_opts, 0, 1,
	"[-a] [-t] [-o field,...] [-s [-]field] [-H] [-j] [<ve>] | -i|--info [<ve>] [-j] | -L",
	"list virtual machines, or show their configuration (-i)",
};
