/* SPDX-License-Identifier: MIT */
#ifndef HOMO_DIGEST_H
#define HOMO_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define DIGEST_HEX_LEN 64

/* Streaming sha256 over libcrypto (SHA-NI where the CPU has it). */
struct hm_digest {
	void *ctx; /* EVP_MD_CTX */
};

int digest_init(struct hm_digest *d, struct hm_err *e);
void digest_update(struct hm_digest *d, const void *data, size_t len);
/** digest_final() - write 64 lowercase hex digits and a NUL; frees ctx. */
void digest_final(struct hm_digest *d, char out[DIGEST_HEX_LEN + 1]);
/** digest_free() - drop an unfinished digest (NULL-safe). */
void digest_free(struct hm_digest *d);

/** digest_buf() - one-shot sha256 of a buffer. */
int digest_buf(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1],
	       struct hm_err *e);
/** digest_file() - sha256 of a file's contents. */
int digest_file(const char *path, char out[DIGEST_HEX_LEN + 1],
		struct hm_err *e);

/** digest_valid_hex() - 64 lowercase hex digits? (accepts "sha256:" too) */
bool digest_valid_hex(const char *s);

#endif
