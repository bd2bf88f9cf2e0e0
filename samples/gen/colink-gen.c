/*
 * colink-gen -- deterministic synthetic checkup files in the two sample
 * vendor CSV layouts (mappings/vendors/vendor_a.xml, vendor_b.xml) and in
 * the MHLW standard XML layout (mappings/vendors/mhlw_xml.xml).
 *
 *   colink-gen --persons N [--seed S] [--out DIR [--only LIST] [--employer [--corrupt]]
 *              [--fixed] [--xlsx]] [--xml DIR] [--uke DIR]
 *
 * --out writes DIR/vendor_a.csv, DIR/vendor_b.csv and DIR/truth.tsv
 * (gen_csv.c), and with --employer also DIR/roster.csv and
 * DIR/attendance.csv (gen_employer.c), with --fixed and --xlsx vendor A's rows
 * again as DIR/vendor_a.dat and DIR/vendor_a.xlsx (gen_alt.c); --xml writes one archive folder with one hc08 document per
 * person (gen_xml.c); --uke writes the claims of FY2024 as UKE files
 * DIR/ika.uke and DIR/chozai.uke (gen_uke.c).  At least one is required;
 * one pass over the persons feeds every writer.
 *
 * Determinism: person k depends only on (seed, k) (gen_common.h), so
 * --only, --xml and --persons never change the rows or documents a
 * person gets, and the same seed always gives the same bytes.
 *
 * Memory is constant in N.  Exit status: 0 ok, 1 I/O or conversion
 * error, 2 bad arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

/* ------------------------------------------------------------------ */
/* Command line                                                         */
/* ------------------------------------------------------------------ */

struct options {
	uint64_t persons, seed;
	const char *out; /* CSV directory, or NULL */
	const char *xml; /* XML archive parent directory, or NULL */
	const char *uke; /* UKE claims directory, or NULL */
	int want_a, want_b, have_only, employer, fixed, xlsx, corrupt;
};

static const char USAGE[] =
	"usage: colink-gen --persons N [--seed S] [--out DIR [--only LIST] [--employer [--corrupt]]\n"
	"                  [--fixed] [--xlsx]] [--xml DIR] [--uke DIR]\n"
	"\n"
	"Write deterministic synthetic checkup files (no real person, fictional insurers).\n"
	"With --out DIR:\n"
	"  DIR/vendor_a.csv  UTF-8, LF, ISO dates, codes; ~60% of persons\n"
	"                    (layout of mappings/vendors/vendor_a.xml)\n"
	"  DIR/vendor_b.csv  CP932, CRLF, 和暦, full-width digits, words; the other ~40%\n"
	"                    plus 5% of persons also in vendor A with a later exam date\n"
	"                    (layout of mappings/vendors/vendor_b.xml)\n"
	"  DIR/truth.tsv     one line per data row: file, row (1 = first data row),\n"
	"                    line (1 = header), person (1..N)\n"
	"With --out DIR --employer, also the employer's files:\n"
	"  DIR/roster.csv    UTF-8; ~90% of persons, 社員番号 = person number (8 digits),\n"
	"                    their own card, ~3% with a card typo only linkage pass 2 finds\n"
	"                    (layout of mappings/employer/roster.xml)\n"
	"  DIR/attendance.csv  UTF-8; 12 months (2024-04..2025-03) per employee\n"
	"                    (layout of mappings/employer/attendance_freee.xml)\n"
	"With --out DIR --fixed or --xlsx, vendor A's rows (the same persons and values)\n"
	"in the other formats vendors deliver:\n"
	"  DIR/vendor_a.dat  fixed-width: CP932, CRLF, 106-byte records, header and\n"
	"                    trailer (layout of mappings/vendors/vendor_e.xml)\n"
	"  DIR/vendor_a.xlsx one sheet: numbers, serial dates, inline strings\n"
	"                    (mappings/vendors/vendor_a.xml with <input plugin=\"in_xlsx\"/>)\n"
	"With --xml DIR, an MHLW standard XML archive folder (mappings/vendors/mhlw_xml.xml):\n"
	"  DIR/1311234567_99999999_202504010_1/ix08_V08.xml   the index\n"
	"  DIR/1311234567_99999999_202504010_1/DATA/h….xml    one 特定健診 document per\n"
	"                    person, in person order; the exam of persons in vendor_a.csv\n"
	"                    is the same exam (date and values) as their vendor A row\n"
	"\n"
	"  --persons N   number of persons, 1..100000000 (1..99999999 with --xml) (required)\n"
	"  --seed S      PRNG seed, unsigned 64-bit (default 1); same seed, same bytes\n"
	"  --out DIR     CSV output directory, created if missing\n"
	"  --only LIST   with --out, write only these files: vendor_a, vendor_b (comma separated)\n"
	"  --employer    with --out, also write roster.csv and attendance.csv\n"
	"  --corrupt     with --employer, corrupt roster rows as real files are (per row,\n"
	"                independently: kana variant ャ/ヤ ッ/ツ ジ/ヂ 4%, 記号 missing 4%,\n"
	"                day and month swapped 2%, 番号 typo 4%, married name 3% of women)\n"
	"                and write DIR/roster_truth.tsv: row, person, corruptions\n"
	"  --fixed       with --out, also write vendor_a.dat (fixed-width)\n"
	"  --xlsx        with --out, also write vendor_a.xlsx (Excel workbook)\n"
	"  --xml DIR     XML output directory, created if missing; the archive folder in it\n"
	"                must not exist yet\n"
	"  --uke DIR     the association's claims of FY2024 (2024-04..2025-03), CP932, CRLF,\n"
	"                the layout plugins/in_receipt reads: DIR/ika.uke (医科: RE HO SN SY\n"
	"                SI per claim) and DIR/chozai.uke (調剤: RE HO SN IY); about 6.5\n"
	"                claims per person, on the person's own card; DIR created if missing\n"
	"  --help        show this text\n"
	"\n"
	"At least one of --out, --xml and --uke is required.\n"
	"Exit status: 0 ok, 1 I/O error, 2 bad arguments.\n";

