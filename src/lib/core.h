/*
 * core.h — the library's internal object model: handles, references, the
 * thin-layer macros every public function uses, values, results, events,
 * jobs and servers.
 *
 * Every API object starts with a `prl__obj` and lives in the handle table
 * (handle.c).  The table owns the reference count: a handle value encodes a
 * slot and a generation, so resolving a stale, forged or freed handle fails
 * cleanly instead of touching freed memory.  Internal holders keep references
 * exactly as callers do (prl__ref / prl__put).
 *
 * Thread rules: every function here may be called from any thread unless its
 * comment says otherwise.  No lock of ours is held while user code runs.
 */
#ifndef OPENPRL_LIB_CORE_H
#define OPENPRL_LIB_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"

/* ---- objects and handles ------------------------------------------------ */

typedef struct prl__obj prl__obj;

typedef struct prl__type {
	PRL_HANDLE_TYPE type;
	void (*destroy)(prl__obj *o);   /* frees the object's own memory too */
} prl__type;

struct prl__obj {
	const prl__type *ops;
	uint32_t slot;                  /* table slot; set by prl__handle_new */
	uint32_t gen;
	void **backtrace;               /* PRL_SDK_DEBUG_HANDLES=1 only */
	int backtrace_len;
};

/* Registers o (whose ops are set) in the table with one reference, which the
 * caller owns.  Returns NULL (and destroys o) when the table is full. */
prl__obj *prl__register(prl__obj *o, const prl__type *ops);
/* Allocates size zeroed bytes, sets ops and registers: one reference. */
void *prl__new(size_t size, const prl__type *ops);

/* Resolves h, checking its type unless type == PHT_ERROR, and takes a
 * reference.  NULL for an invalid, stale or wrong-typed handle. */
prl__obj *prl__get(PRL_HANDLE h, PRL_HANDLE_TYPE type);
void prl__ref(prl__obj *o);
/* PrlHandle_AddRef / PrlHandle_Free: one compare-and-swap each. */
PRL_RESULT prl__handle_addref(PRL_HANDLE h);
PRL_RESULT prl__handle_release(PRL_HANDLE h);
void prl__put(prl__obj *o);            /* NULL is fine */
PRL_HANDLE prl__handle(const prl__obj *o);
/* Takes a reference for the caller and returns the handle (out-params). */
PRL_HANDLE prl__give(prl__obj *o);
PRL_HANDLE_TYPE prl__type_of(const prl__obj *o);

/* Live handles of one type, or all with PHT_ERROR. */
uint32_t prl__handles_count(PRL_HANDLE_TYPE type);
/* Prints every live handle (type and creation backtrace) to stderr. */
void prl__handles_report(void);
void prl__handles_debug_init(void);

/* ---- library state ------------------------------------------------------- */

/* One line on stderr when PrlApi_SwitchConsoleLogging turned logging on. */
void prl__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int prl__initialized(void);
PRL_UINT32 prl__api_version(void);

/* ---- the thin public layer ---------------------------------------------- */

static inline void prl__putp(void *p)
{
	prl__put(*(prl__obj **)p);
}
#define prl__auto __attribute__((cleanup(prl__putp)))

/* Status for a handle that failed to resolve. */
static inline PRL_RESULT prl__bad_handle(void)
{
	return prl__initialized() ? PRL_ERR_INVALID_ARG
				  : PRL_ERR_API_WASNT_INITIALIZED;
}

/* Declares `T *var` resolved from h (type pht, PHT_ERROR = any) for the rest
 * of the scope, released automatically; returns the error otherwise. */
#define PRL__OBJ(var, T, h, pht)                                         \
	prl__auto T *var = (T *)prl__get((h), (pht));                    \
	if (!var)                                                         \
		return prl__bad_handle()

#define PRL__CHECK_INIT()                                                \
	do {                                                              \
		if (!prl__initialized())                                  \
			return PRL_ERR_API_WASNT_INITIALIZED;             \
	} while (0)

#define PRL__CHECK_ARG(cond)                                             \
	do {                                                              \
		if (!(cond))                                              \
			return PRL_ERR_INVALID_ARG;                       \
	} while (0)

/* The string-getter convention of the real SDK: NULL buf or *len == 0 asks
 * for the size (bytes + 1); too small a buffer gets a truncated copy, the size
 * and PRL_ERR_BUFFER_OVERRUN.  s == NULL is the empty string. */
PRL_RESULT prl__copy_str(const char *s, PRL_STR buf, PRL_UINT32_PTR len);
/* Binary flavour (PrlEvtPrm_GetBuffer): size query and overrun alike. */
PRL_RESULT prl__copy_bin(const void *p, size_t n, PRL_VOID_PTR buf,
			 PRL_UINT32_PTR len);
