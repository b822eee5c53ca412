/* SPDX-License-Identifier: MIT */
/* Unit tests of the L0 modules: error, util, digest. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/error.h"
#include "base/util.h"

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

static const struct hm_err *sunk;

static void sink(const struct hm_err *w)
{
	sunk = w;
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

static void test_parse_size(void **state)
{
	struct hm_err e;
	int64_t v;

	(void)state;
	assert_int_equal(util_parse_size("32m", &v, &e), 0);
	assert_int_equal(v, 32LL << 20);
	assert_int_equal(util_parse_size("1g", &v, &e), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(util_parse_size("512KB", &v, &e), 0);
	assert_int_equal(v, 512LL << 10);
	assert_int_equal(util_parse_size("100", &v, &e), 0);
	assert_int_equal(v, 100);
	assert_int_equal(util_parse_size("1.5k", &v, &e), 0);
	assert_int_equal(v, 1536);
	assert_int_equal(util_parse_size("12q", &v, &e), -1);
	assert_non_null(strstr(e.msg, "invalid size \"12q\""));
	assert_int_equal(util_parse_size("", &v, &e), -1);
	assert_int_equal(util_parse_size("-1m", &v, &e), -1);
}

static void test_format(void **state)
{
	char b[64];

	(void)state;
	util_format_size(b, sizeof(b), 999);
	assert_string_equal(b, "999B");
	util_format_size(b, sizeof(b), 2500000);
	assert_string_equal(b, "2.5MB");
	util_format_duration(b, sizeof(b), 5);
	assert_string_equal(b, "5 seconds");
	util_format_duration(b, sizeof(b), 7300);
	assert_string_equal(b, "2 hours");
}

static void test_rfc3339_roundtrip(void **state)
{
	char now[40];
	int64_t t;

	(void)state;
	util_now_rfc3339(now, sizeof(now));
	t = util_parse_rfc3339(now);
	assert_true(t > 1700000000);
	assert_true(llabs(t - (int64_t)time(NULL)) <= 1);
	assert_int_equal(util_parse_rfc3339("garbage"), -1);
}

static void test_files(void **state)
{
	char *dir = unit_tmpdir();
	char *path = xasprintf("%s/a/b/c", dir);
	char *file = xasprintf("%s/a/f", dir);
	struct hm_err e;
	size_t len;
	char *text;
	struct stat st;

	(void)state;
	assert_int_equal(util_mkdir_p(path, 0755, &e), 0);
	assert_int_equal(util_mkdir_p(path, 0755, &e), 0); /* exists: fine */
	assert_int_equal(util_write_file_atomic(file, "hello", 5, true, &e), 0);
	text = util_read_file(file, &len, &e);
	assert_non_null(text);
	assert_int_equal(len, 5);
	assert_string_equal(text, "hello");
	free(text);
	/* no temp file left beside it */
	text = xasprintf("%s.tmp-%d", file, (int)getpid());
	assert_int_equal(stat(text, &st), -1);
	free(text);
	assert_null(util_read_file("/nonexistent/x", NULL, &e));
	assert_int_equal(e.errnum, ENOENT);
	assert_non_null(strstr(e.msg, "/nonexistent/x"));
	/* rm -rf does not follow a symlink out of the tree */
	text = xasprintf("%s/a/b/escape", dir);
	assert_int_equal(symlink(file, text), 0);
	free(text);
	text = xasprintf("%s/a", dir);
	assert_int_equal(util_rm_rf(text, &e), 0);
	assert_int_equal(stat(text, &st), -1);
	assert_int_equal(util_rm_rf(text, &e), 0); /* missing: fine */
	free(text);
	free(path);
	free(file);
	unit_rmtree(dir);
}

static void test_cleanup_attrs(void **state)
{
	int fd;

	(void)state;
	{
		cleanup_close int a = open("/dev/null", O_RDONLY);

		fd = a;
		assert_true(fcntl(fd, F_GETFD) >= 0);
	}
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed at scope end */
	{
		cleanup_close int b = open("/dev/null", O_RDONLY);
		int kept = steal_fd(&b);

		assert_int_equal(b, -1);
		assert_true(fcntl(kept, F_GETFD) >= 0);
		close(kept);
	}
	{
		cleanup_free char *p = xstrdup("x");
		char *q = steal_ptr(&p);

		assert_null(p);
		free(q);
	}
	{
		errno = EPERM;
		cleanup_close int c = -1;
		(void)c;
	}
	assert_int_equal(errno, EPERM); /* cleanup preserves errno */
}

static void test_strv(void **state)
{
	char **v = NULL;

	(void)state;
	assert_int_equal(strv_len(v), 0);
	v = strv_push(v, "a");
	v = strv_push(v, "b");
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	strv_free(v);
}

static void test_random_hex(void **state)
{
	char a[65], b[65];

	(void)state;
	util_random_hex(a, 64);
	util_random_hex(b, 64);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
}

static void test_starttime(void **state)
{
	(void)state;
	assert_true(util_proc_starttime(getpid()) > 0);
	assert_int_equal(util_proc_starttime(0x3fffffff), 0);
}

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
	    cmocka_unit_test(test_fail_formats_errno),
	    cmocka_unit_test(test_failx_and_prefix),
	    cmocka_unit_test(test_fail_truncates),
	    cmocka_unit_test(test_warn_sink),
	    cmocka_unit_test(test_parse_size),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_rfc3339_roundtrip),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_cleanup_attrs),
	    cmocka_unit_test(test_strv),
	    cmocka_unit_test(test_random_hex),
	    cmocka_unit_test(test_starttime),
	    cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
