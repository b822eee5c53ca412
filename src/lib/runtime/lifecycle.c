/* SPDX-License-Identifier: MIT */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/monitor.h"
#include "runtime/spawn.h"

/*
 * A pidfd for the container's init, or -1 when it is not running. The
 * start time is checked after the pidfd is open: from then on the pidfd
 * names that process and no other, whatever happens to the pid.
 */
static int init_pidfd(struct hm_store *st, const char *id,
		      struct hm_state *state, struct hm_err *e)
{
	int fd;

	if (container_check(st, id, state, e) < 0)
		return -2;
	if (state->status != ST_RUNNING)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, state->pid, 0);
	if (fd < 0 && errno == ESRCH)
		return -1;
	if (fd < 0) {
		hm_fail(e, errno, "pidfd_open %d", (int)state->pid);
		return -2;
	}
	if (!state_is_alive(state)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int not_running(const char *id, struct hm_err *e)
{
	return hm_failx(e, HM_EXIT_FAIL,
			"container %.12s is not running: start it first "
			"(homo start %.12s)",
			id, id);
}

int container_kill(struct hm_store *st, const char *id, int sig,
		   struct hm_err *e)
{
	struct hm_state state;
	cleanup_close int fd = init_pidfd(st, id, &state, e);

	if (fd == -2)
		return -1;
	if (fd < 0)
		return not_running(id, e);
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
		return hm_fail(e, errno, "signal %d to container %.12s", sig,
			       id);
	return 0;
}

/* Wait up to @ms (-1: forever) for the process behind @pidfd to exit. */
static bool exited_within(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

int container_wait(struct hm_store *st, const char *id, struct hm_state *out,
		   struct hm_err *e)
{
	cleanup_close int fd = init_pidfd(st, id, out, e);

	if (fd == -2)
		return -1;
	if (fd >= 0)
		exited_within(fd, -1);
	/* its owner records the exit right after; or is gone itself */
	for (int i = 0; i < 1000; i++) {
		if (container_check(st, id, out, e) < 0)
			return -1;
		if (out->status == ST_EXITED || !state_owner_alive(out))
			return 0;
		usleep(2000);
	}
	return 0;
}

int container_stop(struct hm_store *st, const char *id, int timeout_s,
		   struct hm_err *e)
{
	cleanup_free char *marker = container_stop_marker(st, id);
	struct hm_state state;
	cleanup_close int fd = -1;
	/* tell the monitor this exit is wanted: no --restart after it (also
	 * when it is between two restarts right now) */
	int mfd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (mfd >= 0)
		close(mfd);
	fd = init_pidfd(st, id, &state, e);
	if (fd == -2)
		return -1;
	if (fd < 0) /* not running; a monitor between restarts sees the
		     * marker within 20 ms and ends */
		return container_settle(st, id, &state, e);
	if (syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) < 0 &&
	    errno != ESRCH)
		return hm_fail(e, errno, "signal container %.12s", id);
	if (!exited_within(fd, timeout_s * 1000)) {
		HM_TRACE("%.12s ignored SIGTERM for %ds: SIGKILL", id,
			 timeout_s);
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		exited_within(fd, -1);
	}
	return container_wait(st, id, &state, e);
}

int container_start_again(struct hm_store *st, const char *id, struct hm_err *e)
{
	cleanup_free char *marker = container_stop_marker(st, id);
	struct hm_state state;
	struct hm_spec s;
	int r = -1;

	cleanup_free char *cdir = container_dir(st, id);
	/* two starts of one container cannot both pass: a lock on its dir,
	 * not the store's (the monitor takes that one while it starts) */
	cleanup_close int lock = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (lock < 0)
		return hm_fail(e, errno, "open \"%s\"", cdir);
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return hm_fail(e, errno, "lock \"%s\"", cdir);
	if (container_check(st, id, &state, e) < 0)
		goto out;
	/* a monitor that just recorded the exit is still finishing up */
	if (container_settle(st, id, &state, e) < 0)
		goto out;
	if (state.status == ST_RUNNING || state_owner_alive(&state)) {
		r = 0; /* already running: nothing to do (Docker) */
		goto out;
	}
	if (container_load_spec(st, id, &s, e) < 0)
		goto out;
	unlink(marker);
	s.detach = true;
	r = monitor_start(st, &s, e);
	spec_free(&s);
out:
	return r; /* the lock goes with its fd */
}

/* The container's environment with @over's KEY=VALs replacing or added. */
static char **exec_env(char *const *base, char *const *over)
{
	char **env = NULL;

	for (size_t i = 0; base && base[i]; i++) {
		size_t klen = strcspn(base[i], "=");
		bool replaced = false;

		for (size_t k = 0; over && over[k]; k++)
			if (!strncmp(over[k], base[i], klen) &&
			    over[k][klen] == '=')
				replaced = true;
		if (!replaced)
			env = strv_push(env, base[i]);
	}
	for (size_t k = 0; over && over[k]; k++)
		env = strv_push(env, over[k]);
	return env;
}

int container_exec(struct hm_store *st, const char *id,
		   const struct exec_opts *o, int *exit_code, struct hm_err *e)
{
	struct hm_state state;
	cleanup_close int fd = init_pidfd(st, id, &state, e);
	struct hm_io io = {.in = -1, .out = -1, .err = -1, .echo = true};
	int child[3] = {-1, -1, -1};
	struct hm_spec s;
	struct hm_proc p;
	char **env;
	int r, status;

	if (fd == -2)
		return -1;
	if (fd < 0)
		return not_running(id, e);
	if (container_load_spec(st, id, &s, e) < 0)
		return -1;
	strv_free(s.argv);
	s.argv = NULL;
	for (size_t i = 0; o->argv[i]; i++)
		s.argv = strv_push(s.argv, o->argv[i]);
	env = exec_env(s.env, o->env);
	strv_free(s.env);
	s.env = env;
	if (o->workdir) {
		free(s.workdir);
		s.workdir = xstrdup(o->workdir);
	}
	if (o->user) {
		free(s.user);
		s.user = xstrdup(o->user);
	}
	s.tty = o->tty;
	s.interactive = o->interactive;
	s.init = false;
	/* pipes, as a run's: never the caller's files (spawn_stdio()) */
	r = spawn_stdio(&s, child, &io, e);
	if (r == 0)
		r = spawn_exec(&s, fd, child, &p, e);
	spawn_close3(child);
	if (r == 0) {
		status = spawn_wait(&s, &p, &io);
		*exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
						 : WEXITSTATUS(status);
	} else {
		spawn_close3((int[3]){io.in, io.out, io.err});
	}
	spec_free(&s);
	return r;
}
