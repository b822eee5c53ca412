/* SPDX-License-Identifier: MIT */
/*
 * save: layers become gzip blobs in a temp dir of the store, configs and
 * manifests are written beside them, then everything goes out as one tar.
 * load: the archive is extracted (safely, by archive_unpack) into a temp
 * dir, its JSON is read and checked, each layer blob is unpacked into a
 * temp layer, and all is renamed into place under the lock at the end.
 */
#include "oci.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "archive.h"
#include "digest.h"
#include "layer_tar.h"
#include "progress.h"
#include "util.h"

#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER_GZ "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define ANN_NAME "io.containerd.image.name"
#define ANN_REF "org.opencontainers.image.ref.name"
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
static int name_blob(const char *dir, const char *tmpfile,
		     const struct blob *b, struct hm_err *e)
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
static int blob_from_original(const char *path, const char *id,
			      const char *dir, bool recompress, struct blob *b,
			      struct hm_err *e)
{
	cleanup_free char *tmp = xasprintf("%s/layer-%d", dir, (int)getpid());
	cleanup_close int in = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	struct archive *a = NULL;
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
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		archive_read_free(a);
		return 0;
	}
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

		if (digest_file(path, b->digest, e) < 0 ||
		    stat(path, &st) < 0)
			goto out;
		b->size = (uint64_t)st.st_size;
		unlink(tmp);
		/* a hard link where it can be, else a copy through gzip */
		if (link(path, tmp) < 0) {
			archive_read_free(a);
			digest_free(&d);
			return blob_from_original(path, id, dir, true, b, e);
		}
	}
	r = name_blob(dir, tmp, b, e) < 0 ? -1 : 1;
out:
	if (writing)
		gz_close(&g, b, &(struct hm_err){0});
	digest_free(&d);
	archive_read_free(a);
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
	cleanup_close int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC |
						  O_CLOEXEC,
				     0644);
	struct hm_progress prog;
	struct gz g;
	struct layer_tar_opts lo = {.whiteouts = true, .sink = gz_sink,
				    .sink_arg = &g, .progress = &prog};
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
	cleanup_free char *meta_path = store_path(s, "layers/%s/layer.json", id);
	cleanup_free char *diff = store_path(s, "layers/%s/diff", id);
	json_t *meta = json_load_file(meta_path, 0, NULL);
	const char *bd = json_string_value(json_object_get(meta, "blob_digest"));
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
	cleanup_free char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	cleanup_free char *path = NULL;

	if (digest_buf(text, strlen(text), b->digest, e) < 0)
		return -1;
	b->size = strlen(text);
	path = xasprintf("%s/%s", dir, b->digest);
	return util_write_file_atomic(path, text, b->size, false, e);
}

static const char *oci_arch(void)
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

static json_t *oci_config(const struct hm_image *img, json_t *diff_ids)
{
	json_t *c = img->config, *cfg = json_object();
	const char *comment = json_string_value(json_object_get(c, "comment"));
	json_t *j;

	json_object_set(cfg, "Cmd", json_object_get(c, "cmd"));
	json_object_set(cfg, "Env", json_object_get(c, "env"));
	json_object_set_new(cfg, "WorkingDir",
			    json_string(json_string_value(json_object_get(
					    c, "workdir")) ?: "/"));
	json_object_set_new(cfg, "User",
			    json_string(json_string_value(json_object_get(
					    c, "user")) ?: ""));
	j = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:o}}", "created",
		      img->created ? img->created : "", "architecture",
		      oci_arch(), "os", "linux", "config", cfg, "rootfs",
		      "type", "layers", "diff_ids", diff_ids);
	if (comment)
		json_object_set_new(j, "comment", json_string(comment));
	return j;
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
	cleanup_free char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

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
		   int out_fd, bool progress, struct hm_err *e)
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
			json_array_append_new(diff_ids,
					      json_sprintf("sha256:%s",
							   l->diff_id));
			json_array_append_new(ldesc,
					      descriptor(MT_LAYER_GZ, &l->blob));
			json_array_append_new(
			    dlayers,
			    json_sprintf("blobs/sha256/%s", l->blob.digest));
		}
		cfg = oci_config(&imgs[i], diff_ids);
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
		    docker, json_pack("{s:s+, s:[s], s:o}", "Config",
				      "blobs/sha256/", cb.digest, "RepoTags",
				      full, "Layers", dlayers));
	}
	index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType",
			  MT_INDEX, "manifests", manifests);
	r = write_archive(out_fd, dir, index, docker, progress, e);
	json_decref(index);
