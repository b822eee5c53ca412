/* SPDX-License-Identifier: MIT */
/*
 * Image names and image records (store.h, docs/store.md): the reference
 * grammar, images/<name>/<tag>.json written atomically, read back validated,
 * listed and found by name or id.
 */
#include "store/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/util.h"
#include "store/reference.h"

/* ---- image names ---- */

static bool is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool valid_name(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 255)
		return false;
	for (const char *p = n; *p;) {
		/* a component: alnum runs joined by one separator group */
		if (!is_alnum_lower(*p))
			return false;
		while (is_alnum_lower(*p))
			p++;
		if (*p == '/') {
			if (!is_alnum_lower(*++p))
				return false; /* "a/" or "a//b" */
			continue;
		}
		if (*p == '.' || *p == '_' || *p == '-') {
			if (*p == '.')
				p++;
			else if (*p == '_')
				p += p[1] == '_' ? 2 : 1;
			else
				while (*p == '-')
					p++;
			if (!is_alnum_lower(*p))
				return false;
		} else if (*p) {
			return false;
		}
	}
	return true;
}

int image_ref_parse(const char *ref, char **name, char **tag, struct hm_err *e)
{
	struct image_ref r;

	if (image_ref_parse_full(ref, &r, e) < 0)
		return -1;
	if (r.digest) {
		image_ref_free(&r);
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid reference \"%s\": a digest names no "
				"image of this store (names and tags do)",
				ref);
	}
	*name = steal_ptr(&r.name);
	*tag = xstrdup(image_ref_tag(&r));
	image_ref_free(&r);
	return 0;
}

char *image_name_from_source(const char *source)
{
	static const char *const exts[] = {
	    ".tar", ".tgz", ".tbz2", ".txz", ".tzst", ".tbz", ".gz",
	    ".xz",  ".zst", ".bz2",  ".lz4", ".lzma", ".z",
	};
	const char *base = strrchr(source, '/');
	cleanup_free char *n = NULL;
	size_t len, o = 0;
	bool stripped;

	n = xstrdup(base ? base + 1 : source);
	n[strcspn(n, "?#")] = '\0';
	do { /* strip compression and tar suffixes, in any order */
		stripped = false;
		len = strlen(n);
		for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
			size_t el = strlen(exts[i]);

			if (len > el && !strcasecmp(n + len - el, exts[i])) {
				n[len - el] = '\0';
				stripped = true;
				break;
			}
		}
	} while (stripped);
	/* lowercase; anything else illegal becomes one '-' */
	for (size_t i = 0; n[i]; i++) {
		char c = (char)tolower((unsigned char)n[i]);

		if (is_alnum_lower(c) || c == '.' || c == '_' || c == '-')
			n[o++] = c;
		else if (o && n[o - 1] != '-')
			n[o++] = '-';
	}
	n[o] = '\0';
	/* separators may not start or end a name, nor come in odd runs */
	while (o && !is_alnum_lower(n[o - 1]))
		n[--o] = '\0';
	len = strspn(n, "._-");
	memmove(n, n + len, strlen(n + len) + 1);
	for (char *p = n; *p; p++)
		if ((*p == '.' || *p == '_') && !is_alnum_lower(p[1]))
			*p = '-';
	if (!*n || !valid_name(n))
		return xstrdup("image");
	return steal_ptr(&n);
}

json_t *image_default_config(void)
{
	return json_pack("{s:[s], s:[s], s:s, s:s}", "cmd", "/bin/sh", "env",
			 "PATH=" HM_DEFAULT_PATH, "workdir", "/", "user", "");
}

int image_compute_id(struct hm_image *img, struct hm_err *e)
{
	json_t *layers = json_array();
	json_t *j;
	cleanup_free char *text = NULL;

	for (size_t i = 0; img->layers && img->layers[i]; i++)
		json_array_append_new(layers, json_string(img->layers[i]));
	j = json_pack("{s:o, s:O}", "layers", layers, "config", img->config);
	text = store_json_text(j, JSON_COMPACT | JSON_SORT_KEYS, "image", e);
	if (!text)
		return -1;
	return digest_buf(text, strlen(text), img->id, e);
}

