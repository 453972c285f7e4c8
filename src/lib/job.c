/*
 * job.c — PHT_JOB (PrlJob_*): the handle every asynchronous function returns.
 *
 * A job finishes exactly once (prl__job_finish): an atomic flag elects the
 * one finishing call, which stores the result, runs the job's on_finish hook
 * (local side effects such as refreshing a VM's cached configuration), then
 * marks the job finished under its mutex, queues it for its server's
 * handlers and wakes every PrlJob_Wait.  A handler therefore always sees a
 * finished job, and PrlJob_Wait may return before a handler runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>

#include "core.h"
#include "conn.h"
#include "errtext.h"
#include "PrlApi.h"

static void job_destroy(prl__obj *o)
{
	prl__job *j = (prl__job *)o;
	prl__put(j->result ? &j->result->base : NULL);
	prl__put(j->error ? &j->error->base : NULL);
	prl__put(j->server ? &j->server->base : NULL);
	prl__put(j->target);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

const prl__type prl__job_type = { PHT_JOB, job_destroy };

static int init_sync(prl__job *j)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca))
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc)
		return -1;
	if (pthread_mutex_init(&j->mu, NULL)) {
		pthread_cond_destroy(&j->cv);
		return -1;
	}
	return 0;
}

prl__job *prl__job_new(PRL_JOB_OPERATION_CODE op, prl__server *srv)
{
	prl__job *j = prl__zalloc(sizeof(*j));
	if (!j)
		return NULL;
	if (init_sync(j)) {
		free(j);
		return NULL;
	}
	j->op = op;
	j->rc = PRL_ERR_UNINITIALIZED;
	if (srv) {
		prl__ref(&srv->base);
		j->server = srv;
	}
	if (!prl__register(&j->base, &prl__job_type))
		return NULL;
	return j;
}

static prl__event *make_error(PRL_RESULT rc, const char *text)
{
	prl__event *e = prl__event_new(PET_DSP_EVT_ERROR_MESSAGE, PIE_DISPATCHER, NULL);
	if (!e)
		return NULL;
	e->err_code = rc;
	e->err_string = prl__strdup(text);
	return e;
}

/* The second half of finishing (j->mu held): the job is done for all to see. */
static void finished_locked(prl__job *j)
{
	__atomic_store_n(&j->finished, 1, __ATOMIC_RELEASE);
	j->progress = 100;
	/* Queue for the handlers registered now, before any waiter can return
	 * and register another one: a handler never gets a job that finished
	 * before it existed.  (Lock order: job, then server, then notifier.) */
	if (j->server)
		prl__server_deliver(j->server, &j->base);
	pthread_cond_broadcast(&j->cv);
	/* A waiter reading the socket itself sleeps in epoll, not on cv. */
	if (j->direct && prl__conn_direct_self != j)
		prl__conn_kick(j->direct);
}

int prl__job_finish(prl__job *j, PRL_RESULT rc, prl__result *result, const char *errtext)
{
	pthread_mutex_lock(&j->mu);
	int already = j->finished || j->result;
	if (!already) {
		/* Claim the job: a non-NULL result marks it as being finished. */
		j->result = result ? result : prl__result_new();
		j->rc = rc;
		if (PRL_FAILED(rc))
			j->error = make_error(rc, errtext);
		else if (!j->on_finish) {
			finished_locked(j);   /* nothing to do between: one lock */
			pthread_mutex_unlock(&j->mu);
			return 1;
		}
	}
	pthread_mutex_unlock(&j->mu);
	if (already) {
		prl__put(result ? &result->base : NULL);
		return 0;
	}
	if (PRL_FAILED(rc)) {
		const char *op = prlc_job_op_name(j->op);
		prl__log("job %s failed: %s (0x%08X)%s%s", op ? op : "?",
			 prlc_err_name(rc) ? prlc_err_name(rc) : "?", (unsigned)rc,
			 errtext ? ": " : "", errtext ? errtext : "");
	}
	if (j->on_finish)
		j->on_finish(j);
	pthread_mutex_lock(&j->mu);
	finished_locked(j);
	pthread_mutex_unlock(&j->mu);
	return 1;
}

PRL_HANDLE prl__job_failed(PRL_JOB_OPERATION_CODE op, PRL_RESULT rc)
{
	/* Before PrlApi_InitEx no handle could be used, not even to free it. */
	if (!prl__initialized())
		return PRL_INVALID_HANDLE;
	prl__job *j = prl__job_new(op, NULL);
	if (!j)
		return PRL_INVALID_HANDLE;
	prl__job_finish(j, rc, NULL, NULL);
	return prl__handle(&j->base);
}

PRL_HANDLE prl__job_handle(prl__job *j)
{
	return prl__handle(&j->base);
}

/* ---- the public layer ---------------------------------------------------- */

