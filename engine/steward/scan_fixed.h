/*
 * scan_fixed.h -- `colink scan` on a fixed-width (固定長) file (#20).
 *
 * Offsets cannot be read off the bytes: scan proposes only what the file
 * shows -- the record length (every line the same number of bytes, no
 * delimiter), the encoding, and a type field (byte 1 with a few codes: a
 * code seen once first is the header, once last the trailer, and a digit
 * run of the trailer equal to the data records read is its count) -- and
 * says that each field's bytes must come from the vendor's layout
 * document.  The draft reads the file with in_fixed and has one <todo>
 * over the bytes still to be laid out.  Values are never printed.
 */
#ifndef COLINK_SCAN_FIXED_H
#define COLINK_SCAN_FIXED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct colink_scan_fixed {
	size_t record_len;        /* bytes, line end excluded */
	uint64_t records;         /* records read */
	int crlf, cp932;
	int has_type;             /* byte 1 tells record types apart */
	char header, data, trailer; /* type codes, '\0' when none */
	uint64_t n_header, n_data, n_trailer;
	size_t count_start, count_len; /* trailer count bytes (1-based), 0: none */
};

/* 1 and *out when `path` looks fixed-width (at least 3 records of one
 * length >= 20 bytes, no comma or TAB, one record per line); 0 when not;
 * -1 when it cannot be read. */
int colink_scan_fixed_detect(const char *path, struct colink_scan_fixed *out);

/* The proposal on `f` (text or one JSON object). */
void colink_scan_fixed_print(FILE *f, const char *path, const struct colink_scan_fixed *s, int json);

/* The draft mapping: in_fixed with what scan proposes and one <todo> over
 * the bytes to lay out.  0, or -1 with errno. */
int colink_scan_fixed_draft(const char *draft, const char *id, const struct colink_scan_fixed *s);

#endif