out:
	json_decref(manifests);
	json_decref(docker);
	for (size_t i = 0; i < loaded; i++)
		image_free(&imgs[i]);
	return r;
}

int oci_save(struct hm_store *s, char *const *refs, int out_fd,
	     bool progress, struct hm_err *e)
{
	/* under blobs/sha256: a killed save's dir is swept as debris */
	cleanup_free char *dir = store_mktemp(s, "blobs/sha256", e);
	struct hm_err ignored;
	int r;

	if (!dir)
		return -1;
	r = save_in(s, refs, dir, out_fd, progress, e);
	util_rm_rf(dir, &ignored);
	return r;
}

/* ---- load ---- */

#define MAX_JSON (16 << 20)

struct pending_layer {
	char id[DIGEST_HEX_LEN + 1];
	char *tmp; /* temp layer dir holding diff/ */
	json_t *meta;
};

struct load {
	struct hm_store *s;
	const char *dir; /* the extracted archive */
	int root;	 /* O_PATH of dir */
	bool progress;
	struct pending_layer *layers;
	size_t nl;
	struct hm_image *imgs;
	size_t ni;
	struct hm_err *e;
};

/* Open @path inside the extracted archive: symlinks resolve in it. */
static int open_in(struct load *l, const char *path)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
		       RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, l->root, path, &how, sizeof(how));

	if (fd < 0)
		return hm_fail(l->e, errno, "load: \"%s\"", path);
	return (int)fd;
}

/* "sha256:<64 hex>" -> the hex, or NULL with l->e set. */
static const char *digest_hex(struct load *l, const char *d)
{
	if (!d || !util_has_prefix(d, "sha256:") || !digest_valid_hex(d + 7)) {
		hm_failx(l->e, HM_EXIT_FAIL, "load: bad digest \"%s\"",
			 d ? d : "(none)");
		return NULL;
	}
	return d + 7;
}

/*
 * Read and parse a JSON file of the archive; with @hex, check its sha256
 * (and @size unless negative) first.
 */
static json_t *read_json(struct load *l, const char *path, const char *hex,
			 json_int_t size)
{
	cleanup_close int fd = open_in(l, path);
	cleanup_free char *buf = NULL;
	char got[DIGEST_HEX_LEN + 1];
	json_error_t jerr;
	struct stat st;
	size_t len = 0;
	json_t *j;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > MAX_JSON)
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: \"%s\": not a regular file of at most "
				"16 MiB",
				path),
		       NULL;
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hm_fail(l->e, n ? errno : EIO,
				       "load: read \"%s\"", path),
			       NULL;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (hex) {
		if (digest_buf(buf, len, got, l->e) < 0)
			return NULL;
		if (strcmp(got, hex) || (size >= 0 && (json_int_t)len != size))
			return hm_failx(l->e, HM_EXIT_FAIL,
					"load: blob sha256:%s: digest or size "
					"mismatch (got sha256:%s, %zu bytes)",
					hex, got, len),
			       NULL;
	}
	j = json_loadb(buf, len, 0, &jerr);
	if (!j)
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: \"%s\": not JSON: %s", path, jerr.text),
		       NULL;
	return j;
}

static json_t *read_blob_json(struct load *l, json_t *desc)
{
	const char *hex = digest_hex(
	    l, json_string_value(json_object_get(desc, "digest")));
	json_t *size = json_object_get(desc, "size");
	cleanup_free char *path = NULL;

	if (!hex)
		return NULL;
	path = xasprintf("blobs/sha256/%s", hex);
	return read_json(l, path, hex,
			 json_is_integer(size) ? json_integer_value(size) : -1);
}

