/* SPDX-License-Identifier: MIT */
#ifndef HOMO_USERNS_H
#define HOMO_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/idmap.h"
#include "store/store.h"

/*
 * User namespaces (--userns=auto, --uidmap/--gidmap): the container's root
 * is an unprivileged host uid. The image's layers stay as they are on disk
 * and are seen through idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP), so
 * a file of host uid 0 shows as uid 0 inside; the container's own upper/
 * holds host uids (base + N), shifted back when it is committed. The id
 * arithmetic is base/idmap.h's; this is the namespace and mount work.
 */

/** userns_write_maps() - /proc/@pid/{uid,gid}_map of the new namespace. */
int userns_write_maps(pid_t pid, const struct hm_idmap *uid,
		      const struct hm_idmap *gid, struct hm_err *e);

/**
 * userns_idmapped_tree() - a detached copy of the mount tree at @dir whose
 * owners are mapped through the user namespace @userns (MOUNT_ATTR_IDMAP).
 * Return: its mount fd (close-on-exec), or -1 with @e set.
 */
int userns_idmapped_tree(const char *dir, int userns, struct hm_err *e);

/**
 * userns_overlay() - the container's overlay, made by homo (privileged)
 * for a child in its new user namespace @pid: each layer an idmapped
 * detached mount, stacked with fsopen/fsconfig("lowerdir+", fd), upper and
 * work as they are. Before Linux 6.13 (no "lowerdir+"), a forked helper in
 * a mount namespace of its own mounts each idmapped layer over its own
 * directory, the overlay on @merged as without a user namespace, and hands
 * back a detached clone of it; its mounts die with its namespace.
 * Return: a detached mount fd for the child to attach with move_mount, or
 * -1.
 */
int userns_overlay(const char *store_root, char *const *layers,
		   const char *upper, const char *work, const char *merged,
		   pid_t pid, struct hm_err *e);

/**
 * userns_overlay_forked() - the overlay of @layers (ids, bottom first),
 * @upper and @work, mounted by a forked helper in a mount namespace of its
 * own (on @merged, or over @store_root when NULL) with the classic options
 * every kernel takes, each layer idmapped through @userns first unless it
 * is -1. Return: a detached clone (a mount fd), or -1 with @e set.
 */
int userns_overlay_forked(const char *store_root, char *const *layers,
			  const char *upper, const char *work,
			  const char *merged, int userns, struct hm_err *e);

#endif
