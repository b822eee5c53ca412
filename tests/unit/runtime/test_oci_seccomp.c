/* SPDX-License-Identifier: MIT */
/*
 * oci_seccomp.c: profiles compiled (bad ones checked for their message),
 * then loaded for real in forked children, each child reporting what the
 * kernel did as its exit status (engines' whole profiles, the notify
 * listener and architectures: test_oci_seccomp_profiles.c).
 */
#include "oci_seccomp_unit.h"

static void test_bad_profiles(void **state)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
	    {"[]", "config.json: linux.seccomp: not an object"},
	    {"{\"defaultAction\": \"SCMP_ACT_FOO\"}",
	     "config.json: linux.seccomp.defaultAction: unknown action "
	     "\"SCMP_ACT_FOO\""},
	    {ALLOW_ALL ", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		       "\"SCMP_ACT_ERRNO\"}, {\"names\": [\"getpid\"], "
		       "\"action\": \"SCMP_ACT_BAR\"}]}",
	     "config.json: linux.seccomp.syscalls[1].action: unknown action "
	     "\"SCMP_ACT_BAR\""},
	    {ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86\", "
		       "\"SCMP_ARCH_VAX\"]}",
	     "config.json: linux.seccomp.architectures[1]: unknown "
	     "architecture \"SCMP_ARCH_VAX\""},
	    {ALLOW_ALL ", \"architectures\": [\"x86_64\"]}",
	     "linux.seccomp.architectures[0]: unknown architecture "
	     "\"x86_64\""},
	    {ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_FOO\"]}",
	     "config.json: linux.seccomp.flags[0]: unknown flag "
	     "\"SECCOMP_FILTER_FLAG_FOO\""},
	    {ALLOW_ALL
	     ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": "
	     "1, \"op\": \"SCMP_CMP_XX\"}]}]}",
	     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown "
	     "operator \"SCMP_CMP_XX\""},
	    {ALLOW_ALL
	     ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": "
	     "1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	     "linux.seccomp.syscalls[0].args[0].index: 6 out of range 0..5"},
	    {ALLOW_ALL
	     ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": "
	     "-1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	     "linux.seccomp.syscalls[0].args[0].value: not an unsigned "
	     "integer"},
	    {ALLOW_ALL
	     ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
	     "\"op\": \"SCMP_CMP_EQ\"}]}]}",
	     "linux.seccomp.syscalls[0].args[0].value: missing"},
	    {ALLOW_ALL
	     ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
	     "\"SCMP_ACT_ERRNO\", \"args\": {}}]}",
	     "linux.seccomp.syscalls[0].args: not an array"},
	    {ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], "
		       "\"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}",
	     "config.json: linux.seccomp.syscalls[0].errnoRet: not valid "
	     "with SCMP_ACT_KILL"},
	    {ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], "
		       "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}]}",
	     "linux.seccomp.syscalls[0].errnoRet: not an errno number"},
	    {ALLOW_ALL ", \"defaultErrnoRet\": 1}",
	     "config.json: linux.seccomp.defaultErrnoRet: not valid with "
	     "SCMP_ACT_ALLOW"},
	    {ALLOW_ALL ", \"syscalls\": [{\"names\": [], \"action\": "
		       "\"SCMP_ACT_ERRNO\"}]}",
	     "linux.seccomp.syscalls[0].names: missing or empty"},
	    {ALLOW_ALL
	     ", \"syscalls\": [{\"names\": [\"read\", 3], \"action\": "
	     "\"SCMP_ACT_ERRNO\"}]}",
	     "linux.seccomp.syscalls[0].names[1]: not a string"},
	    {ALLOW_ALL ", \"listenerMetadata\": \"x\"}",
	     "linux.seccomp.listenerMetadata: set without listenerPath"},
	    {"{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
	     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
	     "default action"},
	    {ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], "
		       "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
	     "linux.seccomp.listenerPath: needed by SCMP_ACT_NOTIFY"},
	    {ALLOW_ALL ", \"listenerPath\": \"/nonexistent/homo.sock\", "
		       "\"syscalls\": [{\"names\": [\"getppid\"], "
		       "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
	     "linux.seccomp.listenerPath: connect to /nonexistent/homo.sock: "
	     "No such file or directory"},
	    {ALLOW_ALL ", \"listenerPath\": \"/x\", \"syscalls\": [{\"names\": "
		       "[\"getppid\", \"sendmsg\"], "
		       "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
	     "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY on sendmsg "
	     "is not supported"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *j = parse(cases[i].json);
		struct oci_seccomp *f = (void *)1;
		struct hm_err e = {0};

		assert_int_equal(oci_seccomp_compile(j, &f, &e), -1);
		assert_null(f);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, e.msg,
				 cases[i].msg);
		json_decref(j);
	}
}

