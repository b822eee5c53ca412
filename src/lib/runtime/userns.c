/* SPDX-License-Identifier: MIT */
#include "runtime/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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
		/* tmpfs before 6.3, and other filesystems, refuse */
		hm_fail(e, errno,
			"idmapped mount of \"%s\" (--userns needs a store on "
			"a filesystem this kernel can idmap: ext4, xfs, btrfs; "
			"tmpfs from Linux 6.3)",
			dir);
		close(fd);
		return -1;
	}
	return fd;
}

static int fs_config(int fs, unsigned cmd, const char *key, const void *val,
		     int aux)
{
	return (int)syscall(SYS_fsconfig, fs, cmd, key, val, aux);
}

/*
 * The helper of userns_overlay_forked(), in a mount namespace of its own:
 * each layer's idmapped tree over its directory (none when @userns is -1),
 * the overlay through the short links as rootfs.c mounts it without a user
 * namespace, a detached clone. With no @merged it is mounted over the store
 * root itself: the options are resolved (from the cwd, the store root)
 * before it is attached, and only this namespace ever sees it there.
 */
static int overlay_in_ns(const char *store_root, char *const *layers,
			 const char *upper, const char *work,
			 const char *merged, int userns, struct hm_err *e)
{
	cleanup_free char *opts = NULL;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return hm_fail(e, errno, "a private mount namespace");
	for (size_t i = 0; userns >= 0 && layers[i]; i++) {
		cleanup_free char *dir =
		    xasprintf("%s/layers/%s/diff", store_root, layers[i]);
		cleanup_close int t = userns_idmapped_tree(dir, userns, e);

		if (t < 0)
			return -1;
		if (syscall(SYS_move_mount, t, "", AT_FDCWD, dir,
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return hm_fail(e, errno, "attach \"%s\"", dir);
	}
	opts = overlay_options(layers, upper, work, e);
	if (!opts)
		return -1;
	if (chdir(store_root) < 0)
		return hm_fail(e, errno, "chdir \"%s\"", store_root);
	if (!merged)
		merged = store_root;
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		return hm_fail(e, errno, "mount overlay on \"%s\"", merged);
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, merged,
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	return fd < 0 ? hm_fail(e, errno, "clone the overlay") : fd;
}

int userns_overlay_forked(const char *store_root, char *const *layers,
			  const char *upper, const char *work,
			  const char *merged, int userns, struct hm_err *e)
{
	struct hm_err ce;
	int sp[2], fd = -1;
	ssize_t n;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		return hm_fail(e, errno, "fork");
	}
	if (pid == 0) {
		int mnt;

		close(sp[0]);
		hm_clear(&ce);
		mnt = overlay_in_ns(store_root, layers, upper, work, merged,
				    userns, &ce);
		_exit(util_send_fd(sp[1], &ce, sizeof(ce), mnt) < 0);
	}
	close(sp[1]);
	n = util_recv_fd(sp[0], &ce, sizeof(ce), &fd);
	close(sp[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(ce) && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(ce))
		return hm_fail(e, EIO, "the overlay helper died");
	*e = ce;
	return -1;
}

int userns_overlay(const char *store_root, char *const *layers,
		   const char *upper, const char *work, const char *merged,
		   pid_t pid, struct hm_err *e)
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
		if (fs_config(fs, FSCONFIG_SET_FD, "lowerdir+", NULL,
			      fds[nfds++]) < 0) {
			/* before 6.13: no such key (before 6.5 overlay
			 * has no fs_context of its own: EOPNOTSUPP) */
			if ((errno == EINVAL || errno == EOPNOTSUPP) &&
			    nfds == 1)
				mnt = userns_overlay_forked(store_root, layers,
							    upper, work, merged,
							    userns, e);
			else
				hm_fail(e, errno, "overlay lowerdir+ \"%s\"",
					dir);
			goto out;
		}
	}
	if (fs_config(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fs_config(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0) {
		hm_fail(e, errno, "overlay upperdir \"%s\"", upper);
		goto out;
	}
	if (fs_config(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
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
