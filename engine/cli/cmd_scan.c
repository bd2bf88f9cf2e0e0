/*
 * cmd_scan.c -- `colink scan FILE`: profile an unknown vendor file and
 * draft its mapping (engine/steward/scan.c, engine/steward/scan_draft.c do the work).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "cli/cli.h"
#include "base/text.h"
#include "base/paths.h"
#include "core/run.h"
#include "steward/scan.h"
#include "steward/scan_fixed.h"
#include "steward/scan_xlsx.h"
#include "base/util.h"

#define FREQ_MAX 8
#define SHIPPED_MAX 8

/* The shipped mappings of the file's kind, for the table and JSON. */
struct shipped {
	char *path[SHIPPED_MAX];
	size_t n;
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink scan [-o DRAFT.xml] [--force] [--id ID] [--rows N] [--json]\n"
		"                   [--sheet NAME|N] [--header-row N] FILE\n"
		"\n"
		"Profiles an unknown delimited vendor file and writes a draft mapping for it.\n"
		"The file is streamed (memory stays flat); nothing is loaded anywhere.\n"
		"An MHLW standard XML archive (a folder, or a zip with ix08_V08.xml) is\n"
		"described instead: its documents counted by kind and 報告区分, and the\n"
		"shipped mhlw_xml mapping proposed (no draft is needed).\n"
		"\n"
		"Detected: the encoding (valid UTF-8, with or without BOM, else CP932), the\n"
		"line ends (LF, CRLF; CR-only is not readable by in_csv), the delimiter\n"
		"(comma, TAB, semicolon or bar), whether the first row is a header.\n"
		"\n"
		"Per column: the inferred type (integer, decimal, date with its format --\n"
		"iso, yyyymmdd, wareki (和暦, e.g. R6.4.1, H2/5/3, 令和元年5月1日), yyyymm --\n"
		"code, text or empty), how many values, empty cells and null words\n"
		"(未実施, 測定不能 ...), distinct values (exact up to a cap, then \">=\"),\n"
		"values that do not fit the type, min/max of numbers, the first and last\n"
		"month of dates, and the values that occur at least %d times.\n"
		"\n"
		"Privacy: the file holds real identifiers.  A value is printed only when it\n"
		"occurs at least %d times, and never from a column that is or might be an\n"
		"identifier: by name (an identifier target or synonyms.tsv `identifier`),\n"
		"by shape (digit strings of an identifier's length, kana names, dates over\n"
		"decades) or by count (about one distinct value per person, as an employee\n"
		"number repeated in every month of an attendance export); such a column\n"
		"shows no value and no range at all.  Error messages never quote a value.\n"
		"\n"
		"The draft (-o) names every column.  Targets are suggested from the header\n"
		"name: mappings/common/synonyms.tsv (Japanese and English names), then the\n"
		"descriptions of fields.tsv and the names of items.tsv, in any width,\n"
		"case, snake_case or camelCase, with or without units (HDL(mg/dL),\n"
		"dbp_mmHg), an embedded legend (喫煙(1:はい 2:いいえ)), an item number\n"
		"(01_身長) or zero padding (B05), and X(Y) read as Y(X).  The kind of file\n"
		"(checkup, claims, roster, attendance, stress, participation) is the one\n"
		"most column names say; scan names the shipped mappings of that kind.\n"
		"A suggestion whose\n"
		"values agree (numbers, a date format, a shared code map covering every\n"
		"code) becomes a <field>; an uncertain one a <field ... todo=\"why\">; a\n"
		"column with no or several candidates a <todo column=\"X\" suggest=\"...\"/>.\n"
		"`colink check DRAFT.xml` lists each one left as\n"
		"  DRAFT.xml:LINE: column \"X\" is still unmapped (TODO)\n"
		"and exits 3; `colink run` refuses the draft until none is left.  Then add\n"
		"plausibility ranges, constants and local code maps, check, preview, run.\n"
		"\n"
		"options:\n"
		"  -o DRAFT.xml   write the draft mapping there (refuses to overwrite)\n"
		"  --force        overwrite an existing DRAFT.xml\n"
		"  --id ID        the draft's mapping id (default: from the file name)\n"
		"  --rows N       profile only the first N data rows\n"
		"  --json         the profile as one JSON object instead of the table\n"
		"  --sheet NAME|N an .xlsx workbook: the sheet to profile (default the first);\n"
		"                 the sheets are listed first\n"
		"  --header-row N an .xlsx workbook: the sheet row holding the header (default 1)\n"
		"\n"
		"An .xlsx FILE is read by the in_xlsx plugin (the cells a run sees: serial\n"
		"dates as ISO dates, leading zeros kept, merged header cells named) and the\n"
		"sheet profiled like a CSV; the draft reads it with in_xlsx.\n"
		"A fixed-width file (one record per line, every line the same number of\n"
		"bytes, no delimiter) gets its record length, encoding and type field\n"
		"proposed (header, data and trailer codes in byte 1, the trailer's count);\n"
		"field offsets must come from the vendor's layout document: the draft\n"
		"reads it with in_fixed and has one <todo> over the bytes to lay out.\n"
		"\n"
		"exit: 0 profiled (and draft written); 2 usage or the draft exists;\n"
		"3 not a text file in UTF-8 or CP932; 4 FILE missing or unreadable, or a\n"
		"folder that is not an MHLW archive.\n",
		COLINK_SCAN_SHOW_MIN, COLINK_SCAN_SHOW_MIN);
}

