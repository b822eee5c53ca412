/* SPDX-License-Identifier: MIT */
/*
 * The container's root filesystem (rootfs.c): mounts and pivot_root, done
 * by the init inside the container's own mount namespace.
 */
#ifndef HOMO_ROOTFS_H
#define HOMO_ROOTFS_H

#include "base/error.h"
#include "runtime/init.h"

/**
 * rootfs_setup() - mount the container's root (the overlay, /proc, /dev,
 * /sys, its /etc files, the volumes) and pivot_root into it.
 */
int rootfs_setup(const struct init_args *a, struct hm_err *e);
/** rootfs_bind_console() - bind the tty slave over /dev/console. */
int rootfs_bind_console(const char *slave, struct hm_err *e);

#endif
