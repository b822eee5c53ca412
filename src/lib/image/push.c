/* SPDX-License-Identifier: MIT */
/*
 * registry_push() (push.h): save's blobs (oci_save_blobs) into a temp dir
 * of the store, then each blob the registry lacks by a monolithic upload
 * (POST, then PUT ?digest=), and the manifest last, under the tag: a
 * reader never sees a manifest whose blobs are missing.
 */
#include "image/push.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "image/oci.h"
#include "image/oci_format.h"
#include "image/registry.h"
#include "store/reference.h"

#define MAX_MANIFEST (4 << 20)

struct push {
	struct hm_store *s;
	struct hm_image img;
	struct reg_conn c;
	const char *dir;
	char *what;
	struct hm_err *e;
};

/* "sha256:<hex>" of a descriptor, or NULL */
static const char *desc_digest(json_t *d)
{
	const char *v = json_string_value(json_object_get(d, "digest"));

	return v && !strncmp(v, "sha256:", 7) && digest_valid_hex(v + 7) ? v
									 : NULL;
}

/*
 * Another repository of this registry the blob @hex was pulled from (its
 * layer's "source"), for a cross-repository mount; NULL if none.
 */
static char *mount_from(struct push *p, const char *hex)
{
	char *from = NULL;

	for (size_t i = 0; p->img.layers && p->img.layers[i] && !from; i++) {
		cleanup_free char *path =
		    store_path(p->s, "layers/%s/layer.json", p->img.layers[i]);
		json_t *meta = json_load_file(path, 0, NULL);
		const char *bd =
		    json_string_value(json_object_get(meta, "blob_digest"));
		const char *src =
		    json_string_value(json_object_get(meta, "source"));
		struct image_ref r;

		if (bd && src && !strcmp(bd, hex) &&
		    image_ref_parse_full(src, &r, NULL) == 0) {
			if (!strcmp(r.domain, p->c.domain) &&
			    strcmp(r.path, p->c.repo))
				from = xstrdup(r.path);
			image_ref_free(&r);
		}
		json_decref(meta);
	}
	return from;
}

static int push_blob(struct push *p, json_t *desc)
{
	const char *dg = desc_digest(desc);
	cleanup_free char *head = NULL, *file = NULL, *put = NULL;
	cleanup_close int fd = -1;
	struct reg_resp resp;
	struct hm_err probe;
	struct stat st;

	if (!dg)
		return hm_failx(p->e, HM_EXIT_FAIL, "%s: bad descriptor",
				p->what);
	head = xasprintf("/v2/%s/blobs/%s", p->c.repo, dg);
	if (reg_send(&p->c, "HEAD", head, NULL, &resp, p->what, &probe) == 0)
		return 0; /* the registry has it */
	if (resp.status != 404) {
		*p->e = probe;
		return -1;
	}
	file = xasprintf("%s/%s", p->dir, dg + 7);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return hm_fail(p->e, errno, "%s", file);
	{
		cleanup_free char *from = mount_from(p, dg + 7);
		cleanup_free char *start =
		    from ? xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s",
				     p->c.repo, dg, from)
			 : xasprintf("/v2/%s/blobs/uploads/", p->c.repo);

		if (reg_send(&p->c, "POST", start, NULL, &resp, p->what, p->e) <
		    0)
			return -1;
		if (resp.status == 201)
			return 0; /* mounted: no byte sent */
	}
	if (!resp.location[0])
		return hm_failx(p->e, HM_EXIT_FAIL,
				"%s: the registry gave no upload location",
				p->what);
	put = xasprintf("%s%s%sdigest=%s",
			resp.location[0] == '/' ? p->c.base : "", resp.location,
			strchr(resp.location, '?') ? "&" : "?", dg);
	return reg_send(
	    &p->c, "PUT", put,
	    &(struct reg_body){.fd = fd, .len = (unsigned long long)st.st_size},
	    &resp, p->what, p->e);
}

static char *read_blob(struct push *p, const char *dg, size_t *len)
{
	cleanup_free char *file = xasprintf("%s/%s", p->dir, dg + 7);
	cleanup_close int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > MAX_MANIFEST) {
		hm_fail(p->e, errno, "%s", file);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		hm_fail(p->e, errno ? errno : EIO, "read \"%s\"", file);
		return NULL;
	}
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return buf;
}

static int push_all(struct push *p, json_t *index, const char *tag)
{
	json_t *mdesc = json_array_get(json_object_get(index, "manifests"), 0);
	const char *mdg = desc_digest(mdesc);
	cleanup_free char *text = NULL, *path = NULL;
	cleanup_json json_t *man = NULL;
	struct reg_resp resp;
	json_t *l;
	size_t len, i;

	if (!mdg || !(text = read_blob(p, mdg, &len)))
		return -1;
	man = json_loadb(text, len, 0, NULL);
	json_array_foreach(json_object_get(man, "layers"), i, l)
	{
		if (push_blob(p, l) < 0)
			return -1;
	}
	if (push_blob(p, json_object_get(man, "config")) < 0)
		return -1;
	path = xasprintf("/v2/%s/manifests/%s", p->c.repo, tag);
	return reg_send(&p->c, "PUT", path,
			&(struct reg_body){.buf = text,
					   .len = len,
					   .content_type = MT_MANIFEST},
			&resp, p->what, p->e);
}

int registry_push(struct hm_store *s, const struct registry_push_opts *o,
		  char digest[DIGEST_HEX_LEN + 1], struct hm_err *e)
{
	struct push p = {.s = s, .e = e};
	struct image_ref r;
	cleanup_free char *dir = NULL;
	json_t *index = NULL;
	const char *mdg;
	int ret = -1;

	if (image_ref_parse_full(o->ref ? o->ref : o->image, &r, e) < 0)
		return -1;
	if (r.digest) {
		image_ref_free(&r);
		return hm_failx(e, HM_EXIT_FAIL,
				"push: \"%s\": push to a tag, not a digest",
				o->ref ? o->ref : o->image);
	}
	p.what = image_ref_string(&r);
	dir = store_mktemp(s, "blobs/sha256", e);
	if (!dir || reg_conn_init(&p.c, r.domain, r.path, o->tls_verify, e) < 0)
		goto out;
	p.dir = dir;
	if (store_image_find(s, o->image, &p.img, NULL, e) < 0)
		goto out;
	if (oci_save_blobs(s, o->image, dir, o->progress, &index, e) < 0)
		goto out;
	ret = push_all(&p, index, image_ref_tag(&r));
	mdg =
	    desc_digest(json_array_get(json_object_get(index, "manifests"), 0));
	if (ret == 0)
		snprintf(digest, DIGEST_HEX_LEN + 1, "%s", mdg + 7);
out:
	json_decref(index);
	if (dir)
		util_rm_rf(dir, NULL);
	reg_conn_free(&p.c);
	image_free(&p.img);
	image_ref_free(&r);
	free(p.what);
	return ret;
}