json_t *image_history(const struct hm_image *img)
{
	json_t *out = json_array(), *v;
	size_t i, layers = strv_len(img->layers), with_layer = 0;

	json_array_foreach(img->history, i, v)
	{
		if (json_is_object(v) &&
		    !json_is_true(json_object_get(v, "empty_layer")))
			with_layer++;
	}
	/* layers older than the history (a pulled tarball's, a foreign
	 * image's) get an entry of their own, as Docker shows them */
	for (; with_layer < layers; with_layer++)
		json_array_append_new(
		    out, json_pack("{s:s}", "created",
				   img->created ? img->created : ""));
	json_array_foreach(img->history, i, v)
	{
		if (json_is_object(v))
			json_array_append(out, v);
	}
	return out;
}

void image_free(struct hm_image *img)
{
	free(img->name);
	free(img->tag);
	strv_free(img->layers);
	json_decref(img->config);
	free(img->created);
	free(img->source);
	json_decref(img->history);
	memset(img, 0, sizeof(*img));
}

void image_list_free(struct hm_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		image_free(&v[i]);
	free(v);
}

/* Names may hold '/', directories may not: "a/b" is stored as "a+b". */
static char *name_to_dir(const char *name)
{
	char *d = xstrdup(name);

	for (char *p = d; *p; p++)
		if (*p == '/')
			*p = '+';
	return d;
}

char *store_image_dir_name(const char *dir)
{
	char *n = xstrdup(dir);

	for (char *p = n; *p; p++)
		if (*p == '+')
			*p = '/';
	return n;
}

bool image_is_dangling(const struct hm_image *img)
{
	return !strcmp(img->name, IMAGE_DANGLING);
}

/* Whether a record other than @name:@tag gives the image @id a name. */
static bool named_elsewhere(const struct hm_store *s, const char *id,
			    const char *name, const char *tag)
{
	cleanup_strv char **bad = NULL;
	struct hm_image *v = NULL;
	size_t n = 0;
	bool found = false;

	if (store_image_list_bad(s, &v, &n, &bad, NULL) < 0)
		return true; /* cannot tell: keep no copy */
	for (size_t i = 0; i < n && !found; i++)
		found = !image_is_dangling(&v[i]) && !strcmp(v[i].id, id) &&
			(strcmp(v[i].name, name) || strcmp(v[i].tag, tag));
	image_list_free(v, n);
	return found;
}

/*
 * A record about to be replaced by another image: as in Docker, its image
 * stays, dangling (<none>:<none> in "homo images") until "homo image
 * prune" or "homo rmi ID" removes it; its layers stay in use meanwhile, so
 * system check finds no orphan. Written before the new record: killed in
 * between, the image has a name and a dangling record, which lists hide.
 */
static int keep_dangling(const struct hm_store *s, const char *path,
			 const struct hm_image *img, struct hm_err *e)
{
	cleanup_free char *dir = store_path(s, "images/%s", IMAGE_DANGLING);
	cleanup_free char *to = NULL, *text = NULL;
	struct hm_image old;
	size_t len;
	int r;

	if (store_image_load_file(path, &old, NULL) < 0)
		return 0; /* nothing readable to keep */
	if (!strcmp(old.id, img->id) ||
	    named_elsewhere(s, old.id, img->name, img->tag)) {
		image_free(&old);
		return 0;
	}
	to = xasprintf("%s/%s.json", dir, old.id);
	image_free(&old);
	text = util_read_file(path, &len, e);
	if (!text)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", dir);
	r = util_write_file_atomic(to, text, len, true, e);
	if (r < 0)
		rmdir(dir);
	return r;
}

