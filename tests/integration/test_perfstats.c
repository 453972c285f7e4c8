/*
 * test_perfstats.c — VM statistics and performance counters through the
 * public API against a real dispatcher on test:///default: a VM created
 * with PrlSrv_CreateVm + PrlVmCfg_SetDefaultConfig + PrlVm_Reg and started;
 * PrlVm_GetStatistics; the guest statistics subscription reaching a per-VM
 * handler and stopping when unsubscribed; PrlVm_GetPerfStats and
 * PrlSrv_GetPerfStats with filters; both perf-counter subscriptions; the
 * stopped VM's refusal; the T31 example program.  Nothing may leak.
 *
 * "No event after unsubscribing" is proven without sleeping: after the
 * unsubscribe answer the same connection subscribes to host statistics;
 * the dispatcher sends in order and the library delivers in order, so once
 * two host-statistics events (over a second apart, so a whole tick) have
 * been handled, every guest event the dispatcher could still have sent has
 * been seen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

#define VM_NAME "perfvm"

static test_disp disp;
static PRL_HANDLE srv = PRL_INVALID_HANDLE, vm = PRL_INVALID_HANDLE;
static char vm_uuid[64], srv_uuid[64];

/* ---- helpers -------------------------------------------------------------- */

/* The job's first result parameter (a handle the caller frees). */
static PRL_HANDLE job_param(PRL_HANDLE job)
{
	PRL_HANDLE res, h = PRL_INVALID_HANDLE;
	assert_int_equal(test_job(job, &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &h), PRL_ERR_SUCCESS);
	PrlHandle_Free(res);
	return h;
}

static PRL_HANDLE_TYPE type_of(PRL_HANDLE h)
{
	PRL_HANDLE_TYPE t = PHT_ERROR;
	PrlHandle_GetType(h, &t);
	return t;
}

static void param_name(PRL_HANDLE p, char *buf, PRL_UINT32 size)
{
	assert_int_equal(PrlEvtPrm_GetName(p, buf, &size), PRL_ERR_SUCCESS);
}

static void issuer_of(PRL_HANDLE ev, char *buf, PRL_UINT32 size)
{
	assert_int_equal(PrlEvent_GetIssuerId(ev, buf, &size), PRL_ERR_SUCCESS);
}

/* Every parameter of ev has a name starting with one of the prefixes
 * ("" = any); returns how many parameters it has. */
static PRL_UINT32 check_names(PRL_HANDLE ev, const char *const *prefixes)
{
	PRL_UINT32 n = 0;
	assert_int_equal(PrlEvent_GetParamsCount(ev, &n), PRL_ERR_SUCCESS);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE p;
		char name[128];
		int ok = 0;
		assert_int_equal(PrlEvent_GetParam(ev, i, &p), PRL_ERR_SUCCESS);
		param_name(p, name, sizeof(name));
		for (const char *const *pre = prefixes; *pre; pre++)
			ok |= !strncmp(name, *pre, strlen(*pre));
		if (!ok)
			fail_msg("unexpected counter %s", name);
		PrlHandle_Free(p);
	}
	return n;
}

