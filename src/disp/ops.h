/*
 * ops.h — how the dispatcher's operations are declared and written.
 *
 * Every request names a PJOC_* operation.  A table entry (disp_op) says what
 * runs for it and under which rules; dispatch is a lookup, never a switch.
 * Any source file can add its own table:
 *
 *     static const disp_op vm_ops[] = {
 *         { PJOC_VM_START, "VM_START", DISP_OP_WORKER, vm_start_run, NULL },
 *     };
 *     DISP_OPS_REGISTER(vm_ops)
 *
 * Life of a request: the loop decodes it, checks the login rules, snapshots
 * the session into the request, then calls run() — on the loop, or on a
 * worker thread with DISP_OP_WORKER.  run() reads its arguments, adds result
 * values and returns a PRL_RESULT.  Back on the loop, done() (optional) may
 * change the connection's state, and the Response {id, result, error text,
 * values} is sent — after a delay if run() asked for one.  A run() that
 * has its answer as bytes already hands them over whole instead
 * (disp_req_set_reply).  A cancelled request (PJOC_JOB_CANCEL,
 * DISP_OP_CANCELLABLE) is answered at once with
 * PRL_ERR_OPERATION_WAS_CANCELED; its run() still finishes, then its result
 * is thrown away and done() is not called.
 *
 * Thread rules: in run() of a worker op, use only the disp_req_* calls below
 * that are marked "any thread"; disp_req_conn() is for the loop thread only.
 */
#ifndef OPENPRL_DISP_OPS_H
#define OPENPRL_DISP_OPS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disp.h"

typedef int (*disp_op_run_fn)(disp_req *r);
typedef void (*disp_op_done_fn)(disp_req *r);

enum {
	DISP_OP_NO_LOGIN = 1u << 0,     /* allowed before login */
	DISP_OP_WORKER = 1u << 1,       /* run() blocks: run it on a worker */
	DISP_OP_CANCELLABLE = 1u << 2,  /* PJOC_JOB_CANCEL may cancel it */
	DISP_OP_LOGIN = 1u << 3,        /* refused while logged in */
};

typedef struct disp_op {
	uint32_t op;                    /* PJOC_* */
	const char *name;               /* for logs and error texts */
	unsigned flags;                 /* DISP_OP_* */
	disp_op_run_fn run;
	disp_op_done_fn done;           /* NULL: nothing to do on the loop */
} disp_op;

#define DISP_OP_CODE_MAX 1024           /* op codes are below this */

/* Adds a table (static storage; not copied).  A code registered twice
 * keeps the first entry and logs an error.  Call before the loop runs;
 * DISP_OPS_REGISTER does it from a constructor. */
int disp_ops_register(const disp_op *ops, size_t n);
const disp_op *disp_ops_find(uint32_t op);

#define DISP_OPS_REGISTER(table)                                            \
	__attribute__((constructor)) static void disp_ops_reg_##table(void) \
	{                                                                    \
		disp_ops_register(table, sizeof(table) / sizeof(table[0]));  \
	}

/* ---- inside a handler ------------------------------------------------------ */

/* The decoded request (any thread). */
const Prl__Request *disp_req_msg(const disp_req *r);
/* The session as it was when the request arrived (any thread). */
const disp_session *disp_req_session(const disp_req *r);
disp_server *disp_req_server(const disp_req *r);
/* The connection: loop thread only (done(), or run() of a loop op).  It may
 * be closing — check disp_conn_alive(). */
disp_conn *disp_req_conn(const disp_req *r);

/* Arguments by name (any thread).  NULL / -1 when absent or of another
 * type. */
const Prl__Value *disp_req_arg(const disp_req *r, const char *name);
const char *disp_req_arg_str(const disp_req *r, const char *name);
int disp_req_arg_u32(const disp_req *r, const char *name, uint32_t *out);

/* Appends a result value (any thread); the request owns v from here and
 * releases it with free_fn (NULL: prl__value__free_unpacked, i.e. every
 * part of v must be malloc'd).  0, or -1 (v released) when memory runs
 * out. */
int disp_req_add_value(disp_req *r, Prl__Value *v,
		       void (*free_fn)(Prl__Value *v));
/* Hands over the whole reply, already encoded: a complete Response frame
 * ([length][Frame], malloc'ed; the request owns it from here) that is sent
 * as it is instead of one encoded from the result values — for answers
 * assembled from cached bytes (the VM list, vmlist_wire.h).  The frame must
 * answer this request's id and is the answer whatever run() returns (which
 * done() still sees); values added before or after are dropped.  It is
 * queued like any reply, under the connection's output bound.  Any
 * thread. */
void disp_req_set_reply(disp_req *r, uint8_t *frame, size_t len);
/* Sets the error text and returns result, for `return disp_req_fail(...)`.
 * Any thread. */
int disp_req_fail(disp_req *r, int result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sends the reply ms after run() finished (any thread). */
void disp_req_delay_reply(disp_req *r, unsigned ms);
/* Data passed from run() to done(); freed with free_fn when the request is
 * (any thread). */
void disp_req_set_data(disp_req *r, void *data, void (*free_fn)(void *));
void *disp_req_data(const disp_req *r);
/* The result run() returned (for done()). */
int disp_req_result(const disp_req *r);

#endif
