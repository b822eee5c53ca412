/* SPDX-License-Identifier: MIT */
/*
 * sealed.c: this test binary re-executes itself ("child MODE") from a
 * sealed copy and reports, through its exit status, what it then is.
 */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/sealed.h"

/* In the re-executed child: 0 if all is as it should be, else a code. */
static int child(char **argv)
{
	struct hm_err e = {0};
	char link[64] = "", comm[17] = "";

	if (!strcmp(argv[2], "marked")) /* unsealed, yet marked: refused */
		return sealed_reexec(argv, &e) < 0 && e.msg[0] ? 0 : 10;
	if (sealed_reexec(argv, &e) < 0)
		return 11;
	/* sealed against writes, and the marker not passed on */
	if (!sealed_running() || getenv("_HOMO_SEALED"))
		return 12;
	if (readlink("/proc/self/exe", link, sizeof(link) - 1) < 0 ||
	    strcmp(link, "/memfd:homo (deleted)"))
		return 13;
	if (prctl(PR_GET_NAME, comm) < 0 || strcmp(comm, "test_sealed"))
		return 14; /* argv[0]'s name, not the fd's or the memfd's */
	return 0;
}

static int run_child(const char *mode, bool marked)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = {"test_sealed", "child", (char *)mode, NULL};

		if (marked)
			setenv("_HOMO_SEALED", "1", 1);
		execv("/proc/self/exe", argv);
		_exit(99);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_not_sealed(void **state)
{
	(void)state;
	assert_false(sealed_running());
}

static void test_reexec(void **state)
{
	(void)state;
	assert_int_equal(run_child("sealed", false), 0);
}

static void test_marked_unsealed(void **state)
{
	(void)state;
	assert_int_equal(run_child("marked", true), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_sealed),
	    cmocka_unit_test(test_reexec),
	    cmocka_unit_test(test_marked_unsealed),
	};

	if (argc == 3 && !strcmp(argv[1], "child"))
		return child(argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
