/* SPDX-License-Identifier: MIT */
/* sha256.c: the published test vectors, then libcrypto's answer for every
 * length around the padding's block boundaries. */
#include "unit.h"

#include "base/digest.h"
#include "base/sha256.h"

static void test_sha256_vectors(void **state)
{
	char out[SHA256_HEX_LEN + 1];

	(void)state;
	sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		   56, out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_like_libcrypto(void **state)
{
	static unsigned char buf[4200];
	char mine[SHA256_HEX_LEN + 1], theirs[DIGEST_HEX_LEN + 1];
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 8));
	for (size_t len = 0; len <= sizeof(buf); len += len < 200 ? 1 : 97) {
		sha256_hex(buf, len, mine);
		assert_int_equal(digest_buf(buf, len, theirs, &e), 0);
		assert_string_equal(mine, theirs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_vectors),
	    cmocka_unit_test(test_sha256_like_libcrypto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
