/* SPDX-License-Identifier: MIT */
/*
 * save: layers become gzip blobs in a temp dir of the store, configs and
 * manifests are written beside them, then everything goes out as one tar
 * (an OCI image layout with a Docker manifest.json too). Reading archives
 * back is oci_load.c.
 */
#include "image/oci.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fault.h"
#include "base/lazylib.h"
#include "base/progress.h"
#include "base/util.h"
#include "image/archive_err.h"
#include "image/layer_tar.h"
#include "image/oci_config.h"
#include "image/oci_format.h"

#define CHUNK (1 << 20)

/* ---- save: blobs ---- */

struct blob {
	char digest[DIGEST_HEX_LEN + 1];
	uint64_t size;
};

/* A gzip stream into a file, hashed as written (the blob digest). */
struct gz {
	struct archive *a;
	int fd;
	struct hm_digest d;
	uint64_t size;
	struct hm_err *e;
	bool failed;
};

static la_ssize_t gz_out(struct archive *a, void *arg, const void *buf,
			 size_t len)
{
	struct gz *g = arg;

	(void)a;
	digest_update(&g->d, buf, len);
	g->size += len;
	if (layer_tar_fd_sink(&g->fd, buf, len, g->e) < 0) {
		g->failed = true;
		return -1;
	}
	return (la_ssize_t)len;
}

static int gz_open(struct gz *g, int fd, struct hm_err *e)
{
	struct archive_entry *ent;
	int r;

	memset(g, 0, sizeof(*g));
	g->fd = fd;
	g->e = e;
	if (digest_init(&g->d, e) < 0)
		return -1;
	g->a = archive_write_new();
	ent = archive_entry_new();
	if (!g->a || !ent)
		abort();
	archive_entry_set_filetype(ent, AE_IFREG);
	archive_entry_set_pathname(ent, "layer.tar");
	/* no time stamp in the gzip header: the same layer, the same blob */
	r = archive_write_set_format_raw(g->a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(g->a) != ARCHIVE_OK ||
	    archive_write_set_options(g->a, "gzip:!timestamp") < ARCHIVE_WARN ||
	    archive_write_set_bytes_per_block(g->a, 0) != ARCHIVE_OK ||
	    archive_write_open(g->a, g, NULL, gz_out, NULL) != ARCHIVE_OK ||
	    archive_write_header(g->a, ent) != ARCHIVE_OK;
	archive_entry_free(ent);
	return r ? hm_fail_archive(e, g->a, "gzip") : 0;
}

static int gz_sink(void *arg, const void *buf, size_t len, struct hm_err *e)
{
	struct gz *g = arg;

	if (archive_write_data(g->a, buf, len) != (la_ssize_t)len)
		return g->failed ? -1 : hm_fail_archive(e, g->a, "gzip");
	return 0;
}

static int gz_close(struct gz *g, struct blob *b, struct hm_err *e)
{
	int r = archive_write_close(g->a);

	if (r != ARCHIVE_OK && !g->failed)
		hm_fail_archive(e, g->a, "gzip");
	archive_write_free(g->a);
	if (r != ARCHIVE_OK) {
		digest_free(&g->d);
		return -1;
	}
	digest_final(&g->d, b->digest);
	b->size = g->size;
	return 0;
}

/* Put @tmpfile under its digest name in @dir. */
static int name_blob(const char *dir, const char *tmpfile, const struct blob *b,
		     struct hm_err *e)
{
	cleanup_free char *final = xasprintf("%s/%s", dir, b->digest);

	if (rename(tmpfile, final) < 0)
		return hm_fail(e, errno, "rename \"%s\"", tmpfile);
	return 0;
}

/*
 * Read @path (any compression) and check its tar stream hashes to @id;
 * if it does, the layer blob is @path itself when it is gzip (hard-linked
 * into @dir unless @recompress), or its stream gzip'd. Return 1 if done,
 * 0 if @path does not give @id (the caller falls back), -1 on error.
 */
static int blob_from_original(const char *path, const char *id, const char *dir,
			      bool recompress, struct blob *b, struct hm_err *e)
{
	cleanup_free char *tmp = xasprintf("%s/layer-%d", dir, (int)getpid());
	cleanup_close int in = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	cleanup_archive_read struct archive *a = NULL;
	struct archive_entry *ent;
	struct hm_digest d = {0};
	struct gz g = {0};
	char got[DIGEST_HEX_LEN + 1];
	bool gzip, writing = false;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r = -1, rr;

	if (in < 0)
		return 0;
	a = archive_read_new();
	if (!a)
		abort();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, in, CHUNK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK)
		return 0;
	gzip = !recompress && archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP;
	if (digest_init(&d, e) < 0)
		goto out;
	if (!gzip) {
		out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			hm_fail(e, errno, "create \"%s\"", tmp);
			goto out;
		}
		if (gz_open(&g, out, e) < 0)
			goto out;
		writing = true;
	}
	while ((rr = archive_read_data_block(a, &buf, &len, &off)) ==
	       ARCHIVE_OK) {
		digest_update(&d, buf, len);
		if (writing && gz_sink(&g, buf, len, e) < 0)
			goto out;
	}
	if (rr != ARCHIVE_EOF) { /* not readable after all: fall back */
		r = 0;
		goto out;
	}
	digest_final(&d, got);
	if (writing) {
		writing = false;
		if (gz_close(&g, b, e) < 0)
			goto out;
	}
	if (strcmp(got, id)) {
		r = 0;
		goto out;
	}
	if (gzip) {
		struct stat st;

		if (digest_file(path, b->digest, e) < 0 || stat(path, &st) < 0)
			goto out;
		b->size = (uint64_t)st.st_size;
		unlink(tmp);
		/* a hard link where it can be, else a copy through gzip */
		if (link(path, tmp) < 0) {
			archive_read_free(steal_ptr(&a));
			digest_free(&d);
			return blob_from_original(path, id, dir, true, b, e);
		}
	}
	r = name_blob(dir, tmp, b, e) < 0 ? -1 : 1;
