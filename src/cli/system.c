/* SPDX-License-Identifier: MIT */
/*
 * homo system check [--repair]: the store's consistency (fsck.c).
 * homo system boot: what a machine's start owes the containers.
 * homo system df: info.c's.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "common.h"
#include "ops/fsck.h"
#include "runtime/lifecycle.h"

const char cmd_system_usage[] =
    "Usage: homo system check [OPTIONS]\n"
    "       homo system boot\n"
    "       homo system prune [-f] [-a] [--volumes]\n"
    "       homo system df [--format FORMAT]\n\n"
    "prune: remove stopped containers and dangling images (-a: every\n"
    "image no container uses; --volumes: unused volumes too, where this\n"
    "homo has them), then the layers nothing uses, and print the total\n"
    "reclaimed space. Asks for confirmation without -f.\n\n"
    "df: disk usage as Docker's: images (each layer once; reclaimable what\n"
    "no container uses), containers (their upper layers; reclaimable the\n"
    "stopped ones') and local volumes. --format: a Go template a row\n"
    "({{.Type}} {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}),\n"
    "'table TEMPLATE' or json.\n\n"
    "boot: start the containers whose --restart policy says so after the\n"
    "machine started (always; unless-stopped unless stopped by the user;\n"
    "on-failure after a failed exit), remove exited --rm containers, print\n"
    "one line for each. Idempotent: running containers are left alone.\n"
    "Also restarts containers whose monitor was killed. Run at boot by\n"
    "the systemd unit homo-boot.service.\n\n"
    "check: check the store under its lock and print one line per problem:\n"
    "temp files of killed commands, containers marked running whose homo\n"
    "is gone, unreadable state.json, config.json or image records, names\n"
    "of removed containers, image records naming missing layers, orphan\n"
    "layers, runtime dirs or cgroups of containers that are not running,\n"
    "and container records lacking a security field (they run with its\n"
    "safe value). Without --repair nothing is changed.\n\n"
    "Exit status of check: 0 when the store is consistent (or was\n"
    "repaired), 1 when problems remain.\n\n"
    "Options of check:\n"
    "      --repair         mend what was found: remove debris, orphans and\n"
    "                       stale names, settle stale containers, reset an\n"
    "                       unreadable state.json, move unreadable records\n"
    "                       aside to ROOT/broken/\n";

static void print_line(const char *line, void *arg)
{
	(void)arg;
	printf("%s\n", line);
}

static int system_check(struct hm_ctx *ctx, int argc, char **argv,
			struct hm_err *e)
{
	static const struct option opts[] = {
	    {"repair", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct fsck_result res;
	bool repair = false;
	int c;

	optind = 0;
	while ((c = cmd_getopt("system", argc, argv, "+h", opts, e)) != -1) {
		switch (c) {
		case 'r':
			repair = true;
			break;
		case 'h':
			return cmd_help("system");
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind < argc)
		return cmd_usage_error(
		    e, "system", "unexpected argument \"%s\"", argv[optind]);
	if (cmd_open_store(ctx, e) < 0 ||
	    fsck_run(&ctx->store, repair, print_line, NULL, &res, e) < 0)
		return -1;
	if (!res.found)
		printf("no problems found\n");
	else if (repair)
		printf("%zu problem%s found, %zu repaired\n", res.found,
		       res.found == 1 ? "" : "s", res.repaired);
	else
		printf("%zu problem%s found: 'homo system check --repair' "
		       "mends them\n",
		       res.found, res.found == 1 ? "" : "s");
	return res.found > res.repaired ? 1 : 0;
}

static int system_boot(struct hm_ctx *ctx, int argc, char **argv,
		       struct hm_err *e)
{
	static const char *const done[] = {
	    [BOOT_STARTED] = "started", [BOOT_REMOVED] = "removed"};
	cleanup_strv char **ids = NULL;
	struct hm_err first = {0};
	bool failed = false;
	int r = cmd_no_options("system", argc, argv, e);

	if (r)
		return r > 0 ? cmd_help("system") : -1;
	if (optind < argc)
		return cmd_usage_error(e, "system",
				       "boot: unexpected argument \"%s\"",
				       argv[optind]);
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	ids = container_list(&ctx->store);
	/* one container's failure is no reason to leave the others down */
	for (size_t i = 0; ids[i]; i++) {
		r = container_boot(&ctx->store, ids[i], e);
		if (r > BOOT_NONE) {
			printf("%s %.12s\n", done[r], ids[i]);
			fflush(stdout);
		} else if (r < 0 && !failed) {
			first = *e;
			failed = true;
		} else if (r < 0) {
			fprintf(stderr, "homo: %s\n", e->msg);
		}
	}
	if (!failed)
		return 0;
	*e = first;
	return -1;
}

int cmd_system(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int r = cmd_group_options("system", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc < 2)
		return cmd_usage_error(e, "system",
				       "expected a subcommand: "
				       "check, boot, df or prune");
	if (!strcmp(argv[1], "boot"))
		return system_boot(ctx, argc - 1, argv + 1, e);
	if (!strcmp(argv[1], "prune"))
		return cmd_system_prune(ctx, argc - 1, argv + 1, e);
	if (!strcmp(argv[1], "df"))
		return cmd_system_df(ctx, argc - 1, argv + 1, e);
	if (strcmp(argv[1], "check"))
		return cmd_usage_error(
		    e, "system",
		    "unknown subcommand \"%s\" (check, boot, df or prune)",
		    argv[1]);
	return system_check(ctx, argc - 1, argv + 1, e);
}
