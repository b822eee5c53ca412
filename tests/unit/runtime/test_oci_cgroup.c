/* SPDX-License-Identifier: MIT */
/* An OCI container's cgroup path (oci_cgroup.c): cgroupsPath absolute,
 * relative and slice:prefix:name, the default, bad forms; linux.resources
 * as homo's cgroup limits. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup.h"
#include "runtime/oci_runtime.h"

static void path_is(const char *given, bool systemd, const char *want)
{
	struct hm_err e;
	char *p = oci_cgroup_path(given, "c1", systemd, &e);

	assert_non_null(p);
	assert_string_equal(p, want);
	free(p);
}

static void test_paths(void **state)
{
	(void)state;
	setenv("HOMO_CGROUP_PARENT", "par", 1);
	path_is(NULL, false, "par/c1");
	path_is("", false, "par/c1");
	path_is("/libpod_parent/libpod-x", false, "libpod_parent/libpod-x");
	path_is("rel/a/", false, "rel/a");
	path_is("machine.slice:libpod:abc", true,
		"machine.slice/libpod-abc.scope");
	path_is("a-b-c.slice:p:n", true,
		"a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	path_is(":p:n", true, "system.slice/p-n.scope");
	path_is("-.slice:p:n", true, "p-n.scope");
	unsetenv("HOMO_CGROUP_PARENT");
	path_is(NULL, false, "homo/c1");
}

static void test_bad_paths(void **state)
{
	struct hm_err e;
	const char *leaf;

	(void)state;
	assert_null(oci_cgroup_path("/", "c1", false, &e));
	assert_null(oci_cgroup_path("nocolons", "c1", true, &e));
	assert_non_null(strstr(e.msg, "not slice:prefix:name"));
	assert_null(oci_cgroup_path("x:p:n", "c1", true, &e));
	assert_non_null(strstr(e.msg, "is not a slice"));
	assert_int_equal(oci_cgroup_select("a/../b", &leaf, &e), -1);
	assert_int_equal(oci_cgroup_select("a//b", &leaf, &e), -1);
	assert_int_equal(oci_cgroup_select("a/b/leaf", &leaf, &e), 0);
	assert_string_equal(leaf, "leaf");
	assert_int_equal(oci_cgroup_select("top", &leaf, &e), 0);
	assert_string_equal(leaf, "top");
}

static void test_limits(void **state)
{
	struct oci_device_rule rules[] = {
	    {false, 'a', OCI_UNSET, OCI_UNSET, "rwm"},
	    {true, 'c', 10, 229, "rwm"},
	    {true, 'b', 8, OCI_UNSET, "r"},
	};
	struct oci_resources r = {.mem_limit = 1 << 26,
				  .mem_swap = -1,
				  .pids_limit = 7,
				  .cpu_quota = 5000,
				  .cpu_period = OCI_UNSET,
				  .cpu_shares = OCI_UNSET,
				  .devices = rules,
				  .ndevices = 3};
	struct cgroup_limits l;

	(void)state;
	oci_cgroup_limits(&r, &l);
	assert_int_equal(l.memory, 1 << 26);
	assert_int_equal(l.memory_swap, -1);
	assert_int_equal(l.pids, 7);
	assert_int_equal(l.cpu_quota_us, 5000);
	assert_int_equal(l.cpu_period_us, 0);
	assert_false(l.privileged);
	assert_int_equal(l.ndevices, 2);
	assert_int_equal(l.devices[0].major, 10);
	assert_int_equal(l.devices[1].minor, -1);
	/* no rules at all: the devices cgroup is left alone */
	r.ndevices = 0;
	oci_cgroup_limits(&r, &l);
	assert_true(l.privileged);
	/* an allow-all last */
	rules[1] =
	    (struct oci_device_rule){true, 'a', OCI_UNSET, OCI_UNSET, "rwm"};
	r.ndevices = 2;
	oci_cgroup_limits(&r, &l);
	assert_true(l.privileged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_bad_paths),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
