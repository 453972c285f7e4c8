/*
 * server.c — the dispatcher as a whole: set-up and tear-down, the heartbeat
 * sweep, broadcasting events, and the clean shutdown (see disp.h).
 *
 * Heartbeats: one timer per second walks the connections.  A connection we
 * have not written to for DISP_PING_AFTER_MS gets a Ping; a peer that sent
 * nothing for DISP_DEAD_AFTER_MS is dropped; a connection that has been
 * flushing its last bytes for longer than DISP_SHUTDOWN_GRACE_MS is cut.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* sched_getaffinity (spin.h) */
#endif
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "disp.h"
#include "perfstats.h"
#include "prlc_consts.h"
#include "spin.h"

static void send_ping(disp_conn *c, uint64_t now)
{
	Prl__Ping p = PRL__PING__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	p.has_time_ms = true;
	p.time_ms = now;
	f.body_case = PRL__FRAME__BODY_PING;
	f.ping = &p;
	disp_conn_send_frame(c, &f);
}

static void sweep_one(disp_conn *c, uint64_t now)
{
	if (c->state == DISP_CONN_CLOSING) {
		if (now - c->closing_since_ms >= DISP_SHUTDOWN_GRACE_MS)
			disp_conn_close(c, false);
	} else if (now - c->last_rx_ms >= DISP_DEAD_AFTER_MS) {
		PRLC_WARN("%s: silent for %u s: dropping the connection",
			  c->sess.peer, DISP_DEAD_AFTER_MS / 1000);
		disp_conn_close(c, false);
	} else if (c->state == DISP_CONN_OPEN &&
		   now - c->last_tx_ms >= DISP_PING_AFTER_MS) {
		send_ping(c, now);
	}
}

void disp_server_sweep(disp_server *srv, uint64_t now)
{
	for (disp_conn *c = srv->conns, *next; c; c = next) {
		next = c->next;
		sweep_one(c, now);
	}
}

/* The sweep's clock is a timerfd the loop reads like a socket, not a
 * libevent timer.  With no timer pending, libevent sleeps in epoll_wait
 * without a timeout; a sleep with one costs every request two clock reads
 * and a high-resolution timer armed and cancelled in the kernel.  That is
 * only a few per cent of a local round trip, but on a CPU shared with the
 * client it was enough to make the scheduler put the client to sleep first
 * in a third of the round trips (docs/architecture.md). */
static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	disp_server *srv = arg;
	uint64_t ticks;
	while (read(fd, &ticks, sizeof ticks) < 0 && errno == EINTR)
		;
	srv->sweeps++;
	disp_server_sweep(srv, disp_now_ms());
}

static int sweep_start(disp_server *srv)
{
	struct itimerspec every = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	srv->sweep_fd = fd;
	srv->have_sweep_fd = true;
	if (timerfd_settime(fd, 0, &every, NULL) < 0)
		return -1;
	srv->sweep = event_new(srv->base, fd, EV_READ | EV_PERSIST, on_sweep, srv);
	return srv->sweep && event_add(srv->sweep, NULL) == 0 ? 0 : -1;
}

int disp_server_init(disp_server *srv, const disp_options *opt,
		     unsigned nthreads)
{
	memset(srv, 0, sizeof *srv);
	srv->opt = opt;
	srv->start_time = (uint64_t)time(NULL);
	srv->tcp_port = DISP_DEFAULT_PORT;
	srv->base = event_base_new();
	if (!srv->base)
		return -ENOMEM;
	srv->workers = disp_workers_new(srv->base, nthreads);
	if (!srv->workers || sweep_start(srv) < 0 || disp_stats_init(srv) < 0) {
		disp_server_fini(srv);
		return -ENOMEM;
	}
	return 0;
}

static void close_all(disp_server *srv, bool flush)
{
	for (disp_conn *c = srv->conns, *next; c; c = next) {
		next = c->next;
		disp_conn_close(c, flush);
	}
}

