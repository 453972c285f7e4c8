/*
 * ops_perf.c — VM statistics and performance-counter subscriptions, and
 * the one-shot counter requests (PJOC 58/59, 80–85; docs/perfstats.md).
 *
 * A subscription is a row (connection, session, kind, VM, filter) in a
 * table on the loop thread.  Rows hold no reference on their connection:
 * each tick keeps only the rows whose connection is still open with the
 * same session (so a logoff or a dropped client ends its subscriptions).
 * Subscribing again replaces the filter, as the real dispatcher does.
 *
 * While any row exists a 1000 ms timer plans one job: the VMs to sample
 * (each once, however many rows name it) and, per VM and per event kind,
 * the distinct filters asked for.  A worker samples libvirt, turns each
 * sample into counters once, and encodes each distinct event once; back on
 * the loop the same bytes go, by reference, to every row that wants them.
 * A VM that is not running sends nothing (no empty events), like the real
 * dispatcher.  A tick that finds the previous job still running is
 * skipped.
 *
 * Server-level counters: PET_DSP_EVT_PERFSTATS from the dispatcher (issuer
 * PIE_DISPATCHER, issuer id = the server UUID) with host counters, plus one
 * PET_DSP_EVT_PERFSTATS per running VM the session may see (issuer
 * PIE_VIRTUAL_MACHINE, issuer id = the VM UUID), so one handler can tell
 * the VMs apart and a per-VM handler gets its VM's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"
#include "perfstats.h"
#include "prlc_consts.h"
#include "registry.h"
#include "vmops.h"

#define PERF_PERIOD_MS 1000
#define ONESHOT_PAUSE_NS (100ull * 1000 * 1000)  /* to measure CPU use */
#define MEASURE_MIN_NS (50ull * 1000 * 1000)
#define MEASURE_MAX_NS (5ull * 1000 * 1000 * 1000)

/* vmops.c's hypervisor connection: NULL when the dispatcher runs none. */
static disp_hv *hv_now(void)
{
	return disp_vmops_hv();
}

static disp_perf_meters *meters;
static pthread_once_t meters_once = PTHREAD_ONCE_INIT;

static void meters_init(void)
{
	meters = disp_perf_meters_new();
}

