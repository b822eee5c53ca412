/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_H
#define HOMO_OCI_H

/*
 * Images out and in as archives: an OCI image layout tarball (save, load)
 * and Docker's "docker save" format (load).
 */

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

/**
 * oci_save() - write @refs (NULL-terminated) as one OCI image layout tar
 * on @out_fd: oci-layout, index.json (one manifest per image, named by
 * io.containerd.image.name and org.opencontainers.image.ref.name), a
 * Docker manifest.json, and blobs/sha256/: manifests, configs and one
 * gzip layer per homo layer, each layer once.
 *
 * A layer's tar is its original one where homo still has it (a committed
 * layer's canonical stream, a kept download or load blob, the pulled file)
 * and its id checks out, so the diff ids, and the layer ids after a load,
 * are the same; otherwise the canonical stream of its directory.
 */
int oci_save(struct hm_store *s, char *const *refs, int out_fd, bool progress,
	     struct hm_err *e);

/**
 * oci_save_blobs() - the blobs save writes for image @ref (its gzip
 * layers, config and manifest), as files named by their sha256 hex in
 * @dir, and *@index: an OCI index whose one entry is the manifest.
 */
int oci_save_blobs(struct hm_store *s, const char *ref, const char *dir,
		   bool progress, json_t **index, struct hm_err *e);

/**
 * oci_load() - read an OCI image layout or "docker save" tarball (any
 * compression) from @in_fd into the store.
 * @loaded: receives the "NAME:TAG" of each image loaded (strv).
 *
 * Every manifest, config and layer blob is checked against its digest and
 * every layer against its diff id; layers are unpacked by archive_unpack()
 * (nothing outside the layer; whiteouts translated). All layers and names
 * are put in place together under the lock, so a failed or killed load
 * leaves the store as it was.
 */
int oci_load(struct hm_store *s, int in_fd, bool progress, char ***loaded,
	     struct hm_err *e);

/* oci_config_to_homo(): image/oci_config.h */
#include "image/oci_config.h"

#endif
