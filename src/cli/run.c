/* SPDX-License-Identifier: MIT */
/* homo run: Docker's options into a struct hm_spec, then container.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "runtime/caps.h"
#include "runtime/container.h"
#include "runtime/monitor.h"
#include "runtime/seccomp.h"

const char *cmd_run_usage =
    "Usage: homo run [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
    "Create a container from IMAGE and run COMMAND in it (default: the\n"
    "image's command, else /bin/sh), waiting for it to exit. The exit\n"
    "status is the command's; 128+N if it died of signal N; 125 if homo\n"
    "failed; 126 if the command cannot be run; 127 if it does not exist.\n\n"
    "Options:\n"
    "  -d, --detach             run in the background and print its id\n"
    "      --restart POLICY     no (default), on-failure[:N], always:\n"
    "                           restart it when it exits (with -d)\n"
    "      --log-max-size BYTES rotate the log beyond this (default 10m)\n"
    "      --userns auto        a user namespace: the container's root is\n"
    "                           an unprivileged host uid (65536 ids each)\n"
    "      --uidmap 0:HOST:N    the same with an explicit uid range\n"
    "      --gidmap 0:HOST:N    and gid range (default: the uid map)\n"
    "      --name NAME          name the container (default: generated)\n"
    "      --rm                 remove the container when it exits\n"
    "  -i, --interactive        keep stdin open (else it is /dev/null)\n"
    "  -t, --tty                allocate a pseudo-terminal\n"
    "  -e, --env KEY[=VAL]      set a variable (KEY alone: the host's)\n"
    "      --env-file FILE      read KEY=VAL lines from FILE\n"
    "  -w, --workdir DIR        working directory (created if missing)\n"
    "  -u, --user USER[:GROUP]  name or uid from the image's /etc/passwd\n"
    "  -v, --volume HOST:CTR[:ro]  bind-mount a host path\n"
    "      --hostname NAME      container hostname (default: short id)\n"
    "      --read-only          mount the root filesystem read-only\n"
    "  -m, --memory BYTES       memory limit (e.g. 32m, 1g)\n"
    "      --memory-swap BYTES  memory+swap limit (-1: unlimited swap)\n"
    "      --pids-limit N       at most N processes\n"
    "      --cpus N             CPU quota in CPUs (e.g. 0.5)\n"
    "      --cpu-shares N       relative CPU weight (default 1024)\n"
    "      --cap-add CAP        add a capability (or ALL)\n"
    "      --cap-drop CAP       drop a capability (or ALL)\n"
    "      --privileged         all capabilities, all devices, no masks\n"
    "      --security-opt no-new-privileges[=true|false]\n"
    "                           (default true)\n"
    "      --security-opt seccomp=unconfined\n"
    "                           no seccomp filter (default: Docker's\n"
    "                           default profile; see docs/security.md)\n"
    "      --net, --network MODE  bridge (default: eth0 on the bridge\n"
    "                           homo0, NAT to the outside), none (own\n"
    "                           namespace, lo only) or host (the host's)\n"
    "  -p, --publish [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]\n"
    "                           forward a host port to the container\n"
    "      --ip ADDR            the container's address on the bridge\n"
    "                           (default: the lowest free one)\n"
    "      --init               run a tiny init as PID 1 that forwards\n"
    "                           signals and reaps zombies\n";

enum {
	OPT_NAME = 256,
	OPT_RM,
	OPT_ENV_FILE,
	OPT_HOSTNAME,
	OPT_READ_ONLY,
	OPT_MEMORY_SWAP,
	OPT_PIDS,
	OPT_CPUS,
	OPT_SHARES,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_NET,
	OPT_INIT,
	OPT_SECOPT,
	OPT_RESTART,
	OPT_LOG_MAX,
	OPT_USERNS,
	OPT_UIDMAP,
	OPT_GIDMAP,
	OPT_IP,
};

/* --restart no|always|unless-stopped|on-failure[:N] */
static int parse_restart(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	cleanup_free char *p = xstrdup(arg);
	char *n = strchr(p, ':'), *end;
	long max = 0;

	if (n) {
		*n++ = '\0';
		errno = 0;
		max = strtol(n, &end, 10);
		if (strcmp(p, "on-failure") || !*n || *end || errno || max < 0)
			goto bad;
	}
	if (strcmp(p, "no") && strcmp(p, "always") &&
	    strcmp(p, "unless-stopped") && strcmp(p, "on-failure"))
		goto bad;
	free(s->restart);
	s->restart = steal_ptr(&p);
	s->restart_max = (int)max;
	return 0;
bad:
	return hm_failx(e, HM_EXIT_FAIL,
			"--restart \"%s\": use no, always, unless-stopped or "
			"on-failure[:N]",
			arg);
}

