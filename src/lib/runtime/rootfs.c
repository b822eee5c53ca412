/* SPDX-License-Identifier: MIT */
/*
 * The container's filesystem, built inside its own mount namespace so the
 * kernel drops every mount when the last process of the container exits:
 * a killed homo leaks none. Its mounts, devices, pivot and masks are the
 * container's OCI spec (spec_oci.c) made by the OCI runtime's functions
 * (oci_container.h, oci_ctr_int.h); what is homo's own stays here.
 *
 * Every mount target is opened with openat2(RESOLVE_IN_ROOT) relative to
 * the new root and mounted through its /proc/self/fd link, so a symlink in
 * the image ("/proc -> /host/proc", a volume target under a symlinked dir)
 * resolves inside the rootfs and can never redirect a mount onto the host
 * (the class of CVE-2019-16884 and CVE-2021-30465).
 */
#include "runtime/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/rootless.h"
#include "base/util.h"
#include "image/layer_tar.h"
#include "runtime/cgroup.h"
#include "runtime/inroot.h"
#include "runtime/oci_container.h"
#include "runtime/oci_ctr_int.h"

/*
 * /proc, /sys and /dev must be real directories of the image (or missing).
 * A symlink there would still resolve inside the rootfs, but to whatever
 * the image chose: "/proc -> /" puts procfs over the container's root and
 * leaves it without one, "/dev -> /proc" hides procfs under a writable
 * tmpfs, "/sys -> /proc/sys" covers the read-only /proc/sys. As runc does
 * for these mounts, refuse the image rather than guess. @name is a single
 * component directly under the root, so fstatat() cannot be redirected.
 */
static int check_kernel_dir(int rootfd, const char *name, struct hm_err *e)
{
	char to[256];
	struct stat st;
	ssize_t n;

	if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			   ? 0
			   : hm_fail(e, errno, "stat \"/%s\" in the container",
				     name);
	if (!S_ISLNK(st.st_mode))
		return 0;
	n = readlinkat(rootfd, name, to, sizeof(to) - 1);
	to[n < 0 ? 0 : n] = '\0';
	return hm_failx(e, HM_EXIT_FAIL,
			"image's /%s is a symlink to \"%s\": refusing to mount "
			"%s through it (it must be a directory)",
			name, to, name);
}

/*
 * Docker's --privileged: the host's device nodes under its /dev (@host),
 * made in the container's (@ctr) where it has none yet; not the trees the
 * container has its own of (pts, shm, mqueue, fd) nor the console. Best
 * effort, as Docker: a node that cannot be made is left out (in a user
 * namespace none can: no mknod).
 */
static void host_devices(int host, int ctr, int depth)
{
	static const char *const skip[] = {"pts",     "shm",  "mqueue", "fd",
					   "console", ".lxc", ".udev"};
	cleanup_dir DIR *d = fdopendir(dup(host));
	struct dirent *de;

	while (d && (de = readdir(d))) {
		struct stat st;
		bool skipped = de->d_name[0] == '.' &&
			       (!de->d_name[1] || !strcmp(de->d_name, ".."));

		for (size_t i = 0; i < ARRAY_SIZE(skip) && depth == 0; i++)
			skipped |= !strcmp(de->d_name, skip[i]);
		if (skipped ||
		    fstatat(host, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			cleanup_close int h = -1, c = -1;

			mkdirat(ctr, de->d_name, st.st_mode & 0777);
			h = openat(host, de->d_name,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
			c = openat(ctr, de->d_name,
				   O_PATH | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
			if (h >= 0 && c >= 0)
				host_devices(h, c, depth + 1);
		} else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
			   mknodat(ctr, de->d_name, st.st_mode, st.st_rdev) ==
			       0) {
			/* not as the host's: none at all */
			if (fchmodat(ctr, de->d_name, st.st_mode & 07777, 0) <
				0 ||
			    fchownat(ctr, de->d_name, st.st_uid, st.st_gid,
				     AT_SYMLINK_NOFOLLOW) < 0)
				unlinkat(ctr, de->d_name, 0);
		}
	}
}

/*
 * /dev's nodes from the spec (spec_oci.c): its devices, the default ones
 * and the links, as the OCI runtime makes them (oci_make_devices); then
 * --privileged's host nodes, where none is yet.
 */
static int make_devices(const struct init_args *a, int rootfd, bool userns,
			struct hm_err *e)
{
	if (oci_make_devices(rootfd, a->oci, userns, e) < 0)
		return -1;
	if (a->spec->privileged && !userns) {
		cleanup_close int host =
		    open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int ctr =
		    open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);

		if (host >= 0 && ctr >= 0)
			host_devices(host, ctr, 0);
	}
	return 0;
}

static int own_cgroup(const char *name, const char *host_dir, void *arg)
{
	(void)arg;
	oci_cgroups_own(name, host_dir);
	return 0;
}

/* is @dir empty (the volume's data, on the host) */
static bool dir_empty(const char *dir)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return d != NULL;
}

/*
 * A volume's first use: the image's files at its target, resolved in the
 * root before any volume is mounted, copied into the empty volume with
 * their owners, modes and xattrs (Docker's copy-up), and the target's own
 * owner and mode given to the volume's root.
 */
static int copy_up(int rootfd, const struct hm_volume *v, struct hm_err *e)
{
	cleanup_close int src =
	    open_in_root(rootfd, v->dst, O_RDONLY | O_DIRECTORY);
	cleanup_free char *path = NULL;
	struct layer_tar_opts o = {.copy_to = v->src};
	struct layer_tar_result res;
	struct stat st;

	if (src < 0 || fstat(src, &st) < 0 || !dir_empty(v->src))
		return 0; /* nothing there in the image, or not new */
	path = xasprintf("/proc/self/fd/%d", src);
	if (layer_tar_write(path, &o, &res, e) < 0)
		return hm_prefix(e, "copy \"%s\" into its volume", v->dst);
	if (chown(v->src, st.st_uid, st.st_gid) < 0 ||
	    chmod(v->src, st.st_mode & 07777) < 0)
		return hm_fail(e, errno, "chown \"%s\"", v->src);
	return 0;
}

