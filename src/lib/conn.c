/*
 * conn.c — the connection from a PHT_SERVER to prl_disp_service.
 *
 * Login starts a reader thread that connects (unix socket for local login,
 * TCP otherwise), exchanges Hello/HelloReply, sends the login request and
 * then reads frames until the link ends.  Requests are written by the calling
 * thread under the write lock after their job is entered in the pending
 * table, so a response can never arrive for an unknown job.  The reader
 * finishes jobs from responses and queues events for the server's handlers.
 *
 * Direct waiting: a thread in PrlJob_Wait for a job of this connection reads
 * the socket itself (prl__conn_wait_direct) — the reply then wakes the
 * thread that wants it, not the reader thread, which would have to wake the
 * waiter in turn: one thread switch and two futex calls less per round
 * trip.  Reading is serialised by rmu; whoever reads handles every frame
 * that came, in order, whatever it is for.
 *
 * Parking: a reply that comes before its waiter sleeps (on one CPU the
 * dispatcher often runs inside the waiter's write of the request) would
 * wake the reader thread for nothing — a quarter of the round trips of a
 * request loop.  So while a program without event handlers waits on its
 * jobs, the socket stays out of the reader thread's epoll set ("parked"),
 * taken out once, not per request.  It goes back when a handler is
 * registered, when another job is still pending as a wait ends, when the
 * link closes, and otherwise PARK_CHECK_MS after the last direct wait: the
 * reader thread, while the socket is parked, looks that often.  Until then
 * an unsolicited frame waits in the socket, or the next direct wait reads
 * it.
 *
 * When the link ends without a logoff, the server's handlers first get
 * PET_DSP_EVT_DISP_CONNECTION_CLOSED, then every pending job finishes with
 * PRL_ERR_WS_DISP_CONNECTION_CLOSED — every job ends exactly once.
 *
 * Lifetime: the connection is shared by the server and its reader thread
 * (refs).  The server's destructor only closes the socket; the detached
 * reader then drains and frees.  The reader reaches the server through its
 * handle (prl__get), never a raw pointer that could be stale.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* sched_getaffinity (spin.h) */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "frame.h"
#include "spin.h"
#include "PrlPorts.h"

#define DEFAULT_SOCKET "/var/run/prl_disp_service.socket"
#define PING_IDLE_MS 10000
#define DEAD_AFTER_MS 30000
#define PARK_CHECK_MS 2                   /* see "Parking" above */
#define DEFAULT_TIMEOUT_MS 60000

struct prl__conn {
	pthread_mutex_t mu;               /* pending, state */
	pthread_mutex_t wmu;              /* socket writes */
	int fd;
	int refs;                         /* atomic */
	int up;                           /* logged in */
	int closing;                      /* logoff or destroy: no CLOSED event */
	int counted;                      /* in winding_down (see mark_closing) */
	struct prl__conn *next, *prev;    /* every live connection (readers_mu) */
	int local;
	uint64_t next_id;
	prl__job *pending;                /* sent, not answered: each a reference,
					   linked through pending_next */
	PRL_HANDLE server;                /* handle, resolved with prl__get */
	prl__login_args args;             /* strings owned */
	prl__job *login_job;              /* reference until sent */
	Prl__LoginInfo *info;             /* unpacked copy, or NULL */
	int64_t last_rx_ms;               /* atomic */
	/* Reading (see "reading" below): whoever holds rmu reads the socket
	 * and handles what came — the reader thread, or a waiter. */
	pthread_mutex_t rmu;
	prlc_rbuf rbuf;                   /* received bytes not yet handled (rmu) */
	size_t rhave;                     /* bytes in rbuf (rmu) */
	size_t rpending;                  /* size of the frame begun in rbuf, or 0 (rmu) */
	prl__arena *arena;                /* the unpacking arena, or NULL (rmu) */
	int ep, kick;                     /* the reader thread's epoll set, its eventfd */
	int wep, wkick;                   /* the direct waiter's */
	int direct;                       /* a waiter reads the socket (mu) */
	int parked;                       /* the socket is out of ep (mu) */
	int64_t direct_end_ms;            /* when the last direct wait ended (mu) */
	int rd_over;                      /* a waiter saw the link end (mu) */
	pid_t peer;                       /* the dispatcher (unix socket), or 0 */
	prlc_spin rspin;                  /* the reader thread's polling window */
	prlc_spin wspin;                  /* the direct waiter's (whoever is it) */
};

/* How long a reader may poll before sleeping, at most: PRL_SDK_BUSY_POLL_US
 * (microseconds, 0 = never), 200 by default.  See spin.h. */
static uint32_t busy_poll_max_ns(void)
{
	static int read;
	static uint32_t ns = 200000;
	if (!__atomic_load_n(&read, __ATOMIC_ACQUIRE)) {
		const char *v = getenv("PRL_SDK_BUSY_POLL_US");
		char *end;
		unsigned long us = v && *v ? strtoul(v, &end, 10) : 200;
		if (v && *v && (*end || us > 10000))
			us = 200;
		__atomic_store_n(&ns, (uint32_t)us * 1000, __ATOMIC_RELAXED);
		__atomic_store_n(&read, 1, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&ns, __ATOMIC_RELAXED);
}

/* Polls ep for up to s's window (from t0) before the caller sleeps in it;
 * the events found (0: none).  done(arg) ends the polling early. */
static int poll_window(prlc_spin *s, int ep, struct epoll_event *ev, int max, uint64_t t0,
		       int (*done)(const void *), const void *arg)
{
	do {
		int n = epoll_wait(ep, ev, max, 0);
		if (n > 0)
			return n;
		if (done && done(arg))
			return 0;
		sched_yield();                /* whoever else wants this CPU */
	} while (prlc_spin_now_ns() - t0 < s->ns);
	return 0;
}

/* Whether this wait may poll (and so is timed, and teaches s's window). */
static int polling_allowed(prl__conn *c, prlc_spin *s)
{
	return s->max_ns && prlc_spin_worth(s, c->peer);
}

_Thread_local const prl__job *prl__conn_direct_self;

static pthread_mutex_t readers_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t readers_cv = PTHREAD_COND_INITIALIZER;
static int readers;
/* Reader threads whose connection is closing but which have not ended: they
 * may still hold a temporary reference on their server. */
static int winding_down;
static prl__conn *all_conns;

static void list_add(prl__conn *c)
{
	pthread_mutex_lock(&readers_mu);
	c->next = all_conns;
	if (all_conns)
		all_conns->prev = c;
	all_conns = c;
	pthread_mutex_unlock(&readers_mu);
}

static void list_remove(prl__conn *c)
{
	pthread_mutex_lock(&readers_mu);
	if (c->prev)
		c->prev->next = c->next;
	else if (all_conns == c)
		all_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&readers_mu);
}

