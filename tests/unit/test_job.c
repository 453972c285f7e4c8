/*
 * test_job.c — jobs, results, events and their delivery to handlers,
 * driven directly through the library's internals (no server needed):
 * exactly-once finishing, PrlJob_Wait timeouts, results outliving jobs,
 * the notification thread, ordering, and handlers that unregister
 * themselves or wait on other jobs.  Waits are bounded condition waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "Parallels.h"
#include "core.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

/* Waits until *counter >= want, at most 5 s. */
static int wait_count(volatile int *counter, int want)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&mu);
	while (*counter < want)
		if (pthread_cond_timedwait(&cv, &mu, &ts))
			break;
	int ok = *counter >= want;
	pthread_mutex_unlock(&mu);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	return PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	PRL_UINT32 n = 99;
	/* Give the notification thread a moment to drop its last references. */
	for (int i = 0; i < 500; i++) {
		PrlDbg_GetHandlesNum(&n, PHT_ERROR);
		if (!n)
			break;
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
	}
	PrlApi_Deinit();
	return n == 0 ? 0 : -1;
}

static void test_wait_timeout_then_finish(void **state)
{
	(void)state;
	prl__job *j = prl__job_new(PJOC_SRV_GET_VM_LIST, NULL);
	PRL_HANDLE h = prl__job_handle(j);
	PRL_JOB_STATUS st;
	PRL_RESULT rc;
	PRL_HANDLE r;
	assert_int_equal(PrlJob_Wait(h, 20), PRL_ERR_TIMEOUT);
	assert_int_equal(PrlJob_GetStatus(h, &st), PRL_ERR_SUCCESS);
	assert_int_equal(st, PJS_RUNNING);
	assert_int_equal(PrlJob_GetRetCode(h, &rc), PRL_ERR_SUCCESS);
	assert_int_equal(rc, PRL_ERR_UNINITIALIZED);
	assert_int_equal(PrlJob_GetResult(h, &r), PRL_ERR_OPERATION_PENDING);

	prl__result *res = prl__result_new();
	prl__result_add_str(res, "hello");
	assert_int_equal(prl__job_finish(j, PRL_ERR_SUCCESS, res, NULL), 1);
	assert_int_equal(prl__job_finish(j, PRL_ERR_FAILURE, NULL, "late"), 0);
	assert_int_equal(PrlJob_Wait(h, 0), PRL_ERR_SUCCESS);
	assert_int_equal(PrlJob_GetRetCode(h, &rc), PRL_ERR_SUCCESS);
	assert_int_equal(rc, PRL_ERR_SUCCESS);
	PRL_JOB_OPERATION_CODE op;
	assert_int_equal(PrlJob_GetOpCode(h, &op), PRL_ERR_SUCCESS);
	assert_int_equal(op, PJOC_SRV_GET_VM_LIST);
	assert_int_equal(PrlJob_GetResult(h, &r), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_SUCCESS);

	/* The result outlives its job. */
	char buf[16];
	PRL_UINT32 len = sizeof(buf), n = 0;
	assert_int_equal(PrlResult_GetParamsCount(r, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(PrlResult_GetParamAsString(r, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "hello");
	PRL_HANDLE p;
	assert_int_equal(PrlResult_GetParamByIndex(r, 1, &p), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlResult_GetParam(r, &p), PRL_ERR_NO_DATA);   /* a string */
	assert_int_equal(PrlHandle_Free(r), PRL_ERR_SUCCESS);
}

struct finisher { prl__job *j; int delay_ms; };

static void *finish_later(void *arg)
{
	struct finisher *f = arg;
	struct timespec ts = { 0, f->delay_ms * 1000000L };
	nanosleep(&ts, NULL);
	prl__job_finish(f->j, PRL_ERR_VM_ALREADY_RUNNING, NULL, "already running");
	return NULL;
}

static void test_wait_wakes_on_other_thread(void **state)
{
	(void)state;
	prl__job *j = prl__job_new(PJOC_VM_START, NULL);
	PRL_HANDLE h = prl__job_handle(j);
	struct finisher f = { j, 50 };
	pthread_t t;
	pthread_create(&t, NULL, finish_later, &f);
	assert_int_equal(PrlJob_Wait(h, UINT32_MAX), PRL_ERR_SUCCESS);
	pthread_join(t, NULL);
	PRL_RESULT rc;
	PrlJob_GetRetCode(h, &rc);
	assert_int_equal(rc, PRL_ERR_VM_ALREADY_RUNNING);
	PRL_HANDLE e;
	assert_int_equal(PrlJob_GetError(h, &e), PRL_ERR_SUCCESS);
	PRL_RESULT ec;
	assert_int_equal(PrlEvent_GetErrCode(e, &ec), PRL_ERR_SUCCESS);
	assert_int_equal(ec, PRL_ERR_VM_ALREADY_RUNNING);
	char buf[64];
	PRL_UINT32 len = sizeof(buf);
	assert_int_equal(PrlEvent_GetErrString(e, PRL_FALSE, PRL_FALSE, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "already running");
	PrlHandle_Free(e);
	PrlHandle_Free(h);
}

static void test_failed_job(void **state)
{
	(void)state;
	PRL_HANDLE h = prl__job_failed(PJOC_SRV_LOGIN, PRL_ERR_INVALID_ARG);
	assert_ptr_not_equal(h, PRL_INVALID_HANDLE);
	PRL_RESULT rc;
	PRL_UINT32 pct;
	assert_int_equal(PrlJob_Wait(h, 0), PRL_ERR_SUCCESS);
	PrlJob_GetRetCode(h, &rc);
	assert_int_equal(rc, PRL_ERR_INVALID_ARG);
	PrlJob_GetProgress(h, &pct);
	assert_int_equal(pct, 100);
	PRL_HANDLE c = PrlJob_Cancel(h);                  /* not a server job */
	PrlJob_Wait(c, 1000);
	PrlJob_GetRetCode(c, &rc);
	assert_int_equal(rc, PRL_ERR_UNINITIALIZED);
	PrlHandle_Free(c);
	PrlHandle_Free(h);
}

/* ---- delivery ---------------------------------------------------------------- */

static volatile int calls;
static pthread_t handler_thread;
static int order_ok = 1;
static uint32_t next_seq;

static PRL_RESULT counting_handler(PRL_HANDLE h, PRL_VOID_PTR data)
{
	PRL_HANDLE_TYPE t;
	PrlHandle_GetType(h, &t);
	if (t == PHT_EVENT) {
		PRL_HANDLE p;
		PRL_UINT32 seq = 0;
		if (PrlEvent_GetParamByName(h, "seq", &p) == PRL_ERR_SUCCESS) {
			PrlEvtPrm_ToUint32(p, &seq);
			PrlHandle_Free(p);
			if (seq != next_seq++)
				order_ok = 0;
		}
	}
	pthread_mutex_lock(&mu);
	handler_thread = pthread_self();
	calls++;
	*(int *)data += 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static prl__server *new_server(PRL_HANDLE *hs)
{
	assert_int_equal(PrlSrv_Create(hs), PRL_ERR_SUCCESS);
	prl__server *s = prl__server_from(*hs);
	assert_non_null(s);
	return s;
}

static void post_seq_event(prl__server *s, uint32_t seq)
{
	prl__event *e = prl__event_new(PET_DSP_EVT_HOST_STATISTICS_UPDATED, PIE_DISPATCHER, NULL);
	prl__ref(&s->base);
	e->server = s;
	prl__event_add_u32(e, "seq", seq);
	prl__server_deliver(s, &e->base);
	prl__put(&e->base);
}

static void test_job_delivered_on_notification_thread(void **state)
{
	(void)state;
	PRL_HANDLE hs;
	prl__server *s = new_server(&hs);
	int mine = 0;
	calls = 0;
	assert_int_equal(PrlSrv_RegEventHandler(hs, counting_handler, &mine), PRL_ERR_SUCCESS);
	prl__job *j = prl__job_new(PJOC_SRV_GET_VM_LIST, s);
	PRL_HANDLE hj = prl__job_handle(j);
	prl__job_finish(j, PRL_ERR_SUCCESS, NULL, NULL);
	PrlHandle_Free(hj);                       /* freed at once, as the seed does */
	assert_true(wait_count(&calls, 1));
	assert_false(pthread_equal(handler_thread, pthread_self()));
	assert_int_equal(mine, 1);
	assert_int_equal(PrlSrv_UnregEventHandler(hs, counting_handler, &mine), PRL_ERR_SUCCESS);
	assert_int_equal(PrlSrv_UnregEventHandler(hs, counting_handler, &mine), PRL_ERR_INVALID_ARG);
	prl__put(&s->base);
	PrlHandle_Free(hs);
}

static void test_events_in_order(void **state)
{
	(void)state;
	PRL_HANDLE hs;
	prl__server *s = new_server(&hs);
	int a = 0, b = 0;
	calls = 0;
	next_seq = 0;
	order_ok = 1;
	PrlSrv_RegEventHandler(hs, counting_handler, &a);
	for (uint32_t i = 0; i < 2000; i++)
		post_seq_event(s, i);
	assert_true(wait_count(&calls, 2000));
	assert_true(order_ok);
	/* A second registration with other data is a distinct handler. */
	PrlSrv_RegEventHandler(hs, counting_handler, &b);
	calls = 0;
	next_seq = 0;
	post_seq_event(s, 0);
	assert_true(wait_count(&calls, 2));
	assert_int_equal(a, 2001);
	assert_int_equal(b, 1);
	PrlSrv_UnregEventHandler(hs, counting_handler, &a);
	PrlSrv_UnregEventHandler(hs, counting_handler, &b);
	prl__put(&s->base);
	PrlHandle_Free(hs);
}

static volatile int self_unreg_calls;
static PRL_HANDLE self_unreg_server;

static PRL_RESULT self_unregistering(PRL_HANDLE h, PRL_VOID_PTR data)
{
	(void)data;
	PrlSrv_UnregEventHandler(self_unreg_server, self_unregistering, NULL);
	pthread_mutex_lock(&mu);
	self_unreg_calls++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static void test_handler_unregisters_itself(void **state)
{
	(void)state;
	PRL_HANDLE hs;
	prl__server *s = new_server(&hs);
	int other = 0;
	calls = 0;
	next_seq = 0;
	self_unreg_server = hs;
	PrlSrv_RegEventHandler(hs, self_unregistering, NULL);
	PrlSrv_RegEventHandler(hs, counting_handler, &other);
	for (uint32_t i = 0; i < 5; i++)
		post_seq_event(s, i);
	assert_true(wait_count(&calls, 5));
	assert_int_equal(self_unreg_calls, 1);
	PrlSrv_UnregEventHandler(hs, counting_handler, &other);
	prl__put(&s->base);
	PrlHandle_Free(hs);
}

/* A handler waits on a job that another thread finishes later. */
static prl__job *awaited;
static volatile int waited_ok;

static PRL_RESULT waiting_handler(PRL_HANDLE h, PRL_VOID_PTR data)
{
	(void)data;
	PRL_HANDLE_TYPE t;
	PrlHandle_GetType(h, &t);
	if (t == PHT_EVENT) {
		PRL_RESULT rc = PrlJob_Wait(prl__job_handle(awaited), 5000);
		pthread_mutex_lock(&mu);
		waited_ok = rc == PRL_ERR_SUCCESS ? 1 : -1;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static void test_handler_waits_on_other_job(void **state)
{
	(void)state;
	PRL_HANDLE hs;
	prl__server *s = new_server(&hs);
	awaited = prl__job_new(PJOC_VM_GET_STATE, NULL);
	waited_ok = 0;
	PrlSrv_RegEventHandler(hs, waiting_handler, NULL);
	post_seq_event(s, 0);
	struct finisher f = { awaited, 100 };
	pthread_t t;
	pthread_create(&t, NULL, finish_later, &f);
	assert_true(wait_count(&waited_ok, 1));
	pthread_join(t, NULL);
	PrlSrv_UnregEventHandler(hs, waiting_handler, NULL);
	prl__put(&awaited->base);
	prl__put(&s->base);
	PrlHandle_Free(hs);
}

static void test_event_params(void **state)
{
	(void)state;
	prl__event *e = prl__event_new(PET_DSP_EVT_VM_STATE_CHANGED, PIE_DISPATCHER,
				       "{11111111-2222-3333-4444-555555555555}");
	prl__event_add_u32(e, "vminfo_vm_state", VMS_RUNNING);
	prl__event_add_str(e, "text", "-42");
	PRL_HANDLE h = prl__handle(&e->base);
	PRL_EVENT_TYPE et;
	PRL_UINT32 n, u;
	PRL_INT32 i;
	PRL_HANDLE p, q;
	char buf[64];
	PRL_UINT32 len = 0;
	PrlEvent_GetType(h, &et);
	assert_int_equal(et, PET_DSP_EVT_VM_STATE_CHANGED);
	PrlEvent_GetParamsCount(h, &n);
	assert_int_equal(n, 2);
	assert_int_equal(PrlEvent_GetIssuerId(h, NULL, &len), PRL_ERR_SUCCESS);
	assert_int_equal(len, 39);
	len = 5;
	assert_int_equal(PrlEvent_GetIssuerId(h, buf, &len), PRL_ERR_BUFFER_OVERRUN);
	assert_int_equal(len, 39);
	assert_memory_equal(buf, "{1111", 5);
	assert_int_equal(PrlEvent_GetParam(h, 0, &p), PRL_ERR_SUCCESS);
	assert_int_equal(PrlEvtPrm_ToUint32(p, &u), PRL_ERR_SUCCESS);
	assert_int_equal(u, VMS_RUNNING);
	len = sizeof(buf);
	assert_int_equal(PrlEvtPrm_GetName(p, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "vminfo_vm_state");
	assert_int_equal(PrlEvtPrm_ToHandle(p, &q), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlEvent_GetParamByName(h, "text", &q), PRL_ERR_SUCCESS);
	assert_int_equal(PrlEvtPrm_ToInt32(q, &i), PRL_ERR_SUCCESS);
	assert_int_equal(i, -42);
	assert_int_equal(PrlEvent_GetParamByName(h, "missing", &q), PRL_ERR_PARAM_NOT_FOUND);
	assert_int_equal(PrlEvent_GetParam(h, 2, &q), PRL_ERR_INVALID_ARG);
	PrlHandle_Free(p);
	PrlHandle_Free(h);
	/* The parameter handle holds its own reference: it outlives the event. */
	PRL_PARAM_FIELD_DATA_TYPE t;
	assert_int_equal(PrlEvtPrm_GetType(q, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PFD_STRING);
	assert_int_equal(PrlHandle_Free(q), PRL_ERR_SUCCESS);
	assert_int_equal(PrlEvtPrm_GetType(q, &t), PRL_ERR_INVALID_ARG);
}

/* Unregistering from another thread waits for a call in progress, and no
 * call starts afterwards: the handler's data may be freed right away. */
static _Atomic int slow_entered, slow_release, slow_calls;

static PRL_RESULT slow_handler(PRL_HANDLE h, PRL_VOID_PTR data)
{
	(void)data;
	atomic_fetch_add(&slow_calls, 1);
	atomic_store(&slow_entered, 1);
	while (!atomic_load(&slow_release)) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

struct unreg_arg { PRL_HANDLE hs; _Atomic int done; };

static void *unreg_main(void *p)
{
	struct unreg_arg *a = p;
	PrlSrv_UnregEventHandler(a->hs, slow_handler, NULL);
	atomic_store(&a->done, 1);
	return NULL;
}

static void test_unregister_waits_for_running_handler(void **state)
{
	(void)state;
	PRL_HANDLE hs;
	prl__server *s = new_server(&hs);
	PrlSrv_RegEventHandler(hs, slow_handler, NULL);
	post_seq_event(s, 0);
	post_seq_event(s, 1);
	while (!atomic_load(&slow_entered)) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	struct unreg_arg a = { hs, 0 };
	pthread_t t;
	pthread_create(&t, NULL, unreg_main, &a);
	struct timespec ts = { 0, 50000000 };
	nanosleep(&ts, NULL);
	assert_false(atomic_load(&a.done));          /* still inside the handler */
	atomic_store(&slow_release, 1);
	pthread_join(t, NULL);
	assert_true(atomic_load(&a.done));
	prl__quiesce(2000);
	assert_int_equal(atomic_load(&slow_calls), 1); /* the second event: not called */
	prl__put(&s->base);
	PrlHandle_Free(hs);
}

/* PrlApi_SwitchConsoleLogging: failed jobs are reported on stderr only
 * while logging is on. */
static void test_console_logging(void **state)
{
	(void)state;
	int fds[2], saved = dup(2);
	assert_int_equal(pipe(fds), 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	dup2(fds[1], 2);
	assert_int_equal(PrlApi_SwitchConsoleLogging(PRL_TRUE), PRL_ERR_SUCCESS);
	PRL_HANDLE a = prl__job_failed(PJOC_VM_START, PRL_ERR_VM_ALREADY_RUNNING);
	assert_int_equal(PrlApi_SwitchConsoleLogging(PRL_FALSE), PRL_ERR_SUCCESS);
	PRL_HANDLE b = prl__job_failed(PJOC_VM_STOP, PRL_ERR_DISP_VM_IS_NOT_STARTED);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	char buf[1024] = "";
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = 0;
	assert_non_null(strstr(buf, "job PJOC_VM_START failed: PRL_ERR_VM_ALREADY_RUNNING"));
	assert_null(strstr(buf, "PJOC_VM_STOP"));
	PrlHandle_Free(a);
	PrlHandle_Free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_timeout_then_finish),
		cmocka_unit_test(test_wait_wakes_on_other_thread),
		cmocka_unit_test(test_failed_job),
		cmocka_unit_test(test_job_delivered_on_notification_thread),
		cmocka_unit_test(test_events_in_order),
		cmocka_unit_test(test_handler_unregisters_itself),
		cmocka_unit_test(test_handler_waits_on_other_job),
		cmocka_unit_test(test_event_params),
		cmocka_unit_test(test_unregister_waits_for_running_handler),
		cmocka_unit_test(test_console_logging),
	};
	return cmocka_run_group_tests_name("jobs", tests, setup, teardown);
}
