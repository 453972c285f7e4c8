/*
 * cmd_set.c — `prlctl set <ve> [--cpus N] [--memsize MB] [--name NEW]
 * [--description TEXT] [--autostart on|off|auto]`.
 *
 * Every value is checked before anything is sent; then the edit is the
 * SDK's transaction: PrlVm_BeginEdit (fresh configuration and revision),
 * the setters on the local copy, PrlVm_Commit (which fails if someone else
 * committed in between).  One table row per option.
 */
#include "cmds.h"

#include <stdio.h>

#include "names.h"

enum {
	O_CPUS = CLI_LONG_ONLY, O_MEMSIZE, O_NAME, O_DESC, O_AUTOSTART,
};

typedef struct setting {
	int key;
	const char *opt;
	/* Parses a number-like value; NULL: the value is a string. */
	bool (*parse)(const char *opt, const char *s, unsigned *out);
	PRL_RESULT (*set_num)(PRL_HANDLE vm, unsigned v);
	PRL_RESULT (*set_str)(PRL_HANDLE vm, const char *s);
	const char *unit;       /* printed after the value */
} setting;

static bool parse_positive(const char *opt, const char *s, unsigned *out)
{
	if (!cli_parse_uint(opt, s, out))
		return false;
	if (*out == 0)
		cli_error("Invalid value for %s: it must be greater than 0.", opt);
	return *out != 0;
}

static bool parse_autostart(const char *opt, const char *s, unsigned *out)
{
	int v = cli_autostart_value(s);

	if (v < 0)
		cli_error("Invalid value for %s: '%s' (on, off or auto).", opt, s);
	*out = (unsigned)v;
	return v >= 0;
}

static PRL_RESULT set_cpus(PRL_HANDLE vm, unsigned v) { return PrlVmCfg_SetCpuCount(vm, v); }
static PRL_RESULT set_mem(PRL_HANDLE vm, unsigned v) { return PrlVmCfg_SetRamSize(vm, v); }
static PRL_RESULT set_name(PRL_HANDLE vm, const char *s) { return PrlVmCfg_SetName(vm, s); }
static PRL_RESULT set_desc(PRL_HANDLE vm, const char *s) { return PrlVmCfg_SetDescription(vm, s); }

static PRL_RESULT set_autostart(PRL_HANDLE vm, unsigned v)
{
	return PrlVmCfg_SetAutoStart(vm, (PRL_VM_AUTOSTART_OPTION)v);
}

static const setting settings[] = {
	{ O_CPUS, "--cpus", parse_positive, set_cpus, NULL, "" },
	{ O_MEMSIZE, "--memsize", parse_positive, set_mem, NULL, "Mb" },
	{ O_NAME, "--name", NULL, NULL, set_name, "" },
	{ O_DESC, "--description", NULL, NULL, set_desc, "" },
	{ O_AUTOSTART, "--autostart", parse_autostart, set_autostart, NULL, "" },
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

/* Checks every given value; the parsed numbers go to num[]. */
static int check_values(const cli_args *a, unsigned num[N_SETTINGS], int *given)
{
	*given = 0;
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const char *v = cli_opt_val(a, settings[i].key);
		if (!v)
			continue;
		(*given)++;
		if (settings[i].parse && !settings[i].parse(settings[i].opt, v, &num[i]))
			return -1;
		if (!settings[i].parse && settings[i].key == O_NAME && !*v) {
			cli_error("Invalid value for --name: the name cannot be empty.");
			return -1;
		}
	}
	if (*given == 0)
		cli_error("Nothing to change; see 'prlctl set --help' for the options.");
	return *given ? 0 : -1;
}

static PRL_RESULT apply(PRL_HANDLE vm, const cli_args *a, const unsigned num[N_SETTINGS])
{
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const setting *s = &settings[i];
		const char *v = cli_opt_val(a, s->key);
		PRL_RESULT rc;
		if (!v)
			continue;
		rc = s->set_num ? s->set_num(vm, num[i]) : s->set_str(vm, v);
		if (PRL_FAILED(rc))
			return cli_fail(rc, "Failed to set %s to '%s'", s->opt, v);
		printf("Set %s: %s%s\n", s->opt + 2, v, s->unit);
	}
	return PRL_ERR_SUCCESS;
}

static int run_set(cli_ctx *c, const cli_args *a)
{
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;
	unsigned num[N_SETTINGS] = { 0 };
	char what[512];
	int given;

	if (check_values(a, num, &given) < 0)
		return CLI_EXIT_USAGE;
	if (PRL_FAILED(cli_find_vm(c, a->pos[0], &vm)))
		return CLI_EXIT_FAIL;
	snprintf(what, sizeof(what), "Failed to configure the %s %s", cli_vm_type_str(vm), a->pos[0]);
	if (PRL_FAILED(cli_job(c, PrlVm_BeginEdit(vm), what, NULL)) || PRL_FAILED(apply(vm, a, num)) ||
	    PRL_FAILED(cli_job(c, PrlVm_Commit(vm), what, NULL)))
		return CLI_EXIT_FAIL;
	printf("The %s has been successfully configured.\n", cli_vm_type_str(vm));
	return CLI_EXIT_OK;
}

static const cli_opt set_opts[] = {
	{ "cpus", O_CPUS, true, "N", "number of virtual CPUs" },
	{ "memsize", O_MEMSIZE, true, "MB", "memory size in megabytes" },
	{ "name", O_NAME, true, "NEW", "rename the virtual machine" },
	{ "description", O_DESC, true, "TEXT", "set the description" },
	{ "autostart", O_AUTOSTART, true, "on|off|auto", "start with the dispatcher or not" },
	{ NULL },
};

const cli_cmd cmd_set = {
	"set", run_set, set_opts, 1, 1,
	"<ve> [--cpus N] [--memsize MB] [--name NEW] [--description TEXT] [--autostart on|off|auto]",
	"change the configuration of a virtual machine",
};