static disp_perf_meters *the_meters(void)
{
	pthread_once(&meters_once, meters_init);
	return meters;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static bool may_see(uid_t viewer, uid_t owner)
{
	return viewer == 0 || viewer == owner;
}

/* States in which the VM has a domain whose statistics libvirt reads. */
static bool active(uint32_t st)
{
	return st == VMS_RUNNING || st == VMS_PAUSED || st == VMS_PAUSING ||
	       st == VMS_CONTINUING || st == VMS_STOPPING ||
	       st == VMS_SUSPENDING || st == VMS_RESETTING;
}

/* ---- sampling (any thread) ------------------------------------------------ */

static int sample(disp_hv *hv, const char *uuid, disp_hv_stats *h,
		  disp_perf_delta *d)
{
	int rc = disp_hv_stats_get(hv, uuid, h);
	if (rc == PRL_ERR_SUCCESS)
		*d = disp_perf_meters_record(the_meters(), uuid, h->cpu_time_ns,
					     mono_ns());
	return rc;
}

/* Whether a one-shot request must sample twice to measure CPU use: the
 * last record of this VM is missing, too old or too recent. */
static bool needs_priming(const char *uuid)
{
	uint64_t now = mono_ns();
	return !disp_perf_meters_fresh(the_meters(), uuid, now, MEASURE_MAX_NS) ||
	       disp_perf_meters_fresh(the_meters(), uuid, now, MEASURE_MIN_NS);
}

static void pause_to_measure(void)
{
	struct timespec ts = { 0, (long)ONESHOT_PAUSE_NS };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int sample_oneshot(disp_hv *hv, const char *uuid, disp_hv_stats *h,
			  disp_perf_delta *d)
{
	if (needs_priming(uuid)) {
		int rc = sample(hv, uuid, h, d);
		if (rc != PRL_ERR_SUCCESS)
			return rc;
		pause_to_measure();
	}
	return sample(hv, uuid, h, d);
}

int disp_perf_vm_statistics_get(disp_hv *hv, const Prl__VmConfig *cfg,
				Prl__Statistics **out)
{
	disp_hv_stats h;
	disp_perf_delta d;
	*out = NULL;
	int rc = sample_oneshot(hv, cfg->uuid, &h, &d);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	*out = disp_perf_vm_statistics(cfg, &h, &d);
	return *out ? PRL_ERR_SUCCESS : PRL_ERR_OUT_OF_MEMORY;
}

/* The encoded frame of the counters of s that filter picks, shared; NULL
 * when none does (nothing is sent then) or memory runs out. */
static disp_shared *counters_frame(uint32_t type, uint32_t issuer_type,
				   const char *issuer_id,
				   const disp_perf_set *s, const char *filter)
{
	disp_perf_filter *f = disp_perf_filter_new(filter);
	Prl__Event ev;
	uint8_t *buf = NULL;
	size_t len = 0;
	if (f && disp_perf_event_fill(&ev, type, issuer_type, issuer_id, s,
				      f) == 0 && ev.n_params)
		buf = disp_perf_event_frame(&ev, &len);
	if (f)
		disp_perf_event_done(&ev);
	disp_perf_filter_free(f);
	return buf ? disp_shared_new(buf, len) : NULL;
}

/* ---- subscriptions (loop thread) ------------------------------------------ */

typedef enum sub_kind { SUB_GUEST, SUB_VM_PERF, SUB_SRV_PERF } sub_kind;

typedef struct sub {
	disp_conn *conn;                /* no reference: see the top */
	char sess[PRLC_UUID_LEN + 1];
	uid_t uid;
	sub_kind kind;
	char vm[PRLC_UUID_LEN + 1];     /* "" for SUB_SRV_PERF */
	char *filter;                   /* "" for SUB_GUEST */
} sub;

typedef struct perf_state {
	disp_server *srv;
	struct event_base *base;        /* to notice a server made anew */
	struct event *tick;
	sub *subs;
	size_t n, cap;
	bool in_flight;
	bool orphan;                    /* fini'd while a job ran */
	struct perf_state *next;
} perf_state;

static perf_state *states;

static void on_tick(evutil_socket_t fd, short what, void *arg);

static void state_free(perf_state *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->subs[i].filter);
	free(st->subs);
	if (st->tick && !st->orphan)
		event_free(st->tick);
	free(st);
}

static void state_unlink(perf_state *st)
{
	for (perf_state **p = &states; *p; p = &(*p)->next)
		if (*p == st) {
			*p = st->next;
			return;
		}
}

static perf_state *state_of(disp_server *srv, bool create)
{
	for (perf_state *st = states; st; st = st->next)
		if (st->srv == srv && st->base == srv->base)
			return st;
	perf_state *st = create ? calloc(1, sizeof *st) : NULL;
	if (!st)
		return NULL;
	st->srv = srv;
	st->base = srv->base;
	st->tick = event_new(srv->base, -1, EV_PERSIST, on_tick, st);
	if (!st->tick) {
		free(st);
		return NULL;
	}
	st->next = states;
	states = st;
	return st;
}

/* An empty table costs nothing: its timer and memory go. */
static void state_maybe_free(perf_state *st)
{
	if (st->n == 0 && !st->in_flight) {
		state_unlink(st);
		state_free(st);
	}
}

static void sub_drop(perf_state *st, size_t i)
{
	free(st->subs[i].filter);
	st->subs[i] = st->subs[--st->n];
}

static bool sub_same(const sub *s, const disp_conn *c, sub_kind kind,
		     const char *vm)
{
	return s->conn == c && s->kind == kind && !strcasecmp(s->vm, vm) &&
	       !strcmp(s->sess, c->sess.uuid);
}

static void sub_remove(perf_state *st, const disp_conn *c, sub_kind kind,
		       const char *vm)
{
	for (size_t i = 0; i < st->n; i++)
		if (sub_same(&st->subs[i], c, kind, vm)) {
			sub_drop(st, i);
			return;
		}
}

static int sub_add(perf_state *st, disp_conn *c, sub_kind kind,
		   const char *vm, const char *filter)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		sub *a = realloc(st->subs, cap * sizeof *a);
		if (!a)
			return -1;
		st->subs = a;
		st->cap = cap;
	}
	sub *s = &st->subs[st->n];
	memset(s, 0, sizeof *s);
	if (!(s->filter = strdup(filter ? filter : "")))
		return -1;
	s->conn = c;
	memcpy(s->sess, c->sess.uuid, sizeof s->sess);
	s->uid = c->sess.user_uid;
	s->kind = kind;
	snprintf(s->vm, sizeof s->vm, "%s", vm);
	st->n++;
	if (!event_pending(st->tick, EV_TIMEOUT, NULL)) {
		struct timeval tv = { PERF_PERIOD_MS / 1000,
				      (PERF_PERIOD_MS % 1000) * 1000 };
		event_add(st->tick, &tv);
	}
	return 0;
}

