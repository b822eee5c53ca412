/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the oci_seccomp.c unit tests: compile a profile from JSON
 * text, load it in a forked child and read what the child reported.
 */
#ifndef HOMO_OCI_SECCOMP_UNIT_H
#define HOMO_OCI_SECCOMP_UNIT_H

#include "unit.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/oci_seccomp.h"
#include "runtime/seccomp.h"
#if defined(__x86_64__)
#define NATIVE SECCOMP_X86_64
#elif defined(__aarch64__)
#define NATIVE SECCOMP_AARCH64
#else
#define NATIVE 0u
#endif

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static inline json_t *parse(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (!j)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return j;
}

static inline struct oci_seccomp *compile_json(json_t *j)
{
	struct hm_err e = {0};
	struct oci_seccomp *f = NULL;

	if (oci_seccomp_compile(j, &f, &e) < 0)
		fail_msg("compile: %s", e.msg);
	assert_non_null(f);
	return f;
}

static inline struct oci_seccomp *compile_ok(const char *text)
{
	json_t *j = parse(text);
	struct oci_seccomp *f = compile_json(j);

	json_decref(j);
	return f;
}

#define ALLOW_ALL "{\"defaultAction\": \"SCMP_ACT_ALLOW\""

/* What a call returned: 0 or its errno. */
static inline int err_of(long nr, long a0, long a1)
{
	return syscall(nr, a0, a1, 0, 0, 0, 0) < 0 ? errno : 0;
}

#define CHECK(cond, code)              \
	do {                           \
		if (!(cond))           \
			return (code); \
	} while (0)

static inline int status_of(pid_t pid)
{
	int st = -1;

	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

/*
 * Load @f in a forked child (no_new_privs first, as an unprivileged
 * container would) and run @fn there; its return is the child's exit
 * status (99: the load failed). Frees @f; returns the wait status.
 */
static inline int run_loaded(struct oci_seccomp *f, int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		struct hm_err e;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    oci_seccomp_load(f, &e) < 0)
			_exit(99);
		_exit(fn());
	}
	oci_seccomp_free(f);
	return status_of(pid);
}

/* run_loaded() with @text's filter */
static inline int run_filtered(const char *text, int (*fn)(void))
{
	return run_loaded(compile_ok(text), fn);
}

static inline void assert_exit0(int st)
{
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: %s %d", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

#endif
