/* SPDX-License-Identifier: MIT */
/* config.json read back checked: digests where paths are made, the safe
 * value for a security field it lacks. */
#include "unit.h"

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/spec.h"

#define ID "1111111111111111111111111111111111111111111111111111111111111111"

/* the record of a plain "homo run" */
static json_t *record(void)
{
	struct hm_spec s = {.no_new_privs = true, .caps = caps_default()};
	json_t *j;

	memcpy(s.id, ID, 65);
	memcpy(s.image_id, ID, 65);
	s.name = xstrdup("c");
	s.image = xstrdup("bb");
	s.workdir = xstrdup("/");
	s.user = xstrdup("");
	s.hostname = xstrdup("h");
	s.layers = strv_push(NULL, ID);
	j = spec_to_json(&s);
	assert_non_null(j);
	spec_free(&s);
	return j;
}

static void test_complete_record(void **state)
{
	json_t *j = record();
	struct hm_spec s;
	struct hm_err e;

	(void)state;
	assert_int_equal(spec_from_json(j, &s, &e), 0);
	assert_null(s.filled);
	assert_true(s.no_new_privs);
	assert_false(s.privileged);
	assert_int_equal(s.caps, caps_default());
	spec_free(&s);
	json_decref(j);
}

static void test_missing_security_fields(void **state)
{
	json_t *j = record();
	struct hm_spec s;
	struct hm_err e;

	(void)state;
	json_object_del(j, "no_new_privs");
	json_object_del(j, "caps");
	json_object_set_new(j, "privileged", json_string("no"));
	json_object_set_new(j, "seccomp_unconfined", json_integer(0));
	json_object_set_new(j, "cap_add", json_pack("[i]", 1));
	assert_int_equal(spec_from_json(j, &s, &e), 0);
	assert_true(s.no_new_privs);
	assert_false(s.privileged);
	assert_false(s.seccomp_unconfined);
	assert_int_equal(s.caps & ~caps_default(), 0);
	assert_int_equal(strv_len(s.cap_add), 0);
	assert_int_equal(strv_len(s.filled), 5);
	spec_free(&s);
	/* caps never beyond what the options asked for */
	json_object_set_new(j, "cap_drop", json_pack("[s]", "ALL"));
	json_object_set_new(j, "cap_add", json_pack("[s]", "CHOWN"));
	assert_int_equal(spec_from_json(j, &s, &e), 0);
	assert_int_equal(s.caps, 1); /* CAP_CHOWN alone */
	spec_free(&s);
	json_decref(j);
}

static void test_layers_are_digests(void **state)
{
	static const char *const bad[] = {"[]", "[\"../../etc\"]", "[1]",
					  "\"" ID "\"", "[\"sha256:" ID "\"]"};
	struct hm_spec s;
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *j = record();

		json_object_set_new(j, "layers",
				    json_loads(bad[i], JSON_DECODE_ANY, NULL));
		assert_int_equal(spec_from_json(j, &s, &e), -1);
		assert_non_null(strstr(e.msg, "corrupt container config"));
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_complete_record),
	    cmocka_unit_test(test_missing_security_fields),
	    cmocka_unit_test(test_layers_are_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