/* Names this libseccomp does not know are skipped, as runc and crun do;
 * a rule with the default action is redundant, not an error. */
static void test_good_profiles(void **state)
{
	struct oci_seccomp *f;

	(void)state;
	f = compile_ok(
	    ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86_64\", "
		      "\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", "
		      "\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_RISCV64\"], "
		      "\"listenerPath\": \"/nonexistent\", "
		      "\"syscalls\": [{\"names\": [\"no_such_call_homo\", "
		      "\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}, "
		      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		      "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_LOG\", "
		      "\"comment\": \"unknown keys ignored\"}]}");
	/* listenerPath without a NOTIFY rule is ignored, as the spec says */
	assert_false(oci_seccomp_notifies(f));
	assert_int_equal(oci_seccomp_keep_fd(f), -1);
	oci_seccomp_free(f);
	oci_seccomp_free(NULL);
}

static int errno_child(void)
{
	CHECK(err_of(SYS_getppid, 0, 0) == ENOMSG, 1);
	CHECK(err_of(SYS_getpgrp, 0, 0) == EPERM, 2); /* the default */
	CHECK(err_of(SYS_getpid, 0, 0) == 0, 3);
	return 0;
}

static void test_errno_ret(void **state)
{
	(void)state;
	assert_exit0(run_filtered(
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
		      "\"SCMP_ACT_ERRNO\", \"errnoRet\": 42}, {\"names\": "
		      "[\"getpgrp\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	    errno_child));
}

static int personality_child(void)
{
	CHECK(personality(0xffffffff) >= 0, 1);
	CHECK(personality(PER_LINUX32) == -1 && errno == EPERM, 2);
	CHECK(personality(PER_LINUX) == -1 && errno == EPERM, 3);
	return 0;
}

/* personality(0xffffffff), the query, allowed; setting refused */
static void test_arg_condition(void **state)
{
	(void)state;
	assert_exit0(run_filtered(
	    ALLOW_ALL
	    ", \"syscalls\": [{\"names\": [\"personality\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
	    "\"value\": 4294967295, \"op\": \"SCMP_CMP_NE\"}]}]}",
	    personality_child));
}

/* These calls ignore their arguments: safe to pass any. */
static int operators_child(void)
{
	CHECK(err_of(SYS_getuid, 9, 0) == 11 && !err_of(SYS_getuid, 10, 0), 1);
	CHECK(err_of(SYS_getgid, 10, 0) == 12 && !err_of(SYS_getgid, 11, 0), 2);
	CHECK(err_of(SYS_geteuid, 10, 0) == 13 && !err_of(SYS_geteuid, 9, 0),
	      3);
	CHECK(err_of(SYS_getegid, 11, 0) == 14 && !err_of(SYS_getegid, 10, 0),
	      4);
	CHECK(err_of(SYS_getppid, 10, 0) == 15 && !err_of(SYS_getppid, 11, 0),
	      5);
	CHECK(err_of(SYS_getpgrp, 11, 0) == 16 && !err_of(SYS_getpgrp, 10, 0),
	      6);
	/* MASKED_EQ: (a0 & 0xf0) == 0x30 */
	CHECK(err_of(SYS_sched_yield, 0x3f, 0) == 17, 7);
	CHECK(err_of(SYS_sched_yield, 0x135, 0) == 17, 8);
	CHECK(err_of(SYS_sched_yield, 0x40, 0) == 0, 9);
	return 0;
}

#define RULE(name, errno_, op, v)                                             \
	"{\"names\": [\"" name "\"], \"action\": \"SCMP_ACT_ERRNO\", "        \
	"\"errnoRet\": " #errno_ ", \"args\": [{\"index\": 0, \"value\": " #v \
	", \"op\": \"SCMP_CMP_" op "\"}]}"

/* clang-format off */
static const char operators_profile[] = ALLOW_ALL ", \"syscalls\": ["
	RULE("getuid", 11, "LT", 10) ","
	RULE("getgid", 12, "LE", 10) ","
	RULE("geteuid", 13, "GE", 10) ","
	RULE("getegid", 14, "GT", 10) ","
	RULE("getppid", 15, "EQ", 10) ","
	RULE("getpgrp", 16, "NE", 10) ","
	"{\"names\": [\"sched_yield\"], \"action\": \"SCMP_ACT_ERRNO\", "
	"\"errnoRet\": 17, \"args\": [{\"index\": 0, \"value\": 240, "
	"\"valueTwo\": 48, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
/* clang-format on */

static void test_operators(void **state)
{
	(void)state;
	assert_exit0(run_filtered(operators_profile, operators_child));
}

static int same_index_child(void)
{
	/* a0 >= 5 OR a0 <= 3: two rules, as runc makes them */
	CHECK(err_of(SYS_getuid, 4, 0) == 0, 1);
	CHECK(err_of(SYS_getuid, 6, 0) == 20, 2);
	CHECK(err_of(SYS_getuid, 2, 0) == 20, 3);
	/* a0 == 1 AND a1 == 2: one rule */
	CHECK(err_of(SYS_getgid, 1, 2) == 21, 4);
	CHECK(err_of(SYS_getgid, 1, 3) == 0, 5);
	CHECK(err_of(SYS_getgid, 0, 2) == 0, 6);
	/* seven values of one argument: more rules than arguments */
	for (long v = 100; v < 107; v++)
		CHECK(err_of(SYS_getegid, v, 0) == 22, 7);
	CHECK(err_of(SYS_getegid, 107, 0) == 0, 8);
	return 0;
}

#define EQ0(v) "{\"index\": 0, \"value\": " #v ", \"op\": \"SCMP_CMP_EQ\"}, "

static void test_several_args(void **state)
{
	(void)state;
	assert_exit0(run_filtered(
	    ALLOW_ALL
	    ", \"syscalls\": [{\"names\": [\"getuid\"], \"action\": "
	    "\"SCMP_ACT_ERRNO\", \"errnoRet\": 20, \"args\": ["
	    "{\"index\": 0, \"value\": 5, \"op\": \"SCMP_CMP_GE\"}, "
	    "{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_LE\"}]}, "
	    "{\"names\": [\"getgid\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": 21, \"args\": ["
	    "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, "
	    "{\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}, "
	    "{\"names\": [\"getegid\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": 22, \"args\": [" EQ0(100) EQ0(101) EQ0(102) EQ0(103)
		EQ0(104) EQ0(105) "{\"index\": 0, \"value\": 106, \"op\": "
				  "\"SCMP_CMP_EQ\"}]}]}",
	    same_index_child));
}

static int allow_list_child(void)
{
	CHECK(err_of(SYS_getppid, 0, 0) == 0, 1);
	CHECK(err_of(SYS_getuid, 0, 0) == ENOSYS, 2);
	CHECK(err_of(SYS_getpid, 0, 0) == ENOSYS, 3);
	return 0;
}

/* Podman's shape: everything refused with ENOSYS but a list */
static void test_default_errno_allow_list(void **state)
{
	(void)state;
	assert_exit0(run_filtered(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, "
	    "\"syscalls\": [{\"names\": [\"exit_group\", \"exit\", "
	    "\"getppid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
	    allow_list_child));
}

static int getppid_child(void)
{
	syscall(SYS_getppid);
	return 0;
}

static void test_kill(void **state)
{
	static const char *const acts[] = {
	    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		cleanup_free char *p = xasprintf(
		    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], "
			      "\"action\": \"%s\"}]}",
		    acts[i]);
		int st = run_filtered(p, getppid_child);

		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
			fail_msg("%s: wait status %#x", acts[i], st);
	}
}

static volatile sig_atomic_t trapped;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped = si->si_code == SYS_SECCOMP && si->si_syscall == SYS_getppid;
}

