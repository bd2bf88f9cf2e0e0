/* alloc.c -- allocator wrapper with fault injection (see alloc.h). */
#include "base/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Set before any thread starts (the first allocation reads the
 * environment, on the main thread), read-only after that. */
static long fail_after = -1; /* < 0: never fail */
static int env_read;
/* Allocations since fail_after was set, counted only while it is (so a
 * run without fault injection writes nothing shared: the writer thread
 * and the calling thread would otherwise race on it and bounce its cache
 * line on every allocation). */
static atomic_long succeeded;

static void count(void *p)
{
	if (p && fail_after >= 0)
		atomic_fetch_add_explicit(&succeeded, 1, memory_order_relaxed);
}

static int should_fail(void)
{
	if (!env_read) {
		const char *e = getenv("COLINK_FAIL_ALLOC_AFTER");
		env_read = 1;
		if (e && *e)
			fail_after = strtol(e, NULL, 10);
	}
	if (fail_after < 0)
		return 0;
	if (atomic_load_explicit(&succeeded, memory_order_relaxed) >= fail_after)
		return 1;
	return 0;
}

long colink_alloc_fail_after(long n)
{
	long s = atomic_load(&succeeded);
	env_read = 1;
	fail_after = n;
	atomic_store(&succeeded, 0);
	return s;
}

void *colink_malloc(size_t n)
{
	void *p;
	if (should_fail())
		return NULL;
	p = malloc(n ? n : 1);
	count(p);
	return p;
}

void *colink_calloc(size_t n, size_t size)
{
	void *p;
	if (should_fail())
		return NULL;
	p = calloc(n ? n : 1, size ? size : 1);
	count(p);
	return p;
}

void *colink_realloc(void *p, size_t n)
{
	void *q;
	if (should_fail())
		return NULL;
	q = realloc(p, n ? n : 1);
	count(q);
	return q;
}

void colink_free(void *p)
{
	free(p);
}

char *colink_strndup(const char *s, size_t n)
{
	char *d;
	if (!s)
		return NULL;
	if (n == SIZE_MAX)
		return NULL;
	d = colink_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *colink_strdup(const char *s)
{
	return s ? colink_strndup(s, strlen(s)) : NULL;
}

int colink_size_add(size_t *out, size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		return -1;
	*out = a + b;
	return 0;
}

int colink_size_mul(size_t *out, size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		return -1;
	*out = a * b;
	return 0;
}
