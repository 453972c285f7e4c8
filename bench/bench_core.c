/*
 * bench_core.c — the library core's speed and memory targets, each printed
 * beside its baseline measured in the same run:
 *
 *   1. PrlHandle_AddRef + PrlHandle_Free pair, one thread (target <= 50 ns),
 *      and two threads on different handles (target >= 1.5x one thread's
 *      throughput).  Baseline: an atomic increment/decrement pair.
 *   2. Memory per live handle beyond its payload (target <= 128 bytes) with
 *      1,000,000 live handles, from the process's RSS growth minus the
 *      payload malloc'd for each object.
 *   3. A job finished on one thread waking a PrlJob_Wait-ing thread (target
 *      <= 2x a bare pthread condition-variable wake-up, measured the same
 *      way in the same run).
 *
 * Output: one line per figure, "name value unit [baseline ratio]".  Exit
 * status is 0 whatever the figures: targets are judged by reading them.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "Parallels.h"
#include "core.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- 1. AddRef/Free --------------------------------------------------------- */

#define PAIRS 20000000L

struct pair_arg { PRL_HANDLE h; long n; double ns; };

static void *pairs_main(void *p)
{
	struct pair_arg *a = p;
	double t0 = now_ns();
	for (long i = 0; i < a->n; i++) {
		PrlHandle_AddRef(a->h);
		PrlHandle_Free(a->h);
	}
	a->ns = now_ns() - t0;
	return NULL;
}

static _Atomic long base_counter[2 * 64];

static void *atomic_main(void *p)
{
	struct pair_arg *a = p;
	_Atomic long *c = &base_counter[(uintptr_t)a->h * 64];
	double t0 = now_ns();
	for (long i = 0; i < a->n; i++) {
		atomic_fetch_add(c, 1);
		atomic_fetch_sub(c, 1);
	}
	a->ns = now_ns() - t0;
	return NULL;
}

