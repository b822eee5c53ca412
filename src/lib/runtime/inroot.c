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

/* mkdir -p inside the root; returns an O_PATH fd of the directory. */
int mkdir_in_root(int rootfd, const char *path, struct hm_err *e)
{
	cleanup_free char *p = xstrdup(path);
	int fd = open_in_root(rootfd, p, O_PATH | O_DIRECTORY);

	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return hm_fail(e, errno, "open \"%s\" in the container", path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		char *slash;
		cleanup_close int parent = -1;

		*s = '\0';
		slash = strrchr(p, '/');
		if (slash && slash != p) {
			*slash = '\0';
			parent = open_in_root(rootfd, p, O_PATH | O_DIRECTORY);
			*slash = '/';
		} else {
			parent =
			    open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
		}
		if (parent < 0 ||
		    (mkdirat(parent, slash ? slash + 1 : p, 0755) < 0 &&
		     errno != EEXIST))
			return hm_fail(e, errno,
				       "mkdir \"%s\" in the container", p);
		*s = c;
		if (!c)
			break;
	}
	fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\" in the container", path);
	return fd;
}

/* An empty file to bind a file over (created inside the root if missing). */
int file_in_root(int rootfd, const char *path, struct hm_err *e)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd;

	fd = open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (slash && slash != dir) {
		*slash = '\0';
		int dfd = mkdir_in_root(rootfd, dir, e);

		if (dfd < 0)
			return -1;
		close(dfd);
	}
	/*
	 * The stub lands in upper/: give its directory back the mtime it
	 * had, so that two containers that changed nothing there commit the
	 * same layer (commit leaves the empty stubs out).
	 */
	{
		cleanup_close int dfd =
		    open_in_root(rootfd, slash && slash != dir ? dir : "/",
				 O_RDONLY | O_DIRECTORY);
		struct stat dst;
		bool have = dfd >= 0 && fstat(dfd, &dst) == 0;

		fd = open_in_root(rootfd, path, O_WRONLY | O_CREAT);
		if (fd < 0)
			return hm_fail(e, errno,
				       "create \"%s\" in the container", path);
		close(fd);
		if (have)
			futimens(dfd,
				 (struct timespec[]){dst.st_atim, dst.st_mtim});
	}
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