static bool conn_live(const disp_server *srv, const sub *s)
{
	for (const disp_conn *c = srv->conns; c; c = c->next)
		if (c == s->conn)
			return c->state == DISP_CONN_OPEN && c->sess.logged_in &&
			       !strcmp(c->sess.uuid, s->sess);
	return false;
}

/* Drops the rows of closed connections and ended sessions. */
static void prune(perf_state *st)
{
	for (size_t i = st->n; i-- > 0;)
		if (!conn_live(st->srv, &st->subs[i]))
			sub_drop(st, i);
}

/* ---- the tick: plan (loop), sample (worker), deliver (loop) --------------- */

typedef struct want {
	char *filter;
	disp_shared *frame;             /* NULL: nothing to send */
} want;

typedef struct wants {
	want *w;
	size_t n;
} wants;

typedef struct target {
	disp_vmsnap *snap;
	bool guest;
	disp_shared *guest_frame;
	wants vm;                       /* PET_DSP_EVT_VM_PERFSTATS */
	wants srv;                      /* PET_DSP_EVT_PERFSTATS */
} target;

typedef struct tick_job {
	perf_state *st;
	disp_hv *hv;
	target *t;
	size_t n_t, cap_t;
	wants host;                     /* the dispatcher's own event */
	char server_uuid[PRLC_UUID_LEN + 1];
} tick_job;

static int wants_add(wants *ws, const char *filter)
{
	for (size_t i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i].filter, filter))
			return 0;
	want *a = realloc(ws->w, (ws->n + 1) * sizeof *a);
	if (!a)
		return -1;
	ws->w = a;
	if (!(a[ws->n].filter = strdup(filter)))
		return -1;
	a[ws->n++].frame = NULL;
	return 0;
}

static disp_shared *wants_frame(const wants *ws, const char *filter)
{
	for (size_t i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i].filter, filter))
			return ws->w[i].frame;
	return NULL;
}

static void wants_free(wants *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		free(ws->w[i].filter);
		if (ws->w[i].frame)
			disp_shared_unref(ws->w[i].frame);
	}
	free(ws->w);
}

static void job_free(tick_job *j)
{
	for (size_t i = 0; i < j->n_t; i++) {
		target *t = &j->t[i];
		disp_vmsnap_unref(t->snap);
		if (t->guest_frame)
			disp_shared_unref(t->guest_frame);
		wants_free(&t->vm);
		wants_free(&t->srv);
	}
	free(j->t);
	wants_free(&j->host);
	free(j);
}

static target *find_target(tick_job *j, const char *uuid)
{
	for (size_t i = 0; i < j->n_t; i++)
		if (!strcasecmp(j->t[i].snap->cfg->uuid, uuid))
			return &j->t[i];
	return NULL;
}