static PRL_UINT64 counter(PRL_HANDLE ev, const char *name, PRL_PARAM_FIELD_DATA_TYPE type)
{
	PRL_HANDLE p;
	PRL_UINT64 v = 0;
	PRL_PARAM_FIELD_DATA_TYPE t;
	if (PrlEvent_GetParamByName(ev, name, &p) != PRL_ERR_SUCCESS)
		fail_msg("no counter %s", name);
	assert_int_equal(PrlEvtPrm_GetType(p, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, type);
	assert_int_equal(PrlEvtPrm_ToUint64(p, &v), PRL_ERR_SUCCESS);
	PrlHandle_Free(p);
	return v;
}

/* ---- a handler that counts -------------------------------------------------- */

typedef struct recorder {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int guest, vm_perf, srv_perf_host, srv_perf_vm, host_stats, other_vm;
	int guest_ok;                   /* every guest event carried statistics */
	int guest_at_witness;           /* guest count at the first host event */
	char last_vm_perf[4096];        /* names of the last VM event's counters */
} recorder;

static recorder per_vm, whole;

static void rec_init(recorder *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->guest_ok = 1;
	r->guest_at_witness = -1;
}

static int guest_stats_ok(PRL_HANDLE ev)
{
	PRL_HANDLE p, st;
	PRL_UINT32 cpus = 0;
	PRL_UINT64 ram = 0;
	if (PrlEvent_GetParamByName(ev, "statistics", &p))
		return 0;
	int ok = PrlEvtPrm_ToHandle(p, &st) == PRL_ERR_SUCCESS;
	if (ok) {
		ok = type_of(st) == PHT_SYSTEM_STATISTICS &&
		     PrlStat_GetCpusStatsCount(st, &cpus) == 0 && cpus >= 1 &&
		     PrlStat_GetTotalRamSize(st, &ram) == 0 && ram > 0;
		PrlHandle_Free(st);
	}
	PrlHandle_Free(p);
	return ok;
}

static void names_of(PRL_HANDLE ev, char *out, size_t size)
{
	PRL_UINT32 n = 0;
	out[0] = '\0';
	PrlEvent_GetParamsCount(ev, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		PRL_HANDLE p;
		char name[128];
		PRL_UINT32 len = sizeof(name);
		PrlEvent_GetParam(ev, i, &p);
		PrlEvtPrm_GetName(p, name, &len);
		PrlHandle_Free(p);
		if (strlen(out) + strlen(name) + 2 < size) {
			strcat(out, name);
			strcat(out, " ");
		}
	}
}

static void on_event(recorder *r, PRL_HANDLE ev)
{
	PRL_EVENT_TYPE t;
	PRL_EVENT_ISSUER_TYPE it = PIE_UNKNOWN;
	char issuer[64];
	PrlEvent_GetType(ev, &t);
	PrlEvent_GetIssuerType(ev, &it);
	issuer_of(ev, issuer, sizeof(issuer));
	int mine = !strcmp(issuer, vm_uuid);
	if (t == PET_DSP_EVT_VM_STATISTICS_UPDATED && mine) {
		r->guest++;
		r->guest_ok &= guest_stats_ok(ev);
	} else if (t == PET_DSP_EVT_VM_PERFSTATS && mine) {
		r->vm_perf++;
		names_of(ev, r->last_vm_perf, sizeof(r->last_vm_perf));
	} else if (t == PET_DSP_EVT_PERFSTATS && it == PIE_DISPATCHER &&
		   !strcmp(issuer, srv_uuid)) {
		r->srv_perf_host++;
	} else if (t == PET_DSP_EVT_PERFSTATS && it == PIE_VIRTUAL_MACHINE && mine) {
		r->srv_perf_vm++;
	} else if (t == PET_DSP_EVT_HOST_STATISTICS_UPDATED) {
		if (r->host_stats++ == 0)
			r->guest_at_witness = r->guest;
	} else if (!mine && *issuer && t != PET_DSP_EVT_VM_STATE_CHANGED) {
		r->other_vm++;
	}
}

static PRL_RESULT rec_cb(PRL_HANDLE h, PRL_VOID_PTR data)
{
	recorder *r = data;
	pthread_mutex_lock(&r->mu);
	if (type_of(h) == PHT_EVENT)
		on_event(r, h);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

/* Waits (bounded by ms) until *field >= want; returns its value. */
static int rec_wait(recorder *r, const int *field, int want, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->mu);
	while (*field < want)
		if (pthread_cond_timedwait(&r->cv, &r->mu, &ts))
			break;
	int got = *field;
	pthread_mutex_unlock(&r->mu);
	return got;
}

static int rec_get(recorder *r, const int *field)
{
	pthread_mutex_lock(&r->mu);
	int v = *field;
	pthread_mutex_unlock(&r->mu);
	return v;
}

/* Proves that no guest event follows: see the top of the file.  Returns
 * the number of guest events that arrived after the first witness. */
static int guest_events_after_witness(void)
{
	assert_int_equal(test_job(PrlSrv_SubscribeToHostStatistics(srv), NULL),
			 PRL_ERR_SUCCESS);
	assert_int_equal(rec_wait(&whole, &whole.host_stats, 2, 6000), 2);
	assert_int_equal(test_job(PrlSrv_UnsubscribeFromHostStatistics(srv), NULL),
			 PRL_ERR_SUCCESS);
	pthread_mutex_lock(&whole.mu);
	int extra = whole.guest - whole.guest_at_witness;
	whole.host_stats = 0;
	whole.guest_at_witness = -1;
	pthread_mutex_unlock(&whole.mu);
	return extra;
}

/* ---- the VM --------------------------------------------------------------- */

static void create_vm(void)
{
	PRL_HANDLE cfg, res, srv_cfg;
	assert_int_equal(PrlSrv_CreateVm(srv, &vm), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlSrv_GetSrvConfig(srv), &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &srv_cfg), PRL_ERR_SUCCESS);
	PrlHandle_Free(res);
	assert_int_equal(PrlVm_GetConfig(vm, &cfg), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_SetDefaultConfig(cfg, srv_cfg, PVS_GUEST_VER_LIN_OTHER,
						   PRL_TRUE), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_SetName(cfg, VM_NAME), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_SetRamSize(cfg, 256), PRL_ERR_SUCCESS);
	PrlHandle_Free(cfg);
	PrlHandle_Free(srv_cfg);
	assert_int_equal(test_job(PrlVm_Reg(vm, "", PRL_TRUE), NULL), PRL_ERR_SUCCESS);
	/* The handlers read vm_uuid on the notification thread: publish it
	 * under their locks, never write it while they may be running. */
	char uuid[sizeof(vm_uuid)];
	PRL_UINT32 len = sizeof(uuid);
	assert_int_equal(PrlVmCfg_GetUuid(vm, uuid, &len), PRL_ERR_SUCCESS);
	pthread_mutex_lock(&whole.mu);
	pthread_mutex_lock(&per_vm.mu);
	memcpy(vm_uuid, uuid, sizeof(vm_uuid));
	pthread_mutex_unlock(&per_vm.mu);
	pthread_mutex_unlock(&whole.mu);
}

