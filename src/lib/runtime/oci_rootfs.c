/* SPDX-License-Identifier: MIT */
/*
 * The container's filesystem from an OCI spec (oci_container.h): the rootfs
 * bound on itself in the container's mount namespace, mounts[] in order,
 * the devices, then pivot_root, the sysctls, maskedPaths, readonlyPaths and
 * root.readonly. Nothing here propagates to the host: / is made rslave
 * (or rootfsPropagation) first, and the old root is made rslave before it
 * is detached.
 */
#include "runtime/oci_container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/inroot.h"
#include "runtime/oci_ctr_int.h"

/*
 * pivot_root refuses a new root whose parent mount is shared: make the
 * mount holding @rootfs private (not recursive), as runc does.
 */
static int parent_mount_private(const char *rootfs, struct hm_err *e)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], best[1024] = "/";
	size_t bestlen = 0;
	bool shared = false;

	if (!f)
		return hm_fail(e, errno, "open /proc/self/mountinfo");
	while (fgets(line, sizeof(line), f)) {
		char mnt[1024];
		size_t n;

		if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1)
			continue;
		n = strlen(mnt);
		if (strncmp(rootfs, mnt, n) ||
		    (rootfs[n] != '/' && rootfs[n] != '\0' && n > 1) ||
		    n < bestlen)
			continue;
		bestlen = n;
		snprintf(best, sizeof(best), "%s", mnt);
		shared = strstr(line, " shared:") &&
			 strstr(line, " shared:") < strstr(line, " - ");
	}
	if (shared && mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		return hm_fail(e, errno, "make \"%s\" private", best);
	return 0;
}

int oci_rootfs_prepare(const struct oci_spec *s, const char *rootfs,
		       struct hm_err *e)
{
	unsigned long prop = oci_mnt_propagation(s->rootfs_propagation);
	bool userns = oci_ns_find(s, CLONE_NEWUSER) != NULL;
	bool netns = oci_ns_find(s, CLONE_NEWNET) != NULL;
	bool cgns = oci_ns_find(s, CLONE_NEWCGROUP) != NULL;
	cleanup_close int rootfd = -1;

	/* an unbindable / could not be bound below: that one is applied to
	 * the new root only (oci_rootfs_finish) */
	if (!prop || (prop & MS_UNBINDABLE))
		prop = MS_SLAVE | MS_REC;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return hm_fail(e, errno, "set the propagation of /");
	if (parent_mount_private(rootfs, e) < 0)
		return -1;
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hm_fail(e, errno, "bind \"%s\" on itself", rootfs);
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return hm_fail(e, errno, "open \"%s\"", rootfs);
	for (size_t i = 0; i < s->nmounts; i++)
		if (oci_mount_entry(rootfd, &s->mounts[i], userns, netns, cgns,
				    e) < 0)
			return hm_prefix(e, "mounts[%zu]", i);
	return oci_make_devices(rootfd, s, userns, e);
}

/*
 * --no-pivot leaves the host's mounts in the namespace, below the chroot:
 * detach its full procfs and sysfs mounts (or cover them where that is
 * refused), as runc, so they cannot be reached through a leaked fd and the
 * kernel's check for a fully visible procfs (mounting one in a user
 * namespace) does not count them.
 */
static int hide_host_kernel_fs(const char *rootfs, struct hm_err *e)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], **todo = NULL;
	size_t n = strlen(rootfs);
	int r = 0;

	if (!f)
		return hm_fail(e, errno, "open /proc/self/mountinfo");
	while (fgets(line, sizeof(line), f)) {
		char root[1024], mnt[1024], type[64];
		char *sep = strstr(line, " - ");

		if (!sep ||
		    sscanf(line, "%*s %*s %*s %1023s %1023s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s", type) != 1)
			continue;
		if (strcmp(root, "/") ||
		    (strcmp(type, "proc") && strcmp(type, "sysfs")) ||
		    (!strncmp(mnt, rootfs, n) && (!mnt[n] || mnt[n] == '/')))
			continue;
		todo = strv_push(todo, mnt);
	}
	/* the deepest first: a parent's detach takes its children along */
	for (size_t i = strv_len(todo); r == 0 && i-- > 0;) {
		const char *p = todo[i];

		if (mount(NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0)
			continue; /* gone with a parent */
		if (umount2(p, MNT_DETACH) < 0 &&
		    mount("tmpfs", p, "tmpfs", 0, "size=0") < 0)
			r = hm_fail(e, errno, "hide the host's \"%s\"", p);
	}
	strv_free(todo);
	return r;
}

int oci_pivot(const char *rootfs, bool no_pivot, struct hm_err *e)
{
	if (chdir(rootfs) < 0)
		return hm_fail(e, errno, "chdir \"%s\"", rootfs);
	if (no_pivot) {
		/* for a root on a ramfs, where pivot_root is refused */
		if (hide_host_kernel_fs(rootfs, e) < 0)
			return -1;
		if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return hm_fail(e, errno, "move \"%s\" onto /", rootfs);
		if (chroot(".") < 0)
			return hm_fail(e, errno, "chroot \"%s\"", rootfs);
	} else {
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return hm_fail(e, errno, "pivot_root \"%s\"", rootfs);
		/* the old root, stacked under the new one: its detach must
		 * not propagate to the host, whatever / was made */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return hm_fail(e, errno, "make the old root rslave");
		if (umount2(".", MNT_DETACH) < 0)
			return hm_fail(e, errno, "detach the old root");
	}
	if (chdir("/") < 0)
		return hm_fail(e, errno, "chdir /");
	return 0;
}

