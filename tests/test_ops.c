/*
 * test_ops.c -- what a scheduled run leaves for the people who watch it
 * (#22): the JSON log stream (--log-format=json) and the metrics file
 * (--metrics-file), both read back with a parser, never by eye.
 *
 * The JSON lines are checked with jq: each line alone must parse as one
 * object with exactly the documented keys and types.  The metrics file is
 * read by prom_parse() below, a strict reader of the Prometheus text
 * exposition format (0.0.4) as node_exporter's textfile collector takes
 * it; it refuses what the format refuses and a little more that colink
 * never writes (see prom_parse).
 */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "core/metrics.h"
#include "testutil.h"

/* ==================================================================== */
/* A strict Prometheus text-format reader                                */
/* ==================================================================== */

#define PROM_MAX_LABELS 8

struct prom_sample {
	char *name;
	size_t nlabels;
	char *lname[PROM_MAX_LABELS], *lvalue[PROM_MAX_LABELS];
	double value;
};

struct prom {
	struct prom_sample *s;
	size_t n;
	char *families[256]; /* names, in order of their TYPE line */
	int has_help[256];
	size_t nfam;
};

static void sample_free(struct prom_sample *s)
{
	size_t k;
	free(s->name);
	for (k = 0; k < s->nlabels; k++) {
		free(s->lname[k]);
		free(s->lvalue[k]);
	}
}

static void prom_free(struct prom *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		sample_free(&p->s[i]);
	free(p->s);
	for (i = 0; i < p->nfam; i++)
		free(p->families[i]);
	memset(p, 0, sizeof(*p));
}

static int name_start(char c, int colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}

static int name_char(char c, int colon)
{
	return name_start(c, colon) || (c >= '0' && c <= '9');
}

/* A metric (colon) or label name at *p: its length, 0 when none. */
static size_t name_len(const char *p, int colon)
{
	size_t n = 0;
	if (!name_start(p[0], colon))
		return 0;
	while (name_char(p[n], colon))
		n++;
	return n;
}

/* A float as Go's strconv.ParseFloat takes it from the format: NaN, +Inf,
 * -Inf, Inf or a decimal with an optional exponent; the whole token. */
static int parse_value(const char *tok, double *v)
{
	const char *p = tok;
	int digits = 0;
	if (!strcmp(tok, "NaN")) {
		*v = NAN;
		return 0;
	}
	if (!strcmp(tok, "+Inf") || !strcmp(tok, "Inf")) {
		*v = INFINITY;
		return 0;
	}
	if (!strcmp(tok, "-Inf")) {
		*v = -INFINITY;
		return 0;
	}
	if (*p == '+' || *p == '-')
		p++;
	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -1;
	*v = strtod(tok, NULL);
	return 0;
}

static int bad(char *why, size_t wl, size_t line, const char *what)
{
	snprintf(why, wl, "line %zu: %s", line, what);
	return -1;
}

/* 1 when the whole text is UTF-8, as glibc's iconv reads it (not the
 * check colink itself uses). */
static int utf8_ok(const char *text)
{
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	size_t il = strlen(text), ol = il * 4 + 4, r;
	char *in = (char *)text, *buf = malloc(ol), *op = buf;
	r = iconv(cd, &in, &il, &op, &ol);
	iconv_close(cd);
	free(buf);
	return r != (size_t)-1 && il == 0;
}

/* A quoted label value at *pp (after the '"'): decoded into a malloc'd
 * string; escapes \\ \" \n only (the text is UTF-8: checked first). */
static char *label_value(const char **pp)
{
	const char *p = *pp;
	char *out = malloc(strlen(p) + 1), *o = out;
	while (*p && *p != '"' && *p != '\n') {
		if (*p == '\\') {
			p++;
			if (*p == '\\' || *p == '"')
				*o++ = *p++;
			else if (*p == 'n')
				*o++ = '\n', p++;
			else
				break;
			continue;
		}
		*o++ = *p++;
	}
	if (*p != '"') {
		free(out);
		return NULL;
	}
	*o = '\0';
	*pp = p + 1;
	return out;
}

