/*
 * vmlist_wire.c — the VM list frame from cached bytes (see vmlist_wire.h).
 *
 * The trick.  Almost all of a VM's entry in the list is its configuration,
 * which only a commit changes, and a commit publishes a new registry
 * snapshot.  So each snapshot keeps its VmConfig packed once (the first time
 * it is listed) and every later list copies those bytes.  Only `state`
 * (VmConfig field 15) differs from list to list: the cache is packed
 * without it and remembers `split`, where the fields numbered above 15
 * begin (protobuf-c packs fields in ascending order), so that the state's
 * tag and value go in between and the result is exactly what protobuf-c
 * packs for the whole view.
 *
 * Around each VmConfig the rest of the frame is a few tags and lengths,
 * written here by hand (field numbers of proto/prl.proto, which
 * tests/wire_freeze.sh keeps frozen):
 *
 *   [be32 length of the Frame]
 *   Frame.response     (4, bytes) len, Response:
 *     id               (1, varint)
 *     result           (2, varint)     0: success, so no error text
 *     vms              (5, bytes) len, a packed VmConfig:   one per VM
 *       cache[0..split)  state (15, varint)  cache[split..len)
 *
 * Every length is known before a byte is written (cached sizes plus
 * varints), so the frame is written in one pass into one buffer, which the
 * connection then queues as it is.
 *
 * States come from the hypervisor driver in one batch
 * (disp_hv_cached_states: a lock per few hundred VMs and a hash probe on
 * the UUID's 128 bits, which the cache keeps too): no string work per VM.
 *
 * A snapshot's cache is published lock-free: whoever packs it first
 * installs it with a compare-and-swap, a loser frees its copy.  The
 * registry frees the cache with the snapshot.
 */
#include "vmlist_wire.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "hv.h"
#include "vmops.h"
#include "wirefast.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

#define TAG(field, wt) ((uint8_t)((field) << 3 | (wt)))
#define FRAME_RESPONSE  TAG(4, WT_LEN)
#define RESPONSE_ID     TAG(1, WT_VARINT)
#define RESPONSE_RESULT TAG(2, WT_VARINT)
#define RESPONSE_VMS    TAG(5, WT_LEN)
#define STATE_FIELD     15
#define VMCONFIG_STATE  TAG(STATE_FIELD, WT_VARINT)

/* A snapshot's cache: one malloc'ed block. */
typedef struct vmwire {
	size_t len;             /* of bytes[]: the VmConfig without state */
	size_t split;           /* where state goes */
	bool has_key;
	disp_hv_key key;        /* the VM's UUID, for the state lookup */
	uint8_t bytes[];
} vmwire;

/* ---- varints and the packed form -------------------------------------------- */

