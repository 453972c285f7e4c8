/*
 * bench_events.c — from a VM state change to the client's callback
 * (issue 4; target: median <= 0.5x libvirt's), both measured in one run:
 *
 *   OpenPRL: PrlVm_Pause / PrlVm_Resume of a registered VM running on the
 *   dispatcher's test:///default hypervisor; the time from the call to the
 *   server event handler receiving PET_DSP_EVT_VM_STATE_CHANGED with
 *   vminfo_vm_state VMS_PAUSED (resp. VMS_RUNNING).
 *
 *   libvirt: virDomainSuspend / virDomainResume of the test driver's
 *   domain "test" through a private libvirtd; the time from the call to the
 *   lifecycle callback (virConnectDomainEventRegisterAny) receiving
 *   SUSPENDED (resp. RESUMED), with a thread running virEventRunDefaultImpl.
 *
 * OpenPRL runs with its defaults, adaptive busy polling included (the
 * dispatcher's --busy-poll-us, the library's PRL_SDK_BUSY_POLL_US; see
 * src/common/spin.h): across two CPUs it is what spares the wake-ups of
 * halted vCPUs.  PRL_SDK_BUSY_POLL_US=0 in the environment turns the
 * library's off for a comparison; libvirt's client and daemon never poll.
 *
 * Each pause and each resume is one sample; the operation's own reply is
 * awaited before the next one.  As in bench_wire, both placements are
 * measured (client and daemon on one CPU, or on two).  When the dispatcher
 * cannot yet start or pause a VM the figure says "not available" and why.
 *   bench_events [--quick]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "Parallels.h"
#include "SdkWrap.h"
#include "disp.h"
#include "libvirtd.h"

/* The state the callback last saw, and when: one waiter, one producer. */
typedef struct mark {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long seq;
	int state;
	double at_ns;
} mark;

static mark prl_mark = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };
static mark vir_mark = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };

static void mark_set(mark *m, int state)
{
	double t = bench_now_ns();
	pthread_mutex_lock(&m->mu);
	m->seq++;
	m->state = state;
	m->at_ns = t;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static long mark_seq(mark *m)
{
	pthread_mutex_lock(&m->mu);
	long s = m->seq;
	pthread_mutex_unlock(&m->mu);
	return s;
}

/* Waits (up to 10 s) for state to be seen after sequence number since;
 * returns when it was seen, or -1. */
static double mark_wait(mark *m, long since, int state)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	double at = -1;
	pthread_mutex_lock(&m->mu);
	while (!(m->seq > since && m->state == state))
		if (pthread_cond_timedwait(&m->cv, &m->mu, &dl))
			break;
	if (m->seq > since && m->state == state)
		at = m->at_ns;
	pthread_mutex_unlock(&m->mu);
	return at;
}

/* ---- OpenPRL -------------------------------------------------------------- */