static const char *line_ends(const struct colink_scan *s)
{
	if (!s->crlf && !s->lf)
		return s->cr ? "CR (not supported by in_csv)" : "none";
	if (s->crlf && s->lf)
		return "mixed CRLF/LF";
	return s->crlf ? "CRLF" : "LF";
}

static const char *delim_name(char d)
{
	return d == '\t' ? "TAB" : d == ',' ? "," : d == ';' ? ";" : "|";
}

static const char *status_of(const struct colink_scan_column *c)
{
	return !c->field ? "todo" : c->todo ? "confirm" : "mapped";
}

/* ---- the table ---- */

/* A header cell on one line: control characters become spaces. */
static void put_clean(const char *t)
{
	for (; *t; t++)
		putchar((unsigned char)*t < 0x20 || *t == 0x7f ? ' ' : *t);
}

static void print_details(const struct colink_scan_column *c)
{
	const struct colink_scan_value *fr[FREQ_MAX];
	size_t n, i;
	if (c->unparsed)
		printf("; %llu not %s", (unsigned long long)c->unparsed,
		       c->type == COLINK_SCAN_DATE ? "valid dates" : "numbers");
	if (c->n_censored && c->type != COLINK_SCAN_DATE)
		printf("; %llu censored (<, >)", (unsigned long long)c->n_censored);
	if (c->hidden) {
		fputs("; identifier-like: no values shown", stdout);
		return;
	}
	if ((c->type == COLINK_SCAN_INTEGER || c->type == COLINK_SCAN_DECIMAL) && c->num_min[0])
		printf("; range %s .. %s", c->num_min, c->num_max);
	if (c->type == COLINK_SCAN_DATE) {
		int32_t a = c->date_min[c->date_format], b = c->date_max[c->date_format];
		printf("; months %04d-%02d .. %04d-%02d", (int)(a / 10000), (int)(a / 100 % 100),
		       (int)(b / 10000), (int)(b / 100 % 100));
	}
	n = colink_scan_frequent(c, fr, FREQ_MAX);
	for (i = 0; i < n; i++)
	{
		fputs(i ? ", " : "; frequent: ", stdout);
		put_clean(fr[i]->text);
		printf(" (%llu)", (unsigned long long)fr[i]->count);
	}
}

