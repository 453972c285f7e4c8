/*
 * arena.c — see arena.h.
 *
 * Chunks form a list, newest first; each allocation takes the next aligned
 * bytes of the newest chunk, or opens a chunk twice the size of the last
 * one (or larger, for one big allocation).  A reset frees every chunk but
 * the first, which a reader reuses for its next small frame.
 */
#include "arena.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define ALIGN 16u
#define MIN_CHUNK 1024u

typedef struct chunk {
	struct chunk *next;
	size_t size, used;               /* bytes of data[] */
	_Alignas(ALIGN) unsigned char data[];
} chunk;

struct prl__arena {
	atomic_uint refs;
	ProtobufCAllocator pa;
	chunk *cur;                      /* newest; its ->next chain ends in first */
	chunk *first;
	size_t next_size;                /* size of the chunk to open next */
	size_t capacity;
};

static chunk *chunk_new(size_t size)
{
	chunk *c = malloc(sizeof(*c) + size);
	if (c) {
		c->next = NULL;
		c->size = size;
		c->used = 0;
	}
	return c;
}

static void *pa_alloc(void *data, size_t n)
{
	return prl__arena_alloc(data, n);
}

static void pa_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

prl__arena *prl__arena_new(size_t first)
{
	prl__arena *a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	if (first < MIN_CHUNK)
		first = MIN_CHUNK;
	a->first = a->cur = chunk_new(first);
	if (!a->first) {
		free(a);
		return NULL;
	}
	atomic_init(&a->refs, 1);
	a->pa.alloc = pa_alloc;
	a->pa.free = pa_free;
	a->pa.allocator_data = a;
	a->next_size = first * 2;
	a->capacity = first;
	return a;
}

void prl__arena_ref(prl__arena *a)
{
	atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
}

static void free_chunks_after_first(prl__arena *a)
{
	for (chunk *c = a->cur, *next; c != a->first; c = next) {
		next = c->next;
		a->capacity -= c->size;
		free(c);
	}
	a->cur = a->first;
}

void prl__arena_unref(prl__arena *a)
{
	if (!a || atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) != 1)
		return;
	free_chunks_after_first(a);
	free(a->first);
	free(a);
}

int prl__arena_is_sole(prl__arena *a)
{
	return atomic_load_explicit(&a->refs, memory_order_acquire) == 1;
}

size_t prl__arena_capacity(const prl__arena *a)
{
	return a->capacity;
}

void prl__arena_reset(prl__arena *a)
{
	free_chunks_after_first(a);
	a->first->used = 0;
	a->next_size = a->first->size * 2;
}

void *prl__arena_alloc(prl__arena *a, size_t n)
{
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	chunk *c = a->cur;
	if (c->size - c->used < n) {
		size_t size = a->next_size > n ? a->next_size : n;
		c = chunk_new(size);
		if (!c)
			return NULL;
		c->next = a->cur;
		a->cur = c;
		a->capacity += size;
		a->next_size = size * 2;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

ProtobufCAllocator *prl__arena_allocator(prl__arena *a)
{
	return &a->pa;
}
