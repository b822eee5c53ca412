/* SPDX-License-Identifier: MIT */
/* pause, unpause, rename, top: a running container's control. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"
#include "common.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/control.h"

const char cmd_pause_usage[] =
    "Usage: homo pause CONTAINER...\n\n"
    "Suspend every process of running containers (the cgroup freezer).\n"
    "'homo ps' shows them as \"Up ... (Paused)\", inspect as State.Paused.\n"
    "stop, kill and rm -f thaw a paused container first; exec is refused.\n";
const char cmd_unpause_usage[] =
    "Usage: homo unpause CONTAINER...\n\n"
    "Let the processes of paused containers run again.\n";
const char cmd_rename_usage[] =
    "Usage: homo rename CONTAINER NEW_NAME\n\n"
    "Rename a container, running or not. NEW_NAME must match\n"
    "[a-zA-Z0-9][a-zA-Z0-9_.-]* and not be another container's.\n";
const char cmd_top_usage[] =
    "Usage: homo top CONTAINER [ps OPTIONS]\n\n"
    "Show the processes of a running container as the host's ps(1) does\n"
    "with ps OPTIONS (default -ef: UID PID PPID C STIME TTY TIME CMD),\n"
    "keeping only the rows of the container's processes (host pids).\n";

/* only --help: 1 after printing it, -1 for any other option */
static int help_only(const char *cmd, int argc, char **argv, struct hm_err *e)
{
	int r = cmd_no_options(cmd, argc, argv, e);

	if (r > 0)
		cmd_help(cmd);
	return r;
}

static int each_args(const char *cmd, int argc, char **argv, struct hm_err *e)
{
	int r = help_only(cmd, argc, argv, e);

	if (r == 0 && optind >= argc)
		return cmd_usage_error(e, cmd, "expected CONTAINER...");
	return r;
}

static int do_pause(struct hm_ctx *ctx, const char *id, const char *arg,
		    void *data, struct hm_err *e)
{
	int r = data ? container_pause(&ctx->store, id, e)
		     : container_unpause(&ctx->store, id, e);

	if (r == 0)
		puts(arg);
	return r;
}

int cmd_pause(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int r = each_args("pause", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	return cmd_each_container(ctx, argc, argv, do_pause, ctx, e);
}

int cmd_unpause(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	int r = each_args("unpause", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	return cmd_each_container(ctx, argc, argv, do_pause, NULL, e);
}

int cmd_rename(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	char id[65];
	int r = help_only("rename", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (argc - optind != 2)
		return cmd_usage_error(e, "rename",
				       "expected CONTAINER NEW_NAME");
	if (cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, argv[optind], id, e) < 0)
		return -1;
	return container_rename(&ctx->store, id, argv[optind + 1], e);
}

/* ---- top ---- */

/* The pids in the container's cgroup, as a strv of decimal strings. */
static char **container_pids(const char *id, struct hm_err *e)
{
	cleanup_free char *dir = cgroup_dir("pids", id);
	cleanup_free char *path = NULL, *text = NULL;
	char **v = xcalloc(1, sizeof(char *));
	char *save = NULL;

	if (!dir) {
		strv_free(v);
		hm_failx(e, HM_EXIT_FAIL, "top: no pids cgroup for %.12s", id);
		return NULL;
	}
	path = xasprintf("%s/cgroup.procs", dir);
	text = util_read_file(path, NULL, e);
	if (!text) {
		strv_free(v);
		return NULL;
	}
	for (char *t = strtok_r(text, "\n", &save); t;
	     t = strtok_r(NULL, "\n", &save))
		v = strv_push(v, t);
	return v;
}

/* The 0-based column of "PID" in ps's header, -1 without one. */
static int pid_column(const char *header)
{
	cleanup_free char *h = xstrdup(header);
	char *save = NULL;
	int i = 0;

	for (char *t = strtok_r(h, " \t\n", &save); t;
	     t = strtok_r(NULL, " \t\n", &save), i++)
		if (!strcmp(t, "PID"))
			return i;
	return -1;
}

static bool row_in(const char *line, int col, char *const *pids)
{
	cleanup_free char *l = xstrdup(line);
	char *save = NULL, *t = strtok_r(l, " \t\n", &save);

	for (int i = 0; t && i < col; i++)
		t = strtok_r(NULL, " \t\n", &save);
	for (size_t i = 0; t && pids[i]; i++)
		if (!strcmp(pids[i], t))
			return true;
	return false;
}

/* ps @args on the host; its header and the container's rows printed. */
static int run_ps(char **args, char *const *pids, struct hm_err *e)
{
	cleanup_fclose FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	int p[2], status, col = -1, n = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hm_fail(e, errno, "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execvp("ps", args);
		fprintf(stderr, "homo: top: ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return hm_fail(e, errno, "fork");
	}
	f = fdopen(p[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		if (n++ == 0)
			col = pid_column(line);
		if (n == 1 || (col >= 0 && row_in(line, col, pids)))
			fputs(line, stdout);
	}
	free(line);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return hm_failx(e, HM_EXIT_FAIL, "top: ps failed (status %d)",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (col < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"top: ps's output has no PID column: give ps "
				"options that show it");
	return 0;
}

int cmd_top(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	cleanup_strv char **pids = NULL, **args = NULL;
	struct hm_state state;
	char id[65];
	int r = help_only("top", argc, argv, e);

	if (r)
		return r > 0 ? 0 : -1;
	if (optind >= argc)
		return cmd_usage_error(e, "top",
				       "expected CONTAINER [ps "
				       "OPTIONS]");
	if (cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, argv[optind], id, e) < 0 ||
	    container_check(&ctx->store, id, &state, e) < 0)
		return -1;
	if (state.status != ST_RUNNING)
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is not running", id);
	pids = container_pids(id, e);
	if (!pids)
		return -1;
	args = strv_push(NULL, "ps");
	for (int i = optind + 1; i < argc; i++)
		args = strv_push(args, argv[i]);
	if (argc == optind + 1)
		args = strv_push(args, "-ef");
	fflush(stdout);
	return run_ps(args, pids, e);
}
