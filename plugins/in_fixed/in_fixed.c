/*
 * in_fixed.c -- the fixed-width (固定長) input plugin.
 *
 * Reads records of fixed byte layout, CP932 or UTF-8, either one record
 * per line (LF or CRLF) or, with record_length > 0, records of exactly
 * that many bytes with no line ends at all.  Offsets and lengths are in
 * BYTES of the source encoding: a CP932 kanji counts two.  Every field is
 * cut from the raw bytes first and decoded after; a field boundary that
 * falls inside a multi-byte character rejects the record, naming the
 * field and its byte range (never its value).
 *
 * The layout comes from the mapping: each <field position="START+LEN"> (or
 * "START-END", 1-based bytes) reads the column "bytes START-END", and the
 * core hands the plugin the whole layout as the setting `layout`:
 * "NAME=START+LEN;NAME=START+LEN;..." (engine/core/mapping_bytes.c); a
 * mapping cannot set it by hand.  A type
 * field (`type_field`, e.g. "1+1") tells header, data and trailer records
 * apart (`header_types`, `data_types`, `trailer_types`: '|' separated
 * codes).  Header records are skipped; the trailer's count field
 * (`trailer_count`, a byte range of ASCII digits) must equal the number of
 * data records read, emitted or rejected: a mismatch, a missing trailer
 * or a record after it fails the input (the core then loads nothing of
 * it).  A record shorter than the layout (a truncated last record) is
 * rejected naming its record number.
 *
 * Memory is flat: one record buffer (max_record_bytes) and one decode
 * buffer.
 */
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colink/plugin.h"

#define REASON_MAX 200
#define MAX_FIELDS 1000

enum {
	S_ENCODING,
	S_RECORD_LENGTH,
	S_LAYOUT,
	S_TYPE_FIELD,
	S_HEADER_TYPES,
	S_DATA_TYPES,
	S_TRAILER_TYPES,
	S_TRAILER_COUNT,
	S_TRIM,
	S_MAX_RECORD_BYTES,
	S_COUNT
};

static const struct colink_setting_def settings[S_COUNT + 1] = {
	[S_ENCODING] = { "encoding", COLINK_SET_ENUM, "CP932",
			 "character encoding of the file", "CP932|UTF-8" },
	[S_RECORD_LENGTH] = { "record_length", COLINK_SET_INT, "0",
			      "bytes per record in a file without line ends; 0: one record per line (LF or CRLF)",
			      NULL },
	[S_LAYOUT] = { "layout", COLINK_SET_STRING, "",
		       "set by the mapping, not by hand: its fields' byte ranges position=\"START+LEN\" (1-based bytes of the source encoding)",
		       NULL },
	[S_TYPE_FIELD] = { "type_field", COLINK_SET_STRING, "",
			   "byte range START+LEN of the record type code; empty: every record is data",
			   NULL },
	[S_HEADER_TYPES] = { "header_types", COLINK_SET_STRING, "",
			     "type codes of header records ('|' separated), skipped", NULL },
	[S_DATA_TYPES] = { "data_types", COLINK_SET_STRING, "",
			   "type codes of data records ('|' separated)", NULL },
	[S_TRAILER_TYPES] = { "trailer_types", COLINK_SET_STRING, "",
			      "type codes of trailer records ('|' separated); when set, a trailer is required",
			      NULL },
	[S_TRAILER_COUNT] = { "trailer_count", COLINK_SET_STRING, "",
			      "byte range START+LEN of the data record count in the trailer", NULL },
	[S_TRIM] = { "trim", COLINK_SET_BOOL, "true",
		     "drop ASCII and full-width padding spaces around values", NULL },
	[S_MAX_RECORD_BYTES] = { "max_record_bytes", COLINK_SET_INT, "65536",
				 "longest record accepted, in bytes", NULL },
	[S_COUNT] = COLINK_SETTINGS_END
};

struct range {
	size_t start, len; /* start 0-based; len 0: unset */
};

struct ffield {
	char *name;
	struct range r;
};

