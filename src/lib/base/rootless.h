/* SPDX-License-Identifier: MIT */
#ifndef HOMO_ROOTLESS_H
#define HOMO_ROOTLESS_H

/*
 * Rootless mode (docs/rootless.md): homo run by an ordinary user, as root
 * of a user namespace it entered first (runtime/rootless.c). The CLI sets
 * the mode once at start; every layer asks it here, since what differs is
 * spread thin: overlay xattrs (store, image), cgroups and /dev (runtime).
 */

#include <stdbool.h>
#include <sys/types.h>

/* hm_set_rootless() - enter rootless mode; @uid is the caller's host uid */
void hm_set_rootless(uid_t uid);

/* hm_rootless() - whether this homo is rootless */
bool hm_rootless(void);

/* hm_rootless_uid() - the calling user's host uid (rootless mode only) */
uid_t hm_rootless_uid(void);

/*
 * The xattr namespace overlayfs keeps its markers in: "trusted.overlay."
 * as root, "user.overlay." rootless (the mount's "userxattr" option: a
 * user namespace cannot write trusted.* xattrs).
 */
const char *hm_ovl_prefix(void);

/* hm_ovl_opaque() - the opaque-directory xattr: hm_ovl_prefix() "opaque" */
const char *hm_ovl_opaque(void);

#endif
