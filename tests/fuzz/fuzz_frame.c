/*
 * fuzz_frame.c — libFuzzer target for the frame decoder (src/common/frame.c).
 *
 * The input is a byte stream as it would arrive on a socket.  Frames are
 * taken off it until the decoder asks for more bytes or refuses the rest.
 * Every frame it accepts is encoded again (ASan/UBSan watch both ways); when
 * that encoding decodes, it must be a frame of the same kind.  (It need not
 * decode: protobuf-c keeps unknown fields, and accepts an over-long varint
 * for the invalid field number 0 that it refuses in its short form.  Nothing
 * in OpenPRL forwards a received frame, so that quirk is harmless.)
 *
 * The decoder takes a Request, Response or Event out of its envelope itself
 * (frame.c); protobuf-c's generic unpack of the same body must agree: both
 * refuse it, or both accept it and encode it to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static void check_reencode(const Prl__Frame *f)
{
	size_t len = 0, used = 0;
	uint8_t *buf = prlc_frame_encode(f, &len);
	if (!buf)
		return;                 /* only when over PRLC_MAX_FRAME */
	Prl__Frame *again = NULL;
	int rc = prlc_frame_parse(buf, len, &again, &used);
	if (rc == 0 || (rc == 1 && (used != len ||
				    again->body_case != f->body_case)))
		abort();
	if (again)
		prl__frame__free_unpacked(again, NULL);
	free(buf);
}

static uint8_t *packed(const Prl__Frame *f, size_t *n)
{
	*n = prl__frame__get_packed_size(f);
	uint8_t *b = malloc(*n ? *n : 1);
	if (!b)
		abort();
	prl__frame__pack(f, b);
	return b;
}

/* ours: what prlc_frame_unpack made of body (NULL: refused). */
static void check_generic(const uint8_t *body, size_t len, const Prl__Frame *ours)
{
	Prl__Frame *g = prl__frame__unpack(NULL, len, body);
	if (g && g->body_case == PRL__FRAME__BODY__NOT_SET) {
		prl__frame__free_unpacked(g, NULL);
		g = NULL;
	}
	if (!g != !ours)
		abort();
	if (g) {
		size_t na, nb;
		uint8_t *a = packed(ours, &na), *b = packed(g, &nb);
		if (na != nb || memcmp(a, b, na))
			abort();
		free(a);
		free(b);
		prl__frame__free_unpacked(g, NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The whole input as one body, through both decoders. */
	if (size <= PRLC_MAX_FRAME) {
		Prl__Frame *f = prlc_frame_unpack(data, size, NULL);
		check_generic(data, size, f);
		if (f)
			prl__frame__free_unpacked(f, NULL);
	}
	for (;;) {
		Prl__Frame *f = NULL;
		size_t used = 0;
		int rc = prlc_frame_parse(data, size, &f, &used);
		if (rc != 1)
			return 0;
		if (used < PRLC_FRAME_HEADER || used > size)
			abort();
		check_reencode(f);
		prl__frame__free_unpacked(f, NULL);
		data += used;
		size -= used;
	}
}
