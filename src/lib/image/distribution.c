/* SPDX-License-Identifier: MIT */
/*
 * registry_pull() (distribution.h): reference -> manifest (through an index
 * if need be) -> config -> layers, downloaded at once on one thread (a curl
 * multi handle, reg_multi.h), each streamed through a socket pair into
 * archive_unpack_with() on a thread of its own.
 */
#include "image/distribution.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fault.h"
#include "base/lazylib.h"
#include "base/progress_multi.h"
#include "base/util.h"
#include "image/archive.h"
#include "image/blob_fetch.h"
#include "image/oci.h"
#include "image/oci_format.h"
#include "image/reg_multi.h"
#include "image/registry.h"
#include "store/reference.h"

#define MAX_MANIFEST (4 << 20)
#define MAX_CONFIG (16 << 20)
#define MAX_LAYERS 127

static const char accept_manifests[] =
    MT_MANIFEST ", " MT_INDEX ", " MT_DOCKER_MANIFEST ", " MT_DOCKER_LIST;

struct pull {
	struct hm_store *s;
	const struct registry_pull_opts *o;
	struct reg_conn c;
	struct image_ref r;
	char *what; /* the normalised reference, for messages */
	char manifest_digest[DIGEST_HEX_LEN + 1];
	char **tmps; /* temp layers, in order of diff_ids */
	char **ids;  /* their diff ids */
	json_t **metas;
	size_t n;
	struct hm_err *e;
	char *blob_dir;	    /* blobs/sha256, absolute */
	pthread_mutex_t mu; /* a layer's unpack returned: cv */
	pthread_cond_t cv;
	struct hm_progress_multi prog; /* a line per layer, on a terminal */
	struct reg_multi dl;	       /* the layers' downloads */
	size_t *row_of;		       /* the line of p->ids[k] */
};

/* "sha256:<64 lowercase hex>" -> the hex, else NULL. */
static const char *sha256_hex(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || !digest_valid_hex(d + 7))
		return NULL;
	return d + 7;
}

json_t *dist_pick_platform(json_t *idx, const char *platform)
{
	cleanup_free char *want = xstrdup(platform);
	char *os = want, *arch = strchr(want, '/'), *variant = NULL;
	json_t *m;
	size_t i;

	if (!arch)
		return NULL;
	*arch++ = '\0';
	variant = strchr(arch, '/');
	if (variant)
		*variant++ = '\0';
	json_array_foreach(json_object_get(idx, "manifests"), i, m)
	{
		json_t *p = json_object_get(m, "platform");
		const char *mos = json_string_value(json_object_get(p, "os"));
		const char *march =
		    json_string_value(json_object_get(p, "architecture"));
		const char *mvar =
		    json_string_value(json_object_get(p, "variant"));

		if (!mos || !march || strcmp(mos, os) || strcmp(march, arch))
			continue;
		if (variant && (!mvar || strcmp(mvar, variant)))
			continue;
		return m;
	}
	return NULL;
}

int dist_check_manifest(json_t *m, struct hm_err *e)
{
	json_t *layers = json_object_get(m, "layers"), *l;
	size_t i;

	if (!sha256_hex(json_string_value(
		json_object_get(json_object_get(m, "config"), "digest"))))
		return hm_failx(e, HM_EXIT_FAIL,
				"manifest: no config with a sha256 digest");
	if (!json_is_array(layers) || !json_array_size(layers))
		return hm_failx(e, HM_EXIT_FAIL, "manifest: no layers");
	if (json_array_size(layers) > MAX_LAYERS)
		return hm_failx(e, HM_EXIT_FAIL,
				"manifest: %zu layers (at most %d)",
				json_array_size(layers), MAX_LAYERS);
	json_array_foreach(layers, i, l)
	{
		if (!sha256_hex(
			json_string_value(json_object_get(l, "digest"))))
			return hm_failx(e, HM_EXIT_FAIL,
					"manifest: layer %zu has no sha256 "
					"digest",
					i + 1);
	}
	return 0;
}

