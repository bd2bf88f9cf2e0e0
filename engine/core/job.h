/*
 * job.h -- job files: one job = one run = one transaction.  Validated
 * against mappings/schema/job.rng; relative paths resolve against the job
 * file's directory.  One exception (#22): a relative <input mapping> that
 * names nothing there but names a file of the mappings folder (data_dir)
 * is that file, the shipped mapping ("vendors/vendor_a.xml").
 */
#ifndef COLINK_JOB_H
#define COLINK_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "colink/plugin.h"
#include "core/settings.h"

struct colink_job_input {
	char *mapping;   /* resolved path */
	char *path;      /* resolved path or glob pattern */
	int line;
};

/* <agreement><signer party public-key/>: a public key the job trusts to
 * sign its agreement for that party (issue #24). */
struct colink_job_signer {
	int party;        /* enum colink_party */
	char *public_key; /* resolved path of the public key file */
	int line;
};

struct colink_job {
	char *path;
	char *dir;
	char sha256[65];
	char *name, *description;
	char *agreement;
	char *purpose;
	char *key_file;  /* resolved, or NULL when only key_id is given */
	char *key_id;    /* <key id>: extracts-only jobs, or NULL */
	int key_line;
	struct colink_job_input *inputs;
	size_t ninputs;
	char *output_plugin;
	int output_line;
	struct colink_setting_given *output_settings; /* values resolved for "path" */
	size_t noutput_settings;
	char **link_kinds;     /* <link><pass key>: key kinds in pass order */
	int *link_lines;
	size_t nlink;
	struct {               /* <pass kind="probabilistic">, the last pass (#23) */
		int on, line;
		double upper, lower, dice;
		unsigned blocking;  /* COLINK_BLOCK_* */
		unsigned name_filter; /* COLINK_BF_* (identity/feature.h), 0: plain */
		unsigned window;    /* diffusion window t (name_filter diffused) */
	} prob;
	int64_t max_rejected;  /* -1: no limit */
	char *log_file;        /* resolved, or NULL */
	/* the joint-use agreement (issue #6) */
	char *agreement_file;  /* <agreement file>, resolved */
	int agreement_line, purpose_line;
	int recipient_party;   /* enum colink_party */
	char *recipient_role;
	int recipient_line;
	char *audit_log;       /* <audit log>, resolved, or NULL (default applies) */
	struct colink_job_signer *signers; /* trusted agreement signers (#24) */
	size_t nsigners;
};

int colink_job_load(struct colink_job **out, const char *path,
		    const char *data_dir, struct colink_error *err);
void colink_job_free(struct colink_job *j);

#endif
