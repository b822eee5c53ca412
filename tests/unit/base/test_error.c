/* SPDX-License-Identifier: MIT */
/* Unit tests of base/error.c: formatting, truncation, the warning sink. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"

static const struct hm_err *sunk;

static void sink(const struct hm_err *w)
{
	sunk = w;
}

static void test_fail_formats_errno(void **state)
{
	struct hm_err e;

	(void)state;
	assert_int_equal(hm_fail(&e, ENOENT, "open \"%s\"", "/x"), -1);
	assert_string_equal(e.msg, "open \"/x\": No such file or directory");
	assert_int_equal(e.errnum, ENOENT);
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
}

static void test_failx_and_prefix(void **state)
{
	struct hm_err e;

	(void)state;
	assert_int_equal(hm_failx(&e, HM_EXIT_NOT_FOUND, "exec \"%s\"", "a"),
			 -1);
	assert_int_equal(e.exit_code, 127);
	assert_int_equal(e.errnum, 0);
	hm_prefix(&e, "run %d", 1);
	assert_string_equal(e.msg, "run 1: exec \"a\"");
	hm_clear(&e);
	assert_string_equal(e.msg, "");
}

static void test_fail_truncates(void **state)
{
	struct hm_err e;
	char big[4000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hm_fail(&e, EIO, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

static void test_warn_sink(void **state)
{
	struct hm_err w;

	(void)state;
	hm_failx(&w, HM_EXIT_FAIL, "teardown");
	hm_warn(&w); /* no handler: dropped */
	assert_null(sunk);
	hm_set_warn_handler(sink);
	hm_warn(&w);
	assert_ptr_equal(sunk, &w);
	hm_set_warn_handler(NULL);
}

/* NULL: the caller wants the return value only (error.h). */
static void test_null_ignores(void **state)
{
	struct hm_err scratch;

	(void)state;
	assert_int_equal(hm_fail(NULL, EIO, "read \"%s\"", "x"), -1);
	assert_int_equal(hm_failx(NULL, HM_EXIT_FAIL, "no"), -1);
	assert_int_equal(hm_prefix(NULL, "pull %s", "x"), -1);
	assert_int_equal(hm_fail_json(NULL, "a.json", 3, "bad"), -1);
	hm_clear(NULL);
	sunk = NULL;
	hm_set_warn_handler(sink);
	hm_warn(NULL);
	assert_null(sunk);
	hm_set_warn_handler(NULL);
	assert_ptr_equal(hm_err_or(NULL, &scratch), &scratch);
	assert_ptr_equal(hm_err_or(&scratch, NULL), &scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fail_formats_errno),
	    cmocka_unit_test(test_failx_and_prefix),
	    cmocka_unit_test(test_fail_truncates),
	    cmocka_unit_test(test_warn_sink),
	    cmocka_unit_test(test_null_ignores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