static void print_kind(const struct colink_scan *s, const struct shipped *sh)
{
	size_t i;
	printf("  draft: kind %s (%zu of %zu columns whose names say a kind), primary key %s, %zu column%s to decide\n",
	       s->kind, s->kind_votes, s->kind_named, s->primary_key, s->ntodo, s->ntodo == 1 ? "" : "s");
	if (!sh->n) {
		printf("  no shipped mapping of kind %s\n\n", s->kind);
		return;
	}
	printf("  shipped mapping%s of kind %s (start from one if the layout is the same):", sh->n == 1 ? "" : "s",
	       s->kind);
	for (i = 0; i < sh->n; i++)
		printf("%s mappings/%s", i ? "," : "", sh->path[i]);
	fputs("\n\n", stdout);
}

static void print_table(const struct colink_scan *s, const struct shipped *sh)
{
	size_t i, j;
	printf("%s: %s, %s line ends, delimiter \"%s\"%s, %s, %zu columns, %llu data rows%s\n",
	       s->path, colink_scan_encoding_name(s->encoding), line_ends(s), delim_name(s->delimiter),
	       s->quoted ? " (quoted fields)" : "", s->header ? "header row" : "no header row",
	       s->ncols, (unsigned long long)s->rows, s->truncated ? " (stopped at --rows)" : "");
	if (s->skip_lines)
		printf("  the first %llu line%s above the header %s no table (a title, a date): skip_lines=\"%llu\"\n",
		       (unsigned long long)s->skip_lines, s->skip_lines == 1 ? "" : "s",
		       s->skip_lines == 1 ? "is" : "are", (unsigned long long)s->skip_lines);
	if (s->short_rows)
		printf("  %llu row%s at most half the header's fields (a total or a note under the table?):"
		       " not profiled; the run rejects %s with its line number\n",
		       (unsigned long long)s->short_rows, s->short_rows == 1 ? " has" : "s have",
		       s->short_rows == 1 ? "it" : "them");
	if (s->ragged > s->short_rows)
		printf("  %llu row%s another number of fields than the first\n",
		       (unsigned long long)(s->ragged - s->short_rows),
		       s->ragged - s->short_rows == 1 ? " has" : "s have");
	print_kind(s, sh);
	printf("%4s %-16s %6s %6s %5s %8s  %-8s %-20s %s\n", "no", "type", "values", "empty",
	       "null", "distinct", "status", "target", "header; details");
	for (i = 0; i < s->ncols; i++) {
		const struct colink_scan_column *c = &s->cols[i];
		char type[32], distinct[32], target[96] = "";
		snprintf(type, sizeof(type), "%s%s%s%s", colink_scan_type_name(c->type),
			 c->type == COLINK_SCAN_DATE ? "(" : "",
			 c->type == COLINK_SCAN_DATE ? colink_scan_date_format_name(c->date_format) : "",
			 c->type == COLINK_SCAN_DATE ? ")" : "");
		snprintf(distinct, sizeof(distinct), "%s%zu", c->overflow ? ">=" : "", c->distinct);
		if (c->field)
			snprintf(target, sizeof(target), "%s", c->field->name);
		for (j = 0; !c->field && j < c->ncand; j++) {
			size_t l = strlen(target);
			snprintf(target + l, sizeof(target) - l, "%s%s?", j ? "|" : "", c->cand[j]->name);
		}
		printf("%4zu %-16s %6llu %6llu %5llu %8s  %-8s %-20s ", i + 1, type,
		       (unsigned long long)c->values, (unsigned long long)c->empty,
		       (unsigned long long)c->nullwords, distinct, status_of(c), target[0] ? target : "-");
		put_clean(c->header ? c->header : "(no header)");
		print_details(c);
		if (c->todo)
			printf("; TODO %s", c->todo);
		putchar('\n');
	}
}

/* ---- JSON ---- */

static void json_u(const char *k, unsigned long long v, int comma)
{
	printf("\"%s\":%llu%s", k, v, comma ? "," : "");
}

