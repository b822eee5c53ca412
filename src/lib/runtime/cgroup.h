/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CGROUP_H
#define HOMO_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * Per-container cgroups, named from the container id:
 * <hierarchy mount>/<parent>/<id>, parent "homo" unless the environment
 * variable HOMO_CGROUP_PARENT names another (tests use their own, so parallel
 * runs never meet). Everything is derived from the id, so teardown needs
 * nothing else.
 *
 * Two backends: cgroup v2 (cgroup_v2.c) where a cgroup2 mount offers the
 * memory, pids or cpu controller (cgroup v2 alone, as systemd hosts have
 * it), else cgroup v1 (cgroup_v1.c); a cgroup2 mount holding no controller
 * of ours (a "hybrid" host with hugetlb on /sys/fs/cgroup/unified) leaves
 * the limits to v1. docs/cgroups.md.
 */

/* Docker's --memory minimum: below it a container cannot even start. */
#define CGROUP_MIN_MEMORY (6 * 1024 * 1024)
/* The CFS period Docker's --cpus uses: quota = cpus * period. */
#define CGROUP_CPU_PERIOD_US 100000
/*
 * The pids limit without --pids-limit (Podman's): without one a fork bomb
 * in any container takes every pid of the host.
 */
#define CGROUP_DEFAULT_PIDS 2048

/*
 * A devices-cgroup allow rule (--device), besides the default list: a v1
 * "c 10:229 rwm" line of devices.allow; a v2 backend compiles the same
 * list into its BPF program.
 */
struct cgroup_device_rule {
	char type;	/* 'c' or 'b' */
	int64_t major;	/* -1 = any */
	int64_t minor;	/* -1 = any */
	char access[4]; /* "rwm" or a part of it */
};

/* the most --device options a container takes */
#define CGROUP_MAX_DEVICES 64

struct cgroup_limits {
	int64_t memory;	       /* bytes, 0 = unlimited */
	int64_t memory_swap;   /* memory+swap bytes, as Docker's --memory-swap:
				  0 = default (2 * memory when memory is set),
				  -1 = unlimited swap */
	int64_t pids;	       /* <= 0 = unlimited (Docker's -1 and 0) */
	int64_t cpu_quota_us;  /* 0 = no quota (-1 also means none) */
	int64_t cpu_period_us; /* 0 = the kernel's default (100000) */
	int64_t cpu_shares;    /* 0 = default (1024) */
	bool privileged;       /* devices: allow all */
	/* allowed besides the defaults (ignored when privileged) */
	struct cgroup_device_rule devices[CGROUP_MAX_DEVICES];
	size_t ndevices;
};

struct cgroup_stats {
	uint64_t memory_usage;	   /* memory.usage_in_bytes */
	uint64_t memory_max_usage; /* memory.max_usage_in_bytes */
	int64_t memory_limit;	   /* -1 = unlimited */
	uint64_t pids_current;	   /* pids.current */
	int64_t pids_limit;	   /* -1 = unlimited */
	uint64_t cpu_usage_ns;	   /* cpuacct.usage, 0 without cpuacct */
};

/**
 * typedef cgroup_each_fn - callback of cgroup_each().
 * @name: the hierarchy's name under /sys/fs/cgroup ("memory", "cpu,cpuacct").
 * @host_dir: the container's own cgroup directory in that hierarchy.
 * Return: 0 to go on, -1 to stop (cgroup_each() then returns -1).
 */
typedef int (*cgroup_each_fn)(const char *name, const char *host_dir,
			      void *arg);

/*
 * A backend: cgroup_v1.c and cgroup_v2.c fill this table. The public
 * functions below check the id and dispatch (cgroup.c).
 */
struct cgroup_ops {
	const char *name;
	/* probe the host once, by @mountinfo (/proc/self/mountinfo's text);
	 * -1 with @e when this backend cannot serve it */
	int (*detect)(const char *mountinfo, struct hm_err *e);
	int (*create)(const char *id, const struct cgroup_limits *l,
		      struct hm_err *e);
	int (*enter)(const char *id, pid_t pid, struct hm_err *e);
	/* optional: the cgroup2 dir to clone into, the v1 ones to join */
	int (*clone_fd)(const char *id, int *fd, struct hm_err *e);
	int (*enter_v1)(const char *id, pid_t pid, struct hm_err *e);
	int (*destroy)(const char *id, struct hm_err *e);
	int (*oom_killed)(const char *id, bool *oom, struct hm_err *e);
	int (*freeze)(const char *id, struct hm_err *e);
	int (*thaw)(const char *id, struct hm_err *e);
	int (*stats)(const char *id, struct cgroup_stats *st, struct hm_err *e);
	char *(*dir)(const char *controller, const char *id);
	int (*each)(const char *id, cgroup_each_fn fn, void *arg);
	char *(*thaw_file)(const char *id, const char **value);
};

