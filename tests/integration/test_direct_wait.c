/*
 * test_direct_wait.c — PrlJob_Wait while the caller reads the socket itself
 * (src/lib/conn.c, "direct waiting"), against a real dispatcher that the
 * test freezes (SIGSTOP) so that replies come exactly when it says:
 *
 *  - a wait that times out, then a second wait on the same job that gets it;
 *  - two threads waiting at once on one connection (one reads, the other
 *    sleeps on the job): both jobs finish, whoever read the replies;
 *  - a handler-registered event arriving while a thread waits directly
 *    still reaches the handler (the waiter hands it over);
 *  - a handler that itself waits for a job (on the notification thread)
 *    while the main thread keeps round trips going;
 *  - the dispatcher killed while a thread waits directly: the wait ends
 *    with PRL_ERR_WS_DISP_CONNECTION_CLOSED promptly, and the server
 *    handle is usable for a new login afterwards;
 *  - thousands of back-to-back round trips with busy polling on and off
 *    (PRL_SDK_BUSY_POLL_US), from one thread and from two at once on one
 *    connection, each answered exactly once and none waiting for a wake-up
 *    that was lost (a waiter whose reply another thread read is kicked);
 *  - after a loop of waits by a program without handlers (the socket is
 *    then parked: nobody but the waiter reads it), a job nobody waits for
 *    still finishes within a few milliseconds, and a handler registered
 *    then gets events while no thread waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

static test_disp disp;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static PRL_RESULT ret_code(PRL_HANDLE job)
{
	PRL_RESULT rc = PRL_ERR_UNINITIALIZED;
	assert_int_equal(PrlJob_GetRetCode(job, &rc), PRL_ERR_SUCCESS);
	return rc;
}

static void test_timeout_then_reply(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	assert_int_equal(kill(disp.pid, SIGSTOP), 0);
	PRL_HANDLE job = PrlSrv_GetSrvConfig(s);
	double t0 = now_ms();
	assert_int_equal(PrlJob_Wait(job, 200), PRL_ERR_TIMEOUT);
	double took = now_ms() - t0;
	assert_true(took >= 190 && took < 5000);
	assert_int_equal(kill(disp.pid, SIGCONT), 0);
	assert_int_equal(PrlJob_Wait(job, 10000), PRL_ERR_SUCCESS);
	assert_int_equal(ret_code(job), PRL_ERR_SUCCESS);
	PRL_HANDLE res, cfg;
	assert_int_equal(PrlJob_GetResult(job, &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &cfg), PRL_ERR_SUCCESS);
	PRL_UINT32 cpus = 0;
	assert_int_equal(PrlSrvCfg_GetCpuCount(cfg, &cpus), PRL_ERR_SUCCESS);
	assert_true(cpus > 0);
	PrlHandle_Free(cfg);
	PrlHandle_Free(res);
	PrlHandle_Free(job);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

typedef struct waiter {
	PRL_HANDLE job;
	PRL_RESULT wait_rc, job_rc;
} waiter;

static void *wait_thread(void *arg)
{
	waiter *w = arg;
	w->wait_rc = PrlJob_Wait(w->job, 20000);
	if (w->wait_rc == PRL_ERR_SUCCESS)
		PrlJob_GetRetCode(w->job, &w->job_rc);
	return NULL;
}

static void test_two_waiters(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	for (int round = 0; round < 20; round++) {
		/* Frozen: both threads are surely waiting when the replies come. */
		assert_int_equal(kill(disp.pid, SIGSTOP), 0);
		waiter w[2] = { { PrlSrv_GetVmList(s), 0, 0 }, { PrlSrv_GetSrvConfig(s), 0, 0 } };
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&t[i], NULL, wait_thread, &w[i]), 0);
		usleep(20000);
		assert_int_equal(kill(disp.pid, SIGCONT), 0);
		for (int i = 0; i < 2; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(w[i].wait_rc, PRL_ERR_SUCCESS);
			assert_int_equal(w[i].job_rc, PRL_ERR_SUCCESS);
			PrlHandle_Free(w[i].job);
		}
	}
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