static int trap_child(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys,
			       .sa_flags = SA_SIGINFO};

	CHECK(sigaction(SIGSYS, &sa, NULL) == 0, 1);
	syscall(SYS_getppid);
	return trapped ? 0 : 2;
}

static pid_t test_pid;

/* LOG lets the call through (the kernel logs it); TRACE without a tracer
 * fails it with ENOSYS */
static int log_trace_child(void)
{
	CHECK(syscall(SYS_getppid) == test_pid, 1);
	CHECK(err_of(SYS_getpgrp, 0, 0) == ENOSYS, 2);
	return 0;
}

static void test_trap_log_trace(void **state)
{
	(void)state;
	test_pid = getpid();
	assert_exit0(run_filtered(
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": "
		      "\"SCMP_ACT_TRAP\"}]}",
	    trap_child));
	assert_exit0(run_filtered(
	    ALLOW_ALL
	    ", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
	    "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": ["
	    "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_LOG\"}, "
	    "{\"names\": [\"getpgrp\"], \"action\": \"SCMP_ACT_TRACE\", "
	    "\"errnoRet\": 7}]}",
	    log_trace_child));
}

static int tsync_pipe[2];
static int thread_err = -1;

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	if (read(tsync_pipe[0], &c, 1) == 1)
		thread_err = err_of(SYS_getppid, 0, 0);
	return NULL;
}

