/*
 * hv.c — VMs as libvirt domains (see hv.h).
 *
 * Threads.  libvirt delivers domain events from its default event loop,
 * which one process-wide thread runs (started with the first connection,
 * stopped with the last).  Its callbacks only queue "probe this VM" items;
 * a delivery thread per connection pops the queue, asks libvirt for the
 * VM's state (so a late or missing event can never leave a wrong state),
 * and calls on_state when the state differs from the last one reported.
 * Operations queue "report this state" items the same way, so reports go
 * out one at a time, in order, with no lock held.  The fast path: when the
 * queue is empty and nothing is being delivered, an operation delivers its
 * report itself, on its own thread (the `delivering` flag keeps that
 * serial with the delivery thread), which spares a state event a thread
 * hop on its way to the clients.
 *
 * Probes that only catch up (libvirt's event about our own operation, the
 * probe after an operation whose result is known) wait PROBE_DELAY_NS, and
 * a VM has at most one probe pending, due at the earliest time asked: a
 * probe reads the present, so running it later loses nothing, and a burst
 * of them costs one libvirt query, run after the state event they follow
 * has gone out rather than while it is on its way.  A probe that learns
 * the result (an operation that could not tell, e.g. a graceful stop) is
 * due at once.
 *
 * Order.  An operation queues the states it passes through and the one it
 * leaves, then a probe.  A probe is skipped while an operation works on the
 * VM or its reports are still queued: libvirt would show it half-done (a
 * domain paused for saving, gone before the save file has its name, still
 * running while being destroyed), and a probe reads the present, so it
 * must not overtake older reports.  The probe each operation queues last
 * catches anything that happened meanwhile (a guest that powered off
 * during a reset).
 *
 * VM records.  Each attached VM has a record: its bundle (where the save
 * file lives), the state last known and last reported, the `transit` state
 * an operation is passing through (what GetState answers meanwhile), the
 * busy flag and count of queued reports that hold probes back, and an `op`
 * mutex that serialises the operations on that VM, so that checking the
 * state and acting on it is one step.  The records are indexed by a hash
 * table on the UUID's 128 bits (disp_hv_key): the VM list reads thousands
 * of states per request, and a probe on two integers costs far less than
 * a tree walk of string compares.  hv->lock guards the index, the state
 * fields and the queue.
 */
#define _GNU_SOURCE
#include "hv.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "hvxml.h"
#include "log.h"
#include "lvsym.h"          /* after libvirt's headers: calls via pointers */
#include "uuid.h"

#define SAVE_TMP   DISP_HV_SAVE_FILE ".tmp"

typedef struct vmrec {
	char uuid[PRLC_UUID_LEN + 1];  /* braced, lowercase */
	disp_hv_key key;               /* the same UUID: the index key */
	struct vmrec *hnext;           /* the index's chain */
	char *bundle;
	uint32_t known;                /* latest state learnt */
	uint32_t reported;             /* last state given to on_state */
	uint32_t transit;              /* while an operation works: its state */
	bool busy;                     /* an operation is changing the VM */
	unsigned pending;              /* "report" items queued for it */
	pthread_mutex_t op;
	virDomainPtr dom;              /* a handle kept between operations, or NULL */
} vmrec;

typedef struct item {
	struct item *next;
	char uuid[PRLC_UUID_LEN + 1];
	uint32_t state;                /* VMS_UNKNOWN: probe */
	int64_t due_ns;                /* a probe: not before (monotonic) */
} item;

/* A probe waits this long after the last request for it (see enqueue). */
#define PROBE_DELAY_NS 2000000
/* Between two attempts to connect again to a hypervisor that went away. */
#define RETRY_NS 1000000000

struct disp_hv {
	/* Replaced when a lost connection is made again (reconnect): read
	 * atomically; a replaced one stays open in `retired` until close, so
	 * an operation still holding it fails cleanly instead of using freed
	 * memory. */
	_Atomic(virConnectPtr) conn;
	virConnectPtr *retired;
	size_t n_retired;
	atomic_bool lost;              /* libvirt closed conn: reconnect */
	int64_t retry_ns;              /* the next reconnection attempt (lock) */
	char *uri;
	bool test;
	const char *dom_type;
	disp_hv_state_fn on_state;
	void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	vmrec **slots;                 /* the index: 1 << bits chains */
	unsigned bits;
	size_t count;
	item *qhead, *qtail;           /* reports, in order */
	item *probes;                  /* probes, one per VM, unordered */
	bool delivering;               /* a report or probe is being delivered */
	bool quit;
	pthread_t deliver;
	bool deliver_started, loop_held;
	pthread_mutex_t conn_lock;     /* connecting (hv_ready) */
	atomic_bool connected;         /* conn, events and delivery are up */
	int cb_life, cb_reboot;
	unsigned cb_released;
};

/* ---- errors --------------------------------------------------------------- */

static __thread char errmsg[512];

const char *disp_hv_errmsg(void) { return errmsg; }

static int fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof errmsg, fmt, ap);
	va_end(ap);
	return code;
}

/* A libvirt call failed: code, with libvirt's own words. */
static int lv_fail(int code, const char *what, const char *uuid)
{
	const char *why = virGetLastErrorMessage();
	return fail(code, "%s of VM %s failed: %s", what, uuid, why ? why : "?");
}

/* libvirt prints every error by default; we read them instead. */
static void quiet(void *ud, virErrorPtr e) { (void)ud; (void)e; }

/* ---- the process-wide libvirt event loop ---------------------------------- */

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned loop_users;
static pthread_t loop_thread;
static atomic_bool loop_quit;
static bool loop_registered;

/* The libvirt event loop and the delivery thread do background work:
 * following states after the fact.  SCHED_BATCH (no privilege needed)
 * keeps their wake-ups from preempting the threads on a request's path —
 * a worker inside a libvirt call, the loop sending a state event — which
 * on a busy or single CPU cost a state event several context switches. */
static void background_thread(void)
{
	struct sched_param p = { .sched_priority = 0 };
	pthread_setschedparam(pthread_self(), SCHED_BATCH, &p);
	/* And the lowest weight: a thread woken together with the loop (a
	 * worker's libvirt call wakes libvirt's loop as it posts our event)
	 * should not be picked first when the worker blocks. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}

static void *loop_main(void *arg)
{
	(void)arg;
	background_thread();
	while (!atomic_load(&loop_quit))
		if (virEventRunDefaultImpl() < 0)
			break;
	return NULL;
}

static int loop_acquire(void)
{
	if (disp_lv_load(NULL, 0) < 0)
		return -1;
	pthread_mutex_lock(&loop_lock);
	int rc = 0;
	if (!loop_registered) {
		virInitialize();
		virSetErrorFunc(NULL, quiet);
		rc = virEventRegisterDefaultImpl();
		loop_registered = rc == 0;
	}
	if (rc == 0 && loop_users++ == 0) {
		atomic_store(&loop_quit, false);
		rc = pthread_create(&loop_thread, NULL, loop_main, NULL) ? -1 : 0;
		if (rc < 0)
			loop_users--;
	}
	pthread_mutex_unlock(&loop_lock);
	return rc;
}

static void wake(int timer, void *opaque) { (void)timer; (void)opaque; }

static void loop_release(void)
{
	pthread_mutex_lock(&loop_lock);
	if (--loop_users == 0) {
		atomic_store(&loop_quit, true);
		int t = virEventAddTimeout(0, wake, NULL, NULL); /* ends the poll */
		pthread_join(loop_thread, NULL);
		if (t >= 0)
			virEventRemoveTimeout(t);
	}
	pthread_mutex_unlock(&loop_lock);
}

/* ---- records -------------------------------------------------------------- */

