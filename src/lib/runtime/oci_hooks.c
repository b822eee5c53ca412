/* SPDX-License-Identifier: MIT */
/*
 * OCI hooks (oci_runtime.h): each program runs with the container's state
 * JSON on its stdin, in the namespaces of whoever calls (the runtime for
 * prestart, createRuntime, poststart, poststop; the init for
 * createContainer and startContainer), and is killed at its timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/exec_shim.h"
#include "runtime/oci_runtime.h"

char *oci_state_text(const struct oci_state *st, const char *status)
{
	json_t *j = oci_state_json(st);
	char *s;

	json_object_set_new(j, "status", json_string(status));
	json_object_set_new(j, "pid", json_integer(st->pid));
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static __attribute__((noreturn)) void hook_child(const struct oci_hook *h,
						 int in)
{
	char *argv0[] = {h->path, NULL};
	char *envp0[] = {NULL};

	if (dup2(in, 0) < 0)
		_exit(127);
	if (in != 0)
		close(in);
	signal(SIGPIPE, SIG_DFL);
	/* in the container's mount namespace, a path of the image could be
	 * /proc/self/exe: through the shim, as the process (exec_shim.h) */
	exec_shim_exec("homo-runtime", -1, h->path,
		       h->args && h->args[0] ? h->args : argv0,
		       h->env ? h->env : envp0, NULL);
	_exit(127);
}

/* wait for @pid at most @timeout seconds (none: -1); its wait status */
static int hook_wait(pid_t pid, int64_t timeout, bool *timed_out)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), st = 0;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int ms = timeout > 0 && timeout < 2000000 ? (int)timeout * 1000 : -1;

	*timed_out = false;
	if (pidfd >= 0) {
		while (poll(&p, 1, ms) < 0 && errno == EINTR)
			;
		if (!(p.revents & POLLIN)) {
			*timed_out = true;
			kill(pid, SIGKILL);
		}
		close(pidfd);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static int hook_run(const struct oci_hook *h, const char *state,
		    struct hm_err *e)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	bool timed_out;
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "hook %s: pipe", h->path);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		hook_child(h, p[0]);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		signal(SIGPIPE, old);
		return hm_fail(e, errno, "hook %s: fork", h->path);
	}
	/* a hook that does not read its stdin is no error (EPIPE) */
	util_write_all(p[1], state, strlen(state));
	close(p[1]);
	st = hook_wait(pid, h->timeout, &timed_out);
	signal(SIGPIPE, old);
	if (timed_out)
		return hm_failx(e, 1, "hook %s: timed out after %lld s",
				h->path, (long long)h->timeout);
	if (WIFSIGNALED(st))
		return hm_failx(e, 1, "hook %s: killed by signal %d", h->path,
				WTERMSIG(st));
	if (WEXITSTATUS(st))
		return hm_failx(e, 1, "hook %s: exit status %d", h->path,
				WEXITSTATUS(st));
	return 0;
}

int oci_hooks_run(const struct oci_spec *s, enum oci_hook_kind k,
		  const char *state, struct hm_err *e)
{
	static const char *const names[OCI_HOOK_NKINDS] = {
	    "prestart",	      "createRuntime", "createContainer",
	    "startContainer", "poststart",     "poststop"};

	for (size_t i = 0; i < s->nhooks[k]; i++)
		if (hook_run(&s->hooks[k][i], state, e) < 0)
			return hm_prefix(e, "%s", names[k]);
	return 0;
}
