/* SPDX-License-Identifier: MIT */
/* The lifecycle commands: logs, exec, stop, kill, start, restart, wait. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/number.h"
#include "base/signame.h"
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
    "Stop running containers: their stop signal (run --stop-signal, else\n"
    "the image's STOPSIGNAL, else SIGTERM), then SIGKILL after a timeout.\n\n"
    "Options:\n"
    "  -t, --time SECONDS   wait this long before SIGKILL (default 10;\n"
    "                       -1: wait for ever, no SIGKILL)\n";
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
    "                       -1: wait for ever, no SIGKILL)\n";
const char cmd_wait_usage[] =
    "Usage: homo wait CONTAINER...\n\n"
    "Block until the containers stop, then print their exit codes.\n"
    "A --rm container's code is kept 10 minutes after its removal, for\n"
    "'homo wait ID' after 'homo run -d --rm'.\n";

static int parse_seconds(const char *cmd, const char *arg, int *out,
			 struct hm_err *e)
{
	int64_t v;

	/* -1: no SIGKILL, wait for ever (Docker's) */
	if (num_parse_i64(arg, -1, 86400, &v) < 0)
		return cmd_usage_error(e, cmd,
				       "-t \"%s\": seconds, 0 to 86400, or -1 "
				       "to wait for ever",
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

	while ((c = cmd_getopt("logs", argc, argv, "+fn:th", opts, e)) != -1) {
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
			return -1; /* cmd_getopt() said why */
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

	while ((c = cmd_getopt("exec", argc, argv, "+ite:w:u:h", opts, e)) !=
	       -1) {
		switch (c) {
		case 'i':
			o.interactive = true;
			break;
		case 't':
			o.tty = true;
			break;
		case 'e':
			if (*optarg == '=' || !*optarg)
				return cmd_usage_error(e, "exec",
						       "-e \"%s\": no variable "
						       "name",
						       optarg);
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
			return -1; /* cmd_getopt() said why */
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
	while ((c = cmd_getopt(cmd, argc, argv, "+t:h", opts, e)) != -1) {
		switch (c) {
		case 't':
			if (parse_seconds(cmd, optarg, timeout, e) < 0)
				return -1;
			break;
		case 'h':
			return 1;
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, cmd, "expected CONTAINER...");
	return 0;
}

static int do_stop(struct hm_ctx *ctx, const char *id, const char *arg,
		   void *data, struct hm_err *e)
{
	if (container_stop(&ctx->store, id, *(int *)data, e) < 0)
		return -1;
	puts(arg);
	return 0;
}

/* a child of homo stop: one container; its error (or none) on @fd */
static void stop_child(struct hm_ctx *ctx, const char *arg, int timeout, int fd)
{
	struct hm_err e = {0};
	char id[65];
	int r;

	/* killed with us: a stop killed midway must not go on (its marker
	 * would keep --restart off) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
		_exit(1);
	r = container_find(&ctx->store, arg, id, &e);
	if (r == 0)
		r = container_stop(&ctx->store, id, timeout, &e);
	if (r < 0 && util_write_all(fd, &e, sizeof(e)) < 0)
		r = -1;
	_exit(r < 0 ? 1 : 0);
}

/* the outcome of stop_child() @pid: 0, or -1 with @e */
static int stop_reap(pid_t pid, int fd, const char *arg, struct hm_err *e)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (read(fd, e, sizeof(*e)) == (ssize_t)sizeof(*e))
		return -1;
	return hm_failx(e, HM_EXIT_FAIL, "stop %s: failed", arg);
}

/*
 * homo stop A B C: each container in a child of its own, so that the
 * grace periods run at the same time (Docker's); the results printed in
 * the order given, the later errors printed, the first returned.
 */
static int stop_all(struct hm_ctx *ctx, int argc, char **argv, int timeout,
		    struct hm_err *e)
{
	size_t n = (size_t)(argc - optind);
	cleanup_free pid_t *pids = xcalloc(n, sizeof(*pids));
	cleanup_free int *fds = xcalloc(n, sizeof(*fds));
	struct hm_err first = {0};
	int failed = 0;

	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			p[0] = p[1] = -1;
		pids[i] = p[0] < 0 ? -1 : fork();
		if (pids[i] == 0)
			stop_child(ctx, argv[optind + i], timeout, p[1]);
		if (p[1] >= 0)
			close(p[1]);
		fds[i] = p[0];
	}
	for (size_t i = 0; i < n; i++) {
		const char *arg = argv[optind + i];
		int r = pids[i] < 0 ? hm_fail(e, errno, "stop %s", arg)
				    : stop_reap(pids[i], fds[i], arg, e);

		if (fds[i] >= 0)
			close(fds[i]);
		if (r == 0)
			puts(arg);
		else if (!failed++)
			first = *e;
		else
			fprintf(stderr, "homo: %s\n", e->msg);
		fflush(stdout);
	}
	if (failed)
		*e = first;
	return failed ? -1 : 0;
}

int cmd_stop(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int timeout, r = stop_opts("stop", argc, argv, &timeout, e);

	if (r)
		return r > 0 ? cmd_help("stop") : -1;
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	/* one: in this process, which a signal then stops as it is */
	if (argc - optind == 1)
		return cmd_each_container(ctx, argc, argv, do_stop, &timeout,
					  e);
	return stop_all(ctx, argc, argv, timeout, e);
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

	while ((c = cmd_getopt("kill", argc, argv, "+s:h", opts, e)) != -1) {
		switch (c) {
		case 's':
			if (signal_parse(optarg, &sig) < 0)
				return cmd_usage_error(
				    e, "kill", "invalid signal \"%s\"", optarg);
			break;
		case 'h':
			return cmd_help("kill");
		default:
			return -1; /* cmd_getopt() said why */
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

	while ((c = cmd_getopt("start", argc, argv, "+aih", opts, e)) != -1) {
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
			return -1; /* cmd_getopt() said why */
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

/* one CONTAINER of homo wait; a --rm one removed already: its kept code */
static int wait_one(struct hm_ctx *ctx, const char *arg, struct hm_err *e)
{
	char id[65];
	int code;

	if (container_find(&ctx->store, arg, id, e) == 0)
		return do_wait(ctx, id, arg, NULL, e);
	if (container_kept_exit(&ctx->store, arg, &code) < 0)
		return -1; /* "no such container" from container_find() */
	printf("%d\n", code);
	fflush(stdout);
	return 0;
}

int cmd_wait(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int r = cmd_no_options("wait", argc, argv, e), failed = 0;
	struct hm_err first = {0};

	if (r)
		return r > 0 ? cmd_help("wait") : -1;
	if (optind >= argc)
		return cmd_usage_error(e, "wait", "expected CONTAINER...");
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	/* as cmd_each_container(): go on, print the later errors */
	for (int i = optind; i < argc; i++) {
		if (wait_one(ctx, argv[i], e) == 0)
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
