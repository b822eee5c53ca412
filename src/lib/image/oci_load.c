/* SPDX-License-Identifier: MIT */
/*
 * load: the archive (an OCI image layout or "docker save" tarball, any
 * compression) is extracted, safely, by archive_unpack into a temp dir of
 * the store; its JSON is read and checked, each layer blob is unpacked
 * into a temp layer and checked against its digests, and all is renamed
 * into place under the lock at the end.
 */
#include "image/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fault.h"
#include "base/progress.h"
#include "base/util.h"
#include "image/archive.h"
#include "image/oci_format.h"

#define MAX_JSON (16 << 20)

struct pending_layer {
	char id[DIGEST_HEX_LEN + 1];
	char *tmp; /* temp layer dir holding diff/ */
	json_t *meta;
	int blob_fd; /* the verified blob, kept in the cache on commit */
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

/*
 * Open @path of the extracted archive for reading: a regular file beneath
 * it, reached without following any symlink (RESOLVE_NO_SYMLINKS), and
 * held as O_PATH until its type is known. A FIFO opened for reading would
 * block for a writer that never comes, a device (/dev/zero-like) would
 * read forever or act on open: neither is ever opened. A blob whose size
 * the manifest gives (@size >= 0) must have it before a byte is read.
 */
static int open_in(struct load *l, const char *path, json_int_t size)
{
	struct open_how how = {
	    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	cleanup_close int pfd =
	    (int)syscall(SYS_openat2, l->root, path, &how, sizeof(how));
	cleanup_free char *proc = NULL;
	struct stat st;
	int fd;

	if (pfd < 0 && errno != ELOOP)
		return hm_fail(l->e, errno, "load: \"%s\"", path);
	if (pfd >= 0 && fstat(pfd, &st) < 0)
		return hm_fail(l->e, errno, "load: \"%s\"", path);
	/* O_PATH | O_NOFOLLOW opens a final symlink itself; ELOOP is one on
	 * the way */
	if (pfd < 0 || S_ISLNK(st.st_mode))
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: \"%s\": a symlink, not a file of the "
				"archive",
				path);
	if (!S_ISREG(st.st_mode))
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: \"%s\": not a regular file", path);
	if (size >= 0 && st.st_size != size)
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: \"%s\": size mismatch: %lld bytes, "
				"the manifest says %lld",
				path, (long long)st.st_size, (long long)size);
	proc = xasprintf("/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return hm_fail(l->e, errno, "load: \"%s\"", path);
	return fd;
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
	cleanup_close int fd = open_in(l, path, size);
	cleanup_free char *buf = NULL;
	char got[DIGEST_HEX_LEN + 1];
	json_error_t jerr;
	struct stat st;
	size_t len = 0;
	json_t *j;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_JSON)
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
	const char *hex =
	    digest_hex(l, json_string_value(json_object_get(desc, "digest")));
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
 * its expected sha256, @size its size (-1: unknown), @diff_id that of its
 * tar stream.
 */
