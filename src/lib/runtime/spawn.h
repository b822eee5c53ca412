/* SPDX-License-Identifier: MIT */
/*
 * The parent side of a run or an exec (spawn.c): clone the process into
 * the container's namespaces, release it, wait for it. The protocol it
 * speaks with the child is init.h's.
 */
#ifndef HOMO_SPAWN_H
#define HOMO_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "runtime/init.h"
#include "runtime/logs.h"
#include "runtime/spec.h"

struct hm_proc {
	pid_t pid; /* container init, host pid */
	unsigned long long starttime;
	int pty_master; /* -1 without -t */
	sigset_t oldmask;
};

/**
 * spawn_start() - clone the container init into its namespaces, put it in
 * its cgroups, let it set itself up and exec. Returns once it exec'd (EOF
 * on the CLOEXEC sync socket) or failed (the init's error in @e).
 */
int spawn_start(struct init_args *a, struct hm_proc *p, struct hm_err *e);

/**
 * spawn_exec() - start a process in the running container @pidfd refers to
 * (homo exec): it joins the container's namespaces (through the pidfd: no
 * pid-reuse window) and cgroups and becomes @s's command like the init,
 * with @stdio (spawn_stdio()) on its fds 0-2 (-1: keep). Returns once it
 * exec'd or failed (its error in @e).
 */
int spawn_exec(const struct hm_spec *s, int pidfd, const int stdio[3],
	       struct hm_proc *p, struct hm_err *e);

/*
 * Where the container's stdio go while homo waits: the user's stdio
 * (@echo), the log, or both. @out/@err are the read ends of the
 * container's stdout/stderr pipes, @in the write end of its stdin pipe
 * (-i), -1 each when there is none (with -t: its pty).
 */
struct hm_attach;

struct hm_io {
	int in, out, err;
	bool echo;
	struct hm_log *log;
	struct hm_attach *attach; /* a monitor's attach clients, or NULL */
	/* called once, when nothing has come for @idle_ms (a monitor sheds
	 * its code then: off the start's path, and only once it is idle) */
	void (*on_idle)(void);
	int idle_ms;
};

/**
 * spawn_stdio() - the pipes a foreground run or exec relays: the container
 * never gets a file of the caller's, which it could reopen through
 * /proc/self/fd (truncate, chmod, read back). @child: what becomes its
 * fds 0-2 (stdin -1 without -i: /dev/null); @io: homo's ends. With -t
 * none: its own pty.
 */
int spawn_stdio(const struct hm_spec *s, int child[3], struct hm_io *io,
		struct hm_err *e);

/** spawn_close3() - close the fds of @fds that are open, set them -1. */
void spawn_close3(int fds[3]);

/* The most one splice moves: a whole (enlarged) pipe at once. */
#define SPAWN_RELAY_CHUNK (1 << 20)

/**
 * spawn_signals() - the signals homo blocks before the clone (none is
 * lost) and spawn_wait() forwards to the command, with SIGCHLD, SIGWINCH.
 */
void spawn_signals(sigset_t *set);

/**
 * spawn_wait() - forward signals, relay the tty, stdin and the output
 * (@io, NULL: no pipes), reap the process, relay what it left in the
 * pipes. Closes @io's fds. Return: the wait status.
 */
int spawn_wait(const struct hm_spec *s, struct hm_proc *p,
	       const struct hm_io *io);

#endif
