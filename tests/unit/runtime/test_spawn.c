/* SPDX-License-Identifier: MIT */
/*
 * spawn.c's sync protocol, parent side: what the container's process said
 * (or did not) after GO decides the start, through the return value.
 * spawn.c is included whole for its static sync_until_exec().
 */
#include "unit.h"

#include "runtime/exec_shim_proto.h"
#include "runtime/spawn.c"

/* A stand-in for the container's process, to be killed and reaped. */
static struct hm_proc stand_in(void)
{
	struct hm_proc p = {.pty_master = -1};

	p.pid = fork();
	assert_true(p.pid >= 0);
	if (p.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test's too */
		pause();
		_exit(0);
	}
	return p;
}

/* Send @len bytes of @m (none: @len 0) and hang up; the parent's verdict. */
static int verdict(const void *m, size_t len, struct hm_proc *p,
		   struct hm_err *e)
{
	int sp[2], r;

	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	if (len)
		assert_int_equal(send(sp[1], m, len, 0), (ssize_t)len);
	close(sp[1]);
	r = sync_until_exec(sp[0], p, "cmd", e);
	close(sp[0]);
	return r;
}

/* The child was killed and reaped: no such child any more. */
static void assert_reaped(pid_t pid)
{
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_eof_is_exec(void **state)
{
	struct hm_proc p = stand_in();
	struct hm_err e = {0};

	(void)state;
	assert_int_equal(verdict(NULL, 0, &p, &e), 0);
	assert_string_equal(e.msg, "");
	kill(p.pid, SIGKILL);
	reap(p.pid);
}

static void test_error_report(void **state)
{
	struct sync_msg m = {.type = SYNC_ERR};
	struct hm_proc p = stand_in();
	struct hm_err e = {0};

	(void)state;
	hm_failx(&m.err, HM_EXIT_NOT_FOUND, "exec \"nope\": not found");
	assert_int_equal(verdict(&m, sizeof(m), &p, &e), -1);
	assert_string_equal(e.msg, "exec \"nope\": not found");
	assert_int_equal(e.exit_code, HM_EXIT_NOT_FOUND);
	assert_reaped(p.pid);
}

/* A report without a message is still a failure (it was taken for an
 * exec, the start "succeeded" with a dead process). */
static void test_error_without_message(void **state)
{
	struct sync_msg m = {.type = SYNC_ERR};
	struct hm_proc p = stand_in();
	struct hm_err e = {0};

	(void)state;
	assert_int_equal(verdict(&m, sizeof(m), &p, &e), -1);
	assert_string_equal(e.msg, "the container's process failed");
	assert_int_equal(e.exit_code, HM_EXIT_FAIL);
	assert_reaped(p.pid);
}

static void test_bad_message(void **state)
{
	struct sync_msg m = {.type = 42};
	struct hm_proc p = stand_in();
	struct hm_err e = {0};

	(void)state;
	assert_int_equal(verdict(&m, sizeof(m), &p, &e), -1);
	assert_non_null(strstr(e.msg, "bad message from the container"));
	assert_reaped(p.pid);
}

/* The exec shim's report: the command's own execve failed (ENOEXEC). */
static void test_shim_report(void **state)
{
	struct exec_shim_report m = {.type = EXEC_SHIM_REPORT, .err = ENOEXEC};
	struct hm_proc p = stand_in();
	struct hm_err e = {0};

	(void)state;
	assert_int_equal(verdict(&m, sizeof(m), &p, &e), -1);
	assert_string_equal(e.msg, "exec \"cmd\": Exec format error");
	assert_int_equal(e.exit_code, HM_EXIT_CANNOT_EXEC);
	assert_reaped(p.pid);
}

/* NULL: the caller only wants the verdict. */
static void test_null_err(void **state)
{
	struct sync_msg m = {.type = SYNC_ERR};
	struct hm_proc p = stand_in();

	(void)state;
	hm_failx(&m.err, HM_EXIT_FAIL, "mount: denied");
	assert_int_equal(verdict(&m, sizeof(m), &p, NULL), -1);
	assert_reaped(p.pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eof_is_exec),
	    cmocka_unit_test(test_error_report),
	    cmocka_unit_test(test_error_without_message),
	    cmocka_unit_test(test_bad_message),
	    cmocka_unit_test(test_shim_report),
	    cmocka_unit_test(test_null_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
