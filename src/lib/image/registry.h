/* SPDX-License-Identifier: MIT */
#ifndef HOMO_REGISTRY_H
#define HOMO_REGISTRY_H

/*
 * HTTP to an OCI distribution registry (API v2) over libcurl: one
 * repository's requests with the authorization it asks for: an anonymous or
 * credentialed bearer token (WWW-Authenticate: Bearer realm=...), or basic
 * auth, with credentials from ~/.docker/config.json's "auths".
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* What a 401 asked for: its scheme and parameters (NULL if absent). */
struct reg_challenge {
	char *scheme; /* "Bearer", "Basic" */
	char *realm, *service, *scope;
};

/**
 * reg_parse_challenge() - parse a WWW-Authenticate value: a scheme, then
 * key=value or key="quoted value" pairs separated by commas. Return: 0, or
 * -1 when it has no scheme.
 */
int reg_parse_challenge(const char *hdr, struct reg_challenge *out);
void reg_challenge_free(struct reg_challenge *c);

struct reg_conn {
	char *domain;  /* as the reference names it: "docker.io", "h:5000" */
	char *base;    /* "https://registry-1.docker.io" */
	char *host;    /* "registry-1.docker.io" */
	char *repo;    /* "library/busybox" */
	char *authz;   /* "Authorization: ..." once known, else NULL */
	char *basic;   /* base64 "user:pass" from config.json, or NULL */
	bool verify;   /* verify TLS */
	bool plain_ok; /* insecure: plain HTTP if it does not speak TLS */
	bool progress; /* for the caller */
	void *easy;    /* its requests' curl handle (connections kept) */
	/* set (atomically) by another thread: the transfer under way stops
	 * within a second, failing with errnum ECANCELED; may be NULL */
	const bool *cancel;
};

/**
 * reg_conn_init() - a connection to @repo on @domain: HTTPS, verified;
 * for localhost, 127.0.0.0/8 and [::1], or when @tls_verify is false
 * (an insecure registry, as Docker's), unverified, and plain HTTP from
 * the first request that finds no TLS there. Credentials for @domain are read
 * from $DOCKER_CONFIG/config.json (default ~/.docker/config.json) if it exists.
 */
int reg_conn_init(struct reg_conn *c, const char *domain, const char *repo,
		  bool tls_verify, struct hm_err *e);
void reg_conn_free(struct reg_conn *c);
/** reg_conn_dup() - a copy for another thread (its token too). */
void reg_conn_dup(struct reg_conn *dst, const struct reg_conn *src);

/* Receives a 2xx body in order; returns 0, or -1 to abort (errno set). */
typedef int (*reg_sink_fn)(void *arg, const void *buf, size_t len);

struct reg_resp {
	long status;
	char content_type[128];
	char location[2048]; /* a Location header, as sent */
};

/* A request body: @len bytes of @fd (from offset 0) or of @buf. */
struct reg_body {
	int fd;
	const char *buf;
	unsigned long long len;
	const char *content_type;
};

/**
 * reg_get() - GET @path ("/v2/<repo>/manifests/<ref>") with @accept
 * (nullable), its body into @sink; authorizes and retries once on a 401.
 * @resume_from: bytes of the body already had (a range request).
 * An HTTP error is "<what>: <the registry's message> (HTTP <status>)".
 */
int reg_get(struct reg_conn *c, const char *path, const char *accept,
	    long long resume_from, reg_sink_fn sink, void *arg,
	    struct reg_resp *resp, const char *what, struct hm_err *e);

/**
 * reg_send() - @method ("HEAD", "POST", "PUT") to @path (from "/") or to a
 * full URL the registry gave (an upload's Location), with @body
 * (nullable), authorized as reg_get() does; the response body is dropped.
 */
int reg_send(struct reg_conn *c, const char *method, const char *path,
	     const struct reg_body *body, struct reg_resp *resp,
	     const char *what, struct hm_err *e);

/*
 * A GET for a curl multi handle (reg_multi.h): the same request as
 * reg_get()'s, one attempt at a time. reg_xfer_arm() makes the next
 * attempt's easy handle (NULL: curl has no memory); once curl ended it with
 * a CURLcode, and the handle is out of the multi handle, reg_xfer_end()
 * frees the handle and says: 0 done (a 2xx), 1 authorized after a 401
 * (arm again), -1 failed with @e set, as reg_get() fails.
 */
struct reg_xfer;
struct reg_xfer *reg_xfer_new(struct reg_conn *c, const char *path,
			      long long resume_from, reg_sink_fn sink,
			      void *arg, struct reg_resp *resp,
			      const char *what);
void *reg_xfer_arm(struct reg_xfer *x);
int reg_xfer_end(struct reg_xfer *x, int code, struct hm_err *e);
void reg_xfer_free(struct reg_xfer *x);
/** reg_xfer_what() - its @what, for a message of the caller's. */
const char *reg_xfer_what(const struct reg_xfer *x);

/**
 * reg_get_buf() - reg_get() into a malloc'd buffer of at most @max bytes
 * (more is an error: "<what>: larger than N bytes"); NUL-terminated.
 */
int reg_get_buf(struct reg_conn *c, const char *path, const char *accept,
		size_t max, char **buf, size_t *len, struct reg_resp *resp,
		const char *what, struct hm_err *e);

/**
 * reg_auth_find() - the base64 "user:pass" stored for @domain in
 * $DOCKER_CONFIG/config.json (default ~/.docker/config.json) "auths"
 * (docker.io also under Docker's "https://index.docker.io/v1/"), or NULL.
 */
char *reg_auth_find(const char *domain);

/**
 * reg_auth_save() - store @auth (base64 "user:pass") for @domain in that
 * file, or remove its entry when @auth is NULL; the file is rewritten
 * atomically, mode 0600, every other key kept. @removed (nullable): was
 * there an entry to remove.
 */
int reg_auth_save(const char *domain, const char *auth, bool *removed,
		  struct hm_err *e);

/**
 * reg_login() - check @user/@pass against @domain's /v2/ (basic, or a
 * bearer token fetched with them). Return: 0, or -1 with @e set
 * ("unauthorized" and the registry's words).
 */
int reg_login(const char *domain, const char *user, const char *pass,
	      bool tls_verify, struct hm_err *e);

/** reg_base64() - standard base64 of @len bytes; malloc'd. */
char *reg_base64(const void *buf, size_t len);

#endif
