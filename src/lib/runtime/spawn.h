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
 * pid-reuse window) and cgroups and becomes @s's command like the init.
 * Returns once it exec'd or failed (its error in @e).
 */
int spawn_exec(const struct hm_spec *s, int pidfd, struct hm_proc *p,
	       struct hm_err *e);

/*
 * Where the container's output goes while homo waits: the user's stdio
 * (@echo), the log, or both. @out/@err are the read ends of the
 * container's stdout/stderr pipes, -1 when it writes to our stdio itself.
 */
struct hm_io {
	int out, err;
	bool echo;
	struct hm_log *log;
};

/**
 * spawn_wait() - forward signals, relay the tty and the output (@io, NULL:
 * plain foreground), reap the process. Return: the wait status.
 */
int spawn_wait(const struct hm_spec *s, struct hm_proc *p,
	       const struct hm_io *io);

#endif
