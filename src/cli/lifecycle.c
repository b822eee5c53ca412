/* SPDX-License-Identifier: MIT */
/* The lifecycle commands: logs, exec, stop, kill, start, restart, wait. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/number.h"
#include "base/util.h"
#include "common.h"
#include "runtime/attach.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "runtime/logs.h"

const char cmd_logs_usage[] =
    "Usage: homo logs [OPTIONS] CONTAINER\n\n"
    "Print a container's output byte for byte (stdout to stdout, stderr\n"
    "to stderr), invalid UTF-8 and a last line without newline included.\n\n"
    "Options:\n"
    "  -f, --follow         keep printing new output until it exits\n"
    "  -n, --tail N         only the last N lines\n"
    "  -t, --timestamps     prefix each line with its time\n"
    "      --since TIME     only output since TIME (RFC 3339, unix\n"
    "                       seconds, or a duration like 10m)\n";
const char cmd_exec_usage[] =
    "Usage: homo exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
    "Run a command in a running container: its namespaces, cgroups,\n"
    "capabilities and environment. The exit status is the command's.\n\n"
    "Options:\n"
    "  -i, --interactive    keep stdin open\n"
    "  -t, --tty            allocate a pseudo-terminal\n"
    "  -e, --env KEY=VAL    set a variable\n"
    "  -w, --workdir DIR    working directory\n"
    "  -u, --user USER[:GROUP]  name or uid from the container's passwd\n";
const char cmd_stop_usage[] =
    "Usage: homo stop [OPTIONS] CONTAINER...\n\n"
    "Stop running containers: SIGTERM, then SIGKILL after a timeout.\n\n"
    "Options:\n"
    "  -t, --time SECONDS   wait this long before SIGKILL (default 10;\n"
    "                       0 to 86400: no -1, a stop always ends)\n";
const char cmd_kill_usage[] =
    "Usage: homo kill [OPTIONS] CONTAINER...\n\n"
    "Send a signal to running containers' main process.\n\n"
    "Options:\n"
    "  -s, --signal SIGNAL  name (TERM, SIGUSR1) or number (default "
    "KILL)\n";
const char cmd_start_usage[] =
    "Usage: homo start [OPTIONS] CONTAINER...\n\n"
    "Start created or stopped containers, in the background, with the\n"
    "files they had.\n\n"
    "Options:\n"
    "  -a, --attach          attach its output (one container) and exit\n"
    "                        with its status, as homo attach\n"
    "  -i, --interactive     attach its stdin too (if created with -i)\n"
    "      --detach-keys KEYS  the detach sequence (default ctrl-p,ctrl-q)\n";
const char cmd_restart_usage[] =
    "Usage: homo restart [OPTIONS] CONTAINER...\n\n"
    "Stop (if running) and start containers.\n\n"
    "Options:\n"
    "  -t, --time SECONDS   wait this long before SIGKILL (default 10;\n"
    "                       0 to 86400: no -1, a stop always ends)\n";
const char cmd_wait_usage[] =
    "Usage: homo wait CONTAINER...\n\n"
    "Block until the containers stop, then print their exit codes.\n";

static int parse_seconds(const char *cmd, const char *arg, int *out,
			 struct hm_err *e)
{
	uint64_t v;

	/* no Docker's -1 (wait forever): a stop always ends */
	if (num_parse_u64(arg, 0, 86400, &v) < 0)
		return cmd_usage_error(e, cmd, "-t \"%s\": seconds, 0 to 86400",
				       arg);
	*out = (int)v;
	return 0;
}

/* ---- logs ---- */

struct follow_arg {
	struct hm_store *st;
	const char *id;
};

static bool still_running(void *arg)
{
	struct follow_arg *f = arg;
	struct hm_state state;

	if (container_check(f->st, f->id, &state, NULL) < 0)
		return false;
	/* the monitor writes until it recorded the exit (or restarts) */
	return state.status == ST_RUNNING || state_owner_alive(&state);
}

