/*
 * conn.c — one client connection: bytes in, frames out (see disp.h).
 *
 * Input: the socket is read straight into `in`, a flat buffer the
 * connection keeps (IN_FIRST bytes, grown only for a larger frame, given
 * back once empty if it grew past IN_KEEP); complete frames are decoded in
 * place, one at a time.  The 4-byte length is checked before the buffer
 * grows for the body — against PRLC_MAX_FRAME once logged in, and against
 * the much smaller DISP_PRELOGIN_MAX_FRAME before, so that an anonymous
 * peer cannot park megabytes here.  A bad length or an undecodable body
 * ends this connection only.
 *
 * The first frame must be a Hello with our magic and version; anything else
 * is answered with HelloReply{PRL_ERR_WRONG_PROTOCOL_VERSION} and the
 * connection closes once that reply is written.  Then Requests go to the
 * op table (ops.c) and Pings just count as life.
 *
 * Output: a reply that is the only thing to go out is written at once;
 * otherwise encoded frames are appended to `out` (by reference, no copy,
 * for large frames) and written together when the callback that queued them
 * returns; a peer that lets more than DISP_OUT_MAX pile up is dropped.
 * When too many requests are in flight, reading pauses until replies go out.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* glibc extensions */
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "disp.h"
#include "prlc_consts.h"
#include "spin.h"

#define DISP_PRELOGIN_MAX_FRAME (64u * 1024)
#define COPY_BELOW 4096         /* smaller frames are copied, not referenced */
#define DISP_MAX_SINGLE_WRITE (4u * 1024 * 1024)  /* bytes per writev */
#define IN_FIRST (16u * 1024)   /* the input buffer's size, and a read's */
#define IN_KEEP (64u * 1024)    /* a larger one is freed once empty */

uint64_t disp_now_ms(void)
{
	return prlc_coarse_ns() / 1000000;    /* heartbeats and grace periods */
}

/* ---- sessions --------------------------------------------------------------- */

void disp_session_clear(disp_session *s)
{
	memset(s, 0, sizeof *s);
}

int disp_session_copy(disp_session *dst, const disp_session *src)
{
	*dst = *src;
	return 0;
}

/* ---- shared frames ------------------------------------------------------------ */

struct disp_shared {
	atomic_int refs;
	size_t len;
	uint8_t *buf;
};

disp_shared *disp_shared_new(uint8_t *buf, size_t len)
{
	disp_shared *s = malloc(sizeof *s);
	if (!s) {
		free(buf);
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->len = len;
	s->buf = buf;
	return s;
}

void disp_shared_unref(disp_shared *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		free(s->buf);
		free(s);
	}
}

static void shared_cleanup(const void *data, size_t len, void *arg)
{
	disp_shared_unref(arg);
}

static void free_cleanup(const void *data, size_t len, void *arg)
{
	free(arg);                      /* data may point past its start */
}

/* ---- lifetime ------------------------------------------------------------------ */

static void link_conn(disp_conn *c)
{
	disp_server *srv = c->srv;
	c->next = srv->conns;
	if (c->next)
		c->next->prev = c;
	srv->conns = c;
	srv->n_conns++;
}

static void unlink_conn(disp_conn *c)
{
	disp_server *srv = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	srv->n_conns--;
}

void disp_conn_ref(disp_conn *c) { c->refs++; }

void disp_conn_unref(disp_conn *c)
{
	if (--c->refs > 0)
		return;
	free(c->in.buf);
	if (c->out)
		evbuffer_free(c->out);
	disp_session_clear(&c->sess);
	free(c);
}

static disp_conn *conn_new(disp_server *srv, bool is_unix)
{
	disp_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->srv = srv;
	c->fd = -1;
	c->refs = 1;                    /* the server's list */
	c->state = DISP_CONN_HELLO;
	c->sess.is_unix = is_unix;
	c->sess.user_uid = (uid_t)-1;
	c->last_rx_ms = c->last_tx_ms = disp_now_ms();
	return c;
}