static int load_layer(struct load *l, const char *path, const char *blob_hex,
		      json_int_t size, const char *diff_id)
{
	cleanup_free char *tmp = NULL, *diff = NULL;
	cleanup_close int fd = -1;
	struct archive_unpack_result res = {0};
	struct hm_progress prog;
	struct archive_unpack_opts uo = {.progress = &prog};
	struct pending_layer *p;
	struct stat st;
	int r;

	if (layer_pending(l, diff_id) || store_layer_exists(l->s, diff_id))
		return 0; /* the same content is stored once */
	fd = open_in(l, path, size);
	if (fd < 0)
		return l->e->errnum == ENOENT
			   ? hm_prefix(l->e, "missing layer blob")
			   : -1;
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
	l->layers = xrealloc(l->layers, (l->nl + 1) * sizeof(*l->layers));
	p = &l->layers[l->nl++];
	memcpy(p->id, diff_id, sizeof(p->id));
	p->tmp = steal_ptr(&tmp);
	/* cached only once the load commits: a failed one leaves no trace */
	p->blob_fd = steal_fd(&fd);
	p->meta = json_pack("{s:s, s:I, s:s, s:s}", "source", "load", "size",
			    (json_int_t)res.tar_bytes, "blob_digest",
			    res.blob_digest, "diff_id", res.diff_id);
	return 0;
fail:
	util_rm_rf(tmp, NULL);
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
json_t *oci_config_to_homo(json_t *oci)
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
		json_object_set_new(cfg, "env",
				    strv_or(json_object_get(c, "Env"), NULL));
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
		      char **blob_hexes, const json_int_t *sizes, size_t n,
		      json_t *names)
{
	json_t *diff_ids =
	    json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	const char *created =
	    json_string_value(json_object_get(cfg, "created"));
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
			       sizes ? sizes[i] : -1, id) < 0) {
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
		return hm_failx(l->e, HM_EXIT_FAIL,
				"load: image has no layers");
	img.config = oci_config_to_homo(cfg);
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
		const char *ref =
		    count ? json_string_value(json_array_get(names, i)) : dflt;

		l->imgs = xrealloc(l->imgs, (l->ni + 1) * sizeof(*l->imgs));
		out = &l->imgs[l->ni];
		*out = img;
		out->name = out->tag = NULL;
		if (!ref ||
		    image_ref_parse(ref, &out->name, &out->tag, l->e) < 0) {
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
	const char *arch =
	    json_string_value(json_object_get(p, "architecture"));

	return !p || !arch || !strcmp(arch, oci_arch());
}

static int load_oci_manifest(struct load *l, json_t *desc, json_t *names,
			     int depth)
{
	json_t *m = read_blob_json(l, desc), *cfg = NULL, *layers, *v;
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	char **paths = NULL, **hexes = NULL;
	cleanup_free json_int_t *sizes = NULL;
	size_t i, n;
	int r = -1;

	if (!m)
		return -1;
	if (json_is_array(json_object_get(m, "manifests")) ||
	    (mt && (!strcmp(mt, MT_INDEX) || !strcmp(mt, MT_DOCKER_LIST)))) {
		/* a nested index: the entry for this machine */
		if (depth > 2) {
			hm_failx(l->e, HM_EXIT_FAIL,
				 "load: index nested too deep");
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
	sizes = xcalloc(n + 1, sizeof(*sizes));
	json_array_foreach(layers, i, v)
	{
		const char *hex = digest_hex(
		    l, json_string_value(json_object_get(v, "digest")));
		json_t *size = json_object_get(v, "size");

		if (!hex)
			goto out;
		/* required by the image spec; checked before a byte is read */
		if (!json_is_integer(size) || json_integer_value(size) < 0) {
			hm_failx(l->e, HM_EXIT_FAIL,
				 "load: layer sha256:%.12s: no size in the "
				 "manifest",
				 hex);
			goto out;
		}
		sizes[i] = json_integer_value(size);
		paths[i] = xasprintf("blobs/sha256/%s", hex);
		hexes[i] = xstrdup(hex);
	}
	r = load_image(l, cfg, paths, hexes, sizes, n, names);
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
		const char *cpath =
		    json_string_value(json_object_get(v, "Config"));
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
		cfg =
		    read_json(l, cpath, digest_valid_hex(hex) ? hex : NULL, -1);
		if (!cfg)
			return -1;
		paths = xcalloc(json_array_size(layers) + 1, sizeof(char *));
		json_array_foreach(layers, k, p) paths[k] =
		    xstrdup(json_string_value(p) ?: "");
		r = load_image(l, cfg, paths, NULL, NULL,
			       json_array_size(layers),
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
	FAULT_POINT("load-after-blobs");
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
		struct pending_layer *p = &l->layers[i];

		r = store_layer_commit(l->s, p->tmp, p->id, p->meta, l->e);
		if (r == 0) {
			free(steal_ptr(&p->tmp));
			keep_blob(l, p->blob_fd,
				  json_string_value(
				      json_object_get(p->meta, "blob_digest")));
		}
	}
	FAULT_POINT("load-after-layers");
	for (size_t i = 0; i < l->ni && r == 0; i++) {
		r = store_image_save(l->s, &l->imgs[i], l->e);
		if (r == 0) {
			cleanup_free char *ref =
			    xasprintf("%s:%s", l->imgs[i].name, l->imgs[i].tag);

			*loaded = strv_push(*loaded, ref);
		}
	}
	store_unlock(l->s);
	return r;
}

int oci_load(struct hm_store *s, int in_fd, bool progress, char ***loaded,
	     struct hm_err *e)
{
	struct hm_err scratch;
	struct load l = {.s = s,
			 .root = -1,
			 .progress = progress,
			 .e = hm_err_or(e, &scratch)};
	cleanup_free char *dir = store_mktemp(s, "blobs/sha256", e);
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
			util_rm_rf(l.layers[i].tmp, NULL);
		free(l.layers[i].tmp);
		json_decref(l.layers[i].meta);
		close(l.layers[i].blob_fd);
	}
	free(l.layers);
	for (size_t i = 0; i < l.ni; i++)
		image_free(&l.imgs[i]);
	free(l.imgs);
	if (l.root >= 0)
		close(l.root);
	util_rm_rf(dir, NULL);
	return r;
}
