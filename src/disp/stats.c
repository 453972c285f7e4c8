/*
 * stats.c — host statistics for one-shot requests and for subscribers.
 *
 * One collector (hoststat.c) serves the whole dispatcher, guarded by a
 * mutex because requests sample it from worker threads.  While at least one
 * connection subscribes, a 1000 ms timer starts a sampling job on a worker;
 * the worker packs the Statistics into the `statistics` parameter of ONE
 * PET_DSP_EVT_HOST_STATISTICS_UPDATED event and encodes that frame once;
 * back on the loop the same bytes are queued, by reference, to every
 * subscriber.  A tick that finds the previous job still running is skipped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "disp.h"
#include "prlc_consts.h"
#ifdef DISP_HAVE_HOSTSTAT
#include "hoststat.h"
#endif

#define STATS_PERIOD_MS 1000

struct disp_stats {
	disp_server *srv;
	pthread_mutex_t lock;           /* the collector */
#ifdef DISP_HAVE_HOSTSTAT
	disp_hoststat *collector;
#endif
	unsigned subscribers;
	struct event *tick;
	bool in_flight;
};

typedef struct tick_job {
	disp_stats *st;
	disp_shared *frame;             /* NULL when sampling failed */
} tick_job;

/* ---- the collector seam (hoststat.c) -------------------------------------- */

#ifdef DISP_HAVE_HOSTSTAT
int disp_stats_sample(disp_server *srv, Prl__Statistics *out)
{
	disp_stats *st = srv->stats;
	int rc = -ENOMEM;
	pthread_mutex_lock(&st->lock);
	if (!st->collector)
		st->collector = disp_hoststat_new();
	if (st->collector)
		rc = disp_hoststat_collect(st->collector, out);
	else
		prl__statistics__init(out);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

void disp_stats_free_sample(Prl__Statistics *s) { disp_hoststat_free(s); }
int disp_stats_fill_config(Prl__ServerConfig *out)
{
	return disp_hoststat_fill_config(out);
}
void disp_stats_free_config(Prl__ServerConfig *c)
{
	disp_hoststat_free_config(c);
}
#else
/* Until hoststat.c is linked: an honest, nearly empty answer. */
int disp_stats_sample(disp_server *srv, Prl__Statistics *out)
{
	prl__statistics__init(out);
	out->has_disp_uptime = true;
	out->disp_uptime = (uint64_t)time(NULL) - srv->start_time;
	return 0;
}
void disp_stats_free_sample(Prl__Statistics *s) { (void)s; }
int disp_stats_fill_config(Prl__ServerConfig *out)
{
	prl__server_config__init(out);
	return 0;
}
void disp_stats_free_config(Prl__ServerConfig *c) { (void)c; }
#endif

/* ---- the periodic event ----------------------------------------------------- */

static uint8_t *pack_statistics(const Prl__Statistics *s, size_t *len)
{
	*len = prl__statistics__get_packed_size(s);
	uint8_t *buf = malloc(*len ? *len : 1);
	if (buf)
		prl__statistics__pack(s, buf);
	return buf;
}

/* The event frame around already packed statistics. */
static disp_shared *event_frame(uint8_t *packed, size_t len)
{
	Prl__Value val = PRL__VALUE__INIT;
	Prl__Param param = PRL__PARAM__INIT, *params[1] = { &param };
	Prl__Event ev = PRL__EVENT__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	val.v_case = PRL__VALUE__V_BIN;
	val.bin.data = packed;
	val.bin.len = len;
	param.name = "statistics";
	param.has_type = true;
	param.type = PFD_BINARY;
	param.value = &val;
	ev.type = PET_DSP_EVT_HOST_STATISTICS_UPDATED;
	ev.issuer_type = PIE_DISPATCHER;
	ev.params = params;
	ev.n_params = 1;
	f.body_case = PRL__FRAME__BODY_EVENT;
	f.event = &ev;
	size_t flen;
	uint8_t *buf = prlc_frame_encode(&f, &flen);
	return buf ? disp_shared_new(buf, flen) : NULL;
}

static void tick_work(void *arg)
{
	tick_job *j = arg;
	Prl__Statistics s;
	int rc = disp_stats_sample(j->st->srv, &s);
	size_t len = 0;
	uint8_t *packed = rc == 0 ? pack_statistics(&s, &len) : NULL;
	disp_stats_free_sample(&s);
	if (rc < 0)
		PRLC_WARN("host statistics: %s", strerror(-rc));
	j->frame = packed ? event_frame(packed, len) : NULL;
	free(packed);
}

static void tick_done(void *arg)
{
	tick_job *j = arg;
	disp_stats *st = j->st;
	st->in_flight = false;
	for (disp_conn *c = st->srv->conns, *next; c && j->frame; c = next) {
		next = c->next;
		if (c->subscribed && c->state == DISP_CONN_OPEN)
			disp_conn_send_shared(c, j->frame);
	}
	disp_shared_unref(j->frame);
	free(j);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	disp_stats *st = arg;
	if (st->in_flight || st->subscribers == 0)
		return;
	tick_job *j = calloc(1, sizeof *j);
	if (!j)
		return;
	j->st = st;
	st->in_flight = true;
	if (disp_workers_submit(st->srv->workers, tick_work, tick_done, j) <
	    0) {
		st->in_flight = false;
		free(j);
	}
}

/* ---- subscriptions -------------------------------------------------------------- */

void disp_stats_subscribe(disp_conn *c)
{
	disp_stats *st = c->srv->stats;
	if (c->subscribed)
		return;
	c->subscribed = true;
	if (st->subscribers++ == 0) {
		struct timeval tv = { STATS_PERIOD_MS / 1000,
				      (STATS_PERIOD_MS % 1000) * 1000 };
		event_add(st->tick, &tv);
	}
}

void disp_stats_unsubscribe(disp_conn *c)
{
	disp_stats *st = c->srv->stats;
	if (!c->subscribed)
		return;
	c->subscribed = false;
	if (--st->subscribers == 0)
		event_del(st->tick);
}

int disp_stats_init(disp_server *srv)
{
	disp_stats *st = calloc(1, sizeof *st);
	if (!st)
		return -ENOMEM;
	st->srv = srv;
	pthread_mutex_init(&st->lock, NULL);
	st->tick = event_new(srv->base, -1, EV_PERSIST, on_tick, st);
	srv->stats = st;
	return st->tick ? 0 : -ENOMEM;
}

void disp_stats_fini(disp_server *srv)
{
	disp_stats *st = srv->stats;
	if (!st)
		return;
	if (st->tick)
		event_free(st->tick);
#ifdef DISP_HAVE_HOSTSTAT
	if (st->collector)
		disp_hoststat_destroy(st->collector);
#endif
	pthread_mutex_destroy(&st->lock);
	free(st);
	srv->stats = NULL;
}