out:
	if (writing)
		gz_close(&g, b, &(struct hm_err){0});
	digest_free(&d);
	if (r != 1)
		unlink(tmp);
	return r;
}

/* The canonical stream of the layer's directory, gzip'd. */
static int blob_from_dir(const char *diff, const char *dir, bool progress,
			 struct blob *b, char diff_id[DIGEST_HEX_LEN + 1],
			 struct hm_err *e)
{
	cleanup_free char *tmp = xasprintf("%s/layer-%d", dir, (int)getpid());
	cleanup_close int out =
	    open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct hm_progress prog;
	struct gz g;
	struct layer_tar_opts lo = {.whiteouts = true,
				    .sink = gz_sink,
				    .sink_arg = &g,
				    .progress = &prog};
	struct layer_tar_result res;
	int r;

	if (out < 0)
		return hm_fail(e, errno, "create \"%s\"", tmp);
	if (gz_open(&g, out, e) < 0)
		return -1;
	progress_init(&prog, "save", progress ? util_dir_size(diff) : 0,
		      progress);
	r = layer_tar_write(diff, &lo, &res, e);
	progress_finish(&prog);
	if (r < 0) {
		gz_close(&g, b, &(struct hm_err){0});
		unlink(tmp);
		return -1;
	}
	if (gz_close(&g, b, e) < 0 || name_blob(dir, tmp, b, e) < 0) {
		unlink(tmp);
		return -1;
	}
	memcpy(diff_id, res.diff_id, DIGEST_HEX_LEN + 1);
	return 0;
}

struct saved_layer {
	char id[DIGEST_HEX_LEN + 1];
	char diff_id[DIGEST_HEX_LEN + 1];
	struct blob blob;
};

static int save_layer(struct hm_store *s, const char *id, const char *dir,
		      bool progress, struct saved_layer *l, struct hm_err *e)
{
	cleanup_free char *meta_path =
	    store_path(s, "layers/%s/layer.json", id);
	cleanup_free char *diff = store_path(s, "layers/%s/diff", id);
	json_t *meta = json_load_file(meta_path, 0, NULL);
	const char *bd =
	    json_string_value(json_object_get(meta, "blob_digest"));
	const char *src = json_string_value(json_object_get(meta, "source"));
	bool canonical = json_is_true(json_object_get(meta, "canonical"));
	int r = 0;

	memcpy(l->id, id, sizeof(l->id));
	memcpy(l->diff_id, id, sizeof(l->diff_id));
	if (access(diff, F_OK) < 0) {
		json_decref(meta);
		return hm_fail(e, errno, "layer %.12s", id);
	}
	/* A pulled or loaded layer: its original tar, if homo has it. */
	if (!canonical && bd && digest_valid_hex(bd)) {
		cleanup_free char *kept = store_path(s, "blobs/sha256/%s", bd);

		r = blob_from_original(kept, id, dir, false, &l->blob, e);
		if (r == 0 && src && *src == '/')
			r = blob_from_original(src, id, dir, false, &l->blob,
					       e);
	}
	json_decref(meta);
	if (r != 0)
		return r < 0 ? -1 : 0;
	HM_TRACE("save layer %.12s from its directory", id);
	return blob_from_dir(diff, dir, progress, &l->blob, l->diff_id, e);
}

