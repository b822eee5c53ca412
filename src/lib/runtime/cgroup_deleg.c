/* SPDX-License-Identifier: MIT */
/*
 * Rootless homo on cgroup v2: the subtree delegated to the caller, where
 * its containers' cgroups go (docs/rootless.md). Delegation is ownership:
 * systemd chowns user@UID.service and its cgroup.procs, cgroup.threads and
 * cgroup.subtree_control to the user. Moving a process between two cgroups
 * takes write access to cgroup.procs of their common ancestor, so only a
 * subtree holding the caller's own cgroup will do: the highest one above it
 * the caller owns.
 */
#include "runtime/cgroup_backend.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

/* @dir is ours to manage: owned by us, both files writable by us */
static bool managed(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	/* in homo's user namespace our files show as its root's, as we are */
	if (stat(dir, &st) < 0 || st.st_uid != geteuid())
		return false;
	if (snprintf(p, sizeof(p), "%s/cgroup.procs", dir) >= (int)sizeof(p) ||
	    access(p, W_OK) < 0)
		return false;
	if (snprintf(p, sizeof(p), "%s/cgroup.subtree_control", dir) >=
	    (int)sizeof(p))
		return false;
	return access(p, W_OK) == 0;
}

char *cgroup_v2_deleg_root(const char *mnt, const char *cg)
{
	char dir[PATH_MAX], *best = NULL;
	size_t top = strlen(mnt);

	if (cg[0] != '/' || !cg[1] ||
	    snprintf(dir, sizeof(dir), "%s%s", mnt, cg) >= (int)sizeof(dir))
		return NULL;
	/* the mount's root is never a user's: stop below it */
	while (strlen(dir) > top && dir[top] == '/') {
		char *slash;

		if (managed(dir)) {
			free(best);
			best = xstrdup(dir);
		}
		slash = strrchr(dir, '/');
		*slash = '\0';
	}
	return best;
}

/* "0::/path" of /proc/self/cgroup, malloc'd; NULL if none */
static char *own_cgroup(void)
{
	cleanup_free char *text =
	    util_read_file("/proc/self/cgroup", NULL, NULL);
	char *line, *save = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3))
			return xstrdup(line + 3);
	return NULL;
}

/* whether our pid is listed in @dir's cgroup.procs */
static bool holds_us(const char *dir)
{
	cleanup_free char *path = xasprintf("%s/cgroup.procs", dir);
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	char *line, *save = NULL;
	long me = (long)getpid();

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (strtol(line, NULL, 10) == me)
			return true;
	return false;
}

char *cgroup_v2_find_delegated(const char *mnt, char **caller)
{
	cleanup_free char *dir = NULL;

	*caller = own_cgroup();
	if (!*caller)
		*caller = xstrdup("?");
	if (**caller != '/')
		return NULL;
	/*
	 * In a cgroup namespace /proc/self/cgroup is relative to its root,
	 * which need not be the mount's: then the path names another cgroup,
	 * or none. Ours lists our pid.
	 */
	dir = xasprintf("%s%s", mnt, *caller);
	if (!holds_us(dir))
		return NULL;
	return cgroup_v2_deleg_root(mnt, *caller);
}
