/*
 * frame.c — length-prefixed protobuf frames (see frame.h).
 *
 * Encoding packs straight into one buffer behind its prefix.  Parsing reads
 * the prefix, refuses lengths over PRLC_MAX_FRAME, waits until the whole body
 * is there and only then hands it to protobuf-c, which allocates the message.
 */
#include "frame.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

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

/* A decoded frame is usable only if it carries one of the known bodies. */
Prl__Frame *prlc_frame_unpack(const uint8_t *body, size_t len, ProtobufCAllocator *a)
{
	Prl__Frame *f = prl__frame__unpack(a, len, body);
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
