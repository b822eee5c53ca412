/* SPDX-License-Identifier: MIT */
#ifndef HOMO_REFERENCE_H
#define HOMO_REFERENCE_H

/*
 * Image references in Docker's grammar (distribution/reference):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path
 *   domain     := host [ ":" port ]   (a first component with a '.' or a
 *                 ':', "localhost", or an uppercase letter)
 *   path       := component ( "/" component )*, lowercase [a-z0-9]
 *                 runs joined by "." "_" "__" or "-"+
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex (32 hex digits or more; sha256: 64)
 *
 * and normalised as Docker shows names: "docker.io/library/x", "library/x"
 * and "docker.io/x" are all "x"; "index.docker.io" is "docker.io".
 */

#include "base/error.h"

#define REF_DEFAULT_DOMAIN "docker.io"

struct image_ref {
	char *domain; /* "docker.io" when the reference names none */
	char *path;   /* "library/x" for an official image */
	char *tag;    /* NULL if none given (see image_ref_tag()) */
	char *digest; /* "sha256:<hex>", NULL if none given */
	char *name;   /* the familiar name: "x", "team/x", "host:5000/a/b" */
};

/**
 * image_ref_parse_full() - parse and normalise @ref into @out (zeroed on
 * failure). An error names what is wrong; the exit code is 125.
 */
int image_ref_parse_full(const char *ref, struct image_ref *out,
			 struct hm_err *e);

/** image_ref_tag() - the tag, or "latest" when neither tag nor digest. */
const char *image_ref_tag(const struct image_ref *r);

/**
 * image_ref_string() - the normalised reference: the familiar name, then
 * ":tag" (with "latest" when no digest is given) and "@digest" if any.
 * Malloc'd.
 */
char *image_ref_string(const struct image_ref *r);

void image_ref_free(struct image_ref *r);

#endif