/* GET a manifest or blob (at most @max bytes) checked against @hex. */
static json_t *get_json(struct pull *p, const char *kind, const char *ref,
			const char *hex, size_t max, char *ctype, size_t nct)
{
	cleanup_free char *path =
	    xasprintf("/v2/%s/%s/%s", p->c.repo, kind, ref);
	cleanup_free char *body = NULL;
	struct reg_resp resp;
	char got[DIGEST_HEX_LEN + 1];
	json_error_t jerr;
	size_t len;
	json_t *j;

	if (reg_get_buf(&p->c, path, accept_manifests, max, &body, &len, &resp,
			p->what, p->e) < 0)
		return NULL;
	if (digest_buf(body, len, got, p->e) < 0)
		return NULL;
	if (hex && strcmp(hex, got)) {
		hm_failx(p->e, HM_EXIT_FAIL,
			 "%s: %s sha256:%.12s: digest mismatch (got "
			 "sha256:%.12s)",
			 p->what, kind, hex, got);
		return NULL;
	}
	if (!strcmp(kind, "manifests"))
		memcpy(p->manifest_digest, got, sizeof(got));
	if (ctype)
		snprintf(ctype, nct, "%s", resp.content_type);
	j = json_loadb(body, len, 0, &jerr);
	if (!json_is_object(j)) {
		json_decref(j);
		hm_failx(p->e, HM_EXIT_FAIL, "%s: %s is not a JSON object",
			 p->what, kind);
		return NULL;
	}
	return j;
}

static bool is_index(json_t *m, const char *ctype)
{
	const char *mt = json_string_value(json_object_get(m, "mediaType"));

	if (!mt)
		mt = ctype;
	return !strcmp(mt, MT_INDEX) || !strcmp(mt, MT_DOCKER_LIST) ||
	       (!json_object_get(m, "layers") &&
		json_is_array(json_object_get(m, "manifests")));
}

static char *default_platform(const char *given)
{
	return given ? xstrdup(given) : xasprintf("linux/%s", oci_arch());
}

/* The image manifest the reference names, for our platform. */
static json_t *resolve_manifest(struct pull *p)
{
	const struct image_ref *r = &p->r;
	cleanup_free char *plat = default_platform(p->o->platform);
	char ctype[128];
	json_t *m, *d;
	const char *hex;

	m = get_json(p, "manifests", r->digest ? r->digest : r->tag,
		     sha256_hex(r->digest), MAX_MANIFEST, ctype, sizeof(ctype));
	if (!m || !is_index(m, ctype))
		return m;
	d = dist_pick_platform(m, plat);
	hex = sha256_hex(json_string_value(json_object_get(d, "digest")));
	if (!hex) {
		json_decref(m);
		hm_failx(p->e, HM_EXIT_FAIL, "%s: no image for %s in the index",
			 p->what, plat);
		return NULL;
	}
	{
		cleanup_free char *dg = xasprintf("sha256:%s", hex);

		json_decref(m);
		m = get_json(p, "manifests", dg, dg + 7, MAX_MANIFEST, ctype,
			     sizeof(ctype));
	}
	if (m && is_index(m, ctype)) {
		json_decref(m);
		hm_failx(p->e, HM_EXIT_FAIL, "%s: an index inside an index",
			 p->what);
		return NULL;
	}
	return m;
}

/*
 * ---- layers: JOBS at a time, downloaded on the multi thread and each
 * unpacked on a thread of its own; each checked as it ends, all committed
 * in order (commit()) ----
 */

#define JOBS 3 /* as Docker's max-concurrent-downloads */

struct job {
	struct pull *p;
	size_t k; /* its index in p->tmps, p->ids, p->metas */
	json_t *desc;
	char *what; /* "<ref>: layer sha256:<12 hex>" */
	struct blob_fetch b;
	bool fetching; /* b to end */
	int fd;	       /* b's stream, which the unpack reads */
	pthread_t th;
	bool unpacking; /* th to join */
	bool finished;	/* under p->mu: th's unpack returned */
	int r;		/* th's result, e its error */
	struct hm_err e;
	struct archive_unpack_result res;
};

/*
 * archive_unpack_with() chdir()s into its layer. An unpack thread takes a
 * working directory of its own (unshare(CLONE_FS)), so that several run at
 * once; where that is refused (a seccomp filter) they take turns.
 */
static pthread_mutex_t cwd_turn = PTHREAD_MUTEX_INITIALIZER;

