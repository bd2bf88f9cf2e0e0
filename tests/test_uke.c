/*
 * test_uke.c -- plugins/in_receipt/uke_layout.c on its own (issue #21):
 * 和暦 and 西暦 UKE dates at the era boundaries, months, numbers, and the
 * `layout` / `era_codes` settings that stand in for what the 記録条件仕様
 * could not confirm.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "../plugins/in_receipt/uke.h"
#include "testutil.h"

static struct uke_eras eras;

static int32_t date_of(const char *s, int month_only)
{
	int32_t ymd = 0;
	return uke_date(&eras, s, month_only, &ymd) ? -1 : ymd;
}

static void test_uke__seireki_and_wareki_dates(void)
{
	char why[160];
	CU_ASSERT_EQUAL_FATAL(uke_eras_parse(&eras, "1=M,2=T,3=S,4=H,5=R", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(date_of("20241001", 0), 20241001);
	CU_ASSERT_EQUAL(date_of("20240229", 0), 20240229);   /* leap year */
	CU_ASSERT_EQUAL(date_of("20230229", 0), -1);
	CU_ASSERT_EQUAL(date_of("20241340", 0), -1);
	CU_ASSERT_EQUAL(date_of("5061001", 0), 20241001);    /* 令和6年10月1日 */
	CU_ASSERT_EQUAL(date_of("3310820", 0), 19560820);    /* 昭和31年 */
	CU_ASSERT_EQUAL(date_of("4310430", 0), 20190430);    /* 平成 ended that day */
	CU_ASSERT_EQUAL(date_of("4310501", 0), -1);
	CU_ASSERT_EQUAL(date_of("5010501", 0), 20190501);    /* 令和元年 began */
	CU_ASSERT_EQUAL(date_of("5010430", 0), -1);
	CU_ASSERT_EQUAL(date_of("3640107", 0), 19890107);    /* 昭和64年1月7日 */
	CU_ASSERT_EQUAL(date_of("3640108", 0), -1);
	CU_ASSERT_EQUAL(date_of("5001001", 0), -1);          /* 元年 is 01 */
	CU_ASSERT_EQUAL(date_of("9061001", 0), -1);          /* no era 9 */
	CU_ASSERT_EQUAL(date_of("202410", 1), 20241001);     /* months */
	CU_ASSERT_EQUAL(date_of("50610", 1), 20241001);
	CU_ASSERT_EQUAL(date_of("43104", 1), 20190401);      /* 平成31年4月 */
	CU_ASSERT_EQUAL(date_of("43105", 1), -1);            /* 平成31年5月 does not exist */
	CU_ASSERT_EQUAL(date_of("50105", 1), 20190501);
	CU_ASSERT_EQUAL(date_of("50104", 1), -1);
	CU_ASSERT_EQUAL(date_of("20241001", 1), -1);         /* a date is not a month */
	CU_ASSERT_EQUAL(date_of("2024-10-01", 0), -1);
	CU_ASSERT_EQUAL(date_of("", 0), -1);
}

static void test_uke__era_codes_are_a_setting(void)
{
	char why[160];
	CU_ASSERT_EQUAL_FATAL(uke_eras_parse(&eras, "7=H", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(date_of("7310430", 0), 20190430);
	CU_ASSERT_EQUAL(date_of("4310430", 0), -1);          /* 4 is no era now */
	CU_ASSERT_EQUAL(uke_eras_parse(&eras, "4=X", why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "era_codes"));
	CU_ASSERT_EQUAL(uke_eras_parse(&eras, "4=H;5=R", why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(uke_eras_parse(&eras, "1=M,2=T,3=S,4=H,5=R", why, sizeof(why)), 0);
}

static void test_uke__layout_overrides_positions(void)
{
	struct uke_layout l;
	char why[160];
	uke_layout_default(&l);
	CU_ASSERT_EQUAL(l.pos[R_RE][A_KANA], 37u);
	CU_ASSERT_EQUAL(l.pos[R_HO][A_POINTS], 6u);
	CU_ASSERT_EQUAL(l.pos[R_SN][A_BRANCH], 7u);
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "RE:kana=36,birth=8;HO:points=7;SN:branch=0", why,
					 sizeof(why)), 0);
	CU_ASSERT_EQUAL(l.pos[R_RE][A_KANA], 36u);
	CU_ASSERT_EQUAL(l.pos[R_RE][A_BIRTH], 8u);
	CU_ASSERT_EQUAL(l.pos[R_HO][A_POINTS], 7u);
	CU_ASSERT_EQUAL(l.pos[R_SN][A_BRANCH], 0u);         /* dropped */
	CU_ASSERT_EQUAL(l.pos[R_RE][A_MONTH], 4u);          /* the rest stays */
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "ZZ:code=2", why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "record type ZZ"));
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "RE:colour=2", why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown field name"));
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "RE:kana=1", why, sizeof(why)), -1); /* field 1 is the type */
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "RE:kana=x", why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(uke_layout_parse(&l, "RE kana=3", why, sizeof(why)), -1);
}

static void test_uke__numbers(void)
{
	int64_t v = -1;
	CU_ASSERT_EQUAL(uke_uint("1250", &v), 0);
	CU_ASSERT_EQUAL(v, 1250);
	CU_ASSERT_EQUAL(uke_uint("12a", &v), -1);
	CU_ASSERT_EQUAL(uke_uint("-1", &v), -1);
	CU_ASSERT_EQUAL(uke_uint("1234567890123", &v), -1);  /* 13 digits */
	CU_ASSERT_EQUAL(uke_decimal("1.5"), 0);
	CU_ASSERT_EQUAL(uke_decimal("1.5.1"), -1);
	CU_ASSERT_EQUAL(uke_decimal(".5"), -1);
}

int main(void)
{
	static const struct tu_test tests[] = {
		TU_TEST(test_uke__seireki_and_wareki_dates),
		TU_TEST(test_uke__era_codes_are_a_setting),
		TU_TEST(test_uke__layout_overrides_positions),
		TU_TEST(test_uke__numbers),
		TU_END
	};
	if (tu_add_suite("uke", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
