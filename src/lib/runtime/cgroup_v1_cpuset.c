/* SPDX-License-Identifier: MIT */
/*
 * cgroup v1's cpuset hierarchy: a new cgroup there has no CPUs nor memory
 * nodes, and no process can enter it until it has (split from
 * cgroup_v1.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "runtime/cgroup_backend.h"

/* @dir/@file's value, or NULL with @e set */
static char *get(const char *dir, const char *file, struct hm_err *e)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int)sizeof(p)) {
		hm_fail(e, ENAMETOOLONG, "cgroup file in \"%s\"", dir);
		return NULL;
	}
	return util_read_file(p, NULL, e);
}

static int put(const char *dir, const char *file, const char *val,
	       struct hm_err *e)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int)sizeof(p))
		return hm_fail(e, ENAMETOOLONG, "cgroup file in \"%s\"", dir);
	return util_write_str(p, val, e);
}

int cgroup_v1_fill_cpuset(const char *dir, struct hm_err *e)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char up[PATH_MAX];

	snprintf(up, sizeof(up), "%s/..", dir);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *val = get(dir, files[i], e);
		int r;

		if (!val)
			return -1;
		if (val[0] != '\n') { /* it has them */
			free(val);
			continue;
		}
		free(val);
		val = get(up, files[i], e);
		/* a new parent too (nested): fill it first */
		if (val && val[0] == '\n') {
			free(val);
			val = cgroup_v1_fill_cpuset(up, e) < 0
				  ? NULL
				  : get(up, files[i], e);
		}
		r = val ? put(dir, files[i], val, e) : -1;
		free(val);
		if (r < 0)
			return -1;
	}
	return 0;
}

int cgroup_v1_cpuset_parent(const char *dir, struct hm_err *e)
{
	if (cgroup_v1_fill_cpuset(dir, e) < 0 ||
	    put(dir, "cgroup.clone_children", "1", e) < 0)
		return -1;
	return 0;
}