/* ---- save: JSON ---- */

static int json_blob(const char *dir, json_t *j, struct blob *b,
		     struct hm_err *e)
{
	cleanup_free char *text =
	    j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	cleanup_free char *path = NULL;

	if (!text)
		return hm_failx(e, HM_EXIT_FAIL,
				"save: a record is not valid UTF-8");
	if (digest_buf(text, strlen(text), b->digest, e) < 0)
		return -1;
	b->size = strlen(text);
	path = xasprintf("%s/%s", dir, b->digest);
	return util_write_file_atomic(path, text, b->size, false, e);
}

const char *oci_arch(void)
{
	static struct utsname u;

	uname(&u);
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	return u.machine;
}

static json_t *descriptor(const char *mt, const struct blob *b)
{
	return json_pack("{s:s, s:s+, s:I}", "mediaType", mt, "digest",
			 "sha256:", b->digest, "size", (json_int_t)b->size);
}

/* ---- save: the outer tar ---- */

static int tar_add(struct archive *a, const char *name, const void *data,
		   size_t len, int fd, struct hm_progress *prog,
		   struct hm_err *e)
{
	struct archive_entry *ent = archive_entry_new();
	static unsigned char buf[CHUNK];
	int r = 0;

	if (!ent)
		abort();
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, data || fd >= 0 ? AE_IFREG : AE_IFDIR);
	archive_entry_set_perm(ent, data || fd >= 0 ? 0644 : 0755);
	archive_entry_set_size(ent, (la_int64_t)len);
	if (archive_write_header(a, ent) != ARCHIVE_OK)
		r = hm_fail_archive(e, a, "save: \"%s\"", name);
	archive_entry_free(ent);
	if (r < 0)
		return -1;
	if (data && archive_write_data(a, data, len) != (la_ssize_t)len)
		return hm_fail_archive(e, a, "save: \"%s\"", name);
	while (fd >= 0 && len) {
		ssize_t n = read(fd, buf, len < CHUNK ? len : CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hm_fail(e, n < 0 ? errno : EIO, "save: read %s",
				       name);
		if (archive_write_data(a, buf, (size_t)n) != n)
			return hm_fail_archive(e, a, "save: \"%s\"", name);
		len -= (size_t)n;
		progress_update(prog, prog->done + (uint64_t)n);
	}
	return 0;
}

static int tar_add_json(struct archive *a, const char *name, json_t *j,
			struct hm_err *e)
{
	cleanup_free char *text =
	    j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	if (!text)
		return hm_failx(e, HM_EXIT_FAIL,
				"save: \"%s\" is not valid UTF-8", name);
	return tar_add(a, name, text, strlen(text), -1, NULL, e);
}

static int write_archive(int out_fd, const char *dir, json_t *index,
			 json_t *docker, bool progress, struct hm_err *e)
{
	cleanup_dir DIR *d = opendir(dir);
	struct archive *a = archive_write_new();
	struct hm_progress prog;
	struct dirent *de;
	int r = -1;

	if (!a)
		abort();
	if (!d)
		return archive_write_free(a), hm_fail(e, errno, "%s", dir);
	progress_init(&prog, "write", progress ? util_dir_size(dir) : 0,
		      progress);
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out_fd) != ARCHIVE_OK) {
		hm_fail_archive(e, a, "save");
		goto out;
	}
	if (tar_add(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30,
		    -1, NULL, e) < 0 ||
	    tar_add_json(a, "index.json", index, e) < 0 ||
	    tar_add_json(a, "manifest.json", docker, e) < 0 ||
	    tar_add(a, "blobs", NULL, 0, -1, NULL, e) < 0 ||
	    tar_add(a, "blobs/sha256", NULL, 0, -1, NULL, e) < 0)
		goto out;
	while ((de = readdir(d))) {
		cleanup_free char *path = NULL, *name = NULL;
		cleanup_close int fd = -1;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			hm_fail(e, errno, "open \"%s\"", path);
			goto out;
		}
		name = xasprintf("blobs/sha256/%s", de->d_name);
		FAULT_POINT("save-mid-write");
		if (tar_add(a, name, NULL, (size_t)st.st_size, fd, &prog, e) <
		    0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		hm_fail_archive(e, a, "save");
		goto out;
	}
	r = 0;
