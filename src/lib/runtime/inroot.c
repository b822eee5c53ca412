/* SPDX-License-Identifier: MIT */
/*
 * Paths inside a container's root (inroot.h): every lookup is an
 * openat2(RESOLVE_IN_ROOT) from the root's fd, and every mount goes through
 * the /proc/self/fd link of the opened target, so a symlink in the image
 * resolves inside the rootfs and can never redirect a mount onto the host
 * (the class of CVE-2019-16884 and CVE-2021-30465).
 */
#include "runtime/inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? 0644 : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how,
			    sizeof(how));
}

/*
 * mkdir -p inside the root; returns an O_PATH fd of the directory. A missing
 * one is made in its parent, made the same way first: the existing part of
 * the path is not walked again component by component.
 */
int mkdir_in_root(int rootfd, const char *path, struct hm_err *e)
{
	cleanup_free char *dir = NULL;
	cleanup_close int parent = -1;
	const char *base;
	char *slash;
	int fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);

	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return hm_fail(e, errno, "open \"%s\" in the container", path);
	dir = xstrdup(path);
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	slash = strrchr(dir, '/');
	base = slash ? slash + 1 : dir;
	if (slash && slash != dir)
		*slash = '\0';
	/* the parent is opened in the root: ".." as @base cannot leave it */
	parent = mkdir_in_root(rootfd, slash && slash != dir ? dir : "/", e);
	if (parent < 0)
		return -1;
	if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\" in the container", path);
	fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\" in the container", path);
	return fd;
}

/*
 * An empty file to bind a file over (created inside the root if missing):
 * an O_PATH fd of it, or the new file's own fd.
 */
int file_in_root(int rootfd, const char *path, struct hm_err *e)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	const char *parent = slash && slash != dir ? dir : "/";
	cleanup_close int dfd = -1;
	struct stat dst;
	bool have;
	int fd;

	fd = open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (slash)
		*slash = '\0';
	dfd = open_in_root(rootfd, parent, O_RDONLY | O_DIRECTORY);
	if (dfd < 0 && errno == ENOENT) {
		int made = mkdir_in_root(rootfd, parent, e);

		if (made < 0)
			return -1;
		close(made);
		dfd = open_in_root(rootfd, parent, O_RDONLY | O_DIRECTORY);
	}
	if (dfd < 0)
		return hm_fail(e, errno, "open \"%s\" in the container",
			       parent);
	/*
	 * The stub lands in upper/: give its directory back the mtime it
	 * had, so that two containers that changed nothing there commit the
	 * same layer (commit leaves the empty stubs out). One component in
	 * a dir resolved in the root, never a link followed: O_EXCL.
	 */
	have = fstat(dfd, &dst) == 0;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EEXIST)
		return hm_fail(e, errno, "create \"%s\" in the container",
			       path);
	if (have)
		futimens(dfd, (struct timespec[]){dst.st_atim, dst.st_mtim});
	if (fd >= 0)
		return fd;
	/* made meanwhile, or a dangling link: resolved in the root */
	fd = open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\" in the container", path);
	return fd;
}

int mount_at(const char *src, int fd, const char *what, const char *type,
	     unsigned long flags, const char *data, struct hm_err *e)
{
	char target[64];

	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (mount(src, target, type, flags, data) < 0)
		return hm_fail(e, errno, "mount %s on \"%s\"",
			       type ? type : src, what);
	return 0;
}
