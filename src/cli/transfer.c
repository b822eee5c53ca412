/* SPDX-License-Identifier: MIT */
/* Layers out and back in: commit, export, save, load. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "image/commit.h"
#include "runtime/container.h"
#include "runtime/control.h"
#include "runtime/snapshot.h"
#include "image/oci.h"

const char cmd_commit_usage[] =
    "Usage: homo commit [OPTIONS] CONTAINER|DIR [NAME[:TAG]]\n\n"
    "Create an image from a container's changes: its upper layer becomes a\n"
    "new layer on top of its image's layers. A running container is frozen\n"
    "while its changes are read. DIR (any path with a '/') is a directory\n"
    "laid out as an overlay upperdir, committed on top of --parent or as a\n"
    "one-layer image. Without NAME the image is named after the container\n"
    "(or directory) and tagged with its short id. Prints the image id.\n\n"
    "Options:\n"
    "  -m, --message MSG     commit message (the config's comment)\n"
    "  -c, --change INSTR    apply a Dockerfile instruction to the config\n"
    "                        (repeatable): CMD, ENTRYPOINT (JSON or shell\n"
    "                        form), ENV A=1 B=2, LABEL k=v, EXPOSE 80/tcp,\n"
    "                        VOLUME /d, STOPSIGNAL SIG, WORKDIR /d, USER u\n"
    "      --parent IMAGE    base image of a DIR commit\n"
    "  -q, --quiet           no progress bar\n";

const char cmd_export_usage[] =
    "Usage: homo export [OPTIONS] CONTAINER\n\n"
    "Write the container's filesystem (its image's layers and its changes,\n"
    "merged) as one flat tar archive, to standard output unless -o is\n"
    "given. 'homo pull' of the archive gives the same tree.\n\n"
    "Options:\n"
    "  -o, --output FILE     write to FILE instead\n"
    "  -q, --quiet           no progress bar\n";

const char cmd_save_usage[] =
    "Usage: homo save [OPTIONS] IMAGE...\n\n"
    "Write images as an OCI image layout tar archive (oci-layout,\n"
    "index.json, blobs: manifests, configs and one gzip layer per layer;\n"
    "a Docker manifest.json too), to standard output unless -o is given.\n"
    "'homo load', 'skopeo copy oci-archive:' and 'podman load' read it.\n\n"
    "Options:\n"
    "  -o, --output FILE     write to FILE instead\n"
    "  -q, --quiet           no progress bar\n";

const char cmd_load_usage[] =
    "Usage: homo load [OPTIONS]\n\n"
    "Load images from an OCI image layout archive or a 'docker save'\n"
    "archive (any compression), from standard input unless -i is given.\n"
    "Every digest is checked. Prints 'Loaded image: NAME:TAG' for each.\n\n"
    "Options:\n"
    "  -i, --input FILE      read FILE instead\n"
    "  -q, --quiet           no progress bar\n";

/*
 * ---- output files: an unnamed file (O_TMPFILE) in FILE's directory, given
 * its name when complete; a killed homo leaves nothing behind. Where the
 * filesystem has no O_TMPFILE, a temp name beside FILE instead.
 */

struct out_file {
	char *path, *tmp;
	int fd;
	bool unnamed; /* O_TMPFILE: linked in at out_close() */
};

static int out_open(struct out_file *f, const char *path, const char *cmd,
		    struct hm_err *e)
{
	cleanup_free char *dir = NULL;
	const char *slash = strrchr(path ? path : "", '/');

	f->path = f->tmp = NULL;
	f->fd = -1;
	f->unnamed = false;
	if (!path) {
		if (isatty(STDOUT_FILENO))
			return cmd_usage_error(e, cmd,
					       "refusing to write an archive "
					       "to a terminal: use -o FILE "
					       "or a redirect");
		f->fd = STDOUT_FILENO;
		return 0;
	}
	dir = slash ? xasprintf("%.*s", (int)(slash - path) + (slash == path),
				path)
		    : xstrdup(".");
	f->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	f->unnamed = f->fd >= 0;
	f->tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
	if (f->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR))
		f->fd =
		    open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (f->fd < 0) {
		hm_fail(e, errno, "create \"%s\"", path);
		free(f->tmp);
		return -1;
	}
	f->path = xstrdup(path);
	return 0;
}

/* @ok: keep the file (name it), otherwise remove it. */
static int out_close(struct out_file *f, bool ok, struct hm_err *e)
{
	int r = 0;

	if (!f->path)
		return 0;
	if (ok && f->unnamed) {
		cleanup_free char *fd_path =
		    xasprintf("/proc/self/fd/%d", f->fd);

		/* linkat cannot replace a file: a temp name, then rename */
		if (linkat(AT_FDCWD, fd_path, AT_FDCWD, f->tmp,
			   AT_SYMLINK_FOLLOW) < 0)
			r = hm_fail(e, errno, "create \"%s\"", f->path);
	}
	if (close(f->fd) < 0 && ok && r == 0)
		r = hm_fail(e, errno, "write \"%s\"", f->path);
	if (ok && r == 0 && rename(f->tmp, f->path) < 0)
		r = hm_fail(e, errno, "rename \"%s\"", f->tmp);
	if ((!ok || r < 0) && (!f->unnamed || ok))
		unlink(f->tmp);
	free(f->path);
	free(f->tmp);
	return r;
}

