/*
 * test_search.c — PrlSrv_StartSearchVms against a real dispatcher.
 *
 * Before the dispatcher starts, a directory "<state>/search" is filled
 * with: two valid unregistered bundles (one at the top, one three levels
 * down), a registered bundle, a bundle whose config.pvs is broken, a valid
 * bundle four levels down (beyond the depth bound) and a symbolic link to
 * a directory holding a valid bundle (links are not followed).  Exactly
 * the two valid unregistered bundles must come back, as PHT_FOUND_VM_INFO
 * with their names and config paths; a missing directory gives an empty
 * result, a relative path, an empty list or a bad list handle
 * PRL_ERR_INVALID_ARG.  Another user (`nobody`, in a child process) sees
 * only the bundle whose directory it owns, as it could register only that
 * one.  Registering one of the two (its UUID is the fixture's) leaves only
 * the other.  No handle outlives the test.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;
static char root[PATH_MAX];          /* realpath of <state>/search */

#define UUID_ALPHA "{1a1a1a1a-0000-4000-8000-000000000001}"
#define UUID_BETA  "{2b2b2b2b-0000-4000-8000-000000000002}"
#define UUID_REG   "{3c3c3c3c-0000-4000-8000-000000000003}"
#define UUID_DEEP  "{4d4d4d4d-0000-4000-8000-000000000004}"
#define UUID_LINK  "{5e5e5e5e-0000-4000-8000-000000000005}"

/* mkdir -p of a path below base. */
static int make_dirs(const char *base, const char *rel)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (char *c = p + strlen(base) + 1; n > 0; c++) {
		if (*c != '/' && *c)
			continue;
		char keep = *c;
		*c = '\0';
		if (mkdir(p, 0755) && access(p, F_OK))
			return -1;
		if (!(*c = keep))
			break;
	}
	return 0;
}

/* A bundle dir/rel with a valid config.pvs (or broken text). */
static int bundle(const char *dir, const char *rel, const char *uuid, const char *name)
{
	char path[PATH_MAX + 64], xml[1024];
	if (make_dirs(dir, rel))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/config.pvs", dir, rel);
	if (!uuid)
		return it_write_file(path, "<vm_config format=\"1\"><uuid>not closed");
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vm_config format=\"1\">"
		 "<uuid>%s</uuid><name>%s</name><os_type>9</os_type>"
		 "<os_version>2317</os_version><ram_mb>256</ram_mb><cpu_count>1</cpu_count>"
		 "%s<revision>1</revision></vm_config>\n", uuid, name,
		 !strcmp(name, "beta") ? "<is_template>1</is_template>" : "");
	return it_write_file(path, xml);
}

static int register_entry(test_disp *d, const char *bundle_dir, const char *uuid)
{
	char path[PATH_MAX], xml[PATH_MAX + 512];
	snprintf(path, sizeof(path), "%s/registry.d/%.36s.vm", d->state_dir, uuid + 1);
	snprintf(xml, sizeof(xml),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<registration format=\"1\">"
		 "<uuid>%s</uuid><bundle>%s</bundle><owner_uid>%u</owner_uid><seq>1</seq>"
		 "</registration>\n", uuid, bundle_dir, (unsigned)getuid());
	return it_write_file(path, xml);
}

