/* reject_sample.c -- the first rejects of a run, kept for its summary
 * (reject_sample.h). */
#include "core/reject_sample.h"

#include <string.h>

#include "base/alloc.h"

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

static const char *why(const struct colink_reject_reason *r)
{
	return r->reason ? r->reason : "rejected (no reason given)";
}

void colink_reject_sample_add(struct colink_reject_sample *s, const struct colink_reject *rj)
{
	struct colink_reject_reason one = {rj->column, rj->reason};
	const struct colink_reject_reason *rs = &one;
	struct colink_reject_kept *k;
	size_t i, n = 1, stride = sizeof(one), bytes;
	const char *doc = COLINK_HAS(struct colink_reject, rj->struct_size, document) ? rj->document : NULL;
	char *p;
	if (COLINK_HAS(struct colink_reject, rj->struct_size, reasons) && rj->nreasons &&
	    rj->reasons && rj->reason_size >= COLINK_SIZE_TO(struct colink_reject_reason, reason)) {
		rs = rj->reasons;
		n = rj->nreasons;
		stride = rj->reason_size;
	}
	if (s->n >= s->limit) {
		s->not_kept++;
		return;
	}
	if (s->n == s->cap) { /* grow: the limit may be "all" (#18) */
		size_t cap = s->cap ? 2 * s->cap : 32;
		struct colink_reject_kept *it;
		if (cap > s->limit)
			cap = s->limit;
		if (cap > SIZE_MAX / sizeof(*it) ||
		    !(it = colink_realloc(s->items, cap * sizeof(*it)))) {
			s->not_kept++;
			return;
		}
		s->items = it;
		s->cap = cap;
	}
	bytes = n * sizeof(struct colink_reject_reason) + slen(doc);
	for (i = 0; i < n; i++)
		bytes += slen(COLINK_AT(struct colink_reject_reason, rs, stride, i)->column) +
			 slen(why(COLINK_AT(struct colink_reject_reason, rs, stride, i)));
	k = &s->items[s->n];
	if (!(k->reasons = colink_malloc(bytes))) {
		s->not_kept++;
		return;
	}
	p = (char *)(k->reasons + n);
	for (i = 0; i < n; i++) {
		const struct colink_reject_reason *r = COLINK_AT(struct colink_reject_reason, rs, stride, i);
		k->reasons[i].column = put(&p, r->column);
		k->reasons[i].reason = put(&p, why(r));
	}
	k->document = put(&p, doc);
	k->input_no = rj->input_no;
	k->record_no = rj->record_no;
	k->line_no = rj->line_no;
	k->nreasons = n;
	s->n++;
}

void colink_reject_sample_clear(struct colink_reject_sample *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		colink_free(s->items[i].reasons);
	colink_free(s->items);
	s->items = NULL;
	s->n = s->cap = 0;
	s->not_kept = 0;
}