static bool layer_pending(struct load *l, const char *id)
{
	for (size_t i = 0; i < l->nl; i++)
		if (!strcmp(l->layers[i].id, id))
			return true;
	return false;
}

/*
 * Keep a verified blob in the store's blob cache, so that a later save
 * writes the same bytes (and the same diff id). Best effort.
 */
static void keep_blob(struct load *l, int fd, const char *digest)
{
	cleanup_free char *src = xasprintf("/proc/self/fd/%d", fd);
	cleanup_free char *dst = store_path(l->s, "blobs/sha256/%s", digest);

	/* no link (another fs, or it is there already): no cache, no harm */
	if (access(dst, F_OK) < 0 &&
	    linkat(AT_FDCWD, src, AT_FDCWD, dst, AT_SYMLINK_FOLLOW) < 0)
		HM_TRACE("keep blob %.12s: %s", digest, strerror(errno));
}

/*
 * Unpack the layer blob @path into a temp layer; @blob_hex (nullable) is
 * its expected sha256, @diff_id that of its tar stream.
 */
static int load_layer(struct load *l, const char *path, const char *blob_hex,
		      const char *diff_id)
{
	cleanup_free char *tmp = NULL, *diff = NULL;
	cleanup_close int fd = -1;
	struct archive_unpack_result res = {0};
	struct hm_progress prog;
	struct archive_unpack_opts uo = {.progress = &prog};
	struct pending_layer *p;
	struct hm_err ignored;
	struct stat st;
	int r;

	if (layer_pending(l, diff_id) || store_layer_exists(l->s, diff_id))
		return 0; /* the same content is stored once */
	fd = open_in(l, path);
	if (fd < 0)
		return hm_prefix(l->e, "missing layer blob");
	tmp = store_mktemp(l->s, "layers", l->e);
	if (!tmp)
		return -1;
	diff = xasprintf("%s/diff", tmp);
	if (mkdir(diff, 0755) < 0) {
		hm_fail(l->e, errno, "mkdir \"%s\"", diff);
		goto fail;
	}
	progress_init(&prog, "unpack",
		      fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0,
		      l->progress);
	HM_TRACE("load layer %.12s from %s", diff_id, path);
	r = archive_unpack_with(fd, diff, &uo, &res, l->e);
	progress_finish(&prog);
	if (r < 0) {
		hm_prefix(l->e, "load: layer sha256:%.12s", diff_id);
		goto fail;
	}
	if (blob_hex && strcmp(blob_hex, res.blob_digest)) {
		hm_failx(l->e, HM_EXIT_FAIL,
			 "load: layer blob sha256:%s: digest mismatch (got "
			 "sha256:%s)",
			 blob_hex, res.blob_digest);
		goto fail;
	}
	if (strcmp(diff_id, res.diff_id)) {
		hm_failx(l->e, HM_EXIT_FAIL,
			 "load: layer \"%s\": diff id mismatch: the config "
			 "says sha256:%s, the content is sha256:%s",
			 path, diff_id, res.diff_id);
		goto fail;
	}
	keep_blob(l, fd, res.blob_digest);
	l->layers = xrealloc(l->layers, (l->nl + 1) * sizeof(*l->layers));
	p = &l->layers[l->nl++];
	memcpy(p->id, diff_id, sizeof(p->id));
	p->tmp = steal_ptr(&tmp);
	p->meta = json_pack("{s:s, s:I, s:s, s:s}", "source", "load", "size",
			    (json_int_t)res.tar_bytes, "blob_digest",
			    res.blob_digest, "diff_id", res.diff_id);
	return 0;
fail:
	util_rm_rf(tmp, &ignored);
	return -1;
}

