/* SPDX-License-Identifier: MIT */
#include "runtime/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/rootless.h"
#include "base/util.h"
#include "runtime/container.h"
#include "runtime/copy_int.h"
#include "runtime/state.h"
#include "runtime/userns.h"
#include "store/overlay.h"

/* ---- the container's root ---- */

/*
 * A stopped container's overlay, as a detached mount: its root's fd. Made
 * by a forked helper with the classic mount options, which every kernel
 * takes ("lowerdir+" of fsconfig only exists from Linux 6.8).
 */
static int overlay_fd(const struct hm_store *st, const struct hm_spec *s,
		      struct hm_err *e)
{
	cleanup_free char *upper = store_path(st, "containers/%s/upper", s->id);
	cleanup_free char *work = store_path(st, "containers/%s/work", s->id);
	int fd = userns_overlay_forked(st->root, s->layers, upper, work, NULL,
				       -1, e);

	return fd < 0 ? hm_prefix(e, "mount the overlay of %.12s", s->id) : fd;
}

/* the root of container @ref (an fd), its spec in @s */
static int open_root(struct hm_store *st, const char *ref, struct hm_spec *s,
		     struct hm_err *e)
{
	struct hm_state state;
	char id[65], path[64];
	int fd;

	if (container_find(st, ref, id, e) < 0 ||
	    container_check(st, id, &state, e) < 0 ||
	    container_load_spec(st, id, s, e) < 0)
		return -1;
	/* its overlay is the init's to mount: never two on one upper/ */
	if (state.status != ST_RUNNING && state_owner_alive(&state))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is starting or restarting: "
				"try again",
				id);
	if (state.status != ST_RUNNING)
		return overlay_fd(st, s, e);
	snprintf(path, sizeof(path), "/proc/%d/root", (int)state.pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* the pid must still be its init once the root is held */
	if (fd >= 0 && util_proc_starttime(state.pid) != state.starttime) {
		close(fd);
		fd = -1;
		errno = ESRCH;
	}
	if (fd < 0)
		return hm_fail(e, errno, "open the root of %.12s", id);
	return fd;
}

static int in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how,
			    sizeof(how));
}

/* a path on one side: the container's (rootfd >= 0) or the host's */
static int side_open(int rootfd, const char *path, int flags)
{
	return rootfd >= 0 ? in_root(rootfd, path, flags)
			   : open(path, flags | O_CLOEXEC);
}

/* ---- one entry and what is below it, disk to disk ---- */

void copy_owner(const struct copy_ctx *c, const struct stat *st, uid_t *uid,
		gid_t *gid)
{
	uint32_t u = 0, g = 0;

	if (c->o->archive) {
		u = st->st_uid, g = st->st_gid;
		/* as the source container sees them */
		if (c->from.count && u - c->from.host < c->from.count)
			u = u - c->from.host + c->from.ctr;
		if (c->from.count && g - c->from.host < c->from.count)
			g = g - c->from.host + c->from.ctr;
	}
	if (c->to.count && u - c->to.ctr < c->to.count)
		u = u - c->to.ctr + c->to.host;
	if (c->to.count && g - c->to.ctr < c->to.count)
		g = g - c->to.ctr + c->to.host;
	*uid = u;
	*gid = g;
}

int copy_meta_at(const struct copy_ctx *c, int dfd, const char *name,
		 const struct stat *st, uid_t uid, gid_t gid)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st->st_mode) && fchmodat(dfd, name, st->st_mode & 07777,
					       AT_SYMLINK_NOFOLLOW) < 0) ||
	    utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(c->e, errno, "set the owner and mode of \"%s\"",
			       name);
	return 0;
}

int copy_clear_at(const struct copy_ctx *c, int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			   ? 0
			   : hm_fail(c->e, errno, "stat \"%s\"", name);
	if (S_ISDIR(st.st_mode))
		return hm_failx(c->e, HM_EXIT_FAIL,
				"cannot overwrite directory \"%s\" with a "
				"non-directory",
				name);
	if (unlinkat(dfd, name, 0) < 0)
		return hm_fail(c->e, errno, "replace \"%s\"", name);
	return 0;
}

static int copy_data(int in, int out, const char *name, struct hm_err *e)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || util_write_all(out, buf, (size_t)n) < 0)
			return hm_fail(e, errno, "copy \"%s\"", name);
	}
	return 0;
}

