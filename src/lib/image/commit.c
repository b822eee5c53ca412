/* SPDX-License-Identifier: MIT */
/*
 * commit: a directory laid out as an overlay upperdir becomes a layer
 * (copied and hashed in one pass by layer_tar_write), the layer goes on
 * top of a chain, a name record names the chain. What a container adds
 * (its config, its id maps, freezing it) comes in as struct commit_input,
 * from runtime/snapshot.c.
 */
#include "image/commit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fault.h"
#include "base/lazylib.h"
#include "base/progress.h"
#include "base/util.h"
#include "image/layer_tar.h"
#include "store/overlay.h"

/* ---- depth ---- */

int commit_check_depth(const struct hm_store *s, char *const *layers,
		       struct hm_err *e)
{
	/* the longest upper/work a container of this store would use */
	cleanup_free char *upper = store_path(s, "containers/%064d/upper", 0);
	cleanup_free char *work = store_path(s, "containers/%064d/work", 0);
	cleanup_free char *opts = overlay_options(layers, upper, work, e);

	return opts ? 0 : hm_prefix(e, "commit");
}

/* ---- the layer ---- */

/*
 * Copy @in->dir into a new temp layer and hash it; *@tmp is the layer dir
 * to hand to store_layer_commit().
 */
static int make_layer(struct hm_store *s, const struct commit_input *in,
		      bool progress, char **tmp, struct layer_tar_result *res,
		      struct hm_err *e)
{
	cleanup_free char *diff = NULL;
	struct hm_progress prog;
	struct layer_tar_opts lo = {
	    .whiteouts = true, .progress = &prog, .skip_mount_stubs = true};
	int r;

	*tmp = store_mktemp(s, "layers", e);
	if (!*tmp)
		return -1;
	diff = xasprintf("%s/diff", *tmp);
	if (mkdir(diff, 0755) < 0) {
		hm_fail(e, errno, "mkdir \"%s\"", diff);
		goto fail;
	}
	lo.copy_to = diff;
	lo.uidmap = in->uidmap; /* a user-namespaced container's upper/ */
	lo.gidmap = in->gidmap;
	progress_init(&prog, "commit", progress ? util_dir_size(in->dir) : 0,
		      progress);
	HM_TRACE("copy and hash %s", in->dir);
	r = layer_tar_write(in->dir, &lo, res, e);
	progress_finish(&prog);
	if (r == 0)
		return 0;
fail:
	util_rm_rf(*tmp, NULL);
	free(steal_ptr(tmp));
	return -1;
}

static char *default_ref(const char *name, const char *image_id)
{
	cleanup_free char *n = image_name_from_source(name);

	return xasprintf("%s:%.12s", n, image_id);
}

/*
 * Make the layer, with @in->dir kept still meanwhile (a running container
 * frozen) if the caller says how.
 */
static int copy_layer(struct hm_store *s, const struct commit_input *in,
		      bool progress, char **tmp, struct layer_tar_result *res,
		      struct hm_err *e)
{
	int r;

	if (in->freeze && in->freeze(in->freeze_arg, e) < 0)
		return -1;
	r = make_layer(s, in, progress, tmp, res, e);
	if (in->thaw && in->thaw(in->freeze_arg, r < 0 ? NULL : e) < 0 &&
	    r == 0) {
		util_rm_rf(*tmp, NULL);
		return -1;
	}
	return r;
}

/*
 * The config changes, the name and the chain, checked before anything is
 * copied: a stand-in top layer tells whether the chain can be mounted.
 */
static int prepare_image(const struct hm_store *s,
			 const struct commit_input *in,
			 const struct commit_opts *o, struct hm_image *img,
			 struct hm_err *e)
{
	if (commit_apply_changes(img->config, o->changes, e) < 0)
		return -1;
	if (o->message)
		json_object_set_new(img->config, "comment",
				    json_string(o->message));
	if (o->ref && image_ref_parse(o->ref, &img->name, &img->tag, e) < 0)
		return -1;
	for (size_t i = 0; in->base_layers && in->base_layers[i]; i++)
		img->layers = strv_push(img->layers, in->base_layers[i]);
	img->layers = strv_push(img->layers, "0000000000000000");
	return commit_check_depth(s, img->layers, e);
}