static bool is_path(const char *s)
{
	return strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..");
}

/* Docker's: a container event, or an image one for a directory. */
static void commit_event(const struct hm_store *st, const char *ref,
			 const struct hm_image *img)
{
	cleanup_free char *iid = xasprintf("sha256:%s", img->id);
	char id[65];

	if (!is_path(ref) && container_find(st, ref, id, NULL) == 0)
		container_event(st, id, "commit", "imageID", iid);
	else
		cmd_image_event(st, "commit", img->id, img->name, img->tag);
}

int cmd_commit(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"message", required_argument, NULL, 'm'},
	    {"change", required_argument, NULL, 'c'},
	    {"parent", required_argument, NULL, 'p'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct commit_opts o = {.progress = isatty(STDERR_FILENO)};
	cleanup_strv char **changes = NULL;
	struct hm_image img;
	int c, r;

	while ((c = cmd_getopt("commit", argc, argv, "m:c:qh", opts, e)) !=
	       -1) {
		switch (c) {
		case 'm':
			o.message = optarg;
			break;
		case 'c':
			changes = strv_push(changes, optarg);
			break;
		case 'p':
			o.parent = optarg;
			break;
		case 'q':
			o.progress = false;
			break;
		case 'h':
			return cmd_help("commit");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_usage_error(e, "commit",
				       "expected CONTAINER|DIR [NAME[:TAG]]");
	o.changes = changes;
	o.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (o.parent && !is_path(argv[optind]))
		return cmd_usage_error(e, "commit",
				       "--parent goes with a directory");
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	if (is_path(argv[optind]))
		r = commit_dir(&ctx->store, argv[optind], &o, &img, e);
	else
		r = commit_container(&ctx->store, argv[optind], &o, &img, e);
	if (r < 0)
		return -1;
	printf("sha256:%s\n", img.id);
	commit_event(&ctx->store, argv[optind], &img);
	image_free(&img);
	return 0;
}

/* -o FILE and -q, shared by export and save. */
static int out_options(const char *cmd, int argc, char **argv, const char **out,
		       bool *progress, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	*out = NULL;
	*progress = isatty(STDERR_FILENO);
	while ((c = cmd_getopt(cmd, argc, argv, "o:qh", opts, e)) != -1) {
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case 'q':
			*progress = false;
			break;
		case 'h':
			return 1;
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	return 0;
}

int cmd_export(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct out_file f;
	const char *out;
	bool progress;
	int r;

	r = out_options("export", argc, argv, &out, &progress, e);
	if (r)
		return r < 0 ? -1 : cmd_help("export");
	if (argc - optind != 1)
		return cmd_usage_error(e, "export", "expected CONTAINER");
	if (cmd_open_store(ctx, e) < 0 || out_open(&f, out, "export", e) < 0)
		return -1;
	r = export_container(&ctx->store, argv[optind], f.fd, progress, e);
	if (out_close(&f, r == 0, e) < 0)
		return -1;
	return r;
}

int cmd_save(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct out_file f;
	const char *out;
	bool progress;
	int r;

	r = out_options("save", argc, argv, &out, &progress, e);
	if (r)
		return r < 0 ? -1 : cmd_help("save");
	if (argc - optind < 1)
		return cmd_usage_error(e, "save", "expected IMAGE...");
	if (cmd_open_store(ctx, e) < 0 || out_open(&f, out, "save", e) < 0)
		return -1;
	r = oci_save(&ctx->store, argv + optind, f.fd, progress, e);
	if (out_close(&f, r == 0, e) < 0)
		return -1;
	for (int i = optind; r == 0 && i < argc; i++)
		cmd_image_event(&ctx->store, "save", argv[i], argv[i], NULL);
	return r;
}

int cmd_load(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"input", required_argument, NULL, 'i'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	cleanup_strv char **loaded = NULL;
	cleanup_close int fd = -1;
	const char *in = NULL;
	bool progress = isatty(STDERR_FILENO);
	int c;

	while ((c = cmd_getopt("load", argc, argv, "i:qh", opts, e)) != -1) {
		switch (c) {
		case 'i':
			in = optarg;
			break;
		case 'q':
			progress = false;
			break;
		case 'h':
			return cmd_help("load");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind < argc)
		return cmd_usage_error(e, "load", "unexpected argument \"%s\"",
				       argv[optind]);
	if (!in && isatty(STDIN_FILENO))
		return cmd_usage_error(e, "load",
				       "no archive on standard input: use -i "
				       "FILE or a redirect");
	fd = in ? open(in, O_RDONLY | O_CLOEXEC)
		: fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return hm_fail(e, errno, "%s", in ? in : "standard input");
	if (cmd_open_store(ctx, e) < 0 ||
	    oci_load(&ctx->store, fd, progress, &loaded, e) < 0)
		return -1;
	for (size_t i = 0; loaded[i]; i++) {
		printf("Loaded image: %s\n", loaded[i]);
		cmd_image_event(&ctx->store, "load", loaded[i], loaded[i],
				NULL);
	}
	return 0;
}
