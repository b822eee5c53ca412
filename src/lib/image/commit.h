/* SPDX-License-Identifier: MIT */
#ifndef HOMO_COMMIT_H
#define HOMO_COMMIT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

struct commit_opts {
	const char *ref;     /* NAME[:TAG] of the new image; NULL: default */
	const char *message; /* -m, kept as the config's "comment" */
	char **changes;	     /* -c instructions (strv), nullable */
	const char *parent;  /* commit_dir(): the base image, nullable */
	bool progress;	     /* draw a progress bar on stderr */
};

/**
 * commit_container() - a container's upperdir as a new layer on top of its
 * image's layers, and a new image naming that chain.
 * @ref: container name, id or id prefix.
 *
 * The config is the image's with the container's own command, env,
 * workdir and user (as Docker's commit), then @o->changes applied. A
 * running container is frozen while its upperdir is read and thawed after,
 * also if homo is killed meanwhile (a guard process thaws it). Without
 * @o->ref the image is named after the container, tagged with its short
 * id. The layer is copied and hashed in one pass under a temp name and
 * renamed into place under the lock; identical content is stored once.
 */
int commit_container(struct hm_store *s, const char *ref,
		     const struct commit_opts *o, struct hm_image *out,
		     struct hm_err *e);

/**
 * commit_dir() - the same for any directory laid out as an overlay
 * upperdir, on top of @o->parent (or as a one-layer image).
 */
int commit_dir(struct hm_store *s, const char *dir, const struct commit_opts *o,
	       struct hm_image *out, struct hm_err *e);

/**
 * commit_apply_change() - one Dockerfile-style instruction on an image
 * config: "CMD [\"a\",\"b\"]" or "CMD a b" (run by /bin/sh -c), "ENV K=V"
 * (or "ENV K V"), "WORKDIR /abs", "USER u[:g]". Others are refused.
 */
int commit_apply_change(json_t *config, const char *change, struct hm_err *e);

/**
 * commit_check_depth() - can an image of these layers still be mounted?
 * Names the kernel limit (stack depth, or one page of mount options).
 */
int commit_check_depth(const struct hm_store *s, char *const *layers,
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