/* Stops everything the session started (requests, subscription). */
static void conn_quiesce(disp_conn *c)
{
	disp_ops_abandon_all(c);
	disp_stats_unsubscribe(c);
}

static void in_release(disp_conn *c);

static void conn_finish(disp_conn *c)
{
	c->state = DISP_CONN_DEAD;
	unlink_conn(c);
	if (c->fd >= 0) {
		event_free(c->rev);
		event_free(c->wev);
		c->rev = c->wev = NULL;
		close(c->fd);
		c->fd = -1;
		/* What the peer never read goes now, not with the last holder. */
		in_release(c);
		evbuffer_drain(c->out, evbuffer_get_length(c->out));
	}
	PRLC_DEBUG("%s: connection closed", c->sess.peer);
	if (c->srv->shutting_down && c->srv->n_conns == 0)
		event_base_loopexit(c->srv->base, NULL);
	disp_conn_unref(c);
}

static void schedule_flush(disp_conn *c);

void disp_conn_close(disp_conn *c, bool flush)
{
	if (c->state == DISP_CONN_DEAD)
		return;
	conn_quiesce(c);
	bool pending = c->out && evbuffer_get_length(c->out) > 0;
	if (!flush || !pending || (c->fd < 0 && c->state == DISP_CONN_CLOSING)) {
		conn_finish(c);
		return;
	}
	if (c->state == DISP_CONN_CLOSING)
		return;
	c->state = DISP_CONN_CLOSING;
	c->closing_since_ms = disp_now_ms();
	if (c->fd >= 0) {
		event_del(c->rev);
		schedule_flush(c);
	}
}

/* ---- output ---------------------------------------------------------------------- */

/* False (and the connection dropped) when the peer stopped reading. */
static bool out_has_room(disp_conn *c)
{
	if (!disp_conn_alive(c))
		return false;
	size_t queued = evbuffer_get_length(c->out);
	if (queued <= DISP_OUT_MAX)
		return true;
	PRLC_WARN("%s: %zu bytes wait to be read by this client: dropping it",
		  c->sess.peer, queued);
	disp_conn_close(c, false);
	return false;
}

static void sent(disp_conn *c)
{
	c->last_tx_ms = disp_now_ms();
	schedule_flush(c);
}

/* Writes a frame at once when it would be the only thing to go out this
 * turn: nothing queued before it, no flush due, no more input waiting (a
 * lone request's reply skips a trip through the loop; pipelined requests
 * still get one write for all their replies).  Returns the bytes written:
 * 0 when none could be, or on an error, which flush_out meets again from
 * the loop (never closing the connection under the caller). */
static size_t write_now(disp_conn *c, const uint8_t *buf, size_t len)
{
	if (c->fd < 0 || c->state != DISP_CONN_OPEN || c->flush_due ||
	    c->in.off != c->in.len || evbuffer_get_length(c->out) > 0)
		return 0;
	ssize_t r;
	do
		r = write(c->fd, buf, len);     /* non-blocking; SIGPIPE ignored */
	while (r < 0 && errno == EINTR);
	return r > 0 ? (size_t)r : 0;
}

int disp_conn_send_bytes(disp_conn *c, uint8_t *buf, size_t len)
{
	if (!out_has_room(c)) {
		free(buf);
		return -1;
	}
	size_t done = write_now(c, buf, len);
	if (done == len) {
		free(buf);
		c->last_tx_ms = disp_now_ms();
		return 0;
	}
	int rc;
	if (len - done < COPY_BELOW) {
		rc = evbuffer_add(c->out, buf + done, len - done);
		free(buf);
	} else {
		rc = evbuffer_add_reference(c->out, buf + done, len - done,
					    free_cleanup, buf);
		if (rc < 0)
			free(buf);
	}
	if (rc < 0 && done > 0) {
		disp_conn_close(c, false);      /* half a frame went out */
		return rc;
	}
	if (rc == 0)
		sent(c);
	return rc;
}

int disp_conn_send_frame(disp_conn *c, const Prl__Frame *f)
{
	size_t len;
	uint8_t *buf = prlc_frame_encode(f, &len);
	return buf ? disp_conn_send_bytes(c, buf, len) : -1;
}