struct in_fixed {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	int cp932, trim;
	iconv_t cd;
	size_t record_length, max_record;
	struct ffield *fields;
	size_t nfields, need;        /* need: bytes the layout reaches */
	struct range type_field, trailer_count;
	char *header_types, *data_types, *trailer_types; /* "|a|b|" */
};

/* ------------------------------------------------------------------ */
/* Settings parsing                                                     */
/* ------------------------------------------------------------------ */

static char *dupstr(const struct colink_host *h, const char *s, size_t n)
{
	char *p = h->malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* "START+LEN" or "START-END", 1-based, into r. */
static int parse_range(const char *s, size_t n, struct range *r)
{
	char buf[48], *e;
	unsigned long a, b;
	int plus;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	a = strtoul(buf, &e, 10);
	if (*e != '+' && *e != '-')
		return -1;
	plus = *e == '+';
	if (e[1] < '0' || e[1] > '9')
		return -1;
	b = strtoul(e + 1, &e, 10);
	if (*e || errno || a < 1 || a > 1000000 || b > 1000000)
		return -1;
	if (plus) {
		if (b < 1)
			return -1;
		r->len = b;
	} else {
		if (b < a)
			return -1;
		r->len = b - a + 1;
	}
	r->start = a - 1;
	return 0;
}

static int set_codes(const struct colink_host *h, const char *s, char **out)
{
	size_t n = strlen(s);
	char *p = h->malloc(n + 3);
	if (!p)
		return -1;
	p[0] = '|';
	memcpy(p + 1, s, n);
	p[n + 1] = '|';
	p[n + 2] = '\0';
	*out = p;
	return 0;
}

static int code_in(const char *set, const char *code, size_t n)
{
	const char *p = set;
	if (!set || set[1] == '|')
		return 0;
	while ((p = strchr(p, '|')) && p[1]) {
		if (!strncmp(p + 1, code, n) && p[1 + n] == '|')
			return 1;
		p++;
	}
	return 0;
}

static int parse_layout(struct in_fixed *fx, const char *s,
			struct colink_error *err)
{
	const struct colink_host *h = fx->host;
	const char *p = s;
	size_t i, j;
	while (*p) {
		const char *semi = strchr(p, ';'), *eq;
		size_t seglen = semi ? (size_t)(semi - p) : strlen(p);
		struct ffield *f;
		while (seglen && (*p == ' ' || *p == '\n' || *p == '\t'))
			p++, seglen--;
		while (seglen && (p[seglen - 1] == ' ' || p[seglen - 1] == '\n' ||
				  p[seglen - 1] == '\t'))
			seglen--;
		if (!seglen) {
			p += semi ? 1 : 0;
			if (!semi)
				break;
			continue;
		}
		eq = memchr(p, '=', seglen);
		if (!eq || eq == p)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_fixed: layout entry %zu is not NAME=START+LEN",
					  fx->nfields + 1);
		if (fx->nfields >= MAX_FIELDS)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_fixed: layout has more than %d fields", MAX_FIELDS);
		f = h->realloc(fx->fields, (fx->nfields + 1) * sizeof(*f));
		if (!f)
			return COLINK_ERR(err, COLINK_ENOMEM, "in_fixed: out of memory");
		fx->fields = f;
		f = &fx->fields[fx->nfields];
		memset(f, 0, sizeof(*f));
		f->name = dupstr(h, p, (size_t)(eq - p));
		if (!f->name)
			return COLINK_ERR(err, COLINK_ENOMEM, "in_fixed: out of memory");
		fx->nfields++;
		if (parse_range(eq + 1, seglen - (size_t)(eq + 1 - p), &f->r))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_fixed: layout field %s: byte range must be START+LEN or START-END (1-based)",
					  f->name);
		if (f->r.start + f->r.len > fx->need)
			fx->need = f->r.start + f->r.len;
		if (!semi)
			break;
		p = semi + 1;
	}
	if (!fx->nfields)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_fixed: no field layout: give each <field> of the mapping its bytes, "
				  "position=\"START+LENGTH\" (1-based, bytes of the source encoding)");
	for (i = 0; i < fx->nfields; i++)
		for (j = i + 1; j < fx->nfields; j++) {
			const struct range *a = &fx->fields[i].r, *b = &fx->fields[j].r;
			if (!strcmp(fx->fields[i].name, fx->fields[j].name))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "in_fixed: layout names field %s twice",
						  fx->fields[i].name);
			if (a->start < b->start + b->len && b->start < a->start + a->len)
				return COLINK_ERR(err, COLINK_EINVAL,
						  "in_fixed: layout fields %s and %s overlap",
						  fx->fields[i].name, fx->fields[j].name);
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