int store_image_save(const struct hm_store *s, const struct hm_image *img,
		     struct hm_err *e)
{
	cleanup_free char *dir_name = name_to_dir(img->name);
	cleanup_free char *dir = store_path(s, "images/%s", dir_name);
	cleanup_free char *path = NULL, *text = NULL;
	cleanup_free char *source = xstrdup(img->source ? img->source : "");
	json_t *layers = json_array(), *j;
	int r;

	for (size_t i = 0; img->layers && img->layers[i]; i++)
		json_array_append_new(layers, json_string(img->layers[i]));
	store_utf8_scrub(source); /* a file name: any bytes */
	j = json_pack("{s:s, s:s, s:s, s:o, s:O, s:s, s:s, s:I}", "id", img->id,
		      "name", img->name, "tag", img->tag, "layers", layers,
		      "config", img->config, "created",
		      img->created ? img->created : "", "source", source,
		      "size", (json_int_t)img->size);
	if (json_array_size(img->history))
		json_object_set(j, "history", img->history);
	text = store_json_text(j, JSON_INDENT(2) | JSON_SORT_KEYS,
			       "image record", e);
	if (!text)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", dir);
	path = xasprintf("%s/%s.json", dir, img->tag);
	if (!image_is_dangling(img) && keep_dangling(s, path, img, e) < 0)
		return -1;
	r = util_write_file_atomic(path, text, strlen(text), true, e);
	if (r < 0) {
		rmdir(dir); /* made for this record (ENOSPC): not left empty */
		return -1;
	}
	/* named again: no longer dangling */
	if (!image_is_dangling(img)) {
		cleanup_free char *d =
		    store_path(s, "images/%s", IMAGE_DANGLING);
		cleanup_free char *f = xasprintf("%s/%s.json", d, img->id);

		if (unlink(f) == 0)
			rmdir(d); /* fails while others dangle: fine */
	}
	return 0;
}

/* 64 lowercase hex digits, nothing else (digest_valid_hex() also takes
 * "sha256:"): ids and layer ids name directories */
static bool is_hex64(json_t *v)
{
	const char *id = json_string_value(v);

	return id && strlen(id) == 64 && digest_valid_hex(id);
}

static bool strv_or_absent(json_t *a)
{
	json_t *v;
	size_t i;

	if (!a)
		return true;
	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return false;
	}
	return true;
}

static bool str_or_absent(json_t *v)
{
	return !v || json_is_string(v);
}

static bool obj_or_absent(json_t *v)
{
	return !v || json_is_object(v);
}

/*
 * What is wrong with an image record, or NULL. Everything its readers use
 * is checked here, so that nothing after the load trusts the file: an
 * empty or non-digest layer list crashed images, inspect, rmi, save and
 * system check, and a layer id is a path below layers/.
 */
static const char *record_problem(json_t *j)
{
	json_t *layers = json_object_get(j, "layers");
	json_t *cfg = json_object_get(j, "config"), *v;
	size_t i;

	if (!json_is_object(j))
		return "not an object";
	if (!is_hex64(json_object_get(j, "id")))
		return "id is not a sha256 digest";
	if (!json_is_array(layers) || !json_array_size(layers))
		return "no layers";
	json_array_foreach(layers, i, v)
	{
		if (!is_hex64(v))
			return "a layer id is not a sha256 digest";
	}
	if (!json_is_object(cfg))
		return "no config";
	if (!strv_or_absent(json_object_get(cfg, "cmd")) ||
	    !strv_or_absent(json_object_get(cfg, "env")) ||
	    !str_or_absent(json_object_get(cfg, "workdir")) ||
	    !str_or_absent(json_object_get(cfg, "user")))
		return "config: cmd, env, workdir or user of the wrong type";
	if (!strv_or_absent(json_object_get(cfg, "entrypoint")) ||
	    !str_or_absent(json_object_get(cfg, "stop_signal")) ||
	    !obj_or_absent(json_object_get(cfg, "labels")) ||
	    !obj_or_absent(json_object_get(cfg, "exposed_ports")) ||
	    !obj_or_absent(json_object_get(cfg, "volumes")))
		return "config: entrypoint, stop_signal, labels, exposed_ports "
		       "or volumes of the wrong type";
	v = json_object_get(j, "history");
	if (v && !json_is_array(v))
		return "history is not an array";
	v = json_object_get(j, "size");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
		return "size is not a number of bytes";
	if (!str_or_absent(json_object_get(j, "name")) ||
	    !str_or_absent(json_object_get(j, "tag")) ||
	    !str_or_absent(json_object_get(j, "created")) ||
	    !str_or_absent(json_object_get(j, "source")))
		return "name, tag, created or source is not a string";
	return NULL;
}