static long family_of(const struct prom *p, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < p->nfam; i++)
		if (strlen(p->families[i]) == len && !strncmp(p->families[i], name, len))
			return (long)i;
	return -1;
}

/* HELP text: escapes \\ and \n only. */
static int help_ok(const char *t)
{
	for (; *t && *t != '\n'; t++) {
		if (*t == '\\' && t[1] != '\\' && t[1] != 'n')
			return 0;
		if (*t == '\\')
			t++;
	}
	return 1;
}

/*
 * Parse `text` into *p: 0, or -1 with the first error in why.  Refused:
 * a line not ending in '\n' (the file too), a malformed name, label or
 * value, an escape other than \\ \" \n in a label (\\ \n in HELP),
 * invalid UTF-8, a sample timestamp (the textfile collector refuses
 * them), a family whose samples are not together, a second HELP or TYPE
 * of a name, a TYPE after its samples, a duplicate series, a repeated
 * label name, a label name starting "__".  Stricter than the format:
 * every sample must follow a HELP and a TYPE gauge line of its exact name
 * (all colink writes), and blank or other comment lines are refused.
 */
static int prom_parse(const char *text, struct prom *p, char *why, size_t wl)
{
	const char *line = text;
	size_t ln = 0;
	long current = -1; /* the family whose samples are being read */
	memset(p, 0, sizeof(*p));
	if (!*text || text[strlen(text) - 1] != '\n')
		return bad(why, wl, 0, "empty, or the last line has no newline");
	if (!utf8_ok(text))
		return bad(why, wl, 0, "not UTF-8");
	for (; *line; line = strchr(line, '\n') + 1) {
		const char *q = line;
		size_t n;
		ln++;
		if (*q == '\n')
			return bad(why, wl, ln, "blank line");
		if (!strncmp(q, "# HELP ", 7) || !strncmp(q, "# TYPE ", 7)) {
			int help = q[2] == 'H';
			long f;
			q += 7;
			if (!(n = name_len(q, 1)) || q[n] != ' ')
				return bad(why, wl, ln, "bad metric name in HELP/TYPE");
			f = family_of(p, q, n);
			if (help) {
				if (f >= 0)
					return bad(why, wl, ln, "HELP after the TYPE of its family");
				if (!help_ok(q + n + 1))
					return bad(why, wl, ln, "bad escape in HELP text");
				if (p->nfam == 256)
					return bad(why, wl, ln, "too many families");
				p->families[p->nfam] = strndup(q, n);
				p->has_help[p->nfam++] = 1;
				current = -2; /* a TYPE of this name must follow */
			} else {
				if (f >= 0 && p->has_help[f] == 2)
					return bad(why, wl, ln, "second TYPE line");
				if (f < 0)
					return bad(why, wl, ln, "TYPE without HELP");
				if (strncmp(q + n, " gauge\n", 7))
					return bad(why, wl, ln, "TYPE is not gauge");
				p->has_help[f] = 2;
				current = f;
			}
			continue;
		}
		if (*q == '#')
			return bad(why, wl, ln, "comment line other than HELP/TYPE");
		/* a sample */
		{
			struct prom_sample s;
			long f;
			char tok[64];
			size_t k, i, tl;
			memset(&s, 0, sizeof(s));
			if (!(n = name_len(q, 1)))
				return bad(why, wl, ln, "bad metric name");
			f = family_of(p, q, n);
			if (f < 0 || p->has_help[f] != 2)
				return bad(why, wl, ln, "sample without HELP and TYPE");
			if (f != current)
				return bad(why, wl, ln, "samples of the family are not together");
			s.name = strndup(q, n);
			q += n;
			if (*q == '{') {
				q++;
				while (*q != '}') {
					size_t m = name_len(q, 0);
					if (!m || q[m] != '=' || q[m + 1] != '"' || s.nlabels == PROM_MAX_LABELS ||
					    (m >= 2 && q[0] == '_' && q[1] == '_'))
						goto bad_sample;
					s.lname[s.nlabels] = strndup(q, m);
					for (k = 0; k < s.nlabels; k++)
						if (!strcmp(s.lname[k], s.lname[s.nlabels]))
							goto bad_sample_n;
					q += m + 2;
					if (!(s.lvalue[s.nlabels] = label_value(&q)))
						goto bad_sample_n;
					s.nlabels++;
					if (*q == ',')
						q++;
					else if (*q != '}')
						goto bad_sample;
				}
				q++;
			}
			if (*q != ' ')
				goto bad_sample;
			q++;
			tl = strcspn(q, " \n");
			if (!tl || tl >= sizeof(tok) || q[tl] != '\n') /* no timestamp */
				goto bad_sample;
			memcpy(tok, q, tl);
			tok[tl] = '\0';
			if (parse_value(tok, &s.value))
				goto bad_sample;
			for (i = 0; i < p->n; i++) {
				int same = !strcmp(p->s[i].name, s.name) && p->s[i].nlabels == s.nlabels;
				for (k = 0; same && k < s.nlabels; k++)
					same = !strcmp(p->s[i].lname[k], s.lname[k]) &&
					       !strcmp(p->s[i].lvalue[k], s.lvalue[k]);
				if (same) {
					sample_free(&s);
					return bad(why, wl, ln, "duplicate series");
				}
			}
			p->s = realloc(p->s, (p->n + 1) * sizeof(*p->s));
			p->s[p->n++] = s;
			continue;
bad_sample_n:
			free(s.lname[s.nlabels]);
bad_sample:
			sample_free(&s);
			return bad(why, wl, ln, "malformed sample line");
		}
	}
	return 0;
}

