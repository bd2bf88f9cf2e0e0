/* writer.c -- the output plugin's calls on a second thread (see writer.h). */
#include "core/writer.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/reject_sample.h"

#define NSLOTS 64 /* records in flight between the two threads */
#define LINE 64     /* a cache line: what one thread writes stays off the other's */
#define BATCH 8     /* slots published (or freed) at once */

enum { ITEM_RECORD, ITEM_REJECT };

/* One queue slot: a record or a reject, with the buffers its copy lives
 * in (kept and reused; they only grow). */
struct item {
	int type;
	struct colink_out_record rec;
	struct colink_reject rj;
	struct colink_out_value *vals;
	size_t vcap;
	struct colink_pseudonym *ps;
	size_t pcap;
	struct colink_reject_reason *rs;
	size_t rcap;
	char *buf;
	size_t bcap;
	size_t *lens; /* copy_record's string lengths (+ 1; 0 for NULL) */
	size_t lcap;
};

/*
 * The queue is a ring of NSLOTS slots with one writer of each index: the
 * caller alone advances `tail` (slots published), the writer alone `head`
 * (slots written).  A slot below tail is the writer's, one at or above it
 * the caller's, so neither locks anything per record: the previous queue
 * took its mutex four times a record, and on a 2-core virtual machine the
 * two threads' lock traffic and futex wake-ups cost more CPU than the
 * thread saved (bench/RESULTS.md round 14).
 *
 * Each side moves its index BATCH slots at a time (and before it sleeps,
 * and at the end): the store that publishes an index is a full barrier,
 * which cost a third of the hand-over when it was made per record.
 *
 * A thread that finds the ring full (the caller) or empty (the writer)
 * sleeps on a condition under `mu`; the other wakes it only when half the
 * ring has changed hands, so each wake-up moves NSLOTS / 2 records.  The
 * sleeper announces itself (`*_waits`, sequentially consistent) before it
 * looks at the other index a last time, and the other thread stores its
 * index before it reads the announcement: one of them sees the other, so
 * no wake-up is lost.  `closing` and a failure also wake the sleeper.
 */
struct colink_writer {
	const struct colink_output_ops *ops;
	void *out_ctx;
	uint32_t input_no;
	int threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct colink_reject_sample *sample; /* rejects kept for the summary, or NULL */
	struct colink_error err;  /* the failure (written by the writer only) */
	struct colink_error werr; /* scratch for write/reject */
	struct item slots[NSLOTS];
	char pad0[LINE];
	/* the caller's */
	atomic_size_t tail;   /* slots published */
	size_t filled;        /* slots filled (published or not yet) */
	size_t head_seen;     /* the writer's head, as last read */
	atomic_int caller_waits;
	char pad1[LINE];
	/* the writer's */
	atomic_size_t head;   /* slots given back */
	size_t tail_seen;     /* the caller's tail, as last read */
	atomic_int writer_waits;
	atomic_uint_least64_t loaded, rejected;
	char pad2[LINE];
	/* written once */
	atomic_int failed;
	atomic_int closing; /* no more items come */
};

/* ---- copies ------------------------------------------------------- */

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *put(char **p, const char *s)
{
	size_t n;
	const char *r;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(*p, s, n);
	r = *p;
	*p += n;
	return r;
}

/* Grow *buf to hold n elements of size sz (never shrinks). */
static int reserve(void **buf, size_t *cap, size_t n, size_t sz)
{
	void *nb;
	size_t c;
	if (n <= *cap)
		return 0;
	c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	if (c > SIZE_MAX / sz || !(nb = colink_realloc(*buf, c * sz)))
		return -1;
	*buf = nb;
	*cap = c;
	return 0;
}

/* Copy n bytes of s (its length + 1, from slen; 0: NULL) to *p. */
static const char *put_n(char **p, const char *s, size_t n)
{
	const char *r;
	if (!n)
		return NULL;
	memcpy(*p, s, n);
	r = *p;
	*p += n;
	return r;
}

/* Every string of r in copy order: 2 + 2 per pseudonym + 6 per value. */
#define REC_STRINGS(r) (2 + 2 * (r)->npseudonyms + 6 * (r)->nvalues)

