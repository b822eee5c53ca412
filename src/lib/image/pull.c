/* SPDX-License-Identifier: MIT */
#include "image/pull.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fault.h"
#include "base/lazylib.h"
#include "base/progress.h"
#include "base/util.h"
#include "image/archive.h"
#include "image/fetch.h"

static bool is_url(const char *s)
{
	return util_has_prefix(s, "http://") ||
	       util_has_prefix(s, "https://") || util_has_prefix(s, "file://");
}

/* Download a URL into blobs/sha256/<hex> and return an fd open on it. */
static int download(struct hm_store *s, const struct pull_opts *o,
		    struct hm_err *e)
{
	cleanup_free char *dir = store_path(s, "blobs/sha256");
	cleanup_free char *tmp = NULL, *final = NULL;
	cleanup_close int fd = -1;
	struct fetch_opts fo = {.progress = o->progress,
				.expect_sha256 = o->expect_sha256};
	struct fetch_result fr = {0};
	char rnd[9];

	util_random_hex(rnd, 8);
	tmp = xasprintf("%s/.tmp-%s-%s", dir, util_tmp_owner(), rnd);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return hm_fail(e, errno, "create \"%s\"", tmp);
	HM_TRACE("download %s", o->source);
	if (fetch_url(o->source, fd, &fo, &fr, e) < 0) {
		unlink(tmp);
		return -1;
	}
	final = xasprintf("%s/%s", dir, fr.digest);
	if (rename(tmp, final) < 0) {
		hm_fail(e, errno, "rename \"%s\"", tmp);
		unlink(tmp);
		return -1;
	}
	FAULT_POINT("pull-after-download");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return hm_fail(e, errno, "seek \"%s\"", final);
	return steal_fd(&fd);
}

static int open_source(struct hm_store *s, const struct pull_opts *o,
		       bool *verified, struct hm_err *e)
{
	int fd;

	*verified = false;
	if (strcmp(o->source, "-") == 0) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? hm_fail(e, errno, "standard input") : fd;
	}
	if (is_url(o->source)) {
		*verified = true; /* fetch_url checked expect_sha256 */
		return download(s, o, e);
	}
	fd = open(o->source, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hm_fail(e, errno, "%s", o->source);
	return fd;
}

static char *default_ref(const char *source)
{
	cleanup_free char *name = NULL;

	if (strcmp(source, "-") == 0)
		return xstrdup("stdin:latest");
	name = image_name_from_source(source);
	return xasprintf("%s:latest", name);
}

/* The image's name and tag; an --sha256 of the wrong form. */
static int parse_opts(const struct pull_opts *o, char **name, char **tag,
		      struct hm_err *e)
{
	cleanup_free char *dflt = NULL;

	if (!o->ref)
		dflt = default_ref(o->source);
	if (image_ref_parse(o->ref ? o->ref : dflt, name, tag, e) < 0)
		return -1;
	if (o->expect_sha256 && !digest_valid_hex(o->expect_sha256))
		return hm_failx(e, HM_EXIT_FAIL,
				"--sha256 \"%s\": expected 64 hex digits",
				o->expect_sha256);
	return 0;
}

/* The tarball on @fd into @tmp/diff, digested on the way. */
static int unpack(const struct pull_opts *o, int fd, const char *tmp,
		  struct archive_unpack_result *res, struct hm_err *e)
{
	cleanup_free char *diff = xasprintf("%s/diff", tmp);
	struct hm_progress prog;
	struct stat st;
	int r;

	if (mkdir(diff, 0755) < 0)
		return hm_fail(e, errno, "mkdir \"%s\"", diff);
	HM_TRACE("unpack %s into %s", o->source, tmp);
	progress_init(&prog, "unpack",
		      fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
			  ? (uint64_t)st.st_size
			  : 0,
		      o->progress);
	r = archive_unpack_with(
	    fd, diff,
	    &(struct archive_unpack_opts){.progress = &prog,
					  .max_bytes = o->max_bytes},
	    res, e);
	progress_finish(&prog);
	return r < 0 ? hm_prefix(e, "%s", o->source) : 0;
}

/*
 * A tarball whose top holds an image layout (homo save, docker save) is
 * not a root filesystem: it would make an image of blobs that runs
 * nothing. Said in one line, with the command that reads it.
 */
static int refuse_image_archive(const struct pull_opts *o, const char *tmp,
				struct hm_err *e)
{
	cleanup_free char *layout = xasprintf("%s/diff/oci-layout", tmp);
	cleanup_free char *man = xasprintf("%s/diff/manifest.json", tmp);
	cleanup_free char *repos = xasprintf("%s/diff/repositories", tmp);
	cleanup_free char *blobs = xasprintf("%s/diff/blobs/sha256", tmp);
	bool is_stdin = !strcmp(o->source, "-");

