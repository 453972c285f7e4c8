/*
 * ops.c — the operation table and the life of a request (see ops.h).
 *
 * Tables registered by any file fill one array indexed by operation code.
 * A request lives in its connection's pending list from the moment it is
 * admitted until its Response is queued; that list is what PJOC_JOB_CANCEL
 * searches and what a closing connection abandons.  A request that is on a
 * worker when it is cancelled or abandoned is only marked: the worker's
 * completion, back on the loop, frees it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* glibc extensions */
#endif
#include "ops.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prlc_consts.h"

struct disp_req {
	disp_conn *conn;                /* holds a reference */
	disp_inmsg *mem;                /* holds this request and its frame */
	const Prl__Request *msg;
	const disp_op *op;
	/* The session the request runs in: its connection's own for an op on
	 * the loop (nothing changes it while the op runs), a copy taken at
	 * admission for one on a worker (the connection may log off meanwhile). */
	const disp_session *sess;
	int result;
	char *error;
	Prl__Value **vals;
	void (**val_free)(Prl__Value *);
	size_t n_vals, cap_vals;
	unsigned delay_ms;
	void *data;
	void (*data_free)(void *);
	uint8_t *reply;                 /* encoded Response frame */
	size_t reply_len;
	bool on_worker;                 /* owned by the pool right now */
	bool cancelled;                 /* answered already; drop the rest */
	struct event *timer;            /* delayed reply */
	disp_req *prev, *next;          /* conn->pending */
	disp_session copy;              /* a worker op's session (last: not cleared) */
};

/* ---- an incoming frame's memory --------------------------------------------------
 *
 * protobuf-c unpacks a message with one malloc per sub-message, string and
 * array, and frees it with as many free calls.  A frame is decoded instead
 * into one block sized from its encoding (a pointer bump per allocation;
 * what does not fit gets a malloc of its own, chained for the end), and a
 * request lives in the same block: admitting, running and ending a small
 * request costs one malloc and one free. */

typedef struct inmsg_spill {
	struct inmsg_spill *next;
	alignas(max_align_t) unsigned char data[];
} inmsg_spill;

struct disp_inmsg {
	disp_req req;                   /* used when the frame is a Request */
	ProtobufCAllocator alloc;
	inmsg_spill *spill;
	size_t used, cap;
	alignas(max_align_t) unsigned char room[];
};

#define INMSG_ALIGN (alignof(max_align_t))

static void *inmsg_alloc(void *data, size_t n)
{
	disp_inmsg *m = data;
	size_t need = (n + INMSG_ALIGN - 1) & ~(INMSG_ALIGN - 1);
	if (need >= n && need <= m->cap - m->used) {
		void *p = m->room + m->used;
		m->used += need;
		return p;
	}
	inmsg_spill *s = n <= SIZE_MAX - sizeof *s ? malloc(sizeof *s + n) : NULL;
	if (!s)
		return NULL;
	s->next = m->spill;
	m->spill = s;
	return s->data;
}

static void inmsg_free_nothing(void *data, void *p)
{
	(void)data;
	(void)p;                        /* the whole block goes at once */
}

disp_inmsg *disp_inmsg_decode(const uint8_t *body, size_t len, Prl__Frame **f)
{
	/* Decoded messages take a few times their encoding (a small request:
	 * the Frame and Request structs).  Kept small enough that the block of
	 * a small request comes from malloc's per-thread cache. */
	size_t cap = len <= (SIZE_MAX - 128) / 4 ? 4 * len + 128 : 0;
	disp_inmsg *m = cap ? malloc(sizeof *m + cap) : NULL;
	if (!m)
		return NULL;
	m->alloc.alloc = inmsg_alloc;
	m->alloc.free = inmsg_free_nothing;
	m->alloc.allocator_data = m;
	m->spill = NULL;
	m->used = 0;
	m->cap = cap;
	*f = prlc_frame_unpack(body, len, &m->alloc);
	if (!*f) {
		disp_inmsg_free(m);
		return NULL;
	}
	return m;
}

void disp_inmsg_free(disp_inmsg *m)
{
	if (!m)
		return;
	for (inmsg_spill *s = m->spill, *next; s; s = next) {
		next = s->next;
		free(s);
	}
	free(m);
}