/*
 * The record's strings into the slot's buffer.  Each string's length is
 * measured once (lens[], in the order the second pass copies them): the
 * measuring pass and put()'s own strlen were ~2 % of a load's CPU on the
 * calling thread (bench/RESULTS.md round 9).
 */
static int copy_record(struct item *it, const struct colink_out_record *r)
{
	size_t i, k = 0, need = 0, *ln;
	char *p;
	if (reserve((void **)&it->lens, &it->lcap, REC_STRINGS(r), sizeof(*it->lens)))
		return COLINK_ENOMEM;
	ln = it->lens;
	need += ln[k++] = slen(r->kind);
	need += ln[k++] = slen(r->person);
	for (i = 0; i < r->npseudonyms; i++) {
		need += ln[k++] = slen(r->pseudonyms[i].kind);
		need += ln[k++] = slen(r->pseudonyms[i].value);
	}
	for (i = 0; i < r->nvalues; i++) {
		const struct colink_out_value *v = &r->values[i];
		need += ln[k++] = slen(v->item_code);
		need += ln[k++] = slen(v->source);
		need += ln[k++] = slen(v->v.text);
		need += ln[k++] = slen(v->v.code_system);
		need += ln[k++] = slen(v->v.unit);
		need += ln[k++] = slen(v->v.raw);
	}
	if (reserve((void **)&it->buf, &it->bcap, need ? need : 1, 1) ||
	    reserve((void **)&it->vals, &it->vcap, r->nvalues, sizeof(*it->vals)) ||
	    reserve((void **)&it->ps, &it->pcap, r->npseudonyms, sizeof(*it->ps)))
		return COLINK_ENOMEM;
	p = it->buf;
	k = 0;
	it->type = ITEM_RECORD;
	it->rec = *r;
	it->rec.struct_size = sizeof(it->rec);
	it->rec.pseudonym_size = sizeof(*it->ps);
	it->rec.value_size = sizeof(*it->vals);
	it->rec.kind = put_n(&p, r->kind, ln[k++]);
	it->rec.person = put_n(&p, r->person, ln[k++]);
	for (i = 0; i < r->npseudonyms; i++) {
		it->ps[i].kind = put_n(&p, r->pseudonyms[i].kind, ln[k++]);
		it->ps[i].value = put_n(&p, r->pseudonyms[i].value, ln[k++]);
	}
	for (i = 0; i < r->nvalues; i++) {
		const struct colink_out_value *v = &r->values[i];
		struct colink_out_value *c = &it->vals[i];
		*c = *v; /* field: the catalogue's, alive for the whole run */
		c->item_code = put_n(&p, v->item_code, ln[k++]);
		c->source = put_n(&p, v->source, ln[k++]);
		c->v.text = put_n(&p, v->v.text, ln[k++]);
		c->v.code_system = put_n(&p, v->v.code_system, ln[k++]);
		c->v.unit = put_n(&p, v->v.unit, ln[k++]);
		c->v.raw = put_n(&p, v->v.raw, ln[k++]);
	}
	it->rec.pseudonyms = r->npseudonyms ? it->ps : NULL;
	it->rec.values = r->nvalues ? it->vals : NULL;
	return COLINK_OK;
}

/* The reasons of a reject: all of them (ABI 2.2), or its one column and
 * reason.  `rs` is a one-element array when the reject has no list. */
static size_t reasons_of(const struct colink_reject *rj, struct colink_reject_reason *one,
			 const struct colink_reject_reason **rs, size_t *stride)
{
	if (COLINK_HAS(struct colink_reject, rj->struct_size, reasons) && rj->nreasons &&
	    rj->reasons && rj->reason_size >= COLINK_SIZE_TO(struct colink_reject_reason, reason)) {
		*rs = rj->reasons;
		*stride = rj->reason_size;
		return rj->nreasons;
	}
	one->column = rj->column;
	one->reason = rj->reason;
	*rs = one;
	*stride = sizeof(*one);
	return 1;
}