static bool canon(const char *in, char out[PRLC_UUID_LEN + 1])
{
	char braced[PRLC_UUID_LEN + 1];
	if (in && strlen(in) == 36) { /* libvirt's form: no braces */
		snprintf(braced, sizeof braced, "{%s}", in);
		in = braced;
	}
	if (!in || !prlc_uuid_is_valid(in))
		return false;
	for (int i = 0; i <= PRLC_UUID_LEN; i++)
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'F' ? in[i] + 32 : in[i]);
	return true;
}

static void bare(const char *braced, char out[VIR_UUID_STRING_BUFLEN])
{
	snprintf(out, VIR_UUID_STRING_BUFLEN, "%.36s", braced + 1);
}

/* The 32 hex digits of a canonical UUID, in order, as two halves. */
static void key_from_canon(const char *c, disp_hv_key *out)
{
	uint64_t half[2] = { 0, 0 };
	int nibble = 0;
	for (const char *p = c + 1; *p && *p != '}'; p++) {
		if (*p == '-')
			continue;
		unsigned v = *p <= '9' ? (unsigned)(*p - '0') :
			     (unsigned)(*p - 'a' + 10);
		half[nibble / 16] = half[nibble / 16] << 4 | v;
		nibble++;
	}
	out->hi = half[0];
	out->lo = half[1];
}

bool disp_hv_key_of(const char *uuid, disp_hv_key *out)
{
	char c[PRLC_UUID_LEN + 1];
	if (!canon(uuid, c))
		return false;
	key_from_canon(c, out);
	return true;
}

/* Fibonacci hashing of the key: UUIDs are mostly random already, the
 * multiply spreads the ones that are not. */
static size_t slot_of(const disp_hv_key *k, unsigned bits)
{
	return (size_t)(((k->hi ^ k->lo) * 0x9e3779b97f4a7c15ull) >>
			(64 - bits));
}

/* ---- the record index (under hv->lock) -------------------------------------- */

static vmrec *idx_get(const disp_hv *hv, const disp_hv_key *k)
{
	if (!hv->slots)
		return NULL;
	for (vmrec *r = hv->slots[slot_of(k, hv->bits)]; r; r = r->hnext)
		if (r->key.hi == k->hi && r->key.lo == k->lo)
			return r;
	return NULL;
}

static int idx_grow(disp_hv *hv)
{
	unsigned bits = hv->slots ? hv->bits + 1 : 6;
	vmrec **slots = calloc((size_t)1 << bits, sizeof *slots);
	if (!slots)
		return -ENOMEM;
	size_t old = hv->slots ? (size_t)1 << hv->bits : 0;
	for (size_t i = 0; i < old; i++) {
		for (vmrec *r = hv->slots[i], *next; r; r = next) {
			next = r->hnext;
			vmrec **head = &slots[slot_of(&r->key, bits)];
			r->hnext = *head;
			*head = r;
		}
	}
	free(hv->slots);
	hv->slots = slots;
	hv->bits = bits;
	return 0;
}

/* Keeps the load at most one record per chain. */
static int idx_add(disp_hv *hv, vmrec *r)
{
	if ((!hv->slots || hv->count >= (size_t)1 << hv->bits) &&
	    idx_grow(hv) < 0)
		return -ENOMEM;
	vmrec **head = &hv->slots[slot_of(&r->key, hv->bits)];
	r->hnext = *head;
	*head = r;
	hv->count++;
	return 0;
}

static void idx_del(disp_hv *hv, vmrec *r)
{
	vmrec **pp = &hv->slots[slot_of(&r->key, hv->bits)];
	while (*pp && *pp != r)
		pp = &(*pp)->hnext;
	if (*pp) {
		*pp = r->hnext;
		hv->count--;
	}
}

/* Calls fn on every record; fn may free the record it is given. */
static void idx_each(disp_hv *hv, void (*fn)(vmrec *r))
{
	size_t n = hv->slots ? (size_t)1 << hv->bits : 0;
	for (size_t i = 0; i < n; i++) {
		for (vmrec *r = hv->slots[i], *next; r; r = next) {
			next = r->hnext;
			fn(r);
		}
	}
}

/* Under hv->lock. */
static vmrec *find_rec(disp_hv *hv, const char *uuid)
{
	disp_hv_key k;
	return disp_hv_key_of(uuid, &k) ? idx_get(hv, &k) : NULL;
}

static void free_rec(vmrec *r)
{
	if (r->dom)
		virDomainFree(r->dom);
	pthread_mutex_destroy(&r->op);
	free(r->bundle);
	free(r);
}

static int set_bundle_locked(vmrec *r, const char *bundle)
{
	if (r->bundle && !strcmp(r->bundle, bundle))
		return 0;
	char *copy = strdup(bundle);
	if (!copy)
		return -ENOMEM;
	free(r->bundle);
	r->bundle = copy;
	return 0;
}

static uint32_t no_domain_state(const char *bundle);

/* A record for a canonical UUID. */
static vmrec *rec_new(const char canon_uuid[PRLC_UUID_LEN + 1],
		      const char *bundle)
{
	vmrec *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	pthread_mutex_init(&r->op, NULL);
	if (!(r->bundle = strdup(bundle))) {
		free_rec(r);
		return NULL;
	}
	memcpy(r->uuid, canon_uuid, sizeof r->uuid);
	key_from_canon(r->uuid, &r->key);
	r->known = r->reported = no_domain_state(bundle);
	return r;
}

int disp_hv_attach(disp_hv *hv, const char *uuid, const char *bundle)
{
	char c[PRLC_UUID_LEN + 1];
	if (!bundle || !canon(uuid, c))
		return -EINVAL;
	vmrec *r = rec_new(c, bundle);
	if (!r)
		return -ENOMEM;
	pthread_mutex_lock(&hv->lock);
	vmrec *old = idx_get(hv, &r->key);
	int rc = old ? set_bundle_locked(old, bundle) : idx_add(hv, r);
	pthread_mutex_unlock(&hv->lock);
	if (old || rc < 0)
		free_rec(r);
	return rc;
}

void disp_hv_detach(disp_hv *hv, const char *uuid)
{
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, uuid);
	if (r)
		idx_del(hv, r);
	pthread_mutex_unlock(&hv->lock);
	if (r)
		free_rec(r);
}

uint32_t disp_hv_cached_state(disp_hv *hv, const char *uuid)
{
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, uuid);
	uint32_t s = r ? r->known : VMS_UNKNOWN;
	pthread_mutex_unlock(&hv->lock);
	return s;
}

#define STATES_PER_LOCK 512

void disp_hv_cached_states(disp_hv *hv, const disp_hv_key *const *keys,
			   size_t n, uint32_t *out)
{
	for (size_t i = 0; i < n;) {
		size_t end = n - i > STATES_PER_LOCK ? i + STATES_PER_LOCK : n;
		pthread_mutex_lock(&hv->lock);
		for (; i < end; i++) {
			vmrec *r = keys[i] ? idx_get(hv, keys[i]) : NULL;
			out[i] = r ? r->known : VMS_UNKNOWN;
		}
		pthread_mutex_unlock(&hv->lock);
	}
}

/* ---- states --------------------------------------------------------------- */

static char *bundle_file(const char *bundle, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", bundle, name) < 0 ? NULL : p;
}

static bool has_save(const char *bundle)
{
	char *p = bundle_file(bundle, DISP_HV_SAVE_FILE);
	struct stat st;
	bool yes = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return yes;
}

static uint32_t no_domain_state(const char *bundle)
{
	return has_save(bundle) ? VMS_SUSPENDED : VMS_STOPPED;
}

