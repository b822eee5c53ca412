/* SPDX-License-Identifier: MIT */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/number.h"
#include "base/signame.h"
#include "base/util.h"
#include "runtime/control.h"
#include "runtime/monitor.h"
#include "runtime/seccomp.h"
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
	char num[16];

	if (fd == -2)
		return -1;
	if (fd < 0)
		return not_running(id, e);
	container_thaw_paused(st, id);
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
		return hm_fail(e, errno, "signal %d to container %.12s", sig,
			       id);
	snprintf(num, sizeof(num), "%d", sig);
	container_event(st, id, "kill", "signal", num);
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

/* ---- the stop marker (container.h) ---- */

static char *marker_text(pid_t pid)
{
	unsigned long long start = util_proc_starttime(pid);

	return start ? xasprintf("%d:%llu", (int)pid, start) : NULL;
}

/* The marker's text if its maker lives, else NULL. */
static char *marker_maker(const struct hm_store *st, const char *id)
{
	cleanup_free char *marker = container_stop_marker(st, id);
	cleanup_free char *now = NULL;
	char buf[64], pid[16];
	ssize_t n = readlink(marker, buf, sizeof(buf) - 1);
	size_t len;
	uint64_t v;

	/* none, or an old homo's empty file: no maker to ask */
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	len = strcspn(buf, ":");
	if (len >= sizeof(pid))
		return NULL;
	memcpy(pid, buf, len);
	pid[len] = '\0';
	if (num_parse_u64(pid, 1, INT32_MAX, &v) < 0)
		return NULL;
	/* the same pid with another start time is a stranger */
	now = marker_text((pid_t)v);
	return now && !strcmp(now, buf) ? steal_ptr(&now) : NULL;
}

bool container_stop_requested(const struct hm_store *st, const char *id)
{
	cleanup_free char *maker = marker_maker(st, id);

	return maker != NULL;
}

void container_mark_stop(const struct hm_store *st, const char *id)
{
	cleanup_free char *marker = container_stop_marker(st, id);
	cleanup_free char *text = marker_text(getpid());
	cleanup_free char *maker = NULL;

	/* a symlink: made whole in one call, and no data block to get on
	 * a full disk */
	if (!text || symlink(text, marker) == 0 || errno != EEXIST)
		return;
	maker = marker_maker(st, id);
	if (maker) /* another stop at it: its marker serves us both */
		return;
	unlink(marker); /* a dead maker's */
	if (symlink(text, marker) < 0) {
		/* a stop without a marker still stops */
	}
}

void container_unmark_stop(const struct hm_store *st, const char *id)
{
	cleanup_free char *marker = container_stop_marker(st, id);
	cleanup_free char *text = marker_text(getpid());
	cleanup_free char *maker = marker_maker(st, id);

	if (maker && text && !strcmp(maker, text))
		unlink(marker);
}

/* ---- wait, stop ---- */

/* ---- the exit codes of removed --rm containers ---- */

/* how long "homo wait ID" finds the code of a --rm container it missed */
#define KEEP_EXIT_S 600
/* how often at most the codes nobody asked for are swept */
#define SWEEP_EXITS_S 60

/*
 * Whether the sweep is due: <dir>/.swept's time is the last one's, and is
 * set now if so. A --rm run then pays one stat, not one per code kept (600
 * in ten minutes of a start a second).
 */