out:
	progress_finish(&prog);
	archive_write_free(a);
	return r;
}

static struct saved_layer *find_saved(struct saved_layer *v, size_t n,
				      const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, id))
			return &v[i];
	return NULL;
}

static int save_in(struct hm_store *s, char *const *refs, const char *dir,
		   int out_fd, bool progress, json_t **index_out,
		   struct hm_err *e)
{
	size_t nimg = strv_len(refs), nl = 0;
	cleanup_free struct hm_image *imgs = xcalloc(nimg, sizeof(*imgs));
	cleanup_free struct saved_layer *layers = NULL;
	json_t *manifests = json_array(), *docker = json_array(), *index;
	size_t loaded = 0;
	int r = -1;

	for (; loaded < nimg; loaded++)
		if (store_image_find(s, refs[loaded], &imgs[loaded], NULL, e) <
		    0)
			goto out;
	for (size_t i = 0; i < nimg; i++) {
		json_t *diff_ids = json_array(), *ldesc = json_array();
		json_t *dlayers = json_array(), *cfg, *man;
		struct blob cb, mb;
		cleanup_free char *full = NULL;

		for (size_t k = 0; imgs[i].layers[k]; k++) {
			struct saved_layer *l =
			    find_saved(layers, nl, imgs[i].layers[k]);

			if (!l) {
				layers = xrealloc(layers,
						  (nl + 1) * sizeof(*layers));
				l = &layers[nl];
				if (save_layer(s, imgs[i].layers[k], dir,
					       progress, l, e) < 0) {
					json_decref(diff_ids);
					json_decref(ldesc);
					json_decref(dlayers);
					goto out;
				}
				nl++;
			}
			json_array_append_new(
			    diff_ids, json_sprintf("sha256:%s", l->diff_id));
			json_array_append_new(
			    ldesc, descriptor(MT_LAYER_GZ, &l->blob));
			json_array_append_new(
			    dlayers,
			    json_sprintf("blobs/sha256/%s", l->blob.digest));
		}
		cfg = oci_config_from_homo(&imgs[i], diff_ids);
		r = json_blob(dir, cfg, &cb, e);
		json_decref(cfg);
		man = json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2,
				"mediaType", MT_MANIFEST, "config",
				descriptor(MT_CONFIG, &cb), "layers", ldesc);
		if (r == 0)
			r = json_blob(dir, man, &mb, e);
		json_decref(man);
		if (r < 0) {
			json_decref(dlayers);
			goto out;
		}
		r = -1;
		full = xasprintf("%s:%s", imgs[i].name, imgs[i].tag);
		man = descriptor(MT_MANIFEST, &mb);
		json_object_set_new(man, "annotations",
				    json_pack("{s:s, s:s}", ANN_NAME, full,
					      ANN_REF, imgs[i].tag));
		json_array_append_new(manifests, man);
		json_array_append_new(
		    docker,
		    json_pack("{s:s+, s:[s], s:o}", "Config", "blobs/sha256/",
			      cb.digest, "RepoTags", full, "Layers", dlayers));
	}
	index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType",
			  MT_INDEX, "manifests", manifests);
	if (index_out) { /* the blobs alone (push) */
		*index_out = json_incref(index);
		r = 0;
	} else {
		r = write_archive(out_fd, dir, index, docker, progress, e);
	}
	json_decref(index);
out:
	json_decref(manifests);
	json_decref(docker);
	for (size_t i = 0; i < loaded; i++)
		image_free(&imgs[i]);
	return r;
}

int oci_save(struct hm_store *s, char *const *refs, int out_fd, bool progress,
	     struct hm_err *e)
{
	cleanup_free char *dir = NULL;
	int r;

	if (lazy_load(LIB_ARCHIVE, "save", e) < 0)
		return -1;
	/* under blobs/sha256: a killed save's dir is swept as debris, also
	 * by the next save, which takes no lock otherwise */
	store_sweep(s);
	dir = store_mktemp(s, "blobs/sha256", e);
	if (!dir)
		return -1;
	r = save_in(s, refs, dir, out_fd, progress, NULL, e);
	util_rm_rf(dir, NULL);
	return r;
}

int oci_save_blobs(struct hm_store *s, const char *ref, const char *dir,
		   bool progress, json_t **index, struct hm_err *e)
{
	char *refs[] = {(char *)ref, NULL};

	*index = NULL;
	if (lazy_load(LIB_ARCHIVE, "push", e) < 0)
		return -1;
	return save_in(s, refs, dir, -1, progress, index, e);
}