/* The job's entry for a VM (taking over the reference s), or NULL. */
static target *add_target(tick_job *j, disp_vmsnap *s)
{
	target *t = find_target(j, s->cfg->uuid);
	if (t) {
		disp_vmsnap_unref(s);
		return t;
	}
	if (j->n_t == j->cap_t) {
		size_t cap = j->cap_t ? j->cap_t * 2 : 8;
		target *a = realloc(j->t, cap * sizeof *a);
		if (!a) {
			disp_vmsnap_unref(s);
			return NULL;
		}
		j->t = a;
		j->cap_t = cap;
	}
	t = &j->t[j->n_t++];
	memset(t, 0, sizeof *t);
	t->snap = s;
	return t;
}

/* A running VM named by a row, or NULL. */
static target *vm_target(tick_job *j, disp_registry *reg, const char *uuid)
{
	target *t = find_target(j, uuid);
	if (t)
		return t;
	if (!active(disp_vmops_state(uuid)))
		return NULL;
	disp_vmsnap *s = disp_registry_find(reg, uuid);
	return s ? add_target(j, s) : NULL;
}

static int plan_vm_rows(perf_state *st, tick_job *j, disp_registry *reg)
{
	for (size_t i = 0; i < st->n; i++) {
		const sub *s = &st->subs[i];
		if (s->kind == SUB_SRV_PERF)
			continue;
		target *t = vm_target(j, reg, s->vm);
		if (t && s->kind == SUB_GUEST)
			t->guest = true;
		else if (t && wants_add(&t->vm, s->filter) < 0)
			return -1;
	}
	return 0;
}

/* The server rows' filters for one VM: those of the rows that may see it. */
static int plan_srv_vm(perf_state *st, tick_job *j, disp_vmsnap *s)
{
	target *t = NULL;
	for (size_t i = 0; i < st->n; i++) {
		const sub *r = &st->subs[i];
		if (r->kind != SUB_SRV_PERF || !may_see(r->uid, s->owner))
			continue;
		if (!t && !(t = add_target(j, disp_vmsnap_ref(s))))
			return -1;
		if (wants_add(&t->srv, r->filter) < 0)
			return -1;
	}
	return 0;
}

static int plan_srv_rows(perf_state *st, tick_job *j, disp_registry *reg)
{
	bool any = false;
	for (size_t i = 0; i < st->n; i++)
		if (st->subs[i].kind == SUB_SRV_PERF) {
			any = true;
			if (wants_add(&j->host, st->subs[i].filter) < 0)
				return -1;
		}
	disp_vmsnap **list = NULL;
	size_t n = 0;
	if (!any || !reg || !j->hv ||
	    disp_registry_list(reg, 0, &list, &n) != PRL_ERR_SUCCESS)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!list[i]->invalid && active(disp_vmops_state(list[i]->cfg->uuid)))
			rc = plan_srv_vm(st, j, list[i]);
	disp_registry_list_free(list, n);
	return rc;
}

static tick_job *plan(perf_state *st)
{
	tick_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->st = st;
	j->hv = hv_now();
	snprintf(j->server_uuid, sizeof j->server_uuid, "%s", st->srv->uuid);
	disp_registry *reg = st->srv->registry;
	if ((j->hv && reg && plan_vm_rows(st, j, reg) < 0) ||
	    plan_srv_rows(st, j, reg) < 0) {
		job_free(j);
		return NULL;
	}
	return j;
}

static void frames_for(wants *ws, uint32_t type, uint32_t issuer_type,
		       const char *issuer_id, const disp_perf_set *s)
{
	for (size_t i = 0; i < ws->n; i++)
		ws->w[i].frame = counters_frame(type, issuer_type, issuer_id, s,
						ws->w[i].filter);
}

static void guest_frame(target *t, const disp_hv_stats *h,
			const disp_perf_delta *d)
{
	Prl__Statistics *st = disp_perf_vm_statistics(t->snap->cfg, h, d);
	size_t len;
	uint8_t *buf = st ? disp_perf_statistics_frame(t->snap->cfg->uuid, st,
						       &len) : NULL;
	if (st)
		prl__statistics__free_unpacked(st, NULL);
	t->guest_frame = buf ? disp_shared_new(buf, len) : NULL;
}