static void *unpack_job(void *arg)
{
	struct job *j = arg;
	cleanup_free char *diff = xasprintf("%s/diff", j->p->tmps[j->k]);
	bool own_cwd = unshare(CLONE_FS) == 0;

	if (!own_cwd) {
		HM_TRACE("unshare(CLONE_FS): %s: layers unpack in turn",
			 strerror(errno));
		pthread_mutex_lock(&cwd_turn);
	}
	if (mkdir(diff, 0755) < 0)
		j->r = hm_fail(&j->e, errno, "mkdir \"%s\"", diff);
	else
		j->r = archive_unpack_with(j->fd, diff,
					   &(struct archive_unpack_opts){
					       .max_bytes = j->p->o->max_bytes},
					   &j->res, &j->e);
	if (!own_cwd)
		pthread_mutex_unlock(&cwd_turn);
	pthread_mutex_lock(&j->p->mu);
	j->finished = true;
	pthread_cond_broadcast(&j->p->cv);
	pthread_mutex_unlock(&j->p->mu);
	return NULL;
}

/* Check job @j, whose unpack returned: digest, diff id; end its download. */
static int finish_job(struct pull *p, struct job *j)
{
	const char *hex =
	    sha256_hex(json_string_value(json_object_get(j->desc, "digest")));
	struct archive_unpack_result *res = &j->res;
	struct hm_err fe = {0};
	bool ok;

	pthread_join(j->th, NULL);
	j->unpacking = false;
	ok = j->r == 0 && !strcmp(res->blob_digest, hex) &&
	     !strcmp(res->diff_id, p->ids[j->k]);
	j->fetching = false;
	/* a download's own failure first: the unpack then saw a short tar */
	if (blob_fetch_end(&j->b, ok, &fe) < 0 && fe.errnum != ECANCELED) {
		*p->e = fe;
		return -1;
	}
	if (j->r < 0) {
		*p->e = j->e;
		return hm_prefix(p->e, "%s", j->what);
	}
	if (strcmp(res->blob_digest, hex))
		return hm_failx(p->e, HM_EXIT_FAIL,
				"%s: digest mismatch (got sha256:%.12s)",
				j->what, res->blob_digest);
	if (!ok)
		return hm_failx(p->e, HM_EXIT_FAIL,
				"%s: diff id mismatch: the config says "
				"sha256:%.12s, the content is sha256:%.12s",
				j->what, p->ids[j->k], res->diff_id);
	p->metas[j->k] =
	    json_pack("{s:s, s:I, s:s, s:s}", "source", p->what, "size",
		      (json_int_t)res->tar_bytes, "blob_digest",
		      res->blob_digest, "diff_id", res->diff_id);
	return 0;
}

/* Stop job @j if it runs: its stream ends, so its unpack returns. */
static void stop_job(struct job *j)
{
	if (j->unpacking) {
		blob_fetch_abort(&j->b);
		pthread_join(j->th, NULL);
		j->unpacking = false;
	}
	if (j->fetching) {
		blob_fetch_end(&j->b, false, NULL);
		j->fetching = false;
	}
}

/*
 * @path made absolute (it is freed): where layers unpack in turn, one of
 * them has the process in its directory while others resolve their paths.
 */
static char *absolute(char *path)
{
	char *cwd, *abs;

	if (!path || path[0] == '/')
		return path;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return path; /* then as it was */
	abs = xasprintf("%s/%s", cwd, path);
	free(cwd);
	free(path);
	return abs;
}

static bool pending(const struct pull *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->ids[i], id))
			return true;
	return false;
}

static uint64_t desc_size(json_t *desc)
{
	json_int_t n = json_integer_value(json_object_get(desc, "size"));

	return n > 0 ? (uint64_t)n : 0;
}

/* Layer @d's progress line, keyed as Docker's by its blob's 12 hex. */
static size_t add_row(struct pull *p, json_t *d, enum progress_state st)
{
	char label[13];

	snprintf(label, sizeof(label), "%.12s",
		 sha256_hex(json_string_value(json_object_get(d, "digest"))));
	return progress_multi_add(&p->prog, label, desc_size(d), st);
}

/*
 * The layers the store lacks: their descriptors, temps and diff ids; a
 * progress line for each layer but a repeat of one already planned.
 */
static int plan_layers(struct pull *p, json_t *man, json_t *diff_ids,
		       struct hm_image *img, json_t **descs)
{
	json_t *layers = json_object_get(man, "layers"), *d;
	size_t i;

