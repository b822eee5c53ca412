/* SPDX-License-Identifier: MIT */
/*
 * homo as an OCI runtime: the runc/crun command line engines call
 * (docs/oci.md). Global flags, then a subcommand. Errors go to stderr and,
 * with --log, to that file as text or JSON lines, which containerd and
 * conmon show to their users. Every failure exits 1, as runc's.
 */
#include "oci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/error.h"
#include "base/util.h"
#include "common.h"
#include "oci_int.h"
#include "runtime/oci_seccomp.h"
#include "runtime/oci_state.h"
#include "runtime/exec_shim.h"

#define OCI_DEFAULT_ROOT "/run/homo-runtime"

bool oci_runtime_call(int argc, char **argv, int *first)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "homo-runtime")) {
		*first = 0;
		return true;
	}
	if (argc > 1 && !strcmp(argv[1], "runtime")) {
		*first = 1;
		return true;
	}
	return false;
}

/* one line to --log: {"level":"error","msg":...,"time":...} or text */
static void log_line(const struct oci_globals *g, const char *level,
		     const char *msg)
{
	char now[64];
	FILE *f;

	if (!g->log || !(f = fopen(g->log, "ae")))
		return;
	util_now_rfc3339(now, sizeof(now));
	if (g->log_json) {
		json_t *j = json_pack("{s:s, s:s, s:s}", "level", level, "msg",
				      msg, "time", now);
		char *s = json_dumps(j, JSON_COMPACT);

		fprintf(f, "%s\n", s);
		free(s);
		json_decref(j);
	} else {
		fprintf(f, "%s %s: %s\n", now, level, msg);
	}
	fclose(f);
}

static int fail(const struct oci_globals *g, const struct hm_err *e)
{
	fprintf(stderr, "homo-runtime: %s\n", e->msg);
	log_line(g, "error", e->msg);
	return 1;
}

/* the library's sinks (base/error.h) while a runtime command runs */
static const struct oci_globals *sink_g;

static void print_warning(const struct hm_err *w)
{
	fprintf(stderr, "homo-runtime: warning: %s\n", w->msg);
	log_line(sink_g, "warning", w->msg);
}

static void die(const struct hm_err *e)
{
	exit(fail(sink_g, e));
}

static int usage(FILE *f, int status)
{
	fputs(
	    "Usage: homo runtime [GLOBAL FLAGS] COMMAND [ARGS]\n"
	    "       homo-runtime [GLOBAL FLAGS] COMMAND [ARGS]\n\n"
	    "homo as an OCI runtime, for engines (Podman, containerd).\n\n"
	    "Global flags (--flag value or --flag=value):\n"
	    "  --root DIR          state directory (default " OCI_DEFAULT_ROOT
	    ")\n"
	    "  --log FILE          append errors to FILE\n"
	    "  --log-format FMT    text or json\n"
	    "  --debug             log debug messages\n"
	    "  --systemd-cgroup    cgroupsPath is slice:prefix:name\n"
	    "  -v, --version       print the version\n\n"
	    "Commands:\n"
	    "  create [--bundle DIR] [--pid-file F] [--console-socket S]\n"
	    "         [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID\n"
	    "                      build the container, stopped before its "
	    "process\n"
	    "  start ID            run the process of a created container\n"
	    "  run [create's flags] [--detach] ID\n"
	    "                      create and start; wait for it and delete "
	    "it\n"
	    "  exec [--process FILE] [--pid-file F] [--detach] [--tty]\n"
	    "       [--console-socket S] [--preserve-fds N] [--cwd D]\n"
	    "       [--env K=V] [--user UID[:GID]] [--cap CAP] "
	    "[--no-new-privs]\n"
	    "       ID [COMMAND [ARG...]]\n"
	    "                      another process in the container\n"
	    "  state ID            print the container's state as JSON\n"
	    "  kill [--all] ID [SIGNAL]\n"
	    "                      signal the init (default TERM), or all\n"
	    "  delete [--force] ID remove a stopped container (--force: any)\n"
	    "  pause ID, resume ID freeze and thaw the container's processes\n"
	    "  ps [--format table|json] ID\n"
	    "                      the container's processes\n"
	    "  list [--format table|json] [-q]\n"
	    "                      every container of --root\n"
	    "  update --resources FILE|- ID\n"
	    "                      new limits (memory, cpu, pids) from a "
	    "linux.resources\n"
	    "                      object\n"
	    "  spec [--bundle DIR] [--rootless]\n"
	    "                      write a config.json to start from\n"
	    "  features            print what this runtime supports as JSON\n",
	    f);
	return status;
}

/* "--name value" or "--name=value" at argv[*i]; NULL if not this flag */
static const char *flag_value(int argc, char **argv, int *i, const char *name,
			      struct hm_err *e, bool *bad)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc) {
		*bad = true;
		hm_failx(e, 1, "%s: missing value", name);
		return NULL;
	}
	return argv[++*i];
}

static int set_log_format(struct oci_globals *g, const char *v,
			  struct hm_err *e)
{
	if (strcmp(v, "json") && strcmp(v, "text"))
		return hm_failx(e, 1,
				"--log-format: \"%s\" is not text or json", v);
	g->log_json = !strcmp(v, "json");
	return 0;
}

