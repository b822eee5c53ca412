/* SPDX-License-Identifier: MIT */
/* Unit tests of base/digest.c. */
#include "unit.h"

#include <string.h>

#include "base/digest.h"
#include "base/util.h"

static void test_digest(void **state)
{
	char hex[65];
	struct hm_digest d;
	struct hm_err e;
	char *dir = unit_tmpdir();
	char *f = xasprintf("%s/f", dir);

	(void)state;
	/* FIPS 180-2 test vectors */
	assert_int_equal(digest_buf("abc", 3, hex, &e), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396"
				 "177a9cb410ff61f20015ad");
	assert_int_equal(digest_buf("", 0, hex, &e), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e464"
				 "9b934ca495991b7852b855");
	/* streaming equals one-shot */
	assert_int_equal(digest_init(&d, &e), 0);
	digest_update(&d, "a", 1);
	digest_update(&d, "bc", 2);
	digest_final(&d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396"
				 "177a9cb410ff61f20015ad");
	assert_int_equal(util_write_file_atomic(f, "abc", 3, false, &e), 0);
	assert_int_equal(digest_file(f, hex, &e), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396"
				 "177a9cb410ff61f20015ad");
	assert_int_equal(digest_file("/nonexistent", hex, &e), -1);
	assert_true(digest_valid_hex(hex));
	assert_true(digest_valid_hex("sha256:ba7816bf8f01cfea414140de5dae2223b"
				     "00361a396177a9cb410ff61f20015ad"));
	assert_false(digest_valid_hex("abc"));
	assert_false(digest_valid_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A"
				      "396177A9CB410FF61F20015AD"));
	free(f);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
