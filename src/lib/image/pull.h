/* SPDX-License-Identifier: MIT */
#ifndef HOMO_PULL_H
#define HOMO_PULL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

struct pull_opts {
	const char *source;	   /* URL, path or "-" */
	const char *ref;	   /* NAME[:TAG] or NULL for the default */
	const char *expect_sha256; /* of the file as given, or NULL */
	bool progress;		   /* draw a progress bar on stderr */
	uint64_t max_bytes;	   /* unpacked tar stream limit, 0 = none */
};

/**
 * pull_image() - download (if a URL), unpack and name a rootfs tarball.
 *
 * The tarball is read once: it is digested, decompressed, digested again
 * (the layer id) and extracted in one pass into a temp dir, which is
 * renamed into place under the store lock. Any failure removes what was
 * made; a SIGKILL leaves only temp names that the next command removes.
 */
int pull_image(struct hm_store *s, const struct pull_opts *o,
	       struct hm_image *out, struct hm_err *e);

#endif