	if (access(layout, F_OK) < 0 &&
	    (access(man, F_OK) < 0 ||
	     (access(repos, F_OK) < 0 && access(blobs, F_OK) < 0)))
		return 0;
	return hm_failx(e, HM_EXIT_FAIL,
			"%s: an image archive (of homo save or docker save), "
			"not a root filesystem: use 'homo load%s%s'",
			is_stdin ? "standard input" : o->source,
			is_stdin ? "" : " -i ", is_stdin ? "" : o->source);
}

/* --sha256 of a file or stdin (fetch_url checks a download's itself). */
static int check_sha256(const struct pull_opts *o, const char *blob_digest,
			struct hm_err *e)
{
	const char *want = o->expect_sha256;

	if (!want)
		return 0;
	if (strncmp(want, "sha256:", 7) == 0)
		want += 7;
	if (strcmp(want, blob_digest))
		return hm_failx(e, HM_EXIT_FAIL,
				"%s: sha256 mismatch: expected %s, got %s",
				o->source, o->expect_sha256, blob_digest);
	return 0;
}

/* A one-layer image of the default config; takes *@name and *@tag. */
static int describe_image(const struct pull_opts *o, char **name, char **tag,
			  const struct archive_unpack_result *res,
			  struct hm_image *out, struct hm_err *e)
{
	char created[40];

	util_now_rfc3339(created, sizeof(created));
	memset(out, 0, sizeof(*out));
	out->name = steal_ptr(name);
	out->tag = steal_ptr(tag);
	out->layers = strv_push(NULL, res->diff_id);
	out->config = image_default_config();
	out->created = xstrdup(created);
	out->source = xstrdup(o->source);
	out->size = res->tar_bytes;
	/* as docker import's */
	out->history = json_pack("[{s:s, s:s, s:s+}]", "created", created,
				 "created_by", "", "comment", "Imported from ",
				 strcmp(o->source, "-") ? o->source : "-");
	if (image_compute_id(out, e) < 0) {
		image_free(out);
		return -1;
	}
	return 0;
}

/* The layer @tmp renamed into place and the image record, under the lock. */
static int record_image(struct hm_store *s, const struct pull_opts *o,
			const char *tmp,
			const struct archive_unpack_result *res,
			const struct hm_image *img, struct hm_err *e)
{
	cleanup_free char *abs_src = NULL;
	json_t *meta;
	int r;

	/* a local file by its absolute path: homo save reuses the original
	 * tar from there (it has the layer's exact digest) from any cwd */
	if (strcmp(o->source, "-") && !is_url(o->source))
		abs_src = realpath(o->source, NULL);
	if (store_lock(s, e) < 0)
		return -1;
	meta = json_pack("{s:s, s:I, s:s, s:s}", "source",
			 abs_src ? abs_src : o->source, "size",
			 (json_int_t)res->tar_bytes, "blob_digest",
			 res->blob_digest, "diff_id", res->diff_id);
	r = store_layer_commit(s, tmp, res->diff_id, meta, e);
	FAULT_POINT("pull-after-layer");
	if (r == 0)
		r = store_image_save(s, img, e);
	FAULT_POINT("pull-after-record");
	store_unlock(s);
	json_decref(meta);
	return r;
}

int pull_image(struct hm_store *s, const struct pull_opts *o,
	       struct hm_image *out, struct hm_err *e)
{
	cleanup_free char *name = NULL, *tag = NULL, *tmp = NULL;
	cleanup_close int fd = -1;
	struct archive_unpack_result res = {0};
	bool verified;

	if (parse_opts(o, &name, &tag, e) < 0)
		return -1;
	/* before the temp layer: a failure then leaves nothing to remove */
	if (lazy_load(LIB_ARCHIVE, o->source, e) < 0 ||
	    lazy_load(LIB_CRYPTO, o->source, e) < 0)
		return -1;
	fd = open_source(s, o, &verified, e);
	if (fd < 0)
		return -1;
	tmp = store_mktemp(s, "layers", e);
	if (!tmp)
		return -1;
	if (unpack(o, fd, tmp, &res, e) < 0)
		goto fail;
	/* read whole: its fd is one a removal may need (a low ulimit -n) */
	close(steal_fd(&fd));
	FAULT_POINT("pull-after-unpack");
	if (refuse_image_archive(o, tmp, e) < 0)
		goto fail;
	if (!verified && check_sha256(o, res.blob_digest, e) < 0)
		goto fail;
	if (describe_image(o, &name, &tag, &res, out, e) < 0)
		goto fail;
	if (record_image(s, o, tmp, &res, out, e) < 0) {
		image_free(out);
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(steal_fd(&fd));
	util_rm_rf(tmp, NULL);
	return -1;
}