/* Marks c as closing (c->mu held).  A closing connection's reader is about
 * to end; counting it lets prl__conn_quiesce wait for it. */
static void unpark_locked(prl__conn *c);

static void mark_closing(prl__conn *c)
{
	c->closing = 1;
	if (!c->direct)
		unpark_locked(c);             /* the reader sees the end */
	if (c->counted)
		return;
	c->counted = 1;
	pthread_mutex_lock(&readers_mu);
	winding_down++;
	pthread_mutex_unlock(&readers_mu);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* For the heartbeat's bookkeeping (seconds matter there): a cheap read. */
static int64_t coarse_ms(void)
{
	return (int64_t)(prlc_coarse_ns() / 1000000);
}

/* ---- lifetime -------------------------------------------------------------- */

static void args_free(prl__login_args *a)
{
	free((char *)a->host);
	free((char *)a->user);
	free((char *)a->password);
	free((char *)a->prev_session);
}

static void conn_unref(prl__conn *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	list_remove(c);
	if (c->fd >= 0)
		close(c->fd);
	int fds[] = { c->ep, c->kick, c->wep, c->wkick };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	args_free(&c->args);
	free(c->rbuf.buf);
	prl__arena_unref(c->arena);
	if (c->info)
		prl__login_info__free_unpacked(c->info, NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->wmu);
	pthread_mutex_destroy(&c->rmu);
	free(c);
}

static prl__conn *conn_of(prl__server *s)
{
	pthread_mutex_lock(&s->mu);
	prl__conn *c = s->conn;
	if (c)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->mu);
	return c;
}

/* Detaches c from its server (if it is still the server's connection). */
static void unlink_server(prl__conn *c)
{
	prl__server *s = prl__server_from(c->server);
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	int mine = s->conn == c;
	if (mine)
		s->conn = NULL;
	pthread_mutex_unlock(&s->mu);
	if (mine)
		conn_unref(c);
	prl__put(&s->base);
}

/* ---- the pending table ----------------------------------------------------- */

/* Jobs taken from a pending table by a thread other than their waiter and
 * not let go of yet: that thread drops its reference just after the job's
 * waiters wake, and a waiter that frees the job at once and asks
 * PrlDbg_GetHandlesNum must not see it (prl__conn_quiesce waits for 0).
 * A direct waiter finishing its own job is not counted: it lets go before
 * it returns.  Atomic. */
static int finishing;

static int finishing_begin(const prl__job *j)
{
	if (prl__conn_direct_self == j)
		return 0;
	__atomic_add_fetch(&finishing, 1, __ATOMIC_RELAXED);
	return 1;
}

static void finishing_end(int counted)
{
	if (counted)
		__atomic_sub_fetch(&finishing, 1, __ATOMIC_RELEASE);
}

/* Called with c->mu held. */
static void pending_add(prl__conn *c, prl__job *j)
{
	j->pending_next = c->pending;
	c->pending = j;
}

static prl__job *pending_take(prl__conn *c, uint64_t id)
{
	pthread_mutex_lock(&c->mu);
	prl__job *j = NULL;
	for (prl__job **pp = &c->pending; *pp; pp = &(*pp)->pending_next) {
		if ((*pp)->req_id != id)
			continue;
		j = *pp;
		*pp = j->pending_next;
		j->pending_next = NULL;
		break;
	}
	pthread_mutex_unlock(&c->mu);
	return j;
}

/* Finishes every pending job with rc; called once the link is gone. */
static void pending_fail_all(prl__conn *c, PRL_RESULT rc, const char *why)
{
	pthread_mutex_lock(&c->mu);
	prl__job *j = c->pending;
	c->pending = NULL;
	pthread_mutex_unlock(&c->mu);
	while (j) {
		prl__job *next = j->pending_next;
		j->pending_next = NULL;
		int counted = finishing_begin(j);
		prl__job_finish(j, rc, NULL, why);
		prl__put(&j->base);
		finishing_end(counted);
		j = next;
	}
}

/* ---- writing ---------------------------------------------------------------- */

static int send_frame(prl__conn *c, const Prl__Frame *f)
{
	pthread_mutex_lock(&c->wmu);
	int rc = c->fd >= 0 ? prlc_frame_write_fd(c->fd, f) : -EPIPE;
	pthread_mutex_unlock(&c->wmu);
	return rc;
}

void prl__req_init(prl__req *r, PRL_JOB_OPERATION_CODE op)
{
	memset(r, 0, sizeof(*r));
	prl__request__init(&r->msg);
	r->msg.op = (uint32_t)op;
}

static Prl__Param *new_param(const char *name)
{
	Prl__Param *p = calloc(1, sizeof(*p) + sizeof(Prl__Value));
	if (!p)
		return NULL;
	prl__param__init(p);
	p->value = (Prl__Value *)(p + 1);
	prl__value__init(p->value);
	p->name = strdup(name);
	if (!p->name) {
		free(p);
		return NULL;
	}
	return p;
}

static int push_param(prl__req *r, Prl__Param *p)
{
	Prl__Param **a = realloc(r->args, sizeof(*a) * (r->n_args + 1));
	if (!a)
		return -ENOMEM;
	r->args = a;
	a[r->n_args++] = p;
	return 0;
}

