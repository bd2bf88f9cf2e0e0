/*
 * settings.h -- validation of plugin settings against the plugin's declared
 * table, before `init`.  Unknown, duplicate, missing and mistyped keys are
 * refused with file:line and the list of valid keys.
 */
#ifndef COLINK_SETTINGS_H
#define COLINK_SETTINGS_H

#include <stddef.h>

#include "colink/plugin.h"

/* One `name = value` as written in a mapping or job file. */
struct colink_setting_given {
	const char *name;
	const char *value;
	int line; /* line in `file`, 0 if unknown */
};

/* Number of entries in a {0}-terminated table. */
size_t colink_settings_count(const struct colink_setting_def *defs);

/*
 * Resolve given settings against `defs`.  On success *out is an array of
 * colink_settings_count(defs) values (index-aligned), freed with
 * colink_settings_free().  `file` and `plugin` are used in messages only.
 */
int colink_settings_resolve(const struct colink_setting_def *defs,
			    const struct colink_setting_given *given,
			    size_t ngiven, const char *file, const char *plugin,
			    struct colink_setting_value **out,
			    struct colink_error *err);
void colink_settings_free(struct colink_setting_value *vals, size_t n);

/* The view of resolved values init receives (ABI 2.0): borrows `vals`. */
static inline struct colink_setting_values
colink_settings_view(const struct colink_setting_value *vals, size_t n)
{
	struct colink_setting_values v = COLINK_SETTING_VALUES_INIT(.n = n, .values = vals);
	return v;
}

/* "string", "int", ... for help output. */
const char *colink_setting_type_name(int type);

#endif
