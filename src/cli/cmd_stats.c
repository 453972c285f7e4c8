/*
 * cmd_stats.c — `prlctl statistics {<ve> | -a} [--filter PATTERN]`: the
 * performance counters of a VM, read once with PrlVm_GetPerfStats.  The
 * answer is an event whose parameters are the counters; each VM is printed
 * as its UUID on a line, then one "\t<counter>:\t<value>" line per counter
 * (guest.cpu.usage, net.nic0.bytes_in, ...), as prlctl prints them.
 * With -a, every running or paused VM (the others have no counters).
 */
#include "cmds.h"

#include <stdio.h>

enum { O_ALL = 'a', O_FILTER = CLI_LONG_ONLY };

static void print_counter(PRL_HANDLE prm)
{
	CLI_AUTOFREE char *name = cli_get_str(PrlEvtPrm_GetName, prm);
	CLI_AUTOFREE char *val = cli_get_str(PrlEvtPrm_ToString, prm);

	printf("\t%s:\t%s\n", name, val);
}

static int vm_stats(cli_ctx *c, PRL_HANDLE vm, const char *filter)
{
	CLI_AUTO_HANDLE ev = PRL_INVALID_HANDLE;
	CLI_AUTOFREE char *uuid = cli_get_str(PrlVmCfg_GetUuid, vm);
	CLI_AUTOFREE char *name = cli_get_str(PrlVmCfg_GetName, vm);
	PRL_UINT32 n = 0;
	char what[512];

	snprintf(what, sizeof(what), "Failed to get the performance counters of %s", name);
	if (PRL_FAILED(cli_job_param(c, PrlVm_GetPerfStats(vm, filter), what, &ev)))
		return CLI_EXIT_FAIL;
	printf("%s\n", uuid);
	PrlEvent_GetParamsCount(ev, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE prm = PRL_INVALID_HANDLE;
		if (PRL_SUCCEEDED(PrlEvent_GetParam(ev, i, &prm)))
			print_counter(prm);
	}
	fflush(stdout);
	return CLI_EXIT_OK;
}

/* Only a VM that runs (or is paused) has counters; -a skips the others. */
static bool has_counters(PRL_HANDLE vm)
{
	VIRTUAL_MACHINE_STATE st = cli_vm_state(vm);

	return st == VMS_RUNNING || st == VMS_PAUSED;
}

static int all_stats(cli_ctx *c, const char *filter)
{
	CLI_AUTO_HANDLE res = PRL_INVALID_HANDLE;
	PRL_UINT32 n = 0;
	int rc = CLI_EXIT_OK;

	if (PRL_FAILED(cli_job(c, PrlSrv_GetVmListEx(c->srv, PVTF_VM | PVTF_CT | PGVLF_GET_STATE_INFO),
			       "Failed to get the list of virtual machines", &res)))
		return CLI_EXIT_FAIL;
	PrlResult_GetParamsCount(res, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;
		if (PRL_FAILED(PrlResult_GetParamByIndex(res, i, &vm)) || !has_counters(vm))
			continue;
		if (vm_stats(c, vm, filter) != CLI_EXIT_OK)
			rc = CLI_EXIT_FAIL;
	}
	return rc;
}

static int run_statistics(cli_ctx *c, const cli_args *a)
{
	const char *filter = cli_opt_val(a, O_FILTER);
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;

	if (cli_opt_has(a, O_ALL) == (a->npos == 1)) {
		cli_error("'prlctl statistics' needs either a VM or -a (all VMs).");
		return CLI_EXIT_USAGE;
	}
	if (cli_opt_has(a, O_ALL))
		return all_stats(c, filter ? filter : "");
	if (PRL_FAILED(cli_find_vm(c, a->pos[0], &vm)))
		return CLI_EXIT_FAIL;
	return vm_stats(c, vm, filter ? filter : "");
}

static const cli_opt stats_opts[] = {
	{ "all", O_ALL, false, NULL, "every virtual machine" },
	{ "filter", O_FILTER, true, "PATTERN", "only the counters matching PATTERN (e.g. guest.*)" },
	{ NULL },
};

const cli_cmd cmd_statistics = {
	"statistics", run_statistics, stats_opts, 0, 1, "{<ve> | -a} [--filter PATTERN]",
	"print the performance counters of virtual machines",
};