/* ---- the operation table ----------------------------------------------------------- */

static const disp_op *op_table[DISP_OP_CODE_MAX];

int disp_ops_register(const disp_op *ops, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t code = ops[i].op;
		if (code >= DISP_OP_CODE_MAX || op_table[code]) {
			PRLC_ERROR("operation %u (%s) registered twice or out "
				   "of range", code, ops[i].name);
			rc = -EINVAL;
			continue;
		}
		op_table[code] = &ops[i];
	}
	return rc;
}

const disp_op *disp_ops_find(uint32_t op)
{
	return op < DISP_OP_CODE_MAX ? op_table[op] : NULL;
}

/* ---- accessors for handlers ---------------------------------------------------- */

const Prl__Request *disp_req_msg(const disp_req *r) { return r->msg; }
const disp_session *disp_req_session(const disp_req *r) { return r->sess; }
disp_server *disp_req_server(const disp_req *r) { return r->conn->srv; }
disp_conn *disp_req_conn(const disp_req *r) { return r->conn; }
void *disp_req_data(const disp_req *r) { return r->data; }
int disp_req_result(const disp_req *r) { return r->result; }
void disp_req_delay_reply(disp_req *r, unsigned ms) { r->delay_ms = ms; }

void disp_req_set_data(disp_req *r, void *data, void (*free_fn)(void *))
{
	if (r->data_free)
		r->data_free(r->data);
	r->data = data;
	r->data_free = free_fn;
}

const Prl__Value *disp_req_arg(const disp_req *r, const char *name)
{
	for (size_t i = 0; i < r->msg->n_args; i++) {
		const Prl__Param *p = r->msg->args[i];
		if (p->name && strcmp(p->name, name) == 0)
			return p->value;
	}
	return NULL;
}

const char *disp_req_arg_str(const disp_req *r, const char *name)
{
	const Prl__Value *v = disp_req_arg(r, name);
	return v && v->v_case == PRL__VALUE__V_STR ? v->str : NULL;
}

int disp_req_arg_u32(const disp_req *r, const char *name, uint32_t *out)
{
	const Prl__Value *v = disp_req_arg(r, name);
	if (!v || v->v_case != PRL__VALUE__V_U32)
		return -1;
	*out = v->u32;
	return 0;
}

static void free_value_default(Prl__Value *v)
{
	prl__value__free_unpacked(v, NULL);
}

int disp_req_add_value(disp_req *r, Prl__Value *v,
		       void (*free_fn)(Prl__Value *v))
{
	if (!free_fn)
		free_fn = free_value_default;
	if (r->n_vals == r->cap_vals) {
		size_t cap = r->cap_vals ? 2 * r->cap_vals : 4;
		Prl__Value **vals = realloc(r->vals, cap * sizeof *vals);
		if (vals)
			r->vals = vals;
		void (**fr)(Prl__Value *) = vals ?
			realloc(r->val_free, cap * sizeof *fr) : NULL;
		if (!fr) {
			free_fn(v);
			return -1;
		}
		r->val_free = fr;
		r->cap_vals = cap;
	}
	r->vals[r->n_vals] = v;
	r->val_free[r->n_vals++] = free_fn;
	return 0;
}

void disp_req_set_reply(disp_req *r, uint8_t *frame, size_t len)
{
	free(r->reply);
	r->reply = frame;
	r->reply_len = len;
}

int disp_req_fail(disp_req *r, int result, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	free(r->error);
	r->error = text;
	r->result = result;
	return result;
}

/* ---- replies ---------------------------------------------------------------------- */

static uint8_t *encode_response(uint64_t id, int result, const char *error,
				Prl__Value **vals, size_t n, size_t *len)
{
	Prl__Response resp = PRL__RESPONSE__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	resp.id = id;
	resp.result = result;
	resp.error = (char *)error;
	resp.params = vals;
	resp.n_params = n;
	f.body_case = PRL__FRAME__BODY_RESPONSE;
	f.response = &resp;
	return prlc_frame_encode(&f, len);
}

static void reply_simple(disp_conn *c, uint64_t id, int result,
			 const char *text)
{
	size_t len;
	uint8_t *buf = encode_response(id, result, text, NULL, 0, &len);
	if (buf)
		disp_conn_send_bytes(c, buf, len);
}

