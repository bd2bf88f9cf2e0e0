/*
 * scan_fixed.c -- `colink scan` on a fixed-width file.  See scan_fixed.h.
 */
#include "steward/scan_fixed.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define SAMPLE_RECORDS 100000
#define LINE_MAX_BYTES 65536

static int valid_utf8_line(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		k = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
		if (!k || n - i - 1 < k)
			return 0;
		for (j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

struct acc {
	struct colink_scan_fixed *s;
	unsigned char first[LINE_MAX_BYTES], last[LINE_MAX_BYTES];
	size_t last_len;
	uint64_t code_n[256];
	int ok;
};

static void one_line(struct acc *a, unsigned char *b, size_t n)
{
	struct colink_scan_fixed *s = a->s;
	if (n && b[n - 1] == '\r') {
		n--;
		s->crlf = 1;
	}
	if (!n || memchr(b, ',', n) || memchr(b, '\t', n) || memchr(b, '\0', n)) {
		a->ok = 0;
		return;
	}
	if (!s->records)
		s->record_len = n;
	else if (n != s->record_len)
		a->ok = 0;
	if (!valid_utf8_line(b, n))
		s->cp932 = 1;
	if (!s->records)
		memcpy(a->first, b, n);
	memcpy(a->last, b, n);
	a->last_len = n;
	a->code_n[b[0]]++;
	s->records++;
}

/* A digit run in the trailer (after byte 1) whose value is n_data. */
static void find_count(struct acc *a)
{
	struct colink_scan_fixed *s = a->s;
	size_t i = 1, j;
	while (i < a->last_len) {
		uint64_t v = 0;
		if (a->last[i] < '0' || a->last[i] > '9') {
			i++;
			continue;
		}
		for (j = i; j < a->last_len && a->last[j] >= '0' && a->last[j] <= '9' && j - i < 18; j++)
			v = v * 10 + (uint64_t)(a->last[j] - '0');
		if (v == s->n_data) {
			s->count_start = i + 1;
			s->count_len = j - i;
			return;
		}
		i = j;
	}
}

static void type_field(struct acc *a)
{
	struct colink_scan_fixed *s = a->s;
	int c, codes = 0, best = -1;
	for (c = 0; c < 256; c++)
		if (a->code_n[c]) {
			codes++;
			if (best < 0 || a->code_n[c] > a->code_n[best])
				best = c;
		}
	if (codes < 2 || codes > 4 || (a->code_n[a->first[0]] != 1 && a->code_n[a->last[0]] != 1))
		return;
	s->has_type = 1;
	s->data = (char)best;
	s->n_data = a->code_n[best];
	if (a->first[0] != best && a->code_n[a->first[0]] == 1) {
		s->header = (char)a->first[0];
		s->n_header = 1;
	}
	if (a->last[0] != best && a->code_n[a->last[0]] == 1 && s->records > 1) {
		s->trailer = (char)a->last[0];
		s->n_trailer = 1;
		find_count(a);
	}
}

int colink_scan_fixed_detect(const char *path, struct colink_scan_fixed *out)
{
	static struct acc a; /* 128 KiB: off the stack */
	static unsigned char line[LINE_MAX_BYTES + 1];
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	int c;
	memset(out, 0, sizeof(*out));
	if (!f)
		return -1;
	memset(&a, 0, sizeof(a));
	a.s = out;
	a.ok = 1;
	while (a.ok && out->records < SAMPLE_RECORDS && (c = getc(f)) != EOF) {
		if (c == '\n') {
			one_line(&a, line, n);
			n = 0;
		} else if (n >= LINE_MAX_BYTES) {
			a.ok = 0;
		} else {
			line[n++] = (unsigned char)c;
		}
	}
	if (a.ok && n)
		one_line(&a, line, n);
	fclose(f);
	if (!a.ok || out->records < 3 || out->record_len < 20)
		return 0;
	type_field(&a);
	if (!out->has_type)
		out->n_data = out->records;
	return 1;
}

void colink_scan_fixed_print(FILE *f, const char *path, const struct colink_scan_fixed *s, int json)
{
	if (json) {
		fprintf(f, "{\"format\":\"fixed-width\",\"record_length\":%zu,\"records\":%" PRIu64
			   ",\"line_ends\":\"%s\",\"encoding\":\"%s\"", s->record_len, s->records,
			s->crlf ? "CRLF" : "LF", s->cp932 ? "CP932" : "UTF-8");
		if (s->has_type)
			fprintf(f, ",\"type_field\":\"1+1\",\"data_types\":\"%c\"", s->data);
		if (s->header)
			fprintf(f, ",\"header_types\":\"%c\"", s->header);
		if (s->trailer)
			fprintf(f, ",\"trailer_types\":\"%c\"", s->trailer);
		if (s->count_len)
			fprintf(f, ",\"trailer_count\":\"%zu+%zu\"", s->count_start, s->count_len);
		fputs(",\"offsets\":\"from the vendor's layout document\"}\n", f);
		return;
	}
	fprintf(f, "%s: fixed-width records (no delimiter, one record per line)\n", path);
	fprintf(f, "  record length: %zu bytes (every one of the %" PRIu64 " records read), %s line ends\n",
		s->record_len, s->records, s->crlf ? "CRLF" : "LF");
	fprintf(f, "  encoding: %s (offsets count bytes of it%s)\n", s->cp932 ? "CP932" : "UTF-8",
		s->cp932 ? ": a kanji or full-width kana is two" : "");
	if (s->has_type) {
		fprintf(f, "  type field: byte 1 (type_field=\"1+1\"): '%c' data (%" PRIu64 " records)",
			s->data, s->n_data);
		if (s->header)
			fprintf(f, ", '%c' header (the first record)", s->header);
		if (s->trailer)
			fprintf(f, ", '%c' trailer (the last record)", s->trailer);
		fputc('\n', f);
	} else {
		fputs("  type field: none seen (byte 1 does not tell records apart)\n", f);
	}
	if (s->count_len)
		fprintf(f, "  trailer count: bytes %zu-%zu (trailer_count=\"%zu+%zu\") hold the number of data records\n",
			s->count_start, s->count_start + s->count_len - 1, s->count_start, s->count_len);
	else if (s->trailer)
		fputs("  trailer count: no digit run of the trailer equals the data records read\n", f);
	fputs("  field offsets cannot be read off the bytes: take each field's START and LENGTH\n"
	      "  (in bytes) from the vendor's layout document (レコードレイアウト) and give\n"
	      "  them as <field target=\"...\" position=\"START+LENGTH\"/>\n", f);
}

int colink_scan_fixed_draft(const char *draft, const char *id, const struct colink_scan_fixed *s)
{
	FILE *f = fopen(draft, "wx");
	size_t from = s->has_type ? 2 : 1;
	if (!f)
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<!--\n"
		   "  Draft written by colink scan: a fixed-width file of %zu-byte records.\n"
		   "  Offsets cannot be read off the bytes: take each field's START and\n"
		   "  LENGTH in bytes of %s from the vendor's layout document, write one\n"
		   "  <field target=\"...\" position=\"START+LENGTH\"/> per field, set kind=,\n"
		   "  the primary key and the targets, then delete the <todo> below.\n"
		   "-->\n"
		   "<mapping xmlns=\"urn:colink:mapping:1\" id=\"%s\" version=\"1\" kind=\"checkup\">\n"
		   "  <input plugin=\"in_fixed\">\n"
		   "    <set name=\"encoding\" value=\"%s\"/>\n",
		s->record_len, s->cp932 ? "CP932" : "UTF-8", id, s->cp932 ? "CP932" : "UTF-8");
	if (s->has_type) {
		fprintf(f, "    <set name=\"type_field\" value=\"1+1\"/>\n"
			   "    <set name=\"data_types\" value=\"%c\"/>\n", s->data);
		if (s->header)
			fprintf(f, "    <set name=\"header_types\" value=\"%c\"/>\n", s->header);
		if (s->trailer)
			fprintf(f, "    <set name=\"trailer_types\" value=\"%c\"/>\n", s->trailer);
		if (s->count_len)
			fprintf(f, "    <set name=\"trailer_count\" value=\"%zu+%zu\"/>\n", s->count_start,
				s->count_len);
	}
	fprintf(f, "  </input>\n"
		   "  <todo position=\"%zu-%zu\"/>\n"
		   "  <unmapped columns=\"reject\"/>\n"
		   "</mapping>\n", from, s->record_len);
	return fclose(f) ? -1 : 0;
}
