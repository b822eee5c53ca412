/* SPDX-License-Identifier: MIT */
/*
 * homo: the command table, the global options and the dispatch. Only the
 * files in cli/ print or exit; everything below them is libhomo.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/rootless.h"
#include "base/util.h"
#include "common.h"
#include "oci.h"
#include "runtime/exec_shim.h"
#include "runtime/init.h"
#include "runtime/rootless.h"

const struct hm_cmd cmd_table[] = {
    {"pull", cmd_pull, "Pull an image from a registry, or a rootfs tarball",
     "Usage: homo pull [OPTIONS] [REGISTRY[:PORT]/]NAME[:TAG|@sha256:DIGEST]\n"
     "       homo pull [OPTIONS] SOURCE [NAME[:TAG]]\n\n"
     "Pull an image from an OCI registry (Docker Hub by default: 'busybox'\n"
     "is docker.io/library/busybox:latest), named by its reference; or\n"
     "import a root filesystem tarball. SOURCE is an http://, https:// or\n"
     "file:// URL, an existing path (or one ending in .tar, .tgz, ...), or\n"
     "- for standard input: any tar dialect and compression works (a\n"
     "'docker export', a Debian or OpenWrt/LEDE rootfs). NAME defaults to\n"
     "the file name without its extensions, TAG to 'latest'.\n"
     "Credentials come from ~/.docker/config.json (homo login).\n"
     "Prints the image id.\n\n"
     "Options:\n"
     "  -q, --quiet          no progress\n"
     "      --platform OS/ARCH[/VARIANT]\n"
     "                       the image of an index to pull (default\n"
     "                       linux/<this machine's>)\n"
     "      --tls-verify=false\n"
     "                       an insecure registry: HTTPS unverified, or\n"
     "                       plain HTTP if it has no TLS; localhost and\n"
     "                       127.0.0.0/8 always are\n"
     "      --sha256 HEX     refuse the download unless its sha256 is HEX\n"
     "                       (tarballs)\n"
     "      --max-size SIZE  refuse a tarball or a layer that unpacks to\n"
     "                       more than SIZE (\"2g\"; default\n"
     "                       $HOMO_PULL_MAX_SIZE, else no limit)\n"},
    {"push", cmd_push, "Push an image to a registry",
     "Usage: homo push [OPTIONS] IMAGE [REFERENCE]\n\n"
     "Upload IMAGE to the registry REFERENCE names (default: IMAGE's own\n"
     "name, such as localhost:5000/team/app:1): the layers the registry\n"
     "lacks, the config and an OCI manifest. Prints the manifest digest.\n\n"
     "Options:\n"
     "  -q, --quiet          no progress\n"
     "      --tls-verify=false  an insecure registry, as pull's\n"},
    {"login", cmd_login, "Log in to a registry",
     "Usage: homo login [OPTIONS] [REGISTRY]\n\n"
     "Check a user name and password against REGISTRY (default docker.io)\n"
     "and store them in ~/.docker/config.json ($DOCKER_CONFIG), mode 0600,\n"
     "where Docker and Podman find them too.\n\n"
     "Options:\n"
     "  -u, --username USER  the user (asked on a terminal otherwise)\n"
     "      --password-stdin the password from standard input\n"
     "  -p, --password PASS  the password (seen by ps: prefer the above)\n"
     "      --tls-verify=false  an insecure registry, as pull's\n"},
    {"logout", cmd_logout, "Log out from a registry",
     "Usage: homo logout [REGISTRY]\n\n"
     "Remove REGISTRY's credentials (default docker.io) from\n"
     "~/.docker/config.json.\n"},
    {"images", cmd_images, "List images",
     "Usage: homo images [OPTIONS]\n\n"
     "List images: REPOSITORY, TAG, IMAGE ID, CREATED, SIZE.\n\n"
     "Options:\n"
     "  -q, --quiet          only image ids\n"
     "  -f, --format FORMAT  a Go template a line ('{{.Repository}}:"
     "{{.Tag}}'),\n"
     "                       'table TEMPLATE' (aligned, with a header) or\n"
     "                       'json' (an object a line); docs/inspect.md\n"
     "      --no-trunc       whole ids\n"},
    {"tag", cmd_tag, "Give an image another name",
     "Usage: homo tag SOURCE TARGET\n\n"
     "Create the name TARGET[:TAG] for the image SOURCE (name or id).\n"
     "A registry HOST[:PORT]/ may lead TARGET; docker.io/library/x,\n"
     "library/x and docker.io/x are x, as Docker shows them.\n"
     "An image TARGET named before keeps its layers as a dangling image\n"
     "(<none>) until 'homo image prune'.\n"},
    {"image", cmd_image, "Manage images: image prune, ls, rm, ...",
     "Usage: homo image prune [OPTIONS]\n"
     "       homo image ls|rm|inspect|pull|tag|save|load|history ...\n\n"
     "ls is 'homo images', rm is 'homo rmi'; the others are the top-level\n"
     "command of the same name (where this homo has it).\n\n"
     "prune: "
     "remove dangling images: those whose name went to another image\n"
     "(pull, tag, commit or load over an existing NAME:TAG), shown as\n"
     "<none> by 'homo images'; then the layers nothing uses. Images that\n"
     "containers use stay.\n\n"
     "Options:\n"
     "  -a, --all            remove every image no container uses\n"},
    {"rmi", cmd_rmi, "Remove images",
     "Usage: homo rmi [OPTIONS] IMAGE...\n\n"
     "Remove image names; layers no image or container uses are deleted.\n"
     "A dangling image (<none>) is removed by its id.\n"
     "An image a container uses is refused (remove the container first).\n\n"
     "Options:\n"
     "  -f, --force          remove every name of an id given by id\n"},
    {"history", cmd_history, "Show the history of an image", cmd_history_usage},
    {"inspect", cmd_inspect, "Show a container or image as JSON",
     "Usage: homo inspect [OPTIONS] CONTAINER|IMAGE...\n\n"
     "Print low-level information as a JSON array in Docker's shape\n"
     "(docs/inspect.md). Containers are looked up first, then images.\n\n"
     "Options:\n"
     "  -f, --format TEMPLATE  a Go template for each object, a line each:\n"
     "                         '{{.State.Status}}', '{{json .Config}}',\n"
     "                         '{{range .Mounts}}{{.Source}} {{end}}'\n"
     "      --type TYPE        container or image only\n"
     "  -s, --size             (accepted; sizes are always shown)\n"},
    {"run", cmd_run, "Run a command in a new container", cmd_run_usage},
    {"create", cmd_create, "Create a container without starting it",
     cmd_create_usage},
    {"ps", cmd_ps, "List containers",
     "Usage: homo ps [OPTIONS]\n\n"
     "List running containers (all with -a): CONTAINER ID, IMAGE, "
     "COMMAND,\nCREATED, STATUS, PORTS, NAMES.\n\n"
     "Options:\n"
     "  -a, --all            include stopped containers\n"
     "  -q, --quiet          only ids\n"
     "      --filter K=V     status=running|exited|created|restarting, "
     "name=, id=\n"
     "  -f, --format FORMAT  a Go template a line ('{{.ID}}\\t{{.Names}}'),"
     "\n"
     "                       'table TEMPLATE' (aligned, with a header) or\n"
     "                       'json' (an object a line); docs/inspect.md\n"
     "      --no-trunc       whole ids and commands\n"},
    {"logs", cmd_logs, "Print a container's output", cmd_logs_usage},
    {"exec", cmd_exec, "Run a command in a running container", cmd_exec_usage},
    {"stop", cmd_stop, "Stop running containers", cmd_stop_usage},
    {"kill", cmd_kill, "Signal running containers", cmd_kill_usage},
    {"start", cmd_start, "Start stopped containers", cmd_start_usage},
    {"attach", cmd_attach, "Attach to a running container", cmd_attach_usage},
    {"restart", cmd_restart, "Restart containers", cmd_restart_usage},
    {"wait", cmd_wait, "Wait for containers to stop; print exit codes",
     cmd_wait_usage},
    {"port", cmd_port, "List a container's published ports", cmd_port_usage},
    {"network", cmd_network, "Manage networks: create, ls, inspect, rm, prune",
     cmd_network_usage},
    {"rm", cmd_rm, "Remove containers",
     "Usage: homo rm [OPTIONS] CONTAINER...\n\n"
     "Remove stopped containers and their upper layer. Named volumes\n"
     "stay; anonymous ones go with -v (and with a --rm container).\n\n"
     "Options:\n"
     "  -f, --force          kill a running container first\n"
     "  -v, --volumes        remove its anonymous volumes too\n"},
    {"cp", cmd_cp, "Copy files between a container and the host", cmd_cp_usage},
    {"diff", cmd_diff, "List the files a container changed", cmd_diff_usage},
    {"commit", cmd_commit, "Create an image from a container's changes",
     cmd_commit_usage},
    {"export", cmd_export, "Write a container's filesystem as a tar",
     cmd_export_usage},
    {"save", cmd_save, "Write images as an OCI archive", cmd_save_usage},
    {"load", cmd_load, "Load images from an OCI or docker save archive",
     cmd_load_usage},
    {"volume", cmd_volume, "Manage volumes: create, ls, inspect, rm, prune",
     cmd_volume_usage},
    {"system", cmd_system, "The store: system check, boot, df, prune",
     cmd_system_usage},
    {"pause", cmd_pause, "Suspend the processes of containers",
     cmd_pause_usage},
    {"unpause", cmd_unpause, "Resume paused containers", cmd_unpause_usage},
    {"top", cmd_top, "Show a container's processes", cmd_top_usage},
    {"stats", cmd_stats, "Show containers' resource usage", cmd_stats_usage},
    {"rename", cmd_rename, "Rename a container", cmd_rename_usage},
    {"events", cmd_events, "Show (and follow) container and image events",
     cmd_events_usage},
    {"container", cmd_container, "Manage containers: container prune, ls, ...",
     cmd_container_usage},
    {"version", cmd_version, "Show homo's version",
     "Usage: homo version [OPTIONS]\n\n"
     "Show the version, the compiler, the git commit and build time, and\n"
     "the platform, as Docker's Client section.\n\n"
     "Options:\n"
     "  -f, --format TEMPLATE  a Go template ('{{.Client.Version}}') or "
     "json\n"},
    {"info", cmd_info, "Show system-wide information",
     "Usage: homo info [OPTIONS]\n\n"
     "Show containers (running, paused, stopped), images, the storage\n"
     "driver and its backing filesystem, cgroup driver and version,\n"
     "security options, kernel, operating system, CPUs, memory and the\n"
     "store's directories, as Docker's info.\n\n"
     "Options:\n"
     "  -f, --format TEMPLATE  a Go template ('{{.ContainersRunning}}') or "
     "json\n"},
    {"runtime", cmd_runtime, "Act as an OCI runtime (docs/oci.md)",
     "Usage: homo runtime [GLOBAL FLAGS] COMMAND [ARGS]\n\n"
     "The OCI runtime command line (runc's), also reached as homo-runtime.\n"
     "See 'homo runtime --help'.\n"},
};

const size_t cmd_table_len = ARRAY_SIZE(cmd_table);

/*
 * Docker's management commands: "homo image ls" is "homo images". A
 * subcommand not here (image prune, container prune) goes to the group's
 * own command; a target this homo lacks is skipped.
 */