static uint32_t map_state(int st, int reason, const char *bundle)
{
	switch (st) {
	case VIR_DOMAIN_PAUSED:
		if (reason == VIR_DOMAIN_PAUSED_SAVE)
			return VMS_SUSPENDING;
		if (reason == VIR_DOMAIN_PAUSED_SHUTTING_DOWN)
			return VMS_STOPPING;
		return reason == VIR_DOMAIN_PAUSED_STARTING_UP ? VMS_STARTING :
		       VMS_PAUSED;
	case VIR_DOMAIN_PMSUSPENDED:
		return VMS_PAUSED;
	case VIR_DOMAIN_SHUTDOWN:
		return VMS_STOPPING;
	case VIR_DOMAIN_SHUTOFF:
	case VIR_DOMAIN_CRASHED:
		return no_domain_state(bundle);
	default: /* RUNNING, BLOCKED, NOSTATE */
		return VMS_RUNNING;
	}
}

/* The domain of uuid (NULL when it has none) and the VM's state. */
static int query(disp_hv *hv, const char *uuid, const char *bundle,
		 virDomainPtr *dom_out, uint32_t *state)
{
	char b[VIR_UUID_STRING_BUFLEN];
	bare(uuid, b);
	virDomainPtr dom = virDomainLookupByUUIDString(hv->conn, b);
	if (!dom) {
		if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN)
			return lv_fail(PRL_ERR_VM_OPERATION_FAILED, "state query",
				       uuid);
		virResetLastError();
		*state = no_domain_state(bundle);
	} else {
		int st, reason;
		if (virDomainGetState(dom, &st, &reason, 0) < 0) {
			virDomainFree(dom);
			return lv_fail(PRL_ERR_VM_OPERATION_FAILED, "state query",
				       uuid);
		}
		*state = map_state(st, reason, bundle);
	}
	if (dom_out)
		*dom_out = dom;
	else if (dom)
		virDomainFree(dom);
	return PRL_ERR_SUCCESS;
}

/* ---- delivery ------------------------------------------------------------- */

static void report(disp_hv *hv, const char *uuid, uint32_t state, bool probed);

static void enqueue_in(disp_hv *hv, const char *uuid, uint32_t state,
		       int64_t probe_delay_ns);

/* A report, or a probe due at once. */
static void enqueue(disp_hv *hv, const char *uuid, uint32_t state)
{
	enqueue_in(hv, uuid, state, 0);
}

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Under hv->lock: uuid's probe, due in delay_ns at the latest; takes or
 * frees it. */
static void arm_probe(disp_hv *hv, item *it, int64_t delay_ns)
{
	it->due_ns = mono_ns() + delay_ns;
	bool earlier = delay_ns == 0 || !hv->probes;
	for (item *p = hv->probes; p; p = p->next) {
		if (!strcmp(p->uuid, it->uuid)) {
			if (it->due_ns < p->due_ns)
				p->due_ns = it->due_ns;
			free(it);
			it = NULL;
			break;
		}
	}
	if (it) {
		it->next = hv->probes;
		hv->probes = it;
	}
	if (earlier)                      /* the delivery thread's timer is later */
		pthread_cond_broadcast(&hv->cond);
}

/* Under hv->lock: a probe of r, due at once. */
static void probe_soon(disp_hv *hv, vmrec *r)
{
	item *it = calloc(1, sizeof *it);
	if (!it)
		return;
	memcpy(it->uuid, r->uuid, sizeof it->uuid);
	it->state = VMS_UNKNOWN;
	arm_probe(hv, it, 0);
}

/* state VMS_UNKNOWN: a probe, due in probe_delay_ns. */
static void enqueue_in(disp_hv *hv, const char *uuid, uint32_t state,
		       int64_t probe_delay_ns)
{
	item *it = calloc(1, sizeof *it);
	if (!it || !canon(uuid, it->uuid)) {
		free(it);
		return;
	}
	it->state = state;
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, uuid);
	if (hv->quit || !r) {
		free(it);
	} else if (state == VMS_UNKNOWN) {
		arm_probe(hv, it, probe_delay_ns);
	} else if (!hv->qhead && !hv->delivering) {
		r->pending++;
		hv->delivering = true;
		pthread_mutex_unlock(&hv->lock);
		report(hv, it->uuid, state, false);
		free(it);
		pthread_mutex_lock(&hv->lock);
		hv->delivering = false;
		/* Queued reports wait for us (probes have a timer: idle_wait). */
		if (hv->qhead)
			pthread_cond_broadcast(&hv->cond);
	} else {
		r->pending++;
		if (hv->qtail)
			hv->qtail->next = it;
		else
			hv->qhead = it;
		hv->qtail = it;
		pthread_cond_signal(&hv->cond);
	}
	pthread_mutex_unlock(&hv->lock);
}

static bool idle(const vmrec *r)
{
	return !r->busy && r->pending == 0;
}

/* Delivers state: a queued report, or what a probe read (dropped if an
 * operation began meanwhile). */
static void report(disp_hv *hv, const char *uuid, uint32_t state,
		   bool probed)
{
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, uuid);
	bool use = r && (!probed || idle(r));
	if (r && !probed && r->pending)
		r->pending--;
	if (use && probed)
		r->known = state;
	bool changed = use && r->reported != state;
	if (changed)
		r->reported = state;
	pthread_mutex_unlock(&hv->lock);
	if (changed && hv->on_state)
		hv->on_state(hv->ctx, uuid, state);
}

/* Copies what a query needs of uuid's record.  false: unknown VM or, with
 * only_idle, one that an operation is changing. */
static bool rec_view(disp_hv *hv, const char *uuid, char bundle[PATH_MAX],
		     uint32_t *transit, bool only_idle)
{
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, uuid);
	bool ok = r && (!only_idle || idle(r));
	if (ok) {
		snprintf(bundle, PATH_MAX, "%s", r->bundle);
		*transit = r->transit;
	}
	pthread_mutex_unlock(&hv->lock);
	return ok;
}

static void probe(disp_hv *hv, const char *uuid)
{
	char bundle[PATH_MAX];
	uint32_t transit, state;
	if (rec_view(hv, uuid, bundle, &transit, true) &&
	    query(hv, uuid, bundle, NULL, &state) == PRL_ERR_SUCCESS)
		report(hv, uuid, state, true);
}

/* Under hv->lock, reports all delivered: the probe that is due, taken off
 * the list; or NULL after waiting (bounded) until the earliest is due. */
/* Under hv->lock: waits at most wait_ns (woken earlier by new work). */
static void wait_at_most(disp_hv *hv, int64_t wait_ns)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ns / 1000000000;
	until.tv_nsec += wait_ns % 1000000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&hv->cond, &hv->lock, &until);
}

/* Under hv->lock: the pending probe due first. */
static item **earliest_probe(disp_hv *hv)
{
	item **earliest = &hv->probes;
	for (item **p = &hv->probes; *p; p = &(*p)->next)
		if ((*p)->due_ns < (*earliest)->due_ns)
			earliest = p;
	return earliest;
}

static item *take_due_probe(disp_hv *hv)
{
	item **earliest = earliest_probe(hv);
	item *it = *earliest;
	int64_t wait = it->due_ns - mono_ns();
	if (wait <= 0) {
		*earliest = it->next;
		return it;
	}
	wait_at_most(hv, wait);
	return NULL;
}

/* Under hv->lock, nothing to do now: sleeps until woken, or until the
 * earliest probe is due (at least 1 ms while an operation delivers a
 * report, which does not wake us: no wake-up on a state event's path). */
static void idle_wait(disp_hv *hv)
{
	if (!hv->probes) {
		pthread_cond_wait(&hv->cond, &hv->lock);
		return;
	}
	int64_t wait = (*earliest_probe(hv))->due_ns - mono_ns();
	wait_at_most(hv, wait > 1000000 ? wait : 1000000);
}