static bool sweep_due(const char *dir, time_t now)
{
	cleanup_free char *stamp = xasprintf("%s/.swept", dir);
	struct stat sb;
	int fd;

	if (stat(stamp, &sb) == 0 && sb.st_mtime <= now &&
	    sb.st_mtime + SWEEP_EXITS_S > now)
		return false;
	fd = open(stamp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
	return true;
}

void container_keep_exit(struct hm_store *st, const char *id, int code)
{
	cleanup_free char *dir = store_path(st, "exits");
	cleanup_free char *path = store_path(st, "exits/%s", id);
	time_t now = time(NULL);
	struct dirent *de;
	char text[16];
	DIR *d = NULL;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	/* the codes nobody asked for in time go: the directory stays small */
	if (sweep_due(dir, now))
		d = opendir(dir);
	while (d && (de = readdir(d))) {
		struct stat sb;

		if (de->d_name[0] != '.' &&
		    fstatat(dirfd(d), de->d_name, &sb, 0) == 0 &&
		    sb.st_mtime + KEEP_EXIT_S < now)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
	snprintf(text, sizeof(text), "%d\n", code);
	util_write_file_atomic(path, text, strlen(text), false, NULL);
}

int container_kept_exit(struct hm_store *st, const char *id, int *code)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	int64_t v;

	if (!container_is_id(id))
		return -1;
	path = store_path(st, "exits/%s", id);
	text = util_read_file(path, NULL, NULL);
	if (!text || !strchr(text, '\n'))
		return -1;
	*strchr(text, '\n') = '\0';
	if (num_parse_i64(text, INT32_MIN, INT32_MAX, &v) < 0)
		return -1;
	*code = (int)v;
	return 0;
}

/*
 * A failure of @e because the container is gone: a --rm container's kept
 * exit code in @out (0), else "no such container" and errnum ENOENT.
 */
static int wait_failed(struct hm_store *st, const char *id,
		       struct hm_state *out, struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, id);

	if (access(cdir, F_OK) == 0 || errno != ENOENT)
		return -1;
	if (container_kept_exit(st, id, &out->exit_code) == 0) {
		out->status = ST_EXITED;
		return 0;
	}
	hm_failx(e, HM_EXIT_FAIL, "%s: no such container (see 'homo ps -a')",
		 id);
	if (e)
		e->errnum = ENOENT;
	return -1;
}

int container_wait(struct hm_store *st, const char *id, struct hm_state *out,
		   struct hm_err *e)
{
	cleanup_close int fd = init_pidfd(st, id, out, e);
	unsigned long long start = out->starttime;

	if (fd == -2)
		return wait_failed(st, id, out, e);
	if (fd >= 0)
		exited_within(fd, -1);
	/* its owner records the exit right after; or is gone itself; or it
	 * runs again (a restart) */
	for (int i = 0; i < 2500; i++) {
		if (container_check(st, id, out, e) < 0)
			return wait_failed(st, id, out, e);
		if (out->status != ST_RUNNING || !state_owner_alive(out) ||
		    out->starttime != start || state_is_alive(out))
			return 0;
		usleep(2000);
	}
	/* its monitor keeps the exit and retries: no stale code from us */
	return hm_failx(e, HM_EXIT_FAIL,
			"container %.12s exited, but its exit could not be "
			"recorded in its state.json yet (is the store's disk "
			"full?): its monitor keeps trying",
			id);
}

/* The container's --stop-signal or its image's STOPSIGNAL, else SIGTERM. */
static int stop_signal_of(const struct hm_store *st, const char *id)
{
	cleanup_spec struct hm_spec sp = {0};
	int sig = SIGTERM;

	if (container_load_spec(st, id, &sp, NULL) == 0 && sp.stop_signal &&
	    *sp.stop_signal && signal_parse(sp.stop_signal, &sig) < 0)
		sig = SIGTERM;
	return sig;
}

/* The stop signal, SIGKILL after @timeout_s, and the exit recorded. */
static int stop_init(struct hm_store *st, const char *id, int fd, int timeout_s,
		     struct hm_err *e)
{
	struct hm_state state;
	int sig = stop_signal_of(st, id);

	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 &&
	    errno != ESRCH)
		return hm_fail(e, errno, "signal container %.12s", id);
	container_event(st, id, "kill", "signal", "15");
	FAULT_POINT("stop-mid-wait");
	/* a negative timeout waits for ever (Docker's stop -t -1) */
	if (!exited_within(fd, timeout_s < 0 ? -1 : timeout_s * 1000)) {
		HM_TRACE("%.12s ignored signal %d for %ds: SIGKILL", id, sig,
			 timeout_s);
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		exited_within(fd, -1);
	}
	/* gone: --rm removed it, the stop is done */
	if (container_wait(st, id, &state, e) < 0)
		return e && e->errnum == ENOENT ? 0 : -1;
	/* the monitor is done with the marker once it ends (or removed the
	 * container: --rm) */
	container_settle(st, id, &state, &(struct hm_err){0});
	return 0;
}