void disp_server_fini(disp_server *srv)
{
	disp_listeners_close(srv);
	close_all(srv, false);
	/* Workers go before stats: a statistics job may still be queued. */
	disp_workers_free(srv->workers);
	disp_perfstats_fini(srv);
	disp_stats_fini(srv);
	if (srv->sweep)
		event_free(srv->sweep);
	if (srv->have_sweep_fd)
		close(srv->sweep_fd);
	if (srv->shutdown_timer)
		event_free(srv->shutdown_timer);
	if (srv->base)
		event_base_free(srv->base);
	memset(srv, 0, sizeof *srv);
}

int disp_server_post(disp_server *srv, disp_work_fn fn, void *arg)
{
	return disp_workers_post(srv->workers, fn, arg);
}

size_t disp_server_broadcast(disp_server *srv, const Prl__Event *ev,
			     bool to_all)
{
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_EVENT;
	f.event = (Prl__Event *)ev;
	size_t len, n = 0;
	uint8_t *buf = prlc_frame_encode(&f, &len);
	disp_shared *s = buf ? disp_shared_new(buf, len) : NULL;
	if (!s)
		return 0;
	for (disp_conn *c = srv->conns, *next; c; c = next) {
		next = c->next;
		if (c->state == DISP_CONN_OPEN &&
		    (to_all || c->sess.logged_in))
			n += disp_conn_send_shared(c, s) == 0;
	}
	disp_shared_unref(s);
	return n;
}

static void on_grace_over(evutil_socket_t fd, short what, void *arg)
{
	disp_server *srv = arg;
	PRLC_WARN("%zu connection(s) still flushing after %u ms: closing",
		  srv->n_conns, DISP_SHUTDOWN_GRACE_MS);
	close_all(srv, false);
	event_base_loopexit(srv->base, NULL);
}

/* Client bytes read, worker results run: what the loop polls for. */
static uint64_t activity(const disp_server *srv)
{
	return srv->input_seq + disp_workers_delivered(srv->workers);
}

static bool loop_over(disp_server *srv)
{
	return event_base_got_exit(srv->base) || event_base_got_break(srv->base);
}

void disp_server_run(disp_server *srv)
{
	prlc_spin spin;
	prlc_spin_init(&spin, srv->opt ? srv->opt->busy_poll_us * 1000u : 0);
	for (;;) {
		uint64_t seq = activity(srv);
		int allowed = spin.max_ns && prlc_spin_worth(&spin, srv->peer_pid);
		uint64_t t0 = allowed ? prlc_spin_now_ns() : 0;
		if (allowed && spin.ns) {
			do {
				if (event_base_loop(srv->base, EVLOOP_NONBLOCK) != 0 || loop_over(srv))
					return;
				if (activity(srv) != seq)
					break;
				sched_yield();    /* whoever else wants this CPU */
			} while (prlc_spin_now_ns() - t0 < spin.ns);
		}
		if (activity(srv) == seq) {
			if (event_base_loop(srv->base, EVLOOP_ONCE) != 0 || loop_over(srv))
				return;
		}
		/* Only requests and their results teach the window, not timers. */
		if (allowed && activity(srv) != seq)
			prlc_spin_learn(&spin, prlc_spin_now_ns() - t0);
	}
}

void disp_server_shutdown(disp_server *srv)
{
	if (srv->shutting_down)
		return;
	srv->shutting_down = true;
	PRLC_INFO("shutting down: notifying %zu connection(s)", srv->n_conns);
	disp_listeners_close(srv);
	Prl__Event ev = PRL__EVENT__INIT;
	ev.type = PET_DSP_EVT_DISP_SHUTDOWN;
	ev.issuer_type = PIE_DISPATCHER;
	disp_server_broadcast(srv, &ev, true);
	close_all(srv, true);
	if (srv->n_conns == 0) {
		event_base_loopexit(srv->base, NULL);
		return;
	}
	struct timeval tv = { DISP_SHUTDOWN_GRACE_MS / 1000,
			      (DISP_SHUTDOWN_GRACE_MS % 1000) * 1000 };
	srv->shutdown_timer = evtimer_new(srv->base, on_grace_over, srv);
	if (!srv->shutdown_timer || evtimer_add(srv->shutdown_timer, &tv) < 0)
		on_grace_over(-1, 0, srv);
}