static bool reconnect(disp_hv *hv);

static void *deliver_main(void *arg)
{
	disp_hv *hv = arg;
	background_thread();
	pthread_mutex_lock(&hv->lock);
	for (;;) {
		if (hv->quit)
			break;
		/* The connection lost: made again here, or retried later; probes
		 * wait for it (reports need no hypervisor). */
		bool lost = atomic_load(&hv->lost);
		if (lost && !hv->delivering && mono_ns() >= hv->retry_ns) {
			pthread_mutex_unlock(&hv->lock);
			bool ok = reconnect(hv);
			pthread_mutex_lock(&hv->lock);
			if (!ok)
				hv->retry_ns = mono_ns() + RETRY_NS;
			continue;
		}
		item *it = hv->delivering ? NULL : hv->qhead;
		if (it) {
			hv->qhead = it->next;
			if (!hv->qhead)
				hv->qtail = NULL;
		} else if (!hv->delivering && hv->probes && !lost) {
			it = take_due_probe(hv);
			if (!it)
				continue;         /* waited for the earliest */
		} else if (lost) {
			int64_t wait = hv->retry_ns - mono_ns();
			wait_at_most(hv, wait > 1000000 ? wait : 1000000);
			continue;
		} else {
			idle_wait(hv);
			continue;
		}
		hv->delivering = true;
		pthread_mutex_unlock(&hv->lock);
		if (it->state == VMS_UNKNOWN)
			probe(hv, it->uuid);
		else
			report(hv, it->uuid, it->state, false);
		free(it);
		pthread_mutex_lock(&hv->lock);
		hv->delivering = false;
	}
	pthread_mutex_unlock(&hv->lock);
	return NULL;
}

static void event_for(disp_hv *hv, virDomainPtr dom)
{
	char b[VIR_UUID_STRING_BUFLEN];
	if (virDomainGetUUIDString(dom, b) == 0)
		enqueue_in(hv, b, VMS_UNKNOWN, PROBE_DELAY_NS);
}

static int on_lifecycle(virConnectPtr c, virDomainPtr dom, int event,
			int detail, void *opaque)
{
	(void)c; (void)event; (void)detail;
	event_for(opaque, dom);
	return 0;
}

/* QEMU signals a reset as REBOOT (1-3 per reset), with no lifecycle event. */
static void on_reboot(virConnectPtr c, virDomainPtr dom, void *opaque)
{
	(void)c;
	event_for(opaque, dom);
}

static void on_released(void *opaque)
{
	disp_hv *hv = opaque;
	pthread_mutex_lock(&hv->lock);
	hv->cb_released++;
	pthread_cond_broadcast(&hv->cond);
	pthread_mutex_unlock(&hv->lock);
}

/* libvirtd went away (restarted, upgraded, killed).  The delivery thread
 * connects again (reconnect), at once and then every RETRY_NS, and every
 * VM's state is read afresh: what changed meanwhile becomes state events.
 * Operations meanwhile try to connect themselves (hv_ready). */
static void on_conn_closed(virConnectPtr c, int reason, void *opaque)
{
	disp_hv *hv = opaque;
	if (c != hv->conn)
		return;                       /* a retired connection */
	PRLC_WARN("hv: the connection to %s closed (reason %d); connecting again",
		  hv->uri, reason);
	atomic_store(&hv->connected, false);
	atomic_store(&hv->lost, true);
	pthread_mutex_lock(&hv->lock);
	hv->retry_ns = 0;
	pthread_cond_broadcast(&hv->cond);
	pthread_mutex_unlock(&hv->lock);
}

/* ---- opening -------------------------------------------------------------- */

static const char *domain_type(const char *uri)
{
	if (strncmp(uri, "qemu", 4) != 0)
		return "qemu"; /* the test driver accepts it unchanged */
	return access("/dev/kvm", R_OK | W_OK) == 0 ? "kvm" : "qemu";
}

static int register_events(disp_hv *hv)
{
	hv->cb_life = virConnectDomainEventRegisterAny(hv->conn, NULL,
		VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), hv, on_released);
	hv->cb_reboot = virConnectDomainEventRegisterAny(hv->conn, NULL,
		VIR_DOMAIN_EVENT_ID_REBOOT,
		VIR_DOMAIN_EVENT_CALLBACK(on_reboot), hv, on_released);
	if (hv->cb_life < 0 || hv->cb_reboot < 0)
		return -1;
	virConnectRegisterCloseCallback(hv->conn, on_conn_closed, hv, NULL);
	return 0;
}

static disp_hv *hv_new(const char *uri, disp_hv_state_fn on_state, void *ctx)
{
	disp_hv *hv = calloc(1, sizeof *hv);
	if (!hv || !(hv->uri = strdup(uri))) {
		free(hv);
		return NULL;
	}
	hv->test = strncmp(uri, "test:", 5) == 0;
	hv->dom_type = domain_type(uri);
	hv->on_state = on_state;
	hv->ctx = ctx;
	hv->cb_life = hv->cb_reboot = -1;
	pthread_mutex_init(&hv->lock, NULL);
	pthread_mutex_init(&hv->conn_lock, NULL);
	atomic_init(&hv->connected, false);
	atomic_init(&hv->lost, false);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hv->cond, &ca);
	pthread_condattr_destroy(&ca);
	return hv;
}

static void release_events(disp_hv *hv);

/* Undoes what a failed hv_connect did. */
static void disconnect(disp_hv *hv)
{
	if (hv->conn) {
		if (hv->cb_life >= 0 || hv->cb_reboot >= 0)
			release_events(hv);
		virConnectClose(hv->conn);
		hv->conn = NULL;
	}
	hv->cb_life = hv->cb_reboot = -1;
	if (hv->loop_held)
		loop_release();
	hv->loop_held = false;
}

/* Has this process connected to the test driver?  Its default instance is
 * process-wide and outlives connections: once used, it may hold our VMs. */
static atomic_bool test_driver_used;

/* Loads libvirt, opens the connection, follows its events.  Caller holds
 * conn_lock (or is disp_hv_open).  0, or -1 with err set. */
static int hv_connect(disp_hv *hv, char *err, size_t errlen)
{
	char why[256] = "";
	if (disp_lv_load(why, sizeof why) < 0) {
		snprintf(err, errlen, "cannot use libvirt for %s: %s", hv->uri, why);
		return -1;
	}
	if (!hv->loop_held && loop_acquire() < 0) {
		snprintf(err, errlen, "cannot start libvirt's event loop for %s",
			 hv->uri);
		return -1;
	}
	hv->loop_held = true;
	hv->conn = virConnectOpen(hv->uri);
	if (!hv->conn || register_events(hv) < 0) {
		const char *lv = virGetLastErrorMessage();
		snprintf(err, errlen, "cannot connect to the hypervisor at %s: %s",
			 hv->uri, lv ? lv : "?");
		disconnect(hv);
		return -1;
	}
	if (!hv->deliver_started) {
		if (pthread_create(&hv->deliver, NULL, deliver_main, hv) != 0) {
			snprintf(err, errlen, "cannot start the delivery thread");
			disconnect(hv);
			return -1;
		}
		hv->deliver_started = true;
	}
	PRLC_INFO("hv: connected to %s (domain type %s)", hv->uri, hv->dom_type);
	if (hv->test)
		atomic_store(&test_driver_used, true);
	atomic_store_explicit(&hv->connected, true, memory_order_release);
	return 0;
}

static void forget_domain(vmrec *r)
{
	if (r->dom)
		virDomainFree(r->dom);
	r->dom = NULL;
}

/* A lost connection made again (see on_conn_closed): the dead one retired,
 * a new one opened with its event callbacks, the domain handles of the old
 * one dropped, and a probe queued for every VM.  Whoever calls first does
 * it (conn_lock); true when connected afterwards. */
