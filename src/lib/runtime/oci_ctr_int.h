/* SPDX-License-Identifier: MIT */
/*
 * Internal to the OCI container side (oci_rootfs.c, oci_mounts.c,
 * oci_cgroupfs.c, oci_devices.c, oci_process.c): what one file needs of
 * another (and homo run's rootfs.c: its /dev is the OCI runtime's). The
 * interface is runtime/oci_container.h.
 */
#ifndef HOMO_OCI_CTR_INT_H
#define HOMO_OCI_CTR_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "runtime/oci_spec.h"

/* A mount entry's options as mount(2) takes them. */
struct oci_mnt_opts {
	unsigned long flags;   /* MS_* set, propagation excluded */
	unsigned long prop[4]; /* MS_(REC|)PRIVATE/SLAVE/SHARED/UNBINDABLE */
	int nprop;
	char *data; /* the unknown options, comma-joined; NULL if none */
	/* the recursive forms (rro, rnosuid, ...): mount_setattr(2) */
	uint64_t attr_set, attr_clr;
	bool idmap; /* idmap, ridmap: not supported */
};

/**
 * oci_mnt_parse() - @opts (a mount's options) into @o; the caller frees
 * o->data. Later options win, as mount(8) ("rw" after "ro").
 */
void oci_mnt_parse(char *const *opts, struct oci_mnt_opts *o);

/** oci_mnt_propagation() - "rslave" and the like as MS_* flags; 0 if none. */
unsigned long oci_mnt_propagation(const char *name);

/**
 * oci_resolve_in_root() - @path with every symlink on the way resolved
 * inside the root @rootfd (lexically: ".." stops at the root, an absolute
 * link restarts there), as runc's securejoin; the missing tail is kept.
 * @followed: set when a symlink was on the way.
 * Return: a clean absolute path, or NULL with @e (ELOOP).
 */
char *oci_resolve_in_root(int rootfd, const char *path, bool *followed,
			  struct hm_err *e);

/**
 * oci_mount_entry() - mount @m inside @rootfd (an fd of the rootfs).
 * @userns: the container is in a new user namespace;
 * @netns: ... and in a new network namespace (sysfs needs one in a userns);
 * @cgns: ... and a new cgroup namespace (cgroup mounts are then fresh).
 */
int oci_mount_entry(int rootfd, const struct oci_mount *m, bool userns,
		    bool netns, bool cgns, struct hm_err *e);

/**
 * oci_remount() - MS_BIND|MS_REMOUNT the mount at @fd with @flags; where the
 * kernel refuses to clear a locked flag (a mount from a more privileged user
 * namespace), retried keeping the flags the mount has.
 */
int oci_remount(int fd, const char *what, unsigned long flags,
		struct hm_err *e);

/** oci_mount_flags() - the MS_* flags the mount at @fd has (statvfs). */
unsigned long oci_mount_flags(int fd);

/**
 * oci_mount_cgroups() - the cgroup filesystem(s) at @fd (@dest names it):
 * cgroup2 on a v2 host; on v1 a tmpfs with one mount per hierarchy of the
 * host and the comount links (cpu -> cpu,cpuacct). Without @cgns the
 * process's own cgroup of each hierarchy is bound, as runc.
 */
int oci_mount_cgroups(int rootfd, const char *dest,
		      const struct oci_mnt_opts *o, bool cgns,
		      struct hm_err *e);

/**
 * oci_cgroups_own() - the caller's own cgroup of one v1 hierarchy (@name
 * under /sys/fs/cgroup, its host @dir), for this process's next
 * oci_mount_cgroups() on a v1 host: it binds the dirs so given (in a cgroup
 * namespace rooted there, what a fresh mount shows) and reads no mountinfo
 * to find the hierarchies (~0.15 ms in a new container).
 */
void oci_cgroups_own(const char *name, const char *dir);

/**
 * oci_make_devices() - s->devices, then (unless /dev is a bind mount of the
 * spec) the default devices the spec has not listed and the /dev links.
 */
int oci_make_devices(int rootfd, const struct oci_spec *s, bool userns,
		     struct hm_err *e);

#endif