/* One line on stderr, exit status 2.  `arg` (may be NULL) is quoted. */
static int usage_error(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "colink-gen: %s '%s' (try --help)\n", what, arg);
	else
		fprintf(stderr, "colink-gen: %s (try --help)\n", what);
	return 2;
}

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

static int parse_only(const char *list, struct options *o)
{
	char buf[64];
	if (strlen(list) >= sizeof buf)
		return -1;
	strcpy(buf, list);
	o->want_a = o->want_b = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "vendor_a") == 0)
			o->want_a = 1;
		else if (strcmp(t, "vendor_b") == 0)
			o->want_b = 1;
		else
			return -1;
	}
	return o->want_a || o->want_b ? 0 : -1;
}

/* The combinations getopt cannot check; exit status 2, or -1 when fine. */
static int check_args(const struct options *o, int have_n)
{
	if (!have_n)
		return usage_error("--persons is required", NULL);
	if (!o->out && !o->xml && !o->uke)
		return usage_error("--out, --xml or --uke is required", NULL);
	if ((o->out && !*o->out) || (o->xml && !*o->xml) || (o->uke && !*o->uke))
		return usage_error("--out, --xml and --uke need a directory name", NULL);
	if (o->have_only && !o->out)
		return usage_error("--only needs --out", NULL);
	if (o->employer && !o->out)
		return usage_error("--employer needs --out", NULL);
	if (o->corrupt && !o->employer)
		return usage_error("--corrupt needs --employer", NULL);
	if ((o->fixed || o->xlsx) && (!o->out || !o->want_a))
		return usage_error("--fixed and --xlsx need --out and vendor_a", NULL);
	if (o->xml && o->persons > XML_MAX_PERSONS)
		return usage_error("--persons: at most 99999999 with --xml (ix08 totalRecordCount)",
				   NULL);
	return -1;
}

