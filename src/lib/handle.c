/*
 * handle.c — the handle table: every API object is reached through it.
 *
 * A handle is `(generation << 32) | (slot + 1)` stored in a pointer-sized
 * PRL_HANDLE.  Each slot keeps one atomic 64-bit word, `generation:32 |
 * refcount:32`, next to the object pointer.  Taking a reference is a single
 * compare-and-swap that also proves the handle is current: a freed slot has a
 * new generation (bumped by the CAS that drops the last reference), so a
 * stale, forged or double-freed handle is refused and never reaches memory
 * that was freed.  Nothing on the AddRef/Free path takes a lock.
 *
 * Slots live in chunks allocated on demand and never freed while the process
 * runs, so a lookup needs no lock either.  Free slots are kept on a list
 * under a mutex, behind a small per-thread cache: a thread that makes and
 * frees a job and its result per request (the common loop) reuses its own
 * slots without the lock; a thread's cache goes back to the list when the
 * thread ends.  Consecutive allocations are
 * spread over different cache lines so that threads working on handles made
 * one after the other do not share a line.
 */
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "errtext.h"

#define CHUNK_BITS 14
#define CHUNK_SLOTS (1u << CHUNK_BITS)            /* 16384 slots, 256 KiB */
#define MAX_CHUNKS 65536u                         /* 1G handles */
#define SPREAD 4u                                 /* slots per cache line */
#define TYPE_BUCKETS 256u

typedef struct slot {
	_Atomic uint64_t word;                    /* gen:32 | refs:32 */
	prl__obj *_Atomic obj;
} slot;

static slot *_Atomic chunks[MAX_CHUNKS];
static pthread_mutex_t alloc_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *free_list;                       /* stack of slot numbers */
static uint32_t free_len, free_cap;
static uint32_t next_fresh;                       /* never-used slot counter */
static _Atomic uint32_t live_total;
static _Atomic uint32_t live_by_type[TYPE_BUCKETS];
static int debug_handles;

#define LOCAL_SLOTS 16u                         /* per-thread cache of free slots */

static __thread struct local_slots {
	uint32_t n;
	uint32_t slot[LOCAL_SLOTS];
} local;
static pthread_key_t local_key;                   /* its destructor flushes */
static pthread_once_t local_once = PTHREAD_ONCE_INIT;

static inline uint32_t refs_of(uint64_t w) { return (uint32_t)w; }
static inline uint32_t gen_of(uint64_t w) { return (uint32_t)(w >> 32); }

static inline slot *slot_at(uint32_t n)
{
	slot *c = atomic_load_explicit(&chunks[n >> CHUNK_BITS], memory_order_acquire);
	return c ? &c[n & (CHUNK_SLOTS - 1)] : NULL;
}

static inline unsigned type_bucket(PRL_HANDLE_TYPE t)
{
	return (unsigned)t & (TYPE_BUCKETS - 1);
}

/* Maps the i-th fresh slot of a chunk so neighbours land SPREAD lines apart. */
static uint32_t spread(uint32_t fresh)
{
	uint32_t in = fresh & (CHUNK_SLOTS - 1);
	uint32_t per = CHUNK_SLOTS / SPREAD;
	return (fresh & ~(CHUNK_SLOTS - 1)) | ((in % SPREAD) * per + in / SPREAD);
}

static int take_slot(uint32_t *out)
{
	if (free_len) {
		*out = free_list[--free_len];
		return 0;
	}
	if (next_fresh >= MAX_CHUNKS * CHUNK_SLOTS)
		return -ENOSPC;
	uint32_t n = spread(next_fresh);
	uint32_t ci = next_fresh >> CHUNK_BITS;
	if (!atomic_load_explicit(&chunks[ci], memory_order_relaxed)) {
		slot *c = calloc(CHUNK_SLOTS, sizeof(slot));
		if (!c)
			return -ENOMEM;
		atomic_store_explicit(&chunks[ci], c, memory_order_release);
	}
	next_fresh++;
	*out = n;
	return 0;
}

static void push_free_locked(uint32_t n)
{
	if (free_len == free_cap) {
		uint32_t cap = free_cap ? free_cap * 2 : 1024;
		uint32_t *p = realloc(free_list, cap * sizeof(*p));
		if (!p)                           /* leak the slot, never reuse it */
			return;
		free_list = p;
		free_cap = cap;
	}
	free_list[free_len++] = n;
}