static void free_param(Prl__Param *p)
{
	if (p->value->v_case == PRL__VALUE__V_STR)
		free(p->value->str);
	free(p->name);
	free(p);
}

int prl__req_add_str(prl__req *r, const char *name, const char *s)
{
	Prl__Param *p = new_param(name);
	if (!p)
		return -ENOMEM;
	p->value->v_case = PRL__VALUE__V_STR;
	p->value->str = strdup(s ? s : "");
	if (!p->value->str || push_param(r, p)) {
		free_param(p);
		return -ENOMEM;
	}
	return 0;
}

int prl__req_add_u32(prl__req *r, const char *name, uint32_t v)
{
	Prl__Param *p = new_param(name);
	if (!p)
		return -ENOMEM;
	p->value->v_case = PRL__VALUE__V_U32;
	p->value->u32 = v;
	if (push_param(r, p)) {
		free_param(p);
		return -ENOMEM;
	}
	return 0;
}

int prl__req_add_value(prl__req *r, const char *name, Prl__Value *v)
{
	Prl__Param *p = new_param(name);
	if (!p)
		return -ENOMEM;
	*p->value = *v;                   /* shallow: the caller keeps v's data */
	if (push_param(r, p)) {
		free(p->name);
		free(p);
		return -ENOMEM;
	}
	if (v->v_case == PRL__VALUE__V_STR)
		p->value->str = strdup(v->str);
	return 0;
}

void prl__req_clear(prl__req *r)
{
	for (size_t i = 0; i < r->n_args; i++)
		free_param(r->args[i]);
	free(r->args);
	free(r->msg.vm_uuid);
	r->args = NULL;
	r->n_args = 0;
	r->msg.vm_uuid = NULL;
}

/* Enters j in the pending table (which takes a reference) and writes the
 * request.  Unless `any`, only while the link is up and not closing: else j
 * finishes with PRL_ERR_NOT_CONNECTED_TO_DISPATCHER.  (Login and logoff
 * send at other times.) */
static void send_request(prl__conn *c, prl__job *j, prl__req *r, int any)
{
	pthread_mutex_lock(&c->mu);
	int up = any || (c->up && !c->closing);
	if (up) {
		j->req_id = ++c->next_id;
		prl__ref(&j->base);               /* pending's reference */
		pending_add(c, j);
	}
	pthread_mutex_unlock(&c->mu);
	if (!up) {
		prl__req_clear(r);
		prl__job_finish(j, PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, NULL,
				"Not logged in: call PrlSrv_LoginLocal or PrlSrv_Login first.");
		return;
	}
	r->msg.id = j->req_id;
	r->msg.n_args = r->n_args;
	r->msg.args = r->args;
	pthread_mutex_lock(&c->wmu);
	int rc = c->fd >= 0 ? prlc_frame_write_request_fd(c->fd, &r->msg) : -EPIPE;
	pthread_mutex_unlock(&c->wmu);
	prl__req_clear(r);
	if (rc) {
		prl__job *mine = pending_take(c, j->req_id);
		if (mine) {
			prl__job_finish(mine, PRL_ERR_WS_DISP_CONNECTION_CLOSED, NULL,
					"The connection to the dispatcher was lost while sending.");
			prl__put(&mine->base);
		}
		return;
	}
	__atomic_store_n(&j->sent, 1, __ATOMIC_RELEASE);
}

PRL_HANDLE prl__conn_request(prl__server *s, prl__job *j, prl__req *r)
{
	PRL_HANDLE h = prl__handle(&j->base);
	prl__conn *c = conn_of(s);
	if (!c) {
		prl__req_clear(r);
		prl__job_finish(j, PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, NULL,
				"Not logged in: call PrlSrv_LoginLocal or PrlSrv_Login first.");
		return h;
	}
	send_request(c, j, r, 0);
	conn_unref(c);
	return h;
}

PRL_HANDLE prl__conn_cancel(prl__server *s, prl__job *target)
{
	prl__job *j = prl__job_new(PJOC_JOB_CANCEL, s);
	if (!j)
		return PRL_INVALID_HANDLE;
	pthread_mutex_lock(&target->mu);
	int done = target->finished || !target->req_id;
	pthread_mutex_unlock(&target->mu);
	if (done) {
		prl__job_finish(j, PRL_ERR_SUCCESS, NULL, NULL);
		return prl__handle(&j->base);
	}
	prl__req r;
	prl__req_init(&r, PJOC_JOB_CANCEL);
	r.msg.has_cancel_id = 1;
	r.msg.cancel_id = target->req_id;
	return prl__conn_request(s, j, &r);
}

/* ---- connecting -------------------------------------------------------------- */

static int wait_fd(int fd, short ev, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = ev };
		int rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_within(int fd, const struct sockaddr *sa, socklen_t len, int64_t deadline)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	int rc = connect(fd, sa, len);
	if (rc < 0 && errno == EINPROGRESS) {
		rc = wait_fd(fd, POLLOUT, deadline);
		int err = 0;
		socklen_t el = sizeof(err);
		if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err)
			rc = -err;
	} else if (rc < 0) {
		rc = -errno;
	}
	fcntl(fd, F_SETFL, fl);
	return rc;
}