typedef struct counter {
	pthread_mutex_t mu;
	int stats;
} counter;

static int is_stats_event(PRL_HANDLE h)
{
	PRL_HANDLE_TYPE t;
	PRL_EVENT_TYPE et;
	return PrlHandle_GetType(h, &t) == PRL_ERR_SUCCESS && t == PHT_EVENT &&
	       PrlEvent_GetType(h, &et) == PRL_ERR_SUCCESS &&
	       et == PET_DSP_EVT_HOST_STATISTICS_UPDATED;
}

static PRL_RESULT count_stats(PRL_HANDLE h, PRL_VOID_PTR data)
{
	counter *c = data;
	if (is_stats_event(h)) {
		pthread_mutex_lock(&c->mu);
		c->stats++;
		pthread_mutex_unlock(&c->mu);
	}
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static void test_events_while_waiting(void **state)
{
	(void)state;
	counter c = { PTHREAD_MUTEX_INITIALIZER, 0 };
	PRL_HANDLE s = it_login_local();
	assert_int_equal(PrlSrv_RegEventHandler(s, count_stats, &c), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlSrv_SubscribeToHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	/* For ~2.5 s this thread is always in PrlJob_Wait, so the statistics
	 * (one a second) arrive while it reads the socket itself. */
	double end = now_ms() + 2500;
	int trips = 0;
	while (now_ms() < end) {
		assert_int_equal(test_job(PrlSrv_GetVmList(s), NULL), PRL_ERR_SUCCESS);
		trips++;
	}
	assert_int_equal(test_job(PrlSrv_UnsubscribeFromHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	pthread_mutex_lock(&c.mu);
	int got = c.stats;
	pthread_mutex_unlock(&c.mu);
	assert_true(trips > 10);
	assert_true(got >= 2);
	assert_int_equal(PrlSrv_UnregEventHandler(s, count_stats, &c), PRL_ERR_SUCCESS);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

/* A job polled, never waited for, after many waited ones: what unparks the
 * socket must read its reply; so must events after a handler comes. */
static void test_parked_then_unwaited(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	for (int i = 0; i < 500; i++)
		assert_int_equal(test_job(PrlSrv_GetVmList(s), NULL), PRL_ERR_SUCCESS);
	PRL_HANDLE job = PrlSrv_GetSrvConfig(s);
	double t0 = now_ms();
	PRL_JOB_STATUS st = PJS_RUNNING;
	while (st != PJS_FINISHED && now_ms() - t0 < 5000) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
		assert_int_equal(PrlJob_GetStatus(job, &st), PRL_ERR_SUCCESS);
	}
	double took = now_ms() - t0;
	assert_int_equal(st, PJS_FINISHED);
	assert_true(took < 1000);       /* a few ms: the reader looks every 2 ms */
	assert_int_equal(ret_code(job), PRL_ERR_SUCCESS);
	PrlHandle_Free(job);
	for (int i = 0; i < 500; i++)
		assert_int_equal(test_job(PrlSrv_GetVmList(s), NULL), PRL_ERR_SUCCESS);
	counter c = { PTHREAD_MUTEX_INITIALIZER, 0 };
	assert_int_equal(PrlSrv_RegEventHandler(s, count_stats, &c), PRL_ERR_SUCCESS);
	PRL_HANDLE sub = PrlSrv_SubscribeToHostStatistics(s);
	t0 = now_ms();
	int got = 0;
	while (!got && now_ms() - t0 < 5000) {
		struct timespec ms = { 0, 10000000 };
		nanosleep(&ms, NULL);
		pthread_mutex_lock(&c.mu);
		got = c.stats;
		pthread_mutex_unlock(&c.mu);
	}
	assert_true(got >= 1);
	assert_int_equal(test_job(sub, NULL), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlSrv_UnsubscribeFromHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(PrlSrv_UnregEventHandler(s, count_stats, &c), PRL_ERR_SUCCESS);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

/* A job finished by the reader thread (nobody waits on it: the caller
 * polls its status), freed the moment it is seen finished: the handle
 * count that follows is exact at once.  The reader lets go of its own
 * reference just after the job is marked finished; PrlDbg_GetHandlesNum
 * waits for that instead of counting the job. */
static void test_count_exact_after_reader_finish(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	PRL_UINT32 base = 0, n = 0;
	assert_int_equal(PrlDbg_GetHandlesNum(&base, PHT_ERROR), PRL_ERR_SUCCESS);
	int off = 0;
	for (int i = 0; i < 2000; i++) {
		PRL_HANDLE job = PrlSrv_GetVmList(s);
		PRL_JOB_STATUS st = PJS_RUNNING;
		double t0 = now_ms();
		while (st != PJS_FINISHED && now_ms() - t0 < 5000)
			assert_int_equal(PrlJob_GetStatus(job, &st), PRL_ERR_SUCCESS);
		assert_int_equal(st, PJS_FINISHED);
		PrlHandle_Free(job);
		assert_int_equal(PrlDbg_GetHandlesNum(&n, PHT_ERROR), PRL_ERR_SUCCESS);
		off += n != base;
	}
	assert_int_equal(off, 0);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

/* A handler that waits for a job of its own: it runs on the notification
 * thread, which then reads the socket itself while the events it would
 * deliver next queue up behind it. */
typedef struct nested {
	PRL_HANDLE srv;
	pthread_mutex_t mu;
	int calls, ok;
} nested;

static PRL_RESULT wait_in_handler(PRL_HANDLE h, PRL_VOID_PTR data)
{
	nested *n = data;
	if (is_stats_event(h)) {
		PRL_HANDLE job = PrlSrv_GetVmList(n->srv);
		PRL_RESULT rc = PRL_ERR_UNINITIALIZED;
		int good = PrlJob_Wait(job, 10000) == PRL_ERR_SUCCESS &&
			   PrlJob_GetRetCode(job, &rc) == PRL_ERR_SUCCESS && rc == PRL_ERR_SUCCESS;
		PrlHandle_Free(job);
		pthread_mutex_lock(&n->mu);
		n->calls++;
		n->ok += good;
		pthread_mutex_unlock(&n->mu);
	}
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static void test_wait_inside_handler(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	nested n = { s, PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	assert_int_equal(PrlSrv_RegEventHandler(s, wait_in_handler, &n), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlSrv_SubscribeToHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	/* Meanwhile this thread keeps a round trip of its own going. */
	double end = now_ms() + 2500;
	while (now_ms() < end)
		assert_int_equal(test_job(PrlSrv_GetSrvConfig(s), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlSrv_UnsubscribeFromHostStatistics(s), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(PrlSrv_UnregEventHandler(s, wait_in_handler, &n), PRL_ERR_SUCCESS);
	pthread_mutex_lock(&n.mu);
	int calls = n.calls, ok = n.ok;
	pthread_mutex_unlock(&n.mu);
	assert_true(calls >= 2);
	assert_int_equal(ok, calls);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

static void round_trips(int n)
{
	PRL_HANDLE s = it_login_local();
	for (int i = 0; i < n; i++) {
		PRL_HANDLE job = PrlSrv_GetVmList(s);
		assert_int_equal(PrlJob_Wait(job, 10000), PRL_ERR_SUCCESS);
		assert_int_equal(ret_code(job), PRL_ERR_SUCCESS);
		PrlHandle_Free(job);
	}
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

/* Two threads doing round trips on one connection at full speed: one of
 * them reads directly at any moment, the other's reply may come to either
 * (or to the reader thread).  Returns the longest single wait in ms, or -1
 * when a job did not succeed. */
typedef struct hammer {
	PRL_HANDLE srv;
	int n;
	double worst_ms;
	int failed;
} hammer;

static void *hammer_thread(void *arg)
{
	hammer *h = arg;
	for (int i = 0; i < h->n; i++) {
		double t0 = now_ms();
		PRL_HANDLE job = PrlSrv_GetVmList(h->srv);
		PRL_RESULT rc = PRL_ERR_UNINITIALIZED;
		if (PrlJob_Wait(job, 10000) != PRL_ERR_SUCCESS ||
		    PrlJob_GetRetCode(job, &rc) != PRL_ERR_SUCCESS || rc != PRL_ERR_SUCCESS)
			h->failed++;
		PrlHandle_Free(job);
		double took = now_ms() - t0;
		if (took > h->worst_ms)
			h->worst_ms = took;
	}
	return NULL;
}

static double two_threads(PRL_HANDLE s, int n)
{
	hammer h[2] = { { s, n, 0, 0 }, { s, n, 0, 0 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, hammer_thread, &h[i]))
			return -1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	if (h[0].failed || h[1].failed)
		return -1;
	return h[0].worst_ms > h[1].worst_ms ? h[0].worst_ms : h[1].worst_ms;
}

/* test_back_to_back's child: the same without polling; 0 when all went well. */
static int child_round_trips(int n)
{
	if (PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0))
		return 1;
	PRL_HANDLE s;
	int bad = PrlSrv_Create(&s) != PRL_ERR_SUCCESS ||
		  test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), NULL) != PRL_ERR_SUCCESS;
	for (int i = 0; !bad && i < n; i++) {
		PRL_HANDLE job = PrlSrv_GetVmList(s);
		PRL_RESULT rc = PRL_ERR_UNINITIALIZED;
		bad = PrlJob_Wait(job, 10000) != PRL_ERR_SUCCESS ||
		      PrlJob_GetRetCode(job, &rc) != PRL_ERR_SUCCESS || rc != PRL_ERR_SUCCESS;
		PrlHandle_Free(job);
	}
	double worst = bad ? -1 : two_threads(s, n);
	if (worst < 0 || worst > 2000) {
		fprintf(stderr, "two threads without polling: worst wait %.0f ms\n", worst);
		bad = 1;
	}
	if (!bad)
		bad = test_job(PrlSrv_Logoff(s), NULL) != PRL_ERR_SUCCESS;
	PrlHandle_Free(s);
	PrlApi_Deinit();
	if (bad)
		fprintf(stderr, "round trips without polling failed\n");
	return bad;
}

static void test_back_to_back(void **state)
{
	(void)state;
	/* The library reads PRL_SDK_BUSY_POLL_US once per process: this binary
	 * runs with the default (polling); the child runs without. */
	round_trips(3000);
	/* A lost wake-up would leave a waiter asleep until its 10 s timeout. */
	PRL_HANDLE s = it_login_local();
	double worst = two_threads(s, 3000);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
	assert_true(worst >= 0);
	assert_true(worst < 2000);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("PRL_SDK_BUSY_POLL_US", "0", 1);
		execl("/proc/self/exe", "test_direct_wait", "--no-poll", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_killed_while_waiting(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local();
	assert_int_equal(kill(disp.pid, SIGSTOP), 0);
	PRL_HANDLE job = PrlSrv_GetVmList(s);
	waiter w = { job, 0, 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
	usleep(50000);
	double t0 = now_ms();
	test_disp_stop(&disp, SIGKILL);
	pthread_join(t, NULL);
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(w.wait_rc, PRL_ERR_SUCCESS);
	assert_int_equal(w.job_rc, PRL_ERR_WS_DISP_CONNECTION_CLOSED);
	PrlHandle_Free(job);
	/* The same server handle logs in again once a dispatcher is back. */
	assert_int_equal(test_disp_restart(&disp), 0);
	assert_int_equal(test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), NULL),
			 PRL_ERR_SUCCESS);
	assert_int_equal(test_job(PrlSrv_GetVmList(s), NULL), PRL_ERR_SUCCESS);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

IT_DISPATCHER_FIXTURES(disp, 1)

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--no-poll"))
		return child_round_trips(3000);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_then_reply),
		cmocka_unit_test(test_two_waiters),
		cmocka_unit_test(test_events_while_waiting),
		cmocka_unit_test(test_wait_inside_handler),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_parked_then_unwaited),
		cmocka_unit_test(test_count_exact_after_reader_finish),
		cmocka_unit_test(test_killed_while_waiting),
	};
	return cmocka_run_group_tests_name("direct_wait", tests, setup, teardown);
}