static int copy_reject(struct item *it, const struct colink_reject *rj)
{
	struct colink_reject_reason one;
	const struct colink_reject_reason *rs;
	size_t i, n, stride, need = 1;
	const char *doc = COLINK_HAS(struct colink_reject, rj->struct_size, document) ? rj->document : NULL;
	char *p;
	n = reasons_of(rj, &one, &rs, &stride);
	need += slen(doc);
	for (i = 0; i < n; i++)
		need += slen(COLINK_AT(struct colink_reject_reason, rs, stride, i)->column) +
			slen(COLINK_AT(struct colink_reject_reason, rs, stride, i)->reason);
	if (reserve((void **)&it->buf, &it->bcap, need, 1) ||
	    reserve((void **)&it->rs, &it->rcap, n, sizeof(*it->rs)))
		return COLINK_ENOMEM;
	p = it->buf;
	it->type = ITEM_REJECT;
	memset(&it->rj, 0, sizeof(it->rj));
	it->rj.struct_size = sizeof(it->rj);
	it->rj.input_no = rj->input_no;
	it->rj.record_no = rj->record_no;
	it->rj.line_no = rj->line_no;
	for (i = 0; i < n; i++) {
		it->rs[i].column = put(&p, COLINK_AT(struct colink_reject_reason, rs, stride, i)->column);
		it->rs[i].reason = put(&p, COLINK_AT(struct colink_reject_reason, rs, stride, i)->reason);
	}
	it->rj.column = it->rs[0].column;
	it->rj.reason = it->rs[0].reason;
	it->rj.nreasons = n;
	it->rj.reason_size = sizeof(*it->rs);
	it->rj.reasons = it->rs;
	it->rj.document = put(&p, doc);
	return COLINK_OK;
}

/* ---- the output's calls -------------------------------------------- */

/* The writer's counters have one writer: no locked add needed. */
static void count_one(atomic_uint_least64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* What the core did per record before there was a writer: a record the
 * output rejects is recorded as a reject with the output's reason. */
static void process(struct colink_writer *w, struct item *it)
{
	struct colink_reject rj;
	struct colink_reject_reason one;
	int rc;
	if (atomic_load(&w->failed))
		return;
	if (it->type == ITEM_RECORD) {
		rc = w->ops->write(w->out_ctx, &it->rec, &w->werr);
		if (rc == COLINK_OK) {
			count_one(&w->loaded);
			return;
		}
		if (rc != COLINK_REJECTED) {
			w->err = w->werr;
			if (w->err.code == COLINK_OK)
				COLINK_ERR(&w->err, rc, "run failed");
			atomic_store(&w->failed, 1);
			return;
		}
		memset(&rj, 0, sizeof(rj));
		rj.struct_size = sizeof(rj);
		rj.input_no = w->input_no;
		rj.record_no = it->rec.record_no;
		rj.line_no = it->rec.line_no;
		rj.column = NULL;
		/* the reason may be overwritten by reject's own error */
		memcpy(&w->err, &w->werr, sizeof(w->err));
		rj.reason = w->err.msg;
		one.column = NULL;
		one.reason = rj.reason;
		rj.nreasons = 1;
		rj.reason_size = sizeof(one);
		rj.reasons = &one;
		colink_error_clear(&w->werr);
	} else {
		rj = it->rj;
	}
	count_one(&w->rejected);
	if (w->sample)
		colink_reject_sample_add(w->sample, &rj);
	if (!w->ops->reject)
		return;
	rc = w->ops->reject(w->out_ctx, &rj, &w->werr);
	if (rc) {
		w->err = w->werr;
		if (w->err.code == COLINK_OK)
			COLINK_ERR(&w->err, rc, "run failed");
		atomic_store(&w->failed, 1);
	} else {
		colink_error_clear(&w->err);
	}
}

/* The writer found the ring empty at head h: sleep until the caller has
 * published half of it or is closing.  The number of slots published
 * (tail - h; 0 when closing with nothing left). */
static size_t writer_wait(struct colink_writer *w, size_t h)
{
	size_t n;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		atomic_store(&w->writer_waits, 1);
		n = atomic_load(&w->tail) - h;
		if (n || atomic_load(&w->closing))
			break;
		pthread_cond_wait(&w->not_empty, &w->mu);
	}
	atomic_store(&w->writer_waits, 0);
	pthread_mutex_unlock(&w->mu);
	return n;
}