/* *ts = now on `clock` + ms: an absolute deadline for timed waits. */
void prl__deadline(struct timespec *ts, clockid_t clock, unsigned ms);
/* Zeroed memory for a small object: malloc and memset, not calloc, which
 * in glibc skips the per-thread cache that small allocations come from
 * (the memset is out of line: GCC turns malloc + memset back into calloc). */
void *prl__zalloc(size_t size);
/* strdup that tolerates NULL (gives NULL). */
char *prl__strdup(const char *s);

/* ---- values (result and event parameters) ------------------------------ */

typedef enum prl__vkind {
	PRL__V_NONE, PRL__V_STR, PRL__V_U32, PRL__V_I32, PRL__V_U64,
	PRL__V_I64, PRL__V_BOOL, PRL__V_BIN, PRL__V_OBJ,
	PRL__V_VM_PACKED,                /* a VM not unpacked yet (results only):
					  * v.bin, in the result's arena, not owned */
} prl__vkind;

typedef struct prl__value {
	prl__vkind kind;
	union {
		char *s;
		uint64_t u;
		int64_t i;
		prl__obj *o;                 /* owned reference */
		struct { void *p; size_t n; } bin;
	} v;
} prl__value;

void prl__value_clear(prl__value *v);
/* Text form of a value (numbers in decimal); malloc'd, NULL for objects. */
char *prl__value_to_text(const prl__value *v);

/* ---- results (PHT_RESULT) ------------------------------------------------ */

typedef struct prl__arena prl__arena;
typedef struct prl__server prl__server;

/* A result is filled before its job finishes and is read-only afterwards,
 * except that PrlResult_GetParamByIndex turns a PRL__V_VM_PACKED value (a
 * VM of a list, as the dispatcher sent it) into its VM object the first
 * time it is asked for, under mu, unpacking into `arena`. */
typedef struct prl__result {
	prl__obj base;
	uint32_t n, cap;
	prl__value *params;
	pthread_mutex_t mu;              /* guards params[].kind and .v */
	prl__arena *arena;               /* reference: the packed VMs' bytes */
	prl__server *server;             /* reference: the packed VMs' server */
} prl__result;

prl__result *prl__result_new(void);
/* Appends v (moved in: the result owns what v owned). 0 or -ENOMEM. */
int prl__result_add(prl__result *r, prl__value *v);
/* Convenience: appends an object (takes a new reference on o). */
int prl__result_add_obj(prl__result *r, prl__obj *o);
int prl__result_add_str(prl__result *r, const char *s);
/* Appends a packed VmConfig of n bytes at p, which live in arena a (the
 * frame's): unpacked when first asked for.  Every packed VM of one result
 * comes from the same frame, so a and s are the same for all of them.
 * 0 or -ENOMEM. */
int prl__result_add_vm_packed(prl__result *r, prl__server *s, prl__arena *a,
			      const void *p, size_t n);

/* ---- event parameters and events ---------------------------------------- */

typedef struct prl__evtprm prl__evtprm;
/* Turns a parameter into a handle (PrlEvtPrm_ToHandle); returns an object
 * with one reference for the caller, or NULL. */
typedef prl__obj *(*prl__to_handle_fn)(const prl__evtprm *p);

struct prl__evtprm {
	prl__obj base;
	char *name;
	PRL_PARAM_FIELD_DATA_TYPE type;
	prl__value value;
	prl__to_handle_fn to_handle;     /* NULL: not convertible */
};

/* New parameter; value is moved in.  One reference for the caller. */
prl__evtprm *prl__evtprm_new(const char *name, PRL_PARAM_FIELD_DATA_TYPE type,
			     prl__value *value, prl__to_handle_fn to_handle);

typedef struct prl__job prl__job;

typedef struct prl__event {
	prl__obj base;
	PRL_EVENT_TYPE type;
	PRL_EVENT_ISSUER_TYPE issuer_type;
	char *issuer_id;
	PRL_RESULT err_code;
	char *err_string;
	uint32_t n;
	prl__evtprm **params;            /* owned references */
	prl__server *server;             /* reference or NULL */
	prl__job *job;                   /* reference or NULL */
	prl__obj *vm;                    /* reference or NULL */
	uint64_t package_id;
} prl__event;

prl__event *prl__event_new(PRL_EVENT_TYPE type, PRL_EVENT_ISSUER_TYPE issuer,
			   const char *issuer_id);
/* Appends p, taking over the caller's reference. */
int prl__event_add_param(prl__event *e, prl__evtprm *p);
/* Shorthand: appends a named u32/string parameter. */
int prl__event_add_u32(prl__event *e, const char *name, uint32_t v);
int prl__event_add_str(prl__event *e, const char *name, const char *s);

