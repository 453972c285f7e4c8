/*
 * arena.h — one frame's unpacked messages in one reference-counted arena.
 *
 * protobuf-c unpacks a message with one malloc per sub-message, string and
 * array, and frees it with as many free calls: for a list of 1,000 VMs that
 * was most of the client's time.  The connection's reader unpacks each frame
 * with this arena's ProtobufCAllocator instead: allocation is a pointer bump
 * in a few large chunks, and "free" does nothing; the chunks go when the
 * last reference goes.
 *
 * Whoever keeps a piece of the frame beyond the reader's turn takes a
 * reference (a VM object adopting its VmConfig, see vm.h), so the arena
 * lives as long as the longest holder.  A holder that must free or move a
 * piece (editing a VM) first copies what it holds into memory of its own and
 * drops its reference.
 *
 * The reference count is atomic; allocation is not.  The reader allocates
 * in an arena while it unpacks a frame there, and never again once someone
 * else holds a reference (it reuses only an arena it holds alone).  After
 * that, the one result that holds a response's packed VMs unpacks them into
 * the same arena, under the result's lock (result.c).
 */
#ifndef OPENPRL_LIB_ARENA_H
#define OPENPRL_LIB_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

typedef struct prl__arena prl__arena;

/* A new arena with one reference whose first chunk holds at least `first`
 * bytes; NULL when out of memory. */
prl__arena *prl__arena_new(size_t first);
void prl__arena_ref(prl__arena *a);
/* Drops a reference (NULL is ignored); the last one frees every chunk. */
void prl__arena_unref(prl__arena *a);

/* Is the caller's reference the only one? */
int prl__arena_is_sole(prl__arena *a);
/* Bytes the arena's chunks hold (capacity, not use). */
size_t prl__arena_capacity(const prl__arena *a);
/* Forgets every allocation, keeping the first chunk for reuse.  Only for the
 * sole holder (prl__arena_is_sole). */
void prl__arena_reset(prl__arena *a);

/* 16-byte aligned memory that lives as long as the arena; NULL when out of
 * memory. */
void *prl__arena_alloc(prl__arena *a, size_t n);

/* The allocator to give protobuf-c's unpack; its free does nothing. */
ProtobufCAllocator *prl__arena_allocator(prl__arena *a);

#endif
