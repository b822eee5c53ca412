/* SPDX-License-Identifier: MIT */
/* The image commands: pull, images, tag, rmi (inspect is inspect.c's). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"
#include "common.h"
#include "format.h"
#include "image/distribution.h"
#include "image/pull.h"
#include "runtime/container.h"

/*
 * A registry reference, not a tarball: not "-", not a URL, no file of that
 * name, and not a path by its form ("./x", "/x", "x.tar.gz").
 */
static bool is_reference(const char *src)
{
	static const char *const exts[] = {".tar", ".tgz", ".gz",  ".xz",
					   ".zst", ".bz2", ".txz", ".tzst"};
	size_t n = strlen(src);

	if (!strcmp(src, "-") || strstr(src, "://") || access(src, F_OK) == 0 ||
	    src[0] == '/' || src[0] == '.')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t el = strlen(exts[i]);

		if (n > el && !strcmp(src + n - el, exts[i]))
			return false;
	}
	return true;
}

static int pull_reference(struct hm_ctx *ctx, const struct pull_opts *po,
			  const char *platform, bool tls_verify,
			  struct hm_err *e)
{
	struct registry_pull_opts o = {.ref = po->source,
				       .platform = platform,
				       .tls_verify = tls_verify,
				       .progress = po->progress,
				       .max_bytes = po->max_bytes};
	struct hm_image img;

	if (po->ref || po->expect_sha256)
		return cmd_usage_error(e, "pull",
				       "a registry reference takes no NAME "
				       "and no --sha256 (its digests are "
				       "checked)");
	if (cmd_open_store(ctx, e) < 0 ||
	    registry_pull(&ctx->store, &o, &img, e) < 0)
		return -1;
	printf("sha256:%s\n", img.id);
	image_free(&img);
	return 0;
}

int cmd_pull(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"sha256", required_argument, NULL, 's'},
	    {"max-size", required_argument, NULL, 'M'},
	    {"platform", required_argument, NULL, 'P'},
	    {"tls-verify", optional_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct pull_opts o = {.progress = isatty(STDERR_FILENO)};
	const char *platform = NULL;
	bool tls_verify = true;
	const char *max = getenv("HOMO_PULL_MAX_SIZE");
	const char *what = "HOMO_PULL_MAX_SIZE";
	struct hm_image img;
	int64_t bytes;
	int c;

	while ((c = cmd_getopt("pull", argc, argv, "+qh", opts, e)) != -1) {
		switch (c) {
		case 'q':
			o.progress = false;
			break;
		case 's':
			o.expect_sha256 = optarg;
			break;
		case 'M':
			max = optarg;
			what = "--max-size";
			break;
		case 'P':
			platform = optarg;
			if (!strchr(optarg, '/'))
				return cmd_usage_error(
				    e, "pull",
				    "--platform \"%s\": expected "
				    "OS/ARCH[/VARIANT]",
				    optarg);
			break;
		case 'T':
			if (!optarg)
				optarg = "true";
			if (strcmp(optarg, "true") && strcmp(optarg, "false"))
				return cmd_usage_error(
				    e, "pull",
				    "--tls-verify \"%s\": expected "
				    "true or false",
				    optarg);
			tls_verify = !strcmp(optarg, "true");
			break;
		case 'h':
			return cmd_help("pull");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_usage_error(e, "pull",
				       "expected SOURCE [NAME[:TAG]]");
	o.source = argv[optind];
	o.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (!strcmp(o.source, "-") && isatty(STDIN_FILENO))
		return cmd_usage_error(e, "pull",
				       "refusing to read a tarball from a "
				       "terminal: redirect standard input");
	/* a tarball bomb stops here instead of filling the disk */
	if (max && *max) {
		if (num_parse_size(max, INT64_MAX, &bytes) < 0)
			return hm_failx(e, HM_EXIT_FAIL,
					"%s \"%s\": expected %s", what, max,
					NUM_SIZE_HINT);
		o.max_bytes = (uint64_t)bytes;
	}
	if (is_reference(o.source))
		return pull_reference(ctx, &o, platform, tls_verify, e);
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	if (pull_image(&ctx->store, &o, &img, e) < 0)
		return -1;
	printf("sha256:%s\n", img.id);
	cmd_image_event(&ctx->store, "pull", img.name, img.name, img.tag);
	image_free(&img);
	return 0;
}

static void created_at(char *out, size_t n, const char *rfc3339)
{
	time_t t = (time_t)util_parse_rfc3339(rfc3339);
	struct tm tm;

	/* Go's time.Time.String(), as Docker's CreatedAt */
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
}

/* Docker's images fields of one image (docker images --format json) */
static json_t *images_json(const struct hm_image *img, bool no_trunc)
{
	char created[64], since[64] = "N/A", d[48], size[32];
	int64_t t = util_parse_rfc3339(img->created);

	created_at(created, sizeof(created), img->created);
	if (t >= 0) {
		util_format_duration(d, sizeof(d), (int64_t)time(NULL) - t);
		snprintf(since, sizeof(since), "%s ago", d);
	}
	util_format_size(size, sizeof(size), img->size);
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "Containers", "N/A", "CreatedAt", created, "CreatedSince", since,
	    "Digest", "<none>", "ID",
	    no_trunc ? json_sprintf("sha256:%s", img->id)
		     : json_sprintf("%.12s", img->id),
	    "Repository", img->name, "SharedSize", "N/A", "Size", size, "Tag",
	    image_is_dangling(img) ? IMAGE_DANGLING : img->tag, "UniqueSize",
	    "N/A", "VirtualSize", size);
}

#define IMAGES_TABLE                                                    \
	"table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t" \
	"{{.Size}}"

static int images_print(const char *format, bool no_trunc,
			const struct hm_image *v, size_t n, struct hm_err *e)
{
	cleanup_json json_t *head =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		      "Containers", "CONTAINERS", "CreatedAt", "CREATED AT",
		      "CreatedSince", "CREATED", "Digest", "DIGEST", "ID",
		      "IMAGE ID", "Repository", "REPOSITORY", "SharedSize",
		      "SHARED SIZE", "Size", "SIZE", "Tag", "TAG", "UniqueSize",
		      "UNIQUE SIZE", "VirtualSize", "VIRTUAL SIZE");
	struct cmd_fmt f;
	int r = 0;

	if (cmd_fmt_init(&f, "images", format, IMAGES_TABLE, e) < 0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		cleanup_json json_t *row = images_json(&v[i], no_trunc);

		r = cmd_fmt_row(&f, row, e);
	}
	if (r == 0)
		r = cmd_fmt_end(&f, head, e);
	cmd_fmt_free(&f);
	return r;
}

