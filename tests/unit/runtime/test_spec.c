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

/* Entrypoint and Cmd apart, the stop signal; an older record's cmd. */
static void test_entrypoint_and_cmd(void **state)
{
	json_t *j = record();
	struct hm_spec s;
	struct hm_err e;

	(void)state;
	json_object_set_new(j, "cmd", json_pack("[s, s]", "ep", "arg"));
	json_object_set_new(j, "entrypoint", json_pack("[s]", "ep"));
	json_object_set_new(j, "config_cmd", json_pack("[s]", "arg"));
	json_object_set_new(j, "stop_signal", json_string("SIGINT"));
	json_object_set_new(j, "labels", json_pack("{s:s}", "a", "b"));
	assert_int_equal(spec_from_json(j, &s, &e), 0);
	assert_string_equal(json_string_value(json_object_get(s.labels, "a")),
			    "b");
	assert_int_equal(strv_len(s.argv), 2);
	assert_string_equal(s.entrypoint[0], "ep");
	assert_null(s.entrypoint[1]);
	assert_string_equal(s.config_cmd[0], "arg");
	assert_null(s.config_cmd[1]);
	assert_string_equal(s.stop_signal, "SIGINT");
	json_decref(j);
	j = spec_to_json(&s);
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(j, "entrypoint"), 0)),
			    "ep");
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(j, "config_cmd"), 0)),
			    "arg");
	assert_string_equal(
	    json_string_value(json_object_get(j, "stop_signal")), "SIGINT");
	assert_true(json_equal(json_object_get(j, "labels"), s.labels));
	spec_free(&s);
	/* before they were apart, all of the command was the Cmd */
	json_object_del(j, "entrypoint");
	json_object_del(j, "config_cmd");
	json_object_del(j, "stop_signal");
	assert_int_equal(spec_from_json(j, &s, &e), 0);
	assert_null(s.entrypoint[0]);
	assert_int_equal(strv_len(s.config_cmd), 2);
	assert_string_equal(s.stop_signal, "");
	spec_free(&s);
	json_decref(j);
}

static char *join(char *const *v)
{
	char *s = xstrdup("");

	for (size_t i = 0; v && v[i]; i++) {
		char *n = xasprintf("%s%s%s", s, i ? " " : "", v[i]);

		free(s);
		s = n;
	}
	return s;
}

/* Docker's rules for COMMAND and --entrypoint against the image's. */
static void test_resolve_command(void **state)
{
	static const struct {
		const char *args, *ep; /* space-separated; ep NULL: not set */
		const char *argv, *cmd;
	} cases[] = {
	    {"", NULL, "ep -x dflt", "dflt"},
	    {"a b", NULL, "ep -x a b", "a b"},
	    {"", "sh", "sh", ""},
	    {"a", "sh", "sh a", "a"},
	    {"echo a", "", "echo a", "echo a"},
	};
	json_t *cfg = json_pack("{s:[s, s], s:[s]}", "entrypoint", "ep", "-x",
				"cmd", "dflt");
	struct hm_err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hm_spec s = {0};
		char *words = xstrdup(cases[i].args), *save = NULL, *w, *got;

		for (w = strtok_r(words, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			s.argv = strv_push(s.argv, w);
		free(words);
		if (cases[i].ep) {
			s.entrypoint = strv_push(NULL, cases[i].ep);
			s.entrypoint_set = true;
		}
		assert_int_equal(spec_resolve_command(&s, cfg, &e), 0);
		got = join(s.argv);
		assert_string_equal(got, cases[i].argv);
		free(got);
		got = join(s.config_cmd);
		assert_string_equal(got, cases[i].cmd);
		free(got);
		spec_free(&s);
	}
	/* --entrypoint '' and no COMMAND: nothing to run */
	{
		struct hm_spec s = {.entrypoint = strv_push(NULL, ""),
				    .entrypoint_set = true};

		assert_int_equal(spec_resolve_command(&s, cfg, &e), -1);
		assert_int_equal(e.exit_code, HM_EXIT_FAIL);
		spec_free(&s);
	}
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_complete_record),
	    cmocka_unit_test(test_missing_security_fields),
	    cmocka_unit_test(test_layers_are_digests),
	    cmocka_unit_test(test_entrypoint_and_cmd),
	    cmocka_unit_test(test_resolve_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