static void add_env(struct hm_spec *s, const char *kv)
{
	const char *host;

	if (strchr(kv, '=')) {
		s->env = strv_push(s->env, kv);
		return;
	}
	/* -e KEY: the host's value, or nothing if it has none (Docker) */
	host = getenv(kv);
	if (host) {
		cleanup_free char *full = xasprintf("%s=%s", kv, host);

		s->env = strv_push(s->env, full);
	}
}

static int env_file(struct hm_spec *s, const char *path, struct hm_err *e)
{
	cleanup_free char *text = util_read_file(path, NULL, e);
	char *line, *save = NULL;

	if (!text)
		return hm_prefix(e, "--env-file");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		if (*line == '=')
			return hm_failx(e, HM_EXIT_FAIL,
					"--env-file %s: bad line \"%s\": "
					"no variable name",
					path, line);
		add_env(s, line);
	}
	return 0;
}

static int add_volume(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(arg);
	char *src = copy, *dst = strchr(copy, ':'), *mode = NULL;
	struct hm_volume *v;

	if (!dst)
		goto bad;
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode)
		*mode++ = '\0';
	if (src[0] != '/')
		return hm_failx(e, HM_EXIT_FAIL,
				"-v %s: the host path must be absolute "
				"(named volumes are not supported)",
				arg);
	if (dst[0] != '/' || !strcmp(dst, "/"))
		return hm_failx(e, HM_EXIT_FAIL,
				"-v %s: the container path must be absolute "
				"and not /",
				arg);
	if (mode && strcmp(mode, "ro") && strcmp(mode, "rw"))
		goto bad;
	/* Docker creates a missing host directory */
	if (access(src, F_OK) < 0 && util_mkdir_p(src, 0755, e) < 0)
		return hm_prefix(e, "-v %s", arg);
	s->volumes = xrealloc(s->volumes, (s->nvolumes + 1) * sizeof(*v));
	v = &s->volumes[s->nvolumes++];
	v->src = realpath(src, NULL);
	if (!v->src) {
		s->nvolumes--;
		return hm_fail(e, errno, "-v %s", arg);
	}
	v->dst = xstrdup(dst);
	v->ro = mode && !strcmp(mode, "ro");
	return 0;
bad:
	return hm_failx(e, HM_EXIT_FAIL,
			"-v %s: expected HOST:CONTAINER[:ro|rw]", arg);
}

static int parse_int(const char *opt, const char *s, int64_t min, int64_t *out,
		     struct hm_err *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min)
		return hm_failx(e, HM_EXIT_FAIL,
				"%s \"%s\": expected an integer >= %lld", opt,
				s, (long long)min);
	*out = v;
	return 0;
}

static int parse_cpus(const char *s, struct hm_spec *spec, struct hm_err *e)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || v <= 0 || v > (double)ncpu)
		return hm_failx(e, HM_EXIT_FAIL,
				"--cpus \"%s\": expected a number above 0 and "
				"at most %ld (the CPUs available)",
				s, ncpu);
	spec->limits.cpu_period_us = 100000;
	spec->limits.cpu_quota_us = (int64_t)(v * 100000.0 + 0.5);
	if (spec->limits.cpu_quota_us < 1000)
		spec->limits.cpu_quota_us = 1000; /* kernel minimum: 1 ms */
	return 0;
}

