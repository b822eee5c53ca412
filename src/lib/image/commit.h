/* SPDX-License-Identifier: MIT */
#ifndef HOMO_COMMIT_H
#define HOMO_COMMIT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "base/idmap.h"
#include "store/store.h"

struct commit_opts {
	const char *ref;     /* NAME[:TAG] of the new image; NULL: default */
	const char *message; /* -m, kept as the config's "comment" */
	char **changes;	     /* -c instructions (strv), nullable */
	const char *parent;  /* commit_dir(): the base image, nullable */
	bool progress;	     /* draw a progress bar on stderr */
};

/*
 * What commit_upper() is given beyond the options: all it knows of a
 * container (runtime/snapshot.c fills it in for one).
 */
struct commit_input {
	const char *dir;	  /* laid out as an overlay upperdir */
	char *const *base_layers; /* the chain it goes on, nullable */
	json_t *config;		  /* to start from; taken, also on failure */
	const char *source;	  /* the image's "source" */
	const char *default_name; /* the image is named after it without ref */
	/* the base image (nullable): its history is continued */
	const struct hm_image *base;
	const char *created_by; /* the history entry's, nullable */
	/*
	 * @dir's owners are host ids of these maps (nullable, or count 0:
	 * none), shifted back as struct layer_tar_opts says.
	 */
	const struct hm_idmap *uidmap, *gidmap;
	/*
	 * Nullable: called just before @dir is read and just after, to keep
	 * it still meanwhile (a running container is frozen).
	 */
	int (*freeze)(void *arg, struct hm_err *e);
	int (*thaw)(void *arg, struct hm_err *e);
	void *freeze_arg;
};

/**
 * commit_upper() - @in->dir as a new layer on top of @in->base_layers, and
 * a new image naming that chain, its config @in->config with
 * @o->changes applied. Without @o->ref the image is named after
 * @in->default_name, tagged with its short id. The layer is copied and
 * hashed in one pass under a temp name and renamed into place under the
 * lock; identical content is stored once.
 */
int commit_upper(struct hm_store *s, const struct commit_input *in,
		 const struct commit_opts *o, struct hm_image *out,
		 struct hm_err *e);

/**
 * commit_dir() - commit_upper() of any directory laid out as an overlay
 * upperdir, on top of @o->parent (or as a one-layer image).
 */
int commit_dir(struct hm_store *s, const char *dir, const struct commit_opts *o,
	       struct hm_image *out, struct hm_err *e);

/**
 * commit_apply_change() - one Dockerfile-style instruction on an image
 * config (commit_change.c): "CMD [\"a\",\"b\"]" or "CMD a b" (run by
 * /bin/sh -c), the same for ENTRYPOINT, "ENV A=1 B=\"x y\"" (or "ENV K V"),
 * "LABEL k=v...", "EXPOSE 80 53/udp 8000-8001", "VOLUME /a" (or a JSON
 * array), "STOPSIGNAL SIGINT", "WORKDIR /abs", "USER u[:g]". Others are
 * refused.
 */
int commit_apply_change(json_t *config, const char *change, struct hm_err *e);

/**
 * commit_apply_changes() - @changes (strv, nullable) in order, as Docker
 * applies them: an ENTRYPOINT clears the command unless a CMD came before
 * it.
 */
int commit_apply_changes(json_t *config, char *const *changes,
			 struct hm_err *e);

/**
 * commit_check_depth() - can an image of these layers still be mounted?
 * Names the kernel limit (stack depth, or one page of mount options).
 */
int commit_check_depth(const struct hm_store *s, char *const *layers,
		       struct hm_err *e);

#endif
