/*
 * cmd_lifecycle.c — `prlctl start|stop|restart|pause|resume|suspend|reset
 * <ve>` and `prlctl status <ve>`.
 *
 * The seven state changes share one run function and differ only by a row
 * of the table below: the SDK call and the words of the messages
 * ("Starting the VM..." then "The VM has been successfully started.").
 * `status` prints prlctl's line "VM <ve> exist <state>" with <ve> as given.
 */
#include "cmds.h"

#include <stdio.h>

#include "names.h"

enum { O_KILL = 'k' };

typedef struct life_op {
	const char *doing;      /* "Starting" */
	const char *done;       /* "started" */
	PRL_HANDLE (*job)(PRL_HANDLE vm, const cli_args *a);
} life_op;

static PRL_HANDLE do_start(PRL_HANDLE vm, const cli_args *a)
{
	return PrlVm_StartEx(vm, PSM_VM_START, 0);
}

static PRL_HANDLE do_stop(PRL_HANDLE vm, const cli_args *a)
{
	return PrlVm_StopEx(vm, cli_opt_has(a, O_KILL) ? PSM_KILL : PSM_SHUTDOWN, 0);
}

static PRL_HANDLE do_restart(PRL_HANDLE vm, const cli_args *a) { return PrlVm_Restart(vm); }
static PRL_HANDLE do_pause(PRL_HANDLE vm, const cli_args *a) { return PrlVm_Pause(vm, PRL_FALSE); }
static PRL_HANDLE do_resume(PRL_HANDLE vm, const cli_args *a) { return PrlVm_Resume(vm); }
static PRL_HANDLE do_suspend(PRL_HANDLE vm, const cli_args *a) { return PrlVm_Suspend(vm); }
static PRL_HANDLE do_reset(PRL_HANDLE vm, const cli_args *a) { return PrlVm_Reset(vm); }

static const life_op op_start = { "Starting", "started", do_start };
static const life_op op_stop = { "Stopping", "stopped", do_stop };
static const life_op op_restart = { "Restarting", "restarted", do_restart };
static const life_op op_pause = { "Pausing", "paused", do_pause };
static const life_op op_resume = { "Resuming", "resumed", do_resume };
static const life_op op_suspend = { "Suspending", "suspended", do_suspend };
static const life_op op_reset = { "Resetting", "reset", do_reset };

static int run_life(cli_ctx *c, const cli_args *a)
{
	const life_op *op = a->cmd->data;
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;
	const char *type;
	char what[256];

	if (PRL_FAILED(cli_find_vm(c, a->pos[0], &vm)))
		return CLI_EXIT_FAIL;
	type = cli_vm_type_str(vm);
	printf("%s the %s...\n", op->doing, type);
	fflush(stdout);
	snprintf(what, sizeof(what), "Failed to %s the %s %s", a->cmd->name, type, a->pos[0]);
	if (PRL_FAILED(cli_job(c, op->job(vm, a), what, NULL)))
		return CLI_EXIT_FAIL;
	if (op == &op_stop && cli_opt_has(a, O_KILL))
		printf("The %s has been forcibly stopped.\n", type);
	else
		printf("The %s has been successfully %s.\n", type, op->done);
	return CLI_EXIT_OK;
}

static const cli_opt stop_opts[] = {
	{ "kill", O_KILL, false, NULL, "power off at once instead of shutting the guest down" },
	{ NULL },
};

#define LIFE_CMD(var, name, opts, help, op) \
	const cli_cmd var = { name, run_life, opts, 1, 1, "<ve>", help, &op }

LIFE_CMD(cmd_start, "start", NULL, "start a virtual machine", op_start);
const cli_cmd cmd_stop = { "stop", run_life, stop_opts, 1, 1, "<ve> [--kill]",
			   "stop a virtual machine (shut down, or power off with --kill)", &op_stop };
LIFE_CMD(cmd_restart, "restart", NULL, "restart the guest OS of a virtual machine", op_restart);
LIFE_CMD(cmd_pause, "pause", NULL, "pause a running virtual machine", op_pause);
LIFE_CMD(cmd_resume, "resume", NULL, "resume a paused or suspended virtual machine", op_resume);
LIFE_CMD(cmd_suspend, "suspend", NULL, "suspend a virtual machine to disk", op_suspend);
LIFE_CMD(cmd_reset, "reset", NULL, "reset a virtual machine (hard reboot)", op_reset);

/* ---- status -------------------------------------------------------------------- */

static int run_status(cli_ctx *c, const cli_args *a)
{
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;

	if (PRL_FAILED(cli_find_vm(c, a->pos[0], &vm)))
		return CLI_EXIT_FAIL;
	printf("%s %s exist %s\n", cli_vm_type_str(vm), a->pos[0],
	       cli_state_name(cli_vm_state(vm)));
	return CLI_EXIT_OK;
}

const cli_cmd cmd_status = {
	"status", run_status, NULL, 1, 1, "<ve>", "print whether a virtual machine exists and its state",
};
