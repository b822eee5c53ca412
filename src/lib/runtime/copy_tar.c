/* SPDX-License-Identifier: MIT */
/* homo cp's tar streams: "homo cp CTR:SRC -" and "homo cp - CTR:DEST". */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/lazylib.h"
#include "base/util.h"
#include "image/archive_err.h"
#include "runtime/copy_int.h"

struct tar_out {
	struct archive *a;
	struct copy_ctx *c;
};

static int tar_entry(struct tar_out *t, int sfd, const char *name, int depth);

static int tar_children(struct tar_out *t, int sfd, const char *name, int depth)
{
	int sdir = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = sdir < 0 ? NULL : fdopendir(sdir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (sdir >= 0)
			close(sdir);
		return hm_fail(t->c->e, errno, "open \"%s\"", name);
	}
	while (r == 0 && (de = readdir(d))) {
		cleanup_free char *sub = NULL;
		int child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", name, de->d_name);
		child = openat(dirfd(d), de->d_name,
			       O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0) {
			r = hm_fail(t->c->e, errno, "open \"%s\"", sub);
			break;
		}
		r = tar_entry(t, child, sub, depth + 1);
		close(child);
	}
	closedir(d);
	return r;
}

static int tar_data(struct tar_out *t, int sfd, const char *name)
{
	char fdpath[64], buf[65536];
	cleanup_close int in = -1;
	ssize_t n;

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", sfd);
	in =
	    open(fdpath, O_RDONLY | O_CLOEXEC); /* that inode: a regular file */
	if (in < 0)
		return hm_fail(t->c->e, errno, "open \"%s\"", name);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hm_fail(t->c->e, errno, "read \"%s\"", name);
		if (archive_write_data(t->a, buf, (size_t)n) != n)
			return hm_fail_archive(t->c->e, t->a, "write \"%s\"",
					       name);
	}
	return 0;
}

static int tar_entry(struct tar_out *t, int sfd, const char *name, int depth)
{
	struct archive_entry *ent;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	uid_t u;
	gid_t g;
	int r;

	if (fstat(sfd, &st) < 0)
		return hm_fail(t->c->e, errno, "stat \"%s\"", name);
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (depth > COPY_MAX_DEPTH)
		return hm_failx(t->c->e, HM_EXIT_FAIL,
				"\"%s\": more than %d levels deep", name,
				COPY_MAX_DEPTH);
	copy_owner(t->c, &st, &u, &g);
	ent = archive_entry_new();
	archive_entry_set_pathname(ent, name);
	archive_entry_set_mode(ent, st.st_mode);
	archive_entry_set_uid(ent, u);
	archive_entry_set_gid(ent, g);
	archive_entry_set_mtime(ent, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (S_ISREG(st.st_mode))
		archive_entry_set_size(ent, st.st_size);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		archive_entry_set_rdev(ent, st.st_rdev);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(sfd, "", target, sizeof(target) - 1);
		if (n < 0) {
			archive_entry_free(ent);
			return hm_fail(t->c->e, errno, "readlink \"%s\"", name);
		}
		target[n] = '\0';
		archive_entry_set_symlink(ent, target);
	}
	r = archive_write_header(t->a, ent) != ARCHIVE_OK
		? hm_fail_archive(t->c->e, t->a, "write \"%s\"", name)
		: 0;
	archive_entry_free(ent);
	if (r == 0 && S_ISREG(st.st_mode))
		r = tar_data(t, sfd, name);
	if (r == 0 && S_ISDIR(st.st_mode))
		r = tar_children(t, sfd, name, depth);
	return r;
}

int copy_tar_out(struct copy_ctx *c, int sfd, const char *name, int out_fd)
{
	cleanup_archive_write struct archive *a = NULL;
	struct tar_out t = {.c = c};

	if (lazy_load(LIB_ARCHIVE, "cp", c->e) < 0)
		return -1;
	a = archive_write_new();
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out_fd) != ARCHIVE_OK)
		return hm_fail_archive(c->e, a, "cp: write the tar stream");
	t.a = a;
	if (tar_entry(&t, sfd, name, 0) < 0)
		return -1;
	if (archive_write_close(a) != ARCHIVE_OK)
		return hm_fail_archive(c->e, a, "cp: end the tar stream");
	return 0;
}

/*
 * The directory holding @path below @dfd, walked one component at a time
 * without following a symlink (created if missing with @create); *@last
 * points at the final component in @path. ".." is refused.
 */
