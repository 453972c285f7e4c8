/*
 * test_session.c — libprl_sdk against a real prl_disp_service on a private
 * socket and a loopback port: local and TCP login (and their failures),
 * host configuration and statistics, the statistics subscription delivered
 * to a handler, the VM list, cancellation, the connection dropping under
 * pending jobs, dispatcher shutdown, and no handle left behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "SdkWrap.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;

/* ---- helpers ----------------------------------------------------------------- */

static PRL_RESULT login_tcp(PRL_HANDLE s, const char *pw, PRL_SECURITY_LEVEL lvl, int port)
{
	char host[64];
	snprintf(host, sizeof(host), "127.0.0.1#%d", port);
	return test_job(PrlSrv_LoginEx(s, host, TEST_USER, pw, NULL, 0, 5000, lvl, 0), NULL);
}

/* A handler that records events and jobs for the test thread. */
typedef struct recorder {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stats, closed, shutdown, jobs;
	int order_ok;                 /* CONNECTION_CLOSED before the failed jobs */
	PRL_RESULT last_job_rc;
	PRL_HANDLE_TYPE stat_type;
	PRL_UINT64 stat_ram;
} recorder;

static void rec_init(recorder *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->order_ok = 1;
}

static void on_event(recorder *r, PRL_HANDLE h)
{
	PRL_EVENT_TYPE t;
	PrlEvent_GetType(h, &t);
	if (t == PET_DSP_EVT_HOST_STATISTICS_UPDATED) {
		PRL_HANDLE p, st;
		if (PrlEvent_GetParamByName(h, "statistics", &p) == PRL_ERR_SUCCESS) {
			if (PrlEvtPrm_ToHandle(p, &st) == PRL_ERR_SUCCESS) {
				PrlHandle_GetType(st, &r->stat_type);
				PrlStat_GetTotalRamSize(st, &r->stat_ram);
				PrlHandle_Free(st);
			}
			PrlHandle_Free(p);
		}
		r->stats++;
	} else if (t == PET_DSP_EVT_DISP_CONNECTION_CLOSED) {
		r->closed++;
	} else if (t == PET_DSP_EVT_DISP_SHUTDOWN) {
		r->shutdown++;
	}
}