/* before any mount in the root: the image's files, nothing else */
static int copy_ups(const struct init_args *a, int rootfd, struct hm_err *e)
{
	for (size_t i = 0; i < a->spec->nvolumes; i++)
		if (a->spec->volumes[i].copyup &&
		    copy_up(rootfd, &a->spec->volumes[i], e) < 0)
			return -1;
	return 0;
}

/*
 * The spec's mounts in order (/proc, /dev and below, /sys, /sys/fs/cgroup,
 * the volumes, the /etc files) as the OCI runtime mounts them
 * (oci_mount_entry; the cgroup entry fresh in our cgroup namespace, whose
 * root is the container's cgroup), the devices once /dev is mounted.
 */
static int spec_mounts(const struct init_args *a, int rootfd, bool userns,
		       struct hm_err *e)
{
	const struct oci_spec *o = a->oci;
	bool netns = oci_ns_find(o, CLONE_NEWNET) != NULL;

	for (size_t i = 0; i < o->nmounts; i++) {
		const struct oci_mount *m = &o->mounts[i];

		/* one line per step: make bench's table of where a start
		 * goes */
		if (!strcmp(m->destination, "/dev"))
			HM_TRACE("/proc mounted: /dev");
		if (!strcmp(m->destination, "/sys")) {
			if (make_devices(a, rootfd, userns, e) < 0)
				return -1;
			HM_TRACE("/dev made: /sys");
		}
		if (oci_mount_entry(rootfd, m, userns, netns, true, e) < 0)
			return -1;
		if (!strcmp(m->destination, "/sys/fs/cgroup"))
			HM_TRACE("/sys mounted: volumes, /etc");
	}
	return 0;
}

/*
 * pivot_root into the root as the OCI runtime does, from the root itself
 * (in a user namespace the init cannot walk the store's paths to it);
 * where the kernel refuses (homo itself runs from an initramfs) MS_MOVE
 * and chroot, which needs the root's path in this mount namespace.
 */
static int enter_root(int rootfd, struct hm_err *e)
{
	char link[64], path[PATH_MAX];
	struct hm_err first;
	ssize_t n;

	if (fchdir(rootfd) < 0)
		return hm_fail(e, errno, "chdir to the container's root");
	if (oci_pivot(".", false, &first) == 0)
		return 0;
	if (first.errnum != EINVAL) {
		*e = first;
		return -1;
	}
	HM_TRACE("pivot_root refused (EINVAL): using chroot");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return hm_fail(e, errno, "the container's root");
	path[n] = '\0';
	return oci_pivot(path, true, e);
}

int rootfs_setup(const struct init_args *a, struct hm_err *e)
{
	cleanup_close int rootfd = -1;

	HM_TRACE("mount overlay on %s", a->merged);
	/* v1: the container's cgroup dirs, known, for the cgroup entry: no
	 * mountinfo to read (none: rootless without cgroups has a tmpfs) */
	cgroup_each(a->spec->id, own_cgroup, NULL);
	/* nothing we mount may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return hm_fail(e, errno, "make / private");
	if (a->overlay_fd >= 0) {
		/* a user namespace: homo made the overlay, we attach it */
		if (syscall(SYS_move_mount, a->overlay_fd, "", AT_FDCWD,
			    "merged", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return hm_fail(e, errno, "attach the overlay on \"%s\"",
				       a->merged);
		rootfd = dup(a->overlay_fd); /* the new mount's root */
	} else {
		if (chdir(a->store_root) < 0)
			return hm_fail(e, errno, "chdir \"%s\"", a->store_root);
		if (mount("overlay", a->merged, "overlay", 0, a->overlay_opts) <
		    0)
			return hm_fail(
			    e, errno, "mount overlay on \"%s\"%s", a->merged,
			    hm_rootless() ? " (rootless: overlayfs in a user "
					    "namespace, \"userxattr\", needs "
					    "Linux 5.11+)"
					  : "");
		rootfd = open(a->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (rootfd < 0)
		return hm_fail(e, errno, "open \"%s\"", a->merged);

	HM_TRACE("overlay mounted: /proc, /dev, /sys, /etc, volumes");
	FAULT_POINT("run-after-overlay");
	if (copy_ups(a, rootfd, e) < 0 ||
	    check_kernel_dir(rootfd, "proc", e) < 0 ||
	    check_kernel_dir(rootfd, "dev", e) < 0 ||
	    check_kernel_dir(rootfd, "sys", e) < 0)
		return -1;
	if (spec_mounts(a, rootfd, a->spec->uidmap.count != 0 || hm_rootless(),
			e) < 0)
		return -1;
	HM_TRACE("pivot_root");
	/* -w made before the pivot and --read-only (oci_container.h) */
	if (oci_cwd_make(rootfd, a->oci->process.cwd, e) < 0 ||
	    enter_root(rootfd, e) < 0)
		return -1;
	/* the spec's masks and read-only paths (none with --privileged);
	 * --read-only: only the root mount, /dev, /proc, volumes keep theirs */
	HM_TRACE("masked and read-only paths");
	return oci_rootfs_protect(a->oci, e);
}

int rootfs_bind_console(const char *slave, struct hm_err *e)
{
	int fd = open("/dev/console",
		      O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return hm_fail(e, errno, "create /dev/console");
	close(fd);
	if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return hm_fail(e, errno, "bind %s on /dev/console", slave);
	return 0;
}
