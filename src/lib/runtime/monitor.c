/* SPDX-License-Identifier: MIT */
#include "runtime/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/memshed.h"
#include "base/util.h"
#include "runtime/attach.h"
#include "runtime/logs.h"
#include "runtime/spawn.h"

bool restart_wanted(const struct hm_spec *s, int code, int restarts)
{
	const char *p = s->restart ? s->restart : "no";

	if (!strcmp(p, "always") || !strcmp(p, "unless-stopped"))
		return true;
	if (!strcmp(p, "on-failure"))
		return code != 0 &&
		       (s->restart_max == 0 || restarts < s->restart_max);
	return false;
}

/* The start's outcome, from the monitor to the homo that forked it. */
struct start_report {
	int failed; /* the status; err says why */
	struct hm_err err;
};

static void report(int *fd, const struct hm_err *e)
{
	struct start_report r = {.failed = e != NULL};

	if (*fd < 0)
		return;
	if (e)
		r.err = *e;
	if (write(*fd, &r, sizeof(r)) < 0) {
		/* the parent is gone: nobody to tell */
	}
	close(*fd);
	*fd = -1;
}

/*
 * A homo stop at it now? Then its exit was the user's wish: recorded, so
 * that unless-stopped keeps it down at boot.
 */
static bool stop_wanted(struct hm_store *st, const char *id)
{
	cleanup_free char *cdir = container_dir(st, id);
	struct hm_state state;
	struct hm_err w;

	if (access(cdir, F_OK) < 0)
		return true; /* removed */
	if (!container_stop_requested(st, id))
		return false;
	if (state_load(cdir, &state, &w) == 0 && !state.user_stopped) {
		state.user_stopped = true;
		if (state_save(cdir, &state, &w) < 0)
			hm_warn(&w);
	}
	return true;
}

/*
 * Docker's back-off: 100 ms doubling, at most a minute; cut short by a
 * homo stop meanwhile (the marker). Return: false when stopped.
 */
static bool backoff(struct hm_store *st, const char *id, int restarts)
{
	long ms = 100L << (restarts < 10 ? restarts : 10);

	if (ms > 60000)
		ms = 60000;
	for (; ms > 0; ms -= 20) {
		if (stop_wanted(st, id))
			return false;
		usleep(20000);
	}
	return !stop_wanted(st, id);
}

/*
 * The exit could not be written (a full disk). We keep the true code and
 * stay its owner meanwhile: were we gone, the next command would record
 * "killed, 137"; homo stop and wait say it is not recorded yet.
 */
static void record_until_saved(struct hm_store *st, const char *id,
			       const struct hm_state *state)
{
	cleanup_free char *cdir = container_dir(st, id);
	struct hm_err w;

	for (long ms = 100;; ms = ms < 1000 ? ms * 2 : 1000) {
		usleep((useconds_t)ms * 1000);
		if (access(cdir, F_OK) < 0 || state_save(cdir, state, &w) == 0)
			return; /* removed meanwhile (rm -f), or recorded */
	}
}

static void null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(fd, i); /* dup2 clears CLOEXEC on the copies */
	close(fd);
}

static void close_pipes(const int out[2], const int err[2], const int in[2])
{
	close(out[0]);
	close(out[1]);
	close(err[0]);
	close(err[1]);
	if (in[0] >= 0) {
		close(in[0]);
		close(in[1]);
	}
}

/* The container's stdio: pipes for stdout, stderr and, with -i, stdin
 * (homo attach feeds it); with -t its pty, none. */
static int monitor_pipes(const struct hm_spec *s, int out[2], int err[2],
			 int in[2], int stdio[3], struct hm_io *io)
{
	in[0] = in[1] = -1;
	if (s->tty)
		return 0;
	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (s->interactive && pipe2(in, O_CLOEXEC) < 0) {
		in[0] = in[1] = -1;
		close_pipes(out, err, in);
		return -1;
	}
	stdio[0] = in[0], stdio[1] = out[1], stdio[2] = err[1];
	io->in = in[1], io->out = out[0], io->err = err[0];
	return 0;
}

/*
 * Once the container has run quiet for SHED_IDLE_MS (after the start, and
 * after each restart), the monitor gives back the code it ran to start it:
 * shared page cache that fault-around mapped 64 KiB a fault, most of its
 * resident set (2.1 MiB to 0.9-1.2, docs/performance.md). After a quiet
 * second, not at once: the start's report is on the path of run -d, and
 * the shed, run beside homo's exit, cost it 1.5-3 ms on two CPUs.
 */
#define SHED_IDLE_MS 1000

static void shed(void)
{
	/* best effort, and nothing to report to */
	mem_shed_file_pages(NULL);
}

