/*
 * cmd_create.c — the commands that make VMs appear and disappear:
 * `prlctl create`, `delete`, `clone`, `register` and `unregister`.
 *
 * create follows the SDK's recipe for a new VM: the host configuration
 * (PrlSrv_GetSrvConfig), a local VM object (PrlSrv_CreateVm), defaults for
 * the guest OS (PrlVmCfg_SetDefaultConfig, with devices), the name, then
 * PrlVm_Reg, which creates the bundle on the server.  As in prlctl, the
 * guest OS defaults to the "win" family when neither -o nor -d is given.
 */
#include "cmds.h"

#include <stdio.h>

#include "names.h"

enum {
	O_OSTYPE = 'o', O_DIST = 'd', O_NAME = 'n', O_TEMPLATE = 't',
	O_NO_HDD = CLI_LONG_ONLY, O_DST, O_UUID, O_REGEN_UUID,
};

/* ---- create --------------------------------------------------------------------- */

/* The PVS_GUEST_VER_* that -o / -d ask for; 0 (and a message) if unknown. */
static unsigned guest_version(const cli_args *a)
{
	const char *dist = cli_opt_val(a, O_DIST), *os = cli_opt_val(a, O_OSTYPE);
	unsigned v = dist ? cli_dist_version(dist) : cli_ostype_version(os ? os : "win");

	if (v)
		return v;
	cli_error("Unknown %s '%s'. Valid values:", dist ? "distribution" : "OS type", dist ? dist : os);
	cli_print_dists(stderr, dist == NULL);
	return 0;
}

static PRL_RESULT remove_hard_disks(PRL_HANDLE vm)
{
	PRL_UINT32 n = 0;
	PRL_RESULT rc = PrlVmCfg_GetHardDisksCount(vm, &n);

	while (PRL_SUCCEEDED(rc) && n-- > 0) {
		CLI_AUTO_HANDLE dev = PRL_INVALID_HANDLE;
		rc = PrlVmCfg_GetHardDisk(vm, 0, &dev);
		if (PRL_SUCCEEDED(rc))
			rc = PrlVmDev_Remove(dev);
	}
	return PRL_FAILED(rc) ? cli_fail(rc, "Failed to remove the hard disk (--no-hdd)") : rc;
}

/* Fills the local VM object: defaults, name, optional UUID, disks. */
static PRL_RESULT configure_new(PRL_HANDLE vm, PRL_HANDLE srvcfg, unsigned ver, const cli_args *a)
{
	const char *uuid = cli_opt_val(a, O_UUID);
	PRL_RESULT rc;

	if (PRL_FAILED(rc = PrlVmCfg_SetDefaultConfig(vm, srvcfg, ver, PRL_TRUE)))
		return cli_fail(rc, "Failed to apply the default configuration");
	if (PRL_FAILED(rc = PrlVmCfg_SetName(vm, a->pos[0])))
		return cli_fail(rc, "Failed to set the name '%s'", a->pos[0]);
	if (uuid && PRL_FAILED(rc = PrlVmCfg_SetUuid(vm, uuid)))
		return cli_fail(rc, "Failed to set the UUID '%s'", uuid);
	return cli_opt_has(a, O_NO_HDD) ? remove_hard_disks(vm) : PRL_ERR_SUCCESS;
}

static int run_create(cli_ctx *c, const cli_args *a)
{
	CLI_AUTO_HANDLE srvcfg = PRL_INVALID_HANDLE, vm = PRL_INVALID_HANDLE;
	const char *dst = cli_opt_val(a, O_DST);
	unsigned ver = guest_version(a);
	PRL_RESULT rc;

	if (!ver)
		return CLI_EXIT_USAGE;
	printf("Creating the virtual machine...\n");
	fflush(stdout);
	if (PRL_FAILED(cli_job_param(c, PrlSrv_GetSrvConfig(c->srv),
				     "Failed to get the server configuration", &srvcfg)))
		return CLI_EXIT_FAIL;
	if (PRL_FAILED(rc = PrlSrv_CreateVm(c->srv, &vm)))
		cli_fail(rc, "Failed to create the VM");
	if (PRL_FAILED(rc) || PRL_FAILED(configure_new(vm, srvcfg, ver, a)))
		return CLI_EXIT_FAIL;
	if (PRL_FAILED(cli_job(c, PrlVm_Reg(vm, dst ? dst : "", PRL_TRUE),
			       "Failed to create the VM", NULL)))
		return CLI_EXIT_FAIL;
	printf("The VM has been successfully created.\n");
	return CLI_EXIT_OK;
}

static const cli_opt create_opts[] = {
	{ "ostype", O_OSTYPE, true, "TYPE", "guest OS family: win, linux, freebsd, ... (default win)" },
	{ "distribution", O_DIST, true, "NAME", "guest OS distribution: centos, ubuntu, win-2012, ..." },
	{ "no-hdd", O_NO_HDD, false, NULL, "create no hard disk" },
	{ "dst", O_DST, true, "DIR", "create the bundle in DIR (default: the server's VM home)" },
	{ "uuid", O_UUID, true, "UUID", "give the VM this UUID" },
	{ NULL },
};

