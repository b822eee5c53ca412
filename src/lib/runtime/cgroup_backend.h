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
 * cgroup_v1_write_devices() - the devices cgroup @dir: deny all, then
 * Docker's default list and @l's --device rules (cgroup_v1_devices.c).
 */
int cgroup_v1_write_devices(const char *dir, const struct cgroup_limits *l,
			    struct hm_err *e);

#endif
