/* SPDX-License-Identifier: MIT */
/* Unit tests of base/envfile.c: Docker's --env-file grammar. */
#include "unit.h"

#include "base/envfile.h"
#include "base/util.h"

static const char *lookup(const char *name)
{
	return strcmp(name, "HOSTVAR") ? NULL : "from host";
}

/* parse @text; 0 with the result joined by '|' in @out, or -1 */
static int parse(const char *text, size_t len, char *out, size_t size,
		 struct hm_err *e)
{
	char **env = NULL;
	int r = envfile_parse("f", text, len, lookup, &env, e);

	out[0] = '\0';
	for (size_t i = 0; env && env[i]; i++) {
		strncat(out, env[i], size - strlen(out) - 1);
		if (env[i + 1])
			strncat(out, "|", size - strlen(out) - 1);
	}
	strv_free(env);
	return r;
}

#define OK(text, want)                                                       \
	do {                                                                 \
		char out_[256];                                              \
		assert_int_equal(                                            \
		    parse(text, sizeof(text) - 1, out_, sizeof(out_), NULL), \
		    0);                                                      \
		assert_string_equal(out_, want);                             \
	} while (0)
#define BAD(text, why)                                                      \
	do {                                                                \
		char out_[256];                                             \
		struct hm_err e_ = {0};                                     \
		assert_int_equal(                                           \
		    parse(text, sizeof(text) - 1, out_, sizeof(out_), &e_), \
		    -1);                                                    \
		assert_non_null(strstr(e_.msg, why));                       \
		assert_int_equal(e_.exit_code, HM_EXIT_FAIL);               \
	} while (0)

static void test_lines(void **state)
{
	(void)state;
	OK("A=1\nB=2", "A=1|B=2");
	/* comments, blank lines and leading blanks go; values stay as is */
	OK("# c\n\n   \n  A=1  \n\t#x\nB= two words ", "A=1  |B= two words ");
	OK("A=\nB==x", "A=|B==x");
	/* a name alone: the host's value, or left out (Docker) */
	OK("HOSTVAR\nNOTSET\nC=3", "HOSTVAR=from host|C=3");
	/* a byte order mark at the start */
	OK("\xef\xbb\xbf"
	   "A=1",
	   "A=1");
	OK("A=caf\xc3\xa9", "A=caf\xc3\xa9");
	OK("", "");
}

static void test_errors(void **state)
{
	(void)state;
	BAD("=x", "line 1: no variable name");
	BAD("A=1\n  =x", "line 2: no variable name");
	BAD("MY VAR=1", "line 1: the variable name contains whitespace");
	BAD("MY\tVAR", "contains whitespace");
	BAD("A=1\nB=\xff", "line 2: not UTF-8");
	BAD("A=\xc0\x80", "not UTF-8");	    /* overlong NUL */
	BAD("A=\xed\xa0\x80", "not UTF-8"); /* a surrogate */
	BAD("A=1\0B=2", "line 1: a NUL byte");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
