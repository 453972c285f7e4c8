/*
 * frame.h — the framing both ends of the wire share.
 *
 * On a stream every message is a 4-byte big-endian length followed by that
 * many bytes: one encoded prl.Frame (proto/prl.proto).  The length is checked
 * against PRLC_MAX_FRAME before a single byte of the body is looked at or
 * allocated, so a peer cannot make us reserve memory it never sends.
 *
 * prlc_frame_encode / prlc_frame_parse are pure (no I/O) and safe from any
 * thread; the *_fd helpers block and suit simple clients and tests.
 */
#ifndef OPENPRL_COMMON_FRAME_H
#define OPENPRL_COMMON_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "prl.pb-c.h"
#include "prlc_consts.h"

#define PRLC_WIRE_MAGIC 0x4C52504Fu        /* "OPRL" little-endian bytes */
#define PRLC_PROTOCOL_VERSION 2u
#define PRLC_MAX_FRAME (16u * 1024 * 1024) /* bytes of one encoded Frame */
#define PRLC_FRAME_HEADER 4u               /* the length prefix */

/* prlc_frame_parse's named failures (both are negative PRL_RESULTs):
 * the announced length is over PRLC_MAX_FRAME, or the body is not a Frame
 * (also: a Frame with no body set). */
#define PRLC_FRAME_E_TOO_BIG PRL_ERR_INVALID_PARAM
#define PRLC_FRAME_E_CORRUPT PRL_ERR_INVALID_ARG

/* Encodes f as [length][Frame].  Returns a malloc'd buffer and sets *len;
 * NULL when out of memory or when the encoding exceeds PRLC_MAX_FRAME. */
uint8_t *prlc_frame_encode(const Prl__Frame *f, size_t *len);

/* Frame{request = r} as [length][Frame], written into buf, which holds
 * prlc_frame_request_size(r) bytes; returns that size.  The same bytes as
 * prlc_frame_encode, without its allocation (callers check the size against
 * PRLC_MAX_FRAME). */
size_t prlc_frame_request_size(const Prl__Request *r);
size_t prlc_frame_encode_request_to(const Prl__Request *r, uint8_t *buf);

/* Takes one frame from buf[0..avail).  Returns 1 with *out set (free it with
 * prl__frame__free_unpacked(*out, NULL)) and *used = bytes consumed; 0 when
 * more bytes are needed (*out and *used untouched); PRLC_FRAME_E_TOO_BIG or
 * PRLC_FRAME_E_CORRUPT when the stream is unusable from here on. */
int prlc_frame_parse(const uint8_t *buf, size_t avail, Prl__Frame **out,
		     size_t *used);

/* Reads the 4-byte prefix: the body length (no limit applied). */
uint32_t prlc_frame_peek_len(const uint8_t hdr[PRLC_FRAME_HEADER]);

/* Blocking helpers; both retry on EINTR and short transfers.  Write returns
 * 0 or -errno; read returns 1 (a frame in *out), 0 on a clean EOF before a
 * frame starts, -errno on I/O errors, -EPROTO for a torn or bad frame and
 * -EMSGSIZE for an over-long one. */
int prlc_frame_write_fd(int fd, const Prl__Frame *f);
/* Frame{request = r}, written without allocating when it is small. */
int prlc_frame_write_request_fd(int fd, const Prl__Request *r);
int prlc_frame_read_fd(int fd, Prl__Frame **out);
/* The same reading into a buffer kept by the caller between calls (grown as
 * needed, freed by the caller): a reader thread does not allocate and fault
 * in a fresh buffer for every large frame. */
typedef struct prlc_rbuf { uint8_t *buf; size_t cap; } prlc_rbuf;
int prlc_frame_read_fd_buf(int fd, Prl__Frame **out, prlc_rbuf *rb);
/* The two halves of prlc_frame_read_fd_buf, for a reader that unpacks with
 * an allocator of its own: read one body into rb (*len its size; returns as
 * prlc_frame_read_fd), then unpack it with allocator a (NULL: malloc) —
 * NULL when the bytes are not a Frame with a body. */
int prlc_frame_read_body_fd(int fd, prlc_rbuf *rb, size_t *len);
Prl__Frame *prlc_frame_unpack(const uint8_t *body, size_t len, ProtobufCAllocator *a);

#endif
