/* SPDX-License-Identifier: MIT */
/*
 * The backend of rootless homo without cgroups (cgroup_none_ops): an
 * ordinary user cannot create cgroups on cgroup v1, nor on v2 outside a
 * subtree delegated to it (cgroup_deleg.c), so a container gets none. A
 * limit asked for is an error, never ignored; what needs a cgroup (pause,
 * stats) says so. The container's PID namespace still takes every process down
 * with its init, which is what v1_destroy's kill would have done.
 */
#include "runtime/cgroup_backend.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

/* why there is none: cgroup v1, or no delegated v2 subtree (cgroup.c) */
static char why[512] = "rootless homo has no cgroups on this host (cgroup v1)";

void cgroup_none_set_why(const char *w)
{
	snprintf(why, sizeof(why), "%s", w);
}

static int none_detect(const char *mountinfo, struct hm_err *e)
{
	(void)mountinfo;
	(void)e;
	return 0;
}

static int none_create(const char *id, const struct cgroup_limits *l,
		       struct hm_err *e)
{
	(void)id;
	/* homo's own default pids limit is no request of the user's */
	if (l->memory || l->memory_swap ||
	    (l->pids > 0 && l->pids != CGROUP_DEFAULT_PIDS) ||
	    l->cpu_quota_us > 0 || l->cpu_shares)
		return hm_failx(e, HM_EXIT_FAIL,
				"-m, --memory-swap, --pids-limit, --cpus and "
				"--cpu-shares need a cgroup: %s",
				why);
	return 0;
}

static int none_enter(const char *id, pid_t pid, struct hm_err *e)
{
	(void)id, (void)pid, (void)e;
	return 0;
}

static int none_destroy(const char *id, struct hm_err *e)
{
	(void)id, (void)e;
	return 0;
}

static int none_oom_killed(const char *id, bool *oom, struct hm_err *e)
{
	(void)id, (void)e;
	*oom = false;
	return 0;
}

static int none_freeze(const char *id, struct hm_err *e)
{
	(void)id;
	return hm_failx(e, HM_EXIT_FAIL, "pause needs the freezer: %s", why);
}

static int none_stats(const char *id, struct cgroup_stats *st, struct hm_err *e)
{
	(void)id, (void)st;
	return hm_failx(e, HM_EXIT_FAIL, "stats need a cgroup: %s", why);
}

static char *none_dir(const char *controller, const char *id)
{
	(void)controller, (void)id;
	errno = ENOENT;
	return NULL;
}

static int none_each(const char *id, cgroup_each_fn fn, void *arg)
{
	(void)id, (void)fn, (void)arg;
	return 0;
}

const struct cgroup_ops cgroup_none_ops = {
    .name = "none",
    .detect = none_detect,
    .create = none_create,
    .enter = none_enter,
    .destroy = none_destroy,
    .oom_killed = none_oom_killed,
    .freeze = none_freeze,
    .thaw = none_destroy, /* nothing was frozen */
    .stats = none_stats,
    .dir = none_dir,
    .each = none_each,
};
