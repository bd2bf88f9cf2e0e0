/*
 * report_src.h -- the source options every `colink report` verb parses
 * (cmd_report.c, cmd_whitepaper.c).  The source itself, its agreement
 * checks and the gate are engine/policy/report_gate.h.
 */
#ifndef COLINK_CLI_REPORT_SRC_H
#define COLINK_CLI_REPORT_SRC_H

#include "policy/report_gate.h"

/* If `a` (with its value `v`, NULL after the last argument) is one of the
 * source options (--warehouse --agreement --purpose --role --party
 * --audit-log), store v in `o` and return 1 (the caller skips v); else 0. */
int report_src_option(struct colink_report_src_opts *o, const char *a, const char *v);

#endif
