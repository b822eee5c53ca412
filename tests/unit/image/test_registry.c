/* SPDX-License-Identifier: MIT */
/*
 * The registry client's pure parts: WWW-Authenticate challenges, base64,
 * a manifest's shape, and the platform picked from an index.
 */
#include "unit.h"

#include <jansson.h>

#include "base/util.h"
#include "image/distribution.h"
#include "image/registry.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_challenge(void **state)
{
	struct reg_challenge c;

	(void)state;
	assert_int_equal(
	    reg_parse_challenge(
		"Bearer realm=\"https://auth.docker.io/token\","
		"service=\"registry.docker.io\",scope=\"repository:"
		"library/busybox:pull\"",
		&c),
	    0);
	assert_string_equal(c.scheme, "Bearer");
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	assert_string_equal(c.scope, "repository:library/busybox:pull");
	reg_challenge_free(&c);
	/* unquoted values, spaces, unknown keys, escapes, case */
	assert_int_equal(
	    reg_parse_challenge(" basic REALM=x, error=\"a\\\"b\", "
				"service=s",
				&c),
	    0);
	assert_string_equal(c.scheme, "basic");
	assert_string_equal(c.realm, "x");
	assert_string_equal(c.service, "s");
	assert_null(c.scope);
	reg_challenge_free(&c);
	/* several scopes joined in one quoted value keep their commas */
	assert_int_equal(
	    reg_parse_challenge("Bearer scope=\"a:b:pull,push\",realm=r", &c),
	    0);
	assert_string_equal(c.scope, "a:b:pull,push");
	assert_string_equal(c.realm, "r");
	reg_challenge_free(&c);
	/* an unterminated quote ends the value; no scheme is an error */
	assert_int_equal(reg_parse_challenge("Bearer realm=\"abc", &c), 0);
	assert_string_equal(c.realm, "abc");
	reg_challenge_free(&c);
	assert_int_equal(reg_parse_challenge("   ", &c), -1);
}

static void test_base64(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {{"", ""},
		 {"f", "Zg=="},
		 {"fo", "Zm8="},
		 {"foo", "Zm9v"},
		 {"foob", "Zm9vYg=="},
		 {"fooba", "Zm9vYmE="},
		 {"foobar", "Zm9vYmFy"},
		 {"u:p\xff", "dTpw/w=="}};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char *b = reg_base64(v[i].in, strlen(v[i].in));

		assert_string_equal(b, v[i].out);
		free(b);
	}
}

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

static void test_manifest(void **state)
{
	static const char *const bad[] = {
	    "{}",
	    "{\"config\":{\"digest\":\"sha256:" HEX64 "\"}}",
	    "{\"config\":{\"digest\":\"sha256:" HEX64 "\"},\"layers\":[]}",
	    "{\"config\":{\"digest\":\"md5:00\"},\"layers\":[{\"digest\":"
	    "\"sha256:" HEX64 "\"}]}",
	    "{\"config\":{\"digest\":\"sha256:" HEX64 "\"},\"layers\":[{"
	    "\"digest\":\"sha256:../../x\"}]}",
	    "{\"config\":{\"digest\":\"sha256:" HEX64 "\"},\"layers\":[{}]}",
	};
	struct hm_err e;
	json_t *m, *many;

	(void)state;
	m = parse("{\"config\":{\"digest\":\"sha256:" HEX64 "\"},"
		  "\"layers\":[{\"digest\":\"sha256:" HEX64 "\"}]}");
	assert_int_equal(dist_check_manifest(m, &e), 0);
	json_decref(m);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		m = parse(bad[i]);
		if (dist_check_manifest(m, &e) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(e.exit_code, HM_EXIT_FAIL);
		json_decref(m);
	}
	/* a layer count no overlay can mount is refused before download */
	m = parse("{\"config\":{\"digest\":\"sha256:" HEX64 "\"}}");
	many = json_array();
	for (int i = 0; i < 200; i++)
		json_array_append_new(
		    many, json_pack("{s:s}", "digest", "sha256:" HEX64));
	json_object_set_new(m, "layers", many);
	assert_int_equal(dist_check_manifest(m, &e), -1);
	assert_non_null(strstr(e.msg, "200 layers"));
	json_decref(m);
}

static void test_platform(void **state)
{
	json_t *idx =
	    parse("{\"manifests\":["
		  "{\"digest\":\"a\",\"platform\":{\"os\":\"linux\","
		  "\"architecture\":\"arm\",\"variant\":\"v6\"}},"
		  "{\"digest\":\"b\",\"platform\":{\"os\":\"linux\","
		  "\"architecture\":\"arm\",\"variant\":\"v7\"}},"
		  "{\"digest\":\"c\",\"platform\":{\"os\":\"windows\","
		  "\"architecture\":\"amd64\"}},"
		  "{\"digest\":\"d\"},"
		  "{\"digest\":\"e\",\"platform\":{\"os\":\"linux\","
		  "\"architecture\":\"amd64\"}}]}");

	(void)state;
	assert_string_equal(
	    json_string_value(json_object_get(
		dist_pick_platform(idx, "linux/amd64"), "digest")),
	    "e");
	assert_string_equal(
	    json_string_value(json_object_get(
		dist_pick_platform(idx, "linux/arm/v7"), "digest")),
	    "b");
	/* no variant asked: the first of the architecture */
	assert_string_equal(
	    json_string_value(json_object_get(
		dist_pick_platform(idx, "linux/arm"), "digest")),
	    "a");
	assert_null(dist_pick_platform(idx, "linux/s390x"));
	assert_null(dist_pick_platform(idx, "linux/arm/v8"));
	assert_null(dist_pick_platform(idx, "linux"));
	json_decref(idx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_challenge),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_manifest),
	    cmocka_unit_test(test_platform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