int disp_conn_send_shared(disp_conn *c, disp_shared *s)
{
	if (!out_has_room(c))
		return -1;
	atomic_fetch_add(&s->refs, 1);
	if (evbuffer_add_reference(c->out, s->buf, s->len, shared_cleanup,
				   s) < 0) {
		disp_shared_unref(s);
		return -1;
	}
	sent(c);
	return 0;
}

/* ---- the handshake ------------------------------------------------------------------ */

static void send_hello_reply(disp_conn *c, int result, const char *error)
{
	Prl__HelloReply hr = PRL__HELLO_REPLY__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	hr.magic = PRLC_WIRE_MAGIC;
	hr.version = PRLC_PROTOCOL_VERSION;
	hr.result = result;
	hr.error = (char *)error;
	hr.server_uuid = c->srv->uuid;
	f.body_case = PRL__FRAME__BODY_HELLO_REPLY;
	f.hello_reply = &hr;
	disp_conn_send_frame(c, &f);
}

static void on_hello(disp_conn *c, const Prl__Frame *f)
{
	const Prl__Hello *h = f->body_case == PRL__FRAME__BODY_HELLO ?
				      f->hello : NULL;
	if (h && h->magic == PRLC_WIRE_MAGIC &&
	    h->version == PRLC_PROTOCOL_VERSION) {
		send_hello_reply(c, PRL_ERR_SUCCESS, NULL);
		c->state = DISP_CONN_OPEN;
		PRLC_DEBUG("%s: hello from '%s'", c->sess.peer,
			   h->client ? h->client : "");
		return;
	}
	char text[200];
	if (h)
		snprintf(text, sizeof text, "this dispatcher speaks protocol "
			 "version %u (magic 0x%08x); the client offered "
			 "version %u (magic 0x%08x)", PRLC_PROTOCOL_VERSION,
			 PRLC_WIRE_MAGIC, h->version, h->magic);
	else
		snprintf(text, sizeof text, "the first frame must be a Hello");
	PRLC_WARN("%s: handshake refused: %s", c->sess.peer, text);
	send_hello_reply(c, PRL_ERR_WRONG_PROTOCOL_VERSION, text);
	disp_conn_close(c, true);
}

/* ---- input --------------------------------------------------------------------------- */

static void in_release(disp_conn *c)
{
	free(c->in.buf);
	memset(&c->in, 0, sizeof c->in);
}

/* Where the next bytes go and how many fit (*room > 0).  The buffer must
 * hold the frame begun: IN_FIRST bytes, or the frame's whole length once
 * its header is in (a length over the limit is not grown for: take_frame
 * refuses it).  The unread bytes move to the front when the frame would not
 * fit where it starts.  NULL when memory runs out. */
static uint8_t *in_room(disp_conn *c, size_t *room)
{
	struct disp_inbuf *in = &c->in;
	size_t have = in->len - in->off, need = IN_FIRST;
	uint32_t max = c->sess.logged_in ? PRLC_MAX_FRAME :
					   DISP_PRELOGIN_MAX_FRAME;
	if (have >= PRLC_FRAME_HEADER) {
		uint32_t body = prlc_frame_peek_len(in->buf + in->off);
		if (body <= max && PRLC_FRAME_HEADER + (size_t)body > need)
			need = PRLC_FRAME_HEADER + (size_t)body;
	}
	if (in->off + need > in->cap || in->len == in->cap) {
		if (in->off > 0) {
			memmove(in->buf, in->buf + in->off, have);
			in->off = 0;
			in->len = have;
		}
		if (in->len == in->cap && need <= in->cap)
			need = 2 * in->cap;     /* frames wait while input is paused */
		if (need > in->cap) {
			uint8_t *b = realloc(in->buf, need);
			if (!b)
				return NULL;
			in->buf = b;
			in->cap = need;
		}
	}
	*room = in->cap - in->len;
	return in->buf + in->len;
}