/* A thread started before the load; what getppid gives it after. */
static int tsync_status(const char *flags)
{
	cleanup_free char *p = xasprintf(
	    ALLOW_ALL ", \"flags\": [%s], \"syscalls\": [{\"names\": "
		      "[\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", "
		      "\"errnoRet\": 33}]}",
	    flags);
	struct oci_seccomp *f = compile_ok(p);
	pid_t pid = fork();

	if (pid == 0) {
		struct hm_err e;
		pthread_t t;

		if (pipe(tsync_pipe) < 0 ||
		    pthread_create(&t, NULL, thread_main, NULL) ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    oci_seccomp_load(f, &e) < 0 ||
		    write(tsync_pipe[1], "x", 1) != 1 || pthread_join(t, NULL))
			_exit(99);
		_exit(thread_err);
	}
	oci_seccomp_free(f);
	return status_of(pid);
}

static void test_tsync(void **state)
{
	int st;

	(void)state;
	st = tsync_status("\"SECCOMP_FILTER_FLAG_TSYNC\"");
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 33);
	/* the control: without TSYNC the other thread is not filtered */
	st = tsync_status("");
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static bool has(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i,
			   v) if (!strcmp(json_string_value(v), s)) return true;
	return false;
}

/* `features`: what this build and kernel support, runc's shape */
static void test_features(void **state)
{
	json_t *f = oci_seccomp_features();
	json_t *known = json_object_get(f, "knownFlags");
	json_t *supp = json_object_get(f, "supportedFlags"), *v;
	size_t i;

	(void)state;
	assert_true(json_is_true(json_object_get(f, "enabled")));
	assert_int_equal(json_array_size(json_object_get(f, "actions")), 9);
	assert_true(has(json_object_get(f, "actions"), "SCMP_ACT_NOTIFY"));
	assert_int_equal(json_array_size(json_object_get(f, "operators")), 7);
	assert_true(has(json_object_get(f, "archs"), "SCMP_ARCH_X86_64"));
	assert_true(has(json_object_get(f, "archs"), "SCMP_ARCH_AARCH64"));
	assert_false(has(json_object_get(f, "archs"), "SCMP_ARCH_VAX"));
	assert_int_equal(json_array_size(known), 4);
	assert_true(has(supp, "SECCOMP_FILTER_FLAG_TSYNC"));
	json_array_foreach(supp, i, v)
	    assert_true(has(known, json_string_value(v)));
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_profiles),
	    cmocka_unit_test(test_good_profiles),
	    cmocka_unit_test(test_errno_ret),
	    cmocka_unit_test(test_arg_condition),
	    cmocka_unit_test(test_operators),
	    cmocka_unit_test(test_several_args),
	    cmocka_unit_test(test_default_errno_allow_list),
	    cmocka_unit_test(test_kill),
	    cmocka_unit_test(test_trap_log_trace),
	    cmocka_unit_test(test_tsync),
	    cmocka_unit_test(test_features),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