/**
 * cgroup_backend() - detect the host's cgroup layout (once per process).
 * Return: the backend ("v2" or "v1"), or NULL with @e set: on v1, a
 * required controller (memory, pids, cpu, devices) that is not mounted
 * (cpuacct and freezer are optional; the calls that need them fail when
 * they are missing). On v2, a limit whose controller is not available or
 * not delegated fails at cgroup_create(), naming it.
 */
const struct cgroup_ops *cgroup_backend(struct hm_err *e);

/**
 * cgroup_none() - whether containers get no cgroup at all: rootless homo on
 * cgroup v1, or on v2 outside a subtree delegated to the user (no limits,
 * no freezer; docs/rootless.md).
 */
bool cgroup_none(void);

/**
 * cgroup_set_parent() - for the rest of this process, the cgroups of a
 * container id sit in @path (from each hierarchy's root; '/'-separated
 * names, no "." or ".."; "" is the root itself) instead of
 * $HOMO_CGROUP_PARENT: the OCI runtime's cgroupsPath minus its last
 * name, which is the id it passes (runtime/oci_cgroup.c).
 */
int cgroup_set_parent(const char *path, struct hm_err *e);

/**
 * cgroup_create() - make the container's cgroups and write its limits.
 * @id: container id; becomes the directory name (no '/', not "." or "..").
 * @l: limits; NULL = none.
 *
 * Creates <parent>/<id> in the memory, pids, cpu, cpuacct, devices and
 * freezer hierarchies (each distinct hierarchy once) and writes the limits
 * before any process can enter: memory, then memory+swap where the kernel
 * accounts swap, pids, CFS period, quota and shares; devices deny all, then
 * Docker's default allow list, unless privileged. Docker's checks come first
 * (memory >= 6MB, swap only with memory and >= memory).
 *
 * Return: 0, or -1 with @e naming the file; whatever was made is removed.
 */
int cgroup_create(const char *id, const struct cgroup_limits *l,
		  struct hm_err *e);

struct oci_resources;
/**
 * cgroup_oci_resources() - the parts of an OCI spec's linux.resources that
 * struct cgroup_limits lacks (memory reservation, swappiness,
 * disableOOMKiller, real-time CPU, cpuset cpus and mems) into the cgroups
 * of @id, after cgroup_create() (cgroup_oci.c). -1 with @e naming the file.
 */
int cgroup_oci_resources(const char *id, const struct oci_resources *r,
			 struct hm_err *e);

/**
 * cgroup_oci_update() - the limits @r gives (memory, swap, pids, cpu and
 * the above) into the existing cgroups of @id: the OCI runtime's update.
 */
int cgroup_oci_update(const char *id, const struct oci_resources *r,
		      struct hm_err *e);

/**
 * cgroup_enter() - move @pid (all its threads) into every cgroup of @id.
 * Return: 0, or -1 with @e naming the cgroup.procs file that refused it.
 */
int cgroup_enter(const char *id, pid_t pid, struct hm_err *e);

/**
 * cgroup_clone_fd() - the cgroup2 dir of @id, for clone3()'s
 * CLONE_INTO_CGROUP: a process born in its cgroup is never migrated, and
 * a migration in cgroup2 (a cgroup.procs write) waits for an RCU grace
 * period, 4-15 ms on a loaded 2-core machine. With it, cgroup_enter_v1()
 * completes the membership.
 * Return: 0 with *@fd (close it), or *@fd -1 where there is no cgroup2 one
 * (v1 without a cgroup2 mount, no cgroups at all); -1 with @e set.
 */
int cgroup_clone_fd(const char *id, int *fd, struct hm_err *e);

/* clone3's arguments up to .cgroup (CLONE_ARGS_SIZE_VER2) */
struct cgroup_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	    stack_size, tls, set_tid, set_tid_size, cgroup;
};

/**
 * cgroup_clone_args() - clone3's arguments for @flags (CLONE_* and the
 * exit signal, as clone()'s), born in the cgroup2 dir @cgfd where it is
 * not -1: what cgroup_clone() and clone_vm_run() (which adds a stack)
 * pass to the kernel.
 */
struct cgroup_clone_args cgroup_clone_args(unsigned long flags, int cgfd);