struct reader {
	struct in_fixed *fx;
	struct colink_emitter *em;
	const char *path;
	struct colink_error *err;
	int rc;
	unsigned char *rec;       /* current record */
	size_t rlen;
	char *dec;                /* decoded values, NUL separated */
	size_t dcap;
	unsigned char *bound;     /* 1 where a character starts (CP932) */
	struct colink_raw_field *out;
	uint64_t phys;            /* physical record (line) number */
	uint64_t data_no;         /* data records read (emitted or rejected) */
	int trailer_seen;
};

static int host_said(struct reader *r, int rc)
{
	if (rc && !r->rc) {
		r->rc = rc;
		if (!r->err || r->err->code == COLINK_OK)
			COLINK_ERR(r->err, rc,
				   "%s: record %" PRIu64 ": reading stopped by the core",
				   r->path, r->phys);
	}
	return rc;
}

static int reject(struct reader *r, const char *column, const char *reason)
{
	return host_said(r, r->fx->host->emit_reject(r->em, r->data_no, r->phys,
						     column, reason));
}

/* The input fails as a whole: msg says what, after "PATH: record N: ". */
static void fail(struct reader *r, const char *msg)
{
	if (r->rc)
		return;
	r->rc = COLINK_ERR(r->err, COLINK_EFORMAT, "%s: record %" PRIu64 ": %s",
			   r->path, r->phys, msg);
}

static int is_lead(unsigned char c)
{
	return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
}

static int is_utf8_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Mark where characters start in the record: bound[i] == 1 at a start. */
static void mark_bounds(struct reader *r)
{
	size_t i = 0;
	memset(r->bound, 0, r->rlen + 1);
	while (i < r->rlen) {
		r->bound[i] = 1;
		if (r->fx->cp932)
			i += is_lead(r->rec[i]) && i + 1 < r->rlen ? 2 : 1;
		else {
			i++;
			while (i < r->rlen && is_utf8_cont(r->rec[i]))
				i++;
		}
	}
	r->bound[r->rlen] = 1;
}

static int splits(const struct reader *r, const struct range *g)
{
	return !r->bound[g->start] || !r->bound[g->start + g->len];
}

static void trim_value(char **s, size_t *n)
{
	for (;;) {
		if (*n && (**s == ' ' || **s == '\t'))
			(*s)++, (*n)--;
		else if (*n >= 3 && !memcmp(*s, "\xE3\x80\x80", 3))
			*s += 3, *n -= 3;
		else
			break;
	}
	for (;;) {
		if (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
			(*n)--;
		else if (*n >= 3 && !memcmp(*s + *n - 3, "\xE3\x80\x80", 3))
			*n -= 3;
		else
			break;
	}
}

static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 3;
		else
			return 0;
		if (n - i - 1 < k)
			return 0;
		for (j = 1; j <= k; j++)
			if (!is_utf8_cont(s[i + j]))
				return 0;
		i += k + 1;
	}
	return 1;
}

