/* SPDX-License-Identifier: MIT */
#ifndef HOMO_RUNTIME_ROOTLESS_H
#define HOMO_RUNTIME_ROOTLESS_H

/*
 * Rootless homo (docs/rootless.md): an ordinary user's homo joins the
 * user's namespace holder (a "homo-pause" process keeping a user and a
 * mount namespace, made on first use with newuidmap/newgidmap) and runs
 * there as root. The CLI calls these before anything else.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"

/**
 * rootless_detect() - whether this process already runs in a rootless
 * homo's user namespace (a re-executed homo, a monitor): root inside, a
 * non-root uid outside. *@uid is that outside uid.
 */
bool rootless_detect(uid_t *uid);

/**
 * rootless_default_paths() - the store and runroot of user @uid:
 * $XDG_DATA_HOME/homo (~/.local/share/homo) and $XDG_RUNTIME_DIR/homo,
 * else /tmp/homo-UID. Either pointer may be NULL. Malloc'd.
 */
void rootless_default_paths(uid_t uid, char **root, char **runroot);

/**
 * rootless_enter() - make @runroot (0700, the caller's own, else refused)
 * and @root's parents, then join the user's namespace holder, starting
 * one if none lives (its pid in @runroot/pause.pid). On return the
 * process is root of that user namespace, in its mount namespace.
 * Must be called while single-threaded.
 */
int rootless_enter(const char *root, const char *runroot, struct hm_err *e);

/**
 * rootless_map_ids() - the ids the namespace maps: the caller's and, from
 * /etc/subuid and /etc/subgid, its first delegated range of each (count
 * 0: none, the single-id map). For the holder and system check.
 */
struct rootless_ids {
	uid_t uid;
	gid_t gid;
	unsigned long sub_uid, sub_uid_count, sub_gid, sub_gid_count;
};
int rootless_map_ids(struct rootless_ids *ids, struct hm_err *e);

/**
 * rootless_check_spec() - refuse, rootless, what needs root on the host:
 * what rootless NAT cannot do (rootless_net_check()) and a user
 * namespace of the container's own (--userns, --uidmap, --gidmap).
 */
struct hm_spec;
int rootless_check_spec(const struct hm_spec *s, struct hm_err *e);

#endif
