/*
 * wirefast.c — Request and Response, the two messages of every round trip,
 * in their common plain form, without protobuf-c's generic machinery.
 *
 * Why.  protobuf-c decodes any message through its descriptor: a pass to
 * count repeated fields, a binary search per field, a required-field
 * bitmap, a default instance copied in.  For a Request of ten bytes that is
 * several hundred instructions on the dispatcher, and as much again for the
 * client's Response; on one CPU, where both sides take turns, they are a
 * tenth of a round trip.  These few fields are read and written here
 * instead, into the same generated structs, with the same allocator.
 *
 * Only the plain form: a Request without arguments, a Response without
 * params, every field known, of its declared wire type, required ones
 * present.  Anything else — arguments, params, unknown fields, a field of
 * another wire type, a varint of more than 10 bytes — is left to protobuf-c
 * (the *_unpack calls say "not mine"), so whatever protobuf-c would refuse
 * is refused by it.  What is decoded here encodes, with protobuf-c, to the
 * bytes protobuf-c's own decoding would encode to: fuzz_frame checks that
 * on every input it is given, and test_frame on the shapes that matter.
 */
#include "wirefast.h"

#include <stdlib.h>
#include <string.h>

enum { WT_VARINT = 0, WT_LEN = 2 };

static int rd_varint_long(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < 10 && *off < n; i++) {
		uint8_t b = p[(*off)++];
		if (i == 9 && b > 1)
			return -1;              /* over 64 bits: not ours */
		r |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

/* Tags, small numbers and short lengths take one byte. */
static inline int rd_varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
	if (*off < n && p[*off] < 0x80) {
		*v = p[(*off)++];
		return 0;
	}
	return rd_varint_long(p, n, off, v);
}

static void *mem(ProtobufCAllocator *a, size_t n)
{
	return a ? a->alloc(a->allocator_data, n) : malloc(n);
}

static void unmem(ProtobufCAllocator *a, void *p)
{
	if (a)
		a->free(a->allocator_data, p);
	else
		free(p);
}

/* One field: its number, wire type, and for WT_VARINT its value, for
 * WT_LEN where its bytes are.  -1: a malformed or over-long field. */
typedef struct field {
	uint32_t num;
	unsigned wt;
	uint64_t v;
	const uint8_t *data;
	size_t len;
} field;