static void data_record(struct reader *r)
{
	struct in_fixed *fx = r->fx;
	struct colink_raw_record rec = COLINK_RAW_RECORD_INIT(.nfields = 0);
	char reason[REASON_MAX];
	size_t i, used = 0;
	r->data_no++;
	if (r->rlen < fx->need) {
		snprintf(reason, sizeof(reason),
			 "truncated record: %zu bytes, the layout needs %zu", r->rlen,
			 fx->need);
		reject(r, NULL, reason);
		return;
	}
	for (i = 0; i < fx->nfields; i++) {
		const struct ffield *f = &fx->fields[i];
		char *in = (char *)r->rec + f->r.start, *out = r->dec + used, *v;
		size_t ilen = f->r.len, olen = r->dcap - used, n;
		if (memchr(in, '\0', ilen)) {
			reject(r, f->name, "NUL byte in the field");
			return;
		}
		if (splits(r, &f->r)) {
			snprintf(reason, sizeof(reason),
				 "byte range %zu+%zu splits a multi-byte character",
				 f->r.start + 1, f->r.len);
			reject(r, f->name, reason);
			return;
		}
		if (fx->cp932) {
			iconv(fx->cd, NULL, NULL, NULL, NULL);
			if (iconv(fx->cd, &in, &ilen, &out, &olen) == (size_t)-1 ||
			    iconv(fx->cd, NULL, NULL, &out, &olen) == (size_t)-1) {
				reject(r, f->name, "invalid CP932 byte sequence");
				return;
			}
			n = (size_t)(out - (r->dec + used));
		} else {
			if (!valid_utf8((unsigned char *)in, ilen)) {
				reject(r, f->name, "invalid UTF-8");
				return;
			}
			memcpy(out, in, ilen);
			n = ilen;
		}
		v = r->dec + used;
		if (fx->trim)
			trim_value(&v, &n);
		memset(&r->out[i], 0, sizeof(r->out[i]));
		r->out[i].name = f->name;
		r->out[i].index = (uint32_t)(i + 1);
		r->out[i].value = v;
		r->out[i].len = n;
		used = (size_t)(v - r->dec) + n;
		r->dec[used++] = '\0';
		if (olen < 1)
			break;
	}
	rec.record_no = r->data_no;
	rec.line_no = r->phys;
	rec.nfields = fx->nfields;
	rec.fields = r->out;
	host_said(r, fx->host->emit(r->em, &rec));
}

static void trailer_record(struct reader *r)
{
	const struct range *g = &r->fx->trailer_count;
	char msg[REASON_MAX];
	uint64_t n = 0;
	size_t i, digits = 0;
	r->trailer_seen = 1;
	if (!g->len)
		return;
	if (r->rlen < g->start + g->len) {
		snprintf(msg, sizeof(msg),
			 "truncated trailer (%zu bytes, the count field ends at byte %zu)",
			 r->rlen, g->start + g->len);
		fail(r, msg);
		return;
	}
	for (i = g->start; i < g->start + g->len; i++) {
		unsigned char c = r->rec[i];
		if (c == ' ' && !digits)
			continue;
		if (c < '0' || c > '9' || n > UINT64_MAX / 10 - 1) {
			snprintf(msg, sizeof(msg),
				 "trailer count field (bytes %zu+%zu) is not a number",
				 g->start + 1, g->len);
			fail(r, msg);
			return;
		}
		n = n * 10 + (uint64_t)(c - '0');
		digits++;
	}
	if (n != r->data_no) {
		snprintf(msg, sizeof(msg),
			 "trailer count says %" PRIu64 " data records, %" PRIu64 " were read",
			 n, r->data_no);
		fail(r, msg);
	}
}

static void one_record(struct reader *r)
{
	struct in_fixed *fx = r->fx;
	const struct range *t = &fx->type_field;
	char reason[REASON_MAX];
	const char *code;
	r->phys++;
	if (r->trailer_seen) {
		fail(r, "a record follows the trailer");
		return;
	}
	if (!t->len) {
		data_record(r);
		return;
	}
	if (r->rlen < t->start + t->len) {
		r->data_no++;
		snprintf(reason, sizeof(reason),
			 "truncated record: %zu bytes, no room for the type field", r->rlen);
		reject(r, NULL, reason);
		return;
	}
	code = (const char *)r->rec + t->start;
	if (code_in(fx->header_types, code, t->len)) {
		if (r->data_no)
			fail(r, "a header record after data records");
	} else if (code_in(fx->trailer_types, code, t->len)) {
		trailer_record(r);
	} else if (code_in(fx->data_types, code, t->len) || fx->data_types[1] == '|') {
		data_record(r);
	} else {
		r->data_no++;
		reject(r, NULL, "unknown record type code");
	}
}

