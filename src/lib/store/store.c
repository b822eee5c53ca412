/* SPDX-License-Identifier: MIT */
#include "store/store.h"

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
    "blobs",  "blobs/sha256", "layers", "l",
    "images", "containers",   "net",	"tmp",
};

/*
 * <root>/version: the format of the store, one number. A store without it
 * was made before versions and is format 1. A newer format is refused:
 * an older homo would misread its records (say, run a container with a
 * security field it does not know as if it were absent).
 */
static int check_version(struct hm_store *s, struct hm_err *e)
{
	cleanup_free char *path = store_path(s, "version");
	cleanup_free char *text = NULL;
	struct hm_err scratch;
	uint64_t v;

	text = util_read_file(path, NULL, e = hm_err_or(e, &scratch));
	if (!text && e->errnum == ENOENT) {
		char want[16];

		hm_clear(e);
		snprintf(want, sizeof(want), "%d\n", STORE_FORMAT);
		return util_write_file_atomic(path, want, strlen(want), true,
					      e);
	}
	if (!text)
		return -1;
	text[strcspn(text, "\n")] = '\0'; /* one line */
	if (num_parse_u64(text, 1, INT32_MAX, &v) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"store \"%s\": unreadable format version in "
				"\"%s\"",
				s->root, path);
	if (v > STORE_FORMAT)
		return hm_failx(e, HM_EXIT_FAIL,
				"store \"%s\" has format %llu, this homo reads "
				"format %d and older: use a newer homo",
				s->root, (unsigned long long)v, STORE_FORMAT);
	return 0;
}

int store_open(struct hm_store *s, const char *root, const char *runroot,
	       struct hm_err *e)
{
	cleanup_free char *tmp = NULL;
	struct stat st;

	s->root = xstrdup(root);
	s->runroot = xstrdup(runroot);
	s->lock_fd = -1;
	s->swept = false;
	tmp = store_path(s, "tmp");
	/* records' temps in tmp/: the sweep need not read every record dir */
	util_atomic_tmpdir(s->root, tmp);
	/* Fast path: an existing store needs no mkdir at all. */
	if (stat(root, &st) == 0 && S_ISDIR(st.st_mode)) {
		cleanup_free char *probe = store_path(s, "containers");

		if (access(probe, F_OK) == 0)
			return check_version(s, e) < 0
				   ? -1
				   : util_mkdir_p(runroot, 0700, e);
	}
	if (util_mkdir_p(root, 0700, e) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(store_dirs); i++) {
		cleanup_free char *p = store_path(s, "%s", store_dirs[i]);

		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return hm_fail(e, errno, "mkdir \"%s\"", p);
	}
	if (check_version(s, e) < 0)
		return -1;
	return util_mkdir_p(runroot, 0700, e);
}

void store_close(struct hm_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
	if (s->root)
		util_atomic_tmpdir_drop(s->root);
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
	/* whoever takes the lock next sweeps what a killed homo left: once
	 * a process (a start locks twice); what dies meanwhile is the next
	 * command's to sweep */
	if (!held && !s->swept) {
		store_clean_debris(s);
		s->swept = true;
	}
	return 0;
}

void store_sweep(struct hm_store *s)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;

	if (s->lock_fd >= 0 || s->swept)
		return; /* swept when it was taken */
	path = store_path(s, "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	/* busy: its holder swept, or its next one will */
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return;
	store_clean_debris(s);
	s->swept = true;
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
	p = store_path(s, "%s/.tmp-%s-%s", dir, util_tmp_owner(), rnd);
	if (mkdir(p, 0700) < 0) {
		hm_fail(e, errno, "mkdir \"%s\"", p);
		free(p);
		return NULL;
	}
	return p;
}