static int connect_unix(int64_t deadline)
{
	const char *path = getenv("PRL_DISP_SOCKET");
	if (!path || !*path)
		path = DEFAULT_SOCKET;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = connect_within(fd, (struct sockaddr *)&sa, sizeof(sa), deadline);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* "host", "host#port", "[v6]#port" or "v6"; port falls back to def. */
static int split_host(const char *in, char *host, size_t hl, char *port, size_t pl,
		      unsigned def)
{
	const char *hash = strrchr(in, '#');
	size_t n = hash ? (size_t)(hash - in) : strlen(in);
	if (n >= hl || n == 0)
		return -EINVAL;
	if (in[0] == '[' && n > 2 && in[n - 1] == ']') {
		memcpy(host, in + 1, n - 2);
		host[n - 2] = 0;
	} else {
		memcpy(host, in, n);
		host[n] = 0;
	}
	snprintf(port, pl, "%s", hash ? hash + 1 : "");
	if (!hash)
		snprintf(port, pl, "%u", def ? def : PRL_DISPATCHER_LISTEN_PORT);
	return 0;
}

static int connect_tcp(const prl__login_args *a, int64_t deadline)
{
	char host[256], port[16];
	if (split_host(a->host, host, sizeof(host), port, sizeof(port), a->port))
		return -EINVAL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	if (getaddrinfo(host, port, &hints, &res))
		return -EHOSTUNREACH;
	int fd = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (s < 0)
			continue;
		int rc = connect_within(s, ai->ai_addr, ai->ai_addrlen, deadline);
		if (!rc) {
			int one = 1;
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			fd = s;
			break;
		}
		close(s);
		fd = rc;
	}
	freeaddrinfo(res);
	return fd;
}

/* Reads one frame, giving up at the deadline. 1 ok, 0 EOF, <0 error. */
static int read_within(int fd, Prl__Frame **f, int64_t deadline)
{
	int rc = wait_fd(fd, POLLIN, deadline);
	return rc ? rc : prlc_frame_read_fd(fd, f);
}

static PRL_RESULT handshake(prl__conn *c, int64_t deadline, char *why, size_t wl)
{
	Prl__Hello h = PRL__HELLO__INIT;
	h.magic = PRLC_WIRE_MAGIC;
	h.version = PRLC_PROTOCOL_VERSION;
	h.client = "libprl_sdk";
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_HELLO;
	f.hello = &h;
	if (send_frame(c, &f))
		return PRL_ERR_CANT_CONNECT_TO_DISPATCHER;
	Prl__Frame *r = NULL;
	if (read_within(c->fd, &r, deadline) != 1) {
		snprintf(why, wl, "The dispatcher did not complete the handshake.");
		return PRL_ERR_HANDSHAKE_FAILED;
	}
	PRL_RESULT rc = PRL_ERR_SUCCESS;
	if (r->body_case != PRL__FRAME__BODY_HELLO_REPLY || r->hello_reply->magic != PRLC_WIRE_MAGIC) {
		snprintf(why, wl, "The peer is not an OpenPRL dispatcher.");
		rc = PRL_ERR_HANDSHAKE_FAILED;
	} else if (r->hello_reply->version != PRLC_PROTOCOL_VERSION ||
		   PRL_FAILED(r->hello_reply->result)) {
		snprintf(why, wl, "Protocol version mismatch: this library speaks %u, the "
			 "dispatcher %u.", PRLC_PROTOCOL_VERSION, r->hello_reply->version);
		rc = PRL_FAILED(r->hello_reply->result) ? r->hello_reply->result
							 : PRL_ERR_WRONG_PROTOCOL_VERSION;
	}
	prl__frame__free_unpacked(r, NULL);
	return rc;
}

static void send_login(prl__conn *c)
{
	prl__login_args *a = &c->args;
	prl__req r;
	prl__req_init(&r, a->local ? PJOC_SRV_LOGIN_LOCAL : PJOC_SRV_LOGIN);
	prl__req_add_u32(&r, "security_level", (uint32_t)a->security);
	prl__req_add_u32(&r, "flags", a->flags);
	if (a->prev_session)
		prl__req_add_str(&r, "prev_session", a->prev_session);
	if (!a->local) {
		prl__req_add_str(&r, "user", a->user);
		prl__req_add_str(&r, "password", a->password);
	}
	prl__job *j = c->login_job;
	c->login_job = NULL;
	send_request(c, j, &r, 1);
	prl__put(&j->base);
}

