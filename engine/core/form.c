/* form.c -- pattern and placeholders of a mapped value (form.h). */
#include "core/form.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

struct colink_form {
	char *pattern, *placeholders; /* as declared */
	regex_t re;
	int has_re;
};

void colink_form_free(struct colink_form *f)
{
	if (!f)
		return;
	if (f->has_re)
		regfree(&f->re);
	colink_free(f->pattern);
	colink_free(f->placeholders);
	colink_free(f);
}

int colink_form_compile(struct colink_form **out, const char *pattern,
			const char *placeholders, const char *where,
			struct colink_error *err)
{
	struct colink_form *f = colink_calloc(1, sizeof(*f));
	char *anchored = NULL, msg[160];
	int rc;
	*out = NULL;
	if (!f || (pattern && !(f->pattern = colink_strdup(pattern))) ||
	    (placeholders && !(f->placeholders = colink_strdup(placeholders)))) {
		colink_form_free(f);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if (pattern) {
		size_t n = strlen(pattern) + 5;
		if (!(anchored = colink_malloc(n))) {
			colink_form_free(f);
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
		snprintf(anchored, n, "^(%s)$", pattern);
		rc = regcomp(&f->re, anchored, REG_EXTENDED | REG_NOSUB);
		colink_free(anchored);
		if (rc) {
			regerror(rc, &f->re, msg, sizeof(msg));
			colink_form_free(f);
			return COLINK_ERR(err, COLINK_EINVAL, "%s: pattern is not a POSIX extended "
					  "regular expression: %s", where, msg);
		}
		f->has_re = 1;
	}
	*out = f;
	return COLINK_OK;
}

/* Is value[0..len) one of the blank-separated placeholders? */
static int is_placeholder(const char *list, const char *v, size_t len)
{
	const char *p = list;
	while (p && *p) {
		size_t n;
		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		if (n && n == len && !memcmp(p, v, len))
			return 1;
		p += n;
	}
	return 0;
}

int colink_form_check(const struct colink_form *f, const char *value, size_t len,
		      char *why, size_t wl)
{
	char buf[256];
	while (len && strchr(" \t\r\n", value[0]))
		value++, len--;
	while (len && strchr(" \t\r\n", value[len - 1]))
		len--;
	if (f->placeholders && is_placeholder(f->placeholders, value, len)) {
		snprintf(why, wl, "placeholder (a value that means unknown)");
		return COLINK_REJECTED;
	}
	if (!f->has_re)
		return COLINK_OK;
	if (len >= sizeof(buf) || memchr(value, '\0', len)) {
		snprintf(why, wl, "does not match the pattern %s", f->pattern);
		return COLINK_REJECTED;
	}
	memcpy(buf, value, len);
	buf[len] = '\0';
	if (regexec(&f->re, buf, 0, NULL, 0)) {
		snprintf(why, wl, "does not match the pattern %s", f->pattern);
		return COLINK_REJECTED;
	}
	return COLINK_OK;
}

const char *colink_form_pattern(const struct colink_form *f)
{
	return f ? f->pattern : NULL;
}

const char *colink_form_placeholders(const struct colink_form *f)
{
	return f ? f->placeholders : NULL;
}
