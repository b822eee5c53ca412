/* SPDX-License-Identifier: MIT */
/*
 * Finding containers: by full id, name or unique id prefix; the list of
 * them; which of them use a layer or an image (for GC and rmi).
 */
#include "runtime/container.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

bool container_is_id(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int container_find(const struct hm_store *st, const char *ref, char id[65],
		   struct hm_err *e)
{
	cleanup_free char *link = store_path(st, "names/%s", ref);
	cleanup_strv char **all = NULL;
	char target[80];
	ssize_t n;
	int hits = 0;

	if (container_is_id(ref)) {
		cleanup_free char *d = container_dir(st, ref);

		if (access(d, F_OK) == 0) {
			memcpy(id, ref, 65);
			return 0;
		}
	}
	if (!strchr(ref, '/') &&
	    (n = readlink(link, target, sizeof(target) - 1)) == 64) {
		cleanup_free char *d = NULL;

		target[n] = '\0';
		d = container_dir(st, target);
		if (access(d, F_OK) == 0) {
			memcpy(id, target, 65);
			return 0;
		}
	}
	all = container_list(st);
	for (size_t i = 0; all[i] && *ref; i++) {
		if (strncmp(all[i], ref, strlen(ref)))
			continue;
		if (hits++)
			return hm_failx(e, HM_EXIT_FAIL,
					"container id prefix \"%s\" is "
					"ambiguous: give more digits",
					ref);
		memcpy(id, all[i], 65);
	}
	if (hits)
		return 0;
	return hm_failx(e, HM_EXIT_FAIL,
			"%s: no such container (see 'homo ps -a')", ref);
}

char **container_list(const struct hm_store *st)
{
	cleanup_free char *dir = store_path(st, "containers");
	cleanup_dir DIR *d = opendir(dir);
	char **v = xcalloc(1, sizeof(char *));
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strlen(de->d_name) == 64 && de->d_name[0] != '.')
			v = strv_push(v, de->d_name);
	return v;
}

int container_pinned_layers(const struct hm_store *st, void *arg, char ***ids,
			    struct hm_err *e)
{
	cleanup_free char *dir = store_path(st, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	(void)arg;
	/* unread, every container's layers would look unused */
	if (!d)
		return hm_fail(e, errno, "open \"%s\"", dir);
	while ((de = readdir(d))) {
		struct hm_spec s;

		/* any container pins, even one that never ran; one whose
		 * config cannot be read names no layers */
		if (de->d_name[0] == '.' ||
		    container_load_spec(st, de->d_name, &s, NULL) < 0)
			continue;
		for (size_t i = 0; s.layers[i]; i++)
			*ids = strv_push(*ids, s.layers[i]);
		spec_free(&s);
	}
	return 0;
}

char *container_image_user(const struct hm_store *st, const char *image_id)
{
	cleanup_strv char **ids = container_list(st);

	for (size_t i = 0; ids[i]; i++) {
		struct hm_spec s;
		bool hit;

		if (container_load_spec(st, ids[i], &s, NULL) < 0)
			continue;
		hit = strcmp(s.image_id, image_id) == 0;
		spec_free(&s);
		if (hit)
			return xstrdup(ids[i]);
	}
	return NULL;
}