/* Worker: one libvirt sample per VM, one counter set, one frame per
 * distinct (kind, filter). */
static void sample_target(tick_job *j, target *t)
{
	const Prl__VmConfig *cfg = t->snap->cfg;
	disp_hv_stats h;
	disp_perf_delta d;
	if (sample(j->hv, cfg->uuid, &h, &d) != PRL_ERR_SUCCESS)
		return;
	if (t->guest)
		guest_frame(t, &h, &d);
	if (!t->vm.n && !t->srv.n)
		return;
	disp_perf_set s = { 0 };
	if (disp_perf_vm_counters(cfg, &h, &d, host_cpus(), &s) == 0) {
		frames_for(&t->vm, PET_DSP_EVT_VM_PERFSTATS, PIE_VIRTUAL_MACHINE,
			   cfg->uuid, &s);
		frames_for(&t->srv, PET_DSP_EVT_PERFSTATS, PIE_VIRTUAL_MACHINE,
			   cfg->uuid, &s);
	}
	disp_perf_set_clear(&s);
}

static int host_set(disp_server *srv, disp_perf_set *s)
{
	Prl__Statistics hs;
	int rc = disp_stats_sample(srv, &hs);
	if (rc == 0)
		rc = disp_perf_host_counters(&hs, s);
	disp_stats_free_sample(&hs);
	return rc;
}

static void tick_work(void *arg)
{
	tick_job *j = arg;
	for (size_t i = 0; i < j->n_t; i++)
		sample_target(j, &j->t[i]);
	if (!j->host.n)
		return;
	disp_perf_set s = { 0 };
	if (host_set(j->st->srv, &s) == 0)
		frames_for(&j->host, PET_DSP_EVT_PERFSTATS, PIE_DISPATCHER,
			   j->server_uuid, &s);
	disp_perf_set_clear(&s);
}

static void send_to(const sub *s, disp_shared *frame)
{
	if (frame)
		disp_conn_send_shared(s->conn, frame);
}

static void deliver_srv(tick_job *j, const sub *s)
{
	send_to(s, wants_frame(&j->host, s->filter));
	for (size_t i = 0; i < j->n_t; i++)
		if (may_see(s->uid, j->t[i].snap->owner))
			send_to(s, wants_frame(&j->t[i].srv, s->filter));
}

static void deliver(perf_state *st, tick_job *j)
{
	for (size_t i = 0; i < st->n; i++) {
		const sub *s = &st->subs[i];
		target *t = s->kind == SUB_SRV_PERF ? NULL :
			    find_target(j, s->vm);
		if (s->kind == SUB_SRV_PERF)
			deliver_srv(j, s);
		else if (t && s->kind == SUB_GUEST)
			send_to(s, t->guest_frame);
		else if (t)
			send_to(s, wants_frame(&t->vm, s->filter));
	}
}

static void tick_done(void *arg)
{
	tick_job *j = arg;
	perf_state *st = j->st;
	st->in_flight = false;
	if (st->orphan) {
		job_free(j);
		state_free(st);
		return;
	}
	prune(st);
	deliver(st, j);
	job_free(j);
	state_maybe_free(st);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	perf_state *st = arg;
	prune(st);
	if (st->n == 0) {
		state_maybe_free(st);
		return;
	}
	if (st->in_flight)
		return;
	tick_job *j = plan(st);
	if (!j)
		return;
	st->in_flight = true;
	if (disp_workers_submit(st->srv->workers, tick_work, tick_done, j) < 0) {
		st->in_flight = false;
		job_free(j);
	}
}

void disp_perfstats_fini(disp_server *srv)
{
	for (perf_state *st = states, *next; st; st = next) {
		next = st->next;
		if (st->srv != srv)
			continue;
		state_unlink(st);
		if (st->in_flight) {
			event_free(st->tick);
			st->orphan = true;      /* tick_done frees it */
		} else {
			state_free(st);
		}
	}
}