static int stop_marked(struct hm_store *st, const char *id, int timeout_s,
		       struct hm_err *e)
{
	struct hm_state state;

	for (int i = 0; i < 100; i++) {
		cleanup_close int fd = init_pidfd(st, id, &state, e);

		if (fd == -2)
			return -1;
		if (fd >= 0) {
			container_thaw_paused(st, id);
			if (stop_init(st, id, fd, timeout_s, e) < 0)
				return -1;
			container_event(st, id, "stop", NULL, NULL);
			return 0;
		}
		/* not running; a monitor between restarts sees the marker
		 * within 20 ms and ends; one starting it again right now
		 * has it running in the next round */
		if (container_settle(st, id, &state, e) < 0)
			return -1;
		if (!state_owner_alive(&state))
			return 0;
		usleep(10000);
	}
	return 0;
}

int container_stop(struct hm_store *st, const char *id, int timeout_s,
		   struct hm_err *e)
{
	int r;

	/* tell the monitor this exit is wanted: no --restart after it (also
	 * when it is between two restarts right now); only while we live */
	container_mark_stop(st, id);
	r = stop_marked(st, id, timeout_s, e);
	container_unmark_stop(st, id);
	return r;
}

int container_disown(struct hm_store *st, const char *id, struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, id);
	struct hm_state state;

	if (state_load(cdir, &state, e) < 0)
		return -1;
	state.owner = 0;
	state.owner_start = 0;
	return state_save(cdir, &state, e);
}

int container_start_again(struct hm_store *st, const char *id, struct hm_err *e)
{
	return container_start_attached(st, id, -1, e);
}

int container_start_attached(struct hm_store *st, const char *id, int client_fd,
			     struct hm_err *e)
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
	r = monitor_start_attached(st, &s, client_fd, e);
	client_fd = -1; /* the monitor's */
	spec_free(&s);
out:
	if (client_fd >= 0)
		close(client_fd);
	return r; /* the lock goes with its fd */
}

/*
 * At boot, as Docker's daemon start: always, whatever stopped it;
 * unless-stopped unless the user did; on-failure after a failure that was
 * not the user's stop, within its maximum.
 */
static bool boot_wanted(const struct hm_spec *s, const struct hm_state *st)
{
	const char *p = s->restart ? s->restart : "no";

	if (!strcmp(p, "always"))
		return true;
	if (!strcmp(p, "unless-stopped"))
		return !st->user_stopped;
	if (!strcmp(p, "on-failure"))
		return !st->user_stopped && st->exit_code != 0 &&
		       (s->restart_max == 0 ||
			st->restart_count < s->restart_max);
	return false;
}

int container_boot(struct hm_store *st, const char *id, struct hm_err *e)
{
	struct hm_state state;
	struct hm_spec s;
	int r = BOOT_NONE;

	/* a dead monitor (a reboot, a kill) is reconciled here first */
	if (container_check(st, id, &state, e) < 0)
		return -1;
	if (state.status == ST_RUNNING || state_owner_alive(&state))
		return BOOT_NONE; /* running, or its homo is at work */
	if (container_idle(&state))
		return BOOT_NONE; /* never started (create): as Docker's */
	if (container_load_spec(st, id, &s, e) < 0)
		return -1;
	if (s.rm)
		r = container_remove(st, id, false, e) < 0 ? -1 : BOOT_REMOVED;
	else if (boot_wanted(&s, &state))
		r = container_start_again(st, id, e) < 0 ? -1 : BOOT_STARTED;
	spec_free(&s);
	return r;
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
	if (container_paused(st, id))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is paused: unpause it before "
				"exec (homo unpause %.12s)",
				id, id);
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
	/* the init's filter, compiled before the fork: the child loads it */
	r = seccomp_prepare_store(st, &s, e);
	/* pipes, as a run's: never the caller's files (spawn_stdio()) */
	if (r == 0)
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
