/* SPDX-License-Identifier: MIT */
#ifndef HOMO_LAYER_TAR_H
#define HOMO_LAYER_TAR_H

/*
 * A directory as a canonical tar stream: the one function behind commit
 * (hash + copy), save (hash + gzip) and export (the merged tree).
 *
 * Canonical means the same tree always gives the same bytes, so a layer's
 * id (the stream's sha256) is a function of its content: names sorted
 * bytewise, directory before its children, no "./" root entry, pax format
 * with xattrs sorted by name, numeric owners only (no user or group
 * names), whole-second mtimes, no atime/ctime, hard links as link entries
 * to the first name met, sockets skipped, unblocked output (no padding
 * past the two end blocks). A regular file with holes (SEEK_HOLE before its
 * end) is a pax sparse entry (GNU sparse 1.0) of its data segments; any
 * other is a plain entry, as before sparse entries came in.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"
#include "base/progress.h"

struct hm_idmap;

/* Receives the tar stream in order; returns 0, or -1 with @e set. */
typedef int (*layer_tar_sink_fn)(void *arg, const void *buf, size_t len,
				 struct hm_err *e);

struct layer_tar_opts {
	/*
	 * A layer (overlay upperdir or layer diff): a 0/0 character device
	 * becomes ".wh.NAME", trusted.overlay.opaque=y a ".wh..wh..opq"
	 * entry, as the OCI image spec writes them. Without it (a flat tree,
	 * as export writes) both are kept as what they are on disk.
	 */
	bool whiteouts;
	/* Copy the tree into this empty directory while writing (commit). */
	const char *copy_to;
	layer_tar_sink_fn sink; /* NULL: the stream is only hashed */
	void *sink_arg;
	struct hm_progress *progress; /* fed bytes of file data; nullable */
	/*
	 * Leave out the empty etc/hostname, etc/hosts and etc/resolv.conf a
	 * container's upper/ holds as mount points for homo's own files
	 * (what the container wrote to them went to those, never here).
	 */
	bool skip_mount_stubs;
	/*
	 * The tree is a user-namespaced container's upper/ (nullable, or
	 * count 0: no shift): its owners are host ids of these maps, written
	 * (and copied) as the container sees them. Ids outside the map are
	 * the kernel's overflow id 65534, as the container sees them too;
	 * whiteouts, made by overlayfs as the mounter, are root's. A file
	 * capability of the namespace's root (v3, rootid = the map's base)
	 * becomes a plain v2 one.
	 */
	const struct hm_idmap *uidmap, *gidmap;
};

struct layer_tar_result {
	char diff_id[DIGEST_HEX_LEN + 1]; /* sha256 of the tar stream */
	uint64_t tar_bytes;		  /* length of the stream */
	uint64_t entries;		  /* entries written */
	uint64_t data_bytes;		  /* bytes of regular files */
};

/**
 * layer_tar_write() - write @dir as a canonical tar stream.
 * @dir: the tree's root; its own metadata is not part of the stream.
 * @o: what to do with the stream (see struct layer_tar_opts).
 * @res: digest and counts, filled on success.
 * @e: error naming the file that failed.
 *
 * Any depth and path length (base/fdwalk.h). The tree must not change
 * meanwhile (commit freezes a running container): a regular file that
 * shrinks while it is read is an error. trusted.overlay xattrs other than
 * the opaque mark are overlayfs bookkeeping and never written. With
 * @o->copy_to the copy keeps owners, modes (setuid too), xattrs
 * (security.capability is set after the owner, which clears it), mtimes,
 * hard links, symlinks, fifos, device nodes, whiteouts and holes.
 *
 * Return: 0, or -1 with @e set; a partial copy is left for the caller to
 * remove.
 */
int layer_tar_write(const char *dir, const struct layer_tar_opts *o,
		    struct layer_tar_result *res, struct hm_err *e);

/** layer_tar_fd_sink() - a sink writing to the fd *(int *)@arg. */
int layer_tar_fd_sink(void *arg, const void *buf, size_t len, struct hm_err *e);

#endif