static int walk_parent(struct copy_ctx *c, int dfd, char *path, char **last,
		       bool create)
{
	int cur = dup(dfd);
	char *p = path, *slash;

	if (cur < 0)
		return hm_fail(c->e, errno, "dup");
	for (;;) {
		int next;

		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		if (!slash || !slash[strspn(slash, "/")])
			break;
		*slash = '\0';
		if (!strcmp(p, "..")) {
			close(cur);
			return hm_failx(c->e, HM_EXIT_FAIL,
					"tar entry with \"..\": refused");
		}
		if (strcmp(p, ".") && create && mkdirat(cur, p, 0755) < 0 &&
		    errno != EEXIST) {
			close(cur);
			return hm_fail(c->e, errno, "mkdir \"%s\"", p);
		}
		next = openat(cur, p,
			      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		if (next < 0)
			return hm_fail(c->e, errno,
				       "\"%s\": not a directory (a symlink "
				       "is not followed)",
				       p);
		cur = next;
		*slash = '/';
		p = slash + 1;
	}
	if (slash)
		*slash = '\0'; /* "a/b/": the name is "b" */
	if (!strcmp(p, ".."))
		return close(cur), hm_failx(c->e, HM_EXIT_FAIL,
					    "tar entry with \"..\": refused");
	*last = p;
	return cur;
}

static int untar_file(struct copy_ctx *c, struct archive *a, int pfd,
		      const char *name)
{
	cleanup_close int out = -1;
	const void *buf;
	size_t len;
	int64_t off;
	int r;

	if (copy_clear_at(c, pfd, name) < 0)
		return -1;
	out =
	    openat(pfd, name,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return hm_fail(c->e, errno, "create \"%s\"", name);
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		if (util_pwrite_all(out, buf, len, (off_t)off) < 0)
			return hm_fail(c->e, errno, "write \"%s\"", name);
	if (r != ARCHIVE_EOF)
		return hm_fail_archive(c->e, a, "read \"%s\"", name);
	return 0;
}

/* one entry: made at its place, then given its owner, mode and times */
static int untar_entry(struct copy_ctx *c, struct archive *a,
		       struct archive_entry *ent, int dfd)
{
	cleanup_free char *path = xstrdup(archive_entry_pathname(ent));
	cleanup_free char *lpath = NULL;
	cleanup_close int pfd = -1, lfd = -1;
	struct stat st = {0}, old;
	const char *hl = archive_entry_hardlink(ent);
	char *name, *lname;
	uid_t u;
	gid_t g;

	pfd = walk_parent(c, dfd, path, &name, true);
	if (pfd < 0)
		return -1;
	if (!*name || !strcmp(name, "."))
		return 0; /* the directory itself keeps its own */
	st.st_mode = archive_entry_mode(ent);
	st.st_uid = (uid_t)archive_entry_uid(ent);
	st.st_gid = (gid_t)archive_entry_gid(ent);
	st.st_mtim.tv_sec = archive_entry_mtime(ent);
	st.st_atim = st.st_mtim;
	if (hl) {
		lpath = xstrdup(hl);
		lfd = walk_parent(c, dfd, lpath, &lname, false);
		if (lfd < 0 || copy_clear_at(c, pfd, name) < 0)
			return -1;
		if (linkat(lfd, lname, pfd, name, 0) < 0)
			return hm_fail(c->e, errno, "link \"%s\"", name);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (fstatat(pfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(old.st_mode))
			return 0;
		if (copy_clear_at(c, pfd, name) < 0)
			return -1;
		if (mkdirat(pfd, name, 0700) < 0)
			return hm_fail(c->e, errno, "mkdir \"%s\"", name);
	} else if (S_ISREG(st.st_mode)) {
		if (untar_file(c, a, pfd, name) < 0)
			return -1;
	} else if (copy_clear_at(c, pfd, name) < 0) {
		return -1;
	} else if (S_ISLNK(st.st_mode)) {
		if (symlinkat(archive_entry_symlink(ent), pfd, name) < 0)
			return hm_fail(c->e, errno, "symlink \"%s\"", name);
	} else if (mknodat(pfd, name, st.st_mode & (S_IFMT | 0600),
			   archive_entry_rdev(ent)) < 0) {
		return hm_fail(c->e, errno, "mknod \"%s\"", name);
	}
	copy_owner(c, &st, &u, &g);
	return copy_meta_at(c, pfd, name, &st, u, g);
}

int copy_tar_in(struct copy_ctx *c, int in_fd, int dfd)
{
	cleanup_archive_read struct archive *a = NULL;
	struct archive_entry *ent;
	int r;

	if (lazy_load(LIB_ARCHIVE, "cp", c->e) < 0)
		return -1;
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	if (archive_read_open_fd(a, in_fd, 65536) != ARCHIVE_OK)
		return hm_fail_archive(c->e, a, "cp: read the tar stream");
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN)
		if (untar_entry(c, a, ent, dfd) < 0)
			return hm_prefix(c->e, "cp: %s",
					 archive_entry_pathname(ent));
	if (r != ARCHIVE_EOF)
		return hm_fail_archive(c->e, a, "cp: read the tar stream");
	return 0;
}
