/* SPDX-License-Identifier: MIT */
/* Unit tests of base/number.c: every edge of the grammar and the ranges. */
#include "unit.h"

#include <errno.h>
#include <float.h>

#include "base/number.h"

#define U64_OK(s, min, max, want)                                     \
	do {                                                          \
		uint64_t v_ = 12345;                                  \
		assert_int_equal(num_parse_u64(s, min, max, &v_), 0); \
		assert_true(v_ == (uint64_t)(want));                  \
	} while (0)
#define U64_BAD(s, min, max, err)                                      \
	do {                                                           \
		uint64_t v_ = 12345;                                   \
		errno = 0;                                             \
		assert_int_equal(num_parse_u64(s, min, max, &v_), -1); \
		assert_int_equal(errno, err);                          \
		assert_true(v_ == 12345); /* untouched */              \
	} while (0)
#define I64_OK(s, min, max, want)                                     \
	do {                                                          \
		int64_t v_ = 12345;                                   \
		assert_int_equal(num_parse_i64(s, min, max, &v_), 0); \
		assert_true(v_ == (int64_t)(want));                   \
	} while (0)
#define I64_BAD(s, min, max, err)                                      \
	do {                                                           \
		int64_t v_ = 12345;                                    \
		errno = 0;                                             \
		assert_int_equal(num_parse_i64(s, min, max, &v_), -1); \
		assert_int_equal(errno, err);                          \
		assert_true(v_ == 12345);                              \
	} while (0)
#define DBL_BAD(s, min, max, err)                                         \
	do {                                                              \
		double v_ = 7;                                            \
		errno = 0;                                                \
		assert_int_equal(num_parse_double(s, min, max, &v_), -1); \
		assert_int_equal(errno, err);                             \
		assert_true(v_ == 7);                                     \
	} while (0)
#define SIZE_OK(s, want)                                                \
	do {                                                            \
		int64_t v_ = 12345;                                     \
		assert_int_equal(num_parse_size(s, INT64_MAX, &v_), 0); \
		assert_true(v_ == (int64_t)(want));                     \
	} while (0)
#define SIZE_BAD(s, max, err)                                      \
	do {                                                       \
		int64_t v_ = 12345;                                \
		errno = 0;                                         \
		assert_int_equal(num_parse_size(s, max, &v_), -1); \
		assert_int_equal(errno, err);                      \
		assert_true(v_ == 12345);                          \
	} while (0)

