/* SPDX-License-Identifier: MIT */
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/number.h"
#include "base/util.h"

static const char *const store_dirs[] = {
    "blobs", "blobs/sha256", "layers", "l", "images", "containers", "net",
};

int store_open(struct hm_store *s, const char *root, const char *runroot,
	       struct hm_err *e)
{
	struct stat st;

	s->root = xstrdup(root);
	s->runroot = xstrdup(runroot);
	s->lock_fd = -1;
	/* Fast path: an existing store needs no mkdir at all. */
	if (stat(root, &st) == 0 && S_ISDIR(st.st_mode)) {
		cleanup_free char *probe = store_path(s, "containers");

		if (access(probe, F_OK) == 0)
			return util_mkdir_p(runroot, 0700, e);
	}
	if (util_mkdir_p(root, 0700, e) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(store_dirs); i++) {
		cleanup_free char *p = store_path(s, "%s", store_dirs[i]);

		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return hm_fail(e, errno, "mkdir \"%s\"", p);
	}
	return util_mkdir_p(runroot, 0700, e);
}

void store_close(struct hm_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
	free(s->root);
	free(s->runroot);
	s->root = s->runroot = NULL;
}

int store_lock_nosweep(struct hm_store *s, struct hm_err *e)
{
	cleanup_free char *path = store_path(s, "lock");
	cleanup_close int fd = -1;

	if (s->lock_fd >= 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return hm_fail(e, errno, "open lock \"%s\"", path);
	/* flock dies with its holder: a killed homo never wedges the store. */
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return hm_fail(e, errno, "lock \"%s\"", path);
	s->lock_fd = steal_fd(&fd);
	return 0;
}

int store_lock(struct hm_store *s, struct hm_err *e)
{
	bool held = s->lock_fd >= 0;

	if (store_lock_nosweep(s, e) < 0)
		return -1;
	/* whoever takes the lock next sweeps what a killed homo left */
	if (!held)
		store_clean_debris(s);
	return 0;
}

void store_unlock(struct hm_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	s->lock_fd = -1;
}

char *store_path(const struct hm_store *s, const char *fmt, ...)
{
	cleanup_free char *rel = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	return xasprintf("%s/%s", s->root, rel);
}

char *store_mktemp(const struct hm_store *s, const char *dir, struct hm_err *e)
{
	char rnd[9];
	char *p;

	util_random_hex(rnd, 8);
	p = store_path(s, "%s/.tmp-%d-%s", dir, (int)getpid(), rnd);
	if (mkdir(p, 0700) < 0) {
		hm_fail(e, errno, "mkdir \"%s\"", p);
		free(p);
		return NULL;
	}
	return p;
}

/* ".tmp-<pid>-..." or "<name>.tmp-<pid>": is its maker still alive? */
static bool debris_is_dead(const char *name)
{
	const char *t = strstr(name, ".tmp-");
	char buf[16];
	size_t n;
	uint64_t pid;

	if (!t)
		return false;
	/* the pid ends at '-' or the name's end; no pid (or one that no
	 * pid_t can be: strtol's LONG_MAX cast to -1 = every process) is
	 * nobody's */
	t += 5;
	n = strcspn(t, "-");
	if (n >= sizeof(buf))
		return true;
	memcpy(buf, t, n);
	buf[n] = '\0';
	if (num_parse_u64(buf, 1, INT32_MAX, &pid) < 0)
		return true;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void find_in_dir(const char *dir, store_debris_fn fn, void *arg)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".tmp-") || !debris_is_dead(de->d_name))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);

		fn(p, arg);
	}
}

/* ... and in each subdirectory of @dir, where records are written */
static void find_in_subdirs(const char *dir, store_debris_fn fn, void *arg)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);

		find_in_dir(p, fn, arg);
	}
}