static int setup(void **state)
{
	(void)state;
	if (PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0) ||
	    test_disp_start(&disp, NULL))
		return -1;
	rec_init(&per_vm);
	rec_init(&whole);
	if (PrlSrv_Create(&srv) ||
	    test_job(PrlSrv_LoginLocal(srv, NULL, 0, PSL_HIGH_SECURITY), NULL))
		return -1;
	PRL_HANDLE info;
	PRL_UINT32 len = sizeof(srv_uuid);
	if (PrlSrv_GetServerInfo(srv, &info) ||
	    PrlSrvInfo_GetServerUuid(info, srv_uuid, &len))
		return -1;
	PrlHandle_Free(info);
	return PrlSrv_RegEventHandler(srv, rec_cb, &whole) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (vm != PRL_INVALID_HANDLE) {
		test_job(PrlVm_StopEx(vm, PSM_KILL, 0), NULL);
		test_job(PrlVm_Delete(vm, PRL_INVALID_HANDLE), NULL);
		PrlHandle_Free(vm);
	}
	PrlSrv_UnregEventHandler(srv, rec_cb, &whole);
	test_job(PrlSrv_Logoff(srv), NULL);
	PrlHandle_Free(srv);
	test_disp_cleanup(&disp);
	PRL_UINT32 n = 99;
	PrlDbg_GetHandlesNum(&n, PHT_ERROR);
	PrlApi_Deinit();
	if (n)
		fprintf(stderr, "%u handle(s) still alive\n", n);
	return n ? -1 : 0;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_start_vm(void **state)
{
	(void)state;
	create_vm();
	/* a stopped VM has no counters: the real dispatcher's refusal */
	assert_int_equal(test_job(PrlVm_GetPerfStats(vm, ""), NULL),
			 PRL_ERR_DISP_VM_IS_NOT_STARTED);
	assert_int_equal(test_job(PrlVm_StartEx(vm, PSM_VM_START, 0), NULL),
			 PRL_ERR_SUCCESS);
}

