/* SPDX-License-Identifier: MIT */
/*
 * clone_vm.c: a child that shares our memory on its own stack. Each case
 * runs in a forked process (so a failure or a seccomp filter stays there)
 * and checks what the child left in the memory both see.
 */
#include "unit.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/clone_vm.h"

static volatile int seen; /* written by the child, read by the parent */

/* under the sanitizers the child gets fork's copy (clone_vm.c) */
#if defined(__SANITIZE_ADDRESS__)
#define SHARED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHARED 0
#endif
#endif
#ifndef SHARED
#define SHARED 1
#endif

static int write_seen(void *arg)
{
	seen = *(int *)arg;
	return 7;
}

/* deeper than the 8 MiB stack: must stop at the guard page */
static int recurse(void *arg)
{
	volatile char pad[4096];

	if (arg == &seen) /* never: an end, for the compiler */
		return 0;
	pad[0] = 1;
	return recurse(arg) + pad[0];
}

/* in a fresh fork: run @fn through clone_vm; its wait status */
static int run(int (*fn)(void *), void *arg, bool no_clone3)
{
	struct clone_vm vm = {0};
	struct hm_err e = {0};
	bool born_in = true;
	int status;
	pid_t pid;

	if (no_clone3) { /* as a seccomp profile that predates clone3 */
		scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);

		if (!f ||
		    seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(clone3), 0) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_load(f) < 0)
			_exit(90);
		seccomp_release(f);
	}
	if (clone_vm_stack(&vm, &e) < 0)
		_exit(91);
	pid = clone_vm_run(&vm, SIGCHLD, -1, &born_in, fn, arg);
	if (pid < 0 || born_in)
		_exit(92);
	if (waitpid(pid, &status, 0) != pid)
		_exit(93);
	clone_vm_free(&vm);
	if (vm.stack)
		_exit(94);
	if (WIFSIGNALED(status))
		_exit(100 + WTERMSIG(status));
	/* the child's write, in our memory: 1 for "seen", with its status */
	_exit(WEXITSTATUS(status) * 10 + (seen == 42));
}

static int forked(int (*fn)(void *), void *arg, bool no_clone3)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		run(fn, arg, no_clone3);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_shares_our_memory(void **state)
{
	int v = 42;

	(void)state;
	assert_int_equal(forked(write_seen, &v, false), 70 + SHARED);
}

static void test_without_clone3(void **state)
{
	int v = 42;

	(void)state;
	assert_int_equal(forked(write_seen, &v, true), 70 + SHARED);
}

static void test_stack_overflow_faults(void **state)
{
	(void)state;
	if (!SHARED) /* the child is on our own stack, the sanitizer's */
		skip();
	assert_int_equal(forked(recurse, NULL, false), 100 + SIGSEGV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shares_our_memory),
	    cmocka_unit_test(test_without_clone3),
	    cmocka_unit_test(test_stack_overflow_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