static inline int next_field(const uint8_t *p, size_t n, size_t *off, field *f)
{
	uint64_t tag;
	if (rd_varint(p, n, off, &tag) || tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
		return -1;
	f->num = (uint32_t)(tag >> 3);
	f->wt = (unsigned)(tag & 7);
	if (f->wt == WT_VARINT) {
		f->data = NULL;
		f->len = 0;
		return rd_varint(p, n, off, &f->v);
	}
	if (f->wt != WT_LEN || rd_varint(p, n, off, &f->v) || f->v > n - *off)
		return -1;
	f->data = p + *off;
	f->len = (size_t)f->v;
	*off += f->len;
	return 0;
}

/* A string field's copy (NUL-terminated), replacing *dst as protobuf-c
 * does.  -1 when memory runs out. */
static int set_string(ProtobufCAllocator *a, char **dst, const field *f)
{
	char *s = mem(a, f->len + 1);
	if (!s)
		return -1;
	memcpy(s, f->data, f->len);
	s[f->len] = '\0';
	if (*dst)
		unmem(a, *dst);
	*dst = s;
	return 0;
}

/* ---- Request -------------------------------------------------------------------- */

/* What a plain message may hold: the wire type of each field number below
 * 8 (NONE: that field makes the message not plain), the fields it must
 * have, and one repeated field whose occurrences are counted. */
enum { NONE = -1 };
typedef struct shape {
	int8_t wt[8];
	unsigned required;              /* bit n: field n */
	uint32_t counted;
} shape;

static const shape request_shape = {
	{ NONE, WT_VARINT, WT_VARINT, NONE /* args */, WT_LEN, WT_VARINT, WT_VARINT, NONE },
	1u << 1 | 1u << 2, 0
};
static const shape response_shape = {
	{ NONE, WT_VARINT, WT_VARINT, WT_LEN, NONE /* params */, WT_LEN, NONE, NONE },
	1u << 1 | 1u << 2, 5
};

/* Is every field of the message known to s, of its wire type, and every
 * required one there?  *counted: occurrences of s->counted. */
static int is_plain(const uint8_t *p, size_t n, const shape *s, size_t *counted)
{
	unsigned seen = 0;
	*counted = 0;
	for (size_t off = 0; off < n;) {
		field f;
		if (next_field(p, n, &off, &f) || f.num >= 8 || s->wt[f.num] == NONE ||
		    (unsigned)s->wt[f.num] != f.wt)
			return 0;
		seen |= 1u << f.num;
		*counted += f.num == s->counted;
	}
	return (seen & s->required) == s->required;
}

Prl__Request *prlc_fast_request_unpack(ProtobufCAllocator *a, size_t n,
				       const uint8_t *p, int *other)
{
	size_t none;
	*other = !is_plain(p, n, &request_shape, &none);
	if (*other)
		return NULL;
	Prl__Request *r = mem(a, sizeof *r);
	if (!r)
		return NULL;
	prl__request__init(r);
	for (size_t off = 0; off < n;) {
		field f;
		if (next_field(p, n, &off, &f))  /* checked above: never */
			break;
		switch (f.num) {
		case 1: r->id = f.v; break;
		case 2: r->op = (uint32_t)f.v; break;
		case 5: r->has_flags = 1; r->flags = (uint32_t)f.v; break;
		case 6: r->has_cancel_id = 1; r->cancel_id = f.v; break;
		case 4:
			if (set_string(a, &r->vm_uuid, &f)) {
				prl__request__free_unpacked(r, a);
				return NULL;
			}
			break;
		}
	}
	return r;
}

size_t prlc_fast_request_size(const Prl__Request *r)
{
	if (r->n_args || r->base.n_unknown_fields)
		return 0;
	size_t n = 1 + prlc_varint_size(r->id) + 1 + prlc_varint_size(r->op);
	if (r->vm_uuid) {
		size_t l = strlen(r->vm_uuid);
		n += 1 + prlc_varint_size(l) + l;
	}
	if (r->has_flags)
		n += 1 + prlc_varint_size(r->flags);
	if (r->has_cancel_id)
		n += 1 + prlc_varint_size(r->cancel_id);
	return n;
}

size_t prlc_fast_request_pack(const Prl__Request *r, uint8_t *out)
{
	uint8_t *p = out;
	*p++ = 1 << 3 | WT_VARINT;
	p = prlc_put_varint(p, r->id);
	*p++ = 2 << 3 | WT_VARINT;
	p = prlc_put_varint(p, r->op);
	if (r->vm_uuid) {
		size_t l = strlen(r->vm_uuid);
		*p++ = 4 << 3 | WT_LEN;
		p = prlc_put_varint(p, l);
		memcpy(p, r->vm_uuid, l);
		p += l;
	}
	if (r->has_flags) {
		*p++ = 5 << 3 | WT_VARINT;
		p = prlc_put_varint(p, r->flags);
	}
	if (r->has_cancel_id) {
		*p++ = 6 << 3 | WT_VARINT;
		p = prlc_put_varint(p, r->cancel_id);
	}
	return (size_t)(p - out);
}

/* ---- Response ------------------------------------------------------------------- */

Prl__Response *prlc_fast_response_unpack(ProtobufCAllocator *a, size_t n,
					 const uint8_t *p, int *other)
{
	size_t n_vms;
	*other = !is_plain(p, n, &response_shape, &n_vms);
	if (*other)
		return NULL;
	Prl__Response *r = mem(a, sizeof *r);
	if (!r)
		return NULL;
	prl__response__init(r);
	if (n_vms && !(r->vms = mem(a, n_vms * sizeof *r->vms))) {
		unmem(a, r);
		return NULL;
	}
	for (size_t off = 0; off < n;) {
		field f;
		if (next_field(p, n, &off, &f))  /* checked above: never */
			break;
		switch (f.num) {
		case 1: r->id = f.v; break;
		case 2: r->result = (int32_t)(uint32_t)f.v; break;
		case 3:
			if (set_string(a, &r->error, &f))
				goto nomem;
			break;
		case 5: {
			ProtobufCBinaryData *b = &r->vms[r->n_vms];
			b->len = f.len;
			b->data = NULL;             /* protobuf-c: none for none */
			if (f.len && !(b->data = mem(a, f.len)))
				goto nomem;
			if (f.len)
				memcpy(b->data, f.data, f.len);
			r->n_vms++;
			break;
		}
		}
	}
	return r;
nomem:
	prl__response__free_unpacked(r, a);
	return NULL;
}
