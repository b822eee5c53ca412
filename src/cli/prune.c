/* SPDX-License-Identifier: MIT */
/*
 * container prune, system prune (image prune is image.c's), and the
 * "container" management command's own subcommand. Docker's prompt
 * without -f; sizes in Docker's units.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "common.h"
#include "runtime/container.h"

const char cmd_container_usage[] =
    "Usage: homo container COMMAND\n\n"
    "Manage containers. Every command but prune is the top-level command\n"
    "of the same name: ls (ps), rm, inspect, run, create, start, stop,\n"
    "kill, restart, logs, exec, wait, commit, export, pause, unpause, top,\n"
    "stats, rename, port (and diff, cp, attach where this homo has them).\n\n"
    "  homo container prune [-f]   remove every stopped container\n\n"
    "Without -f, prune asks for confirmation on standard input.\n";

/* Docker's prompt: yes only for "y" or "yes", any case. */
static bool confirm(const char *warning)
{
	char line[64] = "";

	fputs(warning, stdout);
	fputs("Are you sure you want to continue? [y/N] ", stdout);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

/* Remove every container not running (nor restarting, nor being made). */
static uint64_t prune_containers(struct hm_store *st)
{
	cleanup_strv char **ids = container_list(st);
	uint64_t total = 0;
	bool any = false;

	for (size_t i = 0; ids[i]; i++) {
		cleanup_free char *cdir = container_dir(st, ids[i]);
		struct hm_state state;
		struct hm_err w;
		uint64_t size;

		if (container_check(st, ids[i], &state, &w) < 0 ||
		    state.status == ST_RUNNING || state_owner_alive(&state))
			continue;
		size = util_dir_size(cdir);
		if (container_remove(st, ids[i], false, &w) < 0) {
			fprintf(stderr, "homo: %s\n", w.msg);
			continue;
		}
		if (!any)
			puts("Deleted Containers:");
		any = true;
		puts(ids[i]);
		total += size;
	}
	if (any)
		putchar('\n');
	return total;
}

static void print_reclaimed(uint64_t bytes)
{
	char size[32];

	util_format_size(size, sizeof(size), bytes);
	printf("Total reclaimed space: %s\n", size);
}

struct prune_opts {
	bool force, all, volumes;
};

static int prune_parse(const char *cmd, bool full, struct prune_opts *o,
		       int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"all", no_argument, NULL, 'a'},
	    {"volumes", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	/* container prune: no --all, no --volumes */
	static const struct option copts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	optind = 0;
	while ((c = cmd_getopt(cmd, argc, argv, full ? "+fah" : "+fh",
			       full ? opts : copts, e)) != -1) {
		if (c == 'f')
			o->force = true;
		else if (c == 'a')
			o->all = true;
		else if (c == 'V')
			o->volumes = true;
		else if (c == 'h')
			return 1;
		else
			return -1;
	}
	if (optind < argc)
		return cmd_usage_error(e, cmd, "unexpected argument \"%s\"",
				       argv[optind]);
	return 0;
}

static int container_prune(struct hm_ctx *ctx, int argc, char **argv,
			   struct hm_err *e)
{
	struct prune_opts o = {0};
	int r = prune_parse("container", false, &o, argc, argv, e);

	if (r != 0)
		return r > 0 ? cmd_help("container") : -1;
	if (!o.force &&
	    !confirm("WARNING! This will remove all stopped containers.\n"))
		return 0;
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	print_reclaimed(prune_containers(&ctx->store));
	return 0;
}

int cmd_container(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int r = cmd_group_options("container", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc < 2)
		return cmd_usage_error(e, "container", "expected a subcommand");
	if (strcmp(argv[1], "prune"))
		return cmd_usage_error(e, "container",
				       "unknown subcommand \"%s\"", argv[1]);
	return container_prune(ctx, argc - 1, argv + 1, e);
}

/* --volumes: the volume command's own prune, when this homo has one. */
static hm_cmd_fn volume_cmd(void)
{
	for (size_t i = 0; i < cmd_table_len; i++)
		if (!strcmp(cmd_table[i].name, "volume"))
			return cmd_table[i].fn;
	return NULL;
}

static const char *prune_warning(const struct prune_opts *o)
{
	static char text[400];

	snprintf(text, sizeof(text),
		 "WARNING! This will remove:\n"
		 "  - all stopped containers\n%s%s\n",
		 o->volumes ? "  - all volumes not used by at least one "
			      "container\n"
			    : "",
		 o->all ? "  - all images without at least one container "
			  "associated to them\n"
			: "  - all dangling images\n");
	return text;
}

int cmd_system_prune(struct hm_ctx *ctx, int argc, char **argv,
		     struct hm_err *e)
{
	cleanup_free char *layers = NULL;
	struct prune_opts o = {0};
	uint64_t total, before, after;
	int r = prune_parse("system", true, &o, argc, argv, e);

	if (r != 0)
		return r > 0 ? cmd_help("system") : -1;
	if (o.volumes && !volume_cmd())
		return hm_failx(e, HM_EXIT_FAIL,
				"system prune: --volumes: this homo has no "
				"volumes");
	if (!o.force && !confirm(prune_warning(&o)))
		return 0;
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	total = prune_containers(&ctx->store);
	layers = store_path(&ctx->store, "layers");
	before = util_dir_size(layers);
	if (store_lock(&ctx->store, e) < 0 ||
	    image_prune(&ctx->store, o.all, e) < 0)
		return -1;
	store_unlock(&ctx->store);
	if (o.volumes) {
		char *args[] = {"volume", "prune", "-f", NULL};

		optind = 0;
		if (volume_cmd()(ctx, 3, args, e) < 0)
			return -1;
	}
	after = util_dir_size(layers);
	print_reclaimed(total + (before > after ? before - after : 0));
	return 0;
}
