/*
 * alloc.h -- the engine allocator.  Every allocation of the engine and of
 * plugins (through the host table) goes through these, so that tests can
 * make the Nth allocation fail and check for a clean error and no leak.
 */
#ifndef COLINK_ALLOC_H
#define COLINK_ALLOC_H

#include <stddef.h>

void *colink_malloc(size_t n);
void *colink_calloc(size_t n, size_t size);
void *colink_realloc(void *p, size_t n);
void colink_free(void *p);          /* accepts NULL */
char *colink_strdup(const char *s); /* NULL in, NULL out; caller frees */
char *colink_strndup(const char *s, size_t n);

/* Fault injection: after `n` more successful allocations, every one fails
 * (n < 0 turns injection off).  Also set from COLINK_FAIL_ALLOC_AFTER in
 * the environment at first use.  Returns how many allocations succeeded
 * since the last call, counted only while injection was on. */
long colink_alloc_fail_after(long n);

/* Overflow-checked size arithmetic: 0 on success, -1 on overflow. */
int colink_size_add(size_t *out, size_t a, size_t b);
int colink_size_mul(size_t *out, size_t a, size_t b);

#endif
