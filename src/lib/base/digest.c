/* SPDX-License-Identifier: MIT */
#include "base/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "base/lazylib.h"
#include "base/util.h"

int digest_init(struct hm_digest *d, struct hm_err *e)
{
	EVP_MD_CTX *ctx;

	d->ctx = NULL;
	if (lazy_load(LIB_CRYPTO, "sha256", e) < 0)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		d->ctx = NULL;
		return hm_fail(e, ENOMEM, "sha256 init");
	}
	d->ctx = ctx;
	return 0;
}

void digest_update(struct hm_digest *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
}

void digest_final(struct hm_digest *d, char out[DIGEST_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[DIGEST_HEX_LEN] = '\0';
	digest_free(d);
}

void digest_free(struct hm_digest *d)
{
	if (!d->ctx) /* none, or libcrypto never loaded */
		return;
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}

int digest_buf(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1],
	       struct hm_err *e)
{
	struct hm_digest d;

	if (digest_init(&d, e) < 0)
		return -1;
	digest_update(&d, data, len);
	digest_final(&d, out);
	return 0;
}

int digest_file(const char *path, char out[DIGEST_HEX_LEN + 1],
		struct hm_err *e)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct hm_digest d;
	static char buf[1 << 16];

	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", path);
	if (digest_init(&d, e) < 0)
		return -1;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			digest_free(&d);
			return hm_fail(e, errno, "read \"%s\"", path);
		}
		if (r == 0)
			break;
		digest_update(&d, buf, (size_t)r);
	}
	digest_final(&d, out);
	return 0;
}

bool digest_valid_hex(const char *s)
{
	size_t i;

	if (strncmp(s, "sha256:", 7) == 0)
		s += 7;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == DIGEST_HEX_LEN;
}