/*
 * The namespace a sysctl belongs to (runc's list), so that a config cannot
 * write the host's: 0 for one that is not namespaced.
 */
static int sysctl_ns(const char *key)
{
	static const char *const ipc[] = {
	    "kernel.msgmax", "kernel.msgmnb",	      "kernel.msgmni",
	    "kernel.sem",    "kernel.shmall",	      "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced"};

	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (!strcmp(key, ipc[i]))
			return CLONE_NEWIPC;
	if (util_has_prefix(key, "fs.mqueue."))
		return CLONE_NEWIPC;
	if (util_has_prefix(key, "net."))
		return CLONE_NEWNET;
	if (!strcmp(key, "kernel.hostname") ||
	    !strcmp(key, "kernel.domainname"))
		return CLONE_NEWUTS;
	return 0;
}

/* linux.sysctl, before readonlyPaths makes /proc/sys read-only */
static int sysctls(const struct oci_spec *s, struct hm_err *e)
{
	for (size_t i = 0; s->sysctl && s->sysctl[i]; i += 2) {
		int ns = sysctl_ns(s->sysctl[i]);

		if (!ns || !oci_ns_find(s, ns))
			return hm_failx(e, HM_EXIT_FAIL, "sysctl %s: %s",
					s->sysctl[i],
					ns ? "not allowed in the host's "
					     "namespace"
					   : "not in a separate kernel "
					     "namespace");
	}
	for (size_t i = 0; s->sysctl && s->sysctl[i]; i += 2) {
		cleanup_free char *path =
		    xasprintf("/proc/sys/%s", s->sysctl[i]);
		const char *v = s->sysctl[i + 1];
		cleanup_close int fd = -1;

		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || util_write_all(fd, v, strlen(v)) < 0)
			return hm_fail(e, errno, "sysctl %s=%s", s->sysctl[i],
				       v);
	}
	return 0;
}

static int mask(const char *path, struct hm_err *e)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : hm_fail(e, errno, "mask \"%s\"", path);
	if (S_ISDIR(st.st_mode)
		? mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0
		: mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return hm_fail(e, errno, "mask \"%s\"", path);
	return 0;
}

/*
 * @path bound on itself read-only with every mount below it (runc leaves
 * those), what it has besides (nosuid, nodev, noexec) kept: a detached
 * clone made read-only, then attached; no remount, so no flag to learn.
 */
static int read_only(const char *path, struct hm_err *e)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	cleanup_close int t =
	    (int)syscall(SYS_open_tree, AT_FDCWD, path,
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (t < 0)
		return errno == ENOENT
			   ? 0
			   : hm_fail(e, errno, "bind \"%s\" on itself", path);
	if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro,
		    sizeof(ro)) < 0)
		return hm_fail(e, errno, "make \"%s\" read-only", path);
	if (syscall(SYS_move_mount, t, "", AT_FDCWD, path,
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS) < 0)
		return hm_fail(e, errno, "bind \"%s\" on itself", path);
	return 0;
}

int oci_rootfs_protect(const struct oci_spec *s, struct hm_err *e)
{
	if (sysctls(s, e) < 0)
		return -1;
	for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++)
		if (mask(s->masked_paths[i], e) < 0)
			return -1;
	for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++)
		if (read_only(s->readonly_paths[i], e) < 0)
			return -1;
	if (s->root_readonly) {
		cleanup_close int fd = open("/", O_PATH | O_CLOEXEC);

		if (fd < 0 ||
		    oci_remount(fd, "/", oci_mount_flags(fd) | MS_RDONLY, e) <
			0)
			return hm_prefix(e, "make the root read-only");
	}
	return 0;
}

int oci_rootfs_finish(const struct oci_spec *s, const char *rootfs,
		      bool no_pivot, struct hm_err *e)
{
	unsigned long prop = oci_mnt_propagation(s->rootfs_propagation);

	if (s->has_process && s->process.cwd) {
		cleanup_close int root =
		    open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (root < 0)
			return hm_fail(e, errno, "open \"%s\"", rootfs);
		if (oci_cwd_make(root, s->process.cwd, e) < 0)
			return -1;
	}
	if (oci_pivot(rootfs, no_pivot, e) < 0 || oci_rootfs_protect(s, e) < 0)
		return -1;
	if (prop && mount(NULL, "/", NULL, prop, NULL) < 0)
		return hm_fail(e, errno, "set the propagation of / to %s",
			       s->rootfs_propagation);
	return 0;
}

/*
 * The one workdir of every process (docs/oci-container.md): made before
 * the pivot and root.readonly, as runc does for the OCI runtime and
 * Docker for -w (homo exec makes its -w the same way once it is in the
 * container), and entered inside the root we are in, by both.
 */
int oci_cwd_make(int rootfd, const char *cwd, struct hm_err *e)
{
	int fd = mkdir_in_root(rootfd, cwd, e);

	if (fd < 0)
		return hm_prefix(e, "cwd \"%s\"", cwd);
	close(fd);
	return 0;
}

int oci_cwd_enter(const char *cwd, struct hm_err *e)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return hm_fail(e, errno, "chdir to cwd \"%s\"", cwd);
	/* as runc (CVE-2024-21626): a magic link (/proc/self/fd/N to an fd
	 * of the runtime's) must not have led out of the root; glibc says
	 * ENOENT for the kernel's "(unreachable)". Another error is the
	 * process's own seccomp filter refusing getcwd: no answer. */
	if (getcwd(buf, sizeof(buf)) ? buf[0] != '/' : errno == ENOENT)
		return hm_failx(e, HM_EXIT_FAIL,
				"chdir to cwd \"%s\": outside the container's "
				"root",
				cwd);
	return 0;
}
