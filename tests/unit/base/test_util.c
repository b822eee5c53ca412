/* SPDX-License-Identifier: MIT */
/* Unit tests of base/util.c. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

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
	/* UTC, nanoseconds: 2026-12-02T13:45:01.123456789Z */
	assert_int_equal(strlen(now), 30);
	assert_true(now[4] == '-' && now[10] == 'T' && now[19] == '.');
	assert_int_equal(now[29], 'Z');
	t = util_parse_rfc3339(now);
	assert_true(t > 1700000000);
	assert_true(llabs(t - (int64_t)time(NULL)) <= 1);
	assert_int_equal(util_parse_rfc3339("garbage"), -1);
}

/* against glibc's gmtime_r and strftime, which it replaces */
static void test_rfc3339_dates(void **state)
{
	static const time_t at[] = {0,		86399,
				    86400,	951782400 /* 2000-02-29 */,
				    951868800,	4107542400 /* 2100-03-01 */,
				    1798761599, 253402300799 /* 9999-12-31 */};
	char mine[64], want[64], base[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(at) + 2000; i++) {
		/* and 2000 days from 1970 to 2200, at odd seconds */
		time_t t =
		    i < ARRAY_SIZE(at) ? at[i] : (time_t)(i * 3677 * 1000 + i);
		struct timespec ts = {.tv_sec = t, .tv_nsec = 123456789};
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.123456789Z", base);
		util_rfc3339(&ts, mine, sizeof(mine));
		assert_string_equal(mine, want);
	}
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

/* Below a registered root a record's temp is made in its tmpdir; without
 * the tmpdir, or outside the root, beside the record. */
static void test_atomic_tmpdir(void **state)
{
	char *dir = unit_tmpdir();
	char *root = xasprintf("%s/root", dir);
	char *tmp = xasprintf("%s/root/tmp", dir);
	char *sub = xasprintf("%s/root/c", dir);
	char *rec = xasprintf("%s/root/c/state.json", dir);
	char *other = xasprintf("%s/rootx", dir); /* a prefix, not below */
	char *orec = xasprintf("%s/rootx/f", dir);
	struct hm_err e;
	char *text;

	(void)state;
	assert_int_equal(util_mkdir_p(tmp, 0700, &e), 0);
	assert_int_equal(util_mkdir_p(sub, 0700, &e), 0);
	assert_int_equal(util_mkdir_p(other, 0700, &e), 0);
	util_atomic_tmpdir(root, tmp);
	assert_int_equal(util_write_file_atomic(rec, "a", 1, false, &e), 0);
	assert_int_equal(util_write_file_atomic(orec, "b", 1, true, &e), 0);
	text = util_read_file(rec, NULL, &e);
	assert_string_equal(text, "a");
	free(text);
	assert_int_equal(unit_count_entries(tmp), 0);
	assert_int_equal(unit_count_entries(sub), 1);
	/* the temp is made in tmp/: with a file in its place the write
	 * fails there (ENOTDIR is no reason to fall back) */
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(util_write_file_new(tmp, "", 0, &e), 0);
	assert_int_equal(util_write_file_atomic(rec, "x", 1, false, &e), -1);
	assert_int_equal(e.errnum, ENOTDIR);
	text = xasprintf("\"%s/state.json.tmp-%s-", tmp, util_tmp_owner());
	assert_non_null(strstr(e.msg, text));
	free(text);
	/* outside the root (a name that only starts like it): beside it */
	assert_int_equal(util_write_file_atomic(orec, "d", 1, false, &e), 0);
	/* no tmp/ (an older store): beside the record, as before */
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(util_write_file_atomic(rec, "c", 1, true, &e), 0);
	text = util_read_file(rec, NULL, &e);
	assert_string_equal(text, "c");
	free(text);
	assert_int_equal(unit_count_entries(sub), 1);
	util_atomic_tmpdir_drop(root);
	free(root);
	free(tmp);
	free(sub);
	free(rec);
	free(other);
	free(orec);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_atomic_tmpdir),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_rfc3339_roundtrip),
	    cmocka_unit_test(test_rfc3339_dates),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_cleanup_attrs),
	    cmocka_unit_test(test_strv),
	    cmocka_unit_test(test_random_hex),
	    cmocka_unit_test(test_starttime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