static const struct {
	const char *group, *sub, *cmd;
} aliases[] = {
    {"image", "ls", "images"},
    {"image", "list", "images"},
    {"image", "rm", "rmi"},
    {"image", "remove", "rmi"},
    {"image", "inspect", "inspect"},
    {"image", "pull", "pull"},
    {"image", "tag", "tag"},
    {"image", "save", "save"},
    {"image", "load", "load"},
    {"image", "history", "history"},
    {"container", "ls", "ps"},
    {"container", "list", "ps"},
    {"container", "ps", "ps"},
    {"container", "rm", "rm"},
    {"container", "remove", "rm"},
    {"container", "inspect", "inspect"},
    {"container", "run", "run"},
    {"container", "create", "create"},
    {"container", "start", "start"},
    {"container", "stop", "stop"},
    {"container", "kill", "kill"},
    {"container", "restart", "restart"},
    {"container", "logs", "logs"},
    {"container", "exec", "exec"},
    {"container", "wait", "wait"},
    {"container", "commit", "commit"},
    {"container", "export", "export"},
    {"container", "pause", "pause"},
    {"container", "unpause", "unpause"},
    {"container", "top", "top"},
    {"container", "stats", "stats"},
    {"container", "rename", "rename"},
    {"container", "port", "port"},
    {"container", "diff", "diff"},
    {"container", "cp", "cp"},
    {"container", "attach", "attach"},
};

