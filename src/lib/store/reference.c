/* SPDX-License-Identifier: MIT */
/*
 * Image references (reference.h): one parser for every command that takes
 * an image name, in Docker's grammar, normalised as Docker shows names.
 */
#include "store/reference.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* */
static bool path_component_ok(const char *p, size_t len)
{
	const char *end = p + len;

	if (!len || !is_lower_alnum(*p))
		return false;
	while (p < end) {
		while (p < end && is_lower_alnum(*p))
			p++;
		if (p == end)
			return true;
		if (*p == '.')
			p++;
		else if (*p == '_')
			p += p + 1 < end && p[1] == '_' ? 2 : 1;
		else if (*p == '-')
			while (p < end && *p == '-')
				p++;
		else
			return false;
		if (p == end || !is_lower_alnum(*p))
			return false;
	}
	return true;
}

static bool path_ok(const char *path)
{
	for (;;) {
		size_t len = strcspn(path, "/");

		if (!path_component_ok(path, len))
			return false;
		if (!path[len])
			return true;
		path += len + 1;
	}
}

/* A host name label: [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]. */
static bool host_label_ok(const char *p, size_t len)
{
	if (!len || !isalnum((unsigned char)p[0]) ||
	    !isalnum((unsigned char)p[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-')
			return false;
	return true;
}

/* host [":" port]; host is labels joined by '.', or "[IPv6]". */
static bool domain_ok(const char *d)
{
	const char *port = NULL, *p = d;
	size_t hostlen;

	if (*d == '[') {
		const char *close = strchr(d, ']');

		if (!close || close == d + 1 ||
		    strspn(d + 1, "0123456789abcdefABCDEF:.") !=
			(size_t)(close - d - 1))
			return false;
		port = close[1] == ':' ? close + 2 : NULL;
		if (close[1] && !port)
			return false;
	} else {
		port = strchr(d, ':');
		hostlen = port ? (size_t)(port - d) : strlen(d);
		if (port)
			port++;
		for (size_t i = 0, len; i < hostlen; i += len + 1) {
			len = strcspn(p + i, ".:");
			if (i + len > hostlen)
				len = hostlen - i;
			if (!host_label_ok(p + i, len))
				return false;
		}
		if (!hostlen)
			return false;
	}
	return !port || (*port && strspn(port, "0123456789") == strlen(port));
}

static bool tag_ok(const char *t)
{
	size_t len = strlen(t);

	if (!len || len > TAG_MAX_LEN || t[0] == '.' || t[0] == '-')
		return false;
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '_' && *t != '.' &&
		    *t != '-')
			return false;
	return true;
}

/* algorithm ":" hex, of an algorithm homo knows (go-digest's three). */
static bool digest_ok(const char *d)
{
	static const struct {
		const char *alg;
		size_t hex;
	} algs[] = {{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
	const char *colon = strchr(d, ':');

	if (!colon)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++)
		if (strlen(algs[i].alg) == (size_t)(colon - d) &&
		    !strncmp(d, algs[i].alg, (size_t)(colon - d)))
			return strlen(colon + 1) == algs[i].hex &&
			       strspn(colon + 1, "0123456789abcdef") ==
				   algs[i].hex;
	return false;
}

/* Docker's splitDockerDomain: is the first component a registry host? */
static bool is_domain(const char *first, size_t len)
{
	if (len == 9 && !strncmp(first, "localhost", 9))
		return true;
	for (size_t i = 0; i < len; i++)
		if (first[i] == '.' || first[i] == ':' ||
		    isupper((unsigned char)first[i]))
			return true;
	return false;
}

static int bad(struct hm_err *e, const char *ref, const char *why)
{
	return hm_failx(e, HM_EXIT_FAIL, "invalid reference \"%s\": %s", ref,
			why);
}

/* "name" (no tag, no digest) into domain, path and familiar name. */
static int split_name(const char *ref, const char *name, struct image_ref *out,
		      struct hm_err *e)
{
	const char *slash = strchr(name, '/');
	size_t first = slash ? (size_t)(slash - name) : 0;

	if (!*name || strlen(name) > NAME_MAX_LEN)
		return bad(e, ref, "a name of 1 to 255 characters is needed");
	if (slash && is_domain(name, first)) {
		out->domain = xasprintf("%.*s", (int)first, name);
		out->path = xstrdup(slash + 1);
		if (!domain_ok(out->domain))
			return bad(e, ref, "the registry is not host[:port]");
	} else {
		out->domain = xstrdup(REF_DEFAULT_DOMAIN);
		out->path = xstrdup(name);
	}
	if (!strcmp(out->domain, "index.docker.io")) {
		free(out->domain);
		out->domain = xstrdup(REF_DEFAULT_DOMAIN);
	}
	for (const char *p = out->path; *p; p++)
		if (isupper((unsigned char)*p))
			return bad(e, ref,
				   "the repository name must be "
				   "lowercase");
	if (!path_ok(out->path))
		return bad(e, ref,
			   "use lowercase letters and digits, joined by . _ "
			   "__ or -, between the /");
	if (!strcmp(out->domain, REF_DEFAULT_DOMAIN) &&
	    !strchr(out->path, '/')) {
		char *lib = xasprintf("library/%s", out->path);

		free(out->path);
		out->path = lib;
	}
	if (strcmp(out->domain, REF_DEFAULT_DOMAIN))
		out->name = xasprintf("%s/%s", out->domain, out->path);
	else if (util_has_prefix(out->path, "library/") &&
		 !strchr(out->path + 8, '/'))
		out->name = xstrdup(out->path + 8);
	else
		out->name = xstrdup(out->path);
	return 0;
}

int image_ref_parse_full(const char *ref, struct image_ref *out,
			 struct hm_err *e)
{
	cleanup_free char *name = xstrdup(ref);
	char *at = strchr(name, '@'), *colon, *slash;

	memset(out, 0, sizeof(*out));
	if (at) {
		*at++ = '\0';
		if (!digest_ok(at))
			return bad(e, ref,
				   "expected @sha256: and 64 lowercase "
				   "hex digits");
		out->digest = xstrdup(at);
	}
	colon = strrchr(name, ':');
	slash = strrchr(name, '/');
	if (colon && (!slash || colon > slash)) {
		*colon++ = '\0';
		if (!tag_ok(colon)) {
			image_ref_free(out);
			return bad(e, ref,
				   "a tag is up to 128 letters, digits, _ . "
				   "and -, not starting with . or -");
		}
		out->tag = xstrdup(colon);
	}
	/* a bare 64-hex-digit name would read as an image id */
	if (!out->tag && !out->digest && strlen(name) == 64 &&
	    strspn(name, "0123456789abcdef") == 64) {
		image_ref_free(out);
		return bad(e, ref, "64 hex digits are an id, not a name");
	}
	if (split_name(ref, name, out, e) < 0) {
		image_ref_free(out);
		return -1;
	}
	return 0;
}

const char *image_ref_tag(const struct image_ref *r)
{
	return r->tag ? r->tag : r->digest ? NULL : "latest";
}

char *image_ref_string(const struct image_ref *r)
{
	const char *tag = image_ref_tag(r);

	return xasprintf("%s%s%s%s%s", r->name, tag ? ":" : "", tag ? tag : "",
			 r->digest ? "@" : "", r->digest ? r->digest : "");
}

void image_ref_free(struct image_ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	free(r->name);
	memset(r, 0, sizeof(*r));
}
