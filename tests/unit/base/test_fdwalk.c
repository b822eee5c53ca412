/* SPDX-License-Identifier: MIT */
/* base/fdwalk.c, and util_rm_rf / util_dir_size that walk with it. */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdwalk.h"
#include "base/util.h"

#define DEEP 2100 /* "d/" x 2100: 4200 bytes, past PATH_MAX (4096) */

/* A chain of DEEP directories "d" under @dir, a file "f" (6 bytes) and a
 * "z" directory in each. */
static void make_chain(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	for (int i = 0; i < DEEP; i++) {
		int f, next;

		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		assert_int_equal(mkdirat(fd, "z", 0755), 0);
		f = openat(fd, "f", O_WRONLY | O_CREAT, 0644);
		assert_true(f >= 0);
		assert_int_equal(write(f, "hello\n", 6), 6);
		close(f);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_deep_walk(void **state)
{
	char *dir = unit_tmpdir();
	struct fdwalk w;
	struct hm_err e;
	size_t entries = 0, posts = 0, longest = 0;
	int ev, before = open_fds(), most = 0;
	char last[8] = "";

	(void)state;
	make_chain(dir);
	assert_int_equal(
	    fdwalk_open(&w, open(dir, O_RDONLY | O_DIRECTORY), -1, true, &e),
	    0);
	while ((ev = fdwalk_next(&w, &e)) > 0) {
		if (ev == FDWALK_POST) {
			posts++;
			continue;
		}
		entries++;
		/* sorted: the root's entries come as d, f, z */
		if (!strchr(w.path, '/') && strlen(last) < sizeof(last) - 1)
			strncat(last, w.name, 1);
		if (strlen(w.path) > longest)
			longest = strlen(w.path);
		if (!strcmp(w.name, "d")) {
			int fd = openat(w.dfd, w.name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			assert_int_equal(fdwalk_enter(&w, fd, -1, &e), 0);
		}
		if (open_fds() > most)
			most = open_fds();
	}
	assert_int_equal(ev, FDWALK_END);
	fdwalk_close(&w);
	assert_string_equal(last, "dfz");
	assert_int_equal(entries, 3 * DEEP);
	assert_int_equal(posts, DEEP);
	assert_true(longest > PATH_MAX);
	assert_true(most <= before + FDWALK_FDS + 4);
	assert_int_equal(open_fds(), before);
	/* the same tree measured and removed, at any depth */
	assert_int_equal(util_dir_size(dir), 6 * DEEP);
	assert_int_equal(util_rm_rf(dir, &e), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(open_fds(), before);
	free(dir);
}

/* A directory whose fd the walk closed, moved meanwhile: an error. */
static void test_moved(void **state)
{
	char *dir = unit_tmpdir();
	struct fdwalk w;
	struct hm_err e;
	int ev, depth = 0, mid = -1;

	(void)state;
	make_chain(dir);
	assert_int_equal(
	    fdwalk_open(&w, open(dir, O_RDONLY | O_DIRECTORY), -1, true, &e),
	    0);
	while ((ev = fdwalk_next(&w, &e)) > 0) {
		if (ev != FDWALK_ENTRY || strcmp(w.name, "d"))
			continue;
		if (depth == 10)
			mid = openat(w.dfd, ".", O_RDONLY | O_DIRECTORY);
		if (depth++ == 2 * FDWALK_FDS) {
			/* level 11 moves to the root: its ".." changes */
			char *to = xasprintf("%s/moved", dir);

			assert_int_equal(renameat(mid, "d", AT_FDCWD, to), 0);
			free(to);
			continue;
		}
		assert_int_equal(
		    fdwalk_enter(&w,
				 openat(w.dfd, w.name, O_RDONLY | O_DIRECTORY),
				 -1, &e),
		    0);
	}
	assert_int_equal(ev, -1);
	assert_non_null(strstr(e.msg, "moved while it was walked"));
	fdwalk_close(&w);
	close(mid);
	assert_int_equal(util_rm_rf(dir, &e), 0);
	free(dir);
}

static void test_open_parent(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_err e;
	const char *base;
	char *rel = xstrdup("");
	int root, fd;

	(void)state;
	make_chain(dir);
	for (int i = 0; i < DEEP - 1; i++) {
		char *next = xasprintf("%sd/", rel);

		free(rel);
		rel = next;
	}
	root = open(dir, O_RDONLY | O_DIRECTORY);
	char *f = xasprintf("%sf", rel);
	fd = fdwalk_open_parent(root, f, &base, &e);
	assert_true(fd >= 0);
	assert_string_equal(base, "f");
	assert_int_equal(faccessat(fd, base, F_OK, AT_SYMLINK_NOFOLLOW), 0);
	close(fd);
	/* a symlink on the way is not followed */
	assert_int_equal(symlinkat(".", root, "l"), 0);
	assert_int_equal(fdwalk_open_parent(root, "l/f", &base, &e), -1);
	close(root);
	free(f);
	free(rel);
	assert_int_equal(util_rm_rf(dir, &e), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deep_walk),
	    cmocka_unit_test(test_moved),
	    cmocka_unit_test(test_open_parent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
