/* SPDX-License-Identifier: MIT */
/* state.json: written whatever its strings hold, read back checked. */
#include "unit.h"

#include "base/util.h"
#include "runtime/state.h"

/* A start error quoting a hostile image's non-UTF-8 file name: json_pack()
 * gave NULL and state_save() crashed on it. */
static void test_save_non_utf8_error(void **state)
{
	char *dir = unit_tmpdir();
	struct hm_state st = {.status = ST_EXITED, .exit_code = 125}, got;
	struct hm_err e;

	(void)state;
	snprintf(st.error, sizeof(st.error),
		 "mount proc on \"/\xff\xfe/x\": Not a directory \xc3");
	assert_int_equal(state_save(dir, &st, &e), 0);
	assert_int_equal(state_load(dir, &got, &e), 0);
	assert_int_equal(got.status, ST_EXITED);
	assert_int_equal(got.exit_code, 125);
	assert_string_equal(got.error, "mount proc on \"/?"
				       "?/x\": Not a directory ?");
	/* valid UTF-8 is kept as it is */
	snprintf(st.error, sizeof(st.error), "caf\xc3\xa9 \xe2\x82\xac");
	assert_int_equal(state_save(dir, &st, &e), 0);
	assert_int_equal(state_load(dir, &got, &e), 0);
	assert_string_equal(got.error, "caf\xc3\xa9 \xe2\x82\xac");
	unit_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_save_non_utf8_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
