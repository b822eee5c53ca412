/* SPDX-License-Identifier: MIT */
#include "runtime/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "store/overlay.h"

static int write_map(pid_t pid, const char *file, const struct hm_idmap *m,
		     struct hm_err *e)
{
	char path[64], line[64];
	cleanup_close int fd = -1;
	int len;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	len = snprintf(line, sizeof(line), "%u %u %u\n", m->ctr, m->host,
		       m->count);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)len) != len)
		return hm_fail(e, errno, "write \"%s\"", path);
	return 0;
}

int userns_write_maps(pid_t pid, const struct hm_idmap *uid,
		      const struct hm_idmap *gid, struct hm_err *e)
{
	return write_map(pid, "uid_map", uid, e) < 0 ||
		       write_map(pid, "gid_map", gid, e) < 0
		   ? -1
		   : 0;
}

int userns_idmapped_tree(const char *dir, int userns, struct hm_err *e)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP,
				  .userns_fd = (uint64_t)userns};
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, dir,
			      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return hm_fail(e, errno, "open_tree \"%s\"", dir);
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr,
		    sizeof(attr)) < 0) {
		hm_fail(e, errno, "idmap \"%s\"", dir);
		close(fd);
		return -1;
	}
	return fd;
}

static int fsconfig(int fs, unsigned cmd, const char *key, const void *val,
		    int aux)
{
	return (int)syscall(SYS_fsconfig, fs, cmd, key, val, aux);
}

int userns_overlay(const char *store_root, char *const *layers,
		   const char *upper, const char *work, pid_t pid,
		   struct hm_err *e)
{
	char path[64];
	cleanup_close int userns = -1, fs = -1;
	size_t n = strv_len(layers), nfds = 0;
	int mnt = -1, *fds;

	if (n > OVERLAY_MAX_LAYERS)
		return hm_failx(e, HM_EXIT_FAIL,
				"the image has %zu layers; overlayfs stacks at "
				"most %d",
				n, OVERLAY_MAX_LAYERS);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return hm_fail(e, errno, "open \"%s\"", path);
	fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return hm_fail(e, errno, "fsopen overlay");
	/*
	 * lowerdir+ appends: the top layer first. The detached layer mounts
	 * must live until the overlay is created (it clones them then).
	 */
	fds = xcalloc(n + 1, sizeof(*fds));
	for (size_t i = n; i-- > 0;) {
		cleanup_free char *dir =
		    xasprintf("%s/layers/%s/diff", store_root, layers[i]);

		fds[nfds] = userns_idmapped_tree(dir, userns, e);
		if (fds[nfds] < 0)
			goto out;
		if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL,
			     fds[nfds++]) < 0) {
			hm_fail(e, errno,
				"overlay lowerdir+ \"%s\" (layers by fd "
				"need Linux 6.13)",
				dir);
			goto out;
		}
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0) {
		hm_fail(e, errno, "overlay upperdir \"%s\"", upper);
		goto out;
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		hm_fail(e, errno, "create the overlay");
		goto out;
	}
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		hm_fail(e, errno, "fsmount the overlay");
out:
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	free(fds);
	return mnt;
}
