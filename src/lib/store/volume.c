/* SPDX-License-Identifier: MIT */
#include "store/volume.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

bool volume_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 2 || n > 128 || !isascii(name[0]) || !isalnum(name[0]))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!(isascii(*p) && isalnum(*p)) && !strchr("_.-", *p))
			return false;
	return true;
}

static int check_name(const char *name, struct hm_err *e)
{
	if (!volume_name_ok(name))
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid volume name \"%s\": only "
				"[a-zA-Z0-9][a-zA-Z0-9_.-]+ (at most 128) are "
				"allowed",
				name);
	return 0;
}

char *volume_data_path(const struct hm_store *s, const char *name)
{
	return store_path(s, "volumes/%s/_data", name);
}

static int write_record(const char *dir, json_t *rec, struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/volume.json", dir);
	cleanup_free char *text =
	    store_json_text(json_incref(rec), JSON_INDENT(2) | JSON_SORT_KEYS,
			    "volume.json", e);

	if (!text)
		return -1;
	return util_write_file_atomic(path, text, strlen(text), true, e);
}

int volume_create(const struct hm_store *s, const char *name, json_t *labels,
		  bool anon, bool *created, struct hm_err *e)
{
	cleanup_free char *top = store_path(s, "volumes");
	cleanup_free char *final = NULL, *tmp = NULL, *data = NULL;
	cleanup_json json_t *rec = NULL;
	char now[40];

	if (created)
		*created = false;
	if (check_name(name, e) < 0)
		return -1;
	final = store_path(s, "volumes/%s", name);
	if (access(final, F_OK) == 0)
		return 0;
	if (mkdir(top, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", top);
	tmp = store_mktemp(s, "volumes", e);
	if (!tmp)
		return -1;
	data = xasprintf("%s/_data", tmp);
	util_now_rfc3339(now, sizeof(now));
	rec = json_pack("{s:s, s:s, s:o, s:b, s:b}", "Name", name, "CreatedAt",
			now, "Labels",
			labels ? json_incref(labels) : json_object(),
			"Anonymous", anon, "Used", false);
	if (mkdir(data, 0755) < 0 || chmod(data, 0755) < 0) {
		hm_fail(e, errno, "mkdir \"%s\"", data);
		goto fail;
	}
	if (write_record(tmp, rec, e) < 0)
		goto fail;
	if (rename(tmp, final) < 0) {
		hm_fail(e, errno, "rename \"%s\"", tmp);
		goto fail;
	}
	if (created)
		*created = true;
	return 0;
fail:
	util_rm_rf(tmp, NULL);
	return -1;
}

json_t *volume_load(const struct hm_store *s, const char *name,
		    struct hm_err *e)
{
	cleanup_free char *path = NULL, *text = NULL;
	json_error_t je;
	json_t *rec;

	if (check_name(name, e) < 0)
		return NULL;
	path = store_path(s, "volumes/%s/volume.json", name);
	text = util_read_file(path, NULL, e);
	if (!text) {
		if (e && e->errnum == ENOENT) {
			hm_failx(e, HM_EXIT_FAIL, "no such volume: %s", name);
			e->errnum = ENOENT;
		}
		return NULL;
	}
	rec = json_loads(text, 0, &je);
	if (!json_is_object(rec) ||
	    !json_is_string(json_object_get(rec, "CreatedAt")) ||
	    !json_is_object(json_object_get(rec, "Labels"))) {
		json_decref(rec);
		hm_failx(e, HM_EXIT_FAIL, "volume %s: bad record \"%s\"", name,
			 path);
		return NULL;
	}
	/* the directory's name is the name, whatever the file says */
	json_object_set_new(rec, "Name", json_string(name));
	return rec;
}

int volume_claim_first_use(const struct hm_store *s, const char *name,
			   bool *first, struct hm_err *e)
{
	cleanup_json json_t *rec = volume_load(s, name, e);
	cleanup_free char *dir = NULL;

	if (!rec)
		return -1;
	*first = !json_is_true(json_object_get(rec, "Used"));
	if (!*first)
		return 0;
	json_object_set_new(rec, "Used", json_true());
	dir = store_path(s, "volumes/%s", name);
	return write_record(dir, rec, e);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **volume_list(const struct hm_store *s)
{
	cleanup_free char *top = store_path(s, "volumes");
	cleanup_dir DIR *d = opendir(top);
	struct dirent *de;
	char **v = xcalloc(1, sizeof(char *));

	while (d && (de = readdir(d)))
		if (volume_name_ok(de->d_name)) /* not ".tmp-..." */
			v = strv_push(v, de->d_name);
	qsort(v, strv_len(v), sizeof(char *), cmp_str);
	return v;
}

int volume_remove(const struct hm_store *s, const char *name, struct hm_err *e)
{
	cleanup_free char *dir = NULL, *gone = NULL;
	char rnd[9];

	if (check_name(name, e) < 0)
		return -1;
	dir = store_path(s, "volumes/%s", name);
	util_random_hex(rnd, 8);
	gone = store_path(s, "volumes/.tmp-%s-rm-%s", util_tmp_owner(), rnd);
	/* gone from every listing at once; the data goes after */
	if (rename(dir, gone) < 0) {
		if (errno == ENOENT) {
			hm_failx(e, HM_EXIT_FAIL, "no such volume: %s", name);
			if (e)
				e->errnum = ENOENT;
			return -1;
		}
		return hm_fail(e, errno, "remove volume \"%s\"", name);
	}
	return util_rm_rf(gone, e);
}
