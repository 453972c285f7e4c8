/*
 * test_commits.c — 100 clients, each with its own session and its own VM,
 * committing edits at full speed at the same time.  Every edit writes the
 * client's id and a counter into the VM's description and sets its RAM and
 * CPU count from the same counter; after the run every VM must hold exactly
 * its own client's last edit (nothing lost, nothing mixed up between VMs),
 * read back through a fresh session.  Prints the throughput (commits per
 * second over all clients): the figure issue 4 asks for.
 *
 * Clients: $PRL_COMMIT_CLIENTS (default 100); seconds: $PRL_COMMIT_SECONDS
 * (default 3).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;

typedef struct client {
	int id;
	PRL_HANDLE srv, vm;
	int commits;                     /* acknowledged */
	int failures;
	double seconds;
	char vm_name[32];
} client;

static _Atomic int stop_flag;

static PRL_RESULT wait_job(PRL_HANDLE j)
{
	PRL_RESULT rc = PRL_ERR_TIMEOUT;
	if (PrlJob_Wait(j, 60000) == PRL_ERR_SUCCESS)
		PrlJob_GetRetCode(j, &rc);
	PrlHandle_Free(j);
	return rc;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int prepare(client *c)
{
	PrlSrv_Create(&c->srv);
	if (wait_job(PrlSrv_LoginLocal(c->srv, NULL, 0, PSL_LOW_SECURITY)))
		return -1;
	snprintf(c->vm_name, sizeof(c->vm_name), "edit-vm-%03d", c->id);
	PrlSrv_CreateVm(c->srv, &c->vm);
	PrlVmCfg_SetName(c->vm, c->vm_name);
	PrlVmCfg_SetRamSize(c->vm, 256);
	return wait_job(PrlVm_Reg(c->vm, "", PRL_TRUE)) ? -1 : 0;
}

static PRL_RESULT edit(client *c, int k)
{
	char desc[64];
	PRL_RESULT rc = wait_job(PrlVm_BeginEdit(c->vm));
	if (rc)
		return rc;
	snprintf(desc, sizeof(desc), "client %d edit %d", c->id, k);
	PrlVmCfg_SetDescription(c->vm, desc);
	PrlVmCfg_SetRamSize(c->vm, 256 + (PRL_UINT32)(k % 64) * 4);
	PrlVmCfg_SetCpuCount(c->vm, 1 + (PRL_UINT32)(k % 4));
	return wait_job(PrlVm_Commit(c->vm));
}

static void *client_main(void *arg)
{
	client *c = arg;
	double t0 = now();
	for (int k = 1; !stop_flag; k++) {
		if (edit(c, k) == PRL_ERR_SUCCESS)
			c->commits = k;
		else {
			c->failures++;
			break;
		}
	}
	c->seconds = now() - t0;
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return test_env_up(&disp, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	return test_env_down(&disp, 0);
}

/* Reads every VM through a fresh session and checks it holds its client's
 * last acknowledged edit. */
static int verify(client *cs, int n)
{
	PRL_HANDLE s;
	PrlSrv_Create(&s);
	if (wait_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_LOW_SECURITY)))
		return -1;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		client *c = &cs[i];
		PRL_HANDLE j = PrlSrv_GetVmConfig(s, c->vm_name, 0), res, vm;
		PRL_RESULT rc = PRL_ERR_TIMEOUT;
		if (PrlJob_Wait(j, 30000) == PRL_ERR_SUCCESS)
			PrlJob_GetRetCode(j, &rc);
		if (rc || PrlJob_GetResult(j, &res) || PrlResult_GetParam(res, &vm)) {
			fprintf(stderr, "VM %s: not readable (0x%08X)\n", c->vm_name, (unsigned)rc);
			bad++;
			PrlHandle_Free(j);
			continue;
		}
		char desc[64] = "", want[64];
		PRL_UINT32 len = sizeof(desc), ram = 0, cpus = 0;
		PrlVmCfg_GetDescription(vm, desc, &len);
		PrlVmCfg_GetRamSize(vm, &ram);
		PrlVmCfg_GetCpuCount(vm, &cpus);
		snprintf(want, sizeof(want), "client %d edit %d", c->id, c->commits);
		if (strcmp(desc, want) || ram != 256 + (PRL_UINT32)(c->commits % 64) * 4 ||
		    cpus != 1 + (PRL_UINT32)(c->commits % 4)) {
			fprintf(stderr, "VM %s holds '%s' ram %u cpus %u; want '%s'\n",
				c->vm_name, desc, ram, cpus, want);
			bad++;
		}
		PrlHandle_Free(vm);
		PrlHandle_Free(res);
		PrlHandle_Free(j);
	}
	PRL_HANDLE j = PrlSrv_Logoff(s);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	PrlHandle_Free(s);
	return bad;
}

static void test_parallel_commits(void **state)
{
	(void)state;
	const char *e = getenv("PRL_COMMIT_CLIENTS");
	const char *secs = getenv("PRL_COMMIT_SECONDS");
	int n = e ? atoi(e) : 100;
	double run_for = secs ? atof(secs) : 3.0;
	client *cs = calloc((size_t)n, sizeof(*cs));
	pthread_t *ts = calloc((size_t)n, sizeof(*ts));
	for (int i = 0; i < n; i++) {
		cs[i].id = i;
		assert_int_equal(prepare(&cs[i]), 0);
	}
	double t0 = now();
	for (int i = 0; i < n; i++)
		pthread_create(&ts[i], NULL, client_main, &cs[i]);
	struct timespec d = { (time_t)run_for, (long)((run_for - (double)(time_t)run_for) * 1e9) };
	nanosleep(&d, NULL);
	stop_flag = 1;
	long total = 0;
	int failures = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(ts[i], NULL);
		total += cs[i].commits;
		failures += cs[i].failures;
	}
	double wall = now() - t0;
	printf("commits: %d clients, %ld commits in %.2f s = %.0f commits/s (%.1f per client per s)\n",
	       n, total, wall, (double)total / wall, (double)total / wall / n);
	assert_int_equal(failures, 0);
	assert_int_equal(verify(cs, n), 0);
	for (int i = 0; i < n; i++) {
		PrlHandle_Free(cs[i].vm);
		PRL_HANDLE j = PrlSrv_Logoff(cs[i].srv);
		PrlJob_Wait(j, 10000);
		PrlHandle_Free(j);
		PrlHandle_Free(cs[i].srv);
	}
	free(cs);
	free(ts);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_parallel_commits) };
	return cmocka_run_group_tests_name("parallel commits", tests, setup, teardown);
}
