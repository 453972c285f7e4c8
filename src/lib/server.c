/*
 * server.c — PHT_SERVER: the handler list, the notification thread that
 * calls handlers, and the generic handle functions (PrlHandle_*).
 *
 * Delivery: prl__server_deliver() appends a job or event to the server's
 * FIFO; one notification thread per server pops items in order, copies the
 * handler list under the server's lock, unlocks, and calls each handler with
 * a reference of its own.  No lock of ours is held while user code runs, so
 * a handler may call anything — wait on another job, unregister itself,
 * free the server.  Every queued item holds a reference on the server (jobs
 * and events keep one), so the server outlives its queue; the notifier
 * itself is shared by the server and its thread and freed by the last one.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "conn.h"
#include "vm.h"
#include "PrlApi.h"

typedef struct qitem {
	struct qitem *next;
	prl__obj *obj;
} qitem;

struct prl__notifier {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	qitem *head, *tail;
	int stop;
	int sleeping;                    /* the thread waits on cv */
	atomic_int refs;                 /* server + thread (+ a waker) */
};

static void notifier_unref(prl__notifier *n)
{
	if (atomic_fetch_sub_explicit(&n->refs, 1, memory_order_acq_rel) != 1)
		return;
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->cv);
	free(n);
}

static prl__server *owner_of(prl__obj *o)
{
	if (prl__type_of(o) == PHT_JOB)
		return ((prl__job *)o)->server;
	return ((prl__event *)o)->server;
}

static int wants(const prl__handler *h, prl__obj *o)
{
	if (!h->vm_uuid)
		return 1;
	if (prl__type_of(o) != PHT_EVENT)
		return 0;
	return strcmp(((prl__event *)o)->issuer_id, h->vm_uuid) == 0;
}

/* Set on notification threads (they run user handlers). */
static _Thread_local int on_notifier;

static int same_owner(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Is (fn, data, vm_uuid) still registered?  s->mu held. */
static int registered(prl__server *s, const prl__handler *h)
{
	for (uint32_t i = 0; i < s->n_handlers; i++)
		if (s->handlers[i].fn == h->fn && s->handlers[i].data == h->data &&
		    same_owner(s->handlers[i].vm_uuid, h->vm_uuid))
			return 1;
	return 0;
}

/* Calls one handler unless it was unregistered meanwhile; while it runs,
 * s->in_call tells PrlSrv_UnregEventHandler (on another thread) to wait, so
 * that once unregistering returns the handler is neither running nor called
 * again and its data may be freed. */
static void call_one(prl__server *s, const prl__handler *h, prl__obj *o)
{
	pthread_mutex_lock(&s->mu);
	int go = registered(s, h);
	if (go)
		s->in_call = 1;
	pthread_mutex_unlock(&s->mu);
	if (!go)
		return;
	h->fn(prl__give(o), h->data);
	pthread_mutex_lock(&s->mu);
	s->in_call = 0;
	pthread_cond_broadcast(&s->call_done);
	pthread_mutex_unlock(&s->mu);
}

/* Calls every interested handler; runs on the notification thread only. */
static void dispatch(prl__obj *o)
{
	prl__server *s = owner_of(o);
	pthread_mutex_lock(&s->mu);
	uint32_t n = s->n_handlers;
	prl__handler *copy = n ? malloc(sizeof(*copy) * n) : NULL;
	if (copy)
		memcpy(copy, s->handlers, sizeof(*copy) * n);
	for (uint32_t i = 0; copy && i < n; i++)
		copy[i].vm_uuid = prl__strdup(copy[i].vm_uuid);
	pthread_mutex_unlock(&s->mu);
	for (uint32_t i = 0; copy && i < n; i++) {
		if (wants(&copy[i], o))
			call_one(s, &copy[i], o);
		free(copy[i].vm_uuid);
	}
	free(copy);
}

/* Items queued in any notifier and not yet fully dispatched. */
static pthread_mutex_t inflight_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t inflight_cv = PTHREAD_COND_INITIALIZER;
static long inflight;

static void inflight_add(long d)
{
	pthread_mutex_lock(&inflight_mu);
	inflight += d;
	if (!inflight)
		pthread_cond_broadcast(&inflight_cv);
	pthread_mutex_unlock(&inflight_mu);
}

void prl__quiesce(unsigned timeout_ms)
{
	if (on_notifier)
		return;
	struct timespec ts;
	prl__deadline(&ts, CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&inflight_mu);
	while (inflight > 0)
		if (pthread_cond_timedwait(&inflight_cv, &inflight_mu, &ts))
			break;
	pthread_mutex_unlock(&inflight_mu);
}

static void *notify_main(void *arg)
{
	prl__notifier *n = arg;
	on_notifier = 1;
	pthread_mutex_lock(&n->mu);
	for (;;) {
		while (!n->head && !n->stop) {
			n->sleeping = 1;
			pthread_cond_wait(&n->cv, &n->mu);
			n->sleeping = 0;
		}
		qitem *it = n->head;
		if (!it)
			break;
		n->head = it->next;
		if (!n->head)
			n->tail = NULL;
		pthread_mutex_unlock(&n->mu);
		dispatch(it->obj);
		prl__put(it->obj);
		free(it);
		inflight_add(-1);
		pthread_mutex_lock(&n->mu);
	}
	pthread_mutex_unlock(&n->mu);
	notifier_unref(n);
	return NULL;
}

static prl__notifier *notifier_start(void)
{
	prl__notifier *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->cv, NULL);
	atomic_init(&n->refs, 2);
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&t, &a, notify_main, n);
	pthread_attr_destroy(&a);
	if (rc) {
		pthread_mutex_destroy(&n->mu);
		pthread_cond_destroy(&n->cv);
		free(n);
		return NULL;
	}
	return n;
}

