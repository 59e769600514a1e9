/*
 * arena — one region per claim, per rule set or per parse: many small
 * allocations, one free.  Allocation failure returns NULL; the engine passes
 * it up as SCRUB_ENOMEM and never aborts.
 */
#ifndef SCRUBBER_ARENA_H
#define SCRUBBER_ARENA_H

#include <stddef.h>

struct arena;

/* A new, empty arena, or NULL when out of memory. */
struct arena *arena_new(void);

/* Frees the arena and everything allocated from it.  NULL is a no-op. */
void arena_free(struct arena *a);

/* size bytes aligned for any type, zeroed; NULL when out of memory or when
 * size is absurd. */
void *arena_alloc(struct arena *a, size_t size);

/* The same, not zeroed: for memory the caller fills before reading. */
void *arena_alloc_raw(struct arena *a, size_t size);

/* An array of n elements of size each, zeroed; NULL on overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);

/* A NUL-terminated copy of the first len bytes of s. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* A NUL-terminated copy of s. */
char *arena_strdup(struct arena *a, const char *s);

/* Bytes handed out so far (for limits and benchmarks). */
size_t arena_used(const struct arena *a);

#endif
