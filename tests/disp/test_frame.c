/*
 * test_frame.c — the shared framing (src/common/frame.c) and UUIDs.
 *
 * Round trips through memory and through a socketpair; every truncation of
 * a valid frame asks for more bytes; an over-long length is refused from
 * the 4-byte header alone (so nothing can have been allocated for it);
 * bodies that are not a Frame are refused with the named error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "frame.h"
#include "uuid.h"

/* A Request with two arguments, like a TCP login. */
static uint8_t *sample_frame(size_t *len)
{
	Prl__Value vu = PRL__VALUE__INIT, vs = PRL__VALUE__INIT;
	Prl__Param pu = PRL__PARAM__INIT, ps = PRL__PARAM__INIT;
	Prl__Param *args[2] = { &pu, &ps };
	Prl__Request req = PRL__REQUEST__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	vu.v_case = PRL__VALUE__V_STR;
	vu.str = "alice";
	pu.name = "user";
	pu.value = &vu;
	vs.v_case = PRL__VALUE__V_U32;
	vs.u32 = 2;
	ps.name = "security_level";
	ps.value = &vs;
	req.id = 42;
	req.op = 3;
	req.args = args;
	req.n_args = 2;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &req;
	return prlc_frame_encode(&f, len);
}

static void check_sample(const Prl__Frame *f)
{
	assert_int_equal(f->body_case, PRL__FRAME__BODY_REQUEST);
	assert_int_equal(f->request->id, 42);
	assert_int_equal(f->request->op, 3);
	assert_int_equal(f->request->n_args, 2);
	assert_string_equal(f->request->args[0]->name, "user");
	assert_string_equal(f->request->args[0]->value->str, "alice");
	assert_int_equal(f->request->args[1]->value->u32, 2);
}

static void test_round_trip(void **state)
{
	size_t len, used = 0;
	uint8_t *buf = sample_frame(&len);
	assert_non_null(buf);
	assert_int_equal(prlc_frame_peek_len(buf), len - PRLC_FRAME_HEADER);
	Prl__Frame *f = NULL;
	assert_int_equal(prlc_frame_parse(buf, len, &f, &used), 1);
	assert_int_equal(used, len);
	check_sample(f);
	prl__frame__free_unpacked(f, NULL);
	free(buf);
}

/* Two frames back to back: the first parse consumes exactly one. */
static void test_two_frames(void **state)
{
	size_t len, used = 0;
	uint8_t *one = sample_frame(&len);
	uint8_t *two = malloc(2 * len);
	memcpy(two, one, len);
	memcpy(two + len, one, len);
	Prl__Frame *f = NULL;
	assert_int_equal(prlc_frame_parse(two, 2 * len, &f, &used), 1);
	assert_int_equal(used, len);
	prl__frame__free_unpacked(f, NULL);
	assert_int_equal(prlc_frame_parse(two + used, len, &f, &used), 1);
	prl__frame__free_unpacked(f, NULL);
	free(one);
	free(two);
}

static void test_truncated(void **state)
{
	size_t len;
	uint8_t *buf = sample_frame(&len);
	for (size_t n = 0; n < len; n++) {
		Prl__Frame *f = NULL;
		size_t used = 12345;
		assert_int_equal(prlc_frame_parse(buf, n, &f, &used), 0);
		assert_null(f);
		assert_int_equal(used, 12345);
	}
	free(buf);
}

/* Only the header is given: an implementation that allocated or waited for
 * the body could not answer at once. */
static void test_oversize_rejected_from_header(void **state)
{
	uint32_t lens[] = { PRLC_MAX_FRAME + 1, 0x7fffffffu, 0xffffffffu };
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint8_t hdr[4] = { (uint8_t)(lens[i] >> 24),
				   (uint8_t)(lens[i] >> 16),
				   (uint8_t)(lens[i] >> 8), (uint8_t)lens[i] };
		Prl__Frame *f = NULL;
		size_t used = 0;
		assert_int_equal(prlc_frame_parse(hdr, 4, &f, &used),
				 PRLC_FRAME_E_TOO_BIG);
		assert_null(f);
	}
	/* Exactly the limit is legal: it just needs its bytes. */
	uint8_t max[4] = { PRLC_MAX_FRAME >> 24, (PRLC_MAX_FRAME >> 16) & 0xff,
			   0, 0 };
	Prl__Frame *f = NULL;
	size_t used = 0;
	assert_int_equal(prlc_frame_parse(max, 4, &f, &used), 0);
}

