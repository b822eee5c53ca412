/* SPDX-License-Identifier: MIT */
#ifndef HOMO_ARCHIVE_H
#define HOMO_ARCHIVE_H

/*
 * Rootfs tarballs into layer directories: one pass that digests the file,
 * decompresses, digests the tar stream (the layer's diff id) and extracts
 * it safely, turning OCI whiteouts into overlay whiteouts on the way.
 */

#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"
#include "base/progress.h"

struct archive_unpack_result {
	char diff_id[DIGEST_HEX_LEN + 1];     /* sha256 of the tar stream */
	char blob_digest[DIGEST_HEX_LEN + 1]; /* sha256 of the bytes read */
	uint64_t tar_bytes;		      /* uncompressed length */
	uint64_t entries;		      /* archive entries handled */
	uint64_t compressed_bytes;	      /* bytes read from the fd */
	uint64_t warnings;		      /* metadata not restored */
	char warning[256];		      /* the first such warning */
};

struct archive_unpack_opts {
	struct hm_progress *progress; /* fed compressed bytes; may be NULL */
	uint64_t max_bytes;	      /* tar stream limit, 0 = unlimited */
};

/**
 * archive_unpack_with() - extract a (compressed) tar stream into a directory.
 * @src_fd: where the archive is read from, to its end: a file, pipe or
 *	socket. Its offset is left at the end.
 * @dest_dir: an existing empty directory; the tree lands inside it.
 * @o: options; NULL means no progress and no size limit.
 * @res: digests and counts, filled on success.
 * @e: error, naming the entry when one is refused ("unpack: entry \"../x\":
 *	path contains \"..\"").
 *
 * gzip, bzip2, xz, lzma, lzip, lz4, zstd and compress are recognised; the
 * content must be a tar archive (ustar, pax, GNU, v7). Owners (numeric),
 * modes, times, xattrs, ACLs, hard links, symlinks and device nodes are
 * kept. Leading "/" is stripped from names and hard-link targets, as GNU tar
 * does; a ".." component, or a path through a symlink, fails the whole
 * unpack. ".wh.NAME" becomes a 0/0 character device NAME and ".wh..wh..opq"
 * sets trusted.overlay.opaque=y on its directory. trusted.overlay.* xattrs
 * other than "opaque" in the archive are dropped.
 *
 * The working directory is changed during the call and restored before it
 * returns: several threads may unpack at once only if each has a working
 * directory of its own (unshare(CLONE_FS), as distribution.c's do).
 *
 * Return: 0, or -1 with @e set. On failure @dest_dir holds a partial tree
 * that the caller removes.
 */
int archive_unpack_with(int src_fd, const char *dest_dir,
			const struct archive_unpack_opts *o,
			struct archive_unpack_result *res, struct hm_err *e);

/**
 * archive_unpack() - archive_unpack_with() with progress @prog (nullable)
 * and no size limit.
 */
int archive_unpack(int src_fd, const char *dest_dir,
		   struct archive_unpack_result *res, struct hm_progress *prog,
		   struct hm_err *e);

#endif
