/* SPDX-License-Identifier: MIT */
/* homo cp and homo diff (runtime/copy.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "runtime/copy.h"

const char cmd_cp_usage[] =
    "Usage: homo cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
    "       homo cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
    "Copy files between a container, running or stopped, and the host.\n"
    "Paths in the container are resolved inside it: a symlink there never\n"
    "reaches the host. As Docker's cp: a file goes to DEST, or into it if\n"
    "it is a directory; a directory goes into DEST if it exists (its\n"
    "contents with SRC_PATH/.), else becomes DEST. '-' is a tar stream on\n"
    "standard output or input (unpacked into the directory DEST_PATH).\n"
    "Owners become root's unless -a. Hard links are copied as files.\n\n"
    "Options:\n"
    "  -a, --archive        keep owners (uid/gid)\n"
    "  -L, --follow-link    follow a symlink that SRC_PATH is\n";

const char cmd_diff_usage[] =
    "Usage: homo diff CONTAINER\n\n"
    "List the files a container changed since it was created: A added,\n"
    "C changed, D deleted (read from its upper layer).\n";

/* "CTR:PATH" (no '/' before the ':'): the container part, and the path */
static char *split_ref(char *arg, char **path)
{
	char *colon = strchr(arg, ':');
	char *slash = strchr(arg, '/');

	if (!colon || colon == arg || (slash && slash < colon))
		return NULL;
	*colon = '\0';
	*path = colon + 1;
	return arg;
}

int cmd_cp(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"archive", no_argument, NULL, 'a'},
	    {"follow-link", no_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct copy_opts o = {0};
	cleanup_free char *src = NULL, *dst = NULL;
	char *sctr, *dctr, *spath = NULL, *dpath = NULL;
	int c;

	while ((c = cmd_getopt("cp", argc, argv, "+aLh", opts, e)) != -1) {
		if (c == 'h')
			return cmd_help("cp");
		if (c == 'a')
			o.archive = true;
		else if (c == 'L')
			o.follow = true;
		else
			return -1;
	}
	if (argc - optind != 2)
		return cmd_usage_error(e, "cp", "expected SRC and DEST");
	src = xstrdup(argv[optind]);
	dst = xstrdup(argv[optind + 1]);
	sctr = split_ref(src, &spath);
	dctr = split_ref(dst, &dpath);
	if (!!sctr == !!dctr)
		return cmd_usage_error(
		    e, "cp",
		    sctr ? "copying between containers is not supported"
			 : "one of SRC and DEST must be CONTAINER:PATH");
	if ((sctr && !*spath) || (dctr && !*dpath))
		return cmd_usage_error(e, "cp", "empty path in the container");
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	if (sctr) {
		if (!strcmp(dst, "-") && isatty(STDOUT_FILENO))
			return cmd_usage_error(e, "cp",
					       "refusing to write a tar stream "
					       "to a terminal");
		return copy_from_container(&ctx->store, sctr, spath,
					   strcmp(dst, "-") ? dst : NULL,
					   STDOUT_FILENO, &o, e);
	}
	return copy_to_container(&ctx->store, dctr,
				 strcmp(src, "-") ? src : NULL, dpath,
				 STDIN_FILENO, &o, e);
}

static void print_change(char kind, const char *path, void *arg)
{
	(void)arg;
	printf("%c %s\n", kind, path);
}

int cmd_diff(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int r = cmd_no_options("diff", argc, argv, e);

	if (r)
		return r > 0 ? cmd_help("diff") : -1;
	if (argc - optind != 1)
		return cmd_usage_error(e, "diff", "expected one CONTAINER");
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	return container_diff(&ctx->store, argv[optind], print_change, NULL, e);
}