/* a non-directory @sfd (O_PATH, not followed) as @ddfd/@dname */
static int copy_file(struct copy_ctx *c, int sfd, const struct stat *st,
		     int ddfd, const char *dname)
{
	char fdpath[64], target[PATH_MAX];
	ssize_t n;
	uid_t u;
	gid_t g;

	if (S_ISSOCK(st->st_mode))
		return 0; /* as tar: a socket is not content */
	if (copy_clear_at(c, ddfd, dname) < 0)
		return -1;
	copy_owner(c, st, &u, &g);
	if (S_ISREG(st->st_mode)) {
		cleanup_close int in = -1, out = -1;

		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", sfd);
		in =
		    open(fdpath,
			 O_RDONLY | O_CLOEXEC); /* that inode: a regular file */
		out = in < 0 ? -1
			     : openat(ddfd, dname,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					  O_CLOEXEC,
				      0600);
		if (in < 0 || out < 0)
			return hm_fail(c->e, errno, "copy \"%s\"", dname);
		if (copy_data(in, out, dname, c->e) < 0)
			return -1;
	} else if (S_ISLNK(st->st_mode)) {
		n = readlinkat(sfd, "", target, sizeof(target) - 1);
		if (n < 0)
			return hm_fail(c->e, errno, "readlink \"%s\"", dname);
		target[n] = '\0';
		if (symlinkat(target, ddfd, dname) < 0)
			return hm_fail(c->e, errno, "symlink \"%s\"", dname);
	} else if (mknodat(ddfd, dname, st->st_mode & (S_IFMT | 0600),
			   st->st_rdev) < 0) {
		return hm_fail(c->e, errno, "mknod \"%s\"", dname);
	}
	return copy_meta_at(c, ddfd, dname, st, u, g);
}

static int copy_entry(struct copy_ctx *c, int sfd, int ddfd, const char *dname,
		      int depth);

/* the entries of directory @sfd into directory @dfd */
static int copy_children(struct copy_ctx *c, int sfd, int dfd, int depth)
{
	int sdir = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = sdir < 0 ? NULL : fdopendir(sdir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (sdir >= 0)
			close(sdir);
		return hm_fail(c->e, errno, "open a directory to copy");
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		int child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = openat(dirfd(d), de->d_name,
			       O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0) {
			r = hm_fail(c->e, errno, "open \"%s\"", de->d_name);
			break;
		}
		r = copy_entry(c, child, dfd, de->d_name, depth + 1);
		close(child);
	}
	if (r == 0 && errno)
		r = hm_fail(c->e, errno, "read a directory to copy");
	closedir(d);
	return r;
}

