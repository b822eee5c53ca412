/* SPDX-License-Identifier: MIT */
#ifndef HOMO_WHITEOUT_H
#define HOMO_WHITEOUT_H

#include <sys/types.h>

#include "base/error.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/**
 * whiteout_apply() - an OCI whiteout entry @name (base name @base, which
 * starts with WHITEOUT_PREFIX) as overlayfs's, below the cwd (the layer
 * directory): ".wh..wh..opq" makes its directory opaque, ".wh.NAME" becomes
 * a 0/0 character device NAME (@perm, @uid, @gid); other ".wh..wh." names
 * are skipped.
 *
 * Return: 0, or -1 with @e set.
 */
int whiteout_apply(const char *name, const char *base, mode_t perm, uid_t uid,
		   gid_t gid, struct hm_err *e);

#endif