/* A thread ends: its cached slots go back to the list. */
static void flush_local(void *arg)
{
	struct local_slots *l = arg;
	pthread_mutex_lock(&alloc_mu);
	while (l->n)
		push_free_locked(l->slot[--l->n]);
	pthread_mutex_unlock(&alloc_mu);
}

static void make_local_key(void)
{
	if (pthread_key_create(&local_key, flush_local))
		local_key = (pthread_key_t)-1;
}

/* Unloaded (dlclose): no thread may later run a destructor that is gone.
 * The slots still cached are not reused; the table goes with the library. */
__attribute__((destructor)) static void drop_local_key(void)
{
	int made = 0;
	if (pthread_once(&local_once, make_local_key) == 0)
		made = local_key != (pthread_key_t)-1;
	if (made)
		pthread_key_delete(local_key);
}

static void give_slot_back(uint32_t n)
{
	if (local.n < LOCAL_SLOTS) {
		pthread_once(&local_once, make_local_key);
		/* Caching needs the destructor that returns the slots. */
		if (local_key != (pthread_key_t)-1 &&
		    (local.n || pthread_setspecific(local_key, &local) == 0)) {
			local.slot[local.n++] = n;
			return;
		}
	}
	pthread_mutex_lock(&alloc_mu);
	push_free_locked(n);
	pthread_mutex_unlock(&alloc_mu);
}

static void record_backtrace(prl__obj *o)
{
	void *frames[32];
	int n = backtrace(frames, 32);
	o->backtrace = malloc(sizeof(void *) * (size_t)n);
	if (o->backtrace) {
		memcpy(o->backtrace, frames, sizeof(void *) * (size_t)n);
		o->backtrace_len = n;
	}
}

prl__obj *prl__register(prl__obj *o, const prl__type *ops)
{
	uint32_t n;
	o->ops = ops;
	int rc = 0;
	if (local.n) {
		n = local.slot[--local.n];
	} else {
		pthread_mutex_lock(&alloc_mu);
		rc = take_slot(&n);
		pthread_mutex_unlock(&alloc_mu);
	}
	if (rc) {
		ops->destroy(o);
		return NULL;
	}
	slot *s = slot_at(n);
	uint32_t gen = gen_of(atomic_load_explicit(&s->word, memory_order_relaxed));
	o->slot = n;
	o->gen = gen;
	if (debug_handles)
		record_backtrace(o);
	atomic_store_explicit(&s->obj, o, memory_order_relaxed);
	atomic_store_explicit(&s->word, ((uint64_t)gen << 32) | 1u, memory_order_release);
	atomic_fetch_add_explicit(&live_total, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&live_by_type[type_bucket(ops->type)], 1,
				  memory_order_relaxed);
	return o;
}

__attribute__((noinline)) static void *zero(void *p, size_t size)
{
	return memset(p, 0, size);
}

void *prl__zalloc(size_t size)
{
	void *p = malloc(size);
	return p ? zero(p, size) : NULL;
}

void *prl__new(size_t size, const prl__type *ops)
{
	prl__obj *o = prl__zalloc(size);
	if (!o)
		return NULL;
	return prl__register(o, ops);
}

static int decode(PRL_HANDLE h, uint32_t *n, uint32_t *gen)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	uint32_t lo = (uint32_t)v;
	if (!lo)
		return -1;
	*n = lo - 1;
	*gen = (uint32_t)(v >> 32);
	return *n < MAX_CHUNKS * CHUNK_SLOTS ? 0 : -1;
}

/* Adds one reference if s still holds generation gen. */
static int try_ref(slot *s, uint32_t gen)
{
	uint64_t w = atomic_load_explicit(&s->word, memory_order_acquire);
	for (;;) {
		if (gen_of(w) != gen || refs_of(w) == 0 || refs_of(w) == UINT32_MAX)
			return -1;
		if (atomic_compare_exchange_weak_explicit(&s->word, &w, w + 1,
				memory_order_acq_rel, memory_order_acquire))
			return 0;
	}
}

prl__obj *prl__get(PRL_HANDLE h, PRL_HANDLE_TYPE type)
{
	uint32_t n, gen;
	if (!prl__initialized() || decode(h, &n, &gen))
		return NULL;
	slot *s = slot_at(n);
	if (!s || try_ref(s, gen))
		return NULL;
	prl__obj *o = atomic_load_explicit(&s->obj, memory_order_acquire);
	if (type != PHT_ERROR && o->ops->type != type) {
		prl__put(o);
		return NULL;
	}
	return o;
}

