/* SPDX-License-Identifier: MIT */
/* Image references: Docker's grammar and normalisation, valid and not. */
#include "unit.h"

#include "base/util.h"
#include "store/reference.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_valid(void **state)
{
	static const struct {
		const char *ref, *domain, *path, *tag, *digest, *norm;
	} good[] = {
	    {"busybox", "docker.io", "library/busybox", NULL, NULL,
	     "busybox:latest"},
	    {"busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
	     "busybox:1.36"},
	    {"library/busybox", "docker.io", "library/busybox", NULL, NULL,
	     "busybox:latest"},
	    {"docker.io/busybox:x", "docker.io", "library/busybox", "x", NULL,
	     "busybox:x"},
	    {"docker.io/library/busybox", "docker.io", "library/busybox", NULL,
	     NULL, "busybox:latest"},
	    {"index.docker.io/team/app", "docker.io", "team/app", NULL, NULL,
	     "team/app:latest"},
	    {"docker.io/library/a/b", "docker.io", "library/a/b", NULL, NULL,
	     "library/a/b:latest"},
	    {"localhost:5000/team/bb:v1", "localhost:5000", "team/bb", "v1",
	     NULL, "localhost:5000/team/bb:v1"},
	    {"localhost/x", "localhost", "x", NULL, NULL, "localhost/x:latest"},
	    {"Registry.Example.com/a_b/c__d/e-f--g.h", "Registry.Example.com",
	     "a_b/c__d/e-f--g.h", NULL, NULL,
	     "Registry.Example.com/a_b/c__d/e-f--g.h:latest"},
	    {"1.2.3.4:443/x:Tag_1.2-b", "1.2.3.4:443", "x", "Tag_1.2-b", NULL,
	     "1.2.3.4:443/x:Tag_1.2-b"},
	    {"[::1]:5000/x", "[::1]:5000", "x", NULL, NULL,
	     "[::1]:5000/x:latest"},
	    {"x@sha256:" HEX64, "docker.io", "library/x", NULL, "sha256:" HEX64,
	     "x@sha256:" HEX64},
	    {"h:1/x:t@sha256:" HEX64, "h:1", "x", "t", "sha256:" HEX64,
	     "h:1/x:t@sha256:" HEX64},
	};
	struct image_ref r;
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char *s;

		if (image_ref_parse_full(good[i].ref, &r, &e) < 0)
			fail_msg("\"%s\": %s", good[i].ref, e.msg);
		assert_string_equal(r.domain, good[i].domain);
		assert_string_equal(r.path, good[i].path);
		if (good[i].tag)
			assert_string_equal(r.tag, good[i].tag);
		else
			assert_null(r.tag);
		if (good[i].digest)
			assert_string_equal(r.digest, good[i].digest);
		else
			assert_null(r.digest);
		s = image_ref_string(&r);
		assert_string_equal(s, good[i].norm);
		free(s);
		image_ref_free(&r);
	}
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
	    "",
	    "Busybox",
	    "bad/X",
	    "-x",
	    "x-",
	    "a..b",
	    "a/",
	    "/a",
	    "a//b",
	    "a___b",
	    "a b",
	    ":t",
	    "a:",
	    "a:-t",
	    "a:.t",
	    "a:t!",
	    "a:" /* 129 */
	    "tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt"
	    "t"
	    "tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt",
	    "host:port/x",
	    "-host:5000/x",
	    "host-:5000/x",
	    "ho_st.com/x",
	    "[zz]:5000/x",
	    "x@sha256:12",
	    "x@sha256:" HEX64 "0",
	    "x@md5:" HEX64,
	    "x@SHA256:" HEX64,
	    "x@",
	    HEX64,
	    "a/" /* a name of 256 */
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	};
	struct image_ref r;
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (image_ref_parse_full(bad[i], &r, &e) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(e.msg, "invalid reference"));
		assert_int_equal(e.exit_code, HM_EXIT_FAIL);
		assert_null(r.name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