static void json_column(const struct colink_scan_column *c, size_t i)
{
	const struct colink_scan_value *fr[FREQ_MAX];
	size_t n, j;
	printf("{\"no\":%zu,\"header\":", i + 1);
	if (c->header)
		colink_json_str(stdout, c->header);
	else
		fputs("null", stdout);
	printf(",\"type\":\"%s\",", colink_scan_type_name(c->type));
	if (c->type == COLINK_SCAN_DATE)
		printf("\"date_format\":\"%s\",", colink_scan_date_format_name(c->date_format));
	json_u("values", c->values, 1);
	json_u("empty", c->empty, 1);
	json_u("nullwords", c->nullwords, 1);
	json_u("distinct", c->distinct, 1);
	printf("\"distinct_capped\":%s,", c->overflow ? "true" : "false");
	json_u("unparsed", c->unparsed, 1);
	json_u("censored", c->n_censored, 1);
	printf("\"identifier_like\":%s,", c->hidden ? "true" : "false");
	if (!c->hidden && (c->type == COLINK_SCAN_INTEGER || c->type == COLINK_SCAN_DECIMAL) && c->num_min[0])
		printf("\"min\":\"%s\",\"max\":\"%s\",", c->num_min, c->num_max);
	if (!c->hidden && c->type == COLINK_SCAN_DATE) {
		int32_t a = c->date_min[c->date_format], b = c->date_max[c->date_format];
		printf("\"first_month\":\"%04d-%02d\",\"last_month\":\"%04d-%02d\",", (int)(a / 10000),
		       (int)(a / 100 % 100), (int)(b / 10000), (int)(b / 100 % 100));
	}
	n = colink_scan_frequent(c, fr, FREQ_MAX);
	fputs("\"frequent\":[", stdout);
	for (j = 0; j < n; j++) {
		printf("%s{\"value\":", j ? "," : "");
		colink_json_str(stdout, fr[j]->text);
		printf(",\"count\":%llu}", (unsigned long long)fr[j]->count);
	}
	printf("],\"status\":\"%s\",\"target\":", status_of(c));
	if (c->field)
		colink_json_str(stdout, c->field->name);
	else
		fputs("null", stdout);
	fputs(",\"suggest\":[", stdout);
	for (j = 0; j < c->ncand; j++) {
		fputs(j ? "," : "", stdout);
		colink_json_str(stdout, c->cand[j]->name);
	}
	fputs("],\"codemap\":", stdout);
	if (c->codemap)
		colink_json_str(stdout, c->codemap);
	else
		fputs("null", stdout);
	fputs(",\"todo\":", stdout);
	if (c->todo)
		colink_json_str(stdout, c->todo);
	else
		fputs("null", stdout);
	fputc('}', stdout);
}

static void print_json(const struct colink_scan *s, const char *draft, const struct shipped *sh)
{
	size_t i;
	fputs("{\"file\":", stdout);
	colink_json_str(stdout, s->path);
	printf(",\"encoding\":\"%s\",\"bom\":%s,\"delimiter\":", s->encoding == COLINK_SCAN_CP932 ? "CP932" : "UTF-8",
	       s->encoding == COLINK_SCAN_UTF8_BOM ? "true" : "false");
	colink_json_str(stdout, s->delimiter == '\t' ? "\t" : delim_name(s->delimiter));
	printf(",\"quoted\":%s,\"header\":%s,\"line_ends\":{", s->quoted ? "true" : "false",
	       s->header ? "true" : "false");
	json_u("crlf", s->crlf, 1);
	json_u("lf", s->lf, 1);
	json_u("cr", s->cr, 0);
	printf("},\"columns_count\":%zu,", s->ncols);
	json_u("rows", s->rows, 1);
	json_u("ragged_rows", s->ragged, 1);
	printf("\"truncated\":%s,\"kind\":\"%s\",\"primary_key\":\"%s\",\"todo\":%zu,\"kind_votes\":%zu,"
	       "\"kind_named\":%zu,\"shipped_mappings\":[",
	       s->truncated ? "true" : "false", s->kind, s->primary_key, s->ntodo, s->kind_votes, s->kind_named);
	for (i = 0; i < sh->n; i++) {
		fputs(i ? "," : "", stdout);
		colink_json_str(stdout, sh->path[i]);
	}
	fputs("],\"draft\":", stdout);
	if (draft)
		colink_json_str(stdout, draft);
	else
		fputs("null", stdout);
	fputs(",\"columns\":[", stdout);
	for (i = 0; i < s->ncols; i++) {
		fputs(i ? "," : "", stdout);
		json_column(&s->cols[i], i);
	}
	fputs("]}\n", stdout);
}