/* Returns -1 to continue, else the exit status (0 after --help). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"persons", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},     {"only", required_argument, NULL, 'O'},
		{"xml", required_argument, NULL, 'x'},     {"help", no_argument, NULL, 'h'},
		{"employer", no_argument, NULL, 'e'},      {"uke", required_argument, NULL, 'u'},
		{"fixed", no_argument, NULL, 'F'},         {"xlsx", no_argument, NULL, 'X'},
		{"corrupt", no_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	int c, have_n = 0;
	*o = (struct options){.seed = 1, .want_a = 1, .want_b = 1};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, &o->persons) || o->persons < 1 || o->persons > MAX_PERSONS)
				return usage_error("--persons: expected 1..100000000, got", optarg);
			have_n = 1;
			break;
		case 's':
			if (parse_u64(optarg, &o->seed))
				return usage_error("--seed: expected an unsigned integer, got", optarg);
			break;
		case 'o': o->out = optarg; break;
		case 'x': o->xml = optarg; break;
		case 'u': o->uke = optarg; break;
		case 'e': o->employer = 1; break;
		case 'C': o->corrupt = 1; break;
		case 'F': o->fixed = 1; break;
		case 'X': o->xlsx = 1; break;
		case 'O':
			if (parse_only(optarg, o))
				return usage_error("--only: expected vendor_a and/or vendor_b, got", optarg);
			o->have_only = 1;
			break;
		case 'h': fputs(USAGE, stdout); return 0;
		case ':': return usage_error("missing value for", argv[optind - 1]);
		default: return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	return check_args(o, have_n);
}

/* ------------------------------------------------------------------ */
/* Main                                                                 */
/* ------------------------------------------------------------------ */

/* Generate every person in order; rows and documents go out as they are made. */
static int generate(const struct options *op, struct gen_csv *csv, struct gen_emp *emp,
		    struct gen_xml *xml, struct gen_uke *uke)
{
	struct person p;
	for (uint64_t no = 1; no <= op->persons; no++) {
		person_make(&p, op->seed, no);
		if (csv && gen_csv_person(csv, &p, op->seed) < 0)
			return -1;
		if (emp && gen_emp_person(emp, &p, op->seed) < 0)
			return -1;
		if (xml && gen_xml_person(xml, &p, op->seed) < 0)
			return -1;
		if (uke && gen_uke_person(uke, &p, op->seed) < 0)
			return -1;
	}
	return 0;
}

static int run(const struct options *op)
{
	struct gen_csv *csv = NULL;
	struct gen_xml *xml = NULL;
	struct gen_emp *emp = NULL;
	struct gen_uke *uke = NULL;
	struct gen_alt *alt = NULL;
	int ok = 0, rc = 1;
	/* the archive first: refusing an existing one must not truncate the CSVs */
	if (op->xml && !(xml = gen_xml_open(op->xml, op->seed, op->persons)))
		goto out;
	if (op->out && (gen_make_dir(op->out) < 0 ||
			!(csv = gen_csv_open(op->out, op->seed, op->persons, op->want_a, op->want_b))))
		goto out;
	if (op->employer && !(emp = gen_emp_open(op->out, op->corrupt)))
		goto out;
	if (op->uke && (gen_make_dir(op->uke) < 0 || !(uke = gen_uke_open(op->uke))))
		goto out;
	if ((op->fixed || op->xlsx) && !(alt = gen_alt_open(op->out, op->fixed, op->xlsx)))
		goto out;
	if (alt)
		gen_csv_set_alt(csv, alt);
	ok = generate(op, csv, emp, xml, uke) == 0;
	rc = ok ? 0 : 1;
out:
	/* close both even after a failure; any close error fails the run */
	if (gen_csv_close(csv) < 0)
		rc = 1;
	if (gen_emp_close(emp) < 0)
		rc = 1;
	if (gen_uke_close(uke) < 0)
		rc = 1;
	if (gen_alt_close(alt, ok) < 0)
		rc = 1;
	if (gen_xml_close(xml, ok) < 0)
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	struct options op;
	int rc = parse_args(argc, argv, &op);
	if (rc >= 0)
		return rc;
	gen_init();
	return run(&op);
}