static void test_u64(void **state)
{
	(void)state;
	U64_OK("0", 0, UINT64_MAX, 0);
	U64_OK("42", 0, UINT64_MAX, 42);
	U64_OK("007", 0, UINT64_MAX, 7); /* decimal, not octal */
	U64_OK("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
	U64_BAD("18446744073709551616", 0, UINT64_MAX, ERANGE); /* 2^64 */
	U64_BAD("99999999999999999999999", 0, UINT64_MAX, ERANGE);
	U64_BAD("", 0, UINT64_MAX, EINVAL);
	U64_BAD(NULL, 0, UINT64_MAX, EINVAL);
	U64_BAD(" 1", 0, UINT64_MAX, EINVAL);
	U64_BAD("1 ", 0, UINT64_MAX, EINVAL);
	U64_BAD("\t1", 0, UINT64_MAX, EINVAL);
	U64_BAD("+1", 0, UINT64_MAX, EINVAL);
	U64_BAD("-1", 0, UINT64_MAX, EINVAL); /* strtoul: 2^64-1 */
	U64_BAD("-0", 0, UINT64_MAX, EINVAL);
	U64_BAD("-18446744073709551615", 0, UINT64_MAX, EINVAL); /* was 1 */
	U64_BAD("0x10", 0, UINT64_MAX, EINVAL);
	U64_BAD("1e3", 0, UINT64_MAX, EINVAL);
	U64_BAD("1.0", 0, UINT64_MAX, EINVAL);
	U64_BAD("12abc", 0, UINT64_MAX, EINVAL);
	U64_BAD("99999999999999999999x", 0, UINT64_MAX, EINVAL);
	U64_BAD("nan", 0, UINT64_MAX, EINVAL);
	/* the bounds, and one past them */
	U64_OK("10", 10, 20, 10);
	U64_OK("20", 10, 20, 20);
	U64_BAD("9", 10, 20, ERANGE);
	U64_BAD("21", 10, 20, ERANGE);
	U64_OK("4294967295", 0, UINT32_MAX, UINT32_MAX);
	U64_BAD("4294967296", 0, UINT32_MAX, ERANGE);
}

static void test_i64(void **state)
{
	(void)state;
	I64_OK("0", INT64_MIN, INT64_MAX, 0);
	I64_OK("-0", INT64_MIN, INT64_MAX, 0);
	I64_OK("-1", -1, 10, -1);
	I64_OK("-007", INT64_MIN, INT64_MAX, -7);
	I64_OK("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
	I64_BAD("9223372036854775808", INT64_MIN, INT64_MAX, ERANGE);
	I64_OK("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
	I64_BAD("-9223372036854775809", INT64_MIN, INT64_MAX, ERANGE);
	I64_BAD("18446744073709551616", INT64_MIN, INT64_MAX, ERANGE);
	I64_BAD("-18446744073709551616", INT64_MIN, INT64_MAX, ERANGE);
	I64_BAD("99999999999999999999", -1, INT64_MAX, ERANGE);
	I64_BAD("-2", -1, 10, ERANGE);
	I64_BAD("11", -1, 10, ERANGE);
	I64_BAD("-", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("--1", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("+1", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("- 1", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD(" -1", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("0x1", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("1.5", INT64_MIN, INT64_MAX, EINVAL);
	I64_BAD("inf", INT64_MIN, INT64_MAX, EINVAL);
}

static void test_double(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(num_parse_double("0.5", 0, 2, &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(num_parse_double("2", 0, 2, &v), 0);
	assert_true(v == 2);
	assert_int_equal(num_parse_double(".25", 0, 2, &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(num_parse_double("1.", 0, 2, &v), 0);
	assert_true(v == 1);
	assert_int_equal(num_parse_double("1e-3", 0, 2, &v), 0);
	assert_true(v == 1e-3);
	assert_int_equal(num_parse_double("15E-1", 0, 2, &v), 0);
	assert_true(v == 1.5);
	assert_int_equal(num_parse_double("-1.25", -2, 2, &v), 0);
	assert_true(v == -1.25);
	assert_int_equal(num_parse_double("1e+0", 0, 2, &v), 0);
	assert_true(v == 1);
	/* non-finite values, in every spelling strtod takes */
	DBL_BAD("nan", 0, 1e300, EINVAL);
	DBL_BAD("NaN", 0, 1e300, EINVAL);
	DBL_BAD("-nan", -1e300, 1e300, EINVAL);
	DBL_BAD("nan(123)", 0, 1e300, EINVAL);
	DBL_BAD("inf", 0, 1e300, EINVAL);
	DBL_BAD("INFINITY", 0, 1e300, EINVAL);
	DBL_BAD("-inf", -1e300, 1e300, EINVAL);
	DBL_BAD("1e999", 0, DBL_MAX, ERANGE);	/* overflows to inf */
	DBL_BAD("-1e999", -DBL_MAX, 0, ERANGE); /* to -inf */
	DBL_BAD("1e-999", 0, 1, ERANGE);	/* underflows to 0 */
	DBL_BAD("0x1p3", 0, 100, EINVAL);	/* hex float */
	DBL_BAD("0x10", 0, 100, EINVAL);
	/* shapes */
	DBL_BAD("", 0, 1, EINVAL);
	DBL_BAD(NULL, 0, 1, EINVAL);
	DBL_BAD(".", 0, 1, EINVAL);
	DBL_BAD("-", -1, 1, EINVAL);
	DBL_BAD("+0.5", 0, 1, EINVAL);
	DBL_BAD(" 0.5", 0, 1, EINVAL);
	DBL_BAD("0.5 ", 0, 1, EINVAL);
	DBL_BAD("0.5x", 0, 1, EINVAL);
	DBL_BAD("1e", 0, 10, EINVAL);
	DBL_BAD("1e+", 0, 10, EINVAL);
	DBL_BAD("e1", 0, 10, EINVAL);
	DBL_BAD("1.2.3", 0, 10, EINVAL);
	DBL_BAD("1,5", 0, 10, EINVAL);
	/* bounds: inclusive */
	DBL_BAD("2.0000001", 0, 2, ERANGE);
	DBL_BAD("-0.1", 0, 2, ERANGE);
	assert_int_equal(num_parse_double("0", 0, 2, &v), 0);
	assert_true(v == 0);
}

static void test_size(void **state)
{
	(void)state;
	SIZE_OK("0", 0);
	SIZE_OK("100", 100);
	SIZE_OK("100b", 100);
	SIZE_OK("100B", 100);
	SIZE_OK("512k", 512LL << 10);
	SIZE_OK("512KB", 512LL << 10);
	SIZE_OK("512Kb", 512LL << 10);
	SIZE_OK("32m", 32LL << 20);
	SIZE_OK("1g", 1LL << 30);
	SIZE_OK("2t", 2LL << 40);
	SIZE_OK("2TB", 2LL << 40);
	SIZE_OK("007m", 7LL << 20);
	/* fractions: exact, nearest byte, halves up */
	SIZE_OK("1.5k", 1536);
	SIZE_OK("1.5g", 3LL << 29);
	SIZE_OK("0.5", 1);
	SIZE_OK("0.4", 0);
	SIZE_OK("0.001k", 1);	      /* 1.024 */
	SIZE_OK("0.0004882812k", 0);  /* 0.49999... */
	SIZE_OK("0.00048828125k", 1); /* 0.5 exactly: up */
	SIZE_OK("1.000000000000000000000000000001t", 1LL << 40);
	SIZE_OK("0.1t", 109951162778); /* 109951162777.6 */
	/* the int64 boundary, exactly: 2^63-1 and one more */
	SIZE_OK("9223372036854775807", INT64_MAX);
	SIZE_OK("9223372036854775807b", INT64_MAX);
	SIZE_BAD("9223372036854775808", INT64_MAX, ERANGE);
	SIZE_OK("8388607t", 8388607LL << 40);
	SIZE_BAD("8388608t", INT64_MAX, ERANGE); /* 2^63 */
	SIZE_OK("8388607.999999999t", 9223372036854774708LL);
	SIZE_BAD("8388607.9999999999999999999t", INT64_MAX, ERANGE);
	SIZE_BAD("9223372036854775807k", INT64_MAX, ERANGE);
	SIZE_BAD("18446744073709551616", INT64_MAX, ERANGE);
	SIZE_BAD("99999999999999999999999999g", INT64_MAX, ERANGE);
	/* a caller's maximum */
	SIZE_BAD("1025", 1024, ERANGE);
	SIZE_BAD("1.001k", 1024, ERANGE); /* 1025.024 */
	/* not sizes */
	SIZE_BAD("", INT64_MAX, EINVAL);
	SIZE_BAD(NULL, INT64_MAX, EINVAL);
	SIZE_BAD("m", INT64_MAX, EINVAL);
	SIZE_BAD("-1m", INT64_MAX, EINVAL);
	SIZE_BAD("+1m", INT64_MAX, EINVAL);
	SIZE_BAD(" 1m", INT64_MAX, EINVAL);
	SIZE_BAD("1m ", INT64_MAX, EINVAL);
	SIZE_BAD("1 m", INT64_MAX, EINVAL);
	SIZE_BAD("12q", INT64_MAX, EINVAL);
	SIZE_BAD("1bb", INT64_MAX, EINVAL);
	SIZE_BAD("1mbb", INT64_MAX, EINVAL);
	SIZE_BAD("1.m", INT64_MAX, EINVAL);
	SIZE_BAD(".5m", INT64_MAX, EINVAL);
	SIZE_BAD("1.5.5m", INT64_MAX, EINVAL);
	SIZE_BAD("8e18", INT64_MAX, EINVAL);
	SIZE_BAD("1e3k", INT64_MAX, EINVAL);
	SIZE_BAD("nan", INT64_MAX, EINVAL);
	SIZE_BAD("inf", INT64_MAX, EINVAL);
	SIZE_BAD("0x10", INT64_MAX, EINVAL);
	SIZE_BAD("1p", INT64_MAX, EINVAL);
	SIZE_BAD("1.0000000000000000000000000000000000000000000000000000000000"
		 "0000001k",
		 INT64_MAX, EINVAL); /* 65 fraction digits */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_u64),
	    cmocka_unit_test(test_i64),
	    cmocka_unit_test(test_double),
	    cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