static json_t *strv_or(json_t *a, json_t *b)
{
	json_t *r = json_array(), *v;
	size_t i;

	json_array_foreach(a, i, v) if (json_is_string(v))
	    json_array_append(r, v);
	json_array_foreach(b, i, v) if (json_is_string(v))
	    json_array_append(r, v);
	return r;
}

/* An OCI/Docker image config as homo's: cmd = entrypoint + cmd. */
static json_t *homo_config(json_t *oci)
{
	json_t *c = json_object_get(oci, "config");
	json_t *cfg = image_default_config();
	json_t *cmd = strv_or(json_object_get(c, "Entrypoint"),
			      json_object_get(c, "Cmd"));
	const char *wd = json_string_value(json_object_get(c, "WorkingDir"));
	const char *user = json_string_value(json_object_get(c, "User"));

	if (json_array_size(cmd))
		json_object_set(cfg, "cmd", cmd);
	json_decref(cmd);
	if (json_array_size(json_object_get(c, "Env")))
		json_object_set_new(
		    cfg, "env", strv_or(json_object_get(c, "Env"), NULL));
	if (wd && *wd)
		json_object_set_new(cfg, "workdir", json_string(wd));
	if (user)
		json_object_set_new(cfg, "user", json_string(user));
	return cfg;
}

/*
 * Layers (paths and expected blob digests, NULL for Docker's) against the
 * config's diff ids; then one image per name (or one unnamed).
 */
static int load_image(struct load *l, json_t *cfg, char **paths,
		      char **blob_hexes, size_t n, json_t *names)
{
	json_t *diff_ids = json_object_get(json_object_get(cfg, "rootfs"),
					   "diff_ids");
	const char *created = json_string_value(json_object_get(cfg,
								"created"));
	struct hm_image img = {0};
	size_t i, count;
	json_t *v;
	char now[40];

	if (!json_is_array(diff_ids) || json_array_size(diff_ids) != n)
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: the config lists %zu diff ids for %zu "
				"layers",
				json_array_size(diff_ids), n);
	for (i = 0; i < n; i++) {
		const char *id = digest_hex(
		    l, json_string_value(json_array_get(diff_ids, i)));

		if (!id ||
		    load_layer(l, paths[i], blob_hexes ? blob_hexes[i] : NULL,
			       id) < 0) {
			strv_free(img.layers);
			return -1;
		}
		img.layers = strv_push(img.layers, id);
		img.size += store_layer_size(l->s, id);
		for (size_t k = 0; k < l->nl; k++)
			if (!strcmp(l->layers[k].id, id))
				img.size += (uint64_t)json_integer_value(
				    json_object_get(l->layers[k].meta, "size"));
	}
	if (!n)
		return hm_failx(l->e, HM_EXIT_FAIL, "load: image has no layers");
	img.config = homo_config(cfg);
	util_now_rfc3339(now, sizeof(now));
	img.created = xstrdup(created && *created ? created : now);
	img.source = xstrdup("load");
	if (image_compute_id(&img, l->e) < 0) {
		image_free(&img);
		return -1;
	}
	count = json_array_size(names);
	for (i = 0; i < (count ? count : 1); i++) {
		struct hm_image *out;
		cleanup_free char *dflt = xasprintf("loaded:%.12s", img.id);
		const char *ref = count ? json_string_value(json_array_get(
					      names, i))
					: dflt;

		l->imgs = xrealloc(l->imgs, (l->ni + 1) * sizeof(*l->imgs));
		out = &l->imgs[l->ni];
		*out = img;
		out->name = out->tag = NULL;
		if (!ref || image_ref_parse(ref, &out->name, &out->tag, l->e) < 0) {
			if (!ref)
				hm_failx(l->e, HM_EXIT_FAIL,
					 "load: image name is not a string");
			image_free(&img);
			return hm_prefix(l->e, "load");
		}
		out->layers = NULL;
		for (size_t k = 0; img.layers[k]; k++)
			out->layers = strv_push(out->layers, img.layers[k]);
		out->config = json_deep_copy(img.config);
		out->created = xstrdup(img.created);
		out->source = xstrdup(img.source);
		l->ni++;
	}
	(void)v;
	image_free(&img);
	return 0;
}

