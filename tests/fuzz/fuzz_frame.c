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
 */
#include <stdint.h>
#include <stdlib.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
