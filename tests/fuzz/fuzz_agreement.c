/*
 * fuzz_agreement.c -- libFuzzer target for the joint-use agreement reader
 * (engine/policy/agreement.c) and the audit log verifier (engine/policy/audit.c).  The
 * input is written to a scratch file and
 *   - loaded as an agreement: a refused file has a code and a message; an
 *     accepted one allows, through colink_agreement_check(), exactly what
 *     each of its clauses names;
 *   - verified as an audit log: a broken chain names a line and a problem;
 *     an intact one takes one more entry and stays intact.
 * Seeds: the sample agreement, an invalid variant, a real audit log.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/agreement.h"
#include "policy/audit.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clauses(const struct colink_agreement *a)
{
	size_t i, k;
	char why[COLINK_ERRMSG_MAX];
	for (i = 0; i < colink_agreement_nclauses(a); i++) {
		const struct colink_agreement_clause *c = colink_agreement_clause_at(a, i);
		if (!c->nfields || !c->npurposes || !c->nroles)
			fuzz_fail("a clause without fields, purposes or roles was accepted");
		for (k = 0; k < c->nfields; k++)
			if (colink_agreement_check(a, c->fields[k], (enum colink_flow)c->flow,
						   c->purposes[0], c->roles[0],
						   (enum colink_level)c->level, why, sizeof(why)))
				fuzz_fail("a clause does not allow what it names");
	}
}

static void check_log(const char *log)
{
	struct colink_error err = {0};
	struct colink_audit_verdict v;
	struct colink_audit_entry e;
	uint64_t before;
	int rc = colink_audit_verify(log, &v, &err);
	if (rc == COLINK_EPOLICY) {
		if (!v.bad_line || !v.problem[0])
			fuzz_fail("a broken chain without a line or a problem");
		return;
	}
	if (rc)
		fuzz_fail("an audit log that cannot be read");
	before = v.entries;
	memset(&e, 0, sizeof(e));
	e.kind = "run";
	e.status = "ok";
	e.user = "fuzz";
	if (colink_audit_append(log, &e, &err))
		return; /* e.g. a last line that is not an entry: refused, fine */
	if (colink_audit_verify(log, &v, &err) != COLINK_OK || v.entries != before + 1)
		fuzz_fail("an intact log no longer verifies after an append");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path, *log, *datadir;
	struct colink_error err = {0};
	struct colink_agreement *a = NULL;
	int rc;
	if (!path) {
		path = fuzz_tmp("a.xml");
		log = fuzz_tmp("audit.log");
		datadir = fuzz_path("mappings");
	}
	fuzz_write(path, data, size);
	rc = colink_agreement_load(&a, path, datadir, fuzz_catalog(), &err);
	if (rc && (err.code == COLINK_OK || !err.msg[0]))
		fuzz_fail("a refused agreement without an error message");
	if (!rc)
		check_clauses(a);
	colink_agreement_free(a);
	fuzz_write(log, data, size);
	check_log(log);
	return 0;
}