int cmd_logs(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"tail", required_argument, NULL, 'n'},
	    {"timestamps", no_argument, NULL, 't'},
	    {"since", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct log_read_opts o = {.tail = -1};
	uint64_t tail = 0;
	struct follow_arg fa;
	cleanup_free char *cdir = NULL;
	char id[65];
	int c;

	while ((c = getopt_long(argc, argv, "+fn:th", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.follow = true;
			break;
		case 't':
			o.timestamps = true;
			break;
		case 'n':
			if (!strcmp(optarg, "all"))
				break;
			if (num_parse_u64(optarg, 0, LONG_MAX, &tail) < 0)
				return cmd_usage_error(
				    e, "logs",
				    "--tail \"%s\": a number "
				    "or all",
				    optarg);
			o.tail = (long)tail;
			break;
		case 'S':
			if (log_parse_since(optarg, &o.since_ns, e) < 0)
				return -1;
			break;
		case 'h':
			return cmd_help("logs");
		default:
			return cmd_usage_error(e, "logs", "bad option");
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error(e, "logs", "expected one CONTAINER");
	if (cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, argv[optind], id, e) < 0)
		return -1;
	fa = (struct follow_arg){&ctx->store, id};
	o.running = still_running;
	o.arg = &fa;
	cdir = container_dir(&ctx->store, id);
	return log_print(cdir, &o, e) < 0 ? -1 : 0;
}

/* ---- exec ---- */

int cmd_exec(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},
	    {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct exec_opts o = {0};
	cleanup_strv char **env = NULL;
	char id[65];
	int c, code = 0;

	while ((c = getopt_long(argc, argv, "+ite:w:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.interactive = true;
			break;
		case 't':
			o.tty = true;
			break;
		case 'e':
			if (strchr(optarg, '=')) {
				env = strv_push(env, optarg);
			} else if (getenv(optarg)) {
				cleanup_free char *kv =
				    xasprintf("%s=%s", optarg, getenv(optarg));

				env = strv_push(env, kv);
			}
			break;
		case 'w':
			if (optarg[0] != '/')
				return cmd_usage_error(e, "exec",
						       "-w \"%s\": must be "
						       "absolute",
						       optarg);
			o.workdir = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'h':
			return cmd_help("exec");
		default:
			return cmd_usage_error(e, "exec", "bad option");
		}
	}
	if (argc - optind < 2)
		return cmd_usage_error(e, "exec", "expected CONTAINER COMMAND");
	if (cmd_check_tty(o.tty, o.interactive, e) < 0)
		return -1;
	o.env = env;
	o.argv = argv + optind + 1;
	if (cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, argv[optind], id, e) < 0 ||
	    container_exec(&ctx->store, id, &o, &code, e) < 0)
		return -1;
	return code;
}

/* ---- stop, kill, start, restart, wait ---- */

static int do_stop(struct hm_ctx *ctx, const char *id, const char *arg,
		   void *data, struct hm_err *e)
{
	if (container_stop(&ctx->store, id, *(int *)data, e) < 0)
		return -1;
	puts(arg);
	return 0;
}

static int stop_opts(const char *cmd, int argc, char **argv, int *timeout,
		     struct hm_err *e)
{
	static const struct option opts[] = {
	    {"time", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	*timeout = 10;
	while ((c = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_seconds(cmd, optarg, timeout, e) < 0)
				return -1;
			break;
		case 'h':
			return 1;
		default:
			return cmd_usage_error(e, cmd, "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, cmd, "expected CONTAINER...");
	return 0;
}

int cmd_stop(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int timeout, r = stop_opts("stop", argc, argv, &timeout, e);

	if (r)
		return r > 0 ? cmd_help("stop") : -1;
	return cmd_each_container(ctx, argc, argv, do_stop, &timeout, e);
}

static int parse_signal(const char *s, int *sig)
{
	uint64_t n;

	if (*s >= '0' && *s <= '9') {
		if (num_parse_u64(s, 1, NSIG - 1, &n) < 0)
			return -1;
		*sig = (int)n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);

		if (abbrev && !strcasecmp(abbrev, s)) {
			*sig = i;
			return 0;
		}
	}
	return -1;
}

static int do_kill(struct hm_ctx *ctx, const char *id, const char *arg,
		   void *data, struct hm_err *e)
{
	if (container_kill(&ctx->store, id, *(int *)data, e) < 0)
		return -1;
	puts(arg);
	return 0;
}

int cmd_kill(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"signal", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c, sig = SIGKILL;

	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_signal(optarg, &sig) < 0)
				return cmd_usage_error(
				    e, "kill", "invalid signal \"%s\"", optarg);
			break;
		case 'h':
			return cmd_help("kill");
		default:
			return cmd_usage_error(e, "kill", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, "kill", "expected CONTAINER...");
	return cmd_each_container(ctx, argc, argv, do_kill, &sig, e);
}

static int do_start(struct hm_ctx *ctx, const char *id, const char *arg,
		    void *data, struct hm_err *e)
{
	(void)data;
	if (container_start_again(&ctx->store, id, e) < 0)
		return -1;
	puts(arg);
	return 0;
}

int cmd_start(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"attach", no_argument, NULL, 'a'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"detach-keys", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct attach_opts o = {0};
	bool attach = false, in = false;
	const char *keys = "";
	int c;

	while ((c = getopt_long(argc, argv, "+aih", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			attach = true;
			break;
		case 'i':
			in = true;
			break;
		case 'k':
			keys = optarg;
			break;
		case 'h':
			return cmd_help("start");
		default:
			return cmd_usage_error(e, "start", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, "start", "expected CONTAINER...");
	if (!attach && !in)
		return cmd_each_container(ctx, argc, argv, do_start, NULL, e);
	if (optind != argc - 1)
		return cmd_usage_error(e, "start",
				       "-a and -i take one CONTAINER");
	if (attach_parse_keys(keys, &o, e) < 0)
		return -1;
	return cmd_start_attach(ctx, argv[optind], in, &o, e);
}

static int do_restart(struct hm_ctx *ctx, const char *id, const char *arg,
		      void *data, struct hm_err *e)
{
	if (container_stop(&ctx->store, id, *(int *)data, e) < 0 ||
	    container_start_again(&ctx->store, id, e) < 0)
		return -1;
	puts(arg);
	return 0;
}

int cmd_restart(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int timeout, r = stop_opts("restart", argc, argv, &timeout, e);

	if (r)
		return r > 0 ? cmd_help("restart") : -1;
	return cmd_each_container(ctx, argc, argv, do_restart, &timeout, e);
}

static int do_wait(struct hm_ctx *ctx, const char *id, const char *arg,
		   void *data, struct hm_err *e)
{
	struct hm_state state;

	(void)arg, (void)data;
	if (container_wait(&ctx->store, id, &state, e) < 0)
		return -1;
	printf("%d\n", state.exit_code);
	fflush(stdout);
	return 0;
}

int cmd_wait(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	optind = 1;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return cmd_help("wait");
	if (argc < 2)
		return cmd_usage_error(e, "wait", "expected CONTAINER...");
	return cmd_each_container(ctx, argc, argv, do_wait, NULL, e);
}