/* ---- the draft file ---- */

/* A mapping id from the file name: [A-Za-z0-9_.-], at most 64. */
static void default_id(const char *path, char id[65])
{
	const char *b = colink_path_base(path), *dot = strrchr(b, '.');
	size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b), i, o = 0;
	for (i = 0; i < n && o < 64; i++) {
		unsigned char c = (unsigned char)b[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-')
			id[o++] = (char)c;
		else if (c < 0x80 || (c & 0xC0) == 0xC0)
			id[o++] = '_';
	}
	id[o] = '\0';
	if (!o)
		strcpy(id, "draft");
}

/* Written to DRAFT.tmp, then renamed: no half-written draft. */
static int write_draft(const struct colink_scan *s, const struct colink_scan_vocab *v,
		       const char *draft, const char *id, int force)
{
	struct stat st;
	char *tmp;
	FILE *f;
	int rc;
	if (!force && lstat(draft, &st) == 0) {
		fprintf(stderr, "colink scan: %s exists (a steward may have edited it); use --force to overwrite\n",
			draft);
		return EXIT_USAGE;
	}
	tmp = colink_malloc(strlen(draft) + 5);
	if (!tmp)
		return EXIT_FAILED;
	sprintf(tmp, "%s.tmp", draft);
	if (!(f = fopen(tmp, "w"))) {
		fprintf(stderr, "colink scan: %s: %s\n", tmp, strerror(errno));
		colink_free(tmp);
		return EXIT_MISSING;
	}
	rc = colink_scan_write_draft(s, v, id, f);
	if (fclose(f) || rc || rename(tmp, draft)) {
		fprintf(stderr, "colink scan: %s: could not write the draft: %s\n", draft, strerror(errno));
		unlink(tmp);
		colink_free(tmp);
		return EXIT_MISSING;
	}
	colink_free(tmp);
	return EXIT_OK;
}

/* ---- an MHLW archive ---- */

