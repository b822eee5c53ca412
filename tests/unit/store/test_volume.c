/* SPDX-License-Identifier: MIT */
/* Unit tests of volumes in the store: names, records, the first-use
 * claim. */
#include "store_fixture.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"
#include "store/volume.h"

static void test_names(void **state)
{
	static const char *const good[] = {"ab", "a1", "A.b_c-d", "0x"};
	static const char *const bad[] = {"",	 "a",	"-ab", ".ab", "_a",
					  "a/b", "a b", "..",  "a:b"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_true(volume_name_ok(good[i]));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(volume_name_ok(bad[i]));
}

static void test_records(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_store s = fixture_store(dir);
	struct hm_err e;
	cleanup_strv char **names = NULL;
	json_t *rec;
	bool created, first;

	(void)state;
	assert_int_equal(volume_create(&s, "v1", NULL, false, &created, &e), 0);
	assert_true(created);
	assert_int_equal(volume_create(&s, "v1", NULL, false, &created, &e), 0);
	assert_false(created);
	assert_int_equal(volume_create(&s, "a/../b", NULL, false, NULL, &e),
			 -1);
	rec = volume_load(&s, "v1", &e);
	assert_non_null(rec);
	assert_string_equal(json_string_value(json_object_get(rec, "Name")),
			    "v1");
	json_decref(rec);
	assert_int_equal(volume_claim_first_use(&s, "v1", &first, &e), 0);
	assert_true(first);
	assert_int_equal(volume_claim_first_use(&s, "v1", &first, &e), 0);
	assert_false(first);
	names = volume_list(&s);
	assert_int_equal(strv_len(names), 1);
	assert_int_equal(volume_remove(&s, "v1", &e), 0);
	assert_null(volume_load(&s, "v1", &e));
	store_close(&s);
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
