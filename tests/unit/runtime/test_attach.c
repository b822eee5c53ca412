/* SPDX-License-Identifier: MIT */
/* Unit tests of runtime/attach.c: Docker's --detach-keys grammar. */
#include "unit.h"

#include "runtime/attach.h"

static void keys(const char *s, const char *want, size_t n)
{
	struct attach_opts o = {0};
	struct hm_err e = {0};

	assert_int_equal(attach_parse_keys(s, &o, &e), 0);
	assert_int_equal(o.nkeys, n);
	assert_memory_equal(o.keys, want, n);
}

static void bad(const char *s)
{
	struct attach_opts o = {0};
	struct hm_err e = {0};

	assert_int_equal(attach_parse_keys(s, &o, &e), -1);
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_non_null(strstr(e.msg, "--detach-keys"));
}

static void test_keys(void **state)
{
	(void)state;
	keys("", "\x10\x11", 2); /* Docker's default */
	keys("ctrl-p,ctrl-q", "\x10\x11", 2);
	keys("ctrl-a", "\x01", 1);
	keys("ctrl-z,x",
	     "\x1a"
	     "x",
	     2);
	keys("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_",
	     "\0\x1b\x1c\x1d\x1e\x1f", 6);
	keys("a,b,c", "abc", 3);
	bad(",");
	bad("ctrl-1");
	bad("ctrl-");
	bad("ctrl-pp");
	keys("Ctrl-P,CTRL-Q", "\x10\x11", 2); /* case-blind, as Docker */
	bad("ab");
	bad("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
