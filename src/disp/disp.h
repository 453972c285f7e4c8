/*
 * disp.h — the dispatcher's internal model: the server, its connections and
 * their sessions, and the calls modules make on them.
 *
 * One libevent loop owns every connection; nothing here may be touched from
 * another thread unless its comment says so (workers get a snapshot of the
 * session inside their request, see ops.h).  A connection is reference
 * counted: closing it unlinks it from the server at once, but the memory
 * stays until the last holder (a request on a worker, a callback on the
 * stack) lets go — Redis's deferred close.
 *
 * A connection reads into a flat buffer of its own, `in`, and writes
 * through an evbuffer, `out`.  A real one fills `in` from its socket and
 * writes `out` to it (conn.c: one read and one write per request, no more);
 * a "fake" one (disp_conn_new_fake, for the fuzz targets and unit tests)
 * has no socket: the caller fills `in` with disp_conn_feed() and drains
 * disp_conn_output().
 */
#ifndef OPENPRL_DISP_DISP_H
#define OPENPRL_DISP_DISP_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame.h"
#include "log.h"
#include "options.h"
#include "uuid.h"
#include "worker.h"

typedef struct disp_server disp_server;
typedef struct disp_conn disp_conn;
typedef struct disp_req disp_req;
typedef struct disp_stats disp_stats;
typedef struct disp_listeners disp_listeners;
typedef struct disp_registry disp_registry;     /* registry.h */

/* ---- limits -------------------------------------------------------------- */

#define DISP_OUT_MAX (8u * 1024 * 1024)  /* pending output before a drop */
#define DISP_USER_MAX 255                /* bytes of a user name (POSIX: 256 with NUL) */
#define DISP_PENDING_MAX 64              /* requests in flight per client */
#define DISP_PING_AFTER_MS 10000         /* our silence before a Ping */
#define DISP_DEAD_AFTER_MS 30000         /* peer silence before a drop */
#define DISP_AUTH_FAIL_DELAY_MS 1000     /* reply delay after a bad login */
#define DISP_SHUTDOWN_GRACE_MS 3000      /* flushing before exit */

/* ---- the session a connection carries ------------------------------------ */

/* Copied into every request, so worker threads read their own copy. */
typedef struct disp_session {
	bool logged_in;
	bool is_unix;                   /* the local socket: peer creds valid */
	uid_t uid;                      /* SO_PEERCRED (unix) */
	pid_t pid;
	char user[DISP_USER_MAX + 1];   /* logged-in user, "" before login:
					 * inline, so that every request's
					 * copy of the session is a plain copy */
	uid_t user_uid;                 /* its system uid; (uid_t)-1: none */
	uint32_t security_level;        /* PSL_* asked at login */
	char uuid[PRLC_UUID_LEN + 1];   /* session UUID, "" before login */
	char peer[80];                  /* for logs: "unix:uid=1000" / addr */
} disp_session;

/* ---- the server ----------------------------------------------------------- */

struct disp_server {
	struct event_base *base;
	const disp_options *opt;
	disp_workers *workers;
	disp_listeners *listeners;
	disp_stats *stats;
	disp_registry *registry;        /* NULL when not linked/opened */
	char uuid[PRLC_UUID_LEN + 1];   /* persisted in <state>/server.uuid */
	uint64_t start_time;            /* epoch seconds */
	uint32_t tcp_port;              /* first TCP port, for LoginInfo */
	disp_conn *conns;               /* every open connection */
	size_t n_conns;
	struct event *sweep;            /* heartbeats, once a second: */
	int sweep_fd;                   /* its timerfd (see server.c) */
	bool have_sweep_fd;
	uint64_t sweeps;                /* how many ran */
	struct event *shutdown_timer;
	bool shutting_down;
	uint64_t input_seq;             /* bumped by every read of client bytes */
	pid_t peer_pid;                 /* the process last read from (0: TCP) */
};

/* Sets up everything but the listeners: the loop, workers (nthreads; 0 =
 * inline), stats, heartbeat sweep.  opt must outlive the server.  0 or
 * -errno. */
int disp_server_init(disp_server *srv, const disp_options *opt,
		     unsigned nthreads);
/* Runs the loop until it is told to exit.  Between bursts of work (client
 * input, worker results) it polls for the next for up to --busy-poll-us
 * before sleeping, the window adapting as spin.h says. */
void disp_server_run(disp_server *srv);
/* Closes every connection and frees what init made. */
void disp_server_fini(disp_server *srv);
/* Begins a clean stop: no new connections or requests, every session gets
 * PET_DSP_EVT_DISP_SHUTDOWN, output is flushed, then the loop exits. */
void disp_server_shutdown(disp_server *srv);
/* One heartbeat pass at time now (disp_now_ms(); tests pass their own). */
void disp_server_sweep(disp_server *srv, uint64_t now);
/* Runs fn(arg) on the loop thread.  Any thread. */
int disp_server_post(disp_server *srv, disp_work_fn fn, void *arg);

/* Encodes ev once and queues it to every logged-in session (all when
 * to_all is set, e.g. the shutdown notice).  Number of sessions reached. */
size_t disp_server_broadcast(disp_server *srv, const Prl__Event *ev,
			     bool to_all);

/* ---- connections ---------------------------------------------------------- */