static void test_get_statistics(void **state)
{
	(void)state;
	PRL_HANDLE st = job_param(PrlVm_GetStatistics(vm)), cpu;
	assert_int_equal(type_of(st), PHT_SYSTEM_STATISTICS);
	PRL_UINT32 cpus = 0, usage = 999;
	assert_int_equal(PrlStat_GetCpusStatsCount(st, &cpus), PRL_ERR_SUCCESS);
	assert_true(cpus >= 1);
	assert_int_equal(PrlStat_GetCpuStat(st, 0, &cpu), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStatCpu_GetCpuUsage(cpu, &usage), PRL_ERR_SUCCESS);
	assert_true(usage <= 100);
	PRL_UINT64 total = 0;
	assert_int_equal(PrlStat_GetTotalRamSize(st, &total), PRL_ERR_SUCCESS);
	assert_int_equal(total, 256ull << 20);
	PrlHandle_Free(cpu);
	PrlHandle_Free(st);
}

static void test_guest_statistics_subscription(void **state)
{
	(void)state;
	assert_int_equal(PrlVm_RegEventHandler(vm, rec_cb, &per_vm), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlVm_SubscribeToGuestStatistics(vm), NULL),
			 PRL_ERR_SUCCESS);
	assert_true(rec_wait(&per_vm, &per_vm.guest, 2, 4000) >= 2);
	assert_true(rec_get(&per_vm, &per_vm.guest_ok));
	assert_int_equal(rec_get(&per_vm, &per_vm.other_vm), 0);
	assert_int_equal(test_job(PrlVm_UnsubscribeFromGuestStatistics(vm), NULL),
			 PRL_ERR_SUCCESS);
	assert_int_equal(guest_events_after_witness(), 0);
	assert_int_equal(PrlVm_UnregEventHandler(vm, rec_cb, &per_vm), PRL_ERR_SUCCESS);
}

static void test_get_perfstats_filter(void **state)
{
	(void)state;
	static const char *const cpu_only[] = { "guest.cpu.", NULL };
	PRL_HANDLE ev = job_param(PrlVm_GetPerfStats(vm, "guest.cpu.*"));
	assert_int_equal(type_of(ev), PHT_EVENT);
	PRL_EVENT_TYPE t;
	assert_int_equal(PrlEvent_GetType(ev, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PET_DSP_EVT_VM_PERFSTATS);
	char issuer[64];
	issuer_of(ev, issuer, sizeof(issuer));
	assert_string_equal(issuer, vm_uuid);
	assert_int_equal(check_names(ev, cpu_only), 2);
	assert_true(counter(ev, PRL_GUEST_CPU_USAGE_PTRN, PFD_UINT32) <= 100);
	counter(ev, PRL_GUEST_CPU_TIME_PTRN, PFD_UINT64);
	PrlHandle_Free(ev);

	/* everything: the default devices are named as the real SDK names them */
	static const char *const any[] = { "", NULL };
	ev = job_param(PrlVm_GetPerfStats(vm, NULL));
	assert_true(check_names(ev, any) > 10);
	assert_int_equal(counter(ev, PRL_GUEST_RAM_TOTAL_PTRN, PFD_UINT32), 256);
	counter(ev, "devices.sata0.read_total", PFD_UINT64);
	counter(ev, "net.nic0.bytes_in", PFD_UINT64);
	counter(ev, PRL_HOST_CPU_TIME_PTRN, PFD_UINT64);
	PrlHandle_Free(ev);

	/* one-shot of the whole server: the host first, then the VM */
	static const char *const host_only[] = { "host.", NULL };
	PRL_HANDLE res;
	assert_int_equal(test_job(PrlSrv_GetPerfStats(srv, "host.*"), &res),
			 PRL_ERR_SUCCESS);
	PRL_UINT32 n = 0;
	assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 2);
	assert_int_equal(PrlResult_GetParamByIndex(res, 0, &ev), PRL_ERR_SUCCESS);
	PRL_EVENT_ISSUER_TYPE it;
	assert_int_equal(PrlEvent_GetIssuerType(ev, &it), PRL_ERR_SUCCESS);
	assert_int_equal(it, PIE_DISPATCHER);
	issuer_of(ev, issuer, sizeof(issuer));
	assert_string_equal(issuer, srv_uuid);
	assert_true(check_names(ev, host_only) >= 4);
	assert_true(counter(ev, "host.ram.total", PFD_UINT64) > 0);
	PrlHandle_Free(ev);
	assert_int_equal(PrlResult_GetParamByIndex(res, 1, &ev), PRL_ERR_SUCCESS);
	issuer_of(ev, issuer, sizeof(issuer));
	assert_string_equal(issuer, vm_uuid);
	assert_int_equal(check_names(ev, host_only), 1);      /* host.cpu.time */
	PrlHandle_Free(ev);
	PrlHandle_Free(res);
}

