/* SPDX-License-Identifier: MIT */
/*
 * Between cgroup.c, the public API, and the backends that fill a struct
 * cgroup_ops (cgroup_v1.c, cgroup_v2.c). Only those files (and their unit
 * tests) include this header.
 */
#ifndef HOMO_CGROUP_BACKEND_H
#define HOMO_CGROUP_BACKEND_H

#include <stddef.h>

#include "runtime/cgroup.h"

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/*
 * The device rules a container without --privileged gets, as v1
 * devices.allow lines (cgroup_v1.c); v2 compiles them (cgroup_bpf.c).
 * Return: their number, *@rules set to the array.
 */
size_t cgroup_default_devices(const char *const **rules);

/* cgroup_v2.c's pure parts, for the unit tests */
int64_t cgroup_v2_weight(int64_t shares);
void cgroup_v2_cpu_max(int64_t quota, int64_t period, char *buf, size_t n);
/* "key N" on a line of @buf (memory.events, cgroup.events, cpu.stat) */
bool cgroup_v2_key(const char *buf, const char *key, uint64_t *v);
extern const struct cgroup_ops cgroup_none_ops; /* rootless */

/* cgroup_none_ops' reason, in its errors: why there is no cgroup */
void cgroup_none_set_why(const char *why);

/* the cgroup2 mount cgroup_v2_ops' detect() found */
const char *cgroup_v2_mount(void);

/*
 * Rootless: the containers' cgroups go in @root, a subtree delegated to the
 * caller, with the controllers its cgroup.controllers offers; nothing above
 * it is written (cgroup_v2.c).
 */
void cgroup_v2_delegate(const char *root);

/*
 * cgroup_v2_find_delegated() - the subtree of cgroup2 mount @mnt delegated
 * to the caller that holds the caller's own cgroup (cgroup_deleg.c).
 * Return: its directory (malloc'd), or NULL; *@caller: the caller's cgroup
 * as /proc/self/cgroup names it (malloc'd) either way.
 */
char *cgroup_v2_find_delegated(const char *mnt, char **caller);

/*
 * cgroup_v2_deleg_root() - the highest directory from @mnt@cg up to (not
 * including) @mnt that the caller owns and whose cgroup.procs and
 * cgroup.subtree_control it can write; NULL if none (malloc'd).
 */
char *cgroup_v2_deleg_root(const char *mnt, const char *cg);

/* the backends' waits: a monotonic clock, and a sleep that doubles @us up
 * to 8 ms a turn (cgroup.c) */
uint64_t cgroup_now_ns(void);
void cgroup_nap(unsigned *us);

/**
 * cgroup_parent_name() - the directory the containers' cgroups sit in under
 * each hierarchy: $HOMO_CGROUP_PARENT, else "homo". cgroup.c has checked it
 * is a valid name before any backend call.
 */
const char *cgroup_parent_name(void);

/**
 * cgroup_parent_kept() - whether the parent stays when its last container
 * goes: homo's own ($HOMO_CGROUP_PARENT, else "homo") does, as Docker keeps
 * its /docker, so that a start neither makes nor removes it (cgroup v1);
 * one cgroup_set_parent() named (an OCI cgroupsPath) goes with its last.
 */
bool cgroup_parent_kept(void);

/**
 * cgroup_v1_fill_cpuset() - give the cpuset cgroup @dir its parent's CPUs
 * and memory nodes where it has none (filling an empty parent first);
 * cgroup_v1_cpuset_parent() - that, and cgroup.clone_children, for a
 * parent homo made: each container's cgroup is then born with them, and a
 * start reads and writes no cpuset file (cgroup_v1_cpuset.c).
 */
int cgroup_v1_fill_cpuset(const char *dir, struct hm_err *e);
int cgroup_v1_cpuset_parent(const char *dir, struct hm_err *e);

/**
 * cgroup_v1_write_devices() - the devices cgroup @dir: deny all, then
 * Docker's default list and @l's --device rules (cgroup_v1_devices.c).
 */
int cgroup_v1_write_devices(const char *dir, const struct cgroup_limits *l,
			    struct hm_err *e);

#endif
