/* SPDX-License-Identifier: MIT */
#ifndef HOMO_SNAPSHOT_H
#define HOMO_SNAPSHOT_H

/*
 * A container's files taken at one instant (a running container is frozen
 * meanwhile): as a new image (commit) or as a flat tar (export).
 */

#include <stdbool.h>

#include "base/error.h"
#include "image/commit.h"
#include "store/store.h"

/**
 * commit_container() - a container's upperdir as a new layer on top of its
 * image's layers, and a new image naming that chain (commit_upper()).
 * @ref: container name, id or id prefix.
 *
 * The config is the image's with the container's own command, env,
 * workdir and user (as Docker's commit), then @o->changes applied. A
 * running container is frozen while its upperdir is read and thawed after,
 * also if homo is killed meanwhile (a guard process thaws it). Without
 * @o->ref the image is named after the container, tagged with its short
 * id. A user-namespaced container's host ids are shifted back.
 */
int commit_container(struct hm_store *s, const char *ref,
		     const struct commit_opts *o, struct hm_image *out,
		     struct hm_err *e);

/**
 * export_container() - the container's merged tree as one flat tar on
 * @out_fd, as "docker export" writes it. The overlay (upper and layers,
 * all as read-only lower dirs) is mounted in a child's private mount
 * namespace, so nothing stays mounted whatever happens; a running
 * container is frozen meanwhile.
 */
int export_container(struct hm_store *s, const char *ref, int out_fd,
		     bool progress, struct hm_err *e);

#endif
