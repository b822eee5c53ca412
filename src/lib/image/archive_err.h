/* SPDX-License-Identifier: MIT */
#ifndef HOMO_ARCHIVE_ERR_H
#define HOMO_ARCHIVE_ERR_H

/*
 * libarchive's error report as a struct hm_err, for the image files that
 * use libarchive (archive.c, layer_tar.c, oci_save.c); kept out of base so
 * that base needs no libarchive header.
 */

#include "base/error.h"

struct archive;

/**
 * hm_fail_archive() - "<fmt>: <libarchive's message>", with its errno
 * (EIO when it gives none). Return: -1.
 */
int hm_fail_archive(struct hm_err *e, struct archive *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Readers and writers freed at the end of their scope (NULL: nothing). */
void cleanup_archive_readp(struct archive **a);
void cleanup_archive_writep(struct archive **a);
#define cleanup_archive_read __attribute__((cleanup(cleanup_archive_readp)))
#define cleanup_archive_write __attribute__((cleanup(cleanup_archive_writep)))

#endif