/**
 * cgroup_clone() - a child with fork semantics (no new stack: it runs on a
 * copy of ours; @flags: CLONE_* and the exit signal, as clone()'s), born in
 * the cgroup2 dir @cgfd where it is not -1 (cgroup_clone_fd()).
 * Return: the pid (0 in the child) with *@born_in whether it was born in
 * @cgfd, or -1 with errno.
 */
pid_t cgroup_clone(unsigned long flags, int cgfd, bool *born_in);

/**
 * cgroup_join_rest() - what a child's birth (cgroup_clone() into @cgfd,
 * @born_in) and its own cgroup_enter_v1(@id, 0) (@self) left to its
 * parent: nothing; its v1 cgroups; or, where clone3 was refused, all of
 * them (cgroup_enter()). Return: 0, or -1 with @e set.
 */
int cgroup_join_rest(const char *id, pid_t pid, int cgfd, bool born_in,
		     bool self, struct hm_err *e);

/**
 * cgroup_enter_v1() - join @pid to the v1 cgroups of @id only (none on
 * cgroup v2): the rest of cgroup_enter() for a process cloned into its
 * cgroup2 one. @pid (0: the caller) must be single-threaded until it is
 * in, as every caller's is: its one thread goes through each "tasks"
 * file. Only the caller's own "0" there skips the kernel's global
 * threadgroup lock, whose first writer after a quiet moment waits for an
 * RCU grace period (0.2 ms for ten hierarchies instead of 6-17 ms here):
 * a process joins itself wherever it can (init.c, spawn.c).
 * Return: 0, or -1 with @e naming the file that refused it.
 */
int cgroup_enter_v1(const char *id, pid_t pid, struct hm_err *e);

/**
 * cgroup_destroy() - remove the cgroups of @id, killing what is left in them.
 *
 * Idempotent: works from the id alone and "already gone" is success. Any pid
 * still in the cgroups (the container's own processes) gets SIGKILL, with the
 * freezer held so none can fork or be replaced by a reused pid meanwhile; the
 * wait for them to leave is bounded (about 2 s). The parent directory is
 * removed too when no other container uses it.
 *
 * Return: 0, or -1 with @e set (e.g. a process that would not die); the
 * other hierarchies are still cleaned up.
 */
int cgroup_destroy(const char *id, struct hm_err *e);

/**
 * cgroup_oom_killed() - whether the kernel's OOM killer killed a process of
 * @id ("oom_kill N" of memory.oom_control; kernels before 4.13 lack it,
 * there under_oom or a non-zero memory.failcnt count as OOM).
 * Return: 0 with *@oom set, or -1 with @e set (e.g. cgroup gone).
 */
int cgroup_oom_killed(const char *id, bool *oom, struct hm_err *e);

/**
 * cgroup_freeze() - freeze every process of @id and wait until the kernel
 * reports FROZEN (bounded; thawed again and -1 on timeout).
 */
int cgroup_freeze(const char *id, struct hm_err *e);

/** cgroup_thaw() - let the processes of @id run again. */
int cgroup_thaw(const char *id, struct hm_err *e);

/** cgroup_stats() - current usage and limits of @id. */
int cgroup_stats(const char *id, struct cgroup_stats *st, struct hm_err *e);

/** cgroup_cpu_usage_ns() - CPU time used by @id (cpuacct.usage). */
int cgroup_cpu_usage_ns(const char *id, uint64_t *ns, struct hm_err *e);

/**
 * cgroup_thaw_file() - the file and value that thaw @id (freezer.state
 * "THAWED" on v1, cgroup.freeze "0" on v2), for a process that must thaw
 * a container with nothing but open and write (commit's freeze guard).
 * Return: a malloc'd path, or NULL when there is no freezer.
 */
char *cgroup_thaw_file(const char *id, const char **value);

/**
 * cgroup_dir() - the host directory of @id in the hierarchy holding
 * @controller ("memory", "cpu", "cpuacct", ...; a hierarchy name such as
 * "cpu,cpuacct" works too; on v2 every controller has the same one).
 * Return: a malloc'd path, or NULL when the controller is not mounted (or
 * detection failed).
 */
char *cgroup_dir(const char *controller, const char *id);

/**
 * cgroup_each() - call @fn for every hierarchy holding a cgroup of @id
 * (memory, pids, cpu, cpuacct, devices, freezer: each mounted hierarchy
 * once), in a fixed order, so the container can be shown its own dirs.
 * On v2, once, with the name "".
 * Return: 0, or -1 when @fn failed (its error is its own) or detection
 * failed (errno set).
 */
int cgroup_each(const char *id, cgroup_each_fn fn, void *arg);

#endif