/* the global flags before the command; *i ends at the command */
static int parse_globals(int argc, char **argv, int *i, struct oci_globals *g,
			 struct hm_err *e)
{
	for (; *i < argc && argv[*i][0] == '-'; ++*i) {
		const char *a = argv[*i], *v;
		bool bad = false;

		if (!strcmp(a, "--debug")) {
			g->debug = true;
		} else if (!strcmp(a, "--systemd-cgroup")) {
			g->systemd_cgroup = true;
		} else if ((v = flag_value(argc, argv, i, "--root", e, &bad))) {
			g->root = v;
		} else if ((v = flag_value(argc, argv, i, "--log", e, &bad))) {
			g->log = v;
		} else if ((v = flag_value(argc, argv, i, "--log-format", e,
					   &bad))) {
			if (set_log_format(g, v, e))
				return -1;
		} else if (bad) {
			return -1;
		} else if (strcmp(a, "-v") && strcmp(a, "--version") &&
			   strcmp(a, "-h") && strcmp(a, "--help")) {
			return hm_failx(e, 1, "unknown global flag %s", a);
		} else {
			return 0; /* the caller handles version and help */
		}
		if (bad)
			return -1;
	}
	return 0;
}

static int cmd_state(const struct oci_globals *g, int argc, char **argv,
		     struct hm_err *e)
{
	struct oci_state st;
	json_t *j;
	char *s;

	if (argc != 2)
		return hm_failx(e, 1, "state: needs exactly one container id");
	if (oci_state_read(g->root, argv[1], &st, e))
		return -1;
	j = oci_state_json(&st);
	s = json_dumps(j, JSON_INDENT(2));
	printf("%s\n", s);
	free(s);
	json_decref(j);
	oci_state_free(&st);
	return 0;
}

/*
 * What this runtime supports (runc's `features`): spec versions, hooks,
 * namespaces, cgroup versions (cgroupfs only: no systemd is asked),
 * seccomp.
 */
static int cmd_features(const struct oci_globals *g, int argc, char **argv,
			struct hm_err *e)
{
	json_t *j;
	char *s;

	(void)g;
	(void)argv;
	if (argc != 1)
		return hm_failx(e, 1, "features: takes no arguments");
	j = json_pack("{s:s, s:s, s:[ssssss], s:{s:[sssssss], s:{s:b, s:b, "
		      "s:b}, s:{s:b}}, s:{}}",
		      "ociVersionMin", "1.0.0", "ociVersionMax", "1.1.0",
		      "hooks", "prestart", "createRuntime", "createContainer",
		      "startContainer", "poststart", "poststop", "linux",
		      "namespaces", "cgroup", "ipc", "mount", "network", "pid",
		      "user", "uts", "cgroup", "v1", 1, "v2", 1, "systemd", 0,
		      "seccomp", "enabled", 1, "annotations");
	/* the seccomp layer's own account: actions, operators, arches */
	json_object_set_new(json_object_get(j, "linux"), "seccomp",
			    oci_seccomp_features());
	s = json_dumps(j, JSON_INDENT(2));
	printf("%s\n", s);
	free(s);
	json_decref(j);
	return 0;
}

static const struct {
	const char *name;
	oci_cmd_fn *fn;
	bool guard; /* puts a process in a container: non-dumpable */
} commands[] = {
    {"state", cmd_state, false},      {"features", cmd_features, false},
    {"create", oci_cmd_create, true}, {"start", oci_cmd_start, false},
    {"run", oci_cmd_run, true},	      {"exec", oci_cmd_exec, true},
    {"kill", oci_cmd_kill, false},    {"delete", oci_cmd_delete, false},
    {"pause", oci_cmd_pause, false},  {"resume", oci_cmd_resume, false},
    {"ps", oci_cmd_ps, false},	      {"list", oci_cmd_list, false},
    {"spec", oci_cmd_spec, false},    {"update", oci_cmd_update, false},
};

/* the command @k at argv[i], non-dumpable if it puts processes in a
 * container (runtime/exec_shim.h, CVE-2019-5736: the init is our clone) */
static int run_command(struct oci_globals *g, size_t k, int argc, char **argv,
		       int i, struct hm_err *e)
{
	int r;

	if (commands[k].guard)
		exec_shim_guard();
	r = commands[k].fn(g, argc - i, argv + i, e);
	return r < 0 ? fail(g, e) : r;
}

int cmd_runtime(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	(void)ctx;
	(void)e;
	return oci_main(argc, argv);
}

int oci_main(int argc, char **argv)
{
	struct oci_globals g = {.root = OCI_DEFAULT_ROOT};
	struct hm_err e = {0};
	int i = 1;

	sink_g = &g;
	hm_set_warn_handler(print_warning);
	hm_set_fatal_handler(die);
	if (parse_globals(argc, argv, &i, &g, &e))
		return fail(&g, &e);
	if (i >= argc)
		return usage(stderr, 1);
	if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
		printf("homo-runtime version %s\nspec: " OCI_STATE_VERSION "\n",
		       HOMO_VERSION);
		return 0;
	}
	if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
	    !strcmp(argv[i], "help"))
		return usage(stdout, 0);
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(argv[i], commands[k].name))
			return run_command(&g, k, argc, argv, i, &e);
	hm_failx(&e, 1, "\"%s\" is not a runtime command (see --help)",
		 argv[i]);
	return fail(&g, &e);
}