static int copy_entry(struct copy_ctx *c, int sfd, int ddfd, const char *dname,
		      int depth)
{
	cleanup_close int dfd = -1;
	struct stat st, dst;
	bool made = false;
	uid_t u;
	gid_t g;

	if (fstat(sfd, &st) < 0)
		return hm_fail(c->e, errno, "stat \"%s\"", dname);
	if (!S_ISDIR(st.st_mode))
		return copy_file(c, sfd, &st, ddfd, dname);
	if (depth > COPY_MAX_DEPTH)
		return hm_failx(c->e, HM_EXIT_FAIL,
				"\"%s\": more than %d levels deep", dname,
				COPY_MAX_DEPTH);
	if (fstatat(ddfd, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISDIR(dst.st_mode))
		return hm_failx(c->e, HM_EXIT_FAIL,
				"cannot overwrite non-directory \"%s\" with "
				"a directory",
				dname);
	if (mkdirat(ddfd, dname, 0700) == 0)
		made = true;
	else if (errno != EEXIST)
		return hm_fail(c->e, errno, "mkdir \"%s\"", dname);
	dfd = openat(ddfd, dname,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return hm_fail(c->e, errno, "open \"%s\"", dname);
	if (copy_children(c, sfd, dfd, depth) < 0)
		return -1;
	if (!made)
		return 0; /* a directory that was there keeps its own */
	copy_owner(c, &st, &u, &g);
	return copy_meta_at(c, dfd, ".", &st, u, g);
}

/* ---- Docker's rules ---- */

struct cpath {
	char *parent, *base; /* base "." for a root */
	bool slash;	     /* ended with "/" */
	bool dot;	     /* ended with "/." : the contents */
};

static void cpath_free(struct cpath *p)
{
	free(p->parent);
	free(p->base);
}

static void cpath_split(const char *path, bool in_ctr, struct cpath *p)
{
	cleanup_free char *s = xstrdup(path);
	size_t n = strlen(s);
	char *slash;

	p->dot = n >= 2 && !strcmp(s + n - 2, "/.");
	if (p->dot || !strcmp(s, "."))
		s[n -= (n >= 2 ? 2 : 1)] = '\0';
	p->slash = n > 1 && s[n - 1] == '/';
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	slash = strrchr(s, '/');
	if (!*s || !strcmp(s, "/")) {
		p->parent = xstrdup(*s || in_ctr ? "/" : ".");
		p->base = xstrdup(".");
		p->dot = true;
	} else if (!slash) {
		p->parent = xstrdup(in_ctr ? "/" : ".");
		p->base = xstrdup(s);
	} else {
		*slash = '\0';
		p->parent = xstrdup(slash == s ? "/" : s);
		p->base = xstrdup(slash + 1);
	}
}

/* the source entry, O_PATH; a symlink only with -L, "/" or "/." */
static int open_source(int rootfd, const char *path, const struct cpath *p,
		       const struct copy_opts *o, struct hm_err *e)
{
	cleanup_close int pfd = -1;
	int fd;

	if (o->follow || p->dot || p->slash) {
		fd = side_open(rootfd, path, O_PATH);
	} else {
		pfd = side_open(rootfd, p->parent, O_PATH | O_DIRECTORY);
		fd = pfd < 0 ? -1
			     : openat(pfd, p->base,
				      O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return hm_fail(e, errno, "source \"%s\"", path);
	return fd;
}

/*
 * Copy the entry @sfd to @dest on its side (rootfd: the container's, -1:
 * the host's).
 */
static int copy_rules(struct copy_ctx *c, int sfd, const struct cpath *sp,
		      int rootfd, const char *dest)
{
	cleanup_close int dfd = -1, pfd = -1;
	struct cpath dp = {0};
	struct stat st;
	int r, err;

	if (fstat(sfd, &st) < 0)
		return hm_fail(c->e, errno, "stat the source");
	if ((sp->slash || (sp->dot && strcmp(sp->base, "."))) &&
	    !S_ISDIR(st.st_mode))
		return hm_failx(c->e, HM_EXIT_FAIL,
				"source \"%s\" is not a directory", sp->base);
	dfd = side_open(rootfd, dest, O_PATH | O_DIRECTORY);
	if (dfd >= 0) { /* into an existing directory */
		if (S_ISDIR(st.st_mode) && sp->dot)
			return copy_children(c, sfd, dfd, 0);
		return copy_entry(c, sfd, dfd, sp->base, 0);
	}
	err = errno;
	if (err != ENOENT && err != ENOTDIR)
		return hm_fail(c->e, err, "destination \"%s\"", dest);
	cpath_split(dest, rootfd >= 0, &dp);
	if (err == ENOTDIR && S_ISDIR(st.st_mode))
		r = hm_failx(c->e, HM_EXIT_FAIL,
			     "cannot copy a directory to a file: %s", dest);
	else if (dp.slash)
		r = hm_failx(c->e, HM_EXIT_FAIL,
			     "destination directory %s does not exist", dest);
	else if ((pfd = side_open(rootfd, dp.parent, O_PATH | O_DIRECTORY)) < 0)
		r = hm_fail(c->e, errno, "destination \"%s\"", dp.parent);
	else
		r = copy_entry(c, sfd, pfd, dp.base, 0);
	cpath_free(&dp);
	return r;
}

static void ctx_init(struct copy_ctx *c, const struct copy_opts *o,
		     struct hm_err *e)
{
	*c = (struct copy_ctx){.o = o, .e = e};
}

int copy_from_container(struct hm_store *st, const char *ref, const char *src,
			const char *dest, int out_fd, const struct copy_opts *o,
			struct hm_err *e)
{
	cleanup_spec struct hm_spec s = {0};
	cleanup_close int root = open_root(st, ref, &s, e), sfd = -1;
	struct cpath sp = {0};
	struct copy_ctx c;
	int r;

	if (root < 0)
		return -1;
	ctx_init(&c, o, e);
	c.from = s.uidmap;
	cpath_split(src, true, &sp);
	sfd = open_source(root, src, &sp, o, e);
	if (sfd < 0)
		r = -1;
	else if (!dest)
		r = copy_tar_out(&c, sfd, sp.base, out_fd);
	else
		r = copy_rules(&c, sfd, &sp, -1, dest);
	cpath_free(&sp);
	return r;
}

int copy_to_container(struct hm_store *st, const char *ref, const char *src,
		      const char *dest, int in_fd, const struct copy_opts *o,
		      struct hm_err *e)
{
	cleanup_spec struct hm_spec s = {0};
	cleanup_close int root = open_root(st, ref, &s, e), sfd = -1;
	cleanup_close int dfd = -1;
	struct cpath sp = {0};
	struct copy_ctx c;
	int r;

	if (root < 0)
		return -1;
	ctx_init(&c, o, e);
	c.to = s.uidmap;
	if (!src) {
		dfd = in_root(root, dest, O_PATH | O_DIRECTORY);
		if (dfd < 0)
			return hm_fail(e, errno,
				       "destination \"%s\" must be a "
				       "directory",
				       dest);
		return copy_tar_in(&c, in_fd, dfd);
	}
	cpath_split(src, false, &sp);
	sfd = open_source(-1, src, &sp, o, e);
	r = sfd < 0 ? -1 : copy_rules(&c, sfd, &sp, root, dest);
	cpath_free(&sp);
	return r;
}