/* The name(s) of an OCI index entry, as a JSON array (maybe empty). */
static json_t *oci_names(json_t *desc)
{
	json_t *ann = json_object_get(desc, "annotations");
	const char *full = json_string_value(json_object_get(ann, ANN_NAME));
	const char *ref = json_string_value(json_object_get(ann, ANN_REF));

	/* a bare ref.name ("busybox") is a name, as podman reads it */
	if (full)
		return json_pack("[s]", full);
	return ref ? json_pack("[s]", ref) : json_array();
}

static bool platform_matches(json_t *desc)
{
	json_t *p = json_object_get(desc, "platform");
	const char *arch = json_string_value(json_object_get(p, "architecture"));

	return !p || !arch || !strcmp(arch, oci_arch());
}

static int load_oci_manifest(struct load *l, json_t *desc, json_t *names,
			     int depth)
{
	json_t *m = read_blob_json(l, desc), *cfg = NULL, *layers, *v;
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	char **paths = NULL, **hexes = NULL;
	size_t i, n;
	int r = -1;

	if (!m)
		return -1;
	if (json_is_array(json_object_get(m, "manifests")) ||
	    (mt && (!strcmp(mt, MT_INDEX) || !strcmp(mt, MT_DOCKER_LIST)))) {
		/* a nested index: the entry for this machine */
		if (depth > 2) {
			hm_failx(l->e, HM_EXIT_FAIL, "load: index nested too deep");
			goto out;
		}
		json_array_foreach(json_object_get(m, "manifests"), i, v)
		{
			if (!platform_matches(v))
				continue;
			r = load_oci_manifest(l, v, names, depth + 1);
			goto out;
		}
		hm_failx(l->e, HM_EXIT_FAIL,
			 "load: no image for %s in the index", oci_arch());
		goto out;
	}
	layers = json_object_get(m, "layers");
	cfg = read_blob_json(l, json_object_get(m, "config"));
	if (!cfg || !json_is_array(layers)) {
		if (cfg)
			hm_failx(l->e, HM_EXIT_FAIL,
				 "load: manifest without layers");
		goto out;
	}
	n = json_array_size(layers);
	paths = xcalloc(n + 1, sizeof(char *));
	hexes = xcalloc(n + 1, sizeof(char *));
	json_array_foreach(layers, i, v)
	{
		const char *hex = digest_hex(
		    l, json_string_value(json_object_get(v, "digest")));

		if (!hex)
			goto out;
		paths[i] = xasprintf("blobs/sha256/%s", hex);
		hexes[i] = xstrdup(hex);
	}
	r = load_image(l, cfg, paths, hexes, n, names);
out:
	strv_free(paths);
	strv_free(hexes);
	json_decref(cfg);
	json_decref(m);
	return r;
}

