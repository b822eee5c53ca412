/* SPDX-License-Identifier: MIT */
/* Unit tests of base/idmap.c: the --uidmap grammar and the id arithmetic. */
#include "unit.h"

#include "base/idmap.h"

static void ok(const char *arg, uint32_t ctr, uint32_t host, uint32_t count)
{
	struct hm_idmap m = {0};
	struct hm_err e = {0};

	assert_int_equal(idmap_parse("--uidmap", arg, &m, &e), 0);
	assert_int_equal(m.ctr, ctr);
	assert_int_equal(m.host, host);
	assert_int_equal(m.count, count);
}

static void bad(const char *arg, const char *why)
{
	struct hm_idmap m = {7, 7, 7};
	struct hm_err e = {0};

	assert_int_equal(idmap_parse("--uidmap", arg, &m, &e), -1);
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_non_null(strstr(e.msg, "--uidmap \""));
	assert_non_null(strstr(e.msg, why));
	assert_int_equal(m.ctr, 7); /* untouched */
	assert_int_equal(m.host, 7);
	assert_int_equal(m.count, 7);
}

static void test_parse(void **state)
{
	const char *shape = "expected CONTAINER_ID:HOST_ID:COUNT";

	(void)state;
	ok("0:100000:65536", 0, 100000, 65536);
	ok("0:1:1", 0, 1, 1);
	ok("00:0100000:065536", 0, 100000, 65536); /* decimal */
	/* the top of the 32-bit id space, exactly: host + count = 2^32-1 */
	ok("0:4294967294:1", 0, 4294967294u, 1);
	bad("0:4294967295:1", shape);
	bad("0:1:4294967295", shape);
	bad("0:4294967296:10", shape);
	bad("0:18446744073709551615:2", shape); /* wrapped past 2^64 */
	/* signs: %llu took "-5" as 2^64-5, and h + n wrapped to 5 */
	bad("0:-5:10", shape);
	bad("-0:100000:10", shape);
	bad("0:100000:-1", shape);
	bad("0:+100000:10", shape);
	bad("0: 100000:10", shape);
	bad("0:100000:10 ", shape);
	bad("0:100000:10\n", shape);
	bad("0:0x10:10", shape);
	bad("0:1e5:10", shape);
	/* shape */
	bad("", shape);
	bad("x", shape);
	bad("0:100000", shape);
	bad("0:100000:", shape);
	bad("0::10", shape);
	bad(":1:10", shape);
	bad("0:100000:10:5", shape);
	bad("0:100000:10x", shape);
	bad("0:100000:0", shape); /* an empty range */
	bad("0:0000000000000000000000001:1", shape);
	/* meaning */
	bad("1:100000:10", "must start at container id 0");
	bad("0:0:65536", "host's root");
}

static void test_ids(void **state)
{
	struct hm_idmap m = {0, 100000, 65536};

	(void)state;
	assert_int_equal(idmap_host_id(&m, 0), 100000);
	assert_int_equal(idmap_host_id(&m, 65535), 165535);
	assert_int_equal(idmap_host_id(&m, 65536), -1);
	assert_int_equal(idmap_ctr_id(&m, 100000), 0);
	assert_int_equal(idmap_ctr_id(&m, 99999), -1);
	assert_int_equal(idmap_ctr_id(&m, 165536), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