/* The new layer @tmp on top, the image id, and both into the store. */
static int record_image(struct hm_store *s, const struct commit_input *in,
			const struct commit_opts *o, const char *tmp,
			const struct layer_tar_result *res,
			struct hm_image *img, struct hm_err *e)
{
	cleanup_free char *dflt = NULL;
	char created[40];
	json_t *meta;
	int r;

	free(img->layers[strv_len(img->layers) - 1]);
	img->layers[strv_len(img->layers) - 1] = xstrdup(res->diff_id);
	util_now_rfc3339(created, sizeof(created));
	img->created = xstrdup(created);
	img->history = in->base ? image_history(in->base) : json_array();
	json_array_append_new(img->history,
			      json_pack("{s:s, s:s, s:s?}", "created", created,
					"created_by",
					in->created_by ? in->created_by : "",
					"comment", o->message));
	img->size = res->tar_bytes;
	for (size_t i = 0; in->base_layers && in->base_layers[i]; i++)
		img->size += store_layer_size(s, in->base_layers[i]);
	if (image_compute_id(img, e) < 0)
		return -1;
	if (!o->ref) {
		dflt = default_ref(in->default_name, img->id);
		if (image_ref_parse(dflt, &img->name, &img->tag, e) < 0)
			return -1;
	}
	meta = json_pack("{s:s, s:I, s:s, s:b, s:s?}", "source", img->source,
			 "size", (json_int_t)res->tar_bytes, "diff_id",
			 res->diff_id, "canonical", 1, "comment", o->message);
	if (store_lock(s, e) < 0) {
		json_decref(meta);
		return -1;
	}
	r = store_layer_commit(s, tmp, res->diff_id, meta, e);
	FAULT_POINT("commit-after-layer");
	if (r == 0)
		r = store_image_save(s, img, e);
	store_unlock(s);
	json_decref(meta);
	return r;
}

int commit_upper(struct hm_store *s, const struct commit_input *in,
		 const struct commit_opts *o, struct hm_image *out,
		 struct hm_err *e)
{
	cleanup_free char *tmp = NULL, *pin = NULL;
	struct layer_tar_result res;

	memset(out, 0, sizeof(*out));
	out->config = in->config;
	out->source = xstrdup(in->source);
	/* before the temp layer: a failure then leaves nothing to remove */
	if (lazy_load(LIB_ARCHIVE, "commit", e) < 0 ||
	    lazy_load(LIB_CRYPTO, "commit", e) < 0 ||
	    prepare_image(s, in, o, out, e) < 0)
		goto fail;
	/* what we build on may lose its image and container meanwhile (rmi,
	 * rm -f): kept until our image names it */
	pin = store_pin_layers(s, in->base_layers, e);
	if (!pin || copy_layer(s, in, o->progress, &tmp, &res, e) < 0)
		goto fail;
	FAULT_POINT("commit-before-record");
	if (record_image(s, in, o, tmp, &res, out, e) < 0) {
		util_rm_rf(tmp, NULL);
		goto fail;
	}
	store_unpin(pin);
	return 0;
fail:
	store_unpin(pin);
	image_free(out);
	return -1;
}

int commit_dir(struct hm_store *s, const char *dir, const struct commit_opts *o,
	       struct hm_image *out, struct hm_err *e)
{
	cleanup_free char *abs = realpath(dir, NULL);
	struct hm_image base = {0};
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	if (!abs || stat(abs, &st) < 0)
		return hm_fail(e, errno, "%s", dir);
	if (!S_ISDIR(st.st_mode))
		return hm_fail(e, ENOTDIR, "%s", dir);
	if (o->parent && store_image_find(s, o->parent, &base, NULL, e) < 0)
		return -1;
	r = commit_upper(s,
			 &(struct commit_input){
			     .dir = abs,
			     .base_layers = base.layers,
			     .config = o->parent ? json_deep_copy(base.config)
						 : image_default_config(),
			     .source = abs,
			     .default_name = abs,
			     .base = o->parent ? &base : NULL,
			 },
			 o, out, e);
	image_free(&base);
	return r;
}
