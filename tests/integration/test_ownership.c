/*
 * test_ownership.c — a VM belongs to the user who created it.  Root creates a
 * VM; a process running as another user (nobody), logged in locally and so
 * identified by its peer credentials, neither sees it in the list nor can
 * operate on it (PRL_ERR_ACCESS_TO_VM_DENIED or not found), but creates and
 * sees its own; root sees both.  Needs root (to switch user); skipped as
 * another user, a failure under CI=true.
 */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;

static PRL_RESULT create(PRL_HANDLE s, const char *name)
{
	PRL_HANDLE vm;
	PrlSrv_CreateVm(s, &vm);
	PrlVmCfg_SetName(vm, name);
	PrlVmCfg_SetRamSize(vm, 128);
	PRL_RESULT rc = test_job(PrlVm_Reg(vm, "", PRL_TRUE), NULL);
	PrlHandle_Free(vm);
	return rc;
}

/* Names visible to this session, comma-joined into out. */
static int visible(PRL_HANDLE s, char *out, size_t len)
{
	PRL_HANDLE res;
	if (test_job(PrlSrv_GetVmList(s), &res))
		return -1;
	PRL_UINT32 n = 0;
	PrlResult_GetParamsCount(res, &n);
	out[0] = 0;
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE vm;
		char name[64];
		PRL_UINT32 l = sizeof(name);
		PrlResult_GetParamByIndex(res, i, &vm);
		PrlVmCfg_GetName(vm, name, &l);
		strncat(out, name, len - strlen(out) - 2);
		strncat(out, ",", len - strlen(out) - 1);
		PrlHandle_Free(vm);
	}
	PrlHandle_Free(res);
	return (int)n;
}

/* The access rights of the VM named name, read two ways (the VM object's
 * info and PrlVm_GetState's answer): 0 when both say owner and is_owner,
 * nothing shared, every operation allowed, and PrlVm_UpdateSecurity takes
 * "not shared" but refuses sharing; else the number of the failed check. */
static int rights_are(PRL_HANDLE s, const char *name, const char *owner, PRL_BOOL is_owner)
{
	PRL_HANDLE res, vm, info[2] = { PRL_INVALID_HANDLE, PRL_INVALID_HANDLE };
	if (test_job(PrlSrv_GetVmConfig(s, name, 0), &res) || PrlResult_GetParam(res, &vm))
		return 1;
	PrlHandle_Free(res);
	int bad = PrlVmCfg_GetVmInfo(vm, &info[0]) ? 2 : 0;
	if (!bad && (test_job(PrlVm_GetState(vm), &res) || PrlResult_GetParam(res, &info[1])))
		bad = 3;
	else if (!bad)
		PrlHandle_Free(res);
	for (int k = 0; !bad && k < 2; k++) {
		PRL_HANDLE acl;
		char got[64];
		PRL_UINT32 len = sizeof(got);
		PRL_BOOL own = 2, allowed = PRL_FALSE;
		PRL_VM_ACCESS_FOR_OTHERS others = 99;
		if (PrlVmInfo_GetAccessRights(info[k], &acl))
			return 4;
		if (PrlAcl_GetOwnerName(acl, got, &len) || strcmp(got, owner))
			bad = 5;
		else if (PrlAcl_IsCurrentSessionOwner(acl, &own) || own != is_owner)
			bad = 6;
		else if (PrlAcl_GetAccessForOthers(acl, &others) || others != PAO_VM_NOT_SHARED)
			bad = 7;
		else if (PrlAcl_IsAllowed(acl, PAR_VM_START_ACCESS, &allowed) || !allowed)
			bad = 8;
		else if (test_job(PrlVm_UpdateSecurity(vm, acl), NULL) != PRL_ERR_SUCCESS)
			bad = 9;
		else if (PrlAcl_SetAccessForOthers(acl, PAO_VM_SHARED_ON_VIEW) ||
			 test_job(PrlVm_UpdateSecurity(vm, acl), NULL) != PRL_ERR_UNIMPLEMENTED)
			bad = 10;
		PrlHandle_Free(acl);
	}
	PrlHandle_Free(info[0]);
	PrlHandle_Free(info[1]);
	PrlHandle_Free(vm);
	return bad;
}

