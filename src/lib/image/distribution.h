/* SPDX-License-Identifier: MIT */
#ifndef HOMO_DISTRIBUTION_H
#define HOMO_DISTRIBUTION_H

/*
 * Pull an image from an OCI distribution registry (API v2): manifests and
 * indexes (OCI and Docker schema 2), the config, and each layer streamed
 * straight into archive_unpack_with(), which digests it on the way: one
 * read, verified against the manifest's digest and the config's diff id.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

struct registry_pull_opts {
	const char *ref;      /* [REGISTRY[:PORT]/]NAME[:TAG|@DIGEST] */
	const char *platform; /* "os/arch[/variant]"; NULL: linux/<ours> */
	bool tls_verify;      /* false: plain HTTP, or unverified TLS */
	bool progress;	      /* progress lines on stderr */
	uint64_t max_bytes;   /* per layer tar stream limit, 0 = none */
};

/**
 * registry_pull() - pull @o->ref into the store as an image named by the
 * reference (its familiar name and tag). Layers already in the store (the
 * same diff id) are not downloaded. Every layer is unpacked under a temp
 * name; all are renamed into place with the image record under the lock,
 * so a failure or a kill leaves the store as it was.
 */
int registry_pull(struct hm_store *s, const struct registry_pull_opts *o,
		  struct hm_image *out, struct hm_err *e);

/**
 * dist_pick_platform() - the descriptor in index/list @idx for @platform
 * ("os/arch[/variant]"): its os and architecture equal, its variant too if
 * @platform names one. NULL if none.
 */
json_t *dist_pick_platform(json_t *idx, const char *platform);

/**
 * dist_check_manifest() - @m is an image manifest: a config descriptor and
 * a non-empty array of layer descriptors, each with a "sha256:<64 hex>"
 * digest. Return: 0, or -1 with @e naming what is wrong.
 */
int dist_check_manifest(json_t *m, struct hm_err *e);

#endif
