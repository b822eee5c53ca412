/* SPDX-License-Identifier: MIT */
/*
 * Between cgroup.c, the public API, and the backends that fill a struct
 * cgroup_ops (cgroup_v1.c today; a v2 backend becomes cgroup_v2.c). Only
 * those files include this header.
 */
#ifndef HOMO_CGROUP_BACKEND_H
#define HOMO_CGROUP_BACKEND_H

#include "runtime/cgroup.h"

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_none_ops; /* rootless */

/**
 * cgroup_parent_name() - the directory the containers' cgroups sit in under
 * each hierarchy: $HOMO_CGROUP_PARENT, else "homo". cgroup.c has checked it
 * is a valid name before any backend call.
 */
const char *cgroup_parent_name(void);

#endif
