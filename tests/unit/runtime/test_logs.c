/* SPDX-License-Identifier: MIT */
/* Unit tests of runtime/logs.c: the --since grammar. */
#include "unit.h"

#include <time.h>

#include "runtime/logs.h"

static int64_t since(const char *s)
{
	struct hm_err e = {0};
	int64_t ns = 12345;

	assert_int_equal(log_parse_since(s, &ns, &e), 0);
	return ns;
}

static void bad(const char *s)
{
	struct hm_err e = {0};
	int64_t ns = 12345;

	assert_int_equal(log_parse_since(s, &ns, &e), -1);
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_non_null(strstr(e.msg, "invalid --since"));
	assert_true(ns == 12345);
}

static void test_times(void **state)
{
	(void)state;
	assert_true(since("2026-11-23T10:00:00Z") == 1795428000000000000LL);
	assert_true(since("2026-11-23T10:00:00.5Z") == 1795428000500000000LL);
	assert_true(since("2026-11-23T10:00:00.1234567891Z") ==
		    1795428000123456789LL);
	assert_true(since("2026-11-23T10:00:00") == 1795428000000000000LL);
	assert_true(since("2026-11-23T11:30:00+01:30") ==
		    1795428000000000000LL);
	assert_true(since("2026-11-23T08:00:00-02:00") ==
		    1795428000000000000LL);
	assert_true(since("2026-11-23") == 1795392000000000000LL);
	assert_true(since("2024-02-29T00:00:00Z") == 1709164800000000000LL);
	assert_true(since("2000-02-29") == 951782400000000000LL);
	assert_true(since("1970-01-01T00:00:00Z") == 0);
	assert_true(since("1969-12-31T23:59:59Z") == -1000000000LL);
	/* the int64 ns end, exactly; past it (year 3000 wrapped to a
	 * negative time: every line) no record can be: nothing */
	assert_true(since("2262-04-11T23:47:16Z") == 9223372036000000000LL);
	assert_true(since("2262-04-11T23:47:17Z") == INT64_MAX);
	assert_true(since("3000-01-01T00:00:00Z") == INT64_MAX);
	assert_true(since("9999-12-31T23:59:59.999999999Z") == INT64_MAX);
	bad("10000-01-01T00:00:00Z");
	bad("3000-13-01T00:00:00Z");
	bad("3000-00-01T00:00:00Z");
	bad("2023-02-29T00:00:00Z");
	bad("1900-02-29");
	bad("2026-04-31");
	bad("2026-11-23T24:00:00Z");
	bad("2026-11-23T10:60:00Z");
	bad("2026-11-23T10:00:60Z");
	bad("2026-11-23T10:00:00.Z");
	bad("2026-11-23T10:00:00ZZ");
	bad("2026-11-23T10:00:00+1:00");
	bad("2026-11-23T10:00:00+24:00");
	bad("2026-11-23T10:00");
	bad("2026-11-23T");
	bad("2026-1-23");
	bad("-2026-11-23");
	bad("+2026-11-23");
	bad(" 2026-11-23");
	bad("2026-11-23 ");
}

static void test_unix_and_ago(void **state)
{
	int64_t now = (int64_t)time(NULL) * 1000000000LL, v;

	(void)state;
	assert_true(since("1700000000") == 1700000000000000000LL);
	assert_true(since("1700000000.25") == 1700000000250000000LL);
	assert_true(since("0") == 0);
	assert_true(since("253402300799") == INT64_MAX); /* 9999-12-31 */
	bad("253402300800");
	bad("99999999999999999999");
	bad("-5");
	bad("+5");
	bad("1e9");
	bad("0x10");
	bad("nan");
	bad("inf");
	bad("1700000000.");
	bad("");
	v = since("10m");
	assert_true(llabs(v - (now - 600000000000LL)) < 2000000000LL);
	v = since("1.5h");
	assert_true(llabs(v - (now - 5400000000000LL)) < 2000000000LL);
	v = since("0s");
	assert_true(llabs(v - now) < 2000000000LL);
	assert_true(since("1e300h") == 1); /* before 1970: all */
	bad("nans");
	bad("infh");
	bad("1e999h");
	bad("-10m");
	bad("10d");
	bad("m");
	bad("10 m");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_unix_and_ago),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