/* Gives back a buffer that grew for a large frame, once it is empty. */
static void in_trim(disp_conn *c)
{
	if (c->in.cap > IN_KEEP && c->in.off == c->in.len)
		in_release(c);
}

static void protocol_error(disp_conn *c, const char *what)
{
	PRLC_WARN("%s: %s: closing the connection", c->sess.peer, what);
	disp_conn_close(c, false);
}

/* Takes ownership of m, which holds f. */
static void on_frame(disp_conn *c, Prl__Frame *f, disp_inmsg *m)
{
	if (c->state == DISP_CONN_HELLO) {
		on_hello(c, f);
	} else if (f->body_case == PRL__FRAME__BODY_REQUEST) {
		disp_ops_dispatch(c, f, m);
		m = NULL;
		if (c->pending.n >= DISP_PENDING_MAX && disp_conn_alive(c)) {
			c->input_paused = true;
			if (c->fd >= 0)
				event_del(c->rev);
		}
	} else if (f->body_case != PRL__FRAME__BODY_PING) {
		protocol_error(c, "a client may send only Requests and Pings");
	}
	disp_inmsg_free(m);
}

/* Decodes one frame at the front of `in` and handles it; false when there
 * is none (yet) or the connection ended. */
static bool take_frame(disp_conn *c)
{
	struct disp_inbuf *in = &c->in;
	size_t avail = in->len - in->off;
	if (avail < PRLC_FRAME_HEADER)
		return false;
	const uint8_t *p = in->buf + in->off;
	uint32_t len = prlc_frame_peek_len(p);
	uint32_t max = c->sess.logged_in ? PRLC_MAX_FRAME :
					   DISP_PRELOGIN_MAX_FRAME;
	if (len > max) {
		protocol_error(c, "frame length over the limit");
		return false;
	}
	if (avail - PRLC_FRAME_HEADER < len)
		return false;
	Prl__Frame *f = NULL;
	disp_inmsg *m = disp_inmsg_decode(p + PRLC_FRAME_HEADER, len, &f);
	if (!m) {
		protocol_error(c, "undecodable frame");
		return false;
	}
	in->off += PRLC_FRAME_HEADER + (size_t)len;
	if (in->off == in->len)
		in->off = in->len = 0;
	c->last_rx_ms = disp_now_ms();
	on_frame(c, f, m);
	return true;
}

static void process_input(disp_conn *c)
{
	disp_conn_ref(c);
	while (disp_conn_alive(c) && !c->input_paused && take_frame(c))
		;
	disp_conn_unref(c);
}

void disp_conn_resume_input(disp_conn *c)
{
	c->input_paused = false;
	if (c->fd < 0 || !disp_conn_alive(c))
		return;
	event_add(c->rev, NULL);
	/* Frames already buffered are handled from the loop, not from inside
	 * the reply path that called us: replies keep their order. */
	event_active(c->rev, EV_READ, 0);
}

void disp_conn_feed(disp_conn *c, const void *buf, size_t len)
{
	while (disp_conn_alive(c) && len > 0) {
		size_t room;
		uint8_t *dst = in_room(c, &room);
		if (!dst) {
			protocol_error(c, "out of memory for input");
			return;
		}
		size_t n = len < room ? len : room;
		memcpy(dst, buf, n);
		c->in.len += n;
		buf = (const uint8_t *)buf + n;
		len -= n;
		process_input(c);
	}
	in_trim(c);
}

struct evbuffer *disp_conn_output(disp_conn *c)
{
	return c->out;
}

/* ---- sockets ----------------------------------------------------------------------------- */

/* The socket is readable (or input was resumed): frames already buffered
 * first, then one read — a second only when the first filled the room it
 * had.  No FIONREAD, no watermarks: a request costs the loop one read. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	disp_conn *c = arg;
	disp_conn_ref(c);
	process_input(c);
	while (disp_conn_alive(c) && !c->input_paused) {
		size_t room;
		uint8_t *dst = in_room(c, &room);
		if (!dst) {
			protocol_error(c, "out of memory for input");
			break;
		}
		ssize_t r = read(fd, dst, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			if (r < 0)
				PRLC_DEBUG("%s: socket error: %s", c->sess.peer,
					   strerror(errno));
			disp_conn_close(c, false);
			break;
		}
		c->in.len += (size_t)r;
		c->srv->input_seq++;
		c->srv->peer_pid = c->sess.is_unix ? c->sess.pid : 0;
		process_input(c);
		if ((size_t)r < room)
			break;
	}
	in_trim(c);
	disp_conn_unref(c);
}

/* Writes what `out` holds; waits for the socket when it is full.  A closing
 * connection ends once everything is out. */