/* When the waiter cannot read the reply itself (conn.c's direct waiting:
 * another thread of this connection already does, or the job is not a
 * request), before sleeping on the condition variable it yields the CPU a few
 * times while the job is still running: a reply that is already on its way
 * (the dispatcher and our reader thread need the CPU for a few microseconds)
 * then finds the waiter runnable instead of asleep, saving a futex wake-up
 * and a context switch per round trip.  Bounded to ~30 us, so a long job
 * costs nothing noticeable. */
static int finished_soon(prl__job *j)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 64; i++) {
		if (__atomic_load_n(&j->finished, __ATOMIC_ACQUIRE))
			return 1;
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 30000)
			break;
	}
	return 0;
}

PRL_METHOD(PrlJob_Wait)(PRL_HANDLE hJob, PRL_UINT32 msecs)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	if (msecs && j->server && !__atomic_load_n(&j->finished, __ATOMIC_ACQUIRE)) {
		int direct = prl__conn_wait_direct(j, msecs);
		if (direct == 0)
			return PRL_ERR_TIMEOUT;
		if (direct > 0)
			return PRL_ERR_SUCCESS;   /* finished, and a job stays so */
		finished_soon(j);
	}
	struct timespec ts;
	int forever = msecs == UINT_MAX;
	if (!forever)
		prl__deadline(&ts, CLOCK_MONOTONIC, msecs);
	int rc = 0;
	pthread_mutex_lock(&j->mu);
	while (!j->finished && rc != ETIMEDOUT)
		rc = forever ? pthread_cond_wait(&j->cv, &j->mu)
			     : pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	int done = j->finished;
	pthread_mutex_unlock(&j->mu);
	return done ? PRL_ERR_SUCCESS : PRL_ERR_TIMEOUT;
}

PRL_METHOD(PrlJob_GetStatus)(PRL_HANDLE hJob, PRL_JOB_STATUS_PTR pStatus)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(pStatus);
	pthread_mutex_lock(&j->mu);
	*pStatus = j->finished ? PJS_FINISHED : PJS_RUNNING;
	pthread_mutex_unlock(&j->mu);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlJob_GetProgress)(PRL_HANDLE hJob, PRL_UINT32_PTR pPercentage)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(pPercentage);
	pthread_mutex_lock(&j->mu);
	*pPercentage = j->progress;
	pthread_mutex_unlock(&j->mu);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlJob_GetRetCode)(PRL_HANDLE hJob, PRL_RESULT_PTR pnRetCode)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(pnRetCode);
	/* rc is written once, before `finished` is released. */
	*pnRetCode = __atomic_load_n(&j->finished, __ATOMIC_ACQUIRE) ? j->rc
								 : PRL_ERR_UNINITIALIZED;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlJob_GetResult)(PRL_HANDLE hJob, PRL_HANDLE_PTR phJobResult)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(phJobResult);
	PRL_RESULT rc = PRL_ERR_OPERATION_PENDING;
	pthread_mutex_lock(&j->mu);
	if (j->finished) {
		*phJobResult = prl__give(&j->result->base);
		rc = PRL_ERR_SUCCESS;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

PRL_METHOD(PrlJob_GetError)(PRL_HANDLE hJob, PRL_HANDLE_PTR phError)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(phError);
	PRL_RESULT rc = PRL_ERR_NO_DATA;
	pthread_mutex_lock(&j->mu);
	if (j->finished && j->error) {
		*phError = prl__give(&j->error->base);
		rc = PRL_ERR_SUCCESS;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

PRL_METHOD(PrlJob_GetOpCode)(PRL_HANDLE hJob, PRL_JOB_OPERATION_CODE_PTR pnOpCode)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(pnOpCode);
	*pnOpCode = j->op;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlJob_IsRequestWasSent)(PRL_HANDLE hJob, PRL_BOOL_PTR pbIsRequestWasSent)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(pbIsRequestWasSent);
	*pbIsRequestWasSent = __atomic_load_n(&j->sent, __ATOMIC_ACQUIRE) ? PRL_TRUE
									 : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlJob_GetDataPtr)(PRL_HANDLE hJob, PRL_VOID_PTR data_ptr, PRL_UINT32_PTR data_size)
{
	PRL__OBJ(j, prl__job, hJob, PHT_JOB);
	PRL__CHECK_ARG(data_size);
	(void)data_ptr;
	return PRL_ERR_UNIMPLEMENTED;
}

PRL_ASYNC_METHOD(PrlJob_Cancel)(PRL_HANDLE hJob)
{
	prl__auto prl__job *j = (prl__job *)prl__get(hJob, PHT_JOB);
	if (!j)
		return prl__job_failed(PJOC_JOB_CANCEL, prl__bad_handle());
	if (!j->server)
		return prl__job_failed(PJOC_JOB_CANCEL, PRL_ERR_UNINITIALIZED);
	return prl__conn_cancel(j->server, j);
}