static PRL_RESULT on_prl_event(PRL_HANDLE h, PRL_VOID_PTR data)
{
	(void)data;
	PRL_HANDLE_TYPE t;
	PRL_EVENT_TYPE et;
	PRL_HANDLE prm;
	PRL_UINT32 st;
	if (PRL_SUCCEEDED(PrlHandle_GetType(h, &t)) && t == PHT_EVENT &&
	    PRL_SUCCEEDED(PrlEvent_GetType(h, &et)) && et == PET_DSP_EVT_VM_STATE_CHANGED &&
	    PRL_SUCCEEDED(PrlEvent_GetParamByName(h, "vminfo_vm_state", &prm))) {
		if (PRL_SUCCEEDED(PrlEvtPrm_ToUint32(prm, &st)))
			mark_set(&prl_mark, (int)st);
		PrlHandle_Free(prm);
	}
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

/* A VM registered through the API, or NULL with *why set. */
static PRL_HANDLE make_vm(PRL_HANDLE srv, PRL_RESULT *why)
{
	PRL_HANDLE vm = PRL_INVALID_HANDLE;
	PRL_RESULT rc = PrlSrv_CreateVm(srv, &vm);
	if (PRL_SUCCEEDED(rc))
		rc = PrlVmCfg_SetDefaultConfig(vm, PRL_INVALID_HANDLE, PVS_GUEST_VER_LIN_UBUNTU,
					       PRL_FALSE);
	if (PRL_SUCCEEDED(rc))
		rc = PrlVmCfg_SetName(vm, "bench-events");
	if (PRL_SUCCEEDED(rc))
		rc = bench_wait(PrlVm_Reg(vm, "", PRL_TRUE), 60000, NULL);
	if (PRL_SUCCEEDED(rc))
		rc = bench_wait(PrlVm_Start(vm), 60000, NULL);
	*why = rc;
	if (PRL_FAILED(rc)) {
		PrlHandle_Free(vm);
		return PRL_INVALID_HANDLE;
	}
	return vm;
}

/* One transition: the call, then its event; the job's reply is awaited. */
static double prl_step(PRL_HANDLE vm, int pause, PRL_RESULT *rc)
{
	long seq = mark_seq(&prl_mark);
	double t0 = bench_now_ns();
	PRL_HANDLE job = pause ? PrlVm_Pause(vm, PRL_FALSE) : PrlVm_Resume(vm);
	double at = mark_wait(&prl_mark, seq, pause ? VMS_PAUSED : VMS_RUNNING);
	*rc = bench_wait(job, 60000, NULL);
	return at < 0 || PRL_FAILED(*rc) ? -1 : at - t0;
}

static int prl_series(PRL_HANDLE vm, double *ns, int n, PRL_RESULT *rc)
{
	for (int i = 0; i < n; i++)
		if ((ns[i] = prl_step(vm, i % 2 == 0, rc)) < 0)
			return -1;
	return 0;
}

/* ---- libvirt --------------------------------------------------------------- */

static atomic_int vir_stop;

static void *vir_loop(void *p)
{
	(void)p;
	while (!atomic_load(&vir_stop))
		virEventRunDefaultImpl();
	return NULL;
}

static void wake_loop(int timer, void *opaque)
{
	(void)opaque;
	virEventRemoveTimeout(timer);
}

static int on_vir_event(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
	(void)c, (void)d, (void)detail, (void)opaque;
	mark_set(&vir_mark, event);
	return 0;
}

static double vir_step(virDomainPtr dom, int pause)
{
	long seq = mark_seq(&vir_mark);
	double t0 = bench_now_ns();
	int rc = pause ? virDomainSuspend(dom) : virDomainResume(dom);
	double at = mark_wait(&vir_mark, seq,
			      pause ? VIR_DOMAIN_EVENT_SUSPENDED : VIR_DOMAIN_EVENT_RESUMED);
	return rc < 0 || at < 0 ? -1 : at - t0;
}

static int vir_series(virDomainPtr dom, double *ns, int n)
{
	for (int i = 0; i < n; i++)
		if ((ns[i] = vir_step(dom, i % 2 == 0)) < 0) {
			fprintf(stderr, "libvirt suspend/resume: %s\n", virGetLastErrorMessage());
			return -1;
		}
	return 0;
}

/* ---- the figure --------------------------------------------------------------- */

typedef struct rig {
	bench_disp d;
	bench_libvirtd l;
	PRL_HANDLE srv, vm;
	virConnectPtr vc;
	virDomainPtr dom;
	int cb;
} rig;

static int rig_libvirt(rig *r)
{
	r->vc = virConnectOpen(r->l.uri);
	r->dom = r->vc ? virDomainLookupByName(r->vc, "test") : NULL;
	r->cb = r->dom ? virConnectDomainEventRegisterAny(r->vc, r->dom,
							  VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							  VIR_DOMAIN_EVENT_CALLBACK(on_vir_event),
							  NULL, NULL) : -1;
	if (r->cb < 0)
		fprintf(stderr, "libvirt: %s\n", virGetLastErrorMessage());
	return r->cb < 0 ? -1 : 0;
}

static void print_vs(const char *place, double *m, double *b, int n)
{
	double m50 = bench_pctl(m, (size_t)n, 50), m99 = bench_pctl(m, (size_t)n, 99);
	double b50 = bench_pctl(b, (size_t)n, 50), b99 = bench_pctl(b, (size_t)n, 99);
	printf("vm_state_event_latency[%s]      p50 %8.1f us  p99 %8.1f us  [libvirt lifecycle "
	       "event p50 %8.1f us  p99 %8.1f us; ratio p50 %.2f, p99 %.2f; target <= 0.5]\n",
	       place, m50 / 1e3, m99 / 1e3, b50 / 1e3, b99 / 1e3, m50 / b50, m99 / b99);
}

static void measure(rig *r, int n)
{
	double *m = calloc((size_t)n, sizeof(double)), *b = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < 2; i++) {
		const bench_place *pl = &bench_places[i];
		PRL_RESULT rc = PRL_ERR_SUCCESS;
		bench_pin(0, pl->client_cpu);
		bench_pin(r->d.pid, pl->server_cpu);
		bench_pin(r->l.pid, pl->server_cpu);
		/* Warm-up: 200 ms in the new placement (both sides re-read
		 * affinities and settle their polling windows), then measure. */
		double until = bench_now_ns() + 200e6;
		int warm_ok = 1;
		while (warm_ok && bench_now_ns() < until)
			warm_ok = !prl_series(r->vm, m, 20, &rc);
		if (!warm_ok || prl_series(r->vm, m, n, &rc))
			printf("vm_state_event_latency[%s]: not available: pause/resume: %s\n",
			       pl->name, prl_result_to_string(rc));
		else if (!vir_series(r->dom, b, 20) && !vir_series(r->dom, b, n))
			print_vs(pl->name, m, b, n);
	}
	bench_pin(0, -1);
	bench_pin(r->d.pid, -1);
	bench_pin(r->l.pid, -1);
	free(m);
	free(b);
}