static const struct hm_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < cmd_table_len; i++)
		if (!strcmp(cmd_table[i].name, name))
			return &cmd_table[i];
	return NULL;
}

/* "image ls ARGS" -> "images ARGS": argv from @i on, shifted by one. */
static void resolve_alias(int *i, int argc, char **argv)
{
	if (*i + 1 >= argc)
		return;
	for (size_t k = 0; k < ARRAY_SIZE(aliases); k++) {
		if (strcmp(aliases[k].group, argv[*i]) ||
		    strcmp(aliases[k].sub, argv[*i + 1]) ||
		    !find_cmd(aliases[k].cmd))
			continue;
		(*i)++;
		argv[*i] = (char *)aliases[k].cmd;
		return;
	}
}

static void usage(FILE *f)
{
	fputs(
	    "Usage: homo [OPTIONS] COMMAND [ARG...]\n\n"
	    "A small, fast container manager: rootfs tarballs become images,\n"
	    "images become containers on overlayfs.\n\n"
	    "Options:\n"
	    "      --root DIR      store (default /var/lib/homo, env "
	    "HOMO_ROOT;\n"
	    "                      rootless ~/.local/share/homo)\n"
	    "      --runroot DIR   runtime state (default /run/homo, env "
	    "HOMO_RUNROOT;\n"
	    "                      rootless $XDG_RUNTIME_DIR/homo)\n"
	    "      --debug         trace each step on stderr\n"
	    "  -h, --help          this help\n"
	    "  -v, --version       print the version\n\n"
	    "Commands:\n",
	    f);
	for (size_t i = 0; i < cmd_table_len; i++)
		fprintf(f, "  %-9s %s\n", cmd_table[i].name,
			cmd_table[i].summary);
	fputs("\nRun 'homo COMMAND --help' for a command's options.\n", f);
}

