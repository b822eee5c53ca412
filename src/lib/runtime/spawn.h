/* SPDX-License-Identifier: MIT */
#ifndef HOMO_SPAWN_H
#define HOMO_SPAWN_H

#include <signal.h>
#include <sys/types.h>

#include "base/error.h"
#include "runtime/container.h"
#include "runtime/logs.h"

/* What the container's init needs; filled by the parent before clone(). */
struct init_args {
	const struct hm_spec *spec;
	const char *store_root;	  /* lowerdir paths are relative to it */
	const char *overlay_opts; /* overlay_options() */
	const char *merged;	  /* mount point of the container's root */
	const char *cdir;	  /* containers/<id>: hostname, hosts, ... */
	int sync_fd;		  /* child end of the sync socketpair */
	int stdio[3];		  /* dup'd onto 0, 1, 2 in the init; -1: keep */
	/*
	 * With a user namespace the init, an unprivileged host uid, cannot
	 * walk the store's 0700 paths: it starts in the container's runtime
	 * dir (merged/ and copies of hostname, hosts, resolv.conf, all named
	 * relative to it) and gets the overlay homo made for it with GO.
	 */
	int overlay_fd;
};

/* Messages on the SOCK_SEQPACKET sync socket, one per packet. */
enum sync_type {
	SYNC_GO = 1,  /* parent -> child: cgroups joined, go on */
	SYNC_PTY = 2, /* child -> parent: the tty master (SCM_RIGHTS) */
	SYNC_ERR = 3, /* child -> parent: struct hm_err, then it exits */
};

struct sync_msg {
	int type;
	struct hm_err err;
};

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

/* init.c: the container side; these never return. */
__attribute__((noreturn)) void init_main(struct init_args *a);
/** init_exec_main() - the homo exec child, inside the namespaces. */
__attribute__((noreturn)) void init_exec_main(const struct hm_spec *s,
					      int sync_fd);
/** init_exec_fail() - report @e to the parent and exit. */
__attribute__((noreturn)) void init_exec_fail(int sync_fd, struct hm_err *e);

/* rootfs.c: mounts and pivot_root, in the container's mount namespace. */
int rootfs_setup(const struct init_args *a, struct hm_err *e);
/** rootfs_bind_console() - bind the tty slave over /dev/console. */
int rootfs_bind_console(const char *slave, struct hm_err *e);

#endif
