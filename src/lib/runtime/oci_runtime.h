/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_RUNTIME_H
#define HOMO_OCI_RUNTIME_H

/*
 * The OCI runtime's commands over a container's record (oci_state.h):
 * create (oci_create.c: the runtime side; oci_init.c: the init it clones),
 * start, kill, delete, pause, resume (oci_ops.c). docs/oci.md.
 *
 * create leaves the init stopped on the exec fifo <root>/<id>/exec.fifo,
 * opened read-write by the runtime before the clone (so the open never
 * blocks) and inherited; start writes one byte into it, which releases
 * the init to run the process. The init is the runtime's child and is
 * re-parented to the caller's subreaper when the runtime exits.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "runtime/oci_spec.h"
#include "runtime/oci_state.h"

struct oci_seccomp;

struct oci_create_opts {
	const char *root; /* the state directory (--root) */
	const char *id;
	const char *bundle; /* absolute */
	const char *pid_file, *console_socket;
	int preserve_fds;
	bool no_pivot, no_new_keyring, systemd_cgroup;
};

/**
 * oci_create() - build the container @o->id from @o->bundle and leave it
 * in the created state. Return 0 with *@pid the init's pid, or -1 with @e
 * (the container side's error, a hook's, ...); nothing is left then.
 */
int oci_create(const struct oci_create_opts *o, pid_t *pid, struct hm_err *e);

/** oci_start() - release a created container's process; poststart hooks. */
int oci_start(const char *root, const char *id, struct hm_err *e);

/** oci_kill() - @sig to the init, or with @all to every process of it. */
int oci_kill(const char *root, const char *id, int sig, bool all,
	     struct hm_err *e);

/**
 * oci_delete() - remove a stopped container (with @force any: killed
 * first): its cgroup, its record; then the poststop hooks (warnings).
 * A missing id is an error, but not with @force.
 */
int oci_delete(const char *root, const char *id, bool force, struct hm_err *e);

/** oci_pause() - freeze (@pause) or thaw a container's cgroup. */
int oci_pause(const char *root, const char *id, bool pause, struct hm_err *e);

struct oci_exec_opts {
	const char *root, *id;
	const struct oci_spec *spec; /* the container's, process replaced */
	const char *console_socket;
	const char *seccomp_cache; /* oci_seccomp_compile_cached's, or NULL */
	int preserve_fds;
};

/**
 * oci_exec_spec() - the container @id's spec (for its seccomp filter),
 * its process replaced by the one in @process_file when given.
 */
int oci_exec_spec(const char *root, const char *id, const char *process_file,
		  struct oci_spec *s, struct hm_err *e);

/**
 * oci_exec() - run @o->spec->process in the namespaces and cgroup of a
 * created or running container (oci_exec.c). Return 0 once it has
 * exec'd, *@pid set (our child), or -1 with its error.
 */
int oci_exec(const struct oci_exec_opts *o, pid_t *pid, struct hm_err *e);

/**
 * oci_update() - the linux.resources object in @file ("-": stdin) into a
 * created, running or paused container's cgroup (memory, swap, pids, cpu).
 */
int oci_update(const char *root, const char *id, const char *file,
	       struct hm_err *e);

/** oci_pids() - the pids in the container's cgroup (malloc'd, *@n). */
int oci_pids(const struct oci_state *st, pid_t **pids, size_t *n,
	     struct hm_err *e);

/* ---- between the runtime (oci_create.c) and the init (oci_init.c) ---- */

/* One message a packet on the SOCK_SEQPACKET sync socket. */
enum oci_sync_type {
	OCI_SYNC_GO = 1, /* runtime -> init: cgroup, maps, hooks done;
			    the state JSON follows in the packet */
	OCI_SYNC_PID,	 /* helper -> runtime: the init's pid */
	OCI_SYNC_READY,	 /* init -> runtime: created, waiting on the fifo */
	OCI_SYNC_ERR,	 /* init -> runtime: struct hm_err, then it exits */
	OCI_SYNC_JOINED, /* init -> runtime: in its v1 cgroups (cgroup_self) */
};

struct oci_sync_msg {
	int type;
	pid_t pid;
	bool born_in; /* PID: born in its cgroup2 one (cgroup_clone()) */
	struct hm_err err;
};

struct oci_init_args {
	const struct oci_spec *spec;
	const struct oci_create_opts *o;
	const char *rootfs; /* absolute */
	struct oci_seccomp *seccomp;
	char *exe; /* process.args[0] found by the init (oci_process_find) */
	int sync_fd, fifo_fd, console_fd;
	bool new_userns; /* wait for the maps, then become its root */
	/* no user namespace: the init joins the v1 cgroups of this id itself
	 * (cgroup_enter_v1(id, 0): no grace period), then OCI_SYNC_JOINED */
	const char *cgroup_self;
	/* fds from 3+preserve_fds the runtime was started with: the caller's,
	 * which the init must not hold while it waits for start */
	int *foreign;
	size_t nforeign;
};

/** oci_init_main() - the init of a created container (never returns). */
__attribute__((noreturn)) void oci_init_main(struct oci_init_args *a);

/* ---- process.terminal (oci_console.c) ---- */

/** oci_console_connect() - the runtime's connection to --console-socket. */
int oci_console_connect(const char *path, struct hm_err *e);

#define OCI_CONSOLE_DEV 1    /* bind the slave on /dev/console (create) */
#define OCI_CONSOLE_SETSID 2 /* a new session first (exec) */

/**
 * oci_console_take() - in the process: a pty of the container's devpts,
 * the master sent over @console_fd, the slave as controlling tty and
 * stdio (with @flags' extras).
 */
int oci_console_take(int console_fd, unsigned flags, struct hm_err *e);

/* ---- cgroups (oci_cgroup.c) ---- */

/**
 * oci_cgroup_path() - the container's cgroup from each hierarchy's root,
 * no leading '/': cgroupsPath absolute or relative as given, slice:
 * prefix:name with @systemd (a.slice/a-b.slice/prefix-name.scope), or
 * $HOMO_CGROUP_PARENT/@id (default homo/@id) when not given.
 */
char *oci_cgroup_path(const char *cgroups_path, const char *id, bool systemd,
		      struct hm_err *e);

/**
 * oci_cgroup_select() - make @path the cgroup of the cgroup_*() calls of
 * this process (cgroup_set_parent): *@leaf points to its last name, the
 * id to pass them.
 */
int oci_cgroup_select(const char *path, const char **leaf, struct hm_err *e);

/** oci_cgroup_limits() - linux.resources as homo's cgroup limits. */
struct cgroup_limits;
void oci_cgroup_limits(const struct oci_resources *r, struct cgroup_limits *l);

/* ---- hooks (oci_hooks.c) ---- */

/**
 * oci_hooks_run() - run the hooks @k of @s in order, each with @state on
 * its stdin and killed at its timeout. Return 0, or -1 with @e naming the
 * kind and the first that failed (the rest do not run).
 */
int oci_hooks_run(const struct oci_spec *s, enum oci_hook_kind k,
		  const char *state, struct hm_err *e);

/**
 * oci_state_text() - @st as hooks read it, with the status @status and
 * the pid even when it is gone (malloc'd JSON).
 */
char *oci_state_text(const struct oci_state *st, const char *status);

#endif