/* ".tmp-<owner>-..." or "<name>.tmp-<owner>": is its maker still alive? */
static bool debris_is_dead(const char *name)
{
	const char *t = strstr(name, ".tmp-");

	return t && util_tmp_owner_gone(t + 5);
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

/* the top dirs, where a killed writer leaves ".tmp-<owner>-<rand>" */
static const char *const debris_dirs[] = {
    "layers", "containers", "blobs/sha256", "net", "images", "volumes", "tmp"};

/* the top dirs whose subdirs hold records: a homo before tmp/ wrote a
 * record's temp beside it, "<dir>/<sub>/<file>.tmp-<owner>" */
static void find_in_records(const struct hm_store *s, store_debris_fn fn,
			    void *arg)
{
	static const char *const record_dirs[] = {"images", "containers",
						  "volumes"};

	for (size_t i = 0; i < ARRAY_SIZE(record_dirs); i++) {
		cleanup_free char *p = store_path(s, "%s", record_dirs[i]);

		find_in_subdirs(p, fn, arg);
	}
}

/* ... and in the top dirs themselves */
static void find_in_tops(const struct hm_store *s, store_debris_fn fn,
			 void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(debris_dirs); i++) {
		cleanup_free char *p = store_path(s, "%s", debris_dirs[i]);

		find_in_dir(p, fn, arg);
	}
}

void store_find_debris(const struct hm_store *s, store_debris_fn fn, void *arg)
{
	find_in_tops(s, fn, arg);
	find_in_records(s, fn, arg);
}

static void remove_debris(const char *path, void *arg)
{

	(void)arg;
	util_rm_rf(path, NULL);
}

void store_clean_debris(const struct hm_store *s)
{
	cleanup_free char *tmp = store_path(s, "tmp");

	find_in_tops(s, remove_debris, NULL);
	/* Records take their temps from tmp/ (util_atomic_tmpdir()), so the
	 * sweep reads seven directories however many containers there are.
	 * A store without tmp/ was last written by an older homo: its
	 * records' temps are looked for once, where it wrote them. */
	if (access(tmp, F_OK) < 0 && errno == ENOENT) {
		find_in_records(s, remove_debris, NULL);
		/* if this fails, records keep their temps beside them
		 * (util_write_file_atomic's fallback) and the next sweep
		 * looks there again: slower, never wrong */
		(void)mkdir(tmp, 0700);
	}
}

/* ---- JSON ---- */

char *store_json_text(json_t *j, size_t flags, const char *what,
		      struct hm_err *e)
{
	char *text = j ? json_dumps(j, flags) : NULL;

	json_decref(j);
	if (!text)
		hm_failx(e, HM_EXIT_FAIL,
			 "%s: cannot be written as JSON (a field is not valid "
			 "UTF-8)",
			 what);
	return text;
}

/* The length of the valid UTF-8 sequence at @p, or 0 (RFC 3629). */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] < 0x80			  ? 1
		   : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
		   : p[0] >= 0xe0 && p[0] <= 0xef ? 3
		   : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
						  : 0;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && p[0] == 0xe0 && p[1] < 0xa0) ||
	    (n == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
	    (n == 4 && p[0] == 0xf0 && p[1] < 0x90) ||
	    (n == 4 && p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

void store_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (p && *p) {
		size_t n = utf8_len(p);

		if (n) {
			p += n;
			continue;
		}
		*p++ = '?';
	}
}

/* ---- layers ---- */

int store_layer_commit(const struct hm_store *s, const char *tmp,
		       const char *id, json_t *meta, struct hm_err *e)
{
	cleanup_free char *final = store_path(s, "layers/%s", id);
	cleanup_free char *json_path = NULL;
	cleanup_free char *text = NULL;
	json_t *j;
	char created[40];
	struct stat st;

	if (stat(final, &st) == 0) {
		/* Same content is stored once: drop the new copy (and mend
		 * a short link a killed homo may not have made). Failing to
		 * drop it fails nothing: it is debris the next sweep takes. */
		if (store_layer_link(s, id, e) < 0)
			return -1;
		util_rm_rf(tmp, NULL);
		return 0;
	}
	util_now_rfc3339(created, sizeof(created));
	j = meta ? json_deep_copy(meta) : json_object();
	json_object_set_new(j, "id", json_string(id));
	json_object_set_new(j, "created", json_string(created));
	text = store_json_text(j, JSON_INDENT(2) | JSON_SORT_KEYS, "layer.json",
			       e);
	if (!text)
		return -1;
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
	gone = store_path(s, "layers/.tmp-%s-rm-%s", util_tmp_owner(), rnd);
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
