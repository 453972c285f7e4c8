/*
 * frame.c — length-prefixed protobuf frames (see frame.h).
 *
 * Encoding packs straight into one buffer behind its prefix.  Parsing reads
 * the prefix, refuses lengths over PRLC_MAX_FRAME, waits until the whole body
 * is there and only then hands it to protobuf-c, which allocates the message.
 *
 * The envelope.  A Frame is a oneof and nothing else, so a frame is one
 * field: a tag, a length, and the Request, Response or Event.  Requests and
 * responses are most of the traffic, and protobuf-c's generic code costs
 * for the envelope about as much as for a small message inside it; so a
 * request is packed by protobuf-c and its envelope written here, and a body
 * that is exactly one such field is unpacked by protobuf-c from inside the
 * envelope.  Any other body (several fields, unknown ones, another kind)
 * goes to protobuf-c whole.  Both give what protobuf-c gives for the whole
 * frame (fuzz_frame checks it).
 */
#include "frame.h"
#include "wirefast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TAG_REQUEST = 3 << 3 | 2, TAG_RESPONSE = 4 << 3 | 2, TAG_EVENT = 5 << 3 | 2 };

/* A varint of at most 5 bytes whose value fits 32 bits (a length). */
static int get_len(const uint8_t *p, size_t n, size_t *off, uint32_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 35 && *off < n; shift += 7) {
		uint8_t b = p[(*off)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (v > UINT32_MAX)
				return -1;
			*out = (uint32_t)v;
			return 0;
		}
	}
	return -1;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t prlc_frame_peek_len(const uint8_t hdr[PRLC_FRAME_HEADER])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	       (uint32_t)hdr[2] << 8 | hdr[3];
}

uint8_t *prlc_frame_encode(const Prl__Frame *f, size_t *len)
{
	size_t body = prl__frame__get_packed_size(f);
	if (body > PRLC_MAX_FRAME)
		return NULL;
	uint8_t *buf = malloc(PRLC_FRAME_HEADER + body);
	if (!buf)
		return NULL;
	put_be32(buf, (uint32_t)body);
	prl__frame__pack(f, buf + PRLC_FRAME_HEADER);
	*len = PRLC_FRAME_HEADER + body;
	return buf;
}

/* The Request's packed size: by hand when it has no arguments. */
static size_t request_size(const Prl__Request *r)
{
	size_t n = prlc_fast_request_size(r);
	return n ? n : prl__request__get_packed_size(r);
}

size_t prlc_frame_request_size(const Prl__Request *r)
{
	size_t n = request_size(r);
	return PRLC_FRAME_HEADER + 1 + prlc_varint_size(n) + n;
}

/* The frame around a request of n bytes. */
static size_t encode_request(const Prl__Request *r, size_t n, uint8_t *buf)
{
	size_t body = 1 + prlc_varint_size(n) + n;
	put_be32(buf, (uint32_t)body);
	uint8_t *p = buf + PRLC_FRAME_HEADER;
	*p++ = TAG_REQUEST;
	p = prlc_put_varint(p, n);
	if (prlc_fast_request_size(r))
		prlc_fast_request_pack(r, p);
	else
		prl__request__pack(r, p);
	return PRLC_FRAME_HEADER + body;
}

size_t prlc_frame_encode_request_to(const Prl__Request *r, uint8_t *buf)
{
	return encode_request(r, request_size(r), buf);
}

/* The body as one field around a Request, Response or Event, unpacked from
 * inside; NULL when it is not exactly that (*whole = 1: let protobuf-c
 * take the body) or when the inside does not unpack (*whole = 0). */
static Prl__Frame *unpack_envelope(const uint8_t *body, size_t len,
				   ProtobufCAllocator *a, int *whole)
{
	*whole = 1;
	size_t off = 1;
	uint32_t n;
	if (len < 2 || (body[0] != TAG_REQUEST && body[0] != TAG_RESPONSE &&
			body[0] != TAG_EVENT) ||
	    get_len(body, len, &off, &n) || n != len - off)
		return NULL;
	*whole = 0;
	Prl__Frame *f = a ? a->alloc(a->allocator_data, sizeof *f) : malloc(sizeof *f);
	if (!f)
		return NULL;
	prl__frame__init(f);
	const uint8_t *in = body + off;
	void *m = NULL;
	int other = 1;
	switch (body[0]) {
	case TAG_REQUEST:
		m = f->request = prlc_fast_request_unpack(a, n, in, &other);
		if (other)
			m = f->request = prl__request__unpack(a, n, in);
		f->body_case = PRL__FRAME__BODY_REQUEST;
		break;
	case TAG_RESPONSE:
		m = f->response = prlc_fast_response_unpack(a, n, in, &other);
		if (other)
			m = f->response = prl__response__unpack(a, n, in);
		f->body_case = PRL__FRAME__BODY_RESPONSE;
		break;
	default:
		m = f->event = prl__event__unpack(a, n, in);
		f->body_case = PRL__FRAME__BODY_EVENT;
		break;
	}
	if (!m) {
		if (a)
			a->free(a->allocator_data, f);
		else
			free(f);
		return NULL;
	}
	return f;
}

