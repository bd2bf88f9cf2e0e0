/* settings.c -- plugin settings validated against the declared table. */
#include "core/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"

size_t colink_settings_count(const struct colink_setting_def *defs)
{
	size_t n = 0;
	while (defs && defs[n].name)
		n++;
	return n;
}

const char *colink_setting_type_name(int type)
{
	switch (type) {
	case COLINK_SET_STRING: return "string";
	case COLINK_SET_INT: return "int";
	case COLINK_SET_BOOL: return "bool";
	case COLINK_SET_CHAR: return "char";
	case COLINK_SET_ENUM: return "enum";
	default: return "?";
	}
}

static void valid_keys(const struct colink_setting_def *defs, char *buf,
		       size_t len)
{
	size_t i, used = 0;
	buf[0] = '\0';
	for (i = 0; defs && defs[i].name; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 defs[i].name);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	if (!i)
		snprintf(buf, len, "(none)");
}

static int enum_has(const char *choices, const char *v)
{
	size_t vl = strlen(v);
	const char *p = choices;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && strncasecmp(p, v, l) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* Parse `text` per `def` into *v.  0 or a short reason in why. */
static int parse_one(const struct colink_setting_def *def, const char *text,
		     struct colink_setting_value *v, char *why, size_t wl)
{
	char *end;
	v->text = text;
	v->i = 0;
	switch (def->type) {
	case COLINK_SET_STRING:
		return 0;
	case COLINK_SET_INT:
		errno = 0;
		v->i = strtoll(text, &end, 10);
		if (errno || end == text || *end) {
			snprintf(why, wl, "expects an integer");
			return -1;
		}
		return 0;
	case COLINK_SET_BOOL:
		if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") ||
		    !strcmp(text, "1")) {
			v->i = 1;
			return 0;
		}
		if (!strcasecmp(text, "false") || !strcasecmp(text, "no") ||
		    !strcmp(text, "0")) {
			v->i = 0;
			return 0;
		}
		snprintf(why, wl, "expects true or false");
		return -1;
	case COLINK_SET_CHAR:
		if (!strcmp(text, "\\t") || !strcasecmp(text, "tab")) {
			v->i = '\t';
			return 0;
		}
		if (strlen(text) == 1) {
			v->i = (unsigned char)text[0];
			return 0;
		}
		snprintf(why, wl, "expects one character (or \"tab\")");
		return -1;
	case COLINK_SET_ENUM:
		if (enum_has(def->choices, text))
			return 0;
		snprintf(why, wl, "expects one of %s", def->choices ? def->choices : "");
		return -1;
	}
	snprintf(why, wl, "has an unknown declared type");
	return -1;
}

int colink_settings_resolve(const struct colink_setting_def *defs,
			    const struct colink_setting_given *given,
			    size_t ngiven, const char *file, const char *plugin,
			    struct colink_setting_value **out,
			    struct colink_error *err)
{
	size_t n = colink_settings_count(defs), i, j;
	struct colink_setting_value *vals;
	char keys[384], why[128];
	int *seen_line;

	*out = NULL;
	vals = colink_calloc(n ? n : 1, sizeof(*vals));
	seen_line = colink_calloc(n ? n : 1, sizeof(*seen_line));
	if (!vals || !seen_line) {
		colink_free(vals);
		colink_free(seen_line);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory resolving settings");
	}
	for (j = 0; j < ngiven; j++) {
		for (i = 0; i < n; i++)
			if (!strcmp(defs[i].name, given[j].name))
				break;
		if (i == n) {
			valid_keys(defs, keys, sizeof(keys));
			COLINK_ERR(err, COLINK_EINVAL,
				   "%s:%d: unknown setting '%s' for plugin %s (valid: %s)",
				   file, given[j].line, given[j].name, plugin, keys);
			goto fail;
		}
		if (seen_line[i]) {
			COLINK_ERR(err, COLINK_EINVAL,
				   "%s:%d: setting '%s' given twice (first at line %d)",
				   file, given[j].line, given[j].name, seen_line[i]);
			goto fail;
		}
		seen_line[i] = given[j].line ? given[j].line : -1;
		if (parse_one(&defs[i], given[j].value, &vals[i], why, sizeof(why))) {
			COLINK_ERR(err, COLINK_EINVAL, "%s:%d: setting '%s' %s",
				   file, given[j].line, given[j].name, why);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		if (seen_line[i])
			continue;
		if (!defs[i].default_value) {
			COLINK_ERR(err, COLINK_EINVAL,
				   "%s: required setting '%s' of plugin %s is missing",
				   file, defs[i].name, plugin);
			goto fail;
		}
		if (parse_one(&defs[i], defs[i].default_value, &vals[i], why,
			      sizeof(why))) {
			COLINK_ERR(err, COLINK_EABI,
				   "plugin %s: default of setting '%s' %s",
				   plugin, defs[i].name, why);
			goto fail;
		}
		vals[i].is_default = 1;
	}
	colink_free(seen_line);
	*out = vals;
	return COLINK_OK;
fail:
	colink_free(seen_line);
	colink_free(vals);
	return err ? err->code : COLINK_EINVAL;
}

void colink_settings_free(struct colink_setting_value *vals, size_t n)
{
	(void)n;
	colink_free(vals);
}
