/*
 * form.h -- the form a mapped value must have (#25): <field pattern="…"
 * placeholders="…">.  `pattern` is a POSIX extended regular expression,
 * anchored at both ends, matched against the value after trimming and
 * conversion (a code after its codemap); `placeholders` is a blank-
 * separated list of values that mean "unknown" (9999999999): such a value
 * is a reject reason "placeholder", never a stored value.  Reasons name
 * the rule, never the value.
 */
#ifndef COLINK_FORM_H
#define COLINK_FORM_H

#include <stddef.h>

#include "colink/plugin.h"

struct colink_form;

/* Compile; either string may be NULL (not both).  A pattern regcomp
 * refuses is COLINK_EINVAL "`where`: pattern …: <regerror>".  *out is
 * freed with colink_form_free. */
int colink_form_compile(struct colink_form **out, const char *pattern,
			const char *placeholders, const char *where,
			struct colink_error *err);
void colink_form_free(struct colink_form *f);

/* COLINK_OK, or COLINK_REJECTED with a one-line reason in why. */
int colink_form_check(const struct colink_form *f, const char *value, size_t len,
		      char *why, size_t wl);

/* The declared strings (borrowed, NULL when not declared). */
const char *colink_form_pattern(const struct colink_form *f);
const char *colink_form_placeholders(const struct colink_form *f);

#endif
