/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OVERLAY_H
#define HOMO_OVERLAY_H

#include "base/error.h"
#include "store/store.h"

/* The kernel's limit on stacked lower layers (fs/overlayfs OVL_MAX_STACK). */
#define OVERLAY_MAX_LAYERS 500

/**
 * overlay_options() - the mount data for a container's overlay.
 * @layers: layer ids, bottom to top.
 * @upper, @work: absolute paths of the container's upper/ and work/.
 *
 * The lowerdir names the layers through the short "l/<16 hex>" links,
 * top first, relative to the store root: the mounting process must chdir
 * there first. That keeps 200+ layers under the one page of mount data the
 * kernel accepts; a longer stack gets an error naming the limit.
 *
 * Return: malloc'd "lowerdir=...,upperdir=...,workdir=..." or NULL.
 */
char *overlay_options(char *const *layers, const char *upper, const char *work,
		      struct hm_err *e);

#endif