static int describe_archive(const struct colink_scan_archive *ar, const char *file, int json,
			    const char *draft)
{
	size_t i;
	if (!ar->index && !ar->documents && !ar->claims) {
		fprintf(stderr, "colink scan: %s: a folder with no MHLW archive in it (no ix08_V08.xml, "
			"no DATA/*.xml); scan one delimited file at a time\n", file);
		return EXIT_MISSING;
	}
	if (json) {
		fputs("{\"file\":", stdout);
		colink_json_str(stdout, file);
		printf(",\"archive\":\"%s\",\"index\":%s,\"documents\":%zu,\"checkups\":%zu,"
		       "\"guidance\":%zu,\"other\":%zu,\"claims\":%zu,\"document_types\":[",
		       ar->form, ar->index ? "true" : "false", ar->documents, ar->checkups, ar->guidance,
		       ar->other, ar->claims);
		for (i = 0; i < ar->ntypes; i++)
			printf("%s{\"code\":%d,\"name\":\"%s\",\"count\":%zu}", i ? "," : "", ar->types[i].code,
			       colink_scan_doctype_name(ar->types[i].code), ar->types[i].count);
		printf("],\"kind\":\"checkup\",\"shipped_mappings\":[\"vendors/mhlw_xml.xml\"],\"draft\":null}\n");
		return EXIT_OK;
	}
	printf("%s: MHLW standard XML archive (%s)%s: %zu document%s in DATA/ (%zu 特定健診 h*.xml, "
	       "%zu 特定保健指導 g*.xml, %zu other), %zu in CLAIMS/\n",
	       file, ar->form, ar->index ? ", index " "ix08_V08.xml" : ", no ix08_V08.xml index found",
	       ar->documents, ar->documents == 1 ? "" : "s", ar->checkups, ar->guidance, ar->other,
	       ar->claims);
	if (ar->ntypes) {
		fputs("  document types (報告区分, /ClinicalDocument/code):", stdout);
		for (i = 0; i < ar->ntypes; i++)
			printf("%s %d %s x%zu", i ? "," : "", ar->types[i].code,
			       colink_scan_doctype_name(ar->types[i].code), ar->types[i].count);
		if (ar->documents + ar->claims > COLINK_SCAN_ARCHIVE_PEEK)
			printf(" (first %d documents)", COLINK_SCAN_ARCHIVE_PEEK);
		putchar('\n');
	}
	printf("  draft: kind checkup; use the shipped mapping mappings/vendors/mhlw_xml.xml (in_mhlw_xml\n"
	       "  reads the archive as it is: no draft needed), e.g. in a job:\n"
	       "    <input mapping=\"mhlw_xml.xml\" path=\"%s\"/>\n", file);
	if (!ar->index)
		printf("  note: in_mhlw_xml needs ix08_V08.xml in the folder or in one sub-folder\n");
	if (draft)
		printf("\n(no draft written to %s: the shipped mapping reads this archive)\n", draft);
	return EXIT_OK;
}

/* A fixed-width file (#20): what the bytes show, and a draft for in_fixed. */
static int describe_fixed(const struct colink_scan_fixed *fx, const char *file, int json,
			  const char *draft, int force)
{
	char id[65];
	colink_scan_fixed_print(stdout, file, fx, json);
	if (!draft)
		return EXIT_OK;
	default_id(file, id);
	if (force)
		unlink(draft);
	if (colink_scan_fixed_draft(draft, id, fx)) {
		fprintf(stderr, "colink scan: %s: %s\n", draft,
			errno == EEXIST ? "exists (use --force to overwrite)" : strerror(errno));
		return errno == EEXIST ? EXIT_USAGE : EXIT_MISSING;
	}
	if (!json)
		printf("\ndraft written to %s: lay out its fields from the vendor's document, then "
		       "`colink check %s`\n", draft, draft);
	return EXIT_OK;
}

/* ---- the verb ---- */

struct scan_args {
	const char *file, *draft, *id;
	int json, force;
	uint64_t rows;
	const char *sheet; /* .xlsx: --sheet NAME|N */
	long header_row;   /* .xlsx: --header-row N */
};

static int parse_args(struct scan_args *a, int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-o") && i + 1 < argc)
			a->draft = argv[++i];
		else if (!strcmp(s, "--id") && i + 1 < argc)
			a->id = argv[++i];
		else if (!strcmp(s, "--rows") && i + 1 < argc) {
			char *end;
			unsigned long long n = strtoull(argv[++i], &end, 10);
			if (*end || !n || argv[i][0] == '-') {
				fprintf(stderr, "colink scan: --rows wants a positive number\n");
				return -1;
			}
			a->rows = n;
		} else if (!strcmp(s, "--sheet") && i + 1 < argc) {
			a->sheet = argv[++i];
		} else if (!strcmp(s, "--header-row") && i + 1 < argc) {
			char *end;
			a->header_row = strtol(argv[++i], &end, 10);
			if (*end || a->header_row < 1 || a->header_row > 1048576) {
				fprintf(stderr, "colink scan: --header-row wants a sheet row (1 to 1048576)\n");
				return -1;
			}
		} else if (!strcmp(s, "--json"))
			a->json = 1;
		else if (!strcmp(s, "--force"))
			a->force = 1;
		else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "colink scan: unknown option '%s' (see colink scan --help)\n", s);
			return -1;
		} else if (!a->file)
			a->file = s;
		else {
			fprintf(stderr, "colink scan: one FILE at a time\n");
			return -1;
		}
	}
	if (!a->file) {
		help(stderr);
		return -1;
	}
	return 0;
}