void store_find_debris(const struct hm_store *s, store_debris_fn fn, void *arg)
{
	static const char *const dirs[] = {"layers", "containers",
					   "blobs/sha256", "net", "images"};
	/* the top dirs whose subdirs hold records written atomically: a
	 * killed write leaves "<dir>/<sub>/<file>.tmp-<pid>" */
	static const char *const record_dirs[] = {"images", "containers"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		cleanup_free char *p = store_path(s, "%s", dirs[i]);

		find_in_dir(p, fn, arg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(record_dirs); i++) {
		cleanup_free char *p = store_path(s, "%s", record_dirs[i]);

		find_in_subdirs(p, fn, arg);
	}
}

static void remove_debris(const char *path, void *arg)
{
	struct hm_err ignored;

	(void)arg;
	util_rm_rf(path, &ignored);
}

void store_clean_debris(const struct hm_store *s)
{
	store_find_debris(s, remove_debris, NULL);
}

/* ---- layers ---- */

int store_layer_commit(const struct hm_store *s, const char *tmp,
		       const char *id, json_t *meta, struct hm_err *e)
{
	cleanup_free char *final = store_path(s, "layers/%s", id);
	cleanup_free char *json_path = NULL;
	cleanup_free char *text = NULL;
	struct hm_err ignored;
	json_t *j;
	char created[40];
	struct stat st;

	if (stat(final, &st) == 0) {
		/* Same content is stored once: drop the new copy (and mend
		 * a short link a killed homo may not have made). Failing to
		 * drop it fails nothing: it is debris the next sweep takes. */
		if (store_layer_link(s, id, e) < 0)
			return -1;
		util_rm_rf(tmp, &ignored);
		return 0;
	}
	util_now_rfc3339(created, sizeof(created));
	j = meta ? json_deep_copy(meta) : json_object();
	json_object_set_new(j, "id", json_string(id));
	json_object_set_new(j, "created", json_string(created));
	text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	json_path = xasprintf("%s/layer.json", tmp);
	/* Durable: the layer is renamed into place on the strength of it. */
	if (util_write_file_atomic(json_path, text, strlen(text), true, e) < 0)
		return -1;
	/* the link first: killed between the two, a dangling link is
	 * harmless, a layer without its link would never mount */
	if (store_layer_link(s, id, e) < 0)
		return -1;
	if (rename(tmp, final) < 0)
		return hm_fail(e, errno, "rename \"%s\" to \"%s\"", tmp, final);
	return 0;
}

bool store_layer_link_ok(const struct hm_store *s, const char *id)
{
	cleanup_free char *link = store_path(s, "l/%.*s", LAYER_SHORT_LEN, id);
	cleanup_free char *target = xasprintf("../layers/%s/diff", id);
	char cur[PATH_MAX];
	ssize_t n = readlink(link, cur, sizeof(cur) - 1);

	return n > 0 && (size_t)n == strlen(target) && !memcmp(cur, target, n);
}

int store_layer_link(const struct hm_store *s, const char *id, struct hm_err *e)
{
	cleanup_free char *link = NULL, *target = NULL;

	if (store_layer_link_ok(s, id))
		return 0;
	/* Short link so a deep lowerdir fits in one page (overlay.c). */
	link = store_path(s, "l/%.*s", LAYER_SHORT_LEN, id);
	target = xasprintf("../layers/%s/diff", id);
	unlink(link);
	if (symlink(target, link) < 0)
		return hm_fail(e, errno, "symlink \"%s\"", link);
	return 0;
}

bool store_layer_exists(const struct hm_store *s, const char *id)
{
	cleanup_free char *p = store_path(s, "layers/%s/diff", id);

	return access(p, F_OK) == 0;
}

int store_layer_remove(const struct hm_store *s, const char *id,
		       struct hm_err *e)
{
	cleanup_free char *final = store_path(s, "layers/%s", id);
	cleanup_free char *link = store_path(s, "l/%.*s", LAYER_SHORT_LEN, id);
	cleanup_free char *gone = NULL;
	char rnd[9];

	/* Rename first: the layer vanishes at once, the slow rm follows. */
	util_random_hex(rnd, 8);
	gone = store_path(s, "layers/.tmp-%d-rm-%s", (int)getpid(), rnd);
	unlink(link);
	if (rename(final, gone) < 0)
		return errno == ENOENT
			   ? 0
			   : hm_fail(e, errno, "remove \"%s\"", final);
	return util_rm_rf(gone, e);
}

uint64_t store_layer_size(const struct hm_store *s, const char *id)
{
	cleanup_free char *p = store_path(s, "layers/%s/layer.json", id);
	json_t *j = json_load_file(p, 0, NULL);
	uint64_t size = 0;

	if (j) {
		size = (uint64_t)json_integer_value(json_object_get(j, "size"));
		json_decref(j);
	}
	return size;
}

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

static bool valid_tag(const char *t)
{
	size_t len = strlen(t);

	if (len == 0 || len > 128 || t[0] == '.' || t[0] == '-')
		return false;
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '_' && *t != '.' &&
		    *t != '-')
			return false;
	return true;
}

int image_ref_parse(const char *ref, char **name, char **tag, struct hm_err *e)
{
	const char *colon = strrchr(ref, ':');
	const char *slash = strrchr(ref, '/');
	cleanup_free char *n = NULL, *t = NULL;

	if (colon && (!slash || colon > slash)) {
		n = strndup(ref, (size_t)(colon - ref));
		t = xstrdup(colon + 1);
	} else {
		n = xstrdup(ref);
		t = xstrdup("latest");
	}
	if (!valid_name(n))
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid image name \"%s\": use lowercase "
				"letters, digits and . _ - / between them",
				n);
	if (!valid_tag(t))
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid tag \"%s\": use up to 128 letters, "
				"digits, _ . and -, not starting with . or -",
				t);
	*name = steal_ptr(&n);
	*tag = steal_ptr(&t);
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
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			 "/usr/bin:/sbin:/bin",
			 "workdir", "/", "user", "");
}

