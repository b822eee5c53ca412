/* SPDX-License-Identifier: MIT */
/* homo volume create|ls|inspect|rm|prune (docs/volumes.md) */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "common.h"
#include "runtime/volumes.h"
#include "store/volume.h"

const char cmd_volume_usage[] =
    "Usage: homo volume COMMAND\n\n"
    "Manage volumes: directories in the store that containers mount with\n"
    "-v NAME:PATH or --mount type=volume,... and that outlive them.\n\n"
    "Commands:\n"
    "  create [--label K=V]... [NAME]  create a volume (default name:\n"
    "                           64 random hex digits); prints its name\n"
    "  ls [-q]                  list volumes (-q: names only)\n"
    "  inspect NAME...          print volumes as a JSON array\n"
    "  rm [-f] NAME...          remove volumes no container uses, running\n"
    "                           or not (-f: a missing one is no error)\n"
    "  prune [-a] [-f]          remove the anonymous volumes no container\n"
    "                           uses (-a: every unused one; -f: do not\n"
    "                           ask)\n";

/* the subcommand's options: "+" then letters; returns the letter seen */
static int volume_opts(int argc, char **argv, const char *letters, bool *seen,
		       char ***labels, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"label", required_argument, NULL, 'l'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"force", no_argument, NULL, 'f'},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	optind = 0;
	while ((c = cmd_getopt("volume", argc, argv, letters, opts, e)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?')
			return -1;
		/* one table for all: a long option of another subcommand */
		for (size_t i = 0; !strchr(letters, c) && opts[i].name; i++)
			if (opts[i].val == c)
				return cmd_usage_error(e, "volume",
						       "--%s: unknown option",
						       opts[i].name);
		if (c == 'l')
			*labels = strv_push(*labels, optarg);
		seen[c & 127] = true;
	}
	return 0;
}

static int volume_create_cmd(struct hm_ctx *ctx, int argc, char **argv,
			     struct hm_err *e)
{
	cleanup_strv char **labels = NULL;
	cleanup_json json_t *lab = json_object();
	bool seen[128] = {0};
	char name[65];
	int r = volume_opts(argc, argv, "+l:h", seen, &labels, e);

	if (r)
		return r > 0 ? cmd_help("volume") : -1;
	if (argc - optind > 1)
		return cmd_usage_error(e, "volume", "create: at most one NAME");
	for (size_t i = 0; labels && labels[i]; i++) {
		char *eq = strchr(labels[i], '=');

		if (eq)
			*eq++ = '\0';
		if (!*labels[i])
			return cmd_usage_error(e, "volume",
					       "--label: empty key");
		json_object_set_new(lab, labels[i], json_string(eq ? eq : ""));
	}
	util_random_hex(name, 64);
	if (cmd_open_store(ctx, e) < 0 || store_lock(&ctx->store, e) < 0 ||
	    volume_create(&ctx->store, optind < argc ? argv[optind] : name, lab,
			  false, NULL, e) < 0)
		return -1;
	puts(optind < argc ? argv[optind] : name);
	return 0;
}

static int volume_ls(struct hm_ctx *ctx, int argc, char **argv,
		     struct hm_err *e)
{
	cleanup_strv char **names = NULL;
	bool seen[128] = {0};
	int r = volume_opts(argc, argv, "+qh", seen, NULL, e);

	if (r)
		return r > 0 ? cmd_help("volume") : -1;
	if (optind < argc)
		return cmd_usage_error(e, "volume", "ls takes no argument");
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	names = volume_list(&ctx->store);
	if (!seen['q'])
		printf("%-10s%s\n", "DRIVER", "VOLUME NAME");
	for (size_t i = 0; names[i]; i++)
		printf(seen['q'] ? "%.0s%s\n" : "%-10s%s\n", "local", names[i]);
	return 0;
}

static json_t *volume_json(struct hm_ctx *ctx, const char *name,
			   struct hm_err *e)
{
	cleanup_json json_t *rec = volume_load(&ctx->store, name, e);
	cleanup_free char *mp = NULL;

	if (!rec)
		return NULL;
	mp = volume_data_path(&ctx->store, name);
	return json_pack("{s:O, s:s, s:O, s:s, s:s, s:{}, s:s}", "CreatedAt",
			 json_object_get(rec, "CreatedAt"), "Driver", "local",
			 "Labels", json_object_get(rec, "Labels"), "Mountpoint",
			 mp, "Name", name, "Options", "Scope", "local");
}

static int volume_inspect(struct hm_ctx *ctx, int argc, char **argv,
			  struct hm_err *e)
{
	bool seen[128] = {0};
	struct hm_err first = {0};
	json_t *all = json_array();
	int failed = 0, r = volume_opts(argc, argv, "+h", seen, NULL, e);