	json_array_foreach(layers, i, d)
	{
		const char *id =
		    sha256_hex(json_string_value(json_array_get(diff_ids, i)));

		if (!id)
			return hm_failx(p->e, HM_EXIT_FAIL,
					"%s: config: diff id %zu is not a "
					"sha256 digest",
					p->what, i + 1);
		img->layers = strv_push(img->layers, id);
		if (store_layer_exists(p->s, id)) {
			img->size += store_layer_size(p->s, id);
			add_row(p, d, PROGRESS_EXISTS);
			continue; /* the same content, stored once */
		}
		if (pending(p, id))
			continue;
		p->tmps[p->n] = absolute(store_mktemp(p->s, "layers", p->e));
		if (!p->tmps[p->n])
			return -1;
		p->ids[p->n] = xstrdup(id);
		p->row_of[p->n] = add_row(p, d, PROGRESS_WAITING);
		descs[p->n++] = d;
	}
	return 0;
}

static int start_job(struct pull *p, struct job *j, json_t *desc, size_t k)
{
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	json_int_t size = json_integer_value(json_object_get(desc, "size"));

	j->p = p;
	j->k = k;
	j->desc = desc;
	j->fd = -1;
	j->what = xasprintf("%s: layer %.19s", p->what, dg);
	blob_fetch_init(&j->b, &p->c, p->blob_dir, sha256_hex(dg),
			size > 0 ? (uint64_t)size : 0, j->what);
	j->fetching = true;
	if (blob_fetch_start(&j->b, &p->dl, p->e) < 0)
		return -1;
	j->fd = blob_fetch_stream(&j->b, p->e);
	if (j->fd < 0)
		return -1;
	if ((errno = pthread_create(&j->th, NULL, unpack_job, j)))
		return hm_fail(p->e, errno, "pthread_create");
	j->unpacking = true;
	return 0;
}

/*
 * The started jobs' lines: downloading, or downloaded while their unpack
 * drains the rest. Ended jobs' lines were set by pull_layers().
 */
static void show_jobs(struct pull *p, struct job *jobs, size_t started)
{
	for (size_t i = 0; i < started; i++) {
		struct job *j = &jobs[i];
		uint64_t have, from;
		bool got;

		if (!j->fetching)
			continue;
		pthread_mutex_lock(&j->b.mu);
		have = j->b.have;
		from = j->b.resumed_from;
		got = j->b.done && j->b.rc == 0;
		pthread_mutex_unlock(&j->b.mu);
		progress_multi_set(&p->prog, p->row_of[j->k],
				   got ? PROGRESS_DOWNLOADED
				       : PROGRESS_DOWNLOADING,
				   have, from);
	}
	progress_multi_draw(&p->prog, false);
}

/* A job whose unpack returned (the first such); progress drawn meanwhile. */
static struct job *wait_any(struct pull *p, struct job *jobs, size_t started)
{
	struct job *j = NULL;
	struct timespec until;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		for (size_t i = 0; i < started && !j; i++)
			if (jobs[i].unpacking && jobs[i].finished)
				j = &jobs[i];
		if (j)
			break;
		if (!p->prog.enabled) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		show_jobs(p, jobs, started);
		pthread_mutex_lock(&p->mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cv, &p->mu, &until);
	}
	pthread_mutex_unlock(&p->mu);
	return j;
}

static int pull_layers(struct pull *p, json_t *man, json_t *diff_ids,
		       struct hm_image *img)
{
	size_t n = json_array_size(json_object_get(man, "layers"));
	cleanup_free json_t **descs = xcalloc(n + 1, sizeof(*descs));
	cleanup_free struct job *jobs = NULL;
	struct job *j;
	size_t started = 0, running = 0, ended = 0;
	int r = 0;

	p->tmps = xcalloc(n + 1, sizeof(*p->tmps));
	p->ids = xcalloc(n + 1, sizeof(*p->ids));
	p->metas = xcalloc(n + 1, sizeof(*p->metas));
	p->row_of = xcalloc(n + 1, sizeof(*p->row_of));
	progress_multi_init(&p->prog, n, p->o->progress);
	if (plan_layers(p, man, diff_ids, img, descs) < 0)
		return -1;
	jobs = xcalloc(p->n + 1, sizeof(*jobs));
	p->blob_dir = absolute(store_path(p->s, "blobs/sha256"));
	progress_multi_draw(&p->prog, true);
	if (p->n && reg_multi_start(&p->dl, p->e) < 0)
		return -1;
	while (r == 0 && ended < p->n) {
		while (r == 0 && started < p->n && running < JOBS) {
			r = start_job(p, &jobs[started], descs[started],
				      started);
			started++;
			running++;
		}
		if (r)
			break;
		j = wait_any(p, jobs, started);
		running--;
		ended++;
		if ((r = finish_job(p, j)) == 0) {
			img->size += (uint64_t)json_integer_value(
			    json_object_get(p->metas[j->k], "size"));
			progress_multi_set(&p->prog, p->row_of[j->k],
					   PROGRESS_COMPLETE, 0, 0);
			progress_multi_draw(&p->prog, true);
			FAULT_POINT("registry-after-layer");
		}
	}
	/* the first failure is the one told: the others are stopped */
	for (size_t k = 0; k < started; k++)
		stop_job(&jobs[k]);
	reg_multi_stop(&p->dl);
	/* the lines stay: on a failure as they were, the error under them */
	for (size_t k = 0; k < started; k++)
		free(jobs[k].what);
	return r;
}

