/*
 * read_mapped.h -- one input file read through its mapping, record by
 * record, with pseudonyms under a given key and agreement, nothing written:
 * what `colink preview` prints, and how an identified report reads the
 * employer's roster (engine/programs/reident.c).
 */
#ifndef COLINK_READ_MAPPED_H
#define COLINK_READ_MAPPED_H

#include "colink/plugin.h"
#include "core/host.h"
#include "identity/identity.h"
#include "core/mapping.h"
#include "core/transform.h"

/* A mapping checked against the catalogue and its input plugin, with what
 * the check loaded; every member owned, released by colink_mapping_unload(). */
struct colink_checked_mapping {
	struct colink_catalog *cat;
	struct colink_variant_table *vt;
	struct colink_loader *loader;
	struct colink_mapping *m;
	const struct colink_loaded_plugin *plugin; /* owned by loader */
	struct colink_setting_value *vals;         /* the input plugin's settings */
};

/* Catalogue and variant table of `data_dir`, the plugins (plugin_dirs may be
 * NULL), then `path` checked (colink_mapping_check).  0, or a negative code
 * with *err set; on failure too, colink_mapping_unload(cm) releases it. */
int colink_mapping_load_checked(struct colink_checked_mapping *cm, const char *path,
				const char *data_dir, const char *plugin_dirs,
				struct colink_error *err);
void colink_mapping_unload(struct colink_checked_mapping *cm); /* accepts a zeroed cm */

struct colink_read_mapped {
	const char *data_dir;     /* the catalogue's folder */
	const char *plugin_dirs;  /* extra plugin folders; may be NULL */
	const char *mapping;      /* the mapping file (checked like `colink check`) */
	const char *input;        /* the file it reads */
	const char *agreement_id; /* the pseudonym domain */
	/*
	 * Called with em->ud once the mapping is checked, before anything is
	 * read: may refuse the mapping (a negative code with err set), and
	 * gives the pseudonym key in *key (borrowed; it must stay valid until
	 * colink_read_mapped() returns).
	 */
	int (*prepare)(void *ud, const struct colink_mapping *m, const struct colink_key **key,
		       struct colink_error *err);
	/* Set to the transform before the first record and to NULL after the
	 * last: the emitter's callbacks turn raw records into values with it. */
	struct colink_transform **t;
	struct colink_emitter *em;
	/* Set by the emitter when its COLINK_EABORT is a failure (err set), not
	 * a request to stop reading. */
	const int *fatal;
};

/* Read r->input through r->mapping into r->em.  0, or a negative code
 * with *err set (one line naming the file). */
int colink_read_mapped(const struct colink_read_mapped *r, struct colink_error *err);

#endif