static void flush_out(disp_conn *c)
{
	c->flush_due = false;
	if (c->fd < 0 || c->state == DISP_CONN_DEAD)
		return;
	while (evbuffer_get_length(c->out) > 0) {
		int r = evbuffer_write_atmost(c->out, c->fd, DISP_MAX_SINGLE_WRITE);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			PRLC_DEBUG("%s: write failed: %s", c->sess.peer,
				   r < 0 ? strerror(errno) : "nothing written");
			disp_conn_close(c, false);
			return;
		}
	}
	if (evbuffer_get_length(c->out) > 0) {
		event_add(c->wev, NULL);          /* wait until it is writable */
		return;
	}
	event_del(c->wev);
	if (c->state == DISP_CONN_CLOSING)
		conn_finish(c);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	disp_conn *c = arg;
	disp_conn_ref(c);
	flush_out(c);
	disp_conn_unref(c);
}

/* Everything queued during this turn of the loop goes out in one write,
 * right after the callback that queued it (an active event runs before
 * the loop polls again). */
static void schedule_flush(disp_conn *c)
{
	if (c->fd < 0 || c->flush_due)
		return;
	c->flush_due = true;
	event_active(c->wev, EV_WRITE, 0);
}

static void read_peer_cred(disp_conn *c, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->sess.uid = cred.uid;
		c->sess.pid = cred.pid;
		snprintf(c->sess.peer, sizeof c->sess.peer,
			 "unix:uid=%u,pid=%d", (unsigned)cred.uid,
			 (int)cred.pid);
	} else {
		c->sess.uid = (uid_t)-1;
		snprintf(c->sess.peer, sizeof c->sess.peer, "unix:?");
	}
}

disp_conn *disp_conn_accept(disp_server *srv, int fd, bool is_unix,
			    const char *peer)
{
	disp_conn *c = srv->shutting_down ? NULL : conn_new(srv, is_unix);
	if (c) {
		c->out = evbuffer_new();
		c->rev = event_new(srv->base, fd, EV_READ | EV_PERSIST, on_readable, c);
		c->wev = event_new(srv->base, fd, EV_WRITE | EV_PERSIST, on_writable, c);
	}
	if (!c || !c->out || !c->rev || !c->wev ||
	    evutil_make_socket_nonblocking(fd) < 0) {
		if (c) {
			if (c->rev)
				event_free(c->rev);
			if (c->wev)
				event_free(c->wev);
			disp_conn_unref(c);
		}
		close(fd);
		return NULL;
	}
	c->fd = fd;
	if (is_unix) {
		read_peer_cred(c, fd);
	} else {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		snprintf(c->sess.peer, sizeof c->sess.peer, "%s", peer);
	}
	if (event_add(c->rev, NULL) < 0) {
		event_free(c->rev);
		event_free(c->wev);
		close(fd);
		disp_conn_unref(c);
		return NULL;
	}
	link_conn(c);
	PRLC_DEBUG("%s: connected", c->sess.peer);
	return c;
}

disp_conn *disp_conn_new_fake(disp_server *srv, bool is_unix, uid_t uid)
{
	disp_conn *c = conn_new(srv, is_unix);
	if (!c)
		return NULL;
	c->out = evbuffer_new();
	if (!c->out) {
		free(c);
		return NULL;
	}
	c->sess.uid = uid;
	snprintf(c->sess.peer, sizeof c->sess.peer, "fake:uid=%u",
		 (unsigned)uid);
	link_conn(c);
	disp_conn_ref(c);               /* the caller's */
	return c;
}
