/*
 * test_vmlist.c — the VM list from bundles placed in the dispatcher's state
 * directory before it starts (the on-disk format of docs/config-format.md):
 * every registered bundle comes back as a PHT_VIRTUAL_MACHINE with its name,
 * UUID and state readable; a hostile bundle (a name that would leave the VM
 * home) is refused: it is listed as invalid (as the real SDK lists a VM whose
 * configuration cannot be read), under a safe name, never with the hostile
 * one, while the others are served normally.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;

static const struct fixture {
	const char *uuid, *name;
	int hostile;
} fixtures[] = {
	{ "{6b1e3c4e-0f5e-4d39-9e0a-1c2b3d4e5f60}", "web01", 0 },
	{ "{0a2f7c11-5d3e-4e0b-8a6c-9d8e7f6a5b4c}", "db 02 (ünïcode)", 0 },
	{ "{99999999-8888-4777-8666-555555555555}", "../escape", 1 },
};
#define N_FIX (sizeof(fixtures) / sizeof(fixtures[0]))

/* The registry's file for a bundle (what the dispatcher reads at start). */
static int registration(test_disp *d, const char *uuid, const char *dir, int seq)
{
	char path[600], xml[2048];
	snprintf(path, sizeof(path), "%s/registry.d/%.36s.vm", d->state_dir, uuid + 1);
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<registration format=\"1\">"
		 "<uuid>%s</uuid><bundle>%s</bundle><owner_uid>%u</owner_uid><seq>%d</seq>"
		 "</registration>\n", uuid, dir, (unsigned)getuid(), seq);
	return it_write_file(path, xml);
}

