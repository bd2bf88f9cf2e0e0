/*
 * test_header.c -- the public plugin header compiles alone, as a plugin
 * author would use it, under -std=c11 -pedantic -Werror (see core.am),
 * and keeps the layout the loader relies on: the ABI version and struct
 * size come first, at fixed offsets; every struct passed on its own starts
 * with struct_size; the initializer macros fill sizes and strides; the
 * growth helper refuses an overflowing size and leaves the block alone.
 */
#include <colink/plugin.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int checks, failed;

#define CHECK(cond)                                                     \
	do {                                                            \
		checks++;                                               \
		if (!(cond)) {                                          \
			failed++;                                       \
			printf("FAIL line %d: %s\n", __LINE__, #cond);  \
		}                                                       \
	} while (0)

static size_t reallocs;

static void *counting_realloc(void *p, size_t n)
{
	reallocs++;
	return realloc(p, n);
}

static void layout(void)
{
	CHECK(offsetof(struct colink_plugin, abi_major) == 0);
	CHECK(offsetof(struct colink_plugin, abi_minor) == sizeof(int));
	CHECK(offsetof(struct colink_plugin, struct_size) >= 2 * sizeof(int));
	CHECK(offsetof(struct colink_host, struct_size) == 0);
	CHECK(offsetof(struct colink_raw_record, struct_size) == 0);
	CHECK(offsetof(struct colink_out_record, struct_size) == 0);
	CHECK(offsetof(struct colink_reject, struct_size) == 0);
	CHECK(offsetof(struct colink_input_info, struct_size) == 0);
	CHECK(offsetof(struct colink_run_info, struct_size) == 0);
	CHECK(offsetof(struct colink_run_summary, struct_size) == 0);
	CHECK(offsetof(struct colink_setting_values, struct_size) == 0);
	CHECK(offsetof(struct colink_link_rules, struct_size) == 0);
	CHECK(offsetof(struct colink_link_report, struct_size) == 0);
	CHECK(offsetof(struct colink_input_ops, struct_size) == 0);
	CHECK(offsetof(struct colink_output_ops, struct_size) == 0);
	/* v stays the last member of an out value: it grows with the stride */
	CHECK(offsetof(struct colink_out_value, v) + sizeof(struct colink_value) ==
	      sizeof(struct colink_out_value));
	CHECK(COLINK_ABI_MAJOR == 2);
	/* the per-record outcome is not an error code */
	CHECK((int)COLINK_LOADED == (int)COLINK_OK);
	CHECK(COLINK_REJECTED > 0);
}

static void macros(void)
{
	static const struct colink_setting_def defs[] = {
		COLINK_SETTING("a", COLINK_SET_INT, "1", "one", NULL),
		COLINK_SETTINGS_END
	};
	struct colink_raw_record rr = COLINK_RAW_RECORD_INIT(.record_no = 7);
	struct colink_out_record orec = COLINK_OUT_RECORD_INIT(.nvalues = 0);
	struct colink_run_info ri = COLINK_RUN_INFO_INIT(.nfields = 0);
	struct colink_link_rules lr = COLINK_LINK_RULES_INIT(.npasses = 1);
	struct colink_reject rj = COLINK_REJECT_INIT(.record_no = 3);
	struct colink_setting_value vals[2] = { { "x", 5, 0 }, { "y", 6, 1 } };
	struct colink_setting_values sv = COLINK_SETTING_VALUES_INIT(.n = 2, .values = vals);
	struct colink_setting_value copy[2];
	struct colink_error err;
	CHECK(rr.struct_size == sizeof(rr) && rr.field_size == sizeof(struct colink_raw_field) &&
	      rr.record_no == 7);
	CHECK(orec.struct_size == sizeof(orec) &&
	      orec.value_size == sizeof(struct colink_out_value) &&
	      orec.pseudonym_size == sizeof(struct colink_pseudonym));
	CHECK(ri.field_size == sizeof(struct colink_field_def));
	CHECK(lr.pass_size == sizeof(struct colink_link_pass) && lr.npasses == 1);
	CHECK(rj.struct_size == sizeof(rj) && rj.record_no == 3);
	CHECK(defs[1].name == NULL && defs[0].type == COLINK_SET_INT);
	CHECK(colink_setting_get(&sv, 1)->i == 6 && colink_setting_get(&sv, 2) == NULL);
	CHECK(colink_settings_copy(copy, 2, &sv) == 0 && copy[1].is_default == 1);
	CHECK(colink_settings_copy(copy, 3, &sv) == -1); /* wrong count */
	sv.value_size = 4;                                 /* below ABI 2.0 */
	CHECK(colink_settings_copy(copy, 2, &sv) == -1);
	CHECK(COLINK_REJECT(&err, "field %s", "x") == COLINK_REJECTED &&
	      err.code == COLINK_REJECTED);
	CHECK(COLINK_HAS(struct colink_out_record, sizeof(orec), fiscal_year));
	CHECK(!COLINK_HAS(struct colink_out_record,
			  offsetof(struct colink_out_record, fiscal_year), fiscal_year));
}

static void growth(void)
{
	int *a = NULL, *keep;
	size_t cap = 0, out = 0;
	CHECK(colink_grow(counting_realloc, (void **)&a, &cap, 5, sizeof(*a)) == 0);
	CHECK(a != NULL && cap == 16);
	CHECK(colink_grow(counting_realloc, (void **)&a, &cap, 16, sizeof(*a)) == 0 &&
	      cap == 16 && reallocs == 1); /* enough room: no call */
	CHECK(colink_grow(counting_realloc, (void **)&a, &cap, 17, sizeof(*a)) == 0 &&
	      cap == 32);
	keep = a;
	/* capacity * element size overflows: refused before any allocation */
	reallocs = 0;
	CHECK(colink_grow(counting_realloc, (void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)) == -1);
	CHECK(reallocs == 0 && a == keep && cap == 32);
	/* doubling the capacity itself overflows */
	CHECK(colink_grow(counting_realloc, (void **)&a, &cap, SIZE_MAX, 1) == -1);
	CHECK(reallocs == 0 && a == keep && cap == 32);
	free(a);
	CHECK(colink_checked_add(&out, SIZE_MAX, 1) == -1 && out == 0);
	CHECK(colink_checked_mul(&out, SIZE_MAX / 2 + 1, 2) == -1 && out == 0);
	CHECK(colink_checked_mul(&out, 0, SIZE_MAX) == 0 && out == 0);
	CHECK(colink_checked_add(&out, 2, 3) == 0 && out == 5);
}

int main(void)
{
	layout();
	macros();
	growth();
	printf("%d passed, %d failed\n", checks - failed, failed);
	return failed ? 1 : 0;
}