/* The new layers and the image record, in place under the lock. */
static int commit(struct pull *p, const struct hm_image *img)
{
	int r = 0;

	if (store_lock(p->s, p->e) < 0)
		return -1;
	for (size_t i = 0; i < p->n && r == 0; i++) {
		r = store_layer_commit(p->s, p->tmps[i], p->ids[i], p->metas[i],
				       p->e);
		if (r == 0)
			free(steal_ptr(&p->tmps[i]));
	}
	if (r == 0)
		r = store_image_save(p->s, img, p->e);
	store_unlock(p->s);
	return r;
}

static int describe(struct pull *p, json_t *cfg, struct hm_image *img)
{
	const char *created =
	    json_string_value(json_object_get(cfg, "created"));
	const char *tag = image_ref_tag(&p->r);
	char now[40];

	util_now_rfc3339(now, sizeof(now));
	img->name = xstrdup(p->r.name);
	/* a digest alone names no tag: the digest's first hex digits */
	img->tag = tag ? xstrdup(tag)
		       : xasprintf("sha256-%.12s", sha256_hex(p->r.digest));
	img->config = oci_config_to_homo(cfg);
	img->history = oci_history(cfg);
	img->created = xstrdup(created && *created ? created : now);
	img->source = xasprintf("%s/%s@sha256:%s", p->r.domain, p->r.path,
				p->manifest_digest);
	return image_compute_id(img, p->e);
}

static int pull_image_of(struct pull *p, struct hm_image *img)
{
	cleanup_json json_t *man = NULL, *cfg = NULL;
	json_t *diff_ids;
	const char *cdg;

	man = resolve_manifest(p);
	if (!man)
		return -1;
	if (dist_check_manifest(man, p->e) < 0)
		return hm_prefix(p->e, "%s", p->what);
	cdg = json_string_value(
	    json_object_get(json_object_get(man, "config"), "digest"));
	cfg = get_json(p, "blobs", cdg, sha256_hex(cdg), MAX_CONFIG, NULL, 0);
	if (!cfg)
		return -1;
	diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	if (json_array_size(diff_ids) !=
	    json_array_size(json_object_get(man, "layers")))
		return hm_failx(
		    p->e, HM_EXIT_FAIL,
		    "%s: the config lists %zu diff ids for %zu "
		    "layers",
		    p->what, json_array_size(diff_ids),
		    json_array_size(json_object_get(man, "layers")));
	if (pull_layers(p, man, diff_ids, img) < 0)
		return -1;
	if (describe(p, cfg, img) < 0)
		return -1;
	return commit(p, img);
}

int registry_pull(struct hm_store *s, const struct registry_pull_opts *o,
		  struct hm_image *out, struct hm_err *e)
{
	struct pull p = {.s = s,
			 .o = o,
			 .e = e,
			 .mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER};
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (image_ref_parse_full(o->ref, &p.r, e) < 0)
		return -1;
	p.what = image_ref_string(&p.r);
	if (lazy_load(LIB_ARCHIVE, p.what, e) < 0 ||
	    lazy_load(LIB_CRYPTO, p.what, e) < 0 ||
	    reg_conn_init(&p.c, p.r.domain, p.r.path, o->tls_verify, e) < 0)
		goto out;
	r = pull_image_of(&p, out);
out:
	for (size_t i = 0; i < p.n; i++) {
		if (p.tmps[i])
			util_rm_rf(p.tmps[i], NULL);
		free(p.tmps[i]);
		free(p.ids[i]);
		json_decref(p.metas[i]);
	}
	free(p.tmps);
	free(p.blob_dir);
	free(p.ids);
	free(p.metas);
	free(p.row_of);
	progress_multi_free(&p.prog);
	if (r < 0)
		image_free(out);
	reg_conn_free(&p.c);
	image_ref_free(&p.r);
	free(p.what);
	return r;
}