/*
 * The commands that put processes in a container are non-dumpable: their
 * clones are homo's binary until they exec the shim (runtime/exec_shim.h,
 * CVE-2019-5736). The others keep core dumps and a readable /proc.
 */
static bool starts_processes(const char *cmd)
{
	static const char *const names[] = {"run", "exec", "start", "restart"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(cmd, names[i]))
			return true;
	return false;
}

/* Where our command line is, for the --init mini-init to overwrite. */
static void note_cmdline(int argc, char **argv)
{
	char *end = argv[0];

	for (int i = 0; i < argc && argv[i] == end; i++)
		end += strlen(argv[i]) + 1;
	init_set_cmdline_area(argv[0], (size_t)(end - argv[0]));
}

/* The library's sinks (base/error.h): what it cannot return, we print. */
static void print_warning(const struct hm_err *w)
{
	fprintf(stderr, "homo: warning: %s\n", w->msg);
}

static void die(const struct hm_err *e)
{
	fprintf(stderr, "homo: %s\n", e->msg);
	exit(e->exit_code ? e->exit_code : HM_EXIT_FAIL);
}

/*
 * Root's store and runroot, or an ordinary user's (docs/rootless.md): as
 * the user, and as root of the user's namespace (a re-executed homo).
 */
static void default_paths(struct hm_ctx *ctx)
{
	static char *root, *runroot;
	uid_t uid = geteuid();

	if (uid != 0 || rootless_detect(&uid)) {
		hm_set_rootless(uid);
		rootless_default_paths(uid, &root, &runroot);
	}
	if (!ctx->root || !*ctx->root)
		ctx->root = root ? root : "/var/lib/homo";
	if (!ctx->runroot || !*ctx->runroot)
		ctx->runroot = runroot ? runroot : "/run/homo";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'R'},
	    {"runroot", required_argument, NULL, 'r'},
	    {"debug", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'v'},
	    {0},
	};
	struct hm_ctx ctx = {.root = getenv("HOMO_ROOT"),
			     .runroot = getenv("HOMO_RUNROOT")};
	struct hm_err e = {0};
	int c, r = -1, first;

	if (oci_runtime_call(argc, argv, &first))
		return oci_main(argc - first, argv + first);
	hm_set_warn_handler(print_warning);
	hm_set_fatal_handler(die);
	ctx.store.lock_fd = -1;
	default_paths(&ctx);
	while ((c = cmd_getopt(NULL, argc, argv, "+hv", opts, &e)) != -1) {
		switch (c) {
		case 'R':
			ctx.root = optarg;
			break;
		case 'r':
			ctx.runroot = optarg;
			break;
		case 'D':
			hm_debug_enabled = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("homo version %s\n", HOMO_VERSION);
			return 0;
		default:
			fprintf(stderr, "homo: %s\n", e.msg);
			return HM_EXIT_FAIL;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return HM_EXIT_FAIL;
	}
	if (geteuid() != 0 && rootless_enter(ctx.root, ctx.runroot, &e) < 0)
		die(&e);
	resolve_alias(&optind, argc, argv);
	for (size_t i = 0; i < cmd_table_len; i++) {
		if (strcmp(cmd_table[i].name, argv[optind]))
			continue;
		if (starts_processes(argv[optind])) {
			HM_TRACE("homo %s: non-dumpable", argv[optind]);
			exec_shim_guard();
			note_cmdline(argc, argv);
		}
		argc -= optind;
		argv += optind;
		optind = 0; /* re-initialise getopt for the command */
		r = cmd_table[i].fn(&ctx, argc, argv, &e);
		store_close(&ctx.store);
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "homo: %s\n", e.msg);
			return e.exit_code ? e.exit_code : HM_EXIT_FAIL;
		}
		return r;
	}
	fprintf(stderr,
		"homo: \"%s\" is not a homo command: see 'homo --help'\n",
		argv[optind]);
	return HM_EXIT_FAIL;
}