int cmd_images(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'f'},
	    {"no-trunc", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	bool quiet = false, no_trunc = false;
	const char *format = NULL;
	cleanup_strv char **bad = NULL;
	struct hm_image *v;
	size_t n;
	int c, r;

	while ((c = cmd_getopt("images", argc, argv, "+qf:h", opts, e)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'f':
			format = optarg;
			break;
		case 'T':
			no_trunc = true;
			break;
		case 'h':
			return cmd_help("images");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind < argc)
		return cmd_usage_error(
		    e, "images", "unexpected argument \"%s\"", argv[optind]);
	if (cmd_open_store(ctx, e) < 0 ||
	    store_image_list_bad(&ctx->store, &v, &n, &bad, e) < 0)
		return -1;
	/* one corrupt record must not hide the others */
	for (size_t i = 0; bad && bad[i]; i++)
		fprintf(stderr, "homo: warning: %s\n", bad[i]);
	/* as Docker's: -q is for the table; a format of one's own wins */
	if (quiet && (!format || !strncmp(format, "table", 5)))
		format = "{{.ID}}";
	r = images_print(format, no_trunc, v, n, e);
	image_list_free(v, n);
	return r;
}

int cmd_tag(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	cleanup_free char *name = NULL, *tag = NULL;
	struct hm_image img;
	int r;

	r = cmd_no_options("tag", argc, argv, e);
	if (r)
		return r > 0 ? cmd_help("tag") : -1;
	if (argc - optind != 2)
		return cmd_usage_error(e, "tag", "expected SOURCE TARGET");
	argv += optind - 1; /* SOURCE is argv[1], TARGET argv[2] */
	if (image_ref_parse(argv[2], &name, &tag, e) < 0 ||
	    cmd_open_store(ctx, e) < 0 || store_lock(&ctx->store, e) < 0)
		return -1;
	if (store_image_find(&ctx->store, argv[1], &img, NULL, e) < 0)
		return -1;
	free(img.name);
	free(img.tag);
	img.name = steal_ptr(&name);
	img.tag = steal_ptr(&tag);
	r = store_image_save(&ctx->store, &img, e);
	if (r == 0)
		cmd_image_event(&ctx->store, "tag", img.id, img.name, img.tag);
	image_free(&img);
	return r;
}

/* A running container of image @id (malloc'd), or NULL. */
static char *running_user(struct hm_store *s, const char *id)
{
	cleanup_strv char **ids = container_list(s);

	for (size_t i = 0; ids[i]; i++) {
		struct hm_state state;
		struct hm_spec sp;
		bool hit;

		if (container_load_spec(s, ids[i], &sp, NULL) < 0)
			continue;
		hit = !strcmp(sp.image_id, id) &&
		      container_check(s, ids[i], &state, NULL) == 0 &&
		      state.status == ST_RUNNING;
		spec_free(&sp);
		if (hit)
			return xstrdup(ids[i]);
	}
	return NULL;
}

/* Remove one name (or, for an id, its names); keep layers others use. */
static int rmi_one(struct hm_store *s, const char *ref, bool force,
		   struct hm_err *e)
{
	struct hm_image img, *v = NULL;
	cleanup_free char *user = NULL;
	size_t n = 0, names = 0;
	bool by_id;
	int r = 0;

	if (store_image_find(s, ref, &img, &by_id, e) < 0)
		return -1;
	if (store_image_list(s, &v, &n, e) < 0) {
		image_free(&img);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		names += !strcmp(v[i].id, img.id);
	if (by_id && names > 1 && !force) {
		hm_failx(e, HM_EXIT_FAIL,
			 "image %.12s: referenced by %zu names: remove them "
			 "by name, or use -f",
			 img.id, names);
		r = -1;
		goto out;
	}
	/* The last name of an image a container uses must stay; with -f it
	 * goes, and the image stays as <none> while used (Docker). */
	if (names == 1 || by_id) {
		user = container_image_user(s, img.id);
		if (user && !force) {
			hm_failx(e, HM_EXIT_FAIL,
				 "image \"%s\" is used by container %.12s: "
				 "remove the container first (homo rm %.12s)",
				 ref, user, user);
			r = -1;
			goto out;
		}
	}
	/* by id, a running user is a conflict -f cannot force (Docker) */
	if (by_id && user) {
		cleanup_free char *up = running_user(s, img.id);

		if (up) {
			hm_failx(e, HM_EXIT_FAIL,
				 "image %.12s is used by running container "
				 "%.12s: stop it first",
				 img.id, up);
			r = -1;
			goto out;
		}
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		bool hit = by_id ? !strcmp(v[i].id, img.id)
				 : !strcmp(v[i].name, img.name) &&
				       !strcmp(v[i].tag, img.tag);

		if (!hit)
			continue;
		r = user && !image_is_dangling(&v[i])
			? store_image_untag_keep(s, v[i].name, v[i].tag, e)
		    : user ? 0
			   : store_image_remove_name(s, v[i].name, v[i].tag, e);
		if (r == 0 && !image_is_dangling(&v[i])) {
			printf("Untagged: %s:%s\n", v[i].name, v[i].tag);
			cmd_image_event(s, "untag", img.id, v[i].name,
					v[i].tag);
		}
	}
	if ((names == 1 || by_id) && !user) {
		printf("Deleted: sha256:%s\n", img.id);
		cmd_image_event(s, "delete", img.id, img.name, img.tag);
	}
out:
	image_list_free(v, n);
	image_free(&img);
	return r;
}

int cmd_rmi(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct hm_err first = {0};
	bool force = false;
	size_t removed;
	int c, failed = 0;

	while ((c = cmd_getopt("rmi", argc, argv, "+fh", opts, e)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			return cmd_help("rmi");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, "rmi", "expected IMAGE...");
	if (cmd_open_store(ctx, e) < 0 || store_lock(&ctx->store, e) < 0)
		return -1;
	/* Like docker rmi: go on with the others, report each failure. */
	for (int i = optind; i < argc; i++) {
		if (rmi_one(&ctx->store, argv[i], force, e) == 0)
			continue;
		if (!failed++)
			first = *e;
		else
			fprintf(stderr, "homo: %s\n", e->msg);
	}
	if (store_gc_layers(&ctx->store, container_pinned_layers, NULL,
			    &removed, e) < 0)
		return -1;
	if (failed) {
		*e = first;
		return -1;
	}
	return 0;
}

/* Remove dangling images (with @all: every image) no container uses. */
int image_prune(struct hm_store *s, bool all, struct hm_err *e)
{
	struct hm_image *v = NULL;
	size_t n = 0, removed;
	int r = 0;

	if (store_image_list(s, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		cleanup_free char *user = NULL;
		bool last;

		if (!all && !image_is_dangling(&v[i]))
			continue;
		user = container_image_user(s, v[i].id);
		if (user)
			continue;
		r = store_image_remove_name(s, v[i].name, v[i].tag, e);
		if (r < 0)
			break;
		if (!image_is_dangling(&v[i])) {
			printf("Untagged: %s:%s\n", v[i].name, v[i].tag);
			cmd_image_event(s, "untag", v[i].id, v[i].name,
					v[i].tag);
		}
		/* an image's last record gone: the image is (a container
		 * keeps all of an image's names, so none is skipped) */
		last = true;
		for (size_t k = i + 1; k < n; k++)
			last &= !!strcmp(v[k].id, v[i].id);
		if (last) {
			printf("Deleted: sha256:%s\n", v[i].id);
			cmd_image_event(s, "delete", v[i].id, v[i].name,
					v[i].tag);
		}
	}
	image_list_free(v, n);
	if (r == 0 &&
	    store_gc_layers(s, container_pinned_layers, NULL, &removed, e) < 0)
		return -1;
	return r;
}

int cmd_image(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	bool all = false;
	int c = cmd_group_options("image", argc, argv, e);

	if (c)
		return c > 0 ? 0 : -1;
	if (argc < 2)
		return cmd_usage_error(e, "image",
				       "expected a subcommand: prune");
	if (strcmp(argv[1], "prune"))
		return cmd_usage_error(e, "image",
				       "unknown subcommand \"%s\" (only prune)",
				       argv[1]);
	argc--;
	argv++;
	optind = 0;
	while ((c = cmd_getopt("image", argc, argv, "+ah", opts, e)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'h':
			return cmd_help("image");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind < argc)
		return cmd_usage_error(e, "image", "unexpected argument \"%s\"",
				       argv[optind]);
	if (cmd_open_store(ctx, e) < 0 || store_lock(&ctx->store, e) < 0)
		return -1;
	return image_prune(&ctx->store, all, e);
}