/* ---- request helpers ------------------------------------------------------ */

static disp_registry *reg_of(disp_req *r)
{
	return disp_req_server(r)->registry;
}

static int no_hypervisor(disp_req *r)
{
	return disp_req_fail(r, PRL_ERR_UNIMPLEMENTED, "this dispatcher runs no "
			     "hypervisor (see --hypervisor): no VM statistics");
}

/* The VM named by Request.vm_uuid if the session may see it: a reference
 * in *out.  With gone_ok, a VM no longer registered is not an error (*out
 * stays NULL): unsubscribing from a deleted VM succeeds. */
static int target_vm(disp_req *r, disp_vmsnap **out, bool gone_ok)
{
	const char *uuid = disp_req_msg(r)->vm_uuid;
	*out = NULL;
	if (!reg_of(r))
		return no_hypervisor(r);
	if (!uuid || !prlc_uuid_is_valid(uuid))
		return disp_req_fail(r, PRL_ERR_INVALID_ARG, "the request names "
				     "no VM");
	disp_vmsnap *s = disp_registry_find(reg_of(r), uuid);
	if (!s)
		return gone_ok ? PRL_ERR_SUCCESS :
		       disp_req_fail(r, PRL_ERR_VM_UUID_NOT_FOUND, "no VM %s is "
				     "registered", uuid);
	if (!may_see(disp_req_session(r)->user_uid, s->owner)) {
		disp_vmsnap_unref(s);
		return disp_req_fail(r, PRL_ERR_ACCESS_TO_VM_DENIED, "VM %s "
				     "belongs to another user", uuid);
	}
	*out = s;
	return PRL_ERR_SUCCESS;
}

static const char *filter_arg(disp_req *r, int *rc)
{
	const char *f = disp_req_arg_str(r, "filter");
	*rc = PRL_ERR_SUCCESS;
	if (f && strlen(f) > DISP_PERF_FILTER_MAX)
		*rc = disp_req_fail(r, PRL_ERR_INVALID_ARG, "the counter filter "
				    "is longer than %u bytes",
				    DISP_PERF_FILTER_MAX);
	return f ? f : "";
}

static int out_of_memory(disp_req *r)
{
	return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
}

/* ---- subscribe / unsubscribe (loop ops) ----------------------------------- */

static int subscribe(disp_req *r, sub_kind kind, const char *vm,
		     const char *filter)
{
	disp_conn *c = disp_req_conn(r);
	perf_state *st = state_of(disp_req_server(r), true);
	if (!st)
		return out_of_memory(r);
	sub_remove(st, c, kind, vm);
	if (sub_add(st, c, kind, vm, filter) < 0) {
		state_maybe_free(st);
		return out_of_memory(r);
	}
	return PRL_ERR_SUCCESS;
}

static int unsubscribe(disp_req *r, sub_kind kind, const char *vm)
{
	perf_state *st = state_of(disp_req_server(r), false);
	if (st) {
		sub_remove(st, disp_req_conn(r), kind, vm);
		state_maybe_free(st);
	}
	return PRL_ERR_SUCCESS;
}

static int vm_subscribe(disp_req *r, sub_kind kind, bool with_filter)
{
	int rc;
	const char *filter = with_filter ? filter_arg(r, &rc) : "";
	disp_vmsnap *s = NULL;
	if (!with_filter || rc == PRL_ERR_SUCCESS)
		rc = hv_now() ? target_vm(r, &s, false) : no_hypervisor(r);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	rc = subscribe(r, kind, s->cfg->uuid, filter);
	disp_vmsnap_unref(s);
	return rc;
}