__attribute__((noreturn)) static void monitor_main(struct hm_store *st,
						   struct hm_spec *s,
						   int report_fd, int client_fd)
{
	cleanup_free char *cdir = container_dir(st, s->id);
	struct hm_log log = {.fd = -1};
	struct hm_err e = {0};
	struct hm_attach att;
	int restarts = 0, code = 0;

	attach_init(&att, client_fd);
	prctl(PR_SET_NAME, "homo-monitor");
	/* it lives as long as the container: give back what the parent's
	 * work left in the heap */
	malloc_trim(0);
	/* orphans of the container's processes are ours to reap, not init's */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (log_open(&log, cdir, s->log_max, &e) < 0) {
		report(&report_fd, &e);
		_exit(HM_EXIT_FAIL);
	}
	for (;;) {
		int out[2], err[2], in[2], stdio[3] = {-1, -1, -1};
		struct hm_io io = {.in = -1,
				   .out = -1,
				   .err = -1,
				   .log = &log,
				   .attach = &att,
				   .on_idle = shed,
				   .idle_ms = SHED_IDLE_MS};
		struct hm_state xs;
		struct hm_proc p;

		if (monitor_pipes(s, out, err, in, stdio, &io) < 0) {
			hm_fail(&e, errno, "pipe");
			report(&report_fd, &e);
			_exit(HM_EXIT_FAIL);
		}
		if (container_start(st, s, stdio, &p, &e) < 0) {
			/* recorded in state.json by container_start */
			bool first = report_fd >= 0;

			report(&report_fd, &e);
			if (!s->tty)
				close_pipes(out, err, in);
			/* the first start's failure is the user's (run -d
			 * prints it); a restart's is retried like an exit */
			if (first) {
				/* run -d removes it (--rm): it owns the record
				 * and would wait for us, still its owner */
				log_close(&log);
				attach_close(&att);
				_exit(0);
			}
			if (!restart_wanted(s, e.exit_code, restarts) ||
			    !backoff(st, s->id, restarts++))
				break;
			hm_clear(&e);
			continue;
		}
		report(&report_fd, NULL);
		attach_listen(&att, st, s->id);
		if (!s->tty) {
			close(out[1]);
			close(err[1]);
			if (in[0] >= 0)
				close(in[0]);
		}
		/* spawn_wait closes the read ends */
		if (container_stopped(st, s, spawn_wait(s, &p, &io), restarts,
				      &xs, &e) < 0)
			record_until_saved(st, s->id, &xs);
		hm_clear(&e);
		/* the socket went with the runtime dir: none until a restart */
		if (att.listen_fd >= 0)
			close(att.listen_fd);
		att.listen_fd = -1;
		code = xs.exit_code;
		/* homo stop / rm -f asked for it: no restart */
		if (xs.user_stopped ||
		    !restart_wanted(s, xs.exit_code, restarts))
			break;
		attach_exit(&att, code); /* an attach ends with each run */
		if (!backoff(st, s->id, restarts++))
			break;
	}
	log_close(&log);
	if (s->rm && container_remove(st, s->id, false, &e) < 0)
		hm_warn(&e);
	/* last: a run -it --rm that returns finds it removed */
	attach_exit(&att, code);
	_exit(0);
}

static int monitor_launch(struct hm_store *st, struct hm_spec *s, int client_fd,
			  struct hm_err *e)
{
	struct start_report r;
	int fds[2];
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return hm_fail(e, errno, "fork the monitor");
	}
	if (pid == 0) {
		close(fds[0]);
		/* nothing of the parent's lives on in us: no lock (a flock
		 * belongs to the open file, which we would share), no fd */
		store_unlock(st);
		/* stdio too: null_stdio() makes them anew */
		util_close_all_but(fds[1], client_fd >= 0 ? client_fd : fds[1]);
		setsid();
		null_stdio();
		monitor_main(st, s, fds[1], client_fd);
	}
	close(fds[1]);
	if (client_fd >= 0)
		close(client_fd); /* the monitor's now */
	do
		n = read(fds[0], &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	/* the monitor lives on; reaped by init once we exit */
	if (n != (ssize_t)sizeof(r))
		return hm_failx(e, HM_EXIT_FAIL,
				"the monitor of %.12s died before the start",
				s->id);
	if (!r.failed)
		return 0;
	r.err.msg[sizeof(r.err.msg) - 1] = '\0';
	if (!r.err.exit_code)
		r.err.exit_code = HM_EXIT_FAIL;
	if (!r.err.msg[0])
		hm_failx(&r.err, r.err.exit_code,
			 "the monitor of %.12s could not start it", s->id);
	if (e)
		*e = r.err;
	return -1;
}

int monitor_start(struct hm_store *st, struct hm_spec *s, struct hm_err *e)
{
	return monitor_start_attached(st, s, -1, e);
}

int monitor_start_attached(struct hm_store *st, struct hm_spec *s,
			   int client_fd, struct hm_err *e)
{
	struct hm_err w;

	if (monitor_launch(st, s, client_fd, e) == 0)
		return 0;
	/* the first start failed (or the monitor never made it there): the
	 * monitor left the container to us, its owner since create */
	if (s->rm && container_remove(st, s->id, false, &w) < 0)
		hm_warn(&w);
	return -1;
}