static void wake(struct colink_writer *w, atomic_int *waits, pthread_cond_t *c)
{
	if (!atomic_exchange(waits, 0))
		return; /* the sleeper has woken already */
	pthread_mutex_lock(&w->mu);
	pthread_cond_signal(c);
	pthread_mutex_unlock(&w->mu);
}

/* The writer gives back the slots below h; it wakes the caller when the
 * caller sleeps on a full ring and half of it is free. */
static void give_back(struct colink_writer *w, size_t h)
{
	atomic_store(&w->head, h);
	if (atomic_load(&w->caller_waits) &&
	    (atomic_load(&w->tail) - h <= NSLOTS / 2 || atomic_load(&w->failed)))
		wake(w, &w->caller_waits, &w->not_full);
}

static void *thread_main(void *arg)
{
	struct colink_writer *w = arg;
	size_t h = 0, given = 0;
	for (;;) {
		if (h == w->tail_seen) {
			w->tail_seen = atomic_load_explicit(&w->tail, memory_order_acquire);
			if (h == w->tail_seen) {
				if (given != h)
					give_back(w, given = h);
				if (!writer_wait(w, h))
					break; /* closing, and everything is written */
				w->tail_seen = atomic_load(&w->tail);
			}
		}
		process(w, &w->slots[h % NSLOTS]); /* the slot is ours until head passes it */
		if (++h - given >= BATCH || atomic_load_explicit(&w->failed, memory_order_relaxed))
			give_back(w, given = h);
	}
	return NULL;
}

/* ---- the calling thread -------------------------------------------- */

int colink_writer_start(struct colink_writer **out, const struct colink_output_ops *ops,
			void *out_ctx, uint32_t input_no, struct colink_error *err)
{
	const char *e = getenv("COLINK_WRITER_THREAD");
	struct colink_writer *w = colink_calloc(1, sizeof(*w));
	*out = NULL;
	if (!w)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	w->ops = ops;
	w->out_ctx = out_ctx;
	w->input_no = input_no;
	atomic_init(&w->failed, 0);
	atomic_init(&w->closing, 0);
	atomic_init(&w->loaded, 0);
	atomic_init(&w->rejected, 0);
	atomic_init(&w->head, 0);
	atomic_init(&w->tail, 0);
	atomic_init(&w->caller_waits, 0);
	atomic_init(&w->writer_waits, 0);
	w->threaded = !(e && !strcmp(e, "0"));
#ifdef M_ARENA_MAX
	/* One malloc arena for both threads: SQLite's page cache fills on
	 * the writer thread and is shrunk and refilled on the calling one
	 * (osq_sort_cache, link); with glibc's per-thread arenas the memory
	 * one thread frees is not reused by the other, which cost 72 MB of
	 * peak RSS at 100k persons (252 MB against 180 MB). */
	if (w->threaded)
		mallopt(M_ARENA_MAX, 1);
#endif
	if (w->threaded) {
		if (pthread_mutex_init(&w->mu, NULL)) {
			colink_free(w);
			return COLINK_ERR(err, COLINK_ENOMEM, "cannot start the writer thread");
		}
		if (pthread_cond_init(&w->not_empty, NULL) || pthread_cond_init(&w->not_full, NULL) ||
		    pthread_create(&w->thread, NULL, thread_main, w)) {
			/* the conditions of a failed init are not destroyed: none
			 * was waited on, and glibc's need no cleanup */
			pthread_mutex_destroy(&w->mu);
			colink_free(w);
			return COLINK_ERR(err, COLINK_ENOMEM, "cannot start the writer thread");
		}
	}
	*out = w;
	return COLINK_OK;
}

/* Publish the filled slots; wake the writer when it sleeps on an empty
 * ring and half of it is waiting. */
static void publish(struct colink_writer *w)
{
	size_t t = w->filled;
	atomic_store(&w->tail, t);
	if (atomic_load(&w->writer_waits) && t - atomic_load(&w->head) >= NSLOTS / 2)
		wake(w, &w->writer_waits, &w->not_empty);
}

/* The next free slot (waiting while the ring is full), or NULL when the
 * writer has failed. */