static bool reconnect(disp_hv *hv)
{
	pthread_mutex_lock(&hv->conn_lock);
	if (atomic_load(&hv->lost)) {
		virConnectPtr old = hv->conn;
		if (old) {
			virConnectUnregisterCloseCallback(old, on_conn_closed);
			release_events(hv);
			virConnectPtr *v = realloc(hv->retired, (hv->n_retired + 1) * sizeof *v);
			if (v) {
				hv->retired = v;
				v[hv->n_retired++] = old;
			}                     /* else: leaked, never freed under a user */
			hv->conn = NULL;
		}
		hv->cb_life = hv->cb_reboot = -1;
		hv->cb_released = 0;
		char err[512];
		if (hv_connect(hv, err, sizeof err) == 0) {
			atomic_store(&hv->lost, false);
			PRLC_INFO("hv: connected to %s again", hv->uri);
			pthread_mutex_lock(&hv->lock);
			idx_each(hv, forget_domain);
			for (unsigned i = 0; hv->slots && i < (1u << hv->bits); i++)
				for (vmrec *r = hv->slots[i]; r; r = r->hnext)
					probe_soon(hv, r);
			pthread_mutex_unlock(&hv->lock);
		} else {
			PRLC_DEBUG("hv: %s", err);
		}
	}
	bool ok = atomic_load(&hv->connected);
	pthread_mutex_unlock(&hv->conn_lock);
	return ok;
}

/* Connected, connecting now if need be: PRL_ERR_SUCCESS or a failure with
 * its message (disp_hv_errmsg). */
static int hv_ready(disp_hv *hv)
{
	if (atomic_load_explicit(&hv->connected, memory_order_acquire))
		return PRL_ERR_SUCCESS;
	if (atomic_load(&hv->lost))
		return reconnect(hv) ? PRL_ERR_SUCCESS :
			fail(PRL_ERR_VM_OPERATION_FAILED, "the connection to %s is lost "
			     "and cannot be made again: %s", hv->uri, virGetLastErrorMessage());
	char err[512];
	pthread_mutex_lock(&hv->conn_lock);
	int rc = atomic_load_explicit(&hv->connected, memory_order_relaxed) ||
		 hv_connect(hv, err, sizeof err) == 0;
	pthread_mutex_unlock(&hv->conn_lock);
	return rc ? PRL_ERR_SUCCESS : fail(PRL_ERR_VM_OPERATION_FAILED, "%s", err);
}

/* The embedded test driver starts empty: until this process first uses it,
 * none of our VMs can be running in it, so there is nothing to follow, and
 * libvirt is loaded and connected at the first operation (hv_ready).  Any
 * other hypervisor may be running our VMs already: connected at once. */
disp_hv *disp_hv_open(const char *uri, disp_hv_state_fn on_state, void *ctx,
		      char *err, size_t errlen)
{
	disp_hv *hv = hv_new(uri, on_state, ctx);
	if (!hv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (hv->test && !atomic_load(&test_driver_used)) {
		PRLC_INFO("hv: %s is connected at the first VM operation", uri);
		return hv;
	}
	if (hv_connect(hv, err, errlen) < 0) {
		disp_hv_close(hv);
		return NULL;
	}
	return hv;
}

static void release_events(disp_hv *hv)
{
	int ids[2] = { hv->cb_life, hv->cb_reboot };
	unsigned want = 0;
	for (int i = 0; i < 2; i++)
		if (ids[i] >= 0 &&
		    virConnectDomainEventDeregisterAny(hv->conn, ids[i]) == 0)
			want++;
	/* A callback being dispatched is freed after it returns: wait for
	 * libvirt to let go of hv (bounded, in case it never says so). */
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&hv->lock);
	while (hv->cb_released < want &&
	       pthread_cond_timedwait(&hv->cond, &hv->lock, &until) == 0)
		;
	pthread_mutex_unlock(&hv->lock);
}

static void stop_delivery(disp_hv *hv)
{
	pthread_mutex_lock(&hv->lock);
	bool running = hv->deliver_started;
	hv->deliver_started = false;
	hv->quit = true;
	pthread_cond_broadcast(&hv->cond);
	pthread_mutex_unlock(&hv->lock);
	if (running)
		pthread_join(hv->deliver, NULL);
	while (hv->qhead) {
		item *it = hv->qhead;
		hv->qhead = it->next;
		free(it);
	}
	hv->qtail = NULL;
	while (hv->probes) {
		item *it = hv->probes;
		hv->probes = it->next;
		free(it);
	}
}

void disp_hv_close(disp_hv *hv)
{
	if (!hv)
		return;
	if (hv->conn) {
		virConnectUnregisterCloseCallback(hv->conn, on_conn_closed);
		release_events(hv);
	}
	stop_delivery(hv);
	if (hv->conn)
		virConnectClose(hv->conn);
	for (size_t i = 0; i < hv->n_retired; i++)
		virConnectClose(hv->retired[i]);
	free(hv->retired);
	if (hv->loop_held)
		loop_release();
	idx_each(hv, free_rec);
	free(hv->slots);
	pthread_cond_destroy(&hv->cond);
	pthread_mutex_destroy(&hv->conn_lock);
	pthread_mutex_destroy(&hv->lock);
	free(hv->uri);
	free(hv);
}

const char *disp_hv_uri(const disp_hv *hv) { return hv->uri; }
bool disp_hv_is_test(const disp_hv *hv) { return hv->test; }

/* ---- start-up sync -------------------------------------------------------- */

static void sync_one(vmrec *r)
{
	r->known = r->reported = no_domain_state(r->bundle);
}

static void sync_active(disp_hv *hv, virDomainPtr dom)
{
	char b[VIR_UUID_STRING_BUFLEN];
	int st, reason;
	if (virDomainGetUUIDString(dom, b) < 0 ||
	    virDomainGetState(dom, &st, &reason, 0) < 0)
		return;
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, b);
	if (r)
		r->known = r->reported = map_state(st, reason, r->bundle);
	pthread_mutex_unlock(&hv->lock);
}

