/* SPDX-License-Identifier: MIT */
/* homo system check [--repair]: the store's consistency (fsck.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "ops/fsck.h"

const char cmd_system_usage[] =
    "Usage: homo system check [OPTIONS]\n\n"
    "Check the store under its lock and print one line per problem:\n"
    "temp files of killed commands, containers marked running whose homo\n"
    "is gone, unreadable state.json, config.json or image records, names\n"
    "of removed containers, image records naming missing layers, orphan\n"
    "layers, runtime dirs or cgroups of containers that are not running,\n"
    "and container records lacking a security field (they run with its\n"
    "safe value). Without --repair nothing is changed.\n\n"
    "Exit status: 0 when the store is consistent (or was repaired), 1 when\n"
    "problems remain.\n\n"
    "Options:\n"
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
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			repair = true;
			break;
		case 'h':
			return cmd_help("system");
		default:
			return cmd_usage_error(e, "system", "bad option");
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

int cmd_system(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cmd_help("system");
	if (argc < 2)
		return cmd_usage_error(e, "system",
				       "expected a subcommand: "
				       "check");
	if (strcmp(argv[1], "check"))
		return cmd_usage_error(e, "system",
				       "unknown subcommand \"%s\" (only check)",
				       argv[1]);
	return system_check(ctx, argc - 1, argv + 1, e);
}
