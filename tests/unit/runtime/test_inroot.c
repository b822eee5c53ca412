/* SPDX-License-Identifier: MIT */
/*
 * inroot.c: mkdir_in_root() and file_in_root() make what is missing inside
 * the root, never through a symlink or ".." out of it, whatever part of the
 * path exists (a trailing slash too); file_in_root() keeps the parent's
 * mtime.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/inroot.h"

struct root {
	char *tmp;  /* holds "r", the root, and "out", beside it */
	int rootfd; /* an O_PATH fd of tmp/r */
};

static struct root root_new(void)
{
	struct root r = {.tmp = unit_tmpdir()};
	char p[256];

	snprintf(p, sizeof(p), "%s/r", r.tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/out", r.tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/r", r.tmp);
	r.rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(r.rootfd >= 0);
	return r;
}

static void root_free(struct root *r)
{
	close(r->rootfd);
	unit_rmtree(r->tmp);
}

/* @rel under tmp/ is a directory (d) or regular file (f) */
static bool is(const struct root *r, const char *rel, char type)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", r->tmp, rel);
	if (lstat(p, &st) < 0)
		return false;
	return type == 'd' ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

static void test_mkdir(void **state)
{
	struct root r = root_new();
	struct hm_err e;
	int fd;

	(void)state;
	/* every missing component, below one that exists or not */
	fd = mkdir_in_root(r.rootfd, "/a/b/c", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_true(is(&r, "r/a/b/c", 'd'));
	/* a trailing slash (an OCI process.cwd "/new/dir/"): unfixed, the
	 * walk made "" in "d": ENOENT */
	fd = mkdir_in_root(r.rootfd, "/a/b/d/", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_true(is(&r, "r/a/b/d", 'd'));
	/* existing: an fd of it, nothing made */
	fd = mkdir_in_root(r.rootfd, "a", &e);
	assert_true(fd >= 0);
	close(fd);
	/* a symlink out of the root and ".." resolve inside it */
	assert_int_equal(mkdirat(r.rootfd, "out", 0755), 0);
	assert_int_equal(symlinkat("../out", r.rootfd, "esc"), 0);
	fd = mkdir_in_root(r.rootfd, "/esc/x", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_false(is(&r, "out/x", 'd'));
	assert_true(is(&r, "r/out/x", 'd'));
	fd = mkdir_in_root(r.rootfd, "/m/../../../out/y", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_false(is(&r, "out/y", 'd'));
	assert_true(is(&r, "r/out/y", 'd'));
	/* a file in the way: an error, no fd */
	close(openat(r.rootfd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	assert_int_equal(mkdir_in_root(r.rootfd, "/f/z", &e), -1);
	root_free(&r);
}

static void test_file(void **state)
{
	struct root r = root_new();
	struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};
	struct hm_err e;
	struct stat st;
	char p[256];
	int fd;

	(void)state;
	/* missing, with its parents; the new file's fd */
	fd = file_in_root(r.rootfd, "/etc/x/hosts", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_true(is(&r, "r/etc/x/hosts", 'f'));
	/* the parent's mtime kept (commit of an unchanged dir) */
	snprintf(p, sizeof(p), "%s/r/etc", r.tmp);
	assert_int_equal(utimensat(AT_FDCWD, p, old, 0), 0);
	fd = file_in_root(r.rootfd, "/etc/hostname", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, 1000);
	/* existing: reused */
	fd = file_in_root(r.rootfd, "/etc/hostname", &e);
	assert_true(fd >= 0);
	close(fd);
	/* through a symlinked dir out of the root: made inside it */
	assert_int_equal(mkdirat(r.rootfd, "out", 0755), 0);
	assert_int_equal(symlinkat("/../out", r.rootfd, "esc"), 0);
	fd = file_in_root(r.rootfd, "/esc/f", &e);
	assert_true(fd >= 0);
	close(fd);
	assert_false(is(&r, "out/f", 'f'));
	assert_true(is(&r, "r/out/f", 'f'));
	root_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mkdir),
	    cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
