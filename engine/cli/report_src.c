/* report_src.c -- the source options of `colink report` (report_src.h). */
#include <string.h>

#include "cli/report_src.h"

int report_src_option(struct colink_report_src_opts *o, const char *a, const char *v)
{
	const struct {
		const char *name;
		const char **field;
	} opt[] = {
		{"--warehouse", &o->warehouse}, {"--agreement", &o->agreement_file},
		{"--purpose", &o->purpose},     {"--role", &o->role},
		{"--party", &o->party},         {"--audit-log", &o->audit_log},
	};
	size_t i;
	for (i = 0; v && i < sizeof(opt) / sizeof(opt[0]); i++)
		if (!strcmp(a, opt[i].name)) {
			*opt[i].field = v;
			return 1;
		}
	return 0;
}