static int load_oci(struct load *l, json_t *index)
{
	json_t *ms = json_object_get(index, "manifests"), *v;
	size_t i;

	if (!json_is_array(ms) || !json_array_size(ms))
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: index.json lists no manifests");
	json_array_foreach(ms, i, v)
	{
		json_t *names = oci_names(v);
		int r = load_oci_manifest(l, v, names, 0);

		json_decref(names);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Docker's manifest.json: [{Config, RepoTags, Layers}]. */
static int load_docker(struct load *l, json_t *man)
{
	json_t *v, *p;
	size_t i, k;

	if (!json_is_array(man) || !json_array_size(man))
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: manifest.json lists no images");
	json_array_foreach(man, i, v)
	{
		const char *cpath = json_string_value(json_object_get(v,
								      "Config"));
		json_t *layers = json_object_get(v, "Layers"), *cfg;
		cleanup_free char *hex = NULL;
		char **paths;
		int r;

		if (!cpath || !json_is_array(layers))
			return hm_failx(l->e, HM_EXIT_FAIL,
					"load: manifest.json entry %zu lacks "
					"Config or Layers",
					i);
		/* "<hex>.json" or "blobs/sha256/<hex>": its digest */
		hex = xstrdup(strrchr(cpath, '/') ? strrchr(cpath, '/') + 1
						   : cpath);
		hex[strcspn(hex, ".")] = '\0';
		cfg = read_json(l, cpath, digest_valid_hex(hex) ? hex : NULL,
				-1);
		if (!cfg)
			return -1;
		paths = xcalloc(json_array_size(layers) + 1, sizeof(char *));
		json_array_foreach(layers, k, p) paths[k] =
		    xstrdup(json_string_value(p) ?: "");
		r = load_image(l, cfg, paths, NULL, json_array_size(layers),
			       json_object_get(v, "RepoTags"));
		strv_free(paths);
		json_decref(cfg);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int load_in(struct load *l, int in_fd)
{
	struct archive_unpack_result res;
	struct hm_progress prog;
	struct archive_unpack_opts uo = {.progress = &prog};
	struct stat st;
	json_t *j;
	int r;

	progress_init(&prog, "read",
		      fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode)
			  ? (uint64_t)st.st_size
			  : 0,
		      l->progress);
	r = archive_unpack_with(in_fd, l->dir, &uo, &res, l->e);
	progress_finish(&prog);
	if (r < 0)
		return hm_prefix(l->e, "load: not an image archive");
	l->root = open(l->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (l->root < 0)
		return hm_fail(l->e, errno, "open \"%s\"", l->dir);
	if (faccessat(l->root, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		j = read_json(l, "index.json", NULL, -1);
		r = j ? load_oci(l, j) : -1;
	} else if (faccessat(l->root, "manifest.json", F_OK,
			     AT_SYMLINK_NOFOLLOW) == 0) {
		j = read_json(l, "manifest.json", NULL, -1);
		r = j ? load_docker(l, j) : -1;
	} else {
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: not an image archive: no index.json "
				"or manifest.json");
	}
	json_decref(j);
	return r;
}

/* Everything verified: layers, then names, in place under the lock. */
static int load_commit(struct load *l, char ***loaded)
{
	int r = 0;

	if (store_lock(l->s, l->e) < 0)
		return -1;
	for (size_t i = 0; i < l->nl && r == 0; i++) {
		r = store_layer_commit(l->s, l->layers[i].tmp, l->layers[i].id,
				       l->layers[i].meta, l->e);
		if (r == 0)
			free(steal_ptr(&l->layers[i].tmp));
	}
	for (size_t i = 0; i < l->ni && r == 0; i++) {
		r = store_image_save(l->s, &l->imgs[i], l->e);
		if (r == 0)
			*loaded = strv_push(*loaded, "");
		if (r == 0) {
			size_t k = strv_len(*loaded) - 1;

			free((*loaded)[k]);
			(*loaded)[k] = xasprintf("%s:%s", l->imgs[i].name,
						 l->imgs[i].tag);
		}
	}
	store_unlock(l->s);
	return r;
}

int oci_load(struct hm_store *s, int in_fd, bool progress, char ***loaded,
	     struct hm_err *e)
{
	struct load l = {.s = s, .root = -1, .progress = progress, .e = e};
	cleanup_free char *dir = store_mktemp(s, "blobs/sha256", e);
	struct hm_err ignored;
	int r;

	*loaded = xcalloc(1, sizeof(char *));
	if (!dir)
		return -1;
	l.dir = dir;
	r = load_in(&l, in_fd);
	if (r == 0)
		r = load_commit(&l, loaded);
	for (size_t i = 0; i < l.nl; i++) {
		if (l.layers[i].tmp)
			util_rm_rf(l.layers[i].tmp, &ignored);
		free(l.layers[i].tmp);
		json_decref(l.layers[i].meta);
	}
	free(l.layers);
	for (size_t i = 0; i < l.ni; i++)
		image_free(&l.imgs[i]);
	free(l.imgs);
	if (l.root >= 0)
		close(l.root);
	util_rm_rf(dir, &ignored);
	return r;
}
