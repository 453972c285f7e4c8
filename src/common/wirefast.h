/*
 * wirefast.h — the plain Request and Response without protobuf-c's generic
 * code (wirefast.c says why and what "plain" is).  Used by frame.c; the
 * results are ordinary generated structs, freed with *_free_unpacked and
 * the same allocator (NULL: malloc).
 */
#ifndef OPENPRL_COMMON_WIREFAST_H
#define OPENPRL_COMMON_WIREFAST_H

#include <stddef.h>
#include <stdint.h>

#include "prl.pb-c.h"

/* Protobuf varints: the bytes v takes, and v written at p (returns the end).
 * Inline: a frame's few tags and lengths are mostly one byte each. */
static inline size_t prlc_varint_size(uint64_t v)
{
	size_t n = 1;
	for (; v >= 0x80; v >>= 7)
		n++;
	return n;
}

static inline uint8_t *prlc_put_varint(uint8_t *p, uint64_t v)
{
	for (; v >= 0x80; v >>= 7)
		*p++ = (uint8_t)(v | 0x80);
	*p++ = (uint8_t)v;
	return p;
}

/* The message in p[0..n), when it is plain; else NULL with *other = 1
 * (protobuf-c decides), or NULL with *other = 0 when memory ran out. */
Prl__Request *prlc_fast_request_unpack(ProtobufCAllocator *a, size_t n,
				       const uint8_t *p, int *other);
Prl__Response *prlc_fast_response_unpack(ProtobufCAllocator *a, size_t n,
					 const uint8_t *p, int *other);

/* A Request without args packed as protobuf-c packs it: its size (0 when
 * it has args or unknown fields: use protobuf-c), and the bytes. */
size_t prlc_fast_request_size(const Prl__Request *r);
size_t prlc_fast_request_pack(const Prl__Request *r, uint8_t *out);

#endif