int cmd_scan(struct cli_global *g, int argc, char **argv)
{
	struct scan_args a = {0};
	char *sheets = NULL;
	int xlsx;
	struct colink_error err = {0};
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_scan_vocab *v = NULL;
	struct colink_scan *s = NULL;
	struct colink_scan_opts o = {0};
	struct colink_scan_archive ar;
	struct shipped sh = {{0}, 0};
	const char *data_dir = colink_data_dir(g->data_dir);
	char id[65];
	int rc, code = EXIT_OK;
	size_t i;

	if (argc >= 2 && cli_is_help(argv[1])) {
		help(stdout);
		return EXIT_OK;
	}
	if (parse_args(&a, argc, argv))
		return EXIT_USAGE;
	rc = colink_scan_archive(a.file, &ar);
	if (rc < 0) {
		fprintf(stderr, "colink scan: out of memory\n");
		return EXIT_FAILED;
	}
	if (rc == 1)
		return describe_archive(&ar, a.file, a.json, a.draft);
	if (!colink_scan_is_xlsx(a.file)) {
		struct colink_scan_fixed fx;
		if (colink_scan_fixed_detect(a.file, &fx) == 1)
			return describe_fixed(&fx, a.file, a.json, a.draft, a.force);
	}
	rc = colink_env_load(&cat, &vt, data_dir, &err);
	if (!rc)
		rc = colink_scan_vocab_load(&v, data_dir, cat, &err);
	if (!rc) {
		o.max_rows = a.rows;
		o.nullwords = colink_scan_vocab_nullwords(v, &o.nnullwords);
		xlsx = colink_scan_is_xlsx(a.file);
		if (xlsx)
			rc = colink_scan_xlsx(&s, a.file, a.sheet, a.header_row ? a.header_row : 1,
					      g->plugin_dirs, &o, &sheets, &err);
		else
			rc = colink_scan_file(&s, a.file, &o, &err);
	}
	if (!rc)
		rc = colink_scan_suggest(s, v, cat, &err);
	if (rc) {
		fprintf(stderr, "colink scan: %s\n", err.msg);
		code = cli_exit_for_plan(rc);
		goto out;
	}
	if (a.id)
		snprintf(id, sizeof(id), "%s", a.id);
	else
		default_id(a.file, id);
	if (a.draft)
		code = write_draft(s, v, a.draft, id, a.force);
	sh.n = colink_scan_shipped(data_dir, s->kind, sh.path, SHIPPED_MAX);
	if (code == EXIT_OK && a.draft && xlsx &&
	    colink_scan_xlsx_draft(a.draft, a.sheet, a.header_row ? a.header_row : 1, &err)) {
		fprintf(stderr, "colink scan: %s\n", err.msg);
		code = EXIT_MISSING;
	}
	if (code == EXIT_OK && sheets && !a.json)
		printf("%s: sheets: %s\n", a.file, sheets);
	if (code == EXIT_OK) {
		if (a.json)
			print_json(s, a.draft, &sh);
		else {
			print_table(s, &sh);
			if (a.draft)
				printf("\ndraft written to %s: fill in its TODOs, then `colink check %s`\n",
				       a.draft, a.draft);
			else
				printf("\n(no draft written: add -o DRAFT.xml)\n");
		}
	}
out:
	for (i = 0; i < sh.n; i++)
		colink_free(sh.path[i]);
	colink_free(sheets);
	colink_scan_free(s);
	colink_scan_vocab_free(v);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	return code;
}
