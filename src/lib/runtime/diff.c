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

#include "base/fdwalk.h"
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

/* the upper layer, in bytewise order at any depth (base/fdwalk.h) */
static int diff_walk(struct diff_walk *w, int dfd)
{
	struct fdwalk fw;
	int ev = 0, r = fdwalk_open(&fw, dfd, -1, true, w->e);

	while (r == 0 && (ev = fdwalk_next(&fw, w->e)) > 0) {
		cleanup_free char *shown = NULL;
		struct stat st;
		bool had;
		int sub;

		if (ev != FDWALK_ENTRY)
			continue;
		if (fstatat(fw.dfd, fw.name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = hm_fail(w->e, errno, "diff: stat \"%s\"", fw.path);
			break;
		}
		shown = xasprintf("/%s", fw.path);
		had = in_image(w, fw.path);
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
			w->fn('D', shown, w->arg);
		else if (had || !is_stub(w, fw.path, &st))
			w->fn(had ? 'C' : 'A', shown, w->arg);
		if (!S_ISDIR(st.st_mode))
			continue;
		sub = fdwalk_openat(&fw, fw.dfd, fw.name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC);
		if (sub < 0)
			r = hm_fail(w->e, errno, "diff: open \"%s\"", fw.path);
		else
			r = fdwalk_enter(&fw, sub, -1, w->e);
	}
	if (r == 0 && ev < 0)
		r = -1;
	fdwalk_close(&fw);
	return r;
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
		    : diff_walk(&w, dfd);
	for (size_t i = 0; i < w.nlayers; i++)
		if (w.layers[i] >= 0)
			close(w.layers[i]);
	free(w.layers);
	return r;
}
