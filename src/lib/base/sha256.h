/* SPDX-License-Identifier: MIT */
/*
 * A plain SHA-256 (sha256.c) for small buffers on the container start
 * path, where loading libcrypto (digest.h, 2.5 ms for its dlopen) would
 * cost far more than the hashing itself.
 */
#ifndef HOMO_SHA256_H
#define HOMO_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/** sha256_hex() - the digest of @len bytes at @data as 64 lowercase hex
 * digits and a NUL: the same as digest_buf(), without libcrypto. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

#endif
