/* SPDX-License-Identifier: MIT */
/*
 * The OCI resources homo's own limits (struct cgroup_limits) lack, written
 * into a container's cgroup after cgroup_create() and before any process
 * enters: memory reservation, swappiness, the OOM killer and TCP buffers
 * (kernelTCP), real-time CPU
 * time, cpuset CPUs and memory nodes (cgroup.h). On v2 the ones it has.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_backend.h"
#include "runtime/oci_spec.h"

/* @file of @id's cgroup in the hierarchy of @ctrl: @val, or -1 */
static int put(const char *id, const char *ctrl, const char *file,
	       const char *val, struct hm_err *e)
{
	char *dir = cgroup_dir(ctrl, id), *path;
	int r;

	if (!dir)
		return hm_failx(e, 1, "linux.resources: no %s cgroup here",
				ctrl);
	path = xasprintf("%s/%s", dir, file);
	r = util_write_str(path, val, e);
	free(dir);
	free(path);
	return r;
}

static int put_i64(const char *id, const char *ctrl, const char *file,
		   int64_t v, struct hm_err *e)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return put(id, ctrl, file, buf, e);
}

static int v1(const char *id, const struct oci_resources *r, struct hm_err *e)
{
	if ((r->mem_reservation > 0 &&
	     put_i64(id, "memory", "memory.soft_limit_in_bytes",
		     r->mem_reservation, e) < 0) ||
	    (r->mem_swappiness >= 0 &&
	     put_i64(id, "memory", "memory.swappiness", r->mem_swappiness, e) <
		 0) ||
	    (r->disable_oom_killer &&
	     put(id, "memory", "memory.oom_control", "1", e) < 0) ||
	    /* (kernel memory alone the kernel no longer limits) */
	    (r->mem_kernel_tcp > 0 &&
	     put_i64(id, "memory", "memory.kmem.tcp.limit_in_bytes",
		     r->mem_kernel_tcp, e) < 0))
		return -1;
	/* period before runtime: the kernel checks one against the other */
	if ((r->cpu_rt_period > 0 &&
	     put_i64(id, "cpu", "cpu.rt_period_us", r->cpu_rt_period, e) < 0) ||
	    (r->cpu_rt_runtime >= 0 &&
	     put_i64(id, "cpu", "cpu.rt_runtime_us", r->cpu_rt_runtime, e) < 0))
		return -1;
	if ((r->cpus && *r->cpus &&
	     put(id, "cpuset", "cpuset.cpus", r->cpus, e) < 0) ||
	    (r->mems && *r->mems &&
	     put(id, "cpuset", "cpuset.mems", r->mems, e) < 0))
		return -1;
	return 0;
}

static int v2(const char *id, const struct oci_resources *r, struct hm_err *e)
{
	if (r->mem_reservation > 0 &&
	    put_i64(id, "memory", "memory.low", r->mem_reservation, e) < 0)
		return -1;
	if ((r->cpus && *r->cpus &&
	     put(id, "cpuset", "cpuset.cpus", r->cpus, e) < 0) ||
	    (r->mems && *r->mems &&
	     put(id, "cpuset", "cpuset.mems", r->mems, e) < 0))
		return -1;
	return 0;
}

int cgroup_oci_resources(const char *id, const struct oci_resources *r,
			 struct hm_err *e)
{
	const struct cgroup_ops *o = cgroup_backend(e);

	if (!o)
		return -1;
	if (!strcmp(o->name, "v2"))
		return v2(id, r, e);
	if (!strcmp(o->name, "v1"))
		return v1(id, r, e);
	return 0; /* rootless: no cgroups */
}

/* memory and memory+swap in the order the kernel accepts (memsw >= mem) */
static int v1_memory(const char *id, const struct oci_resources *r,
		     struct hm_err *e)
{
	const char *m = "memory.limit_in_bytes";
	const char *sw = "memory.memsw.limit_in_bytes";
	struct hm_err first;

	if (r->mem_limit > 0 &&
	    put_i64(id, "memory", m, r->mem_limit, &first) < 0) {
		if (r->mem_swap == OCI_UNSET) {
			*e = first;
			return -1;
		}
		return put_i64(id, "memory", sw, r->mem_swap, e) < 0 ||
			       put_i64(id, "memory", m, r->mem_limit, e) < 0
			   ? -1
			   : 0;
	}
	return r->mem_swap != OCI_UNSET &&
		       put_i64(id, "memory", sw, r->mem_swap, e) < 0
		   ? -1
		   : 0;
}

static int v1_update(const char *id, const struct oci_resources *r,
		     struct hm_err *e)
{
	if (v1_memory(id, r, e) < 0 ||
	    (r->pids_limit != OCI_UNSET &&
	     (r->pids_limit > 0
		  ? put_i64(id, "pids", "pids.max", r->pids_limit, e)
		  : put(id, "pids", "pids.max", "max", e)) < 0) ||
	    (r->cpu_period > 0 &&
	     put_i64(id, "cpu", "cpu.cfs_period_us", r->cpu_period, e) < 0) ||
	    (r->cpu_quota != OCI_UNSET &&
	     put_i64(id, "cpu", "cpu.cfs_quota_us", r->cpu_quota, e) < 0) ||
	    (r->cpu_shares > 0 &&
	     put_i64(id, "cpu", "cpu.shares", r->cpu_shares, e) < 0))
		return -1;
	return v1(id, r, e);
}

static int v2_update(const char *id, const struct oci_resources *r,
		     struct hm_err *e)
{
	char buf[64];

	if ((r->mem_limit > 0 &&
	     put_i64(id, "memory", "memory.max", r->mem_limit, e) < 0) ||
	    (r->mem_swap > 0 && r->mem_limit > 0 &&
	     put_i64(id, "memory", "memory.swap.max",
		     r->mem_swap - r->mem_limit, e) < 0) ||
	    (r->pids_limit != OCI_UNSET &&
	     (r->pids_limit > 0
		  ? put_i64(id, "pids", "pids.max", r->pids_limit, e)
		  : put(id, "pids", "pids.max", "max", e)) < 0))
		return -1;
	if (r->cpu_quota != OCI_UNSET || r->cpu_period > 0) {
		if (r->cpu_quota > 0)
			snprintf(buf, sizeof(buf), "%" PRId64 " %" PRId64,
				 r->cpu_quota,
				 r->cpu_period > 0 ? r->cpu_period : 100000);
		else
			snprintf(buf, sizeof(buf), "max %" PRId64,
				 r->cpu_period > 0 ? r->cpu_period : 100000);
		if (put(id, "cpu", "cpu.max", buf, e) < 0)
			return -1;
	}
	/* cpu.shares onto cpu.weight: the v2 backend's map, as --cpu-shares */
	if (r->cpu_shares > 0 &&
	    put_i64(id, "cpu", "cpu.weight", cgroup_v2_weight(r->cpu_shares),
		    e) < 0)
		return -1;
	return v2(id, r, e);
}

int cgroup_oci_update(const char *id, const struct oci_resources *r,
		      struct hm_err *e)
{
	const struct cgroup_ops *o = cgroup_backend(e);

	if (!o)
		return -1;
	if (!strcmp(o->name, "v2"))
		return v2_update(id, r, e);
	if (!strcmp(o->name, "v1"))
		return v1_update(id, r, e);
	return hm_failx(e, 1, "update: no cgroups in rootless mode");
}