int disp_hv_sync(disp_hv *hv)
{
	pthread_mutex_lock(&hv->lock);
	idx_each(hv, sync_one);
	pthread_mutex_unlock(&hv->lock);
	if (!atomic_load_explicit(&hv->connected, memory_order_acquire))
		return PRL_ERR_SUCCESS;   /* not connected yet: nothing runs */
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(hv->conn, &doms,
					 VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0)
		return lv_fail(PRL_ERR_VM_OPERATION_FAILED, "listing", "(all)");
	for (int i = 0; i < n; i++) {
		sync_active(hv, doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	return PRL_ERR_SUCCESS;
}

int disp_hv_state(disp_hv *hv, const char *uuid, uint32_t *state)
{
	char bundle[PATH_MAX];
	uint32_t transit;
	if (!rec_view(hv, uuid, bundle, &transit, false))
		return fail(PRL_ERR_VM_UUID_NOT_FOUND, "VM %s is not known to the "
			    "hypervisor driver", uuid);
	if (transit) {
		*state = transit;
		return PRL_ERR_SUCCESS;
	}
	if (!atomic_load_explicit(&hv->connected, memory_order_acquire)) {
		*state = no_domain_state(bundle);   /* no domain can exist yet */
		return PRL_ERR_SUCCESS;
	}
	return query(hv, uuid, bundle, NULL, state);
}

/* ---- XML ----------------------------------------------------------------- */

char *disp_hv_domain_xml(const disp_hv *hv, const Prl__VmConfig *c)
{
	return disp_hvxml_domain(hv->dom_type, c);
}

/* ---- disks ---------------------------------------------------------------- */

/* A transient dir pool on the bundle (or the one already there). */
static virStoragePoolPtr open_pool(disp_hv *hv, const Prl__VmConfig *c,
				   bool *ours)
{
	char *xml = disp_hvxml_pool(c);
	virStoragePoolPtr p = xml ? virStoragePoolCreateXML(hv->conn, xml, 0) :
			      NULL;
	free(xml);
	*ours = p != NULL;
	if (!p)
		p = virStoragePoolLookupByTargetPath(hv->conn, c->home_path);
	return p;
}

/* The test driver keeps volumes in memory; QEMU's leaves a file.  Follow
 * QEMU: leave a (sparse, empty) file of that size in the bundle. */
static int materialize(const char *path, uint64_t mb)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	int rc = ftruncate(fd, (off_t)(mb << 20)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int create_volume(disp_hv *hv, virStoragePoolPtr pool,
			 const Prl__VmConfig *c, const char *name, uint64_t mb)
{
	char *xml = disp_hvxml_volume(name, mb);
	virStorageVolPtr vol = xml ? virStorageVolCreateXML(pool, xml, 0) : NULL;
	free(xml);
	if (!vol)
		return lv_fail(PRL_ERR_CANT_CREATE_HDD_IMAGE, "disk creation",
			       c->uuid);
	virStorageVolFree(vol);
	char *path = bundle_file(c->home_path, name);
	int rc = path && hv->test ? materialize(path, mb) : 0;
	free(path);
	return rc < 0 ? fail(PRL_ERR_CANT_CREATE_HDD_IMAGE, "cannot create %s "
			     "in %s: %s", name, c->home_path, strerror(-rc)) :
	       PRL_ERR_SUCCESS;
}

static bool dev_on(const Prl__VmDevice *d)
{
	return !d->has_enabled || d->enabled;
}

/* The image of d to create: its name in the bundle, or NULL. */
static const char *wanted_image(const Prl__VmConfig *c, const Prl__VmDevice *d)
{
	if (d->type != PDE_HARD_DISK || !dev_on(d) || !d->has_disk_size_mb ||
	    !d->disk_size_mb)
		return NULL;
	const char *img = disp_vmconf_image_in_bundle(c->home_path,
						       d->image_path);
	char *path = img ? bundle_file(c->home_path, img) : NULL;
	struct stat st;
	bool exists = path && lstat(path, &st) == 0;
	free(path);
	return exists ? NULL : img;
}

int disp_hv_create_disks(disp_hv *hv, const Prl__VmConfig *c)
{
	virStoragePoolPtr pool = NULL;
	bool ours = false;
	int rc = PRL_ERR_SUCCESS;
	bool any = false;
	for (size_t i = 0; !any && i < c->n_devices; i++)
		any = c->home_path && wanted_image(c, c->devices[i]);
	if (any && (rc = hv_ready(hv)) != PRL_ERR_SUCCESS)
		return rc;
	for (size_t i = 0; rc == PRL_ERR_SUCCESS && i < c->n_devices; i++) {
		const char *img = c->home_path ? wanted_image(c, c->devices[i]) :
				  NULL;
		if (!img)
			continue;
		if (!pool && !(pool = open_pool(hv, c, &ours)))
			rc = lv_fail(PRL_ERR_CANT_CREATE_HDD_IMAGE,
				     "storage pool creation", c->uuid);
		else
			rc = create_volume(hv, pool, c, img,
					   c->devices[i]->disk_size_mb);
	}
	if (pool && ours)
		virStoragePoolDestroy(pool); /* transient: forgotten, files stay */
	if (pool)
		virStoragePoolFree(pool);
	return rc;
}

/* ---- operations ----------------------------------------------------------- */

typedef struct op {
	disp_hv *hv;
	vmrec *rec;
	virDomainPtr dom;  /* NULL when the VM has no domain */
	uint32_t state;    /* when the operation began */
} op;

/* o's VM state, and its domain in o->dom (a reference) when it has one.
 * The record keeps a domain handle between operations: a handle names the
 * domain by UUID, so it stays good across a stop and a start, and each
 * operation is spared a lookup (an RPC to libvirtd with qemu:///system).
 * Caller holds o->rec->op. */
static int query_kept(op *o)
{
	vmrec *r = o->rec;
	pthread_mutex_lock(&o->hv->lock);
	virDomainPtr dom = r->dom;
	r->dom = NULL;                    /* ours now; put back below */
	pthread_mutex_unlock(&o->hv->lock);
	if (!dom) {
		int rc = query(o->hv, r->uuid, r->bundle, &o->dom, &o->state);
		if (rc == PRL_ERR_SUCCESS && o->dom && virDomainRef(o->dom) == 0)
			dom = o->dom;     /* kept: one reference each */
	} else {
		int st, reason;
		if (virDomainGetState(dom, &st, &reason, 0) == 0) {
			o->state = map_state(st, reason, r->bundle);
			if (virDomainRef(dom) == 0)
				o->dom = dom;
		} else if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN) {
			virResetLastError();
			o->state = no_domain_state(r->bundle);  /* handle kept */
		} else {
			virDomainFree(dom);
			return lv_fail(PRL_ERR_VM_OPERATION_FAILED, "state query",
				       r->uuid);
		}
	}
	if (dom) {
		pthread_mutex_lock(&o->hv->lock);
		virDomainPtr extra = r->dom ? dom : NULL;
		if (!r->dom)
			r->dom = dom;
		pthread_mutex_unlock(&o->hv->lock);
		if (extra)
			virDomainFree(extra);
	}
	return PRL_ERR_SUCCESS;
}

/* Locks the VM for an operation and reads its state; an operation that
 * changes the VM holds probes back until it ends. */
static int op_begin(disp_hv *hv, const char *uuid, op *o, bool changes)
{
	int ready = hv_ready(hv);
	if (ready != PRL_ERR_SUCCESS)
		return ready;
	pthread_mutex_lock(&hv->lock);
	vmrec *r = find_rec(hv, uuid);
	pthread_mutex_unlock(&hv->lock);
	if (!r)
		return fail(PRL_ERR_VM_UUID_NOT_FOUND, "VM %s is not known to the "
			    "hypervisor driver", uuid ? uuid : "(none)");
	pthread_mutex_lock(&r->op);
	*o = (op){ hv, r, NULL, VMS_UNKNOWN };
	int rc = query_kept(o);
	if (rc != PRL_ERR_SUCCESS) {
		pthread_mutex_unlock(&r->op);
		return rc;
	}
	pthread_mutex_lock(&hv->lock);
	r->busy = changes;
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

static void set_transit(op *o, uint32_t state)
{
	pthread_mutex_lock(&o->hv->lock);
	o->rec->transit = state;
	o->rec->known = state ? state : o->rec->known;
	pthread_mutex_unlock(&o->hv->lock);
}

/* Reports the state the operation left (VMS_UNKNOWN: unsure, e.g. after a
 * failure or a graceful stop), then a probe to catch up with libvirt. */
static void op_end(op *o, uint32_t result)
{
	if (result != VMS_UNKNOWN)
		enqueue(o->hv, o->rec->uuid, result);
	pthread_mutex_lock(&o->hv->lock);
	o->rec->transit = VMS_UNKNOWN;
	o->rec->busy = false;
	o->rec->known = result ? result : o->rec->known;
	pthread_mutex_unlock(&o->hv->lock);
	enqueue_in(o->hv, o->rec->uuid, VMS_UNKNOWN,
		   result == VMS_UNKNOWN ? 0 : PROBE_DELAY_NS);
	if (o->dom)
		virDomainFree(o->dom);
	pthread_mutex_unlock(&o->rec->op);
}

/* A transitional state, reported at once, that stands for the VM until
 * the operation ends. */
static void op_passing(op *o, uint32_t state)
{
	set_transit(o, state);
	enqueue(o->hv, o->rec->uuid, state);
}

static int not_started(const op *o)
{
	return fail(PRL_ERR_DISP_VM_IS_NOT_STARTED, "VM %s is not running",
		    o->rec->uuid);
}

/* A paused VM is started but not running; a stopped one is not started. */
static int not_running(const op *o)
{
	if (o->state != VMS_PAUSED)
		return not_started(o);
	return fail(PRL_ERR_DISP_VM_IS_NOT_RUNNING, "VM %s is paused",
		    o->rec->uuid);
}

static int already_running(const op *o)
{
	return fail(PRL_ERR_VM_ALREADY_RUNNING, "VM %s is already running",
		    o->rec->uuid);
}

static bool active(uint32_t s)
{
	return s == VMS_RUNNING || s == VMS_PAUSED;
}

static int sync_bundle(const op *o)
{
	return disp_vmconf_sync_dir(o->rec->bundle);
}

static bool unsupported(void)
{
	int e = virGetLastErrorCode();
	return e == VIR_ERR_INVALID_ARG || e == VIR_ERR_NO_SUPPORT;
}

/* A VM saved while paused comes back paused without VIR_DOMAIN_SAVE_RUNNING;
 * resuming it is what the user asked for. */
static int run_if_paused(op *o)
{
	char b[VIR_UUID_STRING_BUFLEN];
	bare(o->rec->uuid, b);
	virDomainPtr dom = virDomainLookupByUUIDString(o->hv->conn, b);
	int st, reason, rc = dom ? 0 : -1;
	if (dom && virDomainGetState(dom, &st, &reason, 0) == 0 &&
	    st == VIR_DOMAIN_PAUSED)
		rc = virDomainResume(dom);
	if (dom)
		virDomainFree(dom);
	return rc;
}

static int do_restore(op *o)
{
	char *path = bundle_file(o->rec->bundle, DISP_HV_SAVE_FILE);
	if (!path)
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	op_passing(o, VMS_RESTORING);
	int rc = virDomainRestoreFlags(o->hv->conn, path, NULL,
				       VIR_DOMAIN_SAVE_RUNNING);
	if (rc < 0 && unsupported())
		rc = virDomainRestore(o->hv->conn, path); /* the test driver */
	if (rc == 0)
		rc = run_if_paused(o);
	if (rc == 0) {
		unlink(path); /* consumed: the VM runs from it now */
		sync_bundle(o);
	}
	free(path);
	return rc < 0 ? lv_fail(PRL_ERR_VM_RESTORE_STATE_FAILED, "restore",
				o->rec->uuid) : PRL_ERR_SUCCESS;
}

static int do_resume(op *o)
{
	return virDomainResume(o->dom) < 0 ?
	       lv_fail(PRL_ERR_VM_OPERATION_FAILED, "resume", o->rec->uuid) :
	       PRL_ERR_SUCCESS;
}

static int do_create(op *o, const Prl__VmConfig *c)
{
	char *xml = disp_hvxml_domain(o->hv->dom_type, c);
	if (!xml)
		return fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	virDomainPtr dom = virDomainCreateXML(o->hv->conn, xml, 0);
	free(xml);
	if (!dom)
		return lv_fail(PRL_ERR_VM_START_FAILED, "start", o->rec->uuid);
	virDomainFree(dom);
	return PRL_ERR_SUCCESS;
}

int disp_hv_start(disp_hv *hv, const Prl__VmConfig *c)
{
	if (!c || !c->home_path || disp_hv_attach(hv, c->uuid, c->home_path) < 0)
		return fail(PRL_ERR_INVALID_ARG, "VM %s has no bundle",
			    c && c->uuid ? c->uuid : "(none)");
	op o;
	int rc = op_begin(hv, c->uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	switch (o.state) {
	case VMS_STOPPED:   rc = do_create(&o, c); break;
	case VMS_PAUSED:    rc = do_resume(&o); break;
	case VMS_SUSPENDED: rc = do_restore(&o); break;
	case VMS_RUNNING:   rc = already_running(&o); break;
	default:
		rc = fail(PRL_ERR_DISP_VM_IS_NOT_STOPPED, "VM %s is busy changing "
			  "state", o.rec->uuid);
	}
	op_end(&o, rc == PRL_ERR_SUCCESS ? VMS_RUNNING : VMS_UNKNOWN);
	return rc;
}

int disp_hv_resume(disp_hv *hv, const char *uuid)
{
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	switch (o.state) {
	case VMS_PAUSED:    rc = do_resume(&o); break;
	case VMS_SUSPENDED: rc = do_restore(&o); break;
	case VMS_RUNNING:   rc = already_running(&o); break;
	default:            rc = not_started(&o);
	}
	op_end(&o, rc == PRL_ERR_SUCCESS ? VMS_RUNNING : VMS_UNKNOWN);
	return rc;
}

static int do_shutdown(op *o, unsigned mode)
{
	int rc = mode == PSM_ACPI ?
		 virDomainShutdownFlags(o->dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) :
		 virDomainShutdown(o->dom);
	if (rc < 0 && mode == PSM_ACPI && unsupported())
		rc = virDomainShutdown(o->dom); /* a driver without the flag */
	return rc < 0 ? lv_fail(PRL_ERR_VM_POWER_OFF_FAILED, "shutdown",
				o->rec->uuid) : PRL_ERR_SUCCESS;
}

static int do_kill(op *o)
{
	op_passing(o, VMS_STOPPING);
	return virDomainDestroy(o->dom) < 0 ?
	       lv_fail(PRL_ERR_VM_POWER_OFF_FAILED, "stop", o->rec->uuid) :
	       PRL_ERR_SUCCESS;
}

int disp_hv_stop(disp_hv *hv, const char *uuid, unsigned mode)
{
	mode &= PRL_VM_STOP_MODE_MASK;
	if (mode != PSM_KILL && mode != PSM_SHUTDOWN && mode != PSM_ACPI)
		return fail(PRL_ERR_INVALID_ARG, "stop mode %u is not PSM_KILL, "
			    "PSM_SHUTDOWN or PSM_ACPI", mode);
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (!active(o.state) && o.state != VMS_STOPPING)
		rc = not_started(&o);
	else
		rc = mode == PSM_KILL ? do_kill(&o) : do_shutdown(&o, mode);
	op_end(&o, rc == PRL_ERR_SUCCESS && mode == PSM_KILL ? VMS_STOPPED :
	       VMS_UNKNOWN);
	return rc;
}

int disp_hv_pause(disp_hv *hv, const char *uuid)
{
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (o.state != VMS_RUNNING)
		rc = not_running(&o);
	else if (virDomainSuspend(o.dom) < 0)
		rc = lv_fail(PRL_ERR_VM_PAUSE_FAILED, "pause", uuid);
	op_end(&o, rc == PRL_ERR_SUCCESS ? VMS_PAUSED : VMS_UNKNOWN);
	return rc;
}

/* Saves to a .tmp file, then renames it: a save cut short is never taken
 * for a suspended state. */
static int do_save(op *o)
{
	char *tmp = bundle_file(o->rec->bundle, SAVE_TMP);
	char *path = bundle_file(o->rec->bundle, DISP_HV_SAVE_FILE);
	int rc = tmp && path ? PRL_ERR_SUCCESS :
		 fail(PRL_ERR_OUT_OF_MEMORY, "out of memory");
	if (rc == PRL_ERR_SUCCESS) {
		unlink(tmp);
		op_passing(o, VMS_SUSPENDING);
		if (virDomainSaveFlags(o->dom, tmp, NULL, 0) < 0)
			rc = lv_fail(PRL_ERR_VM_SAVE_STATE_FAILED, "suspend",
				     o->rec->uuid);
		else if (rename(tmp, path) < 0 || sync_bundle(o) < 0)
			rc = fail(PRL_ERR_VM_SAVE_STATE_FAILED, "suspend of VM %s: "
				  "cannot keep %s: %s", o->rec->uuid, path,
				  strerror(errno));
	}
	free(tmp);
	free(path);
	return rc;
}

int disp_hv_suspend(disp_hv *hv, const char *uuid)
{
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (o.state == VMS_SUSPENDED)
		rc = fail(PRL_ERR_VM_ALREADY_SUSPENDED, "VM %s is already "
			  "suspended", o.rec->uuid);
	else if (!active(o.state))
		rc = not_started(&o);
	else
		rc = do_save(&o);
	op_end(&o, rc == PRL_ERR_SUCCESS ? VMS_SUSPENDED : VMS_UNKNOWN);
	return rc;
}

int disp_hv_drop_suspended(disp_hv *hv, const char *uuid)
{
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	char *path = bundle_file(o.rec->bundle, DISP_HV_SAVE_FILE);
	if (o.state != VMS_SUSPENDED)
		rc = fail(PRL_ERR_VM_IS_NOT_SUSPENDED, "VM %s is not suspended",
			  o.rec->uuid);
	else if (!path || (unlink(path) < 0 && errno != ENOENT) ||
		 sync_bundle(&o) < 0)
		rc = fail(PRL_ERR_UNABLE_DROP_SUSPENDED_STATE, "cannot remove the "
			  "saved state of VM %s: %s", o.rec->uuid, strerror(errno));
	free(path);
	op_end(&o, rc == PRL_ERR_SUCCESS ? VMS_STOPPED : VMS_UNKNOWN);
	return rc;
}

int disp_hv_reset(disp_hv *hv, const char *uuid)
{
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	uint32_t was = o.state;
	if (!active(was)) {
		rc = not_started(&o);
	} else {
		op_passing(&o, VMS_RESETTING);
		if (virDomainReset(o.dom, 0) < 0)
			rc = lv_fail(PRL_ERR_VM_RESET_FAILED, "reset", uuid);
	}
	op_end(&o, rc == PRL_ERR_SUCCESS ? was : VMS_UNKNOWN);
	return rc;
}

int disp_hv_restart(disp_hv *hv, const char *uuid)
{
	op o;
	int rc = op_begin(hv, uuid, &o, true);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (o.state != VMS_RUNNING)
		rc = not_running(&o);
	else if (virDomainReboot(o.dom, 0) < 0)
		rc = lv_fail(PRL_ERR_VM_RESET_FAILED, "restart", uuid);
	op_end(&o, VMS_UNKNOWN);
	return rc;
}

/* ---- statistics ----------------------------------------------------------- */

static uint64_t param_u64(const virTypedParameter *p)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_UINT:   return p->value.ui;
	case VIR_TYPED_PARAM_INT:    return p->value.i < 0 ? 0 : (uint64_t)p->value.i;
	case VIR_TYPED_PARAM_LLONG:  return p->value.l < 0 ? 0 : (uint64_t)p->value.l;
	case VIR_TYPED_PARAM_ULLONG: return p->value.ul;
	default:                     return 0;
	}
}

typedef struct key_off {
	const char *key;
	size_t off;
} key_off;

#define S(f) offsetof(disp_hv_stats, f)
static const key_off top_keys[] = {
	{ "cpu.time", S(cpu_time_ns) },      { "cpu.user", S(cpu_user_ns) },
	{ "cpu.system", S(cpu_system_ns) },  { "balloon.current", S(mem_total_kib) },
	{ "balloon.rss", S(mem_rss_kib) },   { "balloon.unused", S(mem_unused_kib) },
};
#undef S
#define D(f) offsetof(__typeof__(((disp_hv_stats *)0)->disks[0]), f)
static const key_off disk_keys[] = {
	{ "rd.bytes", D(rd_bytes) }, { "wr.bytes", D(wr_bytes) },
	{ "rd.reqs", D(rd_reqs) },   { "wr.reqs", D(wr_reqs) },
};
#undef D
#define N(f) offsetof(__typeof__(((disp_hv_stats *)0)->nets[0]), f)
static const key_off net_keys[] = {
	{ "rx.bytes", N(rx_bytes) }, { "tx.bytes", N(tx_bytes) },
	{ "rx.pkts", N(rx_pkts) },   { "tx.pkts", N(tx_pkts) },
};
#undef N

static bool store(const key_off *keys, size_t n, const char *key, void *base,
		  const virTypedParameter *p)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i].key, key)) {
			*(uint64_t *)((char *)base + keys[i].off) = param_u64(p);
			return true;
		}
	return false;
}