static PRL_RESULT recorder_cb(PRL_HANDLE h, PRL_VOID_PTR data)
{
	recorder *r = data;
	PRL_HANDLE_TYPE ht;
	PrlHandle_GetType(h, &ht);
	pthread_mutex_lock(&r->mu);
	if (ht == PHT_EVENT) {
		on_event(r, h);
	} else if (ht == PHT_JOB) {
		PrlJob_GetRetCode(h, &r->last_job_rc);
		if (r->last_job_rc == PRL_ERR_WS_DISP_CONNECTION_CLOSED && !r->closed)
			r->order_ok = 0;
		r->jobs++;
	}
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static int rec_wait(recorder *r, int *field, int want, int ms)
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

IT_DISPATCHER_FIXTURES(disp, 1)

/* ---- tests -------------------------------------------------------------------- */

static void test_login_local(void **state)
{
	(void)state;
	PRL_HANDLE s, res, lr, info;
	assert_int_equal(PrlSrv_Create(&s), PRL_ERR_SUCCESS);
	PRL_BOOL up = 1, local = 1;
	assert_int_equal(PrlSrv_IsConnected(s, &up, &local), PRL_ERR_SUCCESS);
	assert_false(up);
	assert_int_equal(test_job(PrlSrv_GetVmList(s), NULL), PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), &res),
			 PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &lr), PRL_ERR_SUCCESS);
	PRL_HANDLE_TYPE t;
	PrlHandle_GetType(lr, &t);
	assert_int_equal(t, PHT_LOGIN_RESPONSE);
	char sess[64], srv[64];
	PRL_UINT32 len = sizeof(sess);
	assert_int_equal(PrlLoginResponse_GetSessionUuid(lr, sess, &len), PRL_ERR_SUCCESS);
	assert_int_equal(strlen(sess), 38);
	assert_true(sess[0] == '{' && sess[37] == '}');
	len = sizeof(srv);
	assert_int_equal(PrlLoginResponse_GetServerUuid(lr, srv, &len), PRL_ERR_SUCCESS);
	assert_int_equal(strlen(srv), 38);
	PrlHandle_Free(lr);
	PrlHandle_Free(res);
	assert_int_equal(PrlSrv_IsConnected(s, &up, &local), PRL_ERR_SUCCESS);
	assert_true(up);
	assert_true(local);
	assert_int_equal(PrlSrv_GetServerInfo(s, &info), PRL_ERR_SUCCESS);
	char srv2[64];
	len = sizeof(srv2);
	assert_int_equal(PrlSrvInfo_GetServerUuid(info, srv2, &len), PRL_ERR_SUCCESS);
	assert_string_equal(srv, srv2);
	PrlHandle_Free(info);
	assert_int_equal(test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_LOW_SECURITY), NULL),
			 PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void test_login_tcp(void **state)
{
	(void)state;
	PRL_HANDLE s;
	PrlSrv_Create(&s);
	assert_int_equal(login_tcp(s, "wrong", PSL_LOW_SECURITY, disp.port),
			 PRL_ERR_AUTHENTICATION_FAILED);
	assert_int_equal(login_tcp(s, TEST_PASSWORD, PSL_NORMAL_SECURITY, disp.port),
			 PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL);
	assert_int_equal(login_tcp(s, TEST_PASSWORD, PSL_HIGH_SECURITY, disp.port),
			 PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL);
	assert_int_equal(login_tcp(s, TEST_PASSWORD, PSL_LOW_SECURITY, disp.port), PRL_ERR_SUCCESS);
	PRL_BOOL up, local;
	PrlSrv_IsConnected(s, &up, &local);
	assert_true(up);
	assert_false(local);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void test_nobody_listening(void **state)
{
	(void)state;
	PRL_HANDLE s;
	PrlSrv_Create(&s);
	time_t t0 = time(NULL);
	assert_int_equal(login_tcp(s, TEST_PASSWORD, PSL_LOW_SECURITY, test_free_port()),
			 PRL_ERR_CANT_CONNECT_TO_DISPATCHER);
	assert_true(time(NULL) - t0 <= 6);
	PrlHandle_Free(s);
}

static void test_host_config(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local(), res, cfg;
	assert_int_equal(test_job(PrlSrv_GetSrvConfig(s), &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &cfg), PRL_ERR_SUCCESS);
	PRL_UINT32 ram = 0, cpus = 0;
	assert_int_equal(PrlSrvCfg_GetHostRamSize(cfg, &ram), PRL_ERR_SUCCESS);
	assert_int_equal(PrlSrvCfg_GetCpuCount(cfg, &cpus), PRL_ERR_SUCCESS);
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	PRL_UINT32 want = (PRL_UINT32)((unsigned long long)pages * (unsigned long long)psz >> 20);
	assert_in_range(ram, want - want / 50, want + want / 50);
	assert_int_equal(cpus, (PRL_UINT32)sysconf(_SC_NPROCESSORS_ONLN));
	char host[256], mine[256] = "";
	PRL_UINT32 len = sizeof(host);
	assert_int_equal(PrlSrvCfg_GetHostname(cfg, host, &len), PRL_ERR_SUCCESS);
	gethostname(mine, sizeof(mine));
	assert_string_equal(host, mine);
	PRL_HOST_OS_TYPE ost;
	assert_int_equal(PrlSrvCfg_GetHostOsType(cfg, &ost), PRL_ERR_SUCCESS);
	assert_int_equal(ost, PHO_LIN);
	PrlHandle_Free(cfg);
	PrlHandle_Free(res);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void test_statistics(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local(), res, st;
	assert_int_equal(test_job(PrlSrv_GetStatistics(s), &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &st), PRL_ERR_SUCCESS);
	PRL_UINT32 cpus = 0, procs = 0;
	PRL_UINT64 total = 0;
	PrlStat_GetCpusStatsCount(st, &cpus);
	PrlStat_GetProcsStatsCount(st, &procs);
	PrlStat_GetTotalRamSize(st, &total);
	assert_int_equal(cpus, (PRL_UINT32)sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(procs > 1);
	assert_true(total > (1ull << 26));
	PrlHandle_Free(st);
	PrlHandle_Free(res);

	recorder r;
	rec_init(&r);
	PrlSrv_RegEventHandler(s, recorder_cb, &r);
	assert_int_equal(test_job(PrlSrv_SubscribeToHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	assert_true(rec_wait(&r, &r.stats, 2, 4000) >= 2);
	assert_int_equal(r.stat_type, PHT_SYSTEM_STATISTICS);
	assert_int_equal(r.stat_ram, total);
	assert_int_equal(test_job(PrlSrv_UnsubscribeFromHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	pthread_mutex_lock(&r.mu);
	int before = r.stats;
	pthread_mutex_unlock(&r.mu);
	/* No more updates: wait for something that must not come. */
	assert_true(rec_wait(&r, &r.stats, before + 2, 2500) < before + 2);
	PrlSrv_UnregEventHandler(s, recorder_cb, &r);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void test_vm_list_empty(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local(), res;
	assert_int_equal(test_job(PrlSrv_GetVmListEx(s, 0), &res), PRL_ERR_SUCCESS);
	PRL_UINT32 n = 99;
	assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 0);
	PrlHandle_Free(res);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void test_common_prefs(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local(), res, cfg;
	assert_int_equal(test_job(PrlSrv_GetCommonPrefs(s), &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &cfg), PRL_ERR_SUCCESS);
	PRL_HANDLE_TYPE t;
	PrlHandle_GetType(cfg, &t);
	assert_int_equal(t, PHT_DISP_CONFIG);
	char dir[512], want[512];
	PRL_UINT32 len = sizeof(dir);
	assert_int_equal(PrlDispCfg_GetDefaultVmDir(cfg, dir, &len), PRL_ERR_SUCCESS);
	snprintf(want, sizeof(want), "%s/vms", disp.state_dir);
	char real[512];
	assert_non_null(realpath(want, real));
	assert_true(!strcmp(dir, want) || !strcmp(dir, real));
	PRL_SECURITY_LEVEL lvl = PSL_HIGH_SECURITY;
	assert_int_equal(PrlDispCfg_GetMinSecurityLevel(cfg, &lvl), PRL_ERR_SUCCESS);
	assert_int_equal(lvl, PSL_LOW_SECURITY);
	assert_int_equal(PrlDispCfg_GetMinSecurityLevel(cfg, NULL), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(cfg);
	PrlHandle_Free(res);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void test_questions_and_remote_shutdown(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local(), q;
	PRL_UINT32 n = 99;
	assert_int_equal(PrlSrv_GetQuestions(s, &q), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHndlList_GetItemsCount(q, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 0);
	PrlHandle_Free(q);
	recorder r;
	rec_init(&r);
	PrlSrv_RegEventHandler(s, recorder_cb, &r);
	/* This test runs as root: the dispatcher accepts the stop request. */
	assert_int_equal(test_job(PrlSrv_Shutdown(s, PRL_FALSE), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(rec_wait(&r, &r.shutdown, 1, 5000), 1);
	int st = test_disp_stop(&disp, 0);            /* it exits by itself */
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	PrlSrv_UnregEventHandler(s, recorder_cb, &r);
	PrlHandle_Free(s);
	assert_int_equal(test_disp_restart(&disp), 0);
}

static void test_cancel_finished(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	PRL_HANDLE j = PrlSrv_GetStatistics(s);
	PrlJob_Wait(j, 10000);
	PRL_HANDLE c = PrlJob_Cancel(j);
	PRL_RESULT rc = 1;
	PrlJob_Wait(c, 10000);
	PrlJob_GetRetCode(c, &rc);
	assert_int_equal(rc, PRL_ERR_SUCCESS);
	PRL_JOB_OPERATION_CODE op;
	PrlJob_GetOpCode(c, &op);
	assert_int_equal(op, PJOC_JOB_CANCEL);
	PrlHandle_Free(c);
	PrlHandle_Free(j);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

/* The dispatcher dies with requests in flight: first the CLOSED event, then
 * every pending job ends with PRL_ERR_WS_DISP_CONNECTION_CLOSED. */
static void test_connection_drop(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	recorder r;
	rec_init(&r);
	PrlSrv_RegEventHandler(s, recorder_cb, &r);
	test_disp_stop(&disp, SIGSTOP);
	PRL_HANDLE j1 = PrlSrv_GetSrvConfig(s), j2 = PrlSrv_GetStatistics(s);
	assert_int_equal(PrlJob_Wait(j1, 200), PRL_ERR_TIMEOUT);
	kill(disp.pid, SIGKILL);
	test_disp_stop(&disp, SIGCONT);
	PRL_RESULT rc1 = 0, rc2 = 0;
	assert_int_equal(PrlJob_Wait(j1, 5000), PRL_ERR_SUCCESS);
	assert_int_equal(PrlJob_Wait(j2, 5000), PRL_ERR_SUCCESS);
	PrlJob_GetRetCode(j1, &rc1);
	PrlJob_GetRetCode(j2, &rc2);
	assert_int_equal(rc1, PRL_ERR_WS_DISP_CONNECTION_CLOSED);
	assert_int_equal(rc2, PRL_ERR_WS_DISP_CONNECTION_CLOSED);
	assert_int_equal(rec_wait(&r, &r.jobs, 2, 5000), 2);
	assert_int_equal(r.closed, 1);
	assert_true(r.order_ok);
	PrlHandle_Free(j1);
	PrlHandle_Free(j2);
	PRL_BOOL up = 1;
	PrlSrv_IsConnected(s, &up, NULL);
	assert_false(up);
	assert_int_equal(test_job(PrlSrv_GetVmList(s), NULL), PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	PrlSrv_UnregEventHandler(s, recorder_cb, &r);
	PrlHandle_Free(s);
	assert_int_equal(test_disp_restart(&disp), 0);
}

static void test_shutdown_event(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	recorder r;
	rec_init(&r);
	PrlSrv_RegEventHandler(s, recorder_cb, &r);
	int st = test_disp_stop(&disp, SIGTERM);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(rec_wait(&r, &r.shutdown, 1, 5000), 1);
	assert_int_equal(rec_wait(&r, &r.closed, 1, 5000), 1);
	PrlSrv_UnregEventHandler(s, recorder_cb, &r);
	PrlHandle_Free(s);
	assert_int_equal(test_disp_restart(&disp), 0);
}

/* PrlApi_Deinit with a session still open ends it promptly (run in a child:
 * the last Deinit tears the library down). */
static void test_deinit_while_logged_in(void **state)
{
	(void)state;
	pid_t pid = fork();
	if (pid == 0) {
		PRL_HANDLE s;
		PrlSrv_Create(&s);
		PRL_HANDLE j = PrlSrv_LoginLocal(s, NULL, 0, PSL_LOW_SECURITY);
		PRL_RESULT rc = 1;
		PrlJob_Wait(j, 10000);
		PrlJob_GetRetCode(j, &rc);
		PrlHandle_Free(j);
		PRL_HANDLE pending = PrlSrv_SubscribeToHostStatistics(s);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		PrlApi_Deinit();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		(void)pending;
		_exit(rc == PRL_ERR_SUCCESS && ms < 1000 ? 0 : 1);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_seed_examples(void **state)
{
	(void)state;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' 2 > '%s/seed.out' 2>&1", SEED_CALLBACK, disp.state_dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "grep -q 'host statistics #2' '%s/seed.out' && "
		 "grep -q 'handles alive before PrlApi_Deinit: 0' '%s/seed.out'",
		 disp.state_dir, disp.state_dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' > '%s/sync.out' 2>&1 && grep -q 'CPU count' '%s/sync.out'",
		 SEED_SYNC, disp.state_dir, disp.state_dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_local),
		cmocka_unit_test(test_login_tcp),
		cmocka_unit_test(test_nobody_listening),
		cmocka_unit_test(test_host_config),
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_vm_list_empty),
		cmocka_unit_test(test_common_prefs),
		cmocka_unit_test(test_cancel_finished),
		cmocka_unit_test(test_questions_and_remote_shutdown),
		cmocka_unit_test(test_connection_drop),
		cmocka_unit_test(test_shutdown_event),
		cmocka_unit_test(test_deinit_while_logged_in),
		cmocka_unit_test(test_seed_examples),
	};
	return cmocka_run_group_tests_name("session", tests, setup, teardown);
}