int store_image_load_file(const char *path, struct hm_image *out,
			  struct hm_err *e)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	const char *why;
	json_t *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!j)
		return hm_fail_json(e, path, jerr.line, jerr.text);
	why = record_problem(j);
	if (why) {
		json_decref(j);
		return hm_failx(e, HM_EXIT_FAIL, "%s: corrupt image record: %s",
				path, why);
	}
	memcpy(out->id, json_string_value(json_object_get(j, "id")), 65);
	out->name =
	    xstrdup(json_string_value(json_object_get(j, "name")) ?: "");
	out->tag = xstrdup(json_string_value(json_object_get(j, "tag")) ?: "");
	out->created =
	    xstrdup(json_string_value(json_object_get(j, "created")) ?: "");
	out->source =
	    xstrdup(json_string_value(json_object_get(j, "source")) ?: "");
	out->size = (uint64_t)json_integer_value(json_object_get(j, "size"));
	out->config = json_incref(json_object_get(j, "config"));
	out->history = json_incref(json_object_get(j, "history"));
	json_array_foreach(json_object_get(j, "layers"), i, v)
	{
		out->layers = strv_push(out->layers, json_string_value(v));
	}
	json_decref(j);
	return 0;
}

static int cmp_image(const void *a, const void *b)
{
	const struct hm_image *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->tag, y->tag);
}

/* A dangling record of an image that has a name (a save killed between
 * its two writes) is not shown. */
static size_t drop_named_dangling(struct hm_image *v, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		bool named = false;

		for (size_t k = 0; k < n && image_is_dangling(&v[i]); k++)
			named |= !image_is_dangling(&v[k]) &&
				 !strcmp(v[k].id, v[i].id);
		if (named)
			image_free(&v[i]);
		else
			v[o++] = v[i];
	}
	return o;
}

int store_image_list(const struct hm_store *s, struct hm_image **out, size_t *n,
		     struct hm_err *e)
{
	return store_image_list_bad(s, out, n, NULL, e);
}

int store_image_list_bad(const struct hm_store *s, struct hm_image **out,
			 size_t *n, char ***bad, struct hm_err *e)
{
	cleanup_free char *images = store_path(s, "images");
	cleanup_dir DIR *d = opendir(images);
	struct hm_image *v = NULL;
	struct hm_err scratch;
	size_t count = 0;
	struct dirent *de;

	e = hm_err_or(e, &scratch); /* a bad record's message is kept */
	if (!d)
		return hm_fail(e, errno, "open \"%s\"", images);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp-"))
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", images, de->d_name);
		cleanup_dir DIR *sd = opendir(sub);
		struct dirent *te;

		while (sd && (te = readdir(sd))) {
			size_t len = strlen(te->d_name);

			if (len < 6 || strcmp(te->d_name + len - 5, ".json"))
				continue;
			cleanup_free char *p =
			    xasprintf("%s/%s", sub, te->d_name);

			v = xrealloc(v, (count + 1) * sizeof(*v));
			if (store_image_load_file(p, &v[count], e) < 0) {
				if (bad) { /* one bad record hides no other */
					*bad = strv_push(*bad, e->msg);
					hm_clear(e);
					continue;
				}
				image_list_free(v, count);
				return -1;
			}
			free(v[count].name);
			v[count].name = store_image_dir_name(de->d_name);
			free(v[count].tag);
			v[count].tag = strndup(te->d_name, len - 5);
			count++;
		}
	}
	count = drop_named_dangling(v, count);
	if (count)
		qsort(v, count, sizeof(*v), cmp_image);
	*out = v;
	*n = count;
	return 0;
}

