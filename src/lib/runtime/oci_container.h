/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_CONTAINER_H
#define HOMO_OCI_CONTAINER_H

/*
 * The container side of an OCI create or exec: what the init (and an exec
 * process) does inside the new namespaces, from a checked struct oci_spec.
 * Called in this order by runtime/oci_init.c, which owns the sync protocol
 * with the runtime process, the console socket and the exec fifo:
 *
 *   (namespaces joined or created, uid/gid maps written, cgroups entered)
 *   oci_rootfs_prepare()   mounts[], devices, /dev links, in the new mount ns
 *   (createContainer hooks run here: mount ns of the container, before pivot)
 *   oci_rootfs_finish()    pivot_root (or MS_MOVE + chroot for --no-pivot),
 *                          sysctl (before /proc/sys turns read-only),
 *                          maskedPaths, readonlyPaths, root.readonly
 *   oci_kernel_settings()  hostname, domainname
 *   oci_process_creds()    rlimits, oomScoreAdj, groups, gid, uid,
 *                          capabilities (five sets), noNewPrivileges, umask,
 *                          cwd
 *   oci_process_find()     args[0] found on the process's PATH (create fails
 *                          if it cannot run)
 *   (tty, wait on the exec fifo: the "created" state)
 *   oci_seccomp_load()     (oci_seccomp.h), as late as possible
 *   oci_process_exec()     exec with env, through the exec shim
 *
 * Library code: each returns 0 or -1 with @e naming the object (a mount's
 * destination, a device's path, a capability), never prints or exits.
 */

#include <stdbool.h>

#include "base/error.h"
#include "runtime/oci_spec.h"

/**
 * oci_rootfs_prepare() - in the container's (new, private) mount namespace:
 * set / to rootfsPropagation's mode (rslave by default, as runc), bind
 * @rootfs (absolute) on itself, mount every s->mounts entry in order
 * (bind/rbind with their options, tmpfs, proc, sysfs, devpts, mqueue,
 * cgroup, anything the kernel knows by type), destinations resolved inside
 * @rootfs without following a symlink out of it; create s->devices (mknod,
 * or bind from the host when in a user namespace) and the default devices
 * and links the runtime spec requires (/dev/null, zero, full, random,
 * urandom, tty, ptmx -> pts/ptmx, fd, stdin, stdout, stderr).
 */
int oci_rootfs_prepare(const struct oci_spec *s, const char *rootfs,
		       struct hm_err *e);

/**
 * oci_rootfs_finish() - make @rootfs the root: pivot_root (or, with
 * @no_pivot, MS_MOVE onto / and chroot), create process.cwd when missing
 * (before the pivot), write linux.sysctl, then maskedPaths (empty read-only
 * tmpfs on directories, /dev/null on files; missing ones skipped),
 * readonlyPaths (bind read-only, keeping nosuid/nodev/noexec), and
 * root.readonly. The final propagation of / is rootfsPropagation's.
 */
int oci_rootfs_finish(const struct oci_spec *s, const char *rootfs,
		      bool no_pivot, struct hm_err *e);

/**
 * oci_pivot() - make @rootfs the root: pivot_root and the old
 * root detached, or with @no_pivot (a root pivot_root refuses: an
 * initramfs) the host's procfs and sysfs hidden (@rootfs absolute for
 * that), MS_MOVE onto / and chroot. The cwd is the new /. homo run's init
 * calls it too.
 */
int oci_pivot(const char *rootfs, bool no_pivot, struct hm_err *e);

/**
 * oci_rootfs_protect() - after the pivot: linux.sysctl, maskedPaths,
 * readonlyPaths, root.readonly (oci_rootfs_finish()'s last steps; homo
 * run's init calls it after its own pivot).
 */
int oci_rootfs_protect(const struct oci_spec *s, struct hm_err *e);

/**
 * oci_cwd_make() - the process's @cwd made inside the root @rootfd when
 * missing (mkdir -p, 0755; no symlink nor magic link leads out of the
 * root): runc's create and Docker's -w make it, before the pivot and
 * root.readonly (oci_rootfs_finish() and homo run's rootfs_setup()).
 */
int oci_cwd_make(int rootfd, const char *cwd, struct hm_err *e);

/**
 * oci_cwd_enter() - chdir to @cwd in the root we are in (after the
 * pivot, or in a container's mount namespace), refused when a magic link
 * led out of it (CVE-2024-21626). The errno is in @e->errnum.
 */
int oci_cwd_enter(const char *cwd, struct hm_err *e);

/** oci_kernel_settings() - hostname and domainname (sysctl: finish). */
int oci_kernel_settings(const struct oci_spec *s, struct hm_err *e);

/**
 * oci_process_creds() - become @p's user with its capabilities: rlimits,
 * oomScoreAdj, additionalGids, gid, uid (keeping capabilities across the
 * switch), the bounding set, then effective/permitted/inheritable and
 * ambient, noNewPrivileges, umask (0022 when not given, as runc); cwd
 * entered with oci_cwd_enter() as runc does: before the user switch, and
 * only when that is refused (EACCES, EPERM) again after it as the user.
 * @keep_fds_from: not touched; the caller closes the rest.
 */
int oci_process_creds(const struct oci_process *p, struct hm_err *e);

/**
 * oci_process_find() - @p->args[0] as execve(2) will find it, checked as
 * the current user (call it after oci_process_creds()): a name with a
 * slash as is, else the first directory of the PATH of @p->env (the
 * default PATH when it has none) holding an executable regular file.
 * create calls it so that a command that cannot run fails create, as runc
 * and crun do. Return: the path (malloc'd), or NULL with @e: exit code
 * 127 ("executable file not found in $PATH", "no such file or
 * directory") or 126 ("permission denied"), the phrases engines read.
 */
char *oci_process_find(const struct oci_process *p, struct hm_err *e);

/**
 * oci_process_exec() - exec @path (oci_process_find()'s; NULL: find it
 * now) with @p->args and @p->env, through the exec shim (exec_shim.h):
 * if the command's own exec fails, the shim reports it on @errfd or, with
 * -1, says so on stderr as @name. Returns only if the shim could not run
 * (or the command was not found): -1 with @e (exit codes as
 * oci_process_find()).
 */
int oci_process_exec(const struct oci_process *p, const char *path,
		     const char *name, int errfd, struct hm_err *e);

#endif