static int place(test_disp *d, const struct fixture *fx, int i)
{
	char dir[512], path[600], xml[2048];
	snprintf(dir, sizeof(dir), "%s/vms/fixture%d.pvm", d->state_dir, i);
	if (mkdir(dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/config.pvs", dir);
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vm_config format=\"1\">"
		 "<uuid>%s</uuid><name>%s</name><os_type>9</os_type><ram_mb>512</ram_mb>"
		 "<cpu_count>1</cpu_count><revision>1</revision></vm_config>\n",
		 fx->uuid, fx->name);
	return it_write_file(path, xml) ? -1 : registration(d, fx->uuid, dir, i + 1);
}

/* Bulk bundles: a list frame of over 300 KiB, read in many pieces and
 * decoded into one arena; every VM's order and contents are checked. */
#define N_BULK 1500
#define BULK_DESC "a description long enough to make the frame large " \
		  "a description long enough to make the frame large"

static void bulk_uuid(int i, char out[64])
{
	snprintf(out, 64, "{%08x-0000-4000-8000-%012x}", (unsigned)i, (unsigned)i * 7u);
}

static int place_bulk(test_disp *d, int i)
{
	char dir[512], path[600], xml[2048], uuid[64];
	bulk_uuid(i, uuid);
	snprintf(dir, sizeof(dir), "%s/vms/bulk-%04d.pvm", d->state_dir, i);
	if (mkdir(dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/config.pvs", dir);
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vm_config format=\"1\">"
		 "<uuid>%s</uuid><name>bulk-%04d</name><description>%s</description>"
		 "<os_type>9</os_type><ram_mb>%d</ram_mb><cpu_count>1</cpu_count>"
		 "<revision>1</revision></vm_config>\n", uuid, i, BULK_DESC, 64 + i);
	return it_write_file(path, xml) ? -1 : registration(d, uuid, dir, (int)N_FIX + 1 + i);
}

static int prepare(test_disp *d)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/vms", d->state_dir);
	if (mkdir(p, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/registry.d", d->state_dir);
	if (mkdir(p, 0755))
		return -1;
	for (size_t i = 0; i < N_FIX; i++)
		if (place(d, &fixtures[i], (int)i))
			return -1;
	for (int i = 0; i < N_BULK; i++)
		if (place_bulk(d, i))
			return -1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return test_env_up(&disp, NULL, prepare);
}

static int teardown(void **state)
{
	(void)state;
	return test_env_down(&disp, 1);
}

static void test_list_fixtures(void **state)
{
	(void)state;
	PRL_HANDLE s, res;
	PrlSrv_Create(&s);
	assert_int_equal(test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), &res), 0);
	PrlHandle_Free(res);
	assert_int_equal(test_job(PrlSrv_GetVmList(s), &res), PRL_ERR_SUCCESS);
	PRL_UINT32 n = 0;
	PrlResult_GetParamsCount(res, &n);
	assert_int_equal(n, N_FIX + N_BULK);
	for (PRL_UINT32 i = N_FIX; i < n; i++) {
		PRL_HANDLE vm;
		char name[64], uuid[64], want[64], desc[256];
		PRL_UINT32 len = sizeof(name), ulen = sizeof(uuid), dlen = sizeof(desc), ram = 0;
		int k = (int)(i - N_FIX);
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &vm), PRL_ERR_SUCCESS);
		assert_int_equal(PrlVmCfg_GetName(vm, name, &len), PRL_ERR_SUCCESS);
		snprintf(want, sizeof(want), "bulk-%04d", k);
		assert_string_equal(name, want);
		assert_int_equal(PrlVmCfg_GetUuid(vm, uuid, &ulen), PRL_ERR_SUCCESS);
		bulk_uuid(k, want);
		assert_string_equal(uuid, want);
		assert_int_equal(PrlVmCfg_GetDescription(vm, desc, &dlen), PRL_ERR_SUCCESS);
		assert_string_equal(desc, BULK_DESC);
		assert_int_equal(PrlVmCfg_GetRamSize(vm, &ram), PRL_ERR_SUCCESS);
		assert_int_equal(ram, 64 + k);
		PrlHandle_Free(vm);
	}
	for (PRL_UINT32 i = 0; i < N_FIX; i++) {
		PRL_HANDLE vm, cfg, info;
		char name[128], uuid[64];
		PRL_UINT32 len = sizeof(name), ulen = sizeof(uuid);
		PRL_HANDLE_TYPE t;
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &vm), PRL_ERR_SUCCESS);
		PrlHandle_GetType(vm, &t);
		assert_int_equal(t, PHT_VIRTUAL_MACHINE);
		assert_int_equal(PrlVm_GetConfig(vm, &cfg), PRL_ERR_SUCCESS);
		assert_int_equal(PrlVmCfg_GetName(cfg, name, &len), PRL_ERR_SUCCESS);
		assert_int_equal(PrlVmCfg_GetUuid(cfg, uuid, &ulen), PRL_ERR_SUCCESS);
		assert_string_equal(uuid, fixtures[i].uuid);
		assert_int_equal(PrlVmCfg_GetVmInfo(cfg, &info), PRL_ERR_SUCCESS);
		VIRTUAL_MACHINE_STATE st = 0;
		PRL_BOOL invalid = 2;
		PRL_RESULT validity = 1;
		assert_int_equal(PrlVmInfo_GetState(info, &st), PRL_ERR_SUCCESS);
		assert_int_equal(PrlVmInfo_IsInvalid(info, &invalid), PRL_ERR_SUCCESS);
		assert_int_equal(PrlVmCfg_GetConfigValidity(cfg, &validity), PRL_ERR_SUCCESS);
		if (fixtures[i].hostile) {
			assert_true(invalid);
			assert_true(PRL_FAILED(validity));
			assert_int_equal(st, VMS_UNKNOWN);
			assert_null(strstr(name, ".."));
			assert_null(strchr(name, '/'));
		} else {
			PRL_UINT32 ram = 0;
			assert_false(invalid);
			assert_int_equal(validity, PRL_ERR_SUCCESS);
			assert_int_equal(st, VMS_STOPPED);
			assert_string_equal(name, fixtures[i].name);
			PrlVmCfg_GetRamSize(cfg, &ram);
			assert_int_equal(ram, 512);
		}
		PrlHandle_Free(info);
		PrlHandle_Free(cfg);
		PrlHandle_Free(vm);
	}
	PrlHandle_Free(res);
	assert_int_equal(test_job(PrlSrv_Logoff(s), &res), PRL_ERR_SUCCESS);
	PrlHandle_Free(res);
	PrlHandle_Free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_list_fixtures) };
	return cmocka_run_group_tests_name("vm list", tests, setup, teardown);
}