static int parse_opts(struct hm_spec *s, int argc, char **argv,
		      struct hm_err *e)
{
	static const struct option opts[] = {
	    {"detach", no_argument, NULL, 'd'},
	    {"userns", required_argument, NULL, OPT_USERNS},
	    {"uidmap", required_argument, NULL, OPT_UIDMAP},
	    {"gidmap", required_argument, NULL, OPT_GIDMAP},
	    {"restart", required_argument, NULL, OPT_RESTART},
	    {"log-max-size", required_argument, NULL, OPT_LOG_MAX},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"rm", no_argument, NULL, OPT_RM},
	    {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},
	    {"env", required_argument, NULL, 'e'},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"volume", required_argument, NULL, 'v'},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"read-only", no_argument, NULL, OPT_READ_ONLY},
	    {"memory", required_argument, NULL, 'm'},
	    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
	    {"pids-limit", required_argument, NULL, OPT_PIDS},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"cpu-shares", required_argument, NULL, OPT_SHARES},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
	    {"net", required_argument, NULL, OPT_NET},
	    {"network", required_argument, NULL, OPT_NET},
	    {"publish", required_argument, NULL, 'p'},
	    {"ip", required_argument, NULL, OPT_IP},
	    {"init", no_argument, NULL, OPT_INIT},
	    {"security-opt", required_argument, NULL, OPT_SECOPT},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *swap = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+dite:w:u:v:m:p:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'd':
			s->detach = true;
			break;
		case OPT_USERNS:
			if (!strcmp(optarg, "auto"))
				s->userns_auto = true;
			else if (strcmp(optarg, "host"))
				return hm_failx(e, HM_EXIT_FAIL,
						"--userns \"%s\": use auto or "
						"host",
						optarg);
			break;
		case OPT_UIDMAP:
		case OPT_GIDMAP:
			if (userns_parse_map(
				c == OPT_UIDMAP ? "--uidmap" : "--gidmap",
				optarg,
				c == OPT_UIDMAP ? &s->uidmap : &s->gidmap,
				e) < 0)
				return -1;
			break;
		case OPT_RESTART:
			if (parse_restart(s, optarg, e) < 0)
				return -1;
			break;
		case OPT_LOG_MAX:
			if (util_parse_size(optarg, &s->log_max, e) < 0)
				return hm_prefix(e, "--log-max-size");
			if (s->log_max < 4096)
				return hm_failx(e, HM_EXIT_FAIL,
						"--log-max-size %s: the "
						"minimum is 4k",
						optarg);
			break;
		case OPT_NAME:
			s->name = xstrdup(optarg);
			break;
		case OPT_RM:
			s->rm = true;
			break;
		case 'i':
			s->interactive = true;
			break;
		case 't':
			s->tty = true;
			break;
		case 'e':
			add_env(s, optarg);
			break;
		case OPT_ENV_FILE:
			if (env_file(s, optarg, e) < 0)
				return -1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return hm_failx(e, HM_EXIT_FAIL,
						"-w \"%s\": the working "
						"directory must be absolute",
						optarg);
			free(s->workdir);
			s->workdir = xstrdup(optarg);
			break;
		case 'u':
			free(s->user);
			s->user = xstrdup(optarg);
			break;
		case 'v':
			if (add_volume(s, optarg, e) < 0)
				return -1;
			break;
		case OPT_HOSTNAME:
			if (!*optarg || strlen(optarg) > 63)
				return hm_failx(e, HM_EXIT_FAIL,
						"--hostname \"%s\": 1 to 63 "
						"characters",
						optarg);
			s->hostname = xstrdup(optarg);
			break;
		case OPT_READ_ONLY:
			s->read_only = true;
			break;
		case 'm':
			if (util_parse_size(optarg, &s->limits.memory, e) < 0)
				return hm_prefix(e, "--memory");
			if (s->limits.memory < 6 << 20)
				return hm_failx(e, HM_EXIT_FAIL,
						"--memory %s: the minimum is "
						"6m",
						optarg);
			break;
		case OPT_MEMORY_SWAP:
			swap = optarg;
			break;
		case OPT_PIDS:
			if (parse_int("--pids-limit", optarg, 1,
				      &s->limits.pids, e) < 0)
				return -1;
			break;
		case OPT_CPUS:
			if (parse_cpus(optarg, s, e) < 0)
				return -1;
			break;
		case OPT_SHARES:
			if (parse_int("--cpu-shares", optarg, 2,
				      &s->limits.cpu_shares, e) < 0)
				return -1;
			break;
		case OPT_CAP_ADD:
			s->cap_add = strv_push(s->cap_add, optarg);
			break;
		case OPT_CAP_DROP:
			s->cap_drop = strv_push(s->cap_drop, optarg);
			break;
		case OPT_PRIVILEGED:
			s->privileged = true;
			break;
		case OPT_NET:
			if (cmd_net_mode(s, "--net", optarg, e) < 0)
				return -1;
			break;
		case 'p':
			if (cmd_net_publish(s, optarg, e) < 0)
				return -1;
			break;
		case OPT_IP:
			free(s->netcfg.ip);
			s->netcfg.ip = xstrdup(optarg);
			break;
		case OPT_INIT:
			s->init = true;
			break;
		case OPT_SECOPT:
			if (!strcmp(optarg, "no-new-privileges") ||
			    !strcmp(optarg, "no-new-privileges=true") ||
			    !strcmp(optarg, "no-new-privileges:true"))
				s->no_new_privs = true;
			else if (!strcmp(optarg, "no-new-privileges=false") ||
				 !strcmp(optarg, "no-new-privileges:false"))
				s->no_new_privs = false;
			else if (!strcmp(optarg, "seccomp=unconfined") ||
				 !strcmp(optarg, "seccomp:unconfined"))
				s->seccomp_unconfined = true;
			else
				return hm_failx(e, HM_EXIT_FAIL,
						"--security-opt \"%s\": only "
						"no-new-privileges[=true|false]"
						" and seccomp=unconfined are "
						"supported",
						optarg);
			break;
		case 'h':
			return 1;
		case '?':
		default:
			return cmd_usage_error(e, "run",
					       "unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (swap) {
		if (!strcmp(swap, "-1"))
			s->limits.memory_swap = -1;
		else if (util_parse_size(swap, &s->limits.memory_swap, e) < 0)
			return hm_prefix(e, "--memory-swap");
		if (!s->limits.memory)
			return hm_failx(e, HM_EXIT_FAIL,
					"--memory-swap needs --memory too");
		if (s->limits.memory_swap > 0 &&
		    s->limits.memory_swap < s->limits.memory)
			return hm_failx(e, HM_EXIT_FAIL,
					"--memory-swap %s is below --memory: "
					"it is memory plus swap",
					swap);
	}
	return 0;
}

