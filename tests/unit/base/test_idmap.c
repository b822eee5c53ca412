/* SPDX-License-Identifier: MIT */
/* Unit tests of base/idmap.c: maps, /etc/subuid lines, the auto pick. */
#include "unit.h"

#include <string.h>
#include <unistd.h>

#include "base/idmap.h"
#include "base/util.h"

static void test_parse_map(void **state)
{
	struct hm_idmap m;
	struct hm_err e;

	(void)state;
	assert_int_equal(idmap_parse("--uidmap", "0:300000:65536", &m, &e), 0);
	assert_int_equal(m.host, 300000);
	assert_int_equal(m.count, 65536);
	assert_int_equal(idmap_parse("--uidmap", "1:300000:10", &m, &e), -1);
	assert_int_equal(idmap_parse("--uidmap", "0:0:10", &m, &e), -1);
	assert_int_equal(idmap_parse("--uidmap", "0:4294967295:2", &m, &e), -1);
	assert_int_equal(idmap_host_id(&(struct hm_idmap){0, 1000, 10}, 3),
			 1003);
	assert_int_equal(idmap_ctr_id(&(struct hm_idmap){0, 1000, 10}, 1010),
			 -1);
}

static void test_subid_parse(void **state)
{
	struct hm_subid *v;
	struct hm_err e;
	size_t n;

	(void)state;
	assert_int_equal(idmap_subid_parse("alice:100000:65536\n\n# c\n"
					   "1001:165536:65536 \nhomo:1:2",
					   "/etc/subuid", &v, &n, &e),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].owner, "alice");
	assert_int_equal(v[0].r.start, 100000);
	assert_int_equal(v[0].r.count, 65536);
	assert_string_equal(v[1].owner, "1001");
	assert_int_equal(v[1].r.start, 165536);
	assert_string_equal(v[2].owner, "homo");
	assert_int_equal(v[2].r.count, 2);
	free(v);
	assert_int_equal(idmap_subid_parse("", "f", &v, &n, &e), 0);
	assert_int_equal(n, 0);
	free(v);
	/* a line we cannot read might delegate ids: refused, with its line */
	static const char *const bad[] = {
	    "alice:100000",
	    "alice:100000:0",
	    ":1:2",
	    "alice:-1:5",
	    "alice:4294967295:2",
	    "alice:1:2:3",
	    "alice:1x:2",
	    "alice: 1:2",
	    /* an overflowing start wrapped to a small sum with sscanf */
	    "alice:18446744073709551615:5",
	    "alice:99999999999999999999999:5",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("ok:1:1\n%s\n", bad[i]);

		assert_int_equal(
		    idmap_subid_parse(text, "/etc/subuid", &v, &n, &e), -1);
		assert_string_equal(
		    e.msg, "/etc/subuid line 2: expected OWNER:START:COUNT");
		assert_int_equal(e.exit_code, HM_EXIT_FAIL);
		free(text);
	}
}

static void test_place(void **state)
{
	struct hm_subid alice = {"alice", {100000, 65536}};
	struct hm_subid big = {"x", {4250000000u, 100}};
	struct hm_idrange r;
	struct hm_err e;

	(void)state;
	assert_int_equal(idmap_subid_place(NULL, 0, &r, &e), 0);
	assert_int_equal(r.start, 131072); /* 100000 aligned up */
	assert_int_equal(r.count, IDMAP_DELEGATION);
	assert_int_equal(idmap_subid_place(&alice, 1, &r, &e), 0);
	assert_int_equal(r.start, 196608); /* after 165536, aligned */
	assert_false(idmap_overlap(&r, &alice.r));
	assert_int_equal(idmap_subid_place(&big, 1, &r, &e), -1);
}

static void test_pick(void **state)
{
	struct hm_idrange pool[] = {{196608, 4 * IDMAP_AUTO_SIZE}};
	struct hm_idrange used[] = {
	    /* a manual map that does not start on a slot: both it touches */
	    {196608 + 1000, IDMAP_AUTO_SIZE},
	    /* another owner's delegation reaching into the pool */
	    {196608 + 3 * IDMAP_AUTO_SIZE + 5, 1},
	};
	uint32_t base;
	struct hm_err e;

	(void)state;
	assert_int_equal(idmap_pick_auto(pool, 1, NULL, 0, &base, &e), 0);
	assert_int_equal(base, 196608);
	assert_int_equal(idmap_pick_auto(pool, 1, used, 2, &base, &e), 0);
	assert_int_equal(base, 196608 + 2 * IDMAP_AUTO_SIZE);
	used[0].count = 3 * IDMAP_AUTO_SIZE;
	assert_int_equal(idmap_pick_auto(pool, 1, used, 2, &base, &e), -1);
	/* never outside the pool, whatever is free there */
	assert_int_equal(idmap_pick_auto(NULL, 0, NULL, 0, &base, &e), -1);
	/* the lowest over several pools */
	struct hm_idrange two[] = {{1000000, IDMAP_AUTO_SIZE},
				   {500000, IDMAP_AUTO_SIZE + 10}};
	assert_int_equal(idmap_pick_auto(two, 2, NULL, 0, &base, &e), 0);
	assert_int_equal(base, 500000);
	assert_true(idmap_overlap(&(struct hm_idrange){10, 5},
				  &(struct hm_idrange){14, 1}));
	assert_false(idmap_overlap(&(struct hm_idrange){10, 5},
				   &(struct hm_idrange){15, 1}));
	assert_true(idmap_overlap(&(struct hm_idrange){4294967290u, 5},
				  &(struct hm_idrange){4294967294u, 1}));
}

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

/* an id map file's lines, in a pipe: @lines of "CTR HOST COUNT" */
static int map_pipe(const char *text)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], text, strlen(text)),
			 (ssize_t)strlen(text));
	close(p[1]);
	return p[0];
}

static void test_find(void **state)
{
	struct hm_idmap m;
	char text[4096] = "";
	int fd;

	(void)state;
	/* the kernel's padded columns; the line that holds the id */
	fd = map_pipe("         0     100000      65536\n     65536       1000 "
		      "         1\n");
	assert_int_equal(idmap_find(fd, 65536, &m), 1);
	assert_int_equal(m.ctr, 65536);
	assert_int_equal(m.host, 1000);
	assert_int_equal(m.count, 1);
	close(fd);
	fd = map_pipe("0 100000 65536\n");
	assert_int_equal(idmap_find(fd, 65536, &m), 0);
	close(fd);
	/* an empty map (a new user namespace's): nothing is mapped */
	fd = map_pipe("");
	assert_int_equal(idmap_find(fd, 0, &m), 0);
	close(fd);
	/* more than the 512-byte buffer: lines straddle its reads */
	for (unsigned i = 0; i < 100; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "%10u %10u %10u\n", i * 10, 5000 + i, 10u);
	fd = map_pipe(text);
	assert_int_equal(idmap_find(fd, 995, &m), 1);
	assert_int_equal(m.ctr, 990);
	assert_int_equal(m.host, 5099);
	close(fd);
	/* our own: root of the host's namespace is mapped to itself */
	if (getuid() == 0) {
		assert_int_equal(idmap_self("uid_map", 0, &m), 1);
		assert_int_equal(m.host, 0);
	}
	assert_int_equal(idmap_self("no_such_map", 0, &m), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_map),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_subid_parse),
	    cmocka_unit_test(test_place),
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
