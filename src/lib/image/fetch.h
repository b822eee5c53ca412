/* SPDX-License-Identifier: MIT */
#ifndef HOMO_FETCH_H
#define HOMO_FETCH_H

/*
 * Downloads over libcurl (http, https, file) into a file the caller made,
 * digesting the bytes as they arrive.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"

struct fetch_opts {
	bool progress;		   /* progress bar on stderr */
	const char *label;	   /* its label; NULL means "download" */
	const char *expect_sha256; /* 64 hex, "sha256:" allowed; or NULL */
};

struct fetch_result {
	char digest[DIGEST_HEX_LEN + 1]; /* sha256 of what was written */
	uint64_t bytes;			 /* bytes written to out_fd */
	long http_status;		 /* final HTTP status; 0 for file:// */
};

/**
 * fetch_url() - download @url into @out_fd.
 * @url: http://, https:// or file:// URL.
 * @out_fd: an empty file open for writing at offset 0 (a temp file the
 *	caller renames or removes); the body is written from there on.
 * @o: options, or NULL for none.
 * @r: filled on success.
 * @e: error, one line naming the URL: "<url>: HTTP 404 Not Found",
 *	"<url>: sha256 mismatch: expected X, got Y", or curl's reason.
 *
 * Redirects are followed (at most 10, http and https only); connecting
 * times out after 30 s and a transfer stalled for 60 s is aborted. A
 * transfer cut short, or a 502/503/504, is retried twice, resuming with a
 * range request where the server allows it. The body of an HTTP error
 * response is never written to @out_fd. https is verified against the
 * system's CAs, or $CURL_CA_BUNDLE, else $SSL_CERT_FILE and $SSL_CERT_DIR.
 *
 * Return: 0, or -1 with @e set; @out_fd then holds a partial download.
 */
/**
 * fetch_set_ca() - on the curl easy handle @curl, a private CA as the curl
 * command takes it: $CURL_CA_BUNDLE, else $SSL_CERT_FILE and $SSL_CERT_DIR
 * (libcurl itself ignores them). Registry requests use it too.
 */
void fetch_set_ca(void *curl);

int fetch_url(const char *url, int out_fd, const struct fetch_opts *o,
	      struct fetch_result *r, struct hm_err *e);

#endif
