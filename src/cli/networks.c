/* SPDX-License-Identifier: MIT */
/* homo network create|ls|inspect|rm|prune (net/usernet.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/util.h"
#include "common.h"
#include "net/ipam.h"
#include "net/network.h"
#include "net/usernet.h"

const char cmd_network_usage[] =
    "Usage: homo network COMMAND\n\n"
    "Manage networks (see docs/network.md):\n"
    "  create [--subnet CIDR] [--gateway IP] [-d bridge] NAME\n"
    "                 a bridge of its own (default subnet: the first free\n"
    "                 10.89.N.0/24), isolated from the others; containers\n"
    "                 on it (run --network NAME) know each other by name\n"
    "  ls [-q]        list networks (bridge, host and none are built in)\n"
    "  inspect NAME...  show networks as JSON, with their containers\n"
    "  rm NAME...     remove networks no running container uses\n"
    "  prune [-f]     remove every user network no running container uses\n";

/* the built-ins' ids: fixed, from their names */
static void builtin_id(const char *name, char id[65])
{
	cleanup_free char *s = xasprintf("homo-network-%s", name);

	sha256_hex(s, strlen(s), id);
}

/* the default bridge as a network record */
static void default_net(const struct hm_store *st, struct hm_usernet *n)
{
	cleanup_free char *path = store_path(st, "net/ipam.json");
	struct ipam p;

	memset(n, 0, sizeof(*n));
	strcpy(n->name, "bridge");
	builtin_id("bridge", n->id);
	strcpy(n->bridge, NETWORK_BRIDGE);
	if (ipam_load(path, network_default_subnet(), &p, NULL) == 0) {
		ipam_cidr_str(&p, n->subnet);
		ipam_addr_str(ipam_gateway(&p), n->gateway);
		ipam_free(&p);
	}
}

static int net_create(struct hm_ctx *ctx, int argc, char **argv,
		      struct hm_err *e)
{
	static const struct option opts[] = {
	    {"subnet", required_argument, NULL, 's'},
	    {"gateway", required_argument, NULL, 'g'},
	    {"driver", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *subnet = NULL, *gw = NULL;
	struct hm_usernet n;
	int c;

	optind = 0; /* getopt's full reset */
	while ((c = cmd_getopt("network", argc, argv, "+d:h", opts, e)) != -1) {
		if (c == 'h')
			return cmd_help("network");
		if (c == '?')
			return -1;
		if (c == 's')
			subnet = optarg;
		else if (c == 'g')
			gw = optarg;
		else if (c == 'd' && strcmp(optarg, "bridge"))
			return hm_failx(e, HM_EXIT_FAIL,
					"network create: driver \"%s\": only "
					"bridge is supported",
					optarg);
	}
	if (argc - optind != 1)
		return cmd_usage_error(e, "network",
				       "create: expected one NAME");
	if (cmd_open_store(ctx, e) < 0 ||
	    usernet_create(&ctx->store, argv[optind], subnet, gw, &n, e) < 0)
		return -1;
	printf("%s\n", n.id);
	return 0;
}

/*
 * The options of ls, inspect, rm and prune: "+" then @letters, -q or -f
 * setting *@flag. Return: 0, 1 for --help, -1 with @e set.
 */
static int sub_opts(const char *letters, int argc, char **argv, bool *flag,
		    struct hm_err *e)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	optind = 0;
	while ((c = cmd_getopt("network", argc, argv, letters, opts, e)) !=
	       -1) {
		if (c == 'h') {
			cmd_help("network");
			return 1;
		}
		if (c == '?')
			return -1;
		/* one table for all: a long option of another subcommand */
		if (!strchr(letters, c))
			return cmd_usage_error(e, "network",
					       "--%s: unknown option",
					       c == 'q' ? "quiet" : "force");
		*flag = true;
	}
	return 0;
}

static int net_ls(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const char *const builtin[] = {"bridge", "host", "none"};
	cleanup_free struct hm_usernet *v = NULL;
	bool quiet = false;
	size_t n;
	char id[65];
	int r = sub_opts("+qh", argc, argv, &quiet, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc - optind > 0)
		return cmd_usage_error(e, "network", "ls: expected [-q]");
	if (cmd_open_store(ctx, e) < 0 ||
	    usernet_list(&ctx->store, &v, &n, e) < 0)
		return -1;
	if (!quiet)
		printf("%-14s %-20s %-8s %s\n", "NETWORK ID", "NAME", "DRIVER",
		       "SCOPE");
	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
		builtin_id(builtin[i], id);
		if (quiet)
			printf("%.12s\n", id);
		else
			printf("%-14.12s %-20s %-8s local\n", id, builtin[i],
			       i ? builtin[i] : "bridge");
	}
	for (size_t i = 0; i < n; i++)
		if (quiet)
			printf("%.12s\n", v[i].id);
		else
			printf("%-14.12s %-20s %-8s local\n", v[i].id,
			       v[i].name, "bridge");
	return 0;
}

