/* cmd_doc.c -- `colink doc FILE [-o OUT.html] [--markdown OUT.md]`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/cli.h"
#include "steward/doc/doc.h"
#include "base/paths.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink doc FILE [-o OUT.html] [--markdown OUT.md]\n"
		"\n"
		"Writes a reviewable document of a mapping, agreement or job file (the kind\n"
		"comes from the root element).  The HTML is one self-contained page (inline\n"
		"style, no script, nothing fetched, printable); the Markdown has the same\n"
		"content.  Both name the file and its SHA-256, so the document can be tied\n"
		"to the exact file reviewed.\n"
		"\n"
		"  mapping    every source column -> target field: type, parse format, unit,\n"
		"             valid range, code map and its values, null handling, identifier\n"
		"             handling (normalization, key kinds; raw never stored), constants,\n"
		"             and what happens to columns the mapping does not name\n"
		"  agreement  parties, roles, purposes, prohibited uses, item clauses, and the\n"
		"             public notice (the five items of 個人情報保護法 第27条第5項第3号)\n"
		"  job        the run, its inputs with their mappings, and for each released\n"
		"             item the agreement clause that covers it\n"
		"\n"
		"  -o OUT.html       write the HTML here (default: standard output, unless\n"
		"                    only --markdown is given); '-' is standard output\n"
		"  --markdown OUT.md write the Markdown here\n"
		"\n"
		"Nothing but configuration files is read: no data, no key.  Exit 0 ok;\n"
		"2 usage; 3 invalid file (FILE:LINE: message); 4 missing or unreadable file\n"
		"or an output that cannot be written.\n");
}

/* Open `path` for writing through a temporary name, so a failed run never
 * leaves a half document under the final name. */
static FILE *open_out(const char *path, char **tmp)
{
	FILE *f;
	*tmp = NULL;
	if (!strcmp(path, "-"))
		return stdout;
	*tmp = colink_malloc(strlen(path) + 5);
	if (!*tmp)
		return NULL;
	sprintf(*tmp, "%s.tmp", path);
	f = fopen(*tmp, "w");
	if (!f) {
		colink_free(*tmp);
		*tmp = NULL;
	}
	return f;
}

/* Close, then move into place (ok) or remove (failed).  0 on success. */
static int close_out(FILE *f, char *tmp, const char *path, int ok)
{
	int rc = 0;
	if (!f)
		return 0;
	if (f == stdout)
		return fflush(stdout) ? -1 : 0;
	if (fclose(f))
		rc = -1;
	if (ok && !rc && rename(tmp, path))
		rc = -1;
	if (!ok || rc)
		remove(tmp);
	colink_free(tmp);
	return rc;
}

int cmd_doc(struct cli_global *g, int argc, char **argv)
{
	const char *in = NULL, *html_path = NULL, *md_path = NULL;
	FILE *html = NULL, *md = NULL;
	char *html_tmp = NULL, *md_tmp = NULL;
	struct colink_error err = {0};
	int i, rc, code;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			html_path = argv[++i];
		} else if (!strcmp(argv[i], "--markdown") && i + 1 < argc) {
			md_path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "colink doc: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		} else if (!in) {
			in = argv[i];
		} else {
			fprintf(stderr, "colink doc: one FILE only (got '%s' too)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!in) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (!html_path && !md_path)
		html_path = "-";
	if (html_path && !(html = open_out(html_path, &html_tmp))) {
		fprintf(stderr, "colink doc: %s: cannot write: %s\n", html_path, strerror(errno));
		return EXIT_MISSING;
	}
	if (md_path && !(md = open_out(md_path, &md_tmp))) {
		fprintf(stderr, "colink doc: %s: cannot write: %s\n", md_path, strerror(errno));
		close_out(html, html_tmp, html_path, 0);
		return EXIT_MISSING;
	}
	rc = colink_doc_file(in, colink_data_dir(g->data_dir), html, md, &err);
	code = cli_exit_for_plan(rc);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	if (close_out(html, html_tmp, html_path, rc == COLINK_OK) && rc == COLINK_OK) {
		fprintf(stderr, "colink doc: %s: write failed\n", html_path);
		code = EXIT_MISSING;
	}
	if (close_out(md, md_tmp, md_path, rc == COLINK_OK) && rc == COLINK_OK) {
		fprintf(stderr, "colink doc: %s: write failed\n", md_path);
		code = EXIT_MISSING;
	}
	return code;
}