static void free_values(disp_req *r)
{
	for (size_t i = 0; i < r->n_vals; i++)
		r->val_free[i](r->vals[i]);
	free(r->vals);
	free(r->val_free);
	r->vals = NULL;
	r->val_free = NULL;
	r->n_vals = r->cap_vals = 0;
}

/* Builds the Response frame from what run() left; values go right after. */
static void req_encode(disp_req *r)
{
	r->reply = encode_response(r->msg->id, r->result, r->error, r->vals,
				   r->n_vals, &r->reply_len);
	if (!r->reply && r->n_vals) {
		PRLC_WARN("%s: reply to request %llu does not fit in a frame",
			  r->op->name, (unsigned long long)r->msg->id);
		r->reply = encode_response(r->msg->id, PRL_ERR_OUT_OF_MEMORY,
					   "result too large", NULL, 0,
					   &r->reply_len);
	}
	free_values(r);
}

/* ---- the pending list ---------------------------------------------------------------- */

static void pending_add(disp_conn *c, disp_req *r)
{
	r->prev = NULL;
	r->next = c->pending.head;
	if (r->next)
		r->next->prev = r;
	c->pending.head = r;
	c->pending.n++;
	if (r->op->flags & DISP_OP_LOGIN)
		c->login_pending = true;
}

static void pending_del(disp_req *r)
{
	disp_conn *c = r->conn;
	if (r->prev)
		r->prev->next = r->next;
	else
		c->pending.head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	c->pending.n--;
	if (r->op->flags & DISP_OP_LOGIN)
		c->login_pending = false;
	if (c->input_paused && c->pending.n < DISP_PENDING_MAX)
		disp_conn_resume_input(c);
}

static disp_req *pending_find(disp_conn *c, uint64_t id)
{
	for (disp_req *r = c->pending.head; r; r = r->next)
		if (r->msg->id == id)
			return r;
	return NULL;
}

/* ---- a request's life -------------------------------------------------------------------- */

static disp_req *req_new(disp_conn *c, Prl__Frame *f, disp_inmsg *m,
			 const disp_op *op)
{
	disp_req *r = &m->req;
	memset(r, 0, offsetof(disp_req, copy));
	r->sess = &c->sess;
	if (op->flags & DISP_OP_WORKER) {
		if (disp_session_copy(&r->copy, &c->sess) < 0)
			return NULL;
		r->sess = &r->copy;
	}
	r->conn = c;
	disp_conn_ref(c);
	r->mem = m;
	r->msg = f->request;
	r->op = op;
	return r;
}

static void req_free(disp_req *r)
{
	if (r->timer)
		event_free(r->timer);
	free_values(r);
	if (r->data_free)
		r->data_free(r->data);
	free(r->reply);
	free(r->error);
	disp_conn_unref(r->conn);
	disp_inmsg_free(r->mem);        /* r itself, and its frame */
}

/* Queues the reply and ends the request. */
static void req_send_and_free(disp_req *r)
{
	pending_del(r);
	if (r->reply)
		disp_conn_send_bytes(r->conn, r->reply, r->reply_len);
	r->reply = NULL;
	req_free(r);
}

static void req_on_timer(evutil_socket_t fd, short what, void *arg)
{
	req_send_and_free(arg);
}

static void req_delay(disp_req *r)
{
	struct timeval tv = { r->delay_ms / 1000,
			      (suseconds_t)(r->delay_ms % 1000) * 1000 };
	r->timer = evtimer_new(r->conn->srv->base, req_on_timer, r);
	if (!r->timer || evtimer_add(r->timer, &tv) < 0)
		req_send_and_free(r);
}

/* run() and, when nothing waits on the loop, the encoding: on a worker for
 * DISP_OP_WORKER ops. */
static void req_work(void *arg)
{
	disp_req *r = arg;
	r->result = r->op->run(r);
	if (!r->op->done && !r->reply)
		req_encode(r);
}

/* Back on the loop. */
static void req_back(void *arg)
{
	disp_req *r = arg;
	r->on_worker = false;
	if (r->cancelled) {             /* already answered or abandoned */
		req_free(r);
		return;
	}
	if (r->op->done)
		r->op->done(r);
	if (!r->reply)
		req_encode(r);
	if (r->delay_ms)
		req_delay(r);
	else
		req_send_and_free(r);
}