static struct item *slot_claim(struct colink_writer *w)
{
	size_t t = w->filled;
	if (t - w->head_seen == NSLOTS) {
		w->head_seen = atomic_load_explicit(&w->head, memory_order_acquire);
		if (t - w->head_seen == NSLOTS) {
			if (atomic_load_explicit(&w->tail, memory_order_relaxed) != t)
				publish(w); /* the writer may be waiting for them */
			pthread_mutex_lock(&w->mu);
			for (;;) {
				atomic_store(&w->caller_waits, 1);
				w->head_seen = atomic_load(&w->head);
				if (t - w->head_seen < NSLOTS || atomic_load(&w->failed))
					break;
				pthread_cond_wait(&w->not_full, &w->mu);
			}
			atomic_store(&w->caller_waits, 0);
			pthread_mutex_unlock(&w->mu);
		}
	}
	if (atomic_load_explicit(&w->failed, memory_order_relaxed))
		return NULL;
	return &w->slots[t % NSLOTS];
}

/* The claimed slot is filled: hand it over, BATCH at a time. */
static void slot_publish(struct colink_writer *w)
{
	if (++w->filled - atomic_load_explicit(&w->tail, memory_order_relaxed) >= BATCH)
		publish(w);
}

/*
 * Claim the slot at the tail, fill it (the writer does not touch it until
 * it is published), then publish it.  Without a thread, call the output
 * here, on the record itself.
 */
static int hand_over(struct colink_writer *w, const struct colink_out_record *rec,
		     const struct colink_reject *rj)
{
	struct item *it;
	int rc;
	if (!w->threaded) {
		struct item *one = &w->slots[0];
		if (atomic_load(&w->failed))
			return COLINK_EABORT;
		if (rec) { /* no copy needed: the record outlives the call */
			one->type = ITEM_RECORD;
			one->rec = *rec;
		} else {
			one->type = ITEM_REJECT;
			one->rj = *rj;
		}
		process(w, one);
		return atomic_load(&w->failed) ? COLINK_EABORT : COLINK_OK;
	}
	if (!(it = slot_claim(w)))
		return COLINK_EABORT;
	rc = rec ? copy_record(it, rec) : copy_reject(it, rj);
	if (rc)
		return rc;
	slot_publish(w);
	return COLINK_OK;
}

int colink_writer_record(struct colink_writer *w, const struct colink_out_record *rec)
{
	return hand_over(w, rec, NULL);
}

int colink_writer_reject(struct colink_writer *w, const struct colink_reject *rj)
{
	return hand_over(w, NULL, rj);
}

void colink_writer_sample(struct colink_writer *w, struct colink_reject_sample *s)
{
	w->sample = s;
}

int colink_writer_failed(struct colink_writer *w)
{
	return w && atomic_load(&w->failed);
}

void colink_writer_counts(struct colink_writer *w, uint64_t *loaded, uint64_t *rejected)
{
	*loaded = atomic_load_explicit(&w->loaded, memory_order_relaxed);
	*rejected = atomic_load_explicit(&w->rejected, memory_order_relaxed);
}

int colink_writer_finish(struct colink_writer *w, uint64_t *loaded, uint64_t *rejected,
			 struct colink_error *err)
{
	size_t i;
	int rc = COLINK_OK;
	if (!w)
		return COLINK_OK;
	if (w->threaded) {
		publish(w);
		atomic_store(&w->closing, 1);
		pthread_mutex_lock(&w->mu);
		pthread_cond_signal(&w->not_empty);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		pthread_cond_destroy(&w->not_empty);
		pthread_cond_destroy(&w->not_full);
		pthread_mutex_destroy(&w->mu);
	}
	*loaded += atomic_load(&w->loaded);
	*rejected += atomic_load(&w->rejected);
	if (atomic_load(&w->failed)) {
		*err = w->err;
		rc = err->code ? err->code : COLINK_EABORT;
	}
	for (i = 0; i < NSLOTS; i++) {
		colink_free(w->slots[i].vals);
		colink_free(w->slots[i].ps);
		colink_free(w->slots[i].rs);
		colink_free(w->slots[i].buf);
		colink_free(w->slots[i].lens);
	}
	colink_free(w);
	return rc;
}