/* The slot of a live-looking handle value, or NULL. */
static slot *slot_of(PRL_HANDLE h, uint32_t *gen)
{
	uint32_t n;
	if (decode(h, &n, gen))
		return NULL;
	return slot_at(n);
}

PRL_RESULT prl__handle_addref(PRL_HANDLE h)
{
	uint32_t gen;
	slot *s = prl__initialized() ? slot_of(h, &gen) : NULL;
	if (!s)
		return prl__bad_handle();
	return try_ref(s, gen) ? PRL_ERR_INVALID_ARG : PRL_ERR_SUCCESS;
}

static int unref(slot *s, uint32_t gen);

PRL_RESULT prl__handle_release(PRL_HANDLE h)
{
	uint32_t gen;
	slot *s = prl__initialized() ? slot_of(h, &gen) : NULL;
	if (!s)
		return prl__bad_handle();
	return unref(s, gen) ? PRL_ERR_INVALID_ARG : PRL_ERR_SUCCESS;
}

void prl__ref(prl__obj *o)
{
	atomic_fetch_add_explicit(&slot_at(o->slot)->word, 1, memory_order_relaxed);
}

static void destroy(prl__obj *o, slot *s)
{
	atomic_fetch_sub_explicit(&live_total, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(&live_by_type[type_bucket(o->ops->type)], 1,
				  memory_order_relaxed);
	atomic_store_explicit(&s->obj, NULL, memory_order_relaxed);
	uint32_t n = o->slot;
	free(o->backtrace);
	o->ops->destroy(o);
	give_slot_back(n);
}

/* Drops one reference of the current generation gen; -1 if not current. */
static int unref(slot *s, uint32_t gen)
{
	uint64_t w = atomic_load_explicit(&s->word, memory_order_acquire);
	for (;;) {
		if (gen_of(w) != gen || refs_of(w) == 0)
			return -1;
		uint64_t nw = refs_of(w) == 1 ? (uint64_t)(gen + 1) << 32 : w - 1;
		if (atomic_compare_exchange_weak_explicit(&s->word, &w, nw,
				memory_order_acq_rel, memory_order_acquire))
			break;
	}
	if (refs_of(w) == 1)
		destroy(atomic_load_explicit(&s->obj, memory_order_acquire), s);
	return 0;
}

void prl__put(prl__obj *o)
{
	if (o)
		unref(slot_at(o->slot), o->gen);
}

PRL_HANDLE prl__handle(const prl__obj *o)
{
	uint64_t v = ((uint64_t)o->gen << 32) | (uint64_t)(o->slot + 1);
	return (PRL_HANDLE)(uintptr_t)v;
}

PRL_HANDLE prl__give(prl__obj *o)
{
	prl__ref(o);
	return prl__handle(o);
}

PRL_HANDLE_TYPE prl__type_of(const prl__obj *o)
{
	return o->ops->type;
}

uint32_t prl__handles_count(PRL_HANDLE_TYPE type)
{
	if (type == PHT_ERROR)
		return atomic_load(&live_total);
	return atomic_load(&live_by_type[type_bucket(type)]);
}

void prl__handles_debug_init(void)
{
	const char *e = getenv("PRL_SDK_DEBUG_HANDLES");
	debug_handles = e && *e && strcmp(e, "0") != 0;
}

static void report_one(const prl__obj *o, uint32_t refs)
{
	const char *name = prlc_handle_type_name(o->ops->type);
	fprintf(stderr, "openprl: live handle %p type %s refs %u, created at:\n",
		(void *)prl__handle(o), name ? name : "?", refs);
	if (o->backtrace_len)
		backtrace_symbols_fd(o->backtrace, o->backtrace_len, 2);
	else
		fprintf(stderr, "  (no backtrace: set PRL_SDK_DEBUG_HANDLES=1 before PrlApi_InitEx)\n");
}

/* Walks every slot ever handed out; only for the Deinit leak report. */
void prl__handles_report(void)
{
	uint32_t total = atomic_load(&live_total);
	if (!total)
		return;
	fprintf(stderr, "openprl: %u handle(s) still alive at PrlApi_Deinit\n", total);
	pthread_mutex_lock(&alloc_mu);
	uint32_t fresh = next_fresh;
	pthread_mutex_unlock(&alloc_mu);
	for (uint32_t i = 0; i < fresh; i++) {
		slot *s = slot_at(spread(i));
		uint64_t w = atomic_load(&s->word);
		prl__obj *o = atomic_load(&s->obj);
		if (refs_of(w) && o)
			report_one(o, refs_of(w));
	}
}
