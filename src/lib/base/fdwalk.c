/* SPDX-License-Identifier: MIT */
/* A directory walk at any depth: see fdwalk.h. */
#include "base/fdwalk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

struct fdwalk_level {
	int fd, aux; /* -1 while closed (or no second tree) */
	dev_t dev, aux_dev;
	ino_t ino, aux_ino;
	bool has_aux;
	char **names; /* read on first use */
	size_t n, i;
	size_t path_len; /* of this directory's path in w->path */
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(struct fdwalk_level *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = l->i = 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static const char *where(const struct fdwalk *w, size_t len)
{
	return len ? w->path : ".";
}

/* The names of level @l, read whole: the fd's offset is shared with it. */
/*
 * Short of fds (EMFILE, ENFILE: a low ulimit -n), close the open level
 * nearest the root, but the top: pop() reopens a closed parent through
 * ".." and checks it is the same directory. False when nothing is left.
 */
static bool shed(struct fdwalk *w)
{
	for (size_t i = 0; i + 1 < w->depth; i++) {
		if (w->lv[i].fd < 0 && w->lv[i].aux < 0)
			continue;
		close_fd(&w->lv[i].fd);
		close_fd(&w->lv[i].aux);
		return true;
	}
	return false;
}

static bool out_of_fds(void)
{
	return errno == EMFILE || errno == ENFILE;
}

int fdwalk_openat(struct fdwalk *w, int dfd, const char *name, int flags)
{
	int fd;

	while ((fd = openat(dfd, name, flags)) < 0 && out_of_fds() && shed(w))
		;
	return fd;
}

/*
 * The level's names, read with getdents64 on its own fd (from offset 0):
 * no second fd for a DIR stream, so a walk needs one fd where it must.
 */
static int read_names(struct fdwalk *w, struct fdwalk_level *l,
		      struct hm_err *e)
{
	char buf[32768];
	size_t cap = 16;
	ssize_t n;

	if (lseek(l->fd, 0, SEEK_SET) < 0)
		return hm_fail(e, errno, "read directory \"%s\"",
			       where(w, l->path_len));
	l->names = xmalloc(cap * sizeof(*l->names));
	while ((n = getdents64(l->fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			if (l->n == cap) {
				cap *= 2;
				l->names =
				    xrealloc(l->names, cap * sizeof(*l->names));
			}
			l->names[l->n++] = xstrdup(de->d_name);
		}
	}
	if (n < 0)
		return hm_fail(e, errno, "read directory \"%s\"",
			       where(w, l->path_len));
	if (w->sorted && l->n)
		qsort(l->names, l->n, sizeof(*l->names), name_cmp);
	return 0;
}

/* w->path = the directory of level @l, "/" and @name. */
static void set_path(struct fdwalk *w, size_t dir_len, const char *name)
{
	size_t nl = strlen(name), need = dir_len + 1 + nl + 1;

	if (need > w->path_cap) {
		w->path_cap = need * 2;
		w->path = xrealloc(w->path, w->path_cap);
	}
	if (dir_len)
		w->path[dir_len++] = '/';
	memcpy(w->path + dir_len, name, nl + 1);
}

static int identify(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/*
 * Open again a parent fd the walk closed, through "..": it must be the
 * directory it was, or the tree was moved while walked.
 */
static int reopen(struct fdwalk *w, int child, int *fd, dev_t dev, ino_t ino,
		  size_t path_len, struct hm_err *e)
{
	dev_t d;
	ino_t i;

	*fd = fdwalk_openat(w, child, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return hm_fail(e, errno, "open \"%s/..\"", w->path);
	if (identify(*fd, &d, &i) < 0)
		return hm_fail(e, errno, "stat \"%s\"", where(w, path_len));
	if (d != dev || i != ino)
		return hm_failx(e, HM_EXIT_FAIL,
				"\"%s\": moved while it was walked",
				where(w, path_len));
	return 0;
}

/* Leave the top level: its parent's fds open again, its own closed. */
static int pop(struct fdwalk *w, struct hm_err *e)
{
	struct fdwalk_level *l = &w->lv[w->depth - 1], *p = l - 1;

	w->path[l->path_len] = '\0';
	if (p->fd < 0 &&
	    reopen(w, l->fd, &p->fd, p->dev, p->ino, p->path_len, e) < 0)
		return -1;
	if (p->has_aux && p->aux < 0 &&
	    reopen(w, l->aux, &p->aux, p->aux_dev, p->aux_ino, p->path_len, e) <
		0)
		return -1;
	close_fd(&l->fd);
	close_fd(&l->aux);
	free_names(l);
	w->depth--;
	return 0;
}

int fdwalk_next(struct fdwalk *w, struct hm_err *e)
{
	struct fdwalk_level *l;

	if (!w->depth)
		return FDWALK_END;
	l = &w->lv[w->depth - 1];
	if (!l->names && read_names(w, l, e) < 0)
		return -1;
	if (l->i < l->n) {
		w->name = l->names[l->i++];
		w->dfd = l->fd;
		w->aux = l->aux;
		set_path(w, l->path_len, w->name);
		return FDWALK_ENTRY;
	}
	if (w->depth == 1) { /* the root: done */
		free_names(l);
		close_fd(&l->fd);
		close_fd(&l->aux);
		w->depth = 0;
		return FDWALK_END;
	}
	if (pop(w, e) < 0)
		return -1;
	l = &w->lv[w->depth - 1];
	w->name = l->names[l->i - 1];
	w->dfd = l->fd;
	w->aux = l->aux;
	return FDWALK_POST;
}

static int push(struct fdwalk *w, int fd, int aux, size_t path_len,
		struct hm_err *e)
{
	struct fdwalk_level *l;

	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->lv = xrealloc(w->lv, w->cap * sizeof(*w->lv));
	}
	l = &w->lv[w->depth++];
	*l = (struct fdwalk_level){.fd = fd, .aux = aux, .has_aux = aux >= 0};
	l->path_len = path_len;
	if (identify(fd, &l->dev, &l->ino) < 0 ||
	    (aux >= 0 && identify(aux, &l->aux_dev, &l->aux_ino) < 0))
		return hm_fail(e, errno, "stat \"%s\"", where(w, path_len));
	/* bounded fds: the level FDWALK_FDS above is closed (never the root) */
	if (w->depth > FDWALK_FDS + 1) {
		close_fd(&w->lv[w->depth - FDWALK_FDS - 1].fd);
		close_fd(&w->lv[w->depth - FDWALK_FDS - 1].aux);
	}
	return 0;
}

int fdwalk_open(struct fdwalk *w, int root, int aux, bool sorted,
		struct hm_err *e)
{
	memset(w, 0, sizeof(*w));
	w->sorted = sorted;
	w->path_cap = 256;
	w->path = xcalloc(1, w->path_cap);
	w->dfd = w->aux = -1;
	return push(w, root, aux, 0, e);
}

int fdwalk_enter(struct fdwalk *w, int fd, int aux, struct hm_err *e)
{
	return push(w, fd, aux, strlen(w->path), e);
}

void fdwalk_close(struct fdwalk *w)
{
	for (size_t i = 0; i < w->depth; i++) {
		close_fd(&w->lv[i].fd);
		close_fd(&w->lv[i].aux);
		free_names(&w->lv[i]);
	}
	free(w->lv);
	free(w->path);
	memset(w, 0, sizeof(*w));
	w->dfd = w->aux = -1;
}

int fdwalk_open_parent(int root, const char *rel, const char **base,
		       struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(rel);
	char *p = copy, *slash;
	int fd = fcntl(root, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return hm_fail(e, errno, "dup");
	while ((slash = strchr(p, '/'))) {
		int next;

		*slash = '\0';
		next = openat(fd, p,
			      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return hm_fail(e, errno, "open \"%.*s\"",
				       (int)(slash - copy), rel);
		fd = next;
		p = slash + 1;
	}
	*base = rel + (p - copy);
	return fd;
}