static int prepare(test_disp *d)
{
	char p[PATH_MAX + 64], outside[PATH_MAX], link[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/search", d->state_dir);
	snprintf(outside, sizeof(outside), "%s/outside", d->state_dir);
	if (make_dirs(d->state_dir, "vms") || make_dirs(d->state_dir, "registry.d") ||
	    make_dirs(d->state_dir, "search") || !realpath(p, root))
		return -1;
	snprintf(link, sizeof(link), "%s/link", root);
	snprintf(p, sizeof(p), "%s/reg.pvm", root);
	return bundle(root, "alpha.pvm", UUID_ALPHA, "alpha") ||
	       bundle(root, "deeper/x/beta.pvm", UUID_BETA, "beta") ||
	       bundle(root, "reg.pvm", UUID_REG, "registered") ||
	       register_entry(d, p, UUID_REG) ||
	       bundle(root, "broken.pvm", NULL, NULL) ||
	       bundle(root, "d1/d2/d3/deep.pvm", UUID_DEEP, "too-deep") ||
	       bundle(d->state_dir, "outside/linked.pvm", UUID_LINK, "linked") ||
	       symlink(outside, link) ? -1 : 0;
}

static int setup(void **state)
{
	(void)state;
	if (test_env_up(&disp, NULL, prepare))
		return -1;
	return chmod(disp.state_dir, 0755);      /* let nobody reach the socket */
}

static int teardown(void **state)
{
	(void)state;
	return test_env_down(&disp, 1);
}

/* Searches the given paths; *res gets the result on success. */
static PRL_RESULT search(PRL_HANDLE s, const char *const *paths, PRL_HANDLE *res)
{
	PRL_HANDLE l;
	assert_int_equal(PrlApi_CreateStringsList(&l), PRL_ERR_SUCCESS);
	for (; *paths; paths++)
		assert_int_equal(PrlStrList_AddItem(l, *paths), PRL_ERR_SUCCESS);
	PRL_HANDLE job = PrlSrv_StartSearchVms(s, l);
	PrlHandle_Free(l);
	return test_job(job, res);
}

typedef struct found {
	char name[128], path[PATH_MAX];
	PRL_UINT32 os_version;
	PRL_BOOL is_template, is_old;
} found;

/* Reads the result's found VMs into out (sorted by name); returns the count. */
static unsigned read_found(PRL_HANDLE res, found *out, unsigned max)
{
	PRL_UINT32 n = 0;
	assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
	assert_true(n <= max);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE f;
		PRL_HANDLE_TYPE t;
		PRL_UINT32 len = 0, plen = sizeof(out[i].path);
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &f), PRL_ERR_SUCCESS);
		assert_int_equal(PrlHandle_GetType(f, &t), PRL_ERR_SUCCESS);
		assert_int_equal(t, PHT_FOUND_VM_INFO);
		assert_int_equal(PrlFoundVmInfo_GetName(f, NULL, &len), PRL_ERR_SUCCESS);
		assert_true(len > 1 && len <= sizeof(out[i].name));
		assert_int_equal(PrlFoundVmInfo_GetName(f, out[i].name, &len), PRL_ERR_SUCCESS);
		assert_int_equal(PrlFoundVmInfo_GetConfigPath(f, out[i].path, &plen),
				 PRL_ERR_SUCCESS);
		assert_int_equal(PrlFoundVmInfo_GetOSVersion(f, &out[i].os_version),
				 PRL_ERR_SUCCESS);
		assert_int_equal(PrlFoundVmInfo_IsTemplate(f, &out[i].is_template),
				 PRL_ERR_SUCCESS);
		assert_int_equal(PrlFoundVmInfo_IsOldConfig(f, &out[i].is_old), PRL_ERR_SUCCESS);
		PrlHandle_Free(f);
	}
	if (n == 2 && strcmp(out[0].name, out[1].name) > 0) {
		found tmp = out[0];
		out[0] = out[1];
		out[1] = tmp;
	}
	return n;
}

static void expect_path(const char *got, const char *rel)
{
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "%s/%s/config.pvs", root, rel);
	assert_string_equal(got, want);
}

static PRL_HANDLE login(void)
{
	PRL_HANDLE s, res;
	PrlSrv_Create(&s);
	assert_int_equal(test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), &res),
			 PRL_ERR_SUCCESS);
	PrlHandle_Free(res);
	return s;
}

static void logoff(PRL_HANDLE s)
{
	PRL_HANDLE res;
	assert_int_equal(test_job(PrlSrv_Logoff(s), &res), PRL_ERR_SUCCESS);
	PrlHandle_Free(res);
	PrlHandle_Free(s);
}

static void test_finds_unregistered(void **state)
{
	(void)state;
	PRL_HANDLE s = login(), res;
	found f[8];
	const char *paths[] = { root, NULL };
	assert_int_equal(search(s, paths, &res), PRL_ERR_SUCCESS);
	assert_int_equal(read_found(res, f, 8), 2);
	PrlHandle_Free(res);
	assert_string_equal(f[0].name, "alpha");
	expect_path(f[0].path, "alpha.pvm");
	assert_string_equal(f[1].name, "beta");
	expect_path(f[1].path, "deeper/x/beta.pvm");
	for (int i = 0; i < 2; i++) {
		assert_int_equal(f[i].os_version, 2317);
		assert_int_equal(f[i].is_old, PRL_FALSE);
	}
	assert_int_equal(f[0].is_template, PRL_FALSE);
	assert_int_equal(f[1].is_template, PRL_TRUE);      /* beta's config says so */
	logoff(s);
}

