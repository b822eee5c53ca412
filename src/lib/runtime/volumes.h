/* SPDX-License-Identifier: MIT */
#ifndef HOMO_VOLUMES_H
#define HOMO_VOLUMES_H

/*
 * A container's mounts (-v, --mount, --tmpfs, --volumes-from) against the
 * store's volumes (store/volume.h): checked and resolved at create, their
 * JSON in config.json, which containers use which volume. The mounting
 * itself is rootfs.c's.
 */
#include <jansson.h>

#include "runtime/spec.h"
#include "store/store.h"

/** volumes_clean_path() - @p made canonical ("//a/./b/" -> "/a/b"), or
 * NULL if it is not absolute or has a ".." (malloc'd). */
char *volumes_clean_path(const char *p);

/**
 * volumes_tmpfs_parse() - Docker's tmpfs options ("size=64m,mode=1777,
 * ro,noexec", comma-separated; NULL or "" for none) into mount(2) flags
 * and data. Unknown options are refused: the data is passed to the kernel.
 * Defaults as Docker's: nosuid, nodev, noexec.
 */
int volumes_tmpfs_parse(const char *opts, unsigned long *flags, char **data,
			struct hm_err *e);

/* A mount as config.json and inspect's "Mounts" hold it. */
json_t *spec_volume_json(const struct hm_volume *v);
/* ... and back, checked (the paths name the host). */
int spec_volume_from_json(json_t *j, struct hm_volume *v, struct hm_err *e);

/**
 * volumes_of_image() - the image config's VOLUME paths (@vols, an object
 * keyed by path) as anonymous volumes, as Docker makes them at create: not
 * where the user mounts something already; none with a user namespace
 * (said once through hm_warn: the store's volumes are out of its reach).
 * Return: 0, or -1 with @e set for a path that is not absolute.
 */
int volumes_of_image(struct hm_spec *s, json_t *vols, struct hm_err *e);

/**
 * volumes_prepare() - at create, under the store lock: add the mounts of
 * --volumes-from, refuse a target given twice or under /proc, /dev or
 * /sys, create the volumes named that do not exist yet (and the anonymous
 * ones), point each at its data and claim the copy of the image's files
 * for a volume's first use.
 */
int volumes_prepare(struct hm_store *st, struct hm_spec *s, struct hm_err *e);

/** volumes_users() - ids of the containers that mount volume @name. */
char **volumes_users(const struct hm_store *st, const char *name);

/** volumes_anon() - the anonymous volumes of @s (strv, never NULL). */
char **volumes_anon(const struct hm_spec *s);

/**
 * volumes_remove_unused() - remove each volume of @names no container
 * uses (locked): a container's anonymous volumes, after it is removed.
 */
void volumes_remove_unused(const struct hm_store *st, char *const *names);

#endif
