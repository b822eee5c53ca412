/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_CONFIG_H
#define HOMO_OCI_CONFIG_H

/*
 * An image's config between homo's record and the OCI image config (the
 * "config" blob of a saved archive, Docker's too), both ways in one file
 * so that save then load gives back the same config, hence the same id.
 */

#include <jansson.h>

#include "store/store.h"

/**
 * oci_config_to_homo() - homo's config from an OCI image config @oci:
 * Entrypoint and Cmd apart, Env, WorkingDir, User, Labels, ExposedPorts,
 * Volumes, StopSignal, and the top-level comment. Neither Entrypoint nor
 * Cmd: homo's default command (/bin/sh). A new reference.
 */
json_t *oci_config_to_homo(json_t *oci);

/** oci_history() - @oci's "history" entries (objects), or NULL. */
json_t *oci_history(json_t *oci);

/** oci_config_from_homo() - the OCI image config of @img. */
json_t *oci_config_from_homo(const struct hm_image *img, json_t *diff_ids);

#endif