static void test_bad_requests(void **state)
{
	(void)state;
	PRL_HANDLE s = login(), res;
	char missing[PATH_MAX + 16];
	snprintf(missing, sizeof(missing), "%s/no-such-dir", root);
	const char *miss[] = { missing, NULL }, *rel[] = { "relative/dir", NULL };
	const char *none[] = { NULL };
	assert_int_equal(search(s, miss, &res), PRL_ERR_SUCCESS);
	PRL_UINT32 n = 99;
	PrlResult_GetParamsCount(res, &n);
	assert_int_equal(n, 0);
	PrlHandle_Free(res);
	assert_int_equal(search(s, rel, &res), PRL_ERR_INVALID_ARG);
	assert_int_equal(search(s, none, &res), PRL_ERR_INVALID_ARG);
	assert_int_equal(test_job(PrlSrv_StartSearchVms(s, PRL_INVALID_HANDLE), &res),
			 PRL_ERR_INVALID_ARG);
	assert_int_equal(test_job(PrlSrv_StartSearchVms(s, s), &res), PRL_ERR_INVALID_ARG);
	logoff(s);
}

/* In a child as `nobody`: 0 when the search shows exactly beta. */
static int as_nobody(const char *dir)
{
	struct passwd *pw = getpwnam("nobody");
	if (!pw || setgid(pw->pw_gid) || setuid(pw->pw_uid))
		return 10;
	if (PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0))
		return 11;
	PRL_HANDLE s, res, l, f;
	PrlSrv_Create(&s);
	int rc = test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), &res) ? 12 : 0;
	PrlHandle_Free(res);
	PrlApi_CreateStringsList(&l);
	PrlStrList_AddItem(l, dir);
	PRL_UINT32 n = 0, len = 64;
	char name[64] = "";
	if (!rc && test_job(PrlSrv_StartSearchVms(s, l), &res) == PRL_ERR_SUCCESS) {
		PrlResult_GetParamsCount(res, &n);
		if (PrlResult_GetParamByIndex(res, 0, &f) == PRL_ERR_SUCCESS) {
			PrlFoundVmInfo_GetName(f, name, &len);
			PrlHandle_Free(f);
		}
		PrlHandle_Free(res);
		rc = n == 1 && !strcmp(name, "beta") ? 0 : 13;
	} else if (!rc) {
		rc = 14;
	}
	PrlHandle_Free(l);
	PRL_HANDLE j = PrlSrv_Logoff(s);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	PrlHandle_Free(s);
	PrlApi_Deinit();
	return rc;
}

static void test_other_user(void **state)
{
	(void)state;
	struct passwd *pw = getpwnam("nobody");
	char beta[PATH_MAX + 64];
	if (geteuid() != 0 || !pw)
		skip();
	snprintf(beta, sizeof(beta), "%s/deeper/x/beta.pvm", root);
	assert_int_equal(chown(beta, pw->pw_uid, pw->pw_gid), 0);
	/* A fresh process (fork + exec), not a fork of this multithreaded one. */
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "test_search", "--as-nobody", root, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Registers bundle rel and checks the VM got the fixture's UUID. */
static void register_found(PRL_HANDLE s, const char *rel, const char *uuid)
{
	char dir[PATH_MAX + 64], got[64];
	PRL_HANDLE res, vm;
	PRL_UINT32 len = sizeof(got);
	snprintf(dir, sizeof(dir), "%s/%s", root, rel);
	assert_int_equal(test_job(PrlSrv_RegisterVm(s, dir, PRL_TRUE), &res),
			 PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &vm), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_GetUuid(vm, got, &len), PRL_ERR_SUCCESS);
	assert_string_equal(got, uuid);
	PrlHandle_Free(vm);
	PrlHandle_Free(res);
}

static void test_register_then_search(void **state)
{
	(void)state;
	PRL_HANDLE s = login(), res;
	found f[8];
	const char *paths[] = { root, root, NULL };      /* twice: reported once */
	register_found(s, "alpha.pvm", UUID_ALPHA);
	assert_int_equal(search(s, paths, &res), PRL_ERR_SUCCESS);
	assert_int_equal(read_found(res, f, 8), 1);
	PrlHandle_Free(res);
	assert_string_equal(f[0].name, "beta");
	expect_path(f[0].path, "deeper/x/beta.pvm");
	logoff(s);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--as-nobody"))
		return as_nobody(argv[2]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_unregistered),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_other_user),
		cmocka_unit_test(test_register_then_search),
	};
	return cmocka_run_group_tests_name("search VMs", tests, setup, teardown);
}