static bool looks_like_id(const char *ref)
{
	size_t len = strlen(ref);

	if (strncmp(ref, "sha256:", 7) == 0) {
		ref += 7;
		len -= 7;
	}
	if (len < 4 || len > 64)
		return false;
	return strspn(ref, "0123456789abcdef") == len;
}

int store_image_find(const struct hm_store *s, const char *ref,
		     struct hm_image *out, bool *by_id, struct hm_err *e)
{
	cleanup_free char *name = NULL, *tag = NULL;
	struct hm_image *v = NULL;
	size_t n = 0, hit = SIZE_MAX;
	const char *idref = ref;

	if (by_id)
		*by_id = false;
	if (image_ref_parse(ref, &name, &tag, e) == 0) {
		cleanup_free char *dir = name_to_dir(name);
		cleanup_free char *p =
		    store_path(s, "images/%s/%s.json", dir, tag);

		if (access(p, F_OK) == 0) {
			if (store_image_load_file(p, out, e) < 0)
				return -1;
			free(out->name);
			out->name = steal_ptr(&name);
			free(out->tag);
			out->tag = steal_ptr(&tag);
			return 0;
		}
	}
	if (looks_like_id(ref)) {
		cleanup_strv char **bad = NULL;

		if (strncmp(idref, "sha256:", 7) == 0)
			idref += 7;
		/* a corrupt record elsewhere must not hide this one */
		if (store_image_list_bad(s, &v, &n, &bad, e) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (strncmp(v[i].id, idref, strlen(idref)))
				continue;
			if (hit == SIZE_MAX) {
				hit = i;
			} else if (strcmp(v[hit].id, v[i].id)) {
				image_list_free(v, n);
				return hm_failx(e, HM_EXIT_FAIL,
						"image id prefix \"%s\" is "
						"ambiguous: give more digits",
						ref);
			}
		}
		if (hit != SIZE_MAX) {
			if (by_id)
				*by_id = true;
			*out = v[hit];
			memset(&v[hit], 0, sizeof(v[hit]));
			image_list_free(v, n);
			return 0;
		}
		image_list_free(v, n);
	}
	return hm_failx(e, HM_EXIT_FAIL,
			"image \"%s\": no such image (see 'homo images', or "
			"'homo pull' it first)",
			ref);
}

int store_image_remove_name(const struct hm_store *s, const char *name,
			    const char *tag, struct hm_err *e)
{
	cleanup_free char *dir_name = name_to_dir(name);
	cleanup_free char *dir = store_path(s, "images/%s", dir_name);
	cleanup_free char *p = xasprintf("%s/%s.json", dir, tag);

	if (unlink(p) < 0)
		return hm_fail(e, errno, "remove \"%s\"", p);
	rmdir(dir); /* fails while other tags remain: fine */
	return 0;
}

int store_image_untag_keep(const struct hm_store *s, const char *name,
			   const char *tag, struct hm_err *e)
{
	cleanup_free char *dir_name = name_to_dir(name);
	cleanup_free char *p =
	    store_path(s, "images/%s/%s.json", dir_name, tag);
	struct hm_image keep = {.name = (char *)name, .tag = (char *)tag};

	/* no other name: a dangling record keeps the image (keep.id "" is
	 * no image's, so the one at @p is always the one kept) */
	if (keep_dangling(s, p, &keep, e) < 0)
		return -1;
	return store_image_remove_name(s, name, tag, e);
}