static void test_garbage(void **state)
{
	static const uint8_t junk[] = { 0, 0, 0, 6, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff };
	static const uint8_t empty[] = { 0, 0, 0, 0 };      /* no body */
	static const uint8_t unknown[] = { 0, 0, 0, 2, 0x78, 0x01 }; /* f15 */
	const uint8_t *cases[] = { junk, empty, unknown };
	size_t sizes[] = { sizeof junk, sizeof empty, sizeof unknown };
	for (int i = 0; i < 3; i++) {
		Prl__Frame *f = NULL;
		size_t used = 0;
		assert_int_equal(prlc_frame_parse(cases[i], sizes[i], &f,
						  &used),
				 PRLC_FRAME_E_CORRUPT);
		assert_null(f);
	}
}

static void test_encode_oversize(void **state)
{
	Prl__Value v = PRL__VALUE__INIT;
	Prl__Param p = PRL__PARAM__INIT, *params[1] = { &p };
	Prl__Event ev = PRL__EVENT__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	v.v_case = PRL__VALUE__V_BIN;
	v.bin.len = PRLC_MAX_FRAME + 1;
	v.bin.data = calloc(1, v.bin.len);
	p.name = "x";
	p.value = &v;
	ev.params = params;
	ev.n_params = 1;
	f.body_case = PRL__FRAME__BODY_EVENT;
	f.event = &ev;
	size_t len = 0;
	assert_null(prlc_frame_encode(&f, &len));
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(prlc_frame_write_fd(sv[0], &f), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
	free(v.bin.data);
}

static void test_fd_helpers(void **state)
{
	int sv[2];
	size_t len;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	uint8_t *buf = sample_frame(&len);
	Prl__Frame *f = NULL;
	assert_int_equal(prlc_frame_parse(buf, len, &f, &len), 1);
	assert_int_equal(prlc_frame_write_fd(sv[0], f), 0);
	prl__frame__free_unpacked(f, NULL);
	f = NULL;
	assert_int_equal(prlc_frame_read_fd(sv[1], &f), 1);
	check_sample(f);
	prl__frame__free_unpacked(f, NULL);
	/* A torn frame, then EOF. */
	assert_int_equal(write(sv[0], buf, len - 1), (ssize_t)(len - 1));
	close(sv[0]);
	assert_int_equal(prlc_frame_read_fd(sv[1], &f), -EPROTO);
	assert_int_equal(prlc_frame_read_fd(sv[1], &f), 0);
	close(sv[1]);
	free(buf);
}

static void test_fd_oversize(void **state)
{
	int sv[2];
	static const uint8_t hdr[4] = { 0x7f, 0xff, 0xff, 0xff };
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], hdr, 4), 4);
	Prl__Frame *f = NULL;
	assert_int_equal(prlc_frame_read_fd(sv[1], &f), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

/* prlc_frame_unpack of a body and protobuf-c's own unpack agree: both
 * refuse it, or both give what packs to the same bytes.  Returns whether
 * it was accepted. */
static int same_as_generic(const uint8_t *body, size_t n)
{
	Prl__Frame *a = prlc_frame_unpack(body, n, NULL);
	Prl__Frame *b = prl__frame__unpack(NULL, n, body);
	if (b && b->body_case == PRL__FRAME__BODY__NOT_SET) {
		prl__frame__free_unpacked(b, NULL);
		b = NULL;
	}
	assert_int_equal(!a, !b);
	if (a) {
		size_t na = prl__frame__get_packed_size(a);
		assert_int_equal(na, prl__frame__get_packed_size(b));
		uint8_t *pa = malloc(na + 1), *pb = malloc(na + 1);
		prl__frame__pack(a, pa);
		prl__frame__pack(b, pb);
		assert_memory_equal(pa, pb, na);
		free(pa);
		free(pb);
		prl__frame__free_unpacked(a, NULL);
		prl__frame__free_unpacked(b, NULL);
	}
	return a != NULL;
}

/* The request written with its envelope by hand is the bytes protobuf-c
 * makes of the whole frame. */
static void test_request_envelope(void **state)
{
	size_t len;
	uint8_t *want = sample_frame(&len);
	Prl__Frame *f = NULL;
	size_t used;
	assert_int_equal(prlc_frame_parse(want, len, &f, &used), 1);
	f->request->vm_uuid = strdup("{11111111-2222-3333-4444-555555555555}");
	f->request->has_flags = 1;
	f->request->flags = 0x80000000u;
	free(want);
	want = prlc_frame_encode(f, &len);
	assert_int_equal(prlc_frame_request_size(f->request), len);
	uint8_t *got = malloc(len);
	assert_int_equal(prlc_frame_encode_request_to(f->request, got), len);
	assert_memory_equal(got, want, len);
	/* a request of 200 arguments: a two-byte length */
	Prl__Request big = PRL__REQUEST__INIT;
	Prl__Param *args[200];
	for (int i = 0; i < 200; i++)
		args[i] = f->request->args[i % 2];
	big.id = 1;
	big.op = 2;
	big.args = args;
	big.n_args = 200;
	Prl__Frame bf = PRL__FRAME__INIT;
	bf.body_case = PRL__FRAME__BODY_REQUEST;
	bf.request = &big;
	size_t blen;
	uint8_t *bwant = prlc_frame_encode(&bf, &blen);
	uint8_t *bgot = malloc(prlc_frame_request_size(&big));
	assert_int_equal(prlc_frame_encode_request_to(&big, bgot), blen);
	assert_memory_equal(bgot, bwant, blen);
	free(bwant);
	free(bgot);
	free(got);
	free(want);
	prl__frame__free_unpacked(f, NULL);
}

/* Decoding from inside the envelope gives what protobuf-c's whole-frame
 * unpack gives, for every kind of body; a body that is more than the one
 * field goes to protobuf-c whole; a broken inside is refused. */
static void test_envelope_decode(void **state)
{
	Prl__Response resp = PRL__RESPONSE__INIT;
	Prl__Event ev = PRL__EVENT__INIT;
	Prl__Frame fr = PRL__FRAME__INIT, fe = PRL__FRAME__INIT;
	ProtobufCBinaryData vms[2] = { { 3, (uint8_t *)"abc" }, { 0, NULL } };
	resp.id = 7;
	resp.result = -2147483000;
	resp.error = "no";
	resp.vms = vms;
	resp.n_vms = 2;
	fr.body_case = PRL__FRAME__BODY_RESPONSE;
	fr.response = &resp;
	ev.type = 100030;
	ev.issuer_type = 3;
	fe.body_case = PRL__FRAME__BODY_EVENT;
	fe.event = &ev;
	size_t len;
	uint8_t *bufs[2] = { prlc_frame_encode(&fr, &len), NULL };
	size_t lens[2] = { len, 0 };
	bufs[1] = prlc_frame_encode(&fe, &lens[1]);
	for (int k = 0; k < 2; k++)
		assert_true(same_as_generic(bufs[k] + PRLC_FRAME_HEADER,
					    lens[k] - PRLC_FRAME_HEADER));
	Prl__Frame *a = prlc_frame_unpack(bufs[0] + PRLC_FRAME_HEADER,
					  lens[0] - PRLC_FRAME_HEADER, NULL);
	assert_int_equal(a->response->id, 7);
	assert_int_equal(a->response->n_vms, 2);
	assert_memory_equal(a->response->vms[0].data, "abc", 3);
	prl__frame__free_unpacked(a, NULL);
	/* Two bodies in one frame: the last wins, as protobuf-c decides. */
	size_t n0 = lens[0] - PRLC_FRAME_HEADER, n1 = lens[1] - PRLC_FRAME_HEADER;
	uint8_t *two = malloc(n0 + n1);
	memcpy(two, bufs[0] + PRLC_FRAME_HEADER, n0);
	memcpy(two + n0, bufs[1] + PRLC_FRAME_HEADER, n1);
	a = prlc_frame_unpack(two, n0 + n1, NULL);
	assert_non_null(a);
	assert_int_equal(a->body_case, PRL__FRAME__BODY_EVENT);
	prl__frame__free_unpacked(a, NULL);
	/* A Response missing its required result, inside a good envelope. */
	uint8_t bad[] = { 0x22, 0x02, 0x08, 0x07 };
	assert_null(prlc_frame_unpack(bad, sizeof bad, NULL));
	assert_null(prl__frame__unpack(NULL, sizeof bad, bad));
	/* An envelope whose length says more than there is. */
	uint8_t torn[] = { 0x22, 0x05, 0x08, 0x07, 0x10, 0x00 };
	assert_null(prlc_frame_unpack(torn, sizeof torn, NULL));
	free(two);
	free(bufs[0]);
	free(bufs[1]);
}

/* Requests without arguments and responses without params, the forms
 * encoded and decoded without protobuf-c's generic code (wirefast.c): the
 * same bytes out, the same messages in, the same refusals. */
static void test_plain_forms(void **state)
{
	Prl__Request q = PRL__REQUEST__INIT;
	struct { uint64_t id; uint32_t op; const char *uuid; int flags, cancel; } shapes[] = {
		{ 1, 15, NULL, 0, 0 },
		{ UINT64_MAX, 0, "", 1, 1 },
		{ 300, UINT32_MAX, "{11111111-2222-3333-4444-555555555555}", 1, 0 },
		{ 1ull << 35, 1000, NULL, 0, 1 },
	};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		q.id = shapes[i].id;
		q.op = shapes[i].op;
		q.vm_uuid = (char *)shapes[i].uuid;
		q.has_flags = shapes[i].flags;
		q.flags = 0xffffffffu;
		q.has_cancel_id = shapes[i].cancel;
		q.cancel_id = 1ull << 63;
		Prl__Frame f = PRL__FRAME__INIT;
		f.body_case = PRL__FRAME__BODY_REQUEST;
		f.request = &q;
		size_t len;
		uint8_t *want = prlc_frame_encode(&f, &len);
		assert_int_equal(prlc_frame_request_size(&q), len);
		uint8_t *got = malloc(len);
		assert_int_equal(prlc_frame_encode_request_to(&q, got), len);
		assert_memory_equal(got, want, len);
		assert_true(same_as_generic(want + PRLC_FRAME_HEADER, len - PRLC_FRAME_HEADER));
		Prl__Frame *back = prlc_frame_unpack(want + PRLC_FRAME_HEADER,
						     len - PRLC_FRAME_HEADER, NULL);
		assert_int_equal(back->request->id, shapes[i].id);
		assert_int_equal(back->request->op, shapes[i].op);
		assert_int_equal(back->request->has_cancel_id, shapes[i].cancel);
		if (shapes[i].uuid)
			assert_string_equal(back->request->vm_uuid, shapes[i].uuid);
		else
			assert_null(back->request->vm_uuid);
		prl__frame__free_unpacked(back, NULL);
		free(got);
		free(want);
	}
	/* Hand-made bodies, each inside a request (0x1a) or response (0x22)
	 * envelope: duplicates (the last wins), an unknown field, a field of
	 * the wrong wire type, a required field missing, a 10-byte varint, an
	 * 11-byte one, a string running past the end. */
	static const struct { int ok; uint8_t b[24]; size_t n; } bodies[] = {
		{ 1, { 0x1a, 8, 0x08, 1, 0x10, 2, 0x08, 3, 0x22, 0 }, 10 },
		{ 1, { 0x1a, 10, 0x08, 1, 0x10, 2, 0x22, 1, 'a', 0x22, 1, 'b' }, 12 },
		{ 1, { 0x1a, 6, 0x08, 1, 0x10, 2, 0x38, 9 }, 8 },
		{ 0, { 0x1a, 5, 0x08, 1, 0x12, 1, 2 }, 7 },
		{ 0, { 0x1a, 2, 0x08, 1 }, 4 },
		{ 1, { 0x22, 15, 0x08, 1, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		       0xff, 0xff, 0xff, 0x01, 0x2a, 0 }, 17 },
		{ 0, { 0x22, 16, 0x08, 1, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		       0xff, 0xff, 0xff, 0xff, 0x01, 0x2a, 0 }, 18 },
		{ 0, { 0x22, 6, 0x08, 1, 0x10, 0, 0x1a, 9 }, 8 },
		{ 1, { 0x22, 9, 0x08, 1, 0x10, 0, 0x2a, 1, 'x', 0x2a, 0 }, 11 },
		{ 1, { 0x22, 6, 0x08, 1, 0x10, 0, 0x30, 1 }, 8 },
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		assert_int_equal(same_as_generic(bodies[i].b, bodies[i].n), bodies[i].ok);
}

static void test_uuid(void **state)
{
	char a[PRLC_UUID_LEN + 1], b[PRLC_UUID_LEN + 1];
	prlc_uuid_generate(a);
	prlc_uuid_generate(b);
	assert_int_equal(strlen(a), 38);
	assert_true(prlc_uuid_is_valid(a));
	assert_string_not_equal(a, b);
	assert_int_equal(a[15], '4');                   /* version */
	assert_non_null(strchr("89ab", a[20]));         /* variant */
	assert_false(prlc_uuid_is_valid("{not-a-uuid}"));
	assert_false(prlc_uuid_is_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_two_frames),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversize_rejected_from_header),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_encode_oversize),
		cmocka_unit_test(test_fd_helpers),
		cmocka_unit_test(test_fd_oversize),
		cmocka_unit_test(test_request_envelope),
		cmocka_unit_test(test_envelope_decode),
		cmocka_unit_test(test_plain_forms),
		cmocka_unit_test(test_uuid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
