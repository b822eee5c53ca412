/* SPDX-License-Identifier: MIT */
/*
 * cgroup_deleg.c's walk: the highest cgroup above the caller's that the
 * caller owns, never the mount's root, in a fake tree of directories with
 * the two files delegation hands over.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup_backend.h"

#define OTHER 54321 /* a uid that is not ours */

/* @mnt/@rel with the files a cgroup has, owned by @uid */
static void cg(const char *mnt, const char *rel, uid_t uid)
{
	cleanup_free char *d = xasprintf("%s%s", mnt, rel);
	static const char *const files[] = {"cgroup.procs",
					    "cgroup.subtree_control"};

	assert_int_equal(mkdir(d, 0755), 0);
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *f = xasprintf("%s/%s", d, files[i]);

		int fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(chown(f, uid, uid), 0);
	}
	assert_int_equal(chown(d, uid, uid), 0);
}

static void expect(const char *mnt, const char *cgpath, const char *want)
{
	cleanup_free char *got = cgroup_v2_deleg_root(mnt, cgpath);
	cleanup_free char *full = want ? xasprintf("%s%s", mnt, want) : NULL;

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, full);
}

static void test_walk(void **state)
{
	char *mnt = unit_tmpdir();
	uid_t me = geteuid();

	(void)state;
	if (me != 0) { /* the tree needs another owner */
		unit_rmtree(mnt);
		skip();
	}
	/* root's slice, the user's service, its app slice and a scope */
	cg(mnt, "/user.slice", OTHER);
	cg(mnt, "/user.slice/u.service", me);
	cg(mnt, "/user.slice/u.service/app.slice", me);
	cg(mnt, "/user.slice/u.service/app.slice/s.scope", me);
	cg(mnt, "/sess.scope", OTHER);
	expect(mnt, "/user.slice/u.service/app.slice/s.scope",
	       "/user.slice/u.service");
	expect(mnt, "/user.slice/u.service", "/user.slice/u.service");
	/* a caller outside every subtree of ours, or at the root */
	expect(mnt, "/sess.scope", NULL);
	expect(mnt, "/user.slice", NULL);
	expect(mnt, "/", NULL);
	expect(mnt, "user.slice/u.service", NULL);
	/* the mount's own root (ours here) is never a delegation */
	cg(mnt, "/mine", me);
	expect(mnt, "/mine", "/mine");
	unit_rmtree(mnt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
