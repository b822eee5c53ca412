/* SPDX-License-Identifier: MIT */
/*
 * homo diff: a container's changes, read from its upper/ (the overlay's
 * record of them): an entry there is added (A) or changed (C) as its path
 * exists in the image's layers or not, a whiteout is a deletion (D).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/container.h"
#include "runtime/copy.h"

struct diff_walk {
	const struct hm_spec *s;
	int *layers; /* the layers' diff/ dirs, top first */
	size_t nlayers;
	diff_fn fn;
	void *arg;
	struct hm_err *e;
};

/* is @path (relative) in the image: in a layer, above any whiteout */
static bool in_image(const struct diff_walk *w, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};

	for (size_t i = 0; i < w->nlayers; i++) {
		int fd = (int)syscall(SYS_openat2, w->layers[i], path, &how,
				      sizeof(how));
		struct stat st;
		bool wh;

		if (fd < 0)
			continue;
		wh = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
		     st.st_rdev == makedev(0, 0);
		close(fd);
		return !wh;
	}
	return false;
}

/* homo's own mount points: the /etc stubs and the volumes' targets */
static bool is_stub(const struct diff_walk *w, const char *path,
		    const struct stat *st)
{
	static const char *const etc[] = {"etc/hostname", "etc/hosts",
					  "etc/resolv.conf"};

	for (size_t i = 0;
	     S_ISREG(st->st_mode) && !st->st_size && i < ARRAY_SIZE(etc); i++)
		if (!strcmp(path, etc[i]))
			return true;
	for (size_t i = 0; i < w->s->nvolumes; i++)
		if (!strcmp(path, w->s->volumes[i].dst + 1))
			return true;
	return false;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int diff_dir(struct diff_walk *w, int dfd, const char *prefix, int depth)
{
	DIR *d = fdopendir(dfd);
	cleanup_strv char **names = xcalloc(1, sizeof(char *));
	struct dirent *de;

	if (!d) {
		close(dfd);
		return hm_fail(w->e, errno, "diff: open \"%s\"", prefix);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names = strv_push(names, de->d_name);
	qsort(names, strv_len(names), sizeof(char *), cmp_name);
	for (size_t i = 0; names[i]; i++) {
		cleanup_free char *path =
		    *prefix ? xasprintf("%s/%s", prefix, names[i])
			    : xstrdup(names[i]);
		cleanup_free char *shown = xasprintf("/%s", path);
		struct stat st;
		bool had;

		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		had = in_image(w, path);
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
			w->fn('D', shown, w->arg);
		else if (had || !is_stub(w, path, &st))
			w->fn(had ? 'C' : 'A', shown, w->arg);
		if (S_ISDIR(st.st_mode) && depth < 256) {
			int sub = openat(dirfd(d), names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);

			if (sub < 0 || diff_dir(w, sub, path, depth + 1) < 0) {
				closedir(d);
				return sub < 0
					   ? hm_fail(w->e, errno,
						     "diff: open \"%s\"", path)
					   : -1;
			}
		}
	}
	closedir(d);
	return 0;
}

int container_diff(struct hm_store *st, const char *ref, diff_fn fn, void *arg,
		   struct hm_err *e)
{
	cleanup_spec struct hm_spec s = {0};
	cleanup_free char *upper = NULL;
	struct diff_walk w = {.s = &s, .fn = fn, .arg = arg, .e = e};
	char id[65];
	int r, dfd;

	if (container_find(st, ref, id, e) < 0 ||
	    container_load_spec(st, id, &s, e) < 0)
		return -1;
	w.nlayers = strv_len(s.layers);
	w.layers = xcalloc(w.nlayers + 1, sizeof(int));
	for (size_t i = 0; i < w.nlayers; i++) {
		cleanup_free char *p = store_path(st, "layers/%s/diff",
						  s.layers[w.nlayers - 1 - i]);

		w.layers[i] = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	upper = store_path(st, "containers/%s/upper", id);
	dfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dfd < 0 ? hm_fail(e, errno, "diff: open \"%s\"", upper)
		    : diff_dir(&w, dfd, "", 0);
	for (size_t i = 0; i < w.nlayers; i++)
		if (w.layers[i] >= 0)
			close(w.layers[i]);
	free(w.layers);
	return r;
}
