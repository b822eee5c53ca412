/* SPDX-License-Identifier: MIT */
/* Unit tests of runtime/volumes.c: target paths and tmpfs options. */
#include "unit.h"

#include <stdlib.h>
#include <sys/mount.h>

#include "base/util.h"
#include "runtime/volumes.h"

static void test_paths_and_tmpfs(void **state)
{
	unsigned long flags;
	char *p, *data;
	struct hm_err e;

	(void)state;
	p = volumes_clean_path("//a/./b//");
	assert_string_equal(p, "/a/b");
	free(p);
	assert_null(volumes_clean_path("a/b"));
	assert_null(volumes_clean_path("/a/../b"));
	assert_int_equal(
	    volumes_tmpfs_parse("size=1m,mode=1777,exec,ro", &flags, &data, &e),
	    0);
	assert_string_equal(data, "size=1048576,mode=1777");
	assert_true(flags & MS_RDONLY);
	assert_false(flags & MS_NOEXEC);
	assert_true(flags & MS_NOSUID);
	free(data);
	assert_int_equal(
	    volumes_tmpfs_parse("size=1m,context=x", &flags, &data, &e), -1);
	assert_int_equal(volumes_tmpfs_parse("mode=99", &flags, &data, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths_and_tmpfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
