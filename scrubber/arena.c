/*
 * arena — bump allocator over a chain of blocks.  Invariant: every pointer
 * handed out is aligned to max_align_t and lives until arena_free().
 */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK (16 * 1024)
#define ARENA_MAX_ALLOC ((size_t)1 << 30)

struct block {
	struct block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct block *head;
	struct block *first; /* allocated with the arena itself */
	size_t total;
};

/* The first block lives in the arena's own allocation: a short-lived arena
 * (one claim's result) costs one malloc and one free. */
#define ARENA_FIRST (32 * 1024)
#define ARENA_HEAD_SIZE \
	((sizeof(struct arena) + alignof(max_align_t) - 1) & \
	 ~(alignof(max_align_t) - 1))

struct arena *
arena_new(void)
{
	struct arena *a =
		malloc(ARENA_HEAD_SIZE + sizeof(struct block) + ARENA_FIRST);
	if (!a)
		return NULL;
	struct block *b = (struct block *)((char *)a + ARENA_HEAD_SIZE);
	*b = (struct block){NULL, ARENA_FIRST, 0};
	*a = (struct arena){b, b, 0};
	return a;
}

void
arena_free(struct arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *next = b->next;
		if (b != a->first)
			free(b);
		b = next;
	}
	free(a);
}

static struct block *
arena_grow(struct arena *a, size_t need)
{
	size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
	struct block *b = malloc(sizeof(*b) + size);
	if (!b)
		return NULL;
	b->size = size;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	return b;
}

void *
arena_alloc_raw(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);

	if (size > ARENA_MAX_ALLOC)
		return NULL;
	size = (size + align - 1) & ~(align - 1);
	if (size == 0)
		size = align;
	struct block *b = a->head;
	if (!b || b->size - b->used < size) {
		b = arena_grow(a, size);
		if (!b)
			return NULL;
	}
	void *p = b->data + b->used;
	b->used += size;
	a->total += size;
	return p;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	void *p = arena_alloc_raw(a, size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = arena_alloc_raw(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