/* Queues o; returns 1 when the thread sleeps and must be woken, with a
 * reference on n for the waker (see prl__server_deliver). */
static int notifier_push(prl__notifier *n, prl__obj *o)
{
	qitem *it = malloc(sizeof(*it));
	if (!it)
		return 0;
	prl__ref(o);
	inflight_add(1);
	it->obj = o;
	it->next = NULL;
	pthread_mutex_lock(&n->mu);
	if (n->tail)
		n->tail->next = it;
	else
		n->head = it;
	n->tail = it;
	int wake = n->sleeping;
	n->sleeping = 0;                  /* one wake-up is enough */
	if (wake)
		atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&n->mu);
	return wake;
}

void prl__server_deliver(prl__server *s, prl__obj *o)
{
	/* Most programs wait for their jobs and register no handler: no lock
	 * for them.  (A handler being registered right now may or may not see
	 * this item, as with the lock.) */
	if (!__atomic_load_n(&s->n_handlers, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&s->mu);
	if (!s->n_handlers) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	if (!s->notifier)
		s->notifier = notifier_start();
	prl__notifier *n = s->notifier;
	/* Push under the server lock so that items keep their order. */
	int wake = n ? notifier_push(n, o) : 0;
	pthread_mutex_unlock(&s->mu);
	/* Woken with no lock held: woken under one, the thread would run only
	 * to block on it at once (one CPU: two extra context switches). */
	if (wake) {
		pthread_cond_signal(&n->cv);
		notifier_unref(n);
	}
}

int prl__server_add_handler(prl__server *s, PRL_EVENT_HANDLER_PTR fn, void *data,
			    const char *vm_uuid)
{
	pthread_mutex_lock(&s->mu);
	if (s->n_handlers == s->cap_handlers) {
		uint32_t cap = s->cap_handlers ? s->cap_handlers * 2 : 4;
		prl__handler *h = realloc(s->handlers, sizeof(*h) * cap);
		if (!h) {
			pthread_mutex_unlock(&s->mu);
			return -ENOMEM;
		}
		s->handlers = h;
		s->cap_handlers = cap;
	}
	prl__handler *h = &s->handlers[s->n_handlers];
	h->fn = fn;
	h->data = data;
	h->vm_uuid = prl__strdup(vm_uuid);
	if (vm_uuid && !h->vm_uuid) {
		pthread_mutex_unlock(&s->mu);
		return -ENOMEM;
	}
	__atomic_store_n(&s->n_handlers, s->n_handlers + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->mu);
	prl__conn_unpark(s);
	return 0;
}

int prl__server_remove_handler(prl__server *s, PRL_EVENT_HANDLER_PTR fn, void *data,
			       const char *vm_uuid)
{
	int found = -ENOENT;
	pthread_mutex_lock(&s->mu);
	for (uint32_t i = 0; i < s->n_handlers; i++) {
		prl__handler *h = &s->handlers[i];
		if (h->fn != fn || h->data != data || !same_owner(h->vm_uuid, vm_uuid))
			continue;
		free(h->vm_uuid);
		memmove(h, h + 1, sizeof(*h) * (s->n_handlers - i - 1));
		__atomic_store_n(&s->n_handlers, s->n_handlers - 1, __ATOMIC_RELEASE);
		found = 0;
		break;
	}
	/* From another thread: wait out a handler call in progress.  (On the
	 * notification thread that call is our caller: waiting would deadlock.) */
	while (!on_notifier && s->in_call)
		pthread_cond_wait(&s->call_done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return found;
}

static void server_destroy(prl__obj *o)
{
	prl__server *s = (prl__server *)o;
	prl__conn_destroy(s);
	if (s->notifier) {
		pthread_mutex_lock(&s->notifier->mu);
		s->notifier->stop = 1;
		pthread_cond_signal(&s->notifier->cv);
		pthread_mutex_unlock(&s->notifier->mu);
		notifier_unref(s->notifier);
	}
	for (uint32_t i = 0; i < s->n_handlers; i++)
		free(s->handlers[i].vm_uuid);
	free(s->handlers);
	pthread_cond_destroy(&s->call_done);
	pthread_mutex_destroy(&s->vms_mu);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const prl__type prl__server_type = { PHT_SERVER, server_destroy };

void prl__server_link_vm(prl__server *s, prl__vmlink *l)
{
	pthread_mutex_lock(&s->vms_mu);
	l->prev = NULL;
	l->next = s->vms;
	if (s->vms)
		s->vms->prev = l;
	s->vms = l;
	pthread_mutex_unlock(&s->vms_mu);
}

void prl__server_unlink_vm(prl__server *s, prl__vmlink *l)
{
	pthread_mutex_lock(&s->vms_mu);
	if (l->prev)
		l->prev->next = l->next;
	else if (s->vms == l)
		s->vms = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->prev = l->next = NULL;
	pthread_mutex_unlock(&s->vms_mu);
}

/* A VM in the list is not freed yet (its destructor unlinks it under
 * vms_mu first), but may be dying: prl__get on its handle tells.  The live
 * ones are collected under the lock and looked at after it, because
 * dropping the last reference of a VM unlinks it (takes vms_mu). */
void prl__server_each_vm(prl__server *s, const char *uuid,
			 void (*fn)(prl__obj *vm, void *arg), void *arg)
{
	prl__obj **live = NULL;
	size_t n = 0, cap = 0;
	pthread_mutex_lock(&s->vms_mu);
	for (prl__vmlink *l = s->vms; l; l = l->next) {
		if (n == cap) {
			size_t c = cap ? cap * 2 : 16;
			prl__obj **p = realloc(live, sizeof(*p) * c);
			if (!p)
				break;
			live = p;
			cap = c;
		}
		prl__obj *vm = prl__get(prl__handle(l->vm), PHT_VIRTUAL_MACHINE);
		if (vm)
			live[n++] = vm;
	}
	pthread_mutex_unlock(&s->vms_mu);
	for (size_t i = 0; i < n; i++) {
		if (prl__vm_uuid_is(live[i], uuid))
			fn(live[i], arg);
		prl__put(live[i]);
	}
	free(live);
}

prl__server *prl__server_from(PRL_HANDLE h)
{
	return (prl__server *)prl__get(h, PHT_SERVER);
}

/* ---- the public layer ---------------------------------------------------- */

PRL_METHOD(PrlSrv_Create)(PRL_HANDLE_PTR handle)
{
	PRL__CHECK_INIT();
	PRL__CHECK_ARG(handle);
	prl__server *s = calloc(1, sizeof(*s));
	if (!s)
		return PRL_ERR_OUT_OF_MEMORY;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->vms_mu, NULL);
	pthread_cond_init(&s->call_done, NULL);
	if (!prl__register(&s->base, &prl__server_type))
		return PRL_ERR_OUT_OF_MEMORY;
	*handle = prl__handle(&s->base);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlSrv_RegEventHandler)(PRL_HANDLE hServer, PRL_EVENT_HANDLER_PTR handler,
				   PRL_VOID_PTR userData)
{
	PRL__OBJ(s, prl__server, hServer, PHT_SERVER);
	PRL__CHECK_ARG(handler);
	return prl__server_add_handler(s, handler, userData, NULL) ? PRL_ERR_OUT_OF_MEMORY
								    : PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlSrv_UnregEventHandler)(PRL_HANDLE hServer, PRL_EVENT_HANDLER_PTR handler,
				     PRL_VOID_PTR userData)
{
	PRL__OBJ(s, prl__server, hServer, PHT_SERVER);
	PRL__CHECK_ARG(handler);
	return prl__server_remove_handler(s, handler, userData, NULL) ? PRL_ERR_INVALID_ARG
								       : PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlHandle_AddRef)(PRL_HANDLE handle)
{
	return prl__handle_addref(handle);
}

PRL_METHOD(PrlHandle_Free)(PRL_HANDLE handle)
{
	return prl__handle_release(handle);
}

PRL_METHOD(PrlHandle_GetType)(PRL_HANDLE handle, PRL_HANDLE_TYPE_PTR type)
{
	PRL__OBJ(o, prl__obj, handle, PHT_ERROR);
	PRL__CHECK_ARG(type);
	*type = prl__type_of(o);
	return PRL_ERR_SUCCESS;
}

/* Handlers on a server get everything; on a VM, that VM's events (the VM
 * family registers through prl__vm_handler_owner, see vm.c). */
PRL_METHOD(PrlHandle_RegEventHandler)(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler,
				      PRL_VOID_PTR userData)
{
	PRL__OBJ(o, prl__obj, hObj, PHT_ERROR);
	PRL__CHECK_ARG(handler);
	if (prl__type_of(o) == PHT_SERVER)
		return PrlSrv_RegEventHandler(hObj, handler, userData);
	if (prl__type_of(o) == PHT_VIRTUAL_MACHINE)
		return PrlVm_RegEventHandler(hObj, handler, userData);
	return PRL_ERR_INVALID_ARG;
}

PRL_METHOD(PrlHandle_UnregEventHandler)(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler,
					PRL_VOID_PTR userData)
{
	PRL__OBJ(o, prl__obj, hObj, PHT_ERROR);
	PRL__CHECK_ARG(handler);
	if (prl__type_of(o) == PHT_SERVER)
		return PrlSrv_UnregEventHandler(hObj, handler, userData);
	if (prl__type_of(o) == PHT_VIRTUAL_MACHINE)
		return PrlVm_UnregEventHandler(hObj, handler, userData);
	return PRL_ERR_INVALID_ARG;
}
