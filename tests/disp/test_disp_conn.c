/*
 * test_disp_conn.c — the dispatcher's connection code without sockets.
 *
 * A server with an inline worker pool (nothing runs on other threads) and
 * fake connections: bytes go in with disp_conn_feed(), frames come out of
 * disp_conn_output().  Covers what the socket-level test cannot reach in a
 * reasonable time: heartbeats (driven with a fake clock), the cap on
 * unread output, the pre-login frame limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "disp.h"
#include "prlc_consts.h"

typedef struct fixture {
	disp_options opt;
	disp_server srv;
	disp_conn *c;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	fx->opt.state_dir = "/nonexistent";
	fx->opt.auth = DISP_AUTH_DENY;
	assert_int_equal(disp_server_init(&fx->srv, &fx->opt, 0), 0);
	prlc_uuid_generate(fx->srv.uuid);
	fx->c = disp_conn_new_fake(&fx->srv, true, 0);
	assert_non_null(fx->c);
	prlc_log_set_level(PRLC_LOG_ERROR);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	disp_conn_unref(fx->c);
	disp_server_fini(&fx->srv);
	free(fx);
	return 0;
}

static void feed_frame(disp_conn *c, const Prl__Frame *f)
{
	size_t len;
	uint8_t *buf = prlc_frame_encode(f, &len);
	assert_non_null(buf);
	disp_conn_feed(c, buf, len);
	free(buf);
}

/* The next frame the dispatcher wrote, or NULL. */
static Prl__Frame *next_out(disp_conn *c)
{
	struct evbuffer *out = disp_conn_output(c);
	size_t avail = evbuffer_get_length(out), used = 0;
	Prl__Frame *f = NULL;
	const uint8_t *p = evbuffer_pullup(out, (ssize_t)avail);
	if (avail == 0 || prlc_frame_parse(p, avail, &f, &used) != 1)
		return NULL;
	evbuffer_drain(out, used);
	return f;
}

static void hello(disp_conn *c)
{
	Prl__Hello h = PRL__HELLO__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	h.magic = PRLC_WIRE_MAGIC;
	h.version = PRLC_PROTOCOL_VERSION;
	f.body_case = PRL__FRAME__BODY_HELLO;
	f.hello = &h;
	feed_frame(c, &f);
	Prl__Frame *r = next_out(c);
	assert_non_null(r);
	assert_int_equal(r->body_case, PRL__FRAME__BODY_HELLO_REPLY);
	assert_int_equal(r->hello_reply->result, 0);
	prl__frame__free_unpacked(r, NULL);
}

static int32_t request(disp_conn *c, uint64_t id, uint32_t op)
{
	Prl__Request req = PRL__REQUEST__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	req.id = id;
	req.op = op;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &req;
	feed_frame(c, &f);
	Prl__Frame *r = next_out(c);
	assert_non_null(r);
	assert_int_equal(r->body_case, PRL__FRAME__BODY_RESPONSE);
	assert_int_equal(r->response->id, id);
	int32_t rc = r->response->result;
	prl__frame__free_unpacked(r, NULL);
	return rc;
}