static bool get_varint(const uint8_t *p, size_t len, size_t *off,
		       uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *off < len && shift < 64; shift += 7) {
		uint8_t b = p[(*off)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Steps over the value of a field of wire type wt. */
static bool skip_value(const uint8_t *p, size_t len, size_t *off,
		       unsigned wt)
{
	uint64_t n = wt == WT_I64 ? 8 : 4;
	if (wt == WT_VARINT)
		return get_varint(p, len, off, &n);
	if (wt == WT_LEN && !get_varint(p, len, off, &n))
		return false;
	if ((wt != WT_I64 && wt != WT_LEN && wt != WT_I32) || n > len - *off)
		return false;
	*off += n;
	return true;
}

/* Where the fields numbered above `field` begin in a packed message
 * (len when there are none; never happens on what protobuf-c packed, but
 * a state appended at the end would still decode the same). */
static size_t split_after(const uint8_t *p, size_t len, uint32_t field)
{
	size_t off = 0;
	while (off < len) {
		size_t at = off;
		uint64_t tag;
		if (!get_varint(p, len, &off, &tag))
			return len;
		if (tag >> 3 > field)
			return at;
		if (!skip_value(p, len, &off, (unsigned)(tag & 7)))
			return len;
	}
	return len;
}

/* ---- the per-snapshot cache ------------------------------------------------------ */

static vmwire *wire_build(const disp_vmsnap *s)
{
	Prl__VmConfig v;
	disp_vmops_list_form(s, VMS_UNKNOWN, &v);
	v.has_state = 0;                /* goes in per list */
	size_t len = prl__vm_config__get_packed_size(&v);
	vmwire *w = malloc(sizeof *w + len);
	if (!w)
		return NULL;
	prl__vm_config__pack(&v, w->bytes);
	w->len = len;
	w->split = split_after(w->bytes, len, STATE_FIELD);
	w->has_key = disp_hv_key_of(s->cfg->uuid, &w->key);
	return w;
}

static const vmwire *wire_of(disp_vmsnap *s)
{
	void *w = atomic_load_explicit(&s->wire, memory_order_acquire);
	if (w)
		return w;
	vmwire *fresh = wire_build(s);
	void *none = NULL;
	if (!fresh || atomic_compare_exchange_strong_explicit(
			      &s->wire, &none, fresh, memory_order_acq_rel,
			      memory_order_acquire))
		return fresh;
	free(fresh);                    /* another thread was first */
	return none;
}

/* ---- one list ------------------------------------------------------------------------ */

enum { LISTING_INLINE = 16 };   /* VMs whose arrays need no malloc */

typedef struct listing {
	size_t n;
	const vmwire **w;
	const disp_hv_key **keys;
	uint32_t *state;
	void *heap;                     /* the three arrays of a longer list */
	const vmwire *w_in[LISTING_INLINE];
	const disp_hv_key *keys_in[LISTING_INLINE];
	uint32_t state_in[LISTING_INLINE];
} listing;

static void listing_free(listing *l)
{
	free(l->heap);
}

static int listing_init(listing *l, size_t n)
{
	l->n = n;
	l->heap = NULL;
	if (n <= LISTING_INLINE) {
		l->w = l->w_in;
		l->keys = l->keys_in;
		l->state = l->state_in;
		return 0;
	}
	size_t each = sizeof *l->w + sizeof *l->keys + sizeof *l->state;
	char *p = n <= SIZE_MAX / each ? malloc(n * each) : NULL;
	if (!p)
		return -1;
	l->heap = p;
	l->w = (const vmwire **)p;
	l->keys = (const disp_hv_key **)(p + n * sizeof *l->w);
	l->state = (uint32_t *)(p + n * (sizeof *l->w + sizeof *l->keys));
	return 0;
}

/* Each VM's cache and its state as the list shows it. */
static int gather(listing *l, disp_vmsnap *const *snaps)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!(l->w[i] = wire_of(snaps[i])))
			return -1;
		l->keys[i] = l->w[i]->has_key ? &l->w[i]->key : NULL;
		l->state[i] = VMS_UNKNOWN;
	}
	struct disp_hv *hv = disp_vmops_hv();
	if (hv)
		disp_hv_cached_states(hv, l->keys, l->n, l->state);
	for (size_t i = 0; i < l->n; i++)
		l->state[i] = disp_vmops_listed_state(snaps[i], l->state[i]);
	return 0;
}

/* ---- the frame ------------------------------------------------------------------------ */

/* A field with a one-byte tag and len bytes of payload. */
static size_t field_size(size_t len)
{
	return 1 + prlc_varint_size(len) + len;
}

static size_t vm_size(const vmwire *w, uint32_t state)
{
	return w->len + 1 + prlc_varint_size(state);
}

static uint8_t *put_head(uint8_t *p, uint8_t tag, size_t len)
{
	*p++ = tag;
	return prlc_put_varint(p, len);
}

/* One vms entry. */
static uint8_t *put_vm(uint8_t *p, const vmwire *w, uint32_t state)
{
	p = put_head(p, RESPONSE_VMS, vm_size(w, state));
	memcpy(p, w->bytes, w->split);
	p += w->split;
	*p++ = VMCONFIG_STATE;
	p = prlc_put_varint(p, state);
	memcpy(p, w->bytes + w->split, w->len - w->split);
	return p + (w->len - w->split);
}

static size_t response_size(const listing *l, uint64_t id)
{
	size_t n = 1 + prlc_varint_size(id) + 1 + prlc_varint_size(PRL_ERR_SUCCESS);
	for (size_t i = 0; i < l->n; i++)
		n += field_size(vm_size(l->w[i], l->state[i]));
	return n;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t *write_frame(const listing *l, uint64_t id, size_t *len)
{
	size_t resp = response_size(l, id), body = field_size(resp);
	uint8_t *buf = body <= PRLC_MAX_FRAME ?
		       malloc(PRLC_FRAME_HEADER + body) : NULL;
	if (!buf)
		return NULL;
	put_be32(buf, (uint32_t)body);
	uint8_t *p = put_head(buf + PRLC_FRAME_HEADER, FRAME_RESPONSE, resp);
	*p++ = RESPONSE_ID;
	p = prlc_put_varint(p, id);
	*p++ = RESPONSE_RESULT;
	p = prlc_put_varint(p, PRL_ERR_SUCCESS);
	for (size_t i = 0; i < l->n; i++)
		p = put_vm(p, l->w[i], l->state[i]);
	*len = (size_t)(p - buf);
	return buf;
}

uint8_t *disp_vmlist_wire_encode(uint64_t id, disp_vmsnap *const *snaps,
				 size_t n, size_t *len)
{
	listing l;
	uint8_t *frame = NULL;
	if (listing_init(&l, n) == 0 && gather(&l, snaps) == 0)
		frame = write_frame(&l, id, len);
	listing_free(&l);
	return frame;
}