static void teardown(rig *r)
{
	if (r->vm != PRL_INVALID_HANDLE) {
		bench_wait(PrlVm_Stop(r->vm, PRL_FALSE), 60000, NULL);
		PrlHandle_Free(r->vm);
	}
	if (r->srv != PRL_INVALID_HANDLE) {
		PrlSrv_UnregEventHandler(r->srv, on_prl_event, NULL);
		bench_logoff(r->srv);
	}
	if (r->cb >= 0)
		virConnectDomainEventDeregisterAny(r->vc, r->cb);
	if (r->dom)
		virDomainFree(r->dom);
	if (r->vc)
		virConnectClose(r->vc);
	bench_disp_cleanup(&r->d);
	bench_libvirtd_cleanup(&r->l);
}

int main(int argc, char **argv)
{
	int n = argc > 1 && !strcmp(argv[1], "--quick") ? 200 : 2000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	static rig r = { .srv = PRL_INVALID_HANDLE, .vm = PRL_INVALID_HANDLE, .cb = -1 };
	pthread_t loop;
	virEventRegisterDefaultImpl();
	pthread_create(&loop, NULL, vir_loop, NULL);
	PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0);
	PRL_RESULT why = PRL_ERR_SUCCESS;
	if (bench_libvirtd_start(&r.l) || rig_libvirt(&r) || bench_disp_prepare(&r.d, NULL) ||
	    bench_disp_start(&r.d) || bench_login(&r.srv)) {
		printf("vm_state_event_latency: not available: the daemons did not start\n");
	} else if (PRL_FAILED(PrlSrv_RegEventHandler(r.srv, on_prl_event, NULL)) ||
		   (r.vm = make_vm(r.srv, &why)) == PRL_INVALID_HANDLE) {
		printf("vm_state_event_latency: not available: registering and starting a VM "
		       "failed: %s\n", prl_result_to_string(why));
	} else {
		printf("# %d samples per side and placement (pause and resume alternate)\n", n);
		measure(&r, n);
	}
	teardown(&r);
	PrlApi_Deinit();
	atomic_store(&vir_stop, 1);
	virEventAddTimeout(0, wake_loop, NULL, NULL);
	pthread_join(loop, NULL);
	return 0;
}
