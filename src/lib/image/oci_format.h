/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_FORMAT_H
#define HOMO_OCI_FORMAT_H

/*
 * Names shared by save (oci.c) and load (oci_load.c): the media types of
 * the OCI image spec and Docker's distribution manifests, and the index
 * annotations that name an image.
 */

#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER_GZ "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
/* the full NAME:TAG (containerd, podman); ref.name is the tag alone */
#define ANN_NAME "io.containerd.image.name"
#define ANN_REF "org.opencontainers.image.ref.name"

/**
 * oci_arch() - this machine's architecture as OCI names it ("amd64",
 * "arm64"; uname's machine otherwise): written in saved configs, matched
 * against an index's platforms on load.
 */
const char *oci_arch(void);

#endif