/* "block.<i>.<key>" / "net.<i>.<key>" into the i-th disk or NIC. */
static void store_dev(disp_hv_stats *s, const virTypedParameter *p)
{
	unsigned i;
	char key[VIR_TYPED_PARAM_FIELD_LENGTH];
	bool disk = sscanf(p->field, "block.%u.%79s", &i, key) == 2;
	if (!disk && sscanf(p->field, "net.%u.%79s", &i, key) != 2)
		return;
	if (i >= DISP_HV_MAX_DEVS)
		return;
	char *name = disk ? s->disks[i].name : s->nets[i].name;
	unsigned *count = disk ? &s->n_disks : &s->n_nets;
	if (i >= *count)
		*count = i + 1;
	if (!strcmp(key, "name") && p->type == VIR_TYPED_PARAM_STRING)
		snprintf(name, 32, "%s", p->value.s);
	else if (disk)
		store(disk_keys, 4, key, &s->disks[i], p);
	else
		store(net_keys, 4, key, &s->nets[i], p);
}

static void parse_record(const virDomainStatsRecord *rec, disp_hv_stats *s)
{
	for (int i = 0; i < rec->nparams; i++) {
		const virTypedParameter *p = &rec->params[i];
		if (!strcmp(p->field, "vcpu.current"))
			s->vcpus = (uint32_t)param_u64(p);
		else if (!store(top_keys, sizeof top_keys / sizeof *top_keys,
				p->field, s, p))
			store_dev(s, p);
	}
}