static void test_vm_perfstats_subscription(void **state)
{
	(void)state;
	assert_int_equal(PrlVm_RegEventHandler(vm, rec_cb, &per_vm), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlVm_SubscribeToPerfStats(vm, "guest.ram.*,net.*"),
				    NULL), PRL_ERR_SUCCESS);
	assert_true(rec_wait(&per_vm, &per_vm.vm_perf, 1, 4000) >= 1);
	/* subscribing again replaces the filter */
	assert_int_equal(test_job(PrlVm_SubscribeToPerfStats(vm, "guest.cpu.usage"),
				    NULL), PRL_ERR_SUCCESS);
	int seen = rec_get(&per_vm, &per_vm.vm_perf);
	assert_true(rec_wait(&per_vm, &per_vm.vm_perf, seen + 2, 5000) >= seen + 2);
	pthread_mutex_lock(&per_vm.mu);
	assert_string_equal(per_vm.last_vm_perf, "guest.cpu.usage ");
	pthread_mutex_unlock(&per_vm.mu);
	assert_int_equal(test_job(PrlVm_UnsubscribeFromPerfStats(vm), NULL),
			 PRL_ERR_SUCCESS);
	assert_int_equal(PrlVm_UnregEventHandler(vm, rec_cb, &per_vm), PRL_ERR_SUCCESS);
}

static void test_srv_perfstats_subscription(void **state)
{
	(void)state;
	assert_int_equal(test_job(PrlSrv_SubscribeToPerfStats(srv, "host.*,guest.cpu.usage"),
				    NULL), PRL_ERR_SUCCESS);
	assert_true(rec_wait(&whole, &whole.srv_perf_host, 1, 4000) >= 1);
	assert_true(rec_wait(&whole, &whole.srv_perf_vm, 1, 4000) >= 1);
	assert_int_equal(test_job(PrlSrv_UnsubscribeFromPerfStats(srv), NULL),
			 PRL_ERR_SUCCESS);
}

/* guide task T31 as a program: the UUID line, then "\tname:\tvalue" lines */
static void test_t31_example(void **state)
{
	(void)state;
	char cmd[1024], line[512];
	snprintf(cmd, sizeof(cmd), "%s/guide/t31_perfstats -f 'guest.cpu.*,net.nic0.*' %s",
		 EXAMPLES_DIR, VM_NAME);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	int lines = 0, uuid_line = 0, usage = 0, others = 0;
	while (fgets(line, sizeof(line), p)) {
		if (lines++ == 0)
			uuid_line = !strncmp(line, vm_uuid, strlen(vm_uuid));
		else if (!strncmp(line, "\tguest.cpu.usage:\t", 18))
			usage++;
		else if (line[0] != '\t' || !strchr(line + 1, '\t'))
			others++;
	}
	int status = pclose(p);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(uuid_line);
	assert_int_equal(usage, 1);
	assert_int_equal(others, 0);
	assert_int_equal(lines, 1 + 2 + 4);
	/* the subscription variant prints one sample too */
	snprintf(cmd, sizeof(cmd), "%s/guide/t31_perfstats -s -f guest.ram.total %s",
		 EXAMPLES_DIR, VM_NAME);
	p = popen(cmd, "r");
	assert_non_null(p);
	lines = 0;
	while (fgets(line, sizeof(line), p))
		lines += !strcmp(line, "\tguest.ram.total:\t256\n");
	status = pclose(p);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(lines, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_vm),
		cmocka_unit_test(test_get_statistics),
		cmocka_unit_test(test_guest_statistics_subscription),
		cmocka_unit_test(test_get_perfstats_filter),
		cmocka_unit_test(test_vm_perfstats_subscription),
		cmocka_unit_test(test_srv_perfstats_subscription),
		cmocka_unit_test(test_t31_example),
	};
	return cmocka_run_group_tests_name("perfstats", tests, setup, teardown);
}
