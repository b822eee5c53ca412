/* SPDX-License-Identifier: MIT */
/* Unit tests of runtime/device.c: --device's grammar, record and rules. */
#include "unit.h"

#include "runtime/device.h"

static void test_parse(void **state)
{
	struct hm_spec s = {0};

	(void)state;
	assert_int_equal(device_add(&s, "/dev/null", NULL), 0);
	assert_string_equal(s.devices[0].path, "/dev/null");
	assert_string_equal(s.devices[0].perms, "rwm");
	assert_int_equal(s.devices[0].type, 'c');
	assert_int_equal(s.devices[0].major, 1);
	assert_int_equal(s.devices[0].minor, 3);
	/* HOST:PERMS, HOST:CONTAINER, HOST:CONTAINER:PERMS */
	assert_int_equal(device_add(&s, "/dev/null:mr", NULL), 0);
	assert_string_equal(s.devices[1].path, "/dev/null");
	assert_string_equal(s.devices[1].perms, "mr");
	assert_int_equal(device_add(&s, "/dev/null:/dev/x", NULL), 0);
	assert_string_equal(s.devices[2].path, "/dev/x");
	assert_int_equal(device_add(&s, "/dev/zero:/y/z:w", NULL), 0);
	assert_string_equal(s.devices[3].host, "/dev/zero");
	assert_string_equal(s.devices[3].path, "/y/z");
	assert_string_equal(s.devices[3].perms, "w");
	device_rules(&s);
	assert_int_equal(s.limits.ndevices, 4);
	assert_int_equal(s.limits.devices[3].minor, 5);
	assert_string_equal(s.limits.devices[3].access, "w");
	spec_free(&s);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "/etc/passwd",
	    "/nonexistent",
	    "/dev/null:rel",
	    "dev/null",
	    "/dev/null:/x:rwx",
	    "/dev/null:/x:rr",
	    "/dev/null:/x:",
	    "/dev/null:",
	    "/dev/null:/a:r:w",
	    "/dev/null:/x:R",
	};
	struct hm_spec s = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct hm_err e = {0};

		assert_int_equal(device_add(&s, bad[i], &e), -1);
		assert_non_null(strstr(e.msg, "--device"));
		assert_int_equal(s.ndevices, 0);
	}
}

static void test_json(void **state)
{
	struct hm_spec s = {0}, back = {0};
	json_t *j;

	(void)state;
	assert_int_equal(device_add(&s, "/dev/zero:/dev/z:r", NULL), 0);
	j = device_to_json(&s);
	/* a damaged entry is dropped, not given a guessed rule */
	json_array_append_new(j,
			      json_pack("{s:s, s:s, s:s, s:s}", "PathOnHost",
					"/dev/zero", "PathInContainer", "rel",
					"CgroupPermissions", "r", "Type", "c"));
	device_from_json(j, &back);
	json_decref(j);
	assert_int_equal(back.ndevices, 1);
	assert_string_equal(back.devices[0].path, "/dev/z");
	assert_int_equal(back.devices[0].minor, 5);
	assert_int_equal(back.limits.ndevices, 1);
	assert_string_equal(back.limits.devices[0].access, "r");
	spec_free(&s);
	spec_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