/* The value of NAME whose labels include each "k=v" of `want` (NULL-ended),
 * or NAN when no sample or more than one matches. */
static double prom_get(const struct prom *p, const char *name, const char *const *want)
{
	size_t i, k, hits = 0;
	double v = NAN;
	for (i = 0; i < p->n; i++) {
		int ok = !strcmp(p->s[i].name, name);
		const char *const *w;
		for (w = want; ok && w && *w; w++) {
			int found = 0;
			for (k = 0; k < p->s[i].nlabels; k++) {
				size_t l = strlen(p->s[i].lname[k]);
				found |= !strncmp(*w, p->s[i].lname[k], l) && (*w)[l] == '=' &&
					 !strcmp(*w + l + 1, p->s[i].lvalue[k]);
			}
			ok = found;
		}
		if (ok) {
			v = p->s[i].value;
			hits++;
		}
	}
	return hits == 1 ? v : NAN;
}

static size_t prom_count(const struct prom *p, const char *name)
{
	size_t i, n = 0;
	for (i = 0; i < p->n; i++)
		n += !strcmp(p->s[i].name, name);
	return n;
}

/* The parser itself refuses what it must (else the tests below prove
 * nothing). */
static void test_ops__parser_refuses_malformed_exposition(void)
{
	static const char *const badtexts[] = {
		"# HELP a x\n# TYPE a gauge\na 1", /* no final newline */
		"# HELP a x\n# TYPE a gauge\na{job=\"x} 1\n",
		"# HELP a x\n# TYPE a gauge\na{job=\"x\\t\"} 1\n", /* \t is no escape */
		"# HELP a x\n# TYPE a gauge\na{job=\"\xff\"} 1\n",
		"# HELP a x\n# TYPE a gauge\na{job=\"x\"} 1 1700000000000\n",
		"# HELP a x\n# TYPE a gauge\na{job=\"x\"} one\n",
		"# HELP a x\n# TYPE a gauge\na{job=\"x\"} 1\na{job=\"x\"} 2\n",
		"# HELP a x\n# TYPE a gauge\na{job=\"x\",job=\"y\"} 1\n",
		"# HELP a x\n# TYPE a gauge\na{1job=\"x\"} 1\n",
		"# HELP a x\n# TYPE a gauge\n# TYPE a gauge\na 1\n",
		"# HELP a x\n# TYPE a gauge\na 1\n# HELP b y\n# TYPE b gauge\nb 1\na{k=\"2\"} 1\n",
		"a 1\n",
		"# HELP a x\n# TYPE a gauge\n\na 1\n",
		"# HELP 1a x\n# TYPE 1a gauge\n1a 1\n",
		"# HELP a x\\y\n# TYPE a gauge\na 1\n",
	};
	static const char *good = "# HELP a x\\\\y\\n\n# TYPE a gauge\na{job=\"x\\\"\\\\\\n\",k=\"日本\"} -1.5e3\n"
				  "# HELP b_c:d y\n# TYPE b_c:d gauge\nb_c:d NaN\nb_c:d{k=\"1\"} +Inf\n";
	struct prom p;
	char why[200];
	size_t i;
	for (i = 0; i < sizeof(badtexts) / sizeof(badtexts[0]); i++) {
		int rc = prom_parse(badtexts[i], &p, why, sizeof(why));
		if (rc == 0)
			fprintf(stderr, "\n  accepted bad text #%zu\n", i);
		CU_ASSERT_EQUAL(rc, -1);
		prom_free(&p);
	}
	CU_ASSERT_EQUAL_FATAL(prom_parse(good, &p, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(p.n, 3);
	CU_ASSERT_EQUAL(prom_get(&p, "a", (const char *const[]){"job=x\"\\\n", "k=日本", NULL}), -1500.0);
	prom_free(&p);
}

/* ==================================================================== */
/* Escaping: a hostile string survives both formats' parsers whole       */
/* ==================================================================== */

static const char hostile[] = "q\"b\\s/\n\t\r\x01\x7f 日本語 \xff\xe3\x81 end";
/* what a parser must give back: invalid bytes as U+FFFD each maximal
 * subpart ("\xe3\x81" is one cut sequence -> two replacement bytes here,
 * as colink replaces byte by byte) */
static const char hostile_decoded[] = "q\"b\\s/\n\t\r\x01\x7f 日本語 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end";

static void test_ops__json_string_escaping_parses_back(void)
{
	char *d = tu_mkdtemp("opsjson"), *path = tu_fmt("%s/s.json", d), *c, *out = NULL;
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	colink_log_json_str(f, hostile);
	fputc('\n', f);
	fclose(f);
	/* jq decodes the literal; its raw output is the string plus '\n' */
	c = tu_fmt("jq -j . '%s'", path);
	CU_ASSERT_EQUAL(tu_run(c, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, hostile_decoded);
	free(out);
	free(c);
	/* UTF-8 is passed through (a raw-identifier search sees it), control
	 * characters are not */
	out = tu_read_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "日本語"));
	CU_ASSERT_PTR_NULL(out && strpbrk(out, "\t\r\x01\x7f"));
	free(out);
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_ops__metrics_label_escaping_parses_back(void)
{
	char *buf = NULL, *text;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct prom p;
	char why[200];
	fputs("# HELP m x\n# TYPE m gauge\nm{job=", f);
	colink_metrics_label(f, hostile);
	fputs("} 1\n", f);
	fclose(f);
	text = buf;
	CU_ASSERT_EQUAL_FATAL(prom_parse(text, &p, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_STRING_EQUAL(p.s[0].lvalue[0], hostile_decoded);
	prom_free(&p);
	free(buf);
}

/* One JSON line from inside the process, with the context set. */
static void test_ops__json_line_carries_the_context(void)
{
	char *d = tu_mkdtemp("opsline"), *path = tu_fmt("%s/err", d), *c, *out = NULL;
	int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	fflush(stderr);
	dup2(fd, 2);
	colink_log_set_format(COLINK_LOG_FORMAT_JSON);
	colink_log_set_level(COLINK_LOG_INFO);
	colink_log_set_run("0123456789abcdef0123456789abcdef");
	colink_log_set_input(2, "/data/in \"2\".csv");
	colink_log_set_record(7);
	colink_log(COLINK_LOG_WARN, "first %s", "message");
	colink_log_set_record(0);
	colink_log_set_input(0, NULL);
	colink_log_plugin("in_csv", COLINK_LOG_INFO, "second");
	colink_log_set_run(NULL);
	colink_log(COLINK_LOG_DEBUG, "dropped: above the level");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	colink_log_set_format(COLINK_LOG_FORMAT_TEXT);
	c = tu_fmt("jq -R -r 'fromjson | [.level, .run_id, .input, .input_no, .record, .plugin, .message]"
		   " | map(tostring) | join(\"|\")' '%s'", path);
	CU_ASSERT_EQUAL(tu_run(c, &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, "warning|0123456789abcdef0123456789abcdef|/data/in \"2\".csv|2|7|null|first message\n"
				    "info|0123456789abcdef0123456789abcdef|null|null|null|in_csv|second\n");
	free(out);
	free(c);
	free(path);
	tu_rmtree(d);
	free(d);
}

/* ==================================================================== */
/* A real run: the JSON stream and the metrics file                      */
/* ==================================================================== */

/* jq over every line of `path`, each parsed alone: exactly the keys of
 * log.h, each of its type; the line count on stdout. */
#define JQ_LINE_CHECK \
	"jq -R -s -e 'split(\"\\n\") | .[-1] == \"\" and (.[:-1] | length > 0 and all(.[]; " \
	"try (fromjson | type == \"object\" and keys_unsorted == " \
	"[\"time\",\"level\",\"run_id\",\"input\",\"input_no\",\"record\",\"plugin\",\"message\"] " \
	"and (.time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$\")) " \
	"and (.level | IN(\"error\",\"warning\",\"info\",\"debug\")) " \
	"and (.run_id == null or (.run_id | test(\"^[0-9a-f]{32}$\"))) " \
	"and (.input == null or (.input | type == \"string\")) " \
	"and ((.input_no == null) == (.input == null)) " \
	"and (.input_no == null or (.input_no | type == \"number\" and . >= 1)) " \
	"and (.record == null or (.record | type == \"number\" and . >= 1)) " \
	"and (.plugin == null or (.plugin | type == \"string\")) " \
	"and (.message | type == \"string\" and length > 0)) catch false))'"

static char *dir, *job;

static void write_job(const char *inputs)
{
	char *body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"ops\">\n"
		"  <agreement file=\"%s/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
		"  <purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		"  <key file=\"k.key\"/>\n%s"
		"  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"warehouse.db\"/></output>\n"
		"  <audit log=\"audit.log\"/>\n"
		"</job>\n", tu_srcdir(), inputs);
	tu_write_file(job, body, strlen(body));
	free(body);
}

static int setup(void)
{
	char *c;
	dir = tu_mkdtemp("ops");
	if (!dir)
		return 1;
	job = tu_fmt("%s/monthly.xml", dir);
	c = tu_fmt("key new '%s/k.key'", dir);
	if (tu_colink_run(NULL, c, NULL, NULL)) {
		free(c);
		return 1;
	}
	free(c);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(job);
	return 0;
}

static int read_prom(const char *path, struct prom *p)
{
	char why[200];
	char *t = tu_read_file(path, NULL);
	int rc;
	if (!t)
		return -1;
	rc = prom_parse(t, p, why, sizeof(why));
	if (rc)
		fprintf(stderr, "\n  %s: %s\n%s\n", path, why, t);
	free(t);
	return rc;
}

/* "key":N of the --json summary, the first one from `from` on. */
static double json_num(const char *json, const char *from, const char *key)
{
	char *k = tu_fmt("\"%s\":", key);
	const char *p = strstr(json, from);
	double v = NAN;
	if (p && (p = strstr(p, k)))
		v = strtod(p + strlen(k), NULL);
	free(k);
	return v;
}

static void test_ops__run_logs_json_lines_and_writes_metrics(void)
{
	char *inputs = tu_fmt("  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/samples/vendor_a.csv\"/>\n"
			      "  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"%s/samples/vendor_b.csv\"/>\n",
			      tu_srcdir(), tu_srcdir(), tu_srcdir(), tu_srcdir());
	char *metrics = tu_fmt("%s/prom/colink-monthly.prom", dir), *c, *out = NULL, *errp, *err2p;
	char *ls = NULL, *jqout = NULL, *in1path = NULL;
	const char *in1[] = {"job=monthly", "input=1", "mapping=vendor-a", "plugin=in_csv", NULL};
	const char *in2[] = {"job=monthly", "input=2", "mapping=vendor-b", "plugin=in_csv", NULL};
	const char *jobl[] = {"job=monthly", NULL};
	struct prom p;
	struct stat st;
	double first_ok, second_ok;
	int rc;
	write_job(inputs);
	c = tu_fmt("mkdir '%s/prom'", dir);
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	free(c);
	errp = tu_fmt("%s/stderr1", dir);
	c = tu_fmt("-v --log-format=json run --json --unsigned-agreement --metrics-file='%s' '%s' 2>'%s'",
		   metrics, job, errp);
	rc = tu_colink_run(NULL, c, &out, NULL);
	free(c);
	CU_ASSERT_EQUAL(rc, 1); /* committed with the samples' three rejects */
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* every stderr line is one JSON object of the documented shape */
	c = tu_fmt(JQ_LINE_CHECK " '%s'", errp);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	free(c);
	/* the run's lines name its run id, as the summary does */
	c = tu_fmt("jq -R -r 'fromjson | select(.run_id != null) | .run_id' '%s' | sort -u", errp);
	CU_ASSERT_EQUAL(tu_run(c, &jqout, NULL), 0);
	free(c);
	{
		char *rid = tu_fmt("%.32s\n", strstr(out, "\"run_id\":\"") + 10);
		CU_ASSERT_PTR_NOT_NULL(jqout);
		if (jqout)
			CU_ASSERT_STRING_EQUAL(jqout, rid);
		free(rid);
		free(jqout);
		jqout = NULL;
	}
	/* the metrics: parsed strictly, and the same counts as the summary */
	CU_ASSERT_EQUAL_FATAL(read_prom(metrics, &p), 0);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_exit_code", jobl), 1);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_success", jobl), 1);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_records_read", jobl), json_num(out, "{", "read"));
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_records_loaded", jobl), json_num(out, "{", "loaded"));
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_records_rejected", jobl), 3);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_input_records_read", in1), json_num(out, "\"inputs\":[", "read"));
	CU_ASSERT_EQUAL(prom_get(&p, "colink_input_records_rejected", in1), 2);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_input_records_rejected", in2), 1);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_input_records_loaded", in1) +
			prom_get(&p, "colink_input_records_loaded", in2),
			prom_get(&p, "colink_run_records_loaded", jobl));
	CU_ASSERT_EQUAL(prom_count(&p, "colink_input_records_read"), 2);
	CU_ASSERT(prom_get(&p, "colink_run_duration_seconds", jobl) > 0);
	first_ok = prom_get(&p, "colink_run_last_success_timestamp_seconds", jobl);
	CU_ASSERT(first_ok > 1.7e9 && first_ok <= (double)time(NULL));
	CU_ASSERT_EQUAL(first_ok, prom_get(&p, "colink_run_timestamp_seconds", jobl));
	CU_ASSERT_EQUAL(prom_count(&p, "colink_link_persons"), 0); /* no link rules */
	prom_free(&p);
	/* readable by the collector, and no temporary file left beside it */
	CU_ASSERT_EQUAL(stat(metrics, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	c = tu_fmt("ls -A '%s/prom'", dir);
	CU_ASSERT_EQUAL(tu_run(c, &ls, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(ls);
	if (ls)
		CU_ASSERT_STRING_EQUAL(ls, "colink-monthly.prom\n");
	free(ls);
	free(c);
	/* the first input as the summary names it */
	{
		const char *ip = strstr(out, "\"inputs\":[{\"path\":\"");
		CU_ASSERT_PTR_NOT_NULL_FATAL(ip);
		ip += strlen("\"inputs\":[{\"path\":\"");
		in1path = tu_fmt("%.*s\n", (int)strcspn(ip, "\""), ip);
	}
	free(out);
	out = NULL;

	/* again: the identical inputs are skipped with a warning that names
	 * the input it is about; then a run that cannot start (a missing
	 * input): an "error" line, exit 4 in the metrics, the last success
	 * carried over */
	sleep(1);
	err2p = tu_fmt("%s/stderr2", dir);
	c = tu_fmt("--log-format json run --unsigned-agreement --metrics-file '%s' '%s' >/dev/null 2>'%s'",
		   metrics, job, err2p);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, NULL), 0);
	free(c);
	CU_ASSERT_EQUAL_FATAL(read_prom(metrics, &p), 0);
	second_ok = prom_get(&p, "colink_run_last_success_timestamp_seconds", jobl);
	CU_ASSERT(second_ok > first_ok); /* this run's end */
	prom_free(&p);
	c = tu_fmt(JQ_LINE_CHECK " '%s' >/dev/null && jq -R -r 'fromjson | select(.level == \"warning\" and .input_no == 1) "
		   "| .input' '%s'", err2p, err2p);
	CU_ASSERT_EQUAL(tu_run(c, &jqout, NULL), 0);
	free(c);
	CU_ASSERT_PTR_NOT_NULL(jqout);
	CU_ASSERT_PTR_NOT_NULL(strstr(in1path, "vendor_a.csv"));
	if (jqout)
		CU_ASSERT_STRING_EQUAL(jqout, in1path);
	free(in1path);
	free(jqout);
	jqout = NULL;
	free(inputs);
	inputs = tu_fmt("  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"%s/no-such.csv\"/>\n",
			tu_srcdir(), dir);
	write_job(inputs);
	sleep(1);
	c = tu_fmt("--log-format=json run --unsigned-agreement '%s' 2>'%s'", job, err2p);
	setenv("COLINK_METRICS_FILE", metrics, 1); /* the environment's name for it */
	rc = tu_colink_run(NULL, c, NULL, NULL);
	unsetenv("COLINK_METRICS_FILE");
	free(c);
	CU_ASSERT_EQUAL(rc, 4);
	c = tu_fmt(JQ_LINE_CHECK " '%s' >/dev/null && jq -R -e -s '[split(\"\\n\")[:-1][] | fromjson | select(.level == \"error\")]"
		   " | length == 1' '%s'", err2p, err2p);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	free(c);
	CU_ASSERT_EQUAL_FATAL(read_prom(metrics, &p), 0);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_exit_code", jobl), 4);
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_success", jobl), 0);
	/* carried over from the file it replaced, not this run's end */
	CU_ASSERT_EQUAL(prom_get(&p, "colink_run_last_success_timestamp_seconds", jobl), second_ok);
	CU_ASSERT(prom_get(&p, "colink_run_timestamp_seconds", jobl) > second_ok);
	CU_ASSERT_EQUAL(prom_count(&p, "colink_run_records_read"), 0); /* nothing was read */
	prom_free(&p);
	free(inputs);
	free(errp);
	free(err2p);
	free(metrics);
}

static void test_ops__bad_options_are_usage_errors(void)
{
	char *e = NULL;
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "--log-format=xml plugins", NULL, &e), 2);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "neither text nor json"));
	free(e);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "run --metrics-file= job.xml", NULL, NULL), 2);
}

static const struct tu_test tests[] = {
	TU_TEST(test_ops__parser_refuses_malformed_exposition),
	TU_TEST(test_ops__json_string_escaping_parses_back),
	TU_TEST(test_ops__metrics_label_escaping_parses_back),
	TU_TEST(test_ops__json_line_carries_the_context),
	TU_TEST(test_ops__run_logs_json_lines_and_writes_metrics),
	TU_TEST(test_ops__bad_options_are_usage_errors),
	TU_END
};

int main(void)
{
	if (tu_add_suite("ops", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