static int net_inspect(struct hm_ctx *ctx, int argc, char **argv,
		       struct hm_err *e)
{
	json_t *all;
	struct hm_err first = {0};
	bool none = false;
	int r = sub_opts("+h", argc, argv, &none, e);

	if (r)
		return r > 0 ? 0 : -1;
	all = json_array();
	if (argc - optind < 1) {
		json_decref(all);
		return cmd_usage_error(e, "network",
				       "inspect: expected NAME...");
	}
	if (cmd_open_store(ctx, e) < 0) {
		json_decref(all);
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		struct hm_usernet n;
		struct hm_err w;

		if (!strcmp(argv[i], "bridge")) {
			default_net(&ctx->store, &n);
		} else if (usernet_find(&ctx->store, argv[i], &n, &w) < 0) {
			if (!first.msg[0])
				first = w;
			else
				fprintf(stderr, "homo: %s\n", w.msg);
			continue;
		}
		json_array_append_new(all, usernet_inspect(&ctx->store, &n));
	}
	cmd_print_json(all);
	if (first.msg[0]) {
		*e = first;
		return -1;
	}
	return 0;
}

static int net_rm(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct hm_err first = {0};
	bool none = false;
	int r = sub_opts("+h", argc, argv, &none, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc - optind < 1)
		return cmd_usage_error(e, "network", "rm: expected NAME...");
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		struct hm_usernet n;
		struct hm_err w = {0};

		if (usernet_builtin(argv[i]))
			hm_failx(&w, HM_EXIT_FAIL,
				 "%s is a pre-defined network and cannot be "
				 "removed",
				 argv[i]);
		else if (usernet_find(&ctx->store, argv[i], &n, &w) == 0 &&
			 usernet_remove(&ctx->store, n.name, &w) == 0) {
			printf("%s\n", argv[i]);
			continue;
		}
		if (!first.msg[0])
			first = w;
		else
			fprintf(stderr, "homo: %s\n", w.msg);
	}
	if (first.msg[0]) {
		*e = first;
		return -1;
	}
	return 0;
}

static bool confirmed(void)
{
	char line[16] = "";

	fputs("WARNING! This will remove all custom networks not used by at "
	      "least one container.\nAre you sure you want to continue? "
	      "[y/N] ",
	      stdout);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return !strcmp(line, "y\n") || !strcmp(line, "Y\n") ||
	       !strcmp(line, "yes\n");
}

static int net_prune(struct hm_ctx *ctx, int argc, char **argv,
		     struct hm_err *e)
{
	cleanup_free struct hm_usernet *v = NULL;
	bool force = false, said = false;
	size_t n;
	int r = sub_opts("+fh", argc, argv, &force, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc - optind > 0)
		return cmd_usage_error(e, "network", "prune: expected [-f]");
	if (!force && !confirmed())
		return 0;
	if (cmd_open_store(ctx, e) < 0 ||
	    usernet_list(&ctx->store, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct hm_err w;

		/* in use: kept (that is no error for prune) */
		if (usernet_remove(&ctx->store, v[i].name, &w) < 0)
			continue;
		if (!said)
			printf("Deleted Networks:\n");
		said = true;
		printf("%s\n", v[i].name);
	}
	return 0;
}

int cmd_network(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct {
		const char *name;
		int (*fn)(struct hm_ctx *, int, char **, struct hm_err *);
	} subs[] = {
	    {"create", net_create},   {"ls", net_ls}, {"list", net_ls},
	    {"inspect", net_inspect}, {"rm", net_rm}, {"remove", net_rm},
	    {"prune", net_prune},
	};
	int r = cmd_group_options("network", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc < 2)
		return cmd_usage_error(e, "network", "expected a subcommand");
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		optind = 0;
		/* argv[1] is the subcommand: its arguments start after it */
		return subs[i].fn(ctx, argc - 1, argv + 1, e);
	}
	return cmd_usage_error(e, "network", "unknown subcommand \"%s\"",
			       argv[1]);
}
