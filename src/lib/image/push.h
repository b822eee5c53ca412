/* SPDX-License-Identifier: MIT */
#ifndef HOMO_PUSH_H
#define HOMO_PUSH_H

#include <stdbool.h>

#include "base/digest.h"
#include "base/error.h"
#include "store/store.h"

struct registry_push_opts {
	const char *image; /* the local image: NAME[:TAG] or id */
	const char *ref;   /* where to: [REGISTRY/]NAME[:TAG]; NULL: @image */
	bool tls_verify;
	bool progress;
};

/**
 * registry_push() - upload an image: its layers as save writes them (the
 * pulled gzip blob itself where homo kept it), each skipped when the
 * registry has it (HEAD), its config, then an OCI manifest under the tag.
 * @digest: the manifest's sha256 hex, filled on success.
 */
int registry_push(struct hm_store *s, const struct registry_push_opts *o,
		  char digest[DIGEST_HEX_LEN + 1], struct hm_err *e);

#endif