/* ---- jobs (PHT_JOB) ------------------------------------------------------ */

struct prl__job {
	prl__obj base;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	PRL_JOB_OPERATION_CODE op;
	int finished;
	int sent;                        /* request reached the wire */
	PRL_RESULT rc;
	uint32_t progress;
	prl__result *result;             /* owned; set when finished */
	prl__event *error;               /* owned; NULL if none */
	prl__server *server;             /* reference or NULL */
	uint64_t req_id;
	struct prl__job *pending_next;   /* in its connection's pending table (conn.c) */
	/* Called (once, before waiters wake) on the finishing thread to update
	 * local objects from the result, e.g. a VM's cached configuration. */
	void (*on_finish)(prl__job *j);
	prl__obj *target;                /* reference: the object the job acts on */
	/* The connection a PrlJob_Wait caller is reading itself while it waits
	 * for this job (conn.c, "direct waiting"), or NULL; under mu. */
	struct prl__conn *direct;
};

/* New running job; takes a reference on srv (may be NULL). */
prl__job *prl__job_new(PRL_JOB_OPERATION_CODE op, prl__server *srv);
/* Finishes the job exactly once: later calls are ignored and free their
 * arguments.  result (may be NULL) is moved in; errtext (may be NULL) becomes
 * the error event's text.  Wakes waiters, then hands the job to the server's
 * handlers.  Returns 1 if this call finished it, 0 if it was already done. */
int prl__job_finish(prl__job *j, PRL_RESULT rc, prl__result *result,
		    const char *errtext);
/* An async function's early error: a job already finished with rc, returned
 * as a handle the caller owns (PRL_INVALID_HANDLE only if out of memory). */
PRL_HANDLE prl__job_failed(PRL_JOB_OPERATION_CODE op, PRL_RESULT rc);
/* Returns the job as a handle for the caller, dropping the creator's
 * reference (the typical last line of an async function). */
PRL_HANDLE prl__job_handle(prl__job *j);

/* ---- servers (PHT_SERVER) and delivery ---------------------------------- */

typedef struct prl__conn prl__conn;

typedef struct prl__handler {
	PRL_EVENT_HANDLER_PTR fn;
	void *data;
	char *vm_uuid;                   /* NULL: everything of the server */
} prl__handler;

typedef struct prl__notifier prl__notifier;

struct prl__server {
	prl__obj base;
	pthread_mutex_t mu;
	prl__handler *handlers;
	uint32_t n_handlers, cap_handlers;
	prl__notifier *notifier;         /* started on first delivery */
	int in_call;                     /* a handler is running (see server.c) */
	pthread_cond_t call_done;
	pthread_mutex_t vms_mu;          /* the VM objects bound to this server */
	struct prl__vmlink *vms;         /* intrusive list, see vm.c */
	prl__conn *conn;                 /* NULL when not connected */
	struct prl__login *login;        /* cached login response, or NULL */
	int local;                       /* logged in over the unix socket */
};

prl__server *prl__server_from(PRL_HANDLE h);
/* Queues o (job or event; the queue takes its own reference) for the
 * server's handlers, on the server's notification thread, in order. */
void prl__server_deliver(prl__server *s, prl__obj *o);
int prl__server_add_handler(prl__server *s, PRL_EVENT_HANDLER_PTR fn,
			    void *data, const char *vm_uuid);
int prl__server_remove_handler(prl__server *s, PRL_EVENT_HANDLER_PTR fn,
			       void *data, const char *vm_uuid);

/* The VM objects of a server, so that events can reach them: a VM bound to
 * a server links itself in when made and out when destroyed (vm.c). */
typedef struct prl__vmlink {
	struct prl__vmlink *prev, *next;
	prl__obj *vm;
} prl__vmlink;
void prl__server_link_vm(prl__server *s, prl__vmlink *l);
void prl__server_unlink_vm(prl__server *s, prl__vmlink *l);
/* Calls fn, with a reference held and no lock of ours, for every live VM
 * object of s whose UUID is uuid. */
void prl__server_each_vm(prl__server *s, const char *uuid,
			 void (*fn)(prl__obj *vm, void *arg), void *arg);

/* Waits (bounded) until every queued delivery has been dispatched; a no-op
 * on a notification thread.  Makes PrlDbg_GetHandlesNum deterministic. */
void prl__quiesce(unsigned timeout_ms);

extern const prl__type prl__server_type;
extern const prl__type prl__job_type;
extern const prl__type prl__result_type;
extern const prl__type prl__event_type;
extern const prl__type prl__evtprm_type;

#endif /* OPENPRL_LIB_CORE_H */