static void test_login_rules(void **state)
{
	fixture *fx = *state;
	hello(fx->c);
	assert_int_equal(request(fx->c, 1, PJOC_SRV_GET_VM_LIST),
			 PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	assert_int_equal(request(fx->c, 2, PJOC_SRV_LOGIN_LOCAL), 0);
	assert_true(fx->c->sess.logged_in);
	assert_int_equal(request(fx->c, 3, PJOC_SRV_LOGIN_LOCAL),
			 PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER);
	assert_int_equal(request(fx->c, 4, PJOC_SRV_GET_VM_LIST), 0);
	assert_int_equal(request(fx->c, 5, 4321), PRL_ERR_UNIMPLEMENTED);
	assert_int_equal(request(fx->c, 6, PJOC_SRV_LOGOFF), 0);
	assert_false(fx->c->sess.logged_in);
}

static int count_timed(const struct event_base *b, const struct event *ev, void *arg)
{
	(void)b;
	if (event_pending(ev, EV_TIMEOUT, NULL))
		++*(int *)arg;
	return 0;
}

/* The heartbeat sweep runs once a second from the loop, yet libevent holds
 * no timer for it: an idle loop sleeps in epoll_wait with no timeout (see
 * server.c on what a timeout costs every request). */
static void test_sweep_ticks_without_timer(void **state)
{
	fixture *fx = *state;
	int timed = 0;
	event_base_foreach_event(fx->srv.base, count_timed, &timed);
	assert_int_equal(timed, 0);
	struct timeval run = { 2, 300000 };
	event_base_loopexit(fx->srv.base, &run);
	event_base_dispatch(fx->srv.base);
	assert_in_range(fx->srv.sweeps, 2, 3);
}

static void test_heartbeats(void **state)
{
	fixture *fx = *state;
	hello(fx->c);
	uint64_t t0 = disp_now_ms();
	disp_server_sweep(&fx->srv, t0 + 1000);
	assert_null(next_out(fx->c));                   /* not yet */
	disp_server_sweep(&fx->srv, t0 + DISP_PING_AFTER_MS + 10);
	Prl__Frame *p = next_out(fx->c);
	assert_non_null(p);
	assert_int_equal(p->body_case, PRL__FRAME__BODY_PING);
	prl__frame__free_unpacked(p, NULL);
	assert_int_equal(fx->c->state, DISP_CONN_OPEN);
	disp_server_sweep(&fx->srv, t0 + DISP_DEAD_AFTER_MS + 10);
	assert_int_equal(fx->c->state, DISP_CONN_DEAD);
	assert_int_equal(fx->srv.n_conns, 0);
}

static void test_output_cap(void **state)
{
	fixture *fx = *state;
	hello(fx->c);
	assert_int_equal(request(fx->c, 1, PJOC_SRV_LOGIN_LOCAL), 0);
	/* The client "never reads": its output already holds the cap. */
	size_t n = DISP_OUT_MAX + 1;
	char *junk = calloc(1, n);
	evbuffer_add(disp_conn_output(fx->c), junk, n);
	free(junk);
	Prl__Request req = PRL__REQUEST__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	req.id = 2;
	req.op = PJOC_SRV_GET_VM_LIST;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &req;
	feed_frame(fx->c, &f);
	assert_int_equal(fx->c->state, DISP_CONN_DEAD);
}

static void test_prelogin_frame_limit(void **state)
{
	fixture *fx = *state;
	hello(fx->c);
	static const uint8_t big[4] = { 0, 0x10, 0, 0 };   /* 1 MiB */
	disp_conn_feed(fx->c, big, sizeof big);
	assert_int_equal(fx->c->state, DISP_CONN_DEAD);
}

/* A request for GetVmList whose argument pads the frame to about `pad`
 * bytes (the handler ignores arguments). */
static uint8_t *padded_request(uint64_t id, size_t pad, size_t *len)
{
	Prl__Request req = PRL__REQUEST__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	Prl__Param arg = PRL__PARAM__INIT;
	Prl__Value val = PRL__VALUE__INIT;
	char *text = malloc(pad + 1);
	memset(text, 'x', pad);
	text[pad] = 0;
	val.v_case = PRL__VALUE__V_STR;
	val.str = text;
	arg.name = "padding";
	arg.value = &val;
	Prl__Param *args[] = { &arg };
	req.id = id;
	req.op = PJOC_SRV_GET_VM_LIST;
	req.n_args = pad ? 1 : 0;
	req.args = args;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &req;
	uint8_t *buf = prlc_frame_encode(&f, len);
	free(text);
	assert_non_null(buf);
	return buf;
}

/* Frames cut anywhere — one byte at a time, across the input buffer's
 * size, one larger than it — are all answered, in order; the buffer that
 * grew for the large frame is given back once it is empty. */
static void test_input_pieces(void **state)
{
	fixture *fx = *state;
	hello(fx->c);
	assert_int_equal(request(fx->c, 1, PJOC_SRV_LOGIN_LOCAL), 0);
	static const size_t pads[] = { 0, 10, 16 * 1024 - 40, 5000, 300 * 1024,
				       0, 7 };
	enum { N = sizeof pads / sizeof pads[0] };
	uint8_t *all = NULL;
	size_t total = 0;
	for (size_t i = 0; i < N; i++) {
		size_t len;
		uint8_t *b = padded_request(100 + i, pads[i], &len);
		all = realloc(all, total + len);
		memcpy(all + total, b, len);
		total += len;
		free(b);
	}
	/* The first frames byte by byte, the rest in pieces of 4093 bytes. */
	size_t off = 0, step = 1;
	while (off < total) {
		size_t n = total - off < step ? total - off : step;
		disp_conn_feed(fx->c, all + off, n);
		off += n;
		if (off > 200)
			step = 4093;
	}
	free(all);
	for (size_t i = 0; i < N; i++) {
		Prl__Frame *r = next_out(fx->c);
		assert_non_null(r);
		assert_int_equal(r->body_case, PRL__FRAME__BODY_RESPONSE);
		assert_int_equal(r->response->id, 100 + i);
		assert_int_equal(r->response->result, PRL_ERR_SUCCESS);
		prl__frame__free_unpacked(r, NULL);
	}
	assert_null(next_out(fx->c));
	assert_int_equal(fx->c->state, DISP_CONN_OPEN);
	assert_int_equal(fx->c->in.off, fx->c->in.len);
	assert_true(fx->c->in.cap <= 64 * 1024);   /* the 300 KiB is gone */
}

static void test_not_hello_first(void **state)
{
	fixture *fx = *state;
	Prl__Ping p = PRL__PING__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_PING;
	f.ping = &p;
	feed_frame(fx->c, &f);
	Prl__Frame *r = next_out(fx->c);
	assert_non_null(r);
	assert_int_equal(r->body_case, PRL__FRAME__BODY_HELLO_REPLY);
	assert_int_equal(r->hello_reply->result,
			 PRL_ERR_WRONG_PROTOCOL_VERSION);
	prl__frame__free_unpacked(r, NULL);
	assert_false(disp_conn_alive(fx->c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sweep_ticks_without_timer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_heartbeats, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prelogin_frame_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_pieces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_hello_first, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