static void read_stream(struct reader *r, FILE *f)
{
	struct in_fixed *fx = r->fx;
	int c;
	if (fx->record_length) {
		size_t got;
		while (!r->rc && (got = fread(r->rec, 1, fx->record_length, f)) > 0) {
			r->rlen = got;
			if (got < fx->record_length) {
				/* the file ends inside a record: it is incomplete */
				char msg[REASON_MAX];
				r->phys++;
				snprintf(msg, sizeof(msg),
					 "truncated last record: %zu of %zu bytes", got,
					 fx->record_length);
				fail(r, msg);
				break;
			}
			mark_bounds(r);
			one_record(r);
		}
	} else {
		int any = 0, over = 0;
		r->rlen = 0;
		while (!r->rc && (c = getc(f)) != EOF) {
			any = 1;
			if (c == '\n') {
				if (r->rlen && r->rec[r->rlen - 1] == '\r')
					r->rlen--;
				if (over) {
					r->phys++;
					r->data_no++;
					reject(r, NULL, "record longer than max_record_bytes");
				} else {
					mark_bounds(r);
					one_record(r);
				}
				r->rlen = 0;
				over = any = 0;
				continue;
			}
			if (r->rlen >= fx->max_record)
				over = 1;
			else
				r->rec[r->rlen++] = (unsigned char)c;
		}
		if (!r->rc && any) { /* a last line without LF */
			if (r->rlen && r->rec[r->rlen - 1] == '\r')
				r->rlen--;
			mark_bounds(r);
			one_record(r);
		}
	}
	if (!r->rc && ferror(f))
		r->rc = COLINK_ERR(r->err, COLINK_EIO, "%s: read error: %s", r->path,
				   strerror(errno));
	if (!r->rc && fx->trailer_types[1] != '|' && !r->trailer_seen)
		r->rc = COLINK_ERR(r->err, COLINK_EFORMAT,
				   "%s: no trailer record (after %" PRIu64 " records, %" PRIu64 " data records): the file is incomplete",
				   r->path, r->phys, r->data_no);
}

static int in_fixed_read(void *ctx, const char *path, struct colink_emitter *em,
			 struct colink_error *err)
{
	struct in_fixed *fx = ctx;
	const struct colink_host *h = fx->host;
	struct reader r;
	const char *const *names;
	FILE *f;
	size_t i;
	memset(&r, 0, sizeof(r));
	r.fx = fx;
	r.em = em;
	r.path = path;
	r.err = err;
	f = fopen(path, "rb");
	if (!f)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open: %s", path,
				  strerror(errno));
	r.dcap = fx->max_record * 3 + fx->nfields + 1;
	r.rec = h->malloc(fx->max_record + 1);
	r.bound = h->malloc(fx->max_record + 2);
	r.dec = h->malloc(r.dcap);
	r.out = h->calloc(fx->nfields, sizeof(*r.out));
	names = h->calloc(fx->nfields, sizeof(*names));
	if (!r.rec || !r.bound || !r.dec || !r.out || !names) {
		r.rc = COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
	} else {
		for (i = 0; i < fx->nfields; i++)
			((const char **)names)[i] = fx->fields[i].name;
		if (h->emit_header)
			host_said(&r, h->emit_header(em, fx->nfields, names));
		if (!r.rc)
			read_stream(&r, f);
	}
	h->free((void *)names);
	h->free(r.out);
	h->free(r.dec);
	h->free(r.bound);
	h->free(r.rec);
	fclose(f);
	return r.rc;
}

/* ------------------------------------------------------------------ */
/* init / fini                                                          */
/* ------------------------------------------------------------------ */

static void in_fixed_fini(void *ctx)
{
	struct in_fixed *fx = ctx;
	size_t i;
	if (!fx)
		return;
	if (fx->cd != (iconv_t)-1)
		iconv_close(fx->cd);
	for (i = 0; i < fx->nfields; i++)
		fx->host->free(fx->fields[i].name);
	fx->host->free(fx->fields);
	fx->host->free(fx->header_types);
	fx->host->free(fx->data_types);
	fx->host->free(fx->trailer_types);
	fx->host->free(fx);
}

