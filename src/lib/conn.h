/*
 * conn.h — a server's connection to the dispatcher (conn.c).
 *
 * The connection owns one socket and one reader thread.  Callers send from
 * their own thread (under the connection's write lock); the reader thread
 * decodes every frame, finishes jobs from responses and hands events to the
 * server's notification queue.  It never runs user code.
 */
#ifndef OPENPRL_LIB_CONN_H
#define OPENPRL_LIB_CONN_H

#include "arena.h"
#include "core.h"
#include "prl.pb-c.h"

typedef struct prl__login_args {
	int local;                 /* unix socket, identified by peer credentials */
	const char *host;          /* TCP: "host" or "host#port" */
	unsigned port;             /* 0: PRL_DISPATCHER_LISTEN_PORT */
	const char *user;
	const char *password;
	const char *prev_session;
	unsigned timeout_ms;       /* 0: 60 s */
	PRL_SECURITY_LEVEL security;
	PRL_UINT32 flags;
} prl__login_args;

/* Starts connecting and logging in s in the background; j (the login job,
 * whose reference the connection takes) finishes with the outcome. */
void prl__conn_login(prl__server *s, prl__job *j, const prl__login_args *a);

/* A request under construction: named arguments of the wire Request. */
typedef struct prl__req {
	Prl__Request msg;
	Prl__Param **args;
	size_t n_args;
} prl__req;

void prl__req_init(prl__req *r, PRL_JOB_OPERATION_CODE op);
/* Appends a named argument; the value's pointers are copied (deeply for
 * strings), objects inside Values must outlive the send call. */
int prl__req_add_str(prl__req *r, const char *name, const char *s);
int prl__req_add_u32(prl__req *r, const char *name, uint32_t v);
int prl__req_add_value(prl__req *r, const char *name, Prl__Value *v);
void prl__req_clear(prl__req *r);

/* Sends r for job j (whose reference the connection takes) and clears r.
 * Without a connection j finishes with PRL_ERR_NOT_CONNECTED_TO_DISPATCHER.
 * Returns j as the caller's handle (the usual tail of an async function). */
PRL_HANDLE prl__conn_request(prl__server *s, prl__job *j, prl__req *r);

/* PrlJob_Cancel of a server job: a PJOC_JOB_CANCEL job. */
PRL_HANDLE prl__conn_cancel(prl__server *s, prl__job *j);

/* Logs off: the job finishes when the server confirmed; the link closes. */
PRL_HANDLE prl__conn_logoff(prl__server *s, prl__job *j);

/* 1 if logged in; *local says whether over the unix socket. */
int prl__conn_connected(prl__server *s, int *local);
/* Copy of the login information (PHT_LOGIN_RESPONSE data), or NULL. */
Prl__LoginInfo *prl__conn_login_info(prl__server *s);
/* The user name this server's session logged in as (malloc'd), or NULL
 * when not logged in (or the dispatcher did not say). */
char *prl__conn_session_user(prl__server *s);

/* PrlJob_Wait of a job of a connected server: the waiting thread reads the
 * socket itself instead of sleeping until the reader thread wakes it (one
 * thread switch less per round trip).  Returns 1 when j finished, 0 when
 * msecs (UINT_MAX: forever) ran out, -1 when the caller must wait the usual
 * way (no connection, another thread already reads directly, the link
 * ended while reading). */
int prl__conn_wait_direct(prl__job *j, unsigned msecs);
/* Wakes the thread waiting directly on c: j->direct's job finished on
 * another thread.  Called with that job's mutex held. */
void prl__conn_kick(prl__conn *c);
/* A handler was registered on s: the reader thread watches the socket again
 * (conn.c, "Parking"), so that events reach the handlers. */
void prl__conn_unpark(prl__server *s);
/* The job this thread is waiting for directly (it needs no kick), or NULL. */
extern _Thread_local const prl__job *prl__conn_direct_self;

/* Called by the server's destructor: closes the link, never blocks on the
 * reader thread (which may be the caller). */
void prl__conn_destroy(prl__server *s);
/* Waits (bounded) for every reader thread to end: PrlApi_Deinit. */
void prl__conn_wait_all(unsigned timeout_ms);
/* Waits (bounded) for the readers of closing connections to end, so that
 * their temporary references are gone: PrlDbg_GetHandlesNum. */
void prl__conn_quiesce(unsigned timeout_ms);

/* A PHT_STRINGS_LIST as a wire StringList (copies; out zeroed by the
 * caller); PRL_ERR_INVALID_ARG for a bad or wrong-typed handle.  The clear
 * frees what it filled in, also after a failure. */
PRL_RESULT prl__strlist_to_wire(PRL_HANDLE hList, Prl__StringList *out);
void prl__wire_strings_clear(Prl__StringList *l);

/* Converters from wire values to API objects (objects.c and families). */
/* a is the arena w was unpacked into (arena.h): objects that keep a piece
 * of w (VM configurations) take a reference on it.  With a NULL arena (w
 * malloc'd) they take the piece out of w instead, which the caller then
 * frees as usual. */
int prl__value_from_wire(prl__server *s, prl__arena *a, Prl__Value *w, prl__value *out);
prl__event *prl__event_from_wire(prl__server *s, prl__arena *a, Prl__Event *w);

#endif
