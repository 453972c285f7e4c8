/*
 * fuzz_request.c — libFuzzer target for the dispatcher's per-connection
 * input handling: handshake, login rules, the op table and every handler
 * reachable from a byte stream.
 *
 * One server with an inline worker pool (no threads) lives for the whole
 * run.  Each input is one fake connection (disp_conn_new_fake):
 *   byte 0, bit 0: send a valid Hello first (so the fuzzer starts past the
 *                  handshake); bit 1: the connection is the unix socket
 *                  (local login allowed);
 *   byte 1: where to split the rest into two reads;
 *   the rest: the client's bytes.
 * Everything the dispatcher writes back must be a well-formed frame
 * stream.  Password checks always fail fast (DISP_AUTH_DENY).
 */
#include <stdlib.h>
#include <string.h>

#include "disp.h"

static disp_options opt;
static disp_server srv;

static void init_once(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	opt.state_dir = "/nonexistent-openprl-fuzz";
	opt.auth = DISP_AUTH_DENY;
	prlc_log_set_level(PRLC_LOG_ERROR);
	prlc_log_open("/dev/null");
	if (disp_server_init(&srv, &opt, 0) < 0)
		abort();
	prlc_uuid_generate(srv.uuid);
}

static void feed_hello(disp_conn *c)
{
	Prl__Hello h = PRL__HELLO__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	size_t len;
	h.magic = PRLC_WIRE_MAGIC;
	h.version = PRLC_PROTOCOL_VERSION;
	f.body_case = PRL__FRAME__BODY_HELLO;
	f.hello = &h;
	uint8_t *buf = prlc_frame_encode(&f, &len);
	disp_conn_feed(c, buf, len);
	free(buf);
}

/* What the dispatcher wrote must parse completely, frame by frame. */
static void check_output(disp_conn *c)
{
	struct evbuffer *out = disp_conn_output(c);
	size_t avail = evbuffer_get_length(out);
	const uint8_t *p = evbuffer_pullup(out, (ssize_t)avail);
	while (avail > 0) {
		Prl__Frame *f = NULL;
		size_t used = 0;
		if (prlc_frame_parse(p, avail, &f, &used) != 1)
			abort();
		prl__frame__free_unpacked(f, NULL);
		p += used;
		avail -= used;
	}
	evbuffer_drain(out, evbuffer_get_length(out));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	if (size < 2)
		return 0;
	uint8_t mode = data[0];
	size_t split = data[1];
	data += 2;
	size -= 2;
	disp_conn *c = disp_conn_new_fake(&srv, mode & 2, 0);
	if (!c)
		return 0;
	if (mode & 1)
		feed_hello(c);
	if (split > size)
		split = size;
	disp_conn_feed(c, data, split);
	check_output(c);
	disp_conn_feed(c, data + split, size - split);
	check_output(c);
	disp_conn_close(c, false);
	disp_conn_unref(c);
	return 0;
}
