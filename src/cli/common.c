/* SPDX-License-Identifier: MIT */
/*
 * What the command files share: --help, usage errors, opening the store,
 * the per-container loop and printing JSON.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "runtime/container.h"

int cmd_help(const char *name)
{
	for (size_t i = 0; i < cmd_table_len; i++) {
		if (strcmp(cmd_table[i].name, name))
			continue;
		fputs(cmd_table[i].usage, stdout);
		return 0;
	}
	return 1;
}

int cmd_usage_error(struct hm_err *e, const char *cmd, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return hm_failx(e, HM_EXIT_FAIL, "%s: %s (see 'homo %s --help')", cmd,
			why, cmd);
}

int cmd_open_store(struct hm_ctx *ctx, struct hm_err *e)
{
	return store_open(&ctx->store, ctx->root, ctx->runroot, e);
}

int cmd_each_container(struct hm_ctx *ctx, int argc, char **argv,
		       cmd_each_fn fn, void *data, struct hm_err *e)
{
	struct hm_err first = {0};
	int failed = 0;

	if (cmd_open_store(ctx, e) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		char id[65];

		if (container_find(&ctx->store, argv[i], id, e) == 0 &&
		    fn(ctx, id, argv[i], data, e) == 0)
			continue;
		if (!failed++)
			first = *e;
		else
			fprintf(stderr, "homo: %s\n", e->msg);
	}
	if (failed) {
		*e = first;
		return -1;
	}
	return 0;
}

void cmd_print_json(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;

	/* NULL for a string that is not UTF-8: print what JSON can hold */
	puts(text ? text : "[]");
	free(text);
	json_decref(j);
}

int cmd_check_tty(bool tty, bool interactive, struct hm_err *e)
{
	if (tty && interactive && !isatty(STDIN_FILENO))
		return hm_failx(e, HM_EXIT_FAIL,
				"the input device is not a TTY");
	return 0;
}