/* Runs in a child as `nobody`: exit status 0 when every expectation held. */
static int as_other_user(uid_t uid, gid_t gid, const char *root_vm_uuid)
{
	if (setgid(gid) || setuid(uid))
		return 10;
	PRL_HANDLE s = it_login_local();
	if (!s)
		return 11;
	char names[512];
	if (visible(s, names, sizeof(names)) != 0)
		return 12;                       /* root's VM must be invisible */
	PRL_HANDLE res;
	PRL_RESULT rc = test_job(PrlSrv_GetVmConfig(s, root_vm_uuid, 0), &res);
	if (rc != PRL_ERR_ACCESS_TO_VM_DENIED && rc != PRL_ERR_VM_UUID_NOT_FOUND)
		return 13;
	if (test_job(PrlSrv_Shutdown(s, PRL_FALSE), NULL) != PRL_ERR_ACCESS_DENIED)
		return 16;                       /* only root may stop the dispatcher */
	if (create(s, "nobody-vm"))
		return 14;
	if (visible(s, names, sizeof(names)) != 1 || strcmp(names, "nobody-vm,"))
		return 15;
	if (rights_are(s, "nobody-vm", "nobody", PRL_TRUE))
		return 17;
	PRL_HANDLE j = PrlSrv_Logoff(s);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	PrlHandle_Free(s);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (test_env_up(&disp, NULL, NULL))
		return -1;
	return chmod(disp.state_dir, 0755);      /* let nobody reach the socket */
}

static int teardown(void **state)
{
	(void)state;
	return test_env_down(&disp, 0);
}

static void test_owners(void **state)
{
	(void)state;
	struct passwd *pw = getpwnam("nobody");
	assert_non_null(pw);
	PRL_HANDLE s = it_login_local();
	assert_ptr_not_equal(s, PRL_INVALID_HANDLE);
	assert_int_equal(create(s, "root-vm"), PRL_ERR_SUCCESS);
	PRL_HANDLE res, vm;
	assert_int_equal(test_job(PrlSrv_GetVmConfig(s, "root-vm", 0), &res), PRL_ERR_SUCCESS);
	PrlResult_GetParam(res, &vm);
	char uuid[64];
	PRL_UINT32 len = sizeof(uuid);
	PrlVmCfg_GetUuid(vm, uuid, &len);
	PrlHandle_Free(vm);
	PrlHandle_Free(res);

	/* A fresh process (fork + exec), not a fork of this multithreaded one. */
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "test_ownership", "--as-nobody", uuid, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	char names[512];
	assert_int_equal(visible(s, names, sizeof(names)), 2);   /* root sees all */
	assert_non_null(strstr(names, "root-vm,"));
	assert_non_null(strstr(names, "nobody-vm,"));
	/* The rights: root owns root-vm; it sees nobody's VM, not as owner. */
	assert_int_equal(rights_are(s, "root-vm", "root", PRL_TRUE), 0);
	assert_int_equal(rights_are(s, "nobody-vm", "nobody", PRL_FALSE), 0);
	PRL_HANDLE j = PrlSrv_Logoff(s);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	PrlHandle_Free(s);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--as-nobody")) {
		struct passwd *pw = getpwnam("nobody");
		if (!pw || PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0))
			return 9;
		int rc = as_other_user(pw->pw_uid, pw->pw_gid, argv[2]);
		PrlApi_Deinit();
		return rc;
	}
	if (geteuid() != 0) {
		const char *ci = getenv("CI");
		fprintf(stderr, "test_ownership: needs root to act as another user\n");
		return ci && !strcmp(ci, "true") ? 1 : 77;
	}
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_owners) };
	return cmocka_run_group_tests_name("ownership", tests, setup, teardown);
}