/* Answers r now with the cancellation result and drops its work. */
static void req_cancel(disp_req *r)
{
	reply_simple(r->conn, r->msg->id, PRL_ERR_OPERATION_WAS_CANCELED,
		     "the operation was canceled");
	pending_del(r);
	if (r->on_worker)
		r->cancelled = true;
	else
		req_free(r);
}

void disp_ops_abandon_all(disp_conn *c)
{
	while (c->pending.head) {
		disp_req *r = c->pending.head;
		pending_del(r);
		if (r->on_worker)
			r->cancelled = true;
		else
			req_free(r);
	}
}

/* The rules every request passes before its handler runs. */
static int admit(const disp_conn *c, const disp_op *op, uint32_t code,
		 char *text, size_t n)
{
	if (!op) {
		snprintf(text, n, "operation %u is not implemented by this "
			 "dispatcher", code);
		return PRL_ERR_UNIMPLEMENTED;
	}
	if (c->srv->shutting_down) {
		snprintf(text, n, "the dispatcher is shutting down");
		return PRL_ERR_DISP_SHUTDOWN_IN_PROCESS;
	}
	if ((op->flags & DISP_OP_LOGIN) &&
	    (c->sess.logged_in || c->login_pending)) {
		snprintf(text, n, "this connection is already logged in");
		return PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER;
	}
	if (!(op->flags & DISP_OP_NO_LOGIN) && !c->sess.logged_in) {
		snprintf(text, n, "%s needs a login first", op->name);
		return PRL_ERR_NOT_CONNECTED_TO_DISPATCHER;
	}
	return 0;
}

static void start(disp_req *r)
{
	if (!(r->op->flags & DISP_OP_WORKER)) {
		req_work(r);
		req_back(r);
		return;
	}
	r->on_worker = true;
	if (disp_workers_submit(r->conn->srv->workers, req_work, req_back,
				r) < 0) {
		r->on_worker = false;
		disp_req_fail(r, PRL_ERR_DISP_SHUTDOWN_IN_PROCESS,
			      "the dispatcher is shutting down");
		req_encode(r);
		req_send_and_free(r);
	}
}

void disp_ops_dispatch(disp_conn *c, Prl__Frame *f, disp_inmsg *mem)
{
	const Prl__Request *m = f->request;
	const disp_op *op = disp_ops_find(m->op);
	char text[160];
	int rc = admit(c, op, m->op, text, sizeof text);
	PRLC_DEBUG("%s: request %llu op %u (%s)%s", c->sess.peer,
		   (unsigned long long)m->id, m->op, op ? op->name : "?",
		   rc ? " refused" : "");
	disp_req *r = rc ? NULL : req_new(c, f, mem, op);
	if (!r) {
		reply_simple(c, m->id, rc ? rc : PRL_ERR_OUT_OF_MEMORY,
			     rc ? text : "out of memory");
		disp_inmsg_free(mem);
		return;
	}
	pending_add(c, r);
	start(r);
}

/* ---- PJOC_JOB_CANCEL: part of the request machinery itself -------------------------------- */

static int cancel_run(disp_req *r)
{
	if (!r->msg->has_cancel_id)
		return disp_req_fail(r, PRL_ERR_INVALID_ARG,
				     "cancel_id is missing");
	unsigned long long id = (unsigned long long)r->msg->cancel_id;
	disp_req *t = pending_find(r->conn, r->msg->cancel_id);
	if (!t || t == r || t->cancelled)
		return disp_req_fail(r, PRL_ERR_TASK_NOT_FOUND,
				     "no pending request %llu", id);
	if (!(t->op->flags & DISP_OP_CANCELLABLE))
		return disp_req_fail(r, PRL_ERR_TASK_NOT_FOUND,
				     "request %llu (%s) cannot be canceled",
				     id, t->op->name);
	req_cancel(t);
	return PRL_ERR_SUCCESS;
}

static const disp_op core_ops[] = {
	{ PJOC_JOB_CANCEL, "JOB_CANCEL", DISP_OP_NO_LOGIN, cancel_run, NULL },
};
DISP_OPS_REGISTER(core_ops)
