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

/* "@cmd: OPT: why (see ...)", OPT the first @len bytes of @opt */
static int opt_error(struct hm_err *e, const char *cmd, const char *opt,
		     int len, const char *why)
{
	if (!cmd)
		return hm_failx(e, HM_EXIT_FAIL, "%.*s: %s (see 'homo --help')",
				len, opt, why);
	return cmd_usage_error(e, cmd, "%.*s: %s", len, opt, why);
}

/* the name in "--name[=value]": its length */
static int long_len(const char *el)
{
	return (int)strcspn(el, "=");
}

/* "--name[=value]" names one of @lo in full (not just a prefix) */
static bool full_name(const char *el, const struct option *lo)
{
	size_t len = (size_t)long_len(el) - 2;

	for (; lo->name; lo++)
		if (!strncmp(lo->name, el + 2, len) && !lo->name[len])
			return true;
	return false;
}

/* "--rm=x": getopt's '?' with optopt the val of the option --rm */
static bool takes_no_value(const char *el, const struct option *lo)
{
	size_t len = (size_t)long_len(el) - 2;

	if (strncmp(el, "--", 2) || !strchr(el, '='))
		return false;
	for (; lo->name; lo++)
		if (lo->val == optopt && !lo->has_arg &&
		    !strncmp(lo->name, el + 2, len) && !lo->name[len])
			return true;
	return false;
}

/* getopt_long's '?' or ':' as one line naming the option */
static void getopt_error(const char *cmd, int c, const char *el,
			 const struct option *lo, struct hm_err *e)
{
	char shortopt[3] = {'-', (char)optopt, 0};
	bool is_long = !strncmp(el, "--", 2);

	/* "--usern" last: a prefix of --username, no option at all */
	if (c == ':' && is_long && !full_name(el, lo))
		opt_error(e, cmd, el, long_len(el), "unknown option");
	else if (c == ':')
		opt_error(e, cmd, is_long ? el : shortopt,
			  is_long ? long_len(el) : 2, "missing value");
	else if (takes_no_value(el, lo))
		opt_error(e, cmd, el, long_len(el), "takes no value");
	else if (!optopt && is_long) /* unknown, or only a prefix */
		opt_error(e, cmd, el, long_len(el), "unknown option");
	else
		opt_error(e, cmd, shortopt, 2, "unknown option");
}

int cmd_getopt(const char *cmd, int argc, char **argv, const char *shorts,
	       const struct option *lo, struct hm_err *e)
{
	bool plus = shorts[0] == '+';
	char optstr[160];
	const char *el;
	int c, idx = -1, len;

	/* ':' first (after '+'): ':' for a missing value, nothing printed */
	snprintf(optstr, sizeof(optstr), "%s:%s", plus ? "+" : "",
		 shorts + plus);
	opterr = 0;
	c = getopt_long(argc, argv, optstr, lo, &idx);
	if (c == -1)
		return -1;
	el = argv[optind - 1];
	if (c == '?' || c == ':') {
		getopt_error(cmd, c, el, lo, e);
		return '?';
	}
	if (idx < 0)
		return c; /* a short option */
	/* "--name value": the value is the element just before optind */
	if (optarg && optarg == el)
		el = argv[optind - 2];
	len = long_len(el);
	/* the full name only: getopt_long also takes any unique prefix */
	if (strncmp(el + 2, lo[idx].name, (size_t)len - 2) ||
	    lo[idx].name[len - 2]) {
		opt_error(e, cmd, el, len, "unknown option");
		return '?';
	}
	return c;
}

int cmd_no_options(const char *cmd, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	optind = 0;
	while ((c = cmd_getopt(cmd, argc, argv, "+h", opts, e)) != -1)
		return c == 'h' ? 1 : -1;
	return 0;
}

int cmd_group_options(const char *cmd, int argc, char **argv, struct hm_err *e)
{
	int r = argc >= 2 && argv[1][0] == '-'
		    ? cmd_no_options(cmd, argc, argv, e)
		    : 0;

	if (r > 0)
		cmd_help(cmd);
	return r;
}

int cmd_open_store(struct hm_ctx *ctx, struct hm_err *e)
{
	/* once a command: a second open (stop, then its per-container loop)
	 * would drop the first one's strings */
	if (ctx->store.root)
		return 0;
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
