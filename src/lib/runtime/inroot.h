/* SPDX-License-Identifier: MIT */
/*
 * Paths inside a container's root, resolved relative to an fd of that root
 * with openat2(RESOLVE_IN_ROOT), so a symlink in the image never leads out
 * of it (inroot.c). Shared by homo's rootfs.c and the OCI container side.
 */
#ifndef HOMO_INROOT_H
#define HOMO_INROOT_H

#include "base/error.h"

/** open_in_root() - openat2 of @path inside @rootfd; -1 with errno set. */
int open_in_root(int rootfd, const char *path, int flags);

/** mkdir_in_root() - mkdir -p inside the root; an O_PATH fd of the dir. */
int mkdir_in_root(int rootfd, const char *path, struct hm_err *e);

/**
 * file_in_root() - an O_PATH fd of @path, or of an empty file created (with
 * its parents) when missing (then its O_WRONLY fd), to bind a file over; the
 * parent directory keeps its mtime.
 */
int file_in_root(int rootfd, const char *path, struct hm_err *e);

/**
 * mount_at() - mount(2) onto the O_PATH @fd through /proc/self/fd; @what
 * names the target in the error.
 */
int mount_at(const char *src, int fd, const char *what, const char *type,
	     unsigned long flags, const char *data, struct hm_err *e);

#endif