int image_compute_id(struct hm_image *img, struct hm_err *e)
{
	json_t *layers = json_array();
	json_t *j;
	cleanup_free char *text = NULL;

	for (size_t i = 0; img->layers && img->layers[i]; i++)
		json_array_append_new(layers, json_string(img->layers[i]));
	j = json_pack("{s:o, s:O}", "layers", layers, "config", img->config);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return digest_buf(text, strlen(text), img->id, e);
}

void image_free(struct hm_image *img)
{
	free(img->name);
	free(img->tag);
	strv_free(img->layers);
	json_decref(img->config);
	free(img->created);
	free(img->source);
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

int store_image_save(const struct hm_store *s, const struct hm_image *img,
		     struct hm_err *e)
{
	cleanup_free char *dir_name = name_to_dir(img->name);
	cleanup_free char *dir = store_path(s, "images/%s", dir_name);
	cleanup_free char *path = NULL, *text = NULL;
	json_t *layers = json_array(), *j;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", dir);
	for (size_t i = 0; img->layers && img->layers[i]; i++)
		json_array_append_new(layers, json_string(img->layers[i]));
	j = json_pack(
	    "{s:s, s:s, s:s, s:o, s:O, s:s, s:s, s:I}", "id", img->id, "name",
	    img->name, "tag", img->tag, "layers", layers, "config", img->config,
	    "created", img->created ? img->created : "", "source",
	    img->source ? img->source : "", "size", (json_int_t)img->size);
	text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	path = xasprintf("%s/%s.json", dir, img->tag);
	return util_write_file_atomic(path, text, strlen(text), true, e);
}

int store_image_load_file(const char *path, struct hm_image *out,
			  struct hm_err *e)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	json_t *layers, *v;
	const char *id;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!j)
		return hm_fail_json(e, path, jerr.line, jerr.text);
	id = json_string_value(json_object_get(j, "id"));
	layers = json_object_get(j, "layers");
	if (!id || !digest_valid_hex(id) || !json_is_array(layers) ||
	    !json_is_object(json_object_get(j, "config"))) {
		json_decref(j);
		return hm_failx(e, HM_EXIT_FAIL,
				"%s: corrupt image record: missing id, layers "
				"or config",
				path);
	}
	memcpy(out->id, id, 65);
	out->name =
	    xstrdup(json_string_value(json_object_get(j, "name")) ?: "");
	out->tag = xstrdup(json_string_value(json_object_get(j, "tag")) ?: "");
	out->created =
	    xstrdup(json_string_value(json_object_get(j, "created")) ?: "");
	out->source =
	    xstrdup(json_string_value(json_object_get(j, "source")) ?: "");
	out->size = (uint64_t)json_integer_value(json_object_get(j, "size"));
	out->config = json_incref(json_object_get(j, "config"));
	json_array_foreach(layers, i, v)
	{
		out->layers =
		    strv_push(out->layers, json_string_value(v) ?: "");
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
	size_t count = 0;
	struct dirent *de;

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

/* Collect into @used every layer id named by images or by @pins. */
static int collect_used(const struct hm_store *s, store_pins_fn pins, void *arg,
			json_t *used, struct hm_err *e)
{
	cleanup_strv char **pinned = NULL;
	struct hm_image *v = NULL;
	size_t n = 0;

	if (store_image_list(s, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; v[i].layers[k]; k++)
			json_object_set_new(used, v[i].layers[k], json_true());
	image_list_free(v, n);
	if (store_pinned_layers(s, &pinned, e) < 0 ||
	    (pins && pins(s, arg, &pinned, e) < 0))
		return -1;
	for (size_t i = 0; pinned && pinned[i]; i++)
		json_object_set_new(used, pinned[i], json_true());
	return 0;
}

int store_gc_layers(const struct hm_store *s, store_pins_fn pins, void *arg,
		    size_t *removed, struct hm_err *e)
{
	cleanup_free char *ldir = store_path(s, "layers");
	cleanup_dir DIR *d = NULL;
	json_t *used = json_object();
	struct dirent *de;

	*removed = 0;
	if (collect_used(s, pins, arg, used, e) < 0) {
		json_decref(used);
		return -1;
	}
	d = opendir(ldir);
	while (d && (de = readdir(d))) {
		if (!digest_valid_hex(de->d_name) ||
		    json_object_get(used, de->d_name))
			continue;
		if (store_layer_remove(s, de->d_name, e) < 0) {
			json_decref(used);
			return -1;
		}
		(*removed)++;
	}
	json_decref(used);
	return 0;
}