/* Runs fn on nthreads threads; returns total pairs per second. */
static double run_threads(void *(*fn)(void *), PRL_HANDLE *hs, int nthreads, double *per_pair)
{
	pthread_t t[2];
	struct pair_arg a[2];
	double t0 = now_ns();
	for (int i = 0; i < nthreads; i++) {
		a[i] = (struct pair_arg){ hs[i], PAIRS, 0 };
		pthread_create(&t[i], NULL, fn, &a[i]);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	double wall = now_ns() - t0;
	*per_pair = a[0].ns / (double)PAIRS;
	return (double)PAIRS * nthreads / (wall / 1e9);
}

static void bench_refs(void)
{
	PRL_HANDLE hs[2];
	PrlApi_CreateStringsList(&hs[0]);
	PrlApi_CreateStringsList(&hs[1]);
	double one_ns, two_ns, b1_ns, b2_ns;
	double one = run_threads(pairs_main, hs, 1, &one_ns);
	double two = run_threads(pairs_main, hs, 2, &two_ns);
	PRL_HANDLE idx[2] = { (PRL_HANDLE)0, (PRL_HANDLE)1 };
	double b1 = run_threads(atomic_main, idx, 1, &b1_ns);
	double b2 = run_threads(atomic_main, idx, 2, &b2_ns);
	printf("addref_free_pair_1thread %.1f ns  [atomic inc/dec baseline %.1f ns, ratio %.2f]\n",
	       one_ns, b1_ns, one_ns / b1_ns);
	printf("addref_free_2threads_speedup %.2f x  [baseline atomic pair speedup %.2f x]\n",
	       two / one, b2 / b1);
	PrlHandle_Free(hs[0]);
	PrlHandle_Free(hs[1]);
}

/* ---- 2. memory per handle --------------------------------------------------- */

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A minimal object: just the common header, so its payload is zero and the
 * measured cost is what the handle machinery adds (slot + header + malloc). */
static void empty_destroy(prl__obj *o) { free(o); }
static const prl__type empty_type = { PHT_STRINGS_LIST, empty_destroy };

static void bench_memory(void)
{
	enum { N = 1000000 };
	PRL_HANDLE *hs = malloc(sizeof(*hs) * N);
	malloc_trim(0);
	long before = rss_kib();
	for (int i = 0; i < N; i++)
		hs[i] = prl__handle(prl__new(sizeof(prl__obj), &empty_type));
	long after = rss_kib();
	double per = (double)(after - before) * 1024.0 / N;
	PRL_UINT32 live = 0;
	PrlDbg_GetHandlesNum(&live, PHT_STRINGS_LIST);
	printf("bytes_per_live_handle %.1f B  [%u live handles; object header %zu B incl.]\n",
	       per, live, sizeof(prl__obj));
	for (int i = 0; i < N; i++)
		PrlHandle_Free(hs[i]);
	free(hs);
}

/* ---- 3. wake-up latency ----------------------------------------------------- */

/* One harness for both measurements, so only the primitive differs: each
 * round makes a fresh waitable, hands it to the waiter thread, lets the
 * waiter block, stamps the time and wakes it; the waiter records how long the
 * wake-up took.  The baseline waitable is a bare mutex + condition variable
 * + flag; the measured one is a PHT_JOB waited for with PrlJob_Wait. */
#define WAKES 2000

typedef struct bare { pthread_mutex_t mu; pthread_cond_t cv; int done; } bare;

static void *_Atomic current;
static _Atomic int waiter_ready;
static _Atomic double signal_t;
static double lat[WAKES];
static int use_job;

static void bare_wait(bare *b)
{
	pthread_mutex_lock(&b->mu);
	while (!b->done)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

static void *waiter_main(void *p)
{
	(void)p;
	for (int i = 0; i < WAKES; i++) {
		void *w;
		while (!(w = atomic_load(&current)))
			;
		atomic_store(&current, NULL);
		atomic_store(&waiter_ready, 1);
		if (use_job)
			PrlJob_Wait(prl__job_handle(w), UINT32_MAX);
		else
			bare_wait(w);
		lat[i] = now_ns() - atomic_load(&signal_t);
		if (use_job)
			prl__put(w);
	}
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void *make_waitable(bare *slot)
{
	if (!use_job) {
		pthread_mutex_init(&slot->mu, NULL);
		pthread_cond_init(&slot->cv, NULL);
		slot->done = 0;
		return slot;
	}
	prl__job *j = prl__job_new(PJOC_SRV_GET_VM_LIST, NULL);
	prl__ref(&j->base);                       /* the waiter's reference */
	return j;
}

static void wake(void *w)
{
	atomic_store(&signal_t, now_ns());
	if (use_job) {
		prl__job_finish(w, PRL_ERR_SUCCESS, NULL, NULL);
		prl__put(w);
		return;
	}
	bare *b = w;
	pthread_mutex_lock(&b->mu);
	b->done = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static double bench_wake(int job)
{
	use_job = job;
	bare *slots = calloc(WAKES, sizeof(*slots));
	pthread_t t;
	pthread_create(&t, NULL, waiter_main, NULL);
	for (int i = 0; i < WAKES; i++) {
		void *w = make_waitable(&slots[i]);
		atomic_store(&current, w);
		while (!atomic_load(&waiter_ready))
			;
		atomic_store(&waiter_ready, 0);
		struct timespec ts = { 0, 200000 };      /* let it block */
		nanosleep(&ts, NULL);
		wake(w);
	}
	pthread_join(t, NULL);
	free(slots);
	qsort(lat, WAKES, sizeof(lat[0]), cmp_d);
	return lat[WAKES / 2];
}

int main(void)
{
	PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0);
	bench_refs();
	bench_memory();
	double c = bench_wake(0), j = bench_wake(1);
	printf("job_finish_to_wait_wakeup_median %.0f ns  [pthread cond baseline %.0f ns, ratio %.2f]\n",
	       j, c, j / c);
	PrlApi_Deinit();
	return 0;
}