static int vm_unsubscribe(disp_req *r, sub_kind kind)
{
	disp_vmsnap *s = NULL;
	int rc = target_vm(r, &s, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	rc = unsubscribe(r, kind, s ? s->cfg->uuid : disp_req_msg(r)->vm_uuid);
	disp_vmsnap_unref(s);
	return rc;
}

static int guest_sub_run(disp_req *r)
{
	return vm_subscribe(r, SUB_GUEST, false);
}

static int guest_unsub_run(disp_req *r)
{
	return vm_unsubscribe(r, SUB_GUEST);
}

static int vm_sub_run(disp_req *r)
{
	return vm_subscribe(r, SUB_VM_PERF, true);
}

static int vm_unsub_run(disp_req *r)
{
	return vm_unsubscribe(r, SUB_VM_PERF);
}

static int srv_sub_run(disp_req *r)
{
	int rc;
	const char *filter = filter_arg(r, &rc);
	return rc == PRL_ERR_SUCCESS ? subscribe(r, SUB_SRV_PERF, "", filter) :
	       rc;
}

static int srv_unsub_run(disp_req *r)
{
	return unsubscribe(r, SUB_SRV_PERF, "");
}

/* ---- one-shot counters (worker ops) --------------------------------------- */

static void free_event_value(Prl__Value *v)
{
	if (v->event)
		prl__event__free_unpacked(v->event, NULL);
	free(v);
}

/* Appends a PHT_EVENT result holding the counters of s that filter picks
 * (possibly none). */
static int add_event(disp_req *r, uint32_t type, uint32_t issuer_type,
		     const char *issuer_id, const disp_perf_set *s,
		     const char *filter)
{
	disp_perf_filter *f = disp_perf_filter_new(filter);
	Prl__Value *v = malloc(sizeof *v);
	Prl__Event ev;
	int rc = f && v ? disp_perf_event_fill(&ev, type, issuer_type,
					       issuer_id, s, f) : -1;
	if (v) {
		prl__value__init(v);
		v->v_case = PRL__VALUE__V_EVENT;
		v->event = rc == 0 ? disp_perf_event_copy(&ev) : NULL;
	}
	if (f && v)
		disp_perf_event_done(&ev);
	disp_perf_filter_free(f);
	if (!v || !v->event) {
		free(v);
		return out_of_memory(r);
	}
	return disp_req_add_value(r, v, free_event_value) < 0 ?
	       out_of_memory(r) : PRL_ERR_SUCCESS;
}

/* Appends the counters of a VM sampled now.  A VM libvirt cannot sample
 * gives its PRL_RESULT, with no error text set (callers decide). */
static int vm_event(disp_req *r, disp_hv *hv, const Prl__VmConfig *cfg,
		    uint32_t type, const char *filter)
{
	disp_hv_stats h;
	disp_perf_delta d;
	disp_perf_set s = { 0 };
	int rc = sample_oneshot(hv, cfg->uuid, &h, &d);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (disp_perf_vm_counters(cfg, &h, &d, host_cpus(), &s) < 0)
		rc = out_of_memory(r);
	else
		rc = add_event(r, type, PIE_VIRTUAL_MACHINE, cfg->uuid, &s,
			       filter);
	disp_perf_set_clear(&s);
	return rc;
}

/* PJOC_VM_GET_PERFSTATS: one PHT_EVENT (PET_DSP_EVT_VM_PERFSTATS). */
static int vm_get_run(disp_req *r)
{
	int rc;
	const char *filter = filter_arg(r, &rc);
	disp_hv *hv = hv_now();
	disp_vmsnap *s = NULL;
	if (rc == PRL_ERR_SUCCESS)
		rc = hv ? target_vm(r, &s, false) : no_hypervisor(r);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	rc = vm_event(r, hv, s->cfg, PET_DSP_EVT_VM_PERFSTATS, filter);
	if (rc != PRL_ERR_SUCCESS && rc != PRL_ERR_OUT_OF_MEMORY)
		rc = disp_req_fail(r, rc, "%s", disp_hv_errmsg());
	disp_vmsnap_unref(s);
	return rc;
}

/* The host's event: the dispatcher as issuer, the server UUID as id. */
static int host_event(disp_req *r, const char *filter)
{
	disp_perf_set s = { 0 };
	disp_server *srv = disp_req_server(r);
	int rc = host_set(srv, &s) < 0 ?
		 disp_req_fail(r, PRL_ERR_FAILURE, "cannot read the host's "
			       "statistics") :
		 add_event(r, PET_DSP_EVT_PERFSTATS, PIE_DISPATCHER, srv->uuid,
			   &s, filter);
	disp_perf_set_clear(&s);
	return rc;
}

/* Samples once every running VM that a one-shot will sample again, then
 * pauses once for all of them, so CPU use is measured over the pause. */
static void prime(disp_hv *hv, disp_vmsnap **list, size_t n)
{
	size_t primed = 0;
	for (size_t i = 0; i < n; i++) {
		const char *uuid = list[i]->cfg->uuid;
		disp_hv_stats h;
		disp_perf_delta d;
		if (!list[i]->invalid && active(disp_vmops_state(uuid)) &&
		    needs_priming(uuid) &&
		    sample(hv, uuid, &h, &d) == PRL_ERR_SUCCESS)
			primed++;
	}
	if (primed)
		pause_to_measure();
}

static int vm_events(disp_req *r, disp_hv *hv, const char *filter)
{
	disp_vmsnap **list = NULL;
	size_t n = 0;
	if (disp_registry_list(reg_of(r), disp_req_session(r)->user_uid, &list,
			       &n) != PRL_ERR_SUCCESS)
		return out_of_memory(r);
	prime(hv, list, n);
	int rc = PRL_ERR_SUCCESS;
	for (size_t i = 0; i < n && rc != PRL_ERR_OUT_OF_MEMORY; i++) {
		const Prl__VmConfig *cfg = list[i]->cfg;
		if (list[i]->invalid || !active(disp_vmops_state(cfg->uuid)))
			continue;
		rc = vm_event(r, hv, cfg, PET_DSP_EVT_PERFSTATS, filter);
	}
	disp_registry_list_free(list, n);
	return rc == PRL_ERR_OUT_OF_MEMORY ? rc : PRL_ERR_SUCCESS;
}

/* PJOC_SRV_GET_PERFSTATS: the host's event first, then one per running VM
 * the session may see. */
static int srv_get_run(disp_req *r)
{
	int rc;
	const char *filter = filter_arg(r, &rc);
	if (rc == PRL_ERR_SUCCESS)
		rc = host_event(r, filter);
	disp_hv *hv = hv_now();
	if (rc != PRL_ERR_SUCCESS || !hv || !reg_of(r))
		return rc;
	return vm_events(r, hv, filter);
}

#define WC (DISP_OP_WORKER | DISP_OP_CANCELLABLE)

static const disp_op perf_ops[] = {
	{ PJOC_VM_SUBSCRIBE_TO_GUEST_STATISTICS,
	  "VM_SUBSCRIBE_TO_GUEST_STATISTICS", 0, guest_sub_run, NULL },
	{ PJOC_VM_UNSUBSCRIBE_FROM_GUEST_STATISTICS,
	  "VM_UNSUBSCRIBE_FROM_GUEST_STATISTICS", 0, guest_unsub_run, NULL },
	{ PJOC_SRV_SUBSCRIBE_PERFSTATS, "SRV_SUBSCRIBE_PERFSTATS", 0,
	  srv_sub_run, NULL },
	{ PJOC_SRV_UNSUBSCRIBE_PERFSTATS, "SRV_UNSUBSCRIBE_PERFSTATS", 0,
	  srv_unsub_run, NULL },
	{ PJOC_SRV_GET_PERFSTATS, "SRV_GET_PERFSTATS", WC, srv_get_run, NULL },
	{ PJOC_VM_SUBSCRIBE_PERFSTATS, "VM_SUBSCRIBE_PERFSTATS", 0, vm_sub_run,
	  NULL },
	{ PJOC_VM_UNSUBSCRIBE_PERFSTATS, "VM_UNSUBSCRIBE_PERFSTATS", 0,
	  vm_unsub_run, NULL },
	{ PJOC_VM_GET_PERFSTATS, "VM_GET_PERFSTATS", WC, vm_get_run, NULL },
};
DISP_OPS_REGISTER(perf_ops)