const cli_cmd cmd_create = {
	"create", run_create, create_opts, 1, 1,
	"<name> [-o ostype | -d distribution] [--no-hdd] [--dst dir] [--uuid uuid]",
	"create a new virtual machine",
};

/* ---- delete, unregister, clone ----------------------------------------------------- */

/* Finds <ve>, prints "<doing> the VM...", runs the job, prints "<done>". */
static int vm_job(cli_ctx *c, const cli_args *a, const char *doing, const char *failed,
		  PRL_HANDLE (*start)(PRL_HANDLE vm, const cli_args *a), const char *done)
{
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;
	char what[512];

	if (PRL_FAILED(cli_find_vm(c, a->pos[0], &vm)))
		return CLI_EXIT_FAIL;
	printf("%s the %s %s...\n", doing, cli_vm_type_str(vm), a->pos[0]);
	fflush(stdout);
	snprintf(what, sizeof(what), "Failed to %s the %s %s", failed, cli_vm_type_str(vm), a->pos[0]);
	if (PRL_FAILED(cli_job(c, start(vm, a), what, NULL)))
		return CLI_EXIT_FAIL;
	printf("The %s has been successfully %s.\n", cli_vm_type_str(vm), done);
	return CLI_EXIT_OK;
}

static PRL_HANDLE start_delete(PRL_HANDLE vm, const cli_args *a)
{
	return PrlVm_Delete(vm, PRL_INVALID_HANDLE);
}

static int run_delete(cli_ctx *c, const cli_args *a)
{
	return vm_job(c, a, "Removing", "remove", start_delete, "removed");
}

const cli_cmd cmd_delete = {
	"delete", run_delete, NULL, 1, 1, "<ve>", "unregister a virtual machine and delete its files",
};

static PRL_HANDLE start_unreg(PRL_HANDLE vm, const cli_args *a)
{
	return PrlVm_Unreg(vm);
}

static int run_unregister(cli_ctx *c, const cli_args *a)
{
	return vm_job(c, a, "Unregistering", "unregister", start_unreg, "unregistered");
}

const cli_cmd cmd_unregister = {
	"unregister", run_unregister, NULL, 1, 1, "<ve>",
	"unregister a virtual machine, keeping its files",
};

static PRL_HANDLE start_clone(PRL_HANDLE vm, const cli_args *a)
{
	const char *dst = cli_opt_val(a, O_DST);

	return PrlVm_Clone(vm, cli_opt_val(a, O_NAME), dst ? dst : "",
			   cli_opt_has(a, O_TEMPLATE) ? PRL_TRUE : PRL_FALSE);
}

static int run_clone(cli_ctx *c, const cli_args *a)
{
	const char *name = cli_opt_val(a, O_NAME);

	if (!name || !*name) {
		cli_error("'prlctl clone' needs the name of the new VM: --name <new>.");
		return CLI_EXIT_USAGE;
	}
	return vm_job(c, a, "Cloning", "clone", start_clone,
		      cli_opt_has(a, O_TEMPLATE) ? "cloned to a template" : "cloned");
}

static const cli_opt clone_opts[] = {
	{ "name", O_NAME, true, "NEW", "the name of the clone (required)" },
	{ "template", O_TEMPLATE, false, NULL, "make the clone a template" },
	{ "dst", O_DST, true, "DIR", "create the clone's bundle in DIR" },
	{ NULL },
};

const cli_cmd cmd_clone = {
	"clone", run_clone, clone_opts, 1, 1, "<ve> --name <new> [--template] [--dst dir]",
	"copy a virtual machine under a new name",
};

/* ---- register -------------------------------------------------------------------- */

static int run_register(cli_ctx *c, const cli_args *a)
{
	const char *uuid = cli_opt_val(a, O_UUID);
	PRL_UINT32 flags = PACF_NON_INTERACTIVE_MODE;
	PRL_HANDLE job;

	if (cli_opt_has(a, O_REGEN_UUID))
		flags |= PRVF_REGENERATE_VM_UUID;
	printf("Registering the virtual machine %s...\n", a->pos[0]);
	fflush(stdout);
	job = uuid ? PrlSrv_RegisterVmWithUuid(c->srv, a->pos[0], uuid, flags)
		   : PrlSrv_RegisterVmEx(c->srv, a->pos[0], flags);
	if (PRL_FAILED(cli_job(c, job, "Failed to register the virtual machine", NULL)))
		return CLI_EXIT_FAIL;
	printf("The virtual machine has been successfully registered.\n");
	return CLI_EXIT_OK;
}

static const cli_opt register_opts[] = {
	{ "regenerate-uuid", O_REGEN_UUID, false, NULL, "give the VM a new UUID" },
	{ "uuid", O_UUID, true, "UUID", "register the VM under this UUID" },
	{ NULL },
};

const cli_cmd cmd_register = {
	"register", run_register, register_opts, 1, 1, "<path> [--regenerate-uuid | --uuid uuid]",
	"register an existing VM bundle (<name>.pvm directory)",
};