typedef enum disp_conn_state {
	DISP_CONN_HELLO,        /* waiting for the client's Hello */
	DISP_CONN_OPEN,         /* requests flow */
	DISP_CONN_CLOSING,      /* flushing output, reading nothing */
	DISP_CONN_DEAD,         /* unlinked; memory waits for its last ref */
} disp_conn_state;

typedef struct disp_req_list {
	disp_req *head;
	unsigned n;
} disp_req_list;

struct disp_conn {
	disp_server *srv;
	int refs;
	disp_conn_state state;
	int fd;                         /* -1 for a fake connection */
	struct event *rev, *wev;        /* readable; writable or flush due */
	bool flush_due;                 /* wev made active to write `out` */
	struct disp_inbuf {
		uint8_t *buf;           /* NULL until the first bytes come */
		size_t cap;
		size_t off, len;        /* unread bytes: buf[off..len) */
	} in;
	struct evbuffer *out;
	disp_session sess;
	bool subscribed;                /* host statistics */
	bool login_pending;
	bool input_paused;              /* too many requests in flight */
	disp_req_list pending;          /* requests not yet answered */
	uint64_t last_rx_ms, last_tx_ms;
	uint64_t closing_since_ms;
	disp_conn *prev, *next;         /* srv->conns */
};

/* Wraps an accepted socket (takes ownership of fd; closes it on failure).
 * For a unix socket the peer credentials are read here. */
disp_conn *disp_conn_accept(disp_server *srv, int fd, bool is_unix,
			    const char *peer);
/* A connection without a socket (see the top of this file).  The caller
 * gets a reference of its own (disp_conn_unref when done), besides the
 * server's. */
disp_conn *disp_conn_new_fake(disp_server *srv, bool is_unix, uid_t uid);
/* Queues bytes as if they had been read, and processes them. */
void disp_conn_feed(disp_conn *c, const void *buf, size_t len);
struct evbuffer *disp_conn_output(disp_conn *c);

void disp_conn_ref(disp_conn *c);
void disp_conn_unref(disp_conn *c);

/* Closes now (flush = false) or after the queued output is written. */
void disp_conn_close(disp_conn *c, bool flush);
static inline bool disp_conn_alive(const disp_conn *c)
{
	return c->state == DISP_CONN_HELLO || c->state == DISP_CONN_OPEN;
}

/* Queues one frame.  send_frame encodes; send_bytes takes ownership of a
 * malloc'd encoded frame; send_shared adds a reference to a shared one.
 * Each returns 0, or -1 when the frame was not queued (connection gone,
 * out of memory, or its output over DISP_OUT_MAX — then it is dropped). */
int disp_conn_send_frame(disp_conn *c, const Prl__Frame *f);
int disp_conn_send_bytes(disp_conn *c, uint8_t *buf, size_t len);

/* A refcounted encoded frame, written to many connections without copies. */
typedef struct disp_shared disp_shared;
disp_shared *disp_shared_new(uint8_t *buf, size_t len); /* takes buf */
void disp_shared_unref(disp_shared *s);
int disp_conn_send_shared(disp_conn *c, disp_shared *s);

/* Called by ops.c when a connection may read again (pending dropped). */
void disp_conn_resume_input(disp_conn *c);

/* The session's fields that the op handlers change. */
void disp_session_clear(disp_session *s);
int disp_session_copy(disp_session *dst, const disp_session *src);

uint64_t disp_now_ms(void);     /* monotonic, at tick resolution */

/* ---- requests (ops.c) ------------------------------------------------------ */

/* Memory for one incoming frame, decoded into it, and for the request it
 * may carry: one allocation per request most of the time, freed at once
 * when the request ends (ops.c). */
typedef struct disp_inmsg disp_inmsg;
/* Decodes a frame body of len bytes; NULL (nothing kept) when memory runs
 * out or the body is not a frame.  *f is the frame, living in the block. */
disp_inmsg *disp_inmsg_decode(const uint8_t *body, size_t len, Prl__Frame **f);
void disp_inmsg_free(disp_inmsg *m);

/* Handles one decoded Request of an open connection, f in m; takes m. */
void disp_ops_dispatch(disp_conn *c, Prl__Frame *f, disp_inmsg *m);
/* Ends every pending request of a closing connection (no replies sent). */
void disp_ops_abandon_all(disp_conn *c);

/* ---- host statistics fan-out (stats.c) ------------------------------------- */

int disp_stats_init(disp_server *srv);
void disp_stats_fini(disp_server *srv);
void disp_stats_subscribe(disp_conn *c);
void disp_stats_unsubscribe(disp_conn *c);
/* One sample into *out; any thread (serialised inside).  0 or -errno;
 * release with disp_stats_free_sample() in every case. */
int disp_stats_sample(disp_server *srv, Prl__Statistics *out);
void disp_stats_free_sample(Prl__Statistics *st);
int disp_stats_fill_config(Prl__ServerConfig *out);
void disp_stats_free_config(Prl__ServerConfig *cfg);

/* ---- listeners (listen.c) --------------------------------------------------- */

/* Binds the unix socket and every TCP address of opt.  On failure prints a
 * message naming the address and the reason and returns -1. */
int disp_listeners_open(disp_server *srv);
void disp_listeners_close(disp_server *srv);

#endif