int cmd_run(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct hm_spec s = {.no_new_privs = true};
	int r, code = 0;

	r = cmd_net_default(&s, e) < 0 ? -1 : parse_opts(&s, argc, argv, e);
	if (r != 0) {
		spec_free(&s);
		return r > 0 ? cmd_help("run") : -1;
	}
	if (optind >= argc) {
		spec_free(&s);
		return cmd_usage_error(e, "run", "expected IMAGE [COMMAND...]");
	}
	if ((s.userns_auto || s.uidmap.count || s.gidmap.count) &&
	    s.net == NET_HOST) {
		spec_free(&s);
		return cmd_usage_error(e, "run",
				       "--net host cannot be used with a user "
				       "namespace");
	}
	if (s.gidmap.count && !s.uidmap.count && !s.userns_auto) {
		spec_free(&s);
		return cmd_usage_error(e, "run", "--gidmap needs --uidmap");
	}
	if (s.restart && strcmp(s.restart, "no") && !s.detach) {
		spec_free(&s);
		return cmd_usage_error(e, "run", "--restart needs -d");
	}
	if (s.restart && strcmp(s.restart, "no") && s.rm) {
		spec_free(&s);
		return cmd_usage_error(e, "run", "--restart and --rm conflict");
	}
	if (cmd_net_check(&s, e) < 0) {
		spec_free(&s);
		return -1;
	}
	HM_TRACE("run: options parsed");
	s.image = xstrdup(argv[optind]);
	for (int i = optind + 1; i < argc; i++)
		s.argv = strv_push(s.argv, argv[i]);
	s.limits.privileged = s.privileged;
	if (s.privileged) {
		s.no_new_privs = false;
		s.seccomp_unconfined = true; /* as Docker's --privileged */
	}
	if (caps_resolve(s.cap_add, s.cap_drop, s.privileged, &s.caps, e) < 0 ||
	    cmd_open_store(ctx, e) < 0 ||
	    container_create(&ctx->store, &s, e) < 0) {
		spec_free(&s);
		return -1;
	}
	{
		/* compiled (or read from the store's cache) here, so that the
		 * init, a clone of us, only loads it; a failure here is
		 * reported by the init, which then compiles it itself */
		cleanup_free char *dir = store_path(&ctx->store, "seccomp");
		struct hm_err ignored = {0};

		seccomp_prepare(s.caps, s.seccomp_unconfined, dir, &ignored);
	}
	HM_TRACE("created %.12s", s.id);
	if (s.detach) {
		r = monitor_start(&ctx->store, &s, e);
		if (r == 0)
			printf("%s\n", s.id);
		spec_free(&s);
		return r < 0 ? -1 : 0;
	}
	r = container_run(&ctx->store, &s, &code, e);
	spec_free(&s);
	return r < 0 ? -1 : code;
}