	if (r) {
		json_decref(all);
		return r > 0 ? cmd_help("volume") : -1;
	}
	if (optind >= argc || cmd_open_store(ctx, e) < 0) {
		json_decref(all);
		return optind >= argc ? cmd_usage_error(e, "volume",
							"inspect: expected "
							"NAME...")
				      : -1;
	}
	for (int i = optind; i < argc; i++) {
		json_t *j = volume_json(ctx, argv[i], e);

		if (j)
			json_array_append_new(all, j);
		else if (!failed++)
			first = *e;
		else
			fprintf(stderr, "homo: %s\n", e->msg);
	}
	cmd_print_json(all);
	if (failed)
		*e = first;
	return failed ? -1 : 0;
}

/* remove @name unless a container uses it (locked) */
static int remove_one(struct hm_ctx *ctx, const char *name, bool force,
		      struct hm_err *e)
{
	cleanup_strv char **users = NULL;
	cleanup_json json_t *rec = volume_load(&ctx->store, name, e);

	if (!rec)
		return force && e->errnum == ENOENT ? 0 : -1;
	users = volumes_users(&ctx->store, name);
	if (users[0])
		return hm_failx(e, HM_EXIT_FAIL,
				"remove %s: volume is in use by container "
				"%.12s%s",
				name, users[0], users[1] ? " and others" : "");
	if (volume_remove(&ctx->store, name, e) < 0)
		return force && e->errnum == ENOENT ? 0 : -1;
	puts(name);
	return 0;
}

static int volume_rm(struct hm_ctx *ctx, int argc, char **argv,
		     struct hm_err *e)
{
	bool seen[128] = {0};
	struct hm_err first = {0};
	int failed = 0, r = volume_opts(argc, argv, "+fh", seen, NULL, e);

	if (r)
		return r > 0 ? cmd_help("volume") : -1;
	if (optind >= argc)
		return cmd_usage_error(e, "volume", "rm: expected NAME...");
	if (cmd_open_store(ctx, e) < 0 || store_lock(&ctx->store, e) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		if (remove_one(ctx, argv[i], seen['f'], e) == 0)
			continue;
		if (!failed++)
			first = *e;
		else
			fprintf(stderr, "homo: %s\n", e->msg);
	}
	if (failed)
		*e = first;
	return failed ? -1 : 0;
}

static bool confirm(void)
{
	char line[16];

	fputs("WARNING! This will remove anonymous local volumes not used by "
	      "at least one container.\nAre you sure you want to continue? "
	      "[y/N] ",
	      stdout);
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) &&
	       (line[0] == 'y' || line[0] == 'Y');
}

static int volume_prune(struct hm_ctx *ctx, int argc, char **argv,
			struct hm_err *e)
{
	cleanup_strv char **names = NULL;
	bool seen[128] = {0}, header = false;
	uint64_t bytes = 0;
	char size[32];
	int r = volume_opts(argc, argv, "+afh", seen, NULL, e);

	if (r)
		return r > 0 ? cmd_help("volume") : -1;
	if (optind < argc)
		return cmd_usage_error(e, "volume", "prune takes no argument");
	if (!seen['f'] && !confirm())
		return 0;
	if (cmd_open_store(ctx, e) < 0 || store_lock(&ctx->store, e) < 0)
		return -1;
	names = volume_list(&ctx->store);
	for (size_t i = 0; names[i]; i++) {
		cleanup_json json_t *rec =
		    volume_load(&ctx->store, names[i], NULL);
		cleanup_strv char **users = NULL;
		cleanup_free char *data = NULL;
		uint64_t n;

		if (!rec || (!seen['a'] &&
			     !json_is_true(json_object_get(rec, "Anonymous"))))
			continue;
		users = volumes_users(&ctx->store, names[i]);
		if (users[0])
			continue;
		data = volume_data_path(&ctx->store, names[i]);
		n = util_dir_size(data);
		if (volume_remove(&ctx->store, names[i], e) < 0)
			return -1;
		bytes += n;
		if (!header)
			puts("Deleted Volumes:");
		header = true;
		puts(names[i]);
	}
	util_format_size(size, sizeof(size), bytes);
	printf("%sTotal reclaimed space: %s\n", header ? "\n" : "", size);
	return 0;
}

int cmd_volume(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct {
		const char *name, *alias;
		hm_cmd_fn fn;
	} subs[] = {
	    {"create", NULL, volume_create_cmd}, {"ls", "list", volume_ls},
	    {"inspect", NULL, volume_inspect},	 {"rm", "remove", volume_rm},
	    {"prune", NULL, volume_prune},
	};
	int r = cmd_group_options("volume", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc < 2)
		return cmd_usage_error(e, "volume",
				       "expected a subcommand: create, ls, "
				       "inspect, rm, prune");
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (!strcmp(argv[1], subs[i].name) ||
		    (subs[i].alias && !strcmp(argv[1], subs[i].alias)))
			return subs[i].fn(ctx, argc - 1, argv + 1, e);
	return cmd_usage_error(e, "volume", "unknown subcommand \"%s\"",
			       argv[1]);
}