static int opt_range(const char *text, const char *what, struct range *r,
		     struct colink_error *err)
{
	if (!*text)
		return 0;
	if (parse_range(text, strlen(text), r))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_fixed: %s must be START+LEN or START-END (1-based bytes)",
				  what);
	return 0;
}

static int configure(struct in_fixed *fx, const struct colink_setting_value *v,
		     struct colink_error *err)
{
	const struct colink_host *h = fx->host;
	int rc;
	fx->cp932 = !strcmp(v[S_ENCODING].text, "CP932");
	fx->trim = v[S_TRIM].i != 0;
	if (v[S_MAX_RECORD_BYTES].i < 1 || v[S_MAX_RECORD_BYTES].i > 16777216)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_fixed: max_record_bytes must be between 1 and 16777216");
	if (v[S_RECORD_LENGTH].i < 0 || v[S_RECORD_LENGTH].i > 16777216)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_fixed: record_length must be between 0 and 16777216");
	fx->record_length = (size_t)v[S_RECORD_LENGTH].i;
	fx->max_record = fx->record_length ? fx->record_length
					   : (size_t)v[S_MAX_RECORD_BYTES].i;
	if ((rc = parse_layout(fx, v[S_LAYOUT].text, err)) ||
	    (rc = opt_range(v[S_TYPE_FIELD].text, "type_field", &fx->type_field, err)) ||
	    (rc = opt_range(v[S_TRAILER_COUNT].text, "trailer_count", &fx->trailer_count, err)))
		return rc;
	if (fx->need > fx->max_record)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_fixed: the layout reaches byte %zu, beyond the record length %zu",
				  fx->need, fx->max_record);
	if (set_codes(h, v[S_HEADER_TYPES].text, &fx->header_types) ||
	    set_codes(h, v[S_DATA_TYPES].text, &fx->data_types) ||
	    set_codes(h, v[S_TRAILER_TYPES].text, &fx->trailer_types))
		return COLINK_ERR(err, COLINK_ENOMEM, "in_fixed: out of memory");
	if (!fx->type_field.len && (*v[S_HEADER_TYPES].text || *v[S_TRAILER_TYPES].text))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_fixed: header_types and trailer_types need type_field");
	if (fx->cp932) {
		fx->cd = iconv_open("UTF-8", "CP932");
		if (fx->cd == (iconv_t)-1)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_fixed: no CP932 converter: %s", strerror(errno));
	}
	return 0;
}

static int in_fixed_init(void **ctx, const struct colink_host *host,
			 struct colink_host_ctx *hc,
			 const struct colink_setting_values *set,
			 struct colink_error *err)
{
	struct colink_setting_value vals[S_COUNT];
	struct in_fixed *fx;
	int rc;
	*ctx = NULL;
	if (colink_settings_copy(vals, S_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "in_fixed: malformed settings from the host");
	if (host->abi_major != COLINK_ABI_MAJOR)
		return COLINK_ERR(err, COLINK_EABI,
				  "in_fixed: host ABI %d, plugin built for %d",
				  host->abi_major, COLINK_ABI_MAJOR);
	fx = host->calloc(1, sizeof(*fx));
	if (!fx)
		return COLINK_ERR(err, COLINK_ENOMEM, "in_fixed: out of memory");
	fx->host = host;
	fx->hc = hc;
	fx->cd = (iconv_t)-1;
	rc = configure(fx, vals, err);
	if (rc) {
		in_fixed_fini(fx);
		return rc;
	}
	*ctx = fx;
	return COLINK_OK;
}

static const struct colink_input_ops ops = COLINK_INPUT_OPS_INIT(
	.read = in_fixed_read);

static const struct colink_plugin descriptor = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_fixed",
	.version = "1.0",
	.description = "fixed-width (固定長) records in CP932 or UTF-8, byte offsets, header/trailer",
	.settings = settings,
	.init = in_fixed_init,
	.fini = in_fixed_fini,
	.input = &ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &descriptor;
}