/* A decoded frame is usable only if it carries one of the known bodies. */
Prl__Frame *prlc_frame_unpack(const uint8_t *body, size_t len, ProtobufCAllocator *a)
{
	int whole;
	Prl__Frame *f = unpack_envelope(body, len, a, &whole);
	if (!whole)
		return f;
	f = prl__frame__unpack(a, len, body);
	if (f && f->body_case == PRL__FRAME__BODY__NOT_SET) {
		prl__frame__free_unpacked(f, a);
		f = NULL;
	}
	return f;
}

static Prl__Frame *unpack_body(const uint8_t *body, size_t len)
{
	return prlc_frame_unpack(body, len, NULL);
}

int prlc_frame_parse(const uint8_t *buf, size_t avail, Prl__Frame **out,
		     size_t *used)
{
	if (avail < PRLC_FRAME_HEADER)
		return 0;
	uint32_t body = prlc_frame_peek_len(buf);
	if (body > PRLC_MAX_FRAME)
		return PRLC_FRAME_E_TOO_BIG;
	if (avail - PRLC_FRAME_HEADER < body)
		return 0;
	Prl__Frame *f = unpack_body(buf + PRLC_FRAME_HEADER, body);
	if (!f)
		return PRLC_FRAME_E_CORRUPT;
	*out = f;
	*used = PRLC_FRAME_HEADER + body;
	return 1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int prlc_frame_write_request_fd(int fd, const Prl__Request *r)
{
	uint8_t small[512];
	size_t n = request_size(r);
	size_t len = PRLC_FRAME_HEADER + 1 + prlc_varint_size(n) + n;
	if (len - PRLC_FRAME_HEADER > PRLC_MAX_FRAME)
		return -EMSGSIZE;
	uint8_t *buf = len <= sizeof small ? small : malloc(len);
	if (!buf)
		return -ENOMEM;
	encode_request(r, n, buf);
	int rc = write_all(fd, buf, len);
	if (buf != small)
		free(buf);
	return rc;
}

int prlc_frame_write_fd(int fd, const Prl__Frame *f)
{
	size_t len;
	uint8_t *buf = prlc_frame_encode(f, &len);
	if (!buf)
		return prl__frame__get_packed_size(f) > PRLC_MAX_FRAME ?
			       -EMSGSIZE : -ENOMEM;
	int rc = write_all(fd, buf, len);
	free(buf);
	return rc;
}

/* Reads exactly n bytes: 1 done, 0 EOF before the first byte, <0 error
 * (-EPROTO when EOF cuts the read short). */
static int read_all(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return got == 0 ? 0 : -EPROTO;
		got += (size_t)r;
	}
	return 1;
}

int prlc_frame_read_body_fd(int fd, prlc_rbuf *rb, size_t *len)
{
	uint8_t hdr[PRLC_FRAME_HEADER];
	int rc = read_all(fd, hdr, sizeof hdr);
	if (rc <= 0)
		return rc;
	uint32_t body = prlc_frame_peek_len(hdr);
	if (body > PRLC_MAX_FRAME)
		return -EMSGSIZE;
	if (body > rb->cap || !rb->buf) {
		uint8_t *grown = realloc(rb->buf, body ? body : 1);
		if (!grown)
			return -ENOMEM;
		rb->buf = grown;
		rb->cap = body ? body : 1;
	}
	rc = read_all(fd, rb->buf, body);
	if (rc == 0)
		rc = -EPROTO;           /* EOF inside the frame */
	if (rc == 1)
		*len = body;
	return rc;
}

int prlc_frame_read_fd_buf(int fd, Prl__Frame **out, prlc_rbuf *rb)
{
	size_t body = 0;
	int rc = prlc_frame_read_body_fd(fd, rb, &body);
	if (rc == 1) {
		*out = unpack_body(rb->buf, body);
		if (!*out)
			rc = -EPROTO;
	}
	return rc;
}

int prlc_frame_read_fd(int fd, Prl__Frame **out)
{
	prlc_rbuf rb = { NULL, 0 };
	int rc = prlc_frame_read_fd_buf(fd, out, &rb);
	free(rb.buf);
	return rc;
}