/* The test driver returns only state.*: fill from virDomainGetInfo. */
static void stats_fallback(virDomainPtr dom, disp_hv_stats *s)
{
	virDomainInfo info;
	if (s->cpu_time_ns || virDomainGetInfo(dom, &info) < 0)
		return;
	s->cpu_time_ns = info.cpuTime;
	s->vcpus = info.nrVirtCpu;
	s->mem_total_kib = info.memory;
}

int disp_hv_stats_get(disp_hv *hv, const char *uuid, disp_hv_stats *out)
{
	memset(out, 0, sizeof *out);
	op o;
	int rc = op_begin(hv, uuid, &o, false);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	virDomainStatsRecordPtr *recs = NULL;
	virDomainPtr doms[2] = { o.dom, NULL };
	unsigned what = VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
			VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE |
			VIR_DOMAIN_STATS_BLOCK;
	if (!active(o.state))
		rc = not_started(&o);
	else if (virDomainListGetStats(doms, what, &recs, 0) < 0)
		rc = lv_fail(PRL_ERR_VM_OPERATION_FAILED, "statistics", uuid);
	for (int i = 0; recs && recs[i]; i++)
		parse_record(recs[i], out);
	if (recs)
		virDomainStatsRecordListFree(recs);
	if (rc == PRL_ERR_SUCCESS)
		stats_fallback(o.dom, out);
	/* statistics change nothing: no report */
	if (o.dom)
		virDomainFree(o.dom);
	pthread_mutex_unlock(&o.rec->op);
	return rc;
}