static PRL_RESULT open_link(prl__conn *c, char *why, size_t wl)
{
	unsigned t = c->args.timeout_ms ? c->args.timeout_ms : DEFAULT_TIMEOUT_MS;
	int64_t deadline = now_ms() + t;
	int fd = c->args.local ? connect_unix(deadline) : connect_tcp(&c->args, deadline);
	if (fd < 0) {
		snprintf(why, wl, "Cannot connect to the dispatcher at %s: %s.",
			 c->args.local ? (getenv("PRL_DISP_SOCKET") ? getenv("PRL_DISP_SOCKET")
								    : DEFAULT_SOCKET)
				       : c->args.host, strerror(-fd));
		return PRL_ERR_CANT_CONNECT_TO_DISPATCHER;
	}
	pthread_mutex_lock(&c->wmu);
	c->fd = fd;
	pthread_mutex_unlock(&c->wmu);
	struct timeval tv = { .tv_sec = DEAD_AFTER_MS / 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	if (c->args.local && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		c->peer = cred.pid;           /* for prlc_spin_worth */
	return handshake(c, deadline, why, wl);
}

/* ---- reading ------------------------------------------------------------------ */

static void on_response(prl__conn *c, prl__arena *a, Prl__Response *r)
{
	prl__job *j = pending_take(c, r->id);
	if (!j)
		return;                           /* cancelled or unknown: ignore */
	int counted = finishing_begin(j);
	prl__result *res = prl__result_new();
	for (size_t i = 0; res && i < r->n_params; i++) {
		prl__value v;
		if (prl__value_from_wire(j->server, a, r->params[i], &v) == 0)
			prl__result_add(res, &v);
	}
	PRL_RESULT rc = r->result;
	for (size_t i = 0; res && i < r->n_vms; i++)
		if (prl__result_add_vm_packed(res, j->server, a, r->vms[i].data,
					      r->vms[i].len) < 0 && PRL_SUCCEEDED(rc))
			rc = PRL_ERR_OUT_OF_MEMORY;  /* never a list cut short */
	if (j->op == PJOC_SRV_LOGIN || j->op == PJOC_SRV_LOGIN_LOCAL) {
		pthread_mutex_lock(&c->mu);
		c->up = PRL_SUCCEEDED(r->result);
		if (!c->up)
			mark_closing(c);
		if (c->up && r->n_params && r->params[0]->v_case == PRL__VALUE__V_LOGIN) {
			size_t n = prl__login_info__get_packed_size(r->params[0]->login);
			uint8_t *b = malloc(n);
			if (b) {
				prl__login_info__pack(r->params[0]->login, b);
				c->info = prl__login_info__unpack(NULL, n, b);
				free(b);
			}
		}
		pthread_mutex_unlock(&c->mu);
		/* A refused login frees the handle for the next attempt before the
		 * caller learns of the failure. */
		if (!c->up)
			unlink_server(c);
	}
	prl__job_finish(j, rc, res, PRL_SUCCEEDED(r->result) && PRL_FAILED(rc) ?
				    "Out of memory while taking the VM list." : r->error);
	prl__put(&j->base);
	finishing_end(counted);
}

static void on_event(prl__conn *c, prl__arena *a, Prl__Event *w)
{
	prl__server *s = prl__server_from(c->server);
	if (!s)
		return;
	prl__event *e = prl__event_from_wire(s, a, w);
	if (e) {
		prl__server_deliver(s, &e->base);
		prl__put(&e->base);
	}
	prl__put(&s->base);
}

static void post_closed_event(prl__conn *c)
{
	prl__server *s = prl__server_from(c->server);
	if (!s)
		return;
	prl__event *e = prl__event_new(PET_DSP_EVT_DISP_CONNECTION_CLOSED, PIE_DISPATCHER, NULL);
	if (e) {
		e->err_code = PRL_ERR_WS_DISP_CONNECTION_CLOSED;
		e->server = s;                    /* the event keeps our reference */
		prl__server_deliver(s, &e->base);
		prl__put(&e->base);
	} else {
		prl__put(&s->base);
	}
}

static void send_ping(prl__conn *c)
{
	Prl__Ping p = PRL__PING__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_PING;
	f.ping = &p;
	send_frame(c, &f);
}

/* An arena to unpack a frame of len bytes into.  The reader keeps one
 * between frames while nobody else holds a piece of it and it is small;
 * one that objects still use (a VM list being read) or that grew large (it
 * would pin its memory) is let go, and a new one sized for the frame made. */
static prl__arena *frame_arena(prl__conn *c, size_t len)
{
	enum { KEEP_MAX = 64 * 1024, FIRST_MIN = 16 * 1024 };
	/* Unpacked structures take about four times their encoding. */
	size_t want = len * 4 + 1024;
	if (c->arena && prl__arena_is_sole(c->arena) &&
	    prl__arena_capacity(c->arena) <= KEEP_MAX) {
		prl__arena_reset(c->arena);
		return c->arena;
	}
	prl__arena_unref(c->arena);
	c->arena = prl__arena_new(want > FIRST_MIN ? want : FIRST_MIN);
	return c->arena;
}

/* Handles one frame body of len bytes (c->rmu held); -1 when it is not a
 * frame: the stream is unusable from here on. */
static int handle_frame(prl__conn *c, const uint8_t *body, size_t len)
{
	prl__arena *a = frame_arena(c, len);
	if (!a)
		return -1;
	Prl__Frame *f = prlc_frame_unpack(body, len, prl__arena_allocator(a));
	if (!f)
		return -1;
	if (f->body_case == PRL__FRAME__BODY_RESPONSE)
		on_response(c, a, f->response);
	else if (f->body_case == PRL__FRAME__BODY_EVENT)
		on_event(c, a, f->event);
	return 0;                         /* the arena's free does nothing */
}

/* Handles every whole frame in rbuf and keeps the rest at its start, with
 * room for the frame begun (c->rmu held).  -1: a bad or over-long frame. */
static int take_frames(prl__conn *c)
{
	enum { MIN_ROOM = 16 * 1024 };
	size_t off = 0, need = 0;
	while (c->rhave - off >= PRLC_FRAME_HEADER) {
		uint32_t len = prlc_frame_peek_len(c->rbuf.buf + off);
		if (len > PRLC_MAX_FRAME)
			return -1;
		if (c->rhave - off - PRLC_FRAME_HEADER < len) {
			need = PRLC_FRAME_HEADER + (size_t)len;
			break;
		}
		if (handle_frame(c, c->rbuf.buf + off + PRLC_FRAME_HEADER, len))
			return -1;
		off += PRLC_FRAME_HEADER + len;
	}
	if (off) {
		memmove(c->rbuf.buf, c->rbuf.buf + off, c->rhave - off);
		c->rhave -= off;
	}
	c->rpending = need;
	/* A buffer grown for a large frame goes back to the usual size. */
	if (!c->rhave && c->rbuf.cap > 4 * MIN_ROOM) {
		free(c->rbuf.buf);
		c->rbuf.buf = NULL;
		c->rbuf.cap = 0;
	}
	size_t want = need > c->rhave + MIN_ROOM ? need : c->rhave + MIN_ROOM;
	if (c->rbuf.cap < want) {
		uint8_t *b = realloc(c->rbuf.buf, want);
		if (!b)
			return -1;
		c->rbuf.buf = b;
		c->rbuf.cap = want;
	}
	return 0;
}

/* Reads what the socket holds and handles every whole frame (c->rmu held):
 * reads until one comes back short (nothing left then), so one wake-up
 * costs one read for anything that fits the buffer.  0, or -1 when the
 * link is over. */
static int pump(prl__conn *c)
{
	if (!c->rbuf.buf && take_frames(c))
		return -1;
	for (;;) {
		size_t room = c->rbuf.cap - c->rhave;
		ssize_t r = recv(c->fd, c->rbuf.buf + c->rhave, room, MSG_DONTWAIT);
		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->rhave += (size_t)r;
		__atomic_store_n(&c->last_rx_ms, coarse_ms(), __ATOMIC_RELAXED);
		if (take_frames(c))
			return -1;
		if ((size_t)r < room)
			return 0;
	}
}

static void drain(int efd)
{
	uint64_t v;
	while (read(efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

static void kick(int efd)
{
	uint64_t one = 1;
	while (write(efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* An epoll set of the socket (exclusive wake-ups) and an eventfd of its own. */
static int epoll_set(int fd, int *ep, int *efd)
{
	*ep = epoll_create1(EPOLL_CLOEXEC);
	*efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*ep < 0 || *efd < 0)
		return -1;
	struct epoll_event s = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = fd };
	struct epoll_event k = { .events = EPOLLIN, .data.fd = *efd };
	return epoll_ctl(*ep, EPOLL_CTL_ADD, fd, &s) || epoll_ctl(*ep, EPOLL_CTL_ADD, *efd, &k) ? -1 : 0;
}

/* Two epoll sets hold the socket, each registered EPOLLEXCLUSIVE: the
 * kernel offers a wake-up to the direct waiter's set first (registered
 * first), and only when no thread sleeps there to the reader thread's.  So
 * while a waiter waits, what arrives wakes the waiter alone, and the
 * reader thread sleeps on; otherwise the reader thread reads. */
static int make_epoll_sets(prl__conn *c)
{
	int ep = -1, efd = -1, wep = -1, wefd = -1;
	int rc = epoll_set(c->fd, &wep, &wefd) || epoll_set(c->fd, &ep, &efd) ? -1 : 0;
	pthread_mutex_lock(&c->mu);           /* waiters look at wep under mu */
	c->ep = ep, c->kick = efd, c->wep = wep, c->wkick = wefd;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* Takes the socket out of the reader thread's set (c->mu held); whether it
 * was taken out now. */
static int park_locked(prl__conn *c)
{
	if (c->parked || c->ep < 0 || epoll_ctl(c->ep, EPOLL_CTL_DEL, c->fd, NULL))
		return 0;
	c->parked = 1;
	return 1;
}

/* Puts it back (c->mu held); epoll looks at the socket as it adds it, so
 * what came meanwhile wakes the reader thread now.  When that fails the
 * link is over (rd_over): the reader thread ends it. */
static void unpark_locked(prl__conn *c)
{
	struct epoll_event se = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = c->fd };
	if (!c->parked)
		return;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, c->fd, &se) == 0 || errno == EEXIST)
		c->parked = 0;
	else
		c->rd_over = 1;               /* the reader ends the link */
}

/* Out of the reader thread's set for one direct wait (polling, or a large
 * frame coming); not c->parked, which the reader thread watches.  Whether
 * it was taken out. */
static int unhook(prl__conn *c)
{
	pthread_mutex_lock(&c->mu);
	int out = !c->parked && epoll_ctl(c->ep, EPOLL_CTL_DEL, c->fd, NULL) == 0;
	pthread_mutex_unlock(&c->mu);
	return out;
}

static int has_handlers(prl__server *s)
{
	return s && __atomic_load_n(&s->n_handlers, __ATOMIC_ACQUIRE) != 0;
}

void prl__conn_unpark(prl__server *s)
{
	prl__conn *c = conn_of(s);
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	if (!c->direct)
		unpark_locked(c);
	pthread_mutex_unlock(&c->mu);
	kick(c->kick);
	conn_unref(c);
}

void prl__conn_kick(prl__conn *c)
{
	kick(c->wkick);
}

/* The reader thread's loop; returns when the link ended. */
static void read_loop(prl__conn *c)
{
	for (;;) {
		pthread_mutex_lock(&c->mu);
		if (c->parked && !c->direct &&
		    coarse_ms() - c->direct_end_ms >= PARK_CHECK_MS)
			unpark_locked(c);
		int stop = (c->closing && !c->pending) || c->rd_over;
		int parked = c->parked;
		pthread_mutex_unlock(&c->mu);
		if (stop)
			return;
		struct epoll_event ev[2];
		int allowed = !parked && polling_allowed(c, &c->rspin);
		uint64_t t0 = allowed ? prlc_spin_now_ns() : 0;
		int n = allowed && c->rspin.ns ? poll_window(&c->rspin, c->ep, ev, 2, t0, NULL, NULL) : 0;
		if (n == 0)
			n = epoll_wait(c->ep, ev, 2, parked ? PARK_CHECK_MS : PING_IDLE_MS);
		if (n < 0 && errno != EINTR)
			return;
		if (allowed)
			prlc_spin_learn(&c->rspin, n > 0 ? prlc_spin_now_ns() - t0 : UINT64_MAX);
		int64_t idle = coarse_ms() - __atomic_load_n(&c->last_rx_ms, __ATOMIC_RELAXED);
		if (n == 0 && idle > DEAD_AFTER_MS)
			return;
		if ((n == 0 && !parked) || idle >= PING_IDLE_MS)
			send_ping(c);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == c->kick) {
				drain(c->kick);           /* rd_over: checked above */
				continue;
			}
			pthread_mutex_lock(&c->rmu);
			int over = pump(c);
			pthread_mutex_unlock(&c->rmu);
			if (over)
				return;
		}
	}
}

#define LARGE_FRAME (256u * 1024)

static int job_done(const void *j)
{
	return __atomic_load_n(&((const prl__job *)j)->finished, __ATOMIC_ACQUIRE);
}

int prl__conn_wait_direct(prl__job *j, unsigned msecs)
{
	prl__conn *c = conn_of(j->server);
	if (!c)
		return -1;
	int quiet = !has_handlers(j->server);   /* nothing to deliver meanwhile */
	pthread_mutex_lock(&c->mu);
	int ok = c->wep >= 0 && c->up && !c->closing && !c->rd_over && !c->direct;
	int parked_now = 0, parked = 0;
	if (ok) {
		c->direct = 1;
		if (quiet)
			parked_now = park_locked(c);
		parked = c->parked;
	}
	pthread_mutex_unlock(&c->mu);
	if (!ok) {
		conn_unref(c);
		return -1;
	}
	if (parked_now)
		kick(c->kick);                /* the reader thread now looks every PARK_CHECK_MS */
	pthread_mutex_lock(&j->mu);
	j->direct = c;
	pthread_mutex_unlock(&j->mu);
	prl__conn_direct_self = j;
	int allowed = polling_allowed(c, &c->wspin);
	/* The clock is read when it is needed: for a polling window, and as
	 * the wait first goes to sleep — the deadline starts then (a reply
	 * read before that took microseconds).  One read serves both. */
	uint64_t t0 = allowed ? prlc_spin_now_ns() : 0;
	int64_t deadline = -1;
	int spun = 0, first = 1, unhooked = 0;
	int done = 0, over = 0;
	/* On a CPU shared with the dispatcher the reply is most often in the
	 * socket already when the request's write returns: the dispatcher ran
	 * inside it.  Nobody else reads a parked socket, so read it once
	 * before going to sleep in epoll — one system call, not two. */
	int look = parked && !(allowed && c->wspin.ns);
	/* What arrives while we sleep in wep wakes us, not the reader thread
	 * (see make_epoll_sets); a job finished elsewhere kicks wkick. */
	while (!(done = __atomic_load_n(&j->finished, __ATOMIC_ACQUIRE))) {
		if (look) {
			look = 0;
			pthread_mutex_lock(&c->rmu);
			over = pump(c) != 0;
			pthread_mutex_unlock(&c->rmu);
			if (over)
				break;
			continue;
		}
		int t = -1;
		if (msecs != UINT_MAX) {
			int64_t now = first && t0 ? (int64_t)(t0 / 1000000) : now_ms();
			if (first)
				deadline = now + msecs;
			int64_t left = deadline - now;
			if (left <= 0)
				break;
			t = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		first = 0;
		struct epoll_event ev[2];
		int n = 0;
		if (!spun && allowed && c->wspin.ns) {
			/* While we poll we are not asleep in wep, so the socket's
			 * wake-up would go on to the reader thread's set: take the
			 * socket out of that set meanwhile (unless it is parked). */
			unhooked = unhook(c);
			n = poll_window(&c->wspin, c->wep, ev, 2, t0, job_done, j);
			spun = 1;
		}
		if (n == 0 && !job_done(j))
			n = epoll_wait(c->wep, ev, 2, t);
		if (n < 0 && errno != EINTR) {
			over = 1;
			break;
		}
		for (int i = 0; i < n && !over; i++) {
			if (ev[i].data.fd == c->wkick) {
				drain(c->wkick);
				continue;
			}
			pthread_mutex_lock(&c->rmu);
			over = pump(c) != 0;
			size_t pending = c->rpending;
			pthread_mutex_unlock(&c->rmu);
			/* A large frame comes in many pieces, and while we read one the
			 * next would wake the reader thread (nobody asleep in wep): it
			 * would take the frame over and then have to wake us.  Keep
			 * the socket to ourselves until we are done. */
			if (!over && !unhooked && pending > LARGE_FRAME)
				unhooked = unhook(c);
		}
		if (over)
			break;
	}
	prl__conn_direct_self = NULL;
	pthread_mutex_lock(&j->mu);
	j->direct = NULL;
	done = j->finished;
	pthread_mutex_unlock(&j->mu);
	if (allowed)
		prlc_spin_learn(&c->wspin, done ? prlc_spin_now_ns() - t0 : UINT64_MAX);
	pthread_mutex_lock(&c->mu);
	c->direct = 0;
	c->direct_end_ms = coarse_ms();
	/* The socket stays parked only for a program that goes on waiting on
	 * its own jobs: nothing else pending, no handler to deliver to.  Taken
	 * out for this wait alone, it becomes parked on the same terms. */
	int keep = !over && !c->pending && quiet && !has_handlers(j->server);
	if (unhooked)
		c->parked = 1;                /* out of the set, like a parked socket */
	if (!keep)
		unpark_locked(c);
	if (over)
		c->rd_over = 1;
	over = c->rd_over;
	pthread_mutex_unlock(&c->mu);
	if (over)
		kick(c->kick);                /* the reader thread ends the link */
	conn_unref(c);
	if (done)
		return 1;
	return over ? -1 : 0;
}

static void reader_done(prl__conn *c)
{
	pthread_mutex_lock(&c->mu);
	int counted = c->counted;
	c->counted = 0;
	pthread_mutex_unlock(&c->mu);
	pthread_mutex_lock(&readers_mu);
	readers--;
	winding_down -= counted;
	pthread_cond_broadcast(&readers_cv);
	pthread_mutex_unlock(&readers_mu);
}

static void *reader_main(void *arg)
{
	prl__conn *c = arg;
	char why[512] = "";
	PRL_RESULT rc = open_link(c, why, sizeof(why));
	if (PRL_FAILED(rc)) {
		prl__job *j = c->login_job;
		c->login_job = NULL;
		unlink_server(c);
		prl__job_finish(j, rc, NULL, why);
		prl__put(&j->base);
		reader_done(c);
		conn_unref(c);
		return NULL;
	}
	c->last_rx_ms = coarse_ms();
	if (make_epoll_sets(c) == 0) {
		send_login(c);
		read_loop(c);
	} else {
		prl__job *j = c->login_job;
		c->login_job = NULL;
		prl__job_finish(j, PRL_ERR_OUT_OF_MEMORY, NULL, "Cannot make the connection's epoll set.");
		prl__put(&j->base);
	}
	pthread_mutex_lock(&c->mu);
	int was_up = c->up, closing = c->closing;
	c->up = 0;
	mark_closing(c);
	pthread_mutex_unlock(&c->mu);
	unlink_server(c);
	if (was_up && !closing) {
		prl__log("lost the connection to the dispatcher (%s)",
			 c->local ? "local socket" : c->args.host);
		post_closed_event(c);
	}
	pending_fail_all(c, PRL_ERR_WS_DISP_CONNECTION_CLOSED,
			 "The connection to the dispatcher was closed.");
	reader_done(c);
	conn_unref(c);
	return NULL;
}

/* Makes c the server's connection unless a live one is there already; a
 * connection that is closing (logoff in progress) is replaced. */
static int attach(prl__server *s, prl__conn *c)
{
	pthread_mutex_lock(&s->mu);
	prl__conn *old = s->conn;
	int busy = 0;
	if (old) {
		pthread_mutex_lock(&old->mu);
		busy = !old->closing;
		pthread_mutex_unlock(&old->mu);
	}
	if (!busy)
		s->conn = c;
	pthread_mutex_unlock(&s->mu);
	if (old && !busy)
		conn_unref(old);
	return busy ? -EBUSY : 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void prl__conn_login(prl__server *s, prl__job *j, const prl__login_args *a)
{
	prl__conn *c = calloc(1, sizeof(*c));
	if (!c) {
		prl__job_finish(j, PRL_ERR_OUT_OF_MEMORY, NULL, NULL);
		prl__put(&j->base);
		return;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->wmu, NULL);
	pthread_mutex_init(&c->rmu, NULL);
	c->fd = c->ep = c->kick = c->wep = c->wkick = -1;
	prlc_spin_init(&c->rspin, busy_poll_max_ns());
	prlc_spin_init(&c->wspin, busy_poll_max_ns());
	c->refs = 2;                              /* server + reader */
	list_add(c);
	c->args = *a;
	c->args.host = dup_or_null(a->host);
	c->args.user = dup_or_null(a->user);
	c->args.password = dup_or_null(a->password);
	c->args.prev_session = dup_or_null(a->prev_session);
	c->local = a->local;
	c->server = prl__handle(&s->base);
	c->login_job = j;
	if (attach(s, c)) {
		c->login_job = NULL;
		conn_unref(c);
		conn_unref(c);
		prl__job_finish(j, PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER, NULL,
				"This server handle is already logged in; log off first.");
		prl__put(&j->base);
		return;
	}
	pthread_mutex_lock(&readers_mu);
	readers++;
	pthread_mutex_unlock(&readers_mu);
	pthread_t t;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, reader_main, c)) {
		reader_done(c);
		c->login_job = NULL;
		unlink_server(c);
		conn_unref(c);
		prl__job_finish(j, PRL_ERR_OUT_OF_MEMORY, NULL, "Cannot start the connection thread.");
		prl__put(&j->base);
	}
	pthread_attr_destroy(&at);
}

static void logoff_finished(prl__job *j)
{
	prl__conn *c = j->server ? conn_of(j->server) : NULL;
	if (!c)
		return;
	pthread_mutex_lock(&c->wmu);
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->wmu);
	conn_unref(c);
}

PRL_HANDLE prl__conn_logoff(prl__server *s, prl__job *j)
{
	prl__conn *c = conn_of(s);
	if (c) {
		pthread_mutex_lock(&c->mu);
		int up = c->up;
		if (up)
			mark_closing(c);
		pthread_mutex_unlock(&c->mu);
		if (up) {
			j->on_finish = logoff_finished;
			prl__req r;
			prl__req_init(&r, PJOC_SRV_LOGOFF);
			send_request(c, j, &r, 1);
			conn_unref(c);
			return prl__handle(&j->base);
		}
		conn_unref(c);
	}
	prl__job_finish(j, PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, NULL,
			"Not logged in: there is no session to log off.");
	return prl__handle(&j->base);
}

int prl__conn_connected(prl__server *s, int *local)
{
	prl__conn *c = conn_of(s);
	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	int up = c->up && !c->closing;
	if (local)
		*local = c->local;
	pthread_mutex_unlock(&c->mu);
	conn_unref(c);
	return up;
}

Prl__LoginInfo *prl__conn_login_info(prl__server *s)
{
	prl__conn *c = conn_of(s);
	if (!c)
		return NULL;
	Prl__LoginInfo *copy = NULL;
	pthread_mutex_lock(&c->mu);
	if (c->info) {
		size_t n = prl__login_info__get_packed_size(c->info);
		uint8_t *b = malloc(n);
		if (b) {
			prl__login_info__pack(c->info, b);
			copy = prl__login_info__unpack(NULL, n, b);
			free(b);
		}
	}
	pthread_mutex_unlock(&c->mu);
	conn_unref(c);
	return copy;
}

char *prl__conn_session_user(prl__server *s)
{
	prl__conn *c = s ? conn_of(s) : NULL;
	if (!c)
		return NULL;
	pthread_mutex_lock(&c->mu);
	char *user = c->info && c->info->user ? strdup(c->info->user) : NULL;
	pthread_mutex_unlock(&c->mu);
	conn_unref(c);
	return user;
}

void prl__conn_destroy(prl__server *s)
{
	prl__conn *c = s->conn;
	s->conn = NULL;
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	mark_closing(c);
	pthread_mutex_unlock(&c->mu);
	pthread_mutex_lock(&c->wmu);
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->wmu);
	conn_unref(c);
}

void prl__conn_quiesce(unsigned timeout_ms)
{
	struct timespec ts;
	int64_t until = now_ms() + timeout_ms;
	prl__deadline(&ts, CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&readers_mu);
	while (winding_down > 0)
		if (pthread_cond_timedwait(&readers_cv, &readers_mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&readers_mu);
	/* A job finished by another thread is let go of within microseconds. */
	while (__atomic_load_n(&finishing, __ATOMIC_ACQUIRE) > 0 && now_ms() < until) {
		struct timespec nap = { 0, 20000 };
		nanosleep(&nap, NULL);
	}
}

/* The last PrlApi_Deinit: every link still open is shut down (its reader
 * ends, failing what is pending), then the readers are waited for. */
void prl__conn_wait_all(unsigned timeout_ms)
{
	struct timespec ts;
	prl__deadline(&ts, CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&readers_mu);
	for (prl__conn *c = all_conns; c; c = c->next) {
		pthread_mutex_lock(&c->wmu);
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
		pthread_mutex_unlock(&c->wmu);
	}
	while (readers > 0)
		if (pthread_cond_timedwait(&readers_cv, &readers_mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&readers_mu);
}
