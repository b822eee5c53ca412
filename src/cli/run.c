/* SPDX-License-Identifier: MIT */
/* homo run: Docker's options into a struct hm_spec, then container.c. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/envfile.h"
#include "base/idmap.h"
#include "base/number.h"
#include "base/signame.h"
#include "base/util.h"
#include "common.h"
#include "runtime/attach.h"
#include "runtime/caps.h"
#include "runtime/container.h"
#include "runtime/device.h"
#include "runtime/lifecycle.h"
#include "runtime/monitor.h"
#include "runtime/seccomp.h"

/*
 * What parse_opts() fills: the spec, and --memory-swap, which is checked
 * against --memory once all options are read.
 */
struct run_parse {
	struct hm_spec *s;
	const char *swap;
};

/* --restart no|always|unless-stopped|on-failure[:N] */
static int opt_restart(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	struct hm_spec *s = rp->s;
	cleanup_free char *p = xstrdup(arg);
	char *n = strchr(p, ':');
	uint64_t max = 0;

	/* an int in the record: 4294967296 wrapped to 0, i.e. unlimited */
	if (n) {
		*n++ = '\0';
		if (strcmp(p, "on-failure") ||
		    num_parse_u64(n, 0, INT_MAX, &max) < 0)
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
			"on-failure[:N] (N from 0 = unlimited to %d)",
			arg, INT_MAX);
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

static const char *host_env(const char *name)
{
	return getenv(name);
}

static int opt_env_file(struct run_parse *rp, const char *path,
			struct hm_err *e)
{
	size_t len;
	cleanup_free char *text = util_read_file(path, &len, e);

	if (!text)
		return hm_prefix(e, "--env-file");
	return envfile_parse(path, text, len, host_env, &rp->s->env, e);
}

static int opt_volume(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return cmd_mount_volume(rp->s, arg, e);
}

static int opt_mount(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return cmd_mount_opt(rp->s, arg, e);
}

static int opt_tmpfs(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return cmd_mount_tmpfs(rp->s, arg, e);
}

static int opt_volumes_from(struct run_parse *rp, const char *arg,
			    struct hm_err *e)
{
	(void)e;
	rp->s->volumes_from = strv_push(rp->s->volumes_from, arg);
	return 0;
}

static int parse_int(const char *opt, const char *s, int64_t min, int64_t max,
		     int64_t *out, struct hm_err *e)
{
	if (num_parse_i64(s, min, max, out) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"%s \"%s\": expected an integer from %" PRId64
				" to %" PRId64,
				opt, s, min, max);
	return 0;
}

/* a size option: the number, or -1 with the message in @e */
static int parse_size(const char *opt, const char *s, int64_t *out,
		      struct hm_err *e)
{
	if (num_parse_size(s, INT64_MAX, out) < 0)
		return hm_failx(
		    e, HM_EXIT_FAIL, "%s \"%s\": expected %s", opt, s,
		    errno == ERANGE ? "a size below 8388608t (2^63 bytes)"
				    : NUM_SIZE_HINT);
	return 0;
}

static int opt_cpus(struct run_parse *rp, const char *s, struct hm_err *e)
{
	struct hm_spec *spec = rp->s;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double v;

	/* finite only: NaN passed "v <= 0 || v > ncpu" and became a quota */
	if (num_parse_double(s, 0, (double)ncpu, &v) < 0 || v == 0)
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

static int opt_userns(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (!strcmp(arg, "auto"))
		rp->s->userns_auto = true;
	else if (strcmp(arg, "host"))
		return hm_failx(e, HM_EXIT_FAIL,
				"--userns \"%s\": use auto or host", arg);
	return 0;
}

static int opt_uidmap(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return idmap_parse("--uidmap", arg, &rp->s->uidmap, e);
}

static int opt_gidmap(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return idmap_parse("--gidmap", arg, &rp->s->gidmap, e);
}

static int opt_log_max(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (parse_size("--log-max-size", arg, &rp->s->log_max, e) < 0)
		return -1;
	if (rp->s->log_max < 4096)
		return hm_failx(e, HM_EXIT_FAIL,
				"--log-max-size %s: the minimum is 4k", arg);
	return 0;
}

static int opt_env(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (*arg == '=' || !*arg) /* Docker's "invalid environment variable" */
		return hm_failx(e, HM_EXIT_FAIL, "-e \"%s\": no variable name",
				arg);
	add_env(rp->s, arg);
	return 0;
}

static int opt_workdir(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (arg[0] != '/')
		return hm_failx(e, HM_EXIT_FAIL,
				"-w \"%s\": the working directory must be "
				"absolute",
				arg);
	free(rp->s->workdir);
	rp->s->workdir = xstrdup(arg);
	return 0;
}

/*
 * Docker's hostname grammar (RFC 1123): dot-separated labels of letters,
 * digits and '-', neither starting nor ending with '-', 1 to 63 bytes
 * each, at most 64 in all (the kernel's HOST_NAME_MAX). The name goes into
 * /etc/hosts and /etc/hostname: a newline there would add a line of its
 * own ("a\n1.2.3.4 evil").
 */
static bool hostname_ok(const char *h)
{
	size_t len = strlen(h), label = 0;

	if (!len || len > 64)
		return false;
	for (const char *p = h; *p; p++) {
		if (*p == '.') {
			if (!label || p[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(isascii(*p) && isalnum(*p)) && *p != '-')
			return false;
		if ((*p == '-' && !label) || ++label > 63)
			return false;
	}
	return label && h[len - 1] != '-';
}

static int opt_hostname(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	/* the name is not echoed: it may hold a newline or escapes */
	if (!hostname_ok(arg))
		return hm_failx(e, HM_EXIT_FAIL,
				"--hostname: not a valid hostname (letters, "
				"digits, '-' and '.': labels of 1 to 63, not "
				"starting or ending with '-'; 64 in all)");
	free(rp->s->hostname);
	rp->s->hostname = xstrdup(arg);
	return 0;
}

static int opt_memory(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (parse_size("--memory", arg, &rp->s->limits.memory, e) < 0)
		return -1;
	/* Docker's 0 is no limit */
	if (rp->s->limits.memory && rp->s->limits.memory < 6 << 20)
		return hm_failx(e, HM_EXIT_FAIL,
				"--memory %s: the minimum is 6m", arg);
	return 0;
}

static int opt_memory_swap(struct run_parse *rp, const char *arg,
			   struct hm_err *e)
{
	(void)e;
	rp->swap = arg; /* checked in check_swap(), once --memory is known */
	return 0;
}

static int opt_pids(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	/* the kernel's PID_MAX_LIMIT: pids.max refuses more */
	if (parse_int("--pids-limit", arg, -1, 4194304, &rp->s->limits.pids,
		      e) < 0)
		return -1;
	/* Docker's 0 is unlimited too; the record keeps 0 for "unset" */
	if (rp->s->limits.pids == 0)
		rp->s->limits.pids = -1;
	return 0;
}

static int opt_shares(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	/* the kernel's range of cpu.shares (it clamps silently) */
	return parse_int("--cpu-shares", arg, 2, 262144,
			 &rp->s->limits.cpu_shares, e);
}

static int opt_cap_add(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	(void)e;
	rp->s->cap_add = strv_push(rp->s->cap_add, arg);
	return 0;
}

static int opt_cap_drop(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	(void)e;
	rp->s->cap_drop = strv_push(rp->s->cap_drop, arg);
	return 0;
}

static int opt_net(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return cmd_net_mode(rp->s, "--net", arg, e);
}

static int opt_publish(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	return cmd_net_publish(rp->s, arg, e);
}

/* --security-opt seccomp=FILE's name, for the errors of its profile */
static const char *seccomp_file;

/*
 * seccomp=unconfined, builtin (homo's own: the default) or a profile file
 * of Docker's format, kept in the record as JSON text (Docker keeps it in
 * HostConfig.SecurityOpt) and checked by run_create().
 */
static int opt_seccomp(struct hm_spec *s, const char *v, struct hm_err *e)
{
	cleanup_free char *text = NULL;
	json_error_t je;
	json_t *j;

	free(s->seccomp_profile);
	s->seccomp_profile = NULL;
	seccomp_file = NULL;
	s->seccomp_unconfined = !strcmp(v, "unconfined");
	if (s->seccomp_unconfined || !strcmp(v, "builtin"))
		return 0;
	if (!*v)
		return hm_failx(e, HM_EXIT_FAIL,
				"--security-opt seccomp=: expected a profile "
				"file, unconfined or builtin");
	text = util_read_file(v, NULL, e);
	if (!text)
		return hm_prefix(e, "--security-opt seccomp=%s", v);
	j = json_loads(text, 0, &je);
	if (!j)
		return hm_failx(e, HM_EXIT_FAIL,
				"--security-opt seccomp=%s: invalid JSON: "
				"line %d: %s",
				v, je.line, je.text);
	s->seccomp_profile = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	seccomp_file = v;
	return 0;
}

static int opt_security(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (!strcmp(arg, "no-new-privileges") ||
	    !strcmp(arg, "no-new-privileges=true") ||
	    !strcmp(arg, "no-new-privileges:true"))
		rp->s->no_new_privs = true;
	else if (!strcmp(arg, "no-new-privileges=false") ||
		 !strcmp(arg, "no-new-privileges:false"))
		rp->s->no_new_privs = false;
	else if (!strncmp(arg, "seccomp=", 8) || !strncmp(arg, "seccomp:", 8))
		return opt_seccomp(rp->s, arg + 8, e);
	else
		return hm_failx(e, HM_EXIT_FAIL,
				"--security-opt \"%s\": only "
				"no-new-privileges[=true|false] and "
				"seccomp=unconfined|builtin|PROFILE.json are "
				"supported",
				arg);
	return 0;
}

/* --entrypoint CMD: one word, as Docker's ('': none) */
static int opt_entrypoint(struct run_parse *rp, const char *arg,
			  struct hm_err *e)
{
	(void)e;
	strv_free(rp->s->entrypoint);
	rp->s->entrypoint = strv_push(NULL, arg);
	rp->s->entrypoint_set = true;
	return 0;
}

static int opt_stop_signal(struct run_parse *rp, const char *arg,
			   struct hm_err *e)
{
	int sig;

	if (signal_parse(arg, &sig) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"--stop-signal \"%s\": not a signal (a name "
				"such as SIGINT, or a number)",
				arg);
	free(rp->s->stop_signal);
	rp->s->stop_signal = xstrdup(arg);
	return 0;
}

static int opt_device(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	if (device_add(rp->s, arg, e) < 0)
		return -1;
	device_rules(rp->s);
	return 0;
}

/* --detach-keys: the client's, not the record's */
static const char *detach_keys = "";

static int opt_detach_keys(struct run_parse *rp, const char *arg,
			   struct hm_err *e)
{
	struct attach_opts o;

	(void)rp;
	detach_keys = arg;
	return attach_parse_keys(arg, &o, e);
}

static int opt_help(struct run_parse *rp, const char *arg, struct hm_err *e)
{
	(void)rp, (void)arg, (void)e;
	return 1; /* stop here: cmd_run() prints the help */
}

typedef int (*run_opt_fn)(struct run_parse *rp, const char *arg,
			  struct hm_err *e);

/*
 * One row per option of homo run. FLAG sets a bool of the spec, STR
 * replaces a string of the spec, FN calls a handler (< 0: error, > 0:
 * --help). parse_opts() builds getopt_long's tables from this one.
 */
struct run_opt {
	const char *name;
	const char *alias; /* another long name for the same option */
	char letter;	   /* the short option, or 0 */
	bool arg;	   /* takes an argument */
	enum { RO_FLAG, RO_STR, RO_FN, RO_NET } kind;
	size_t off; /* RO_FLAG, RO_STR: the field in struct hm_spec */
	run_opt_fn fn;
};

#define FLAG(name, letter, field)                         \
	{                                                 \
		name, NULL, letter, false, RO_FLAG,       \
		    offsetof(struct hm_spec, field), NULL \
	}
#define STR(name, letter, field)                          \
	{                                                 \
		name, NULL, letter, true, RO_STR,         \
		    offsetof(struct hm_spec, field), NULL \
	}
#define FN(name, letter, arg, fn)                     \
	{                                             \
		name, NULL, letter, arg, RO_FN, 0, fn \
	}

/* a network option of cli/net.c's cmd_net_opt(), by its long name */
#define NET(name, letter, arg)                           \
	{                                                \
		name, NULL, letter, arg, RO_NET, 0, NULL \
	}

static const struct run_opt run_opts[] = {
    FLAG("detach", 'd', detach),
    FN("userns", 0, true, opt_userns),
    FN("uidmap", 0, true, opt_uidmap),
    FN("gidmap", 0, true, opt_gidmap),
    FN("restart", 0, true, opt_restart),
    FN("log-max-size", 0, true, opt_log_max),
    STR("name", 0, name),
    FLAG("rm", 0, rm),
    FLAG("interactive", 'i', interactive),
    FLAG("tty", 't', tty),
    FN("env", 'e', true, opt_env),
    FN("env-file", 0, true, opt_env_file),
    FN("workdir", 'w', true, opt_workdir),
    STR("user", 'u', user),
    FN("volume", 'v', true, opt_volume),
    FN("mount", 0, true, opt_mount),
    FN("tmpfs", 0, true, opt_tmpfs),
    FN("volumes-from", 0, true, opt_volumes_from),
    FN("hostname", 'h', true, opt_hostname),
    FLAG("read-only", 0, read_only),
    FN("memory", 'm', true, opt_memory),
    FN("memory-swap", 0, true, opt_memory_swap),
    FN("pids-limit", 0, true, opt_pids),
    FN("cpus", 0, true, opt_cpus),
    FN("cpu-shares", 0, true, opt_shares),
    FN("cap-add", 0, true, opt_cap_add),
    FN("cap-drop", 0, true, opt_cap_drop),
    FLAG("privileged", 0, privileged),
    FN("device", 0, true, opt_device),
    {"net", "network", 0, true, RO_FN, 0, opt_net},
    FN("publish", 'p', true, opt_publish),
    NET("publish-all", 'P', false),
    NET("expose", 0, true),
    NET("dns", 0, true),
    NET("dns-search", 0, true),
    NET("dns-option", 0, true),
    NET("add-host", 0, true),
    NET("mac-address", 0, true),
    NET("network-alias", 0, true),
    STR("ip", 0, netcfg.ip),
    FLAG("init", 0, init),
    FN("security-opt", 0, true, opt_security),
    FN("entrypoint", 0, true, opt_entrypoint),
    FN("stop-signal", 0, true, opt_stop_signal),
    FN("detach-keys", 0, true, opt_detach_keys),
    FN("help", 0, false, opt_help), /* -h is --hostname, as Docker's */
};

/* struct option and optstring for run_opts; row i is returned as 256 + i */
static void run_getopt_tables(struct option *lo, char *shorts)
{
	*shorts++ = '+';
	for (size_t i = 0; i < ARRAY_SIZE(run_opts); i++) {
		const struct run_opt *o = &run_opts[i];
		int has = o->arg ? required_argument : no_argument;

		*lo++ = (struct option){o->name, has, NULL, 256 + (int)i};
		/* one val for both names: --ne is this option, not ambiguous */
		if (o->alias)
			*lo++ =
			    (struct option){o->alias, has, NULL, 256 + (int)i};
		if (o->letter) {
			*shorts++ = o->letter;
			if (o->arg)
				*shorts++ = ':';
		}
	}
	*lo = (struct option){0};
	*shorts = '\0';
}

static const struct run_opt *run_opt_of(int c)
{
	if (c >= 256 && c < 256 + (int)ARRAY_SIZE(run_opts))
		return &run_opts[c - 256];
	for (size_t i = 0; i < ARRAY_SIZE(run_opts); i++)
		if (run_opts[i].letter == c)
			return &run_opts[i];
	return NULL;
}

static int run_opt_apply(const struct run_opt *o, struct run_parse *rp,
			 const char *arg, struct hm_err *e)
{
	char *field = (char *)rp->s + o->off;

	switch (o->kind) {
	case RO_FLAG:
		*(bool *)field = true;
		return 0;
	case RO_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(arg);
		return 0;
	case RO_NET:
		return cmd_net_opt(rp->s, o->name, arg, e);
	default:
		return o->fn(rp, arg, e);
	}
}

/* --memory-swap against --memory, whichever came first */
static int check_swap(struct hm_spec *s, const char *swap, struct hm_err *e)
{
	if (!swap)
		return 0;
	if (!strcmp(swap, "-1"))
		s->limits.memory_swap = -1;
	else if (parse_size("--memory-swap", swap, &s->limits.memory_swap, e) <
		 0)
		return -1;
	/* Docker's -1 (unlimited swap) and 0 (the default) need no -m */
	if (!s->limits.memory && s->limits.memory_swap > 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"--memory-swap needs --memory too");
	if (s->limits.memory_swap > 0 &&
	    s->limits.memory_swap < s->limits.memory)
		return hm_failx(e, HM_EXIT_FAIL,
				"--memory-swap %s is below --memory: it is "
				"memory plus swap",
				swap);
	return 0;
}

/* Return: 0, 1 for --help, or -1 with @e set. */
static int parse_opts(struct hm_spec *s, int argc, char **argv,
		      struct hm_err *e)
{
	struct option lo[2 * ARRAY_SIZE(run_opts) + 1];
	char shorts[2 * ARRAY_SIZE(run_opts) + 3];
	struct run_parse rp = {.s = s};
	int c, r;

	run_getopt_tables(lo, shorts);
	while ((c = cmd_getopt("run", argc, argv, shorts, lo, e)) != -1) {
		const struct run_opt *o = run_opt_of(c);

		if (!o)
			return -1; /* cmd_getopt() said why */
		r = run_opt_apply(o, &rp, optarg, e);
		if (r != 0)
			return r < 0 ? -1 : 1;
	}
	return check_swap(s, rp.swap, e);
}

/* Options that cannot go together, known once all are read. */
static int check_conflicts(struct hm_spec *s, struct hm_err *e)
{
	bool restart = s->restart && strcmp(s->restart, "no");

	if ((s->userns_auto || s->uidmap.count || s->gidmap.count) &&
	    s->net == NET_HOST)
		return cmd_usage_error(e, "run",
				       "--net host cannot be used with a user "
				       "namespace");
	if (s->gidmap.count && !s->uidmap.count && !s->userns_auto)
		return cmd_usage_error(e, "run", "--gidmap needs --uidmap");
	if (restart && !s->detach)
		return cmd_usage_error(e, "run", "--restart needs -d");
	if (restart && s->rm)
		return cmd_usage_error(e, "run", "--restart and --rm conflict");
	return cmd_net_check(s, e);
}

/*
 * A --security-opt seccomp=FILE profile compiled (or read from the store's
 * cache) now: a bad one fails before anything is made, and run's start
 * finds it prepared. homo's own profile cannot be wrong: the start
 * prepares it, so a run that fails its checks (a bad -v) leaves the store
 * as it was, without even a cache entry.
 */
static int prepare_seccomp(struct hm_ctx *ctx, const struct hm_spec *s,
			   struct hm_err *e)
{
	if (!s->seccomp_profile ||
	    seccomp_prepare_store(&ctx->store, s, e) == 0)
		return 0;
	if (seccomp_file && s->seccomp_profile)
		hm_prefix(e, "--security-opt seccomp=%s", seccomp_file);
	return -1;
}

/*
 * What run and create share: the options, their checks, the record.
 * Return: 0, 1 for --help, -1 with @e set.
 */
static int run_create(struct hm_ctx *ctx, bool run, struct hm_spec *s, int argc,
		      char **argv, struct hm_err *e)
{
	const char *cmd = run ? "run" : "create";
	int r;

	r = cmd_net_default(s, e) < 0 ? -1 : parse_opts(s, argc, argv, e);
	if (r != 0)
		return r;
	if (optind >= argc)
		return cmd_usage_error(e, cmd, "expected IMAGE [COMMAND...]");
	if (!run && s->detach)
		return cmd_usage_error(e, cmd, "-d: start it with homo start");
	if (!run)
		s->detach = true; /* started in the background, by start */
	if (check_conflicts(s, e) < 0 ||
	    (!s->detach && cmd_check_tty(s->tty, s->interactive, e) < 0))
		return -1;
	HM_TRACE("%s: options parsed", cmd);
	s->image = xstrdup(argv[optind]);
	for (int i = optind + 1; i < argc; i++)
		s->argv = strv_push(s->argv, argv[i]);
	s->limits.privileged = s->privileged;
	if (s->privileged) {
		s->no_new_privs = false;
		s->seccomp_unconfined = true; /* as Docker's --privileged */
	}
	if (caps_resolve(s->cap_add, s->cap_drop, s->privileged, &s->caps, e) <
		0 ||
	    cmd_open_store(ctx, e) < 0 || prepare_seccomp(ctx, s, e) < 0 ||
	    cmd_net_resolve(&ctx->store, s, e) < 0 ||
	    container_create(&ctx->store, s, e) < 0)
		return -1;
	return 0;
}

/*
 * run -it: the monitor owns the container, as with -d, and we attach to it
 * from its first byte, so that the detach keys leave it running.
 */
static int run_attached(struct hm_ctx *ctx, struct hm_spec *s, struct hm_err *e)
{
	struct attach_opts o = {.in = true, .tty = true};
	struct hm_err w;
	int sp[2];

	if (attach_parse_keys(detach_keys, &o, e) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		hm_fail(e, errno, "socketpair");
		if (s->rm &&
		    container_remove(&ctx->store, s->id, false, &w) < 0)
			hm_warn(&w);
		return -1;
	}
	if (monitor_start_attached(&ctx->store, s, sp[1], e) < 0) {
		close(sp[0]);
		return -1;
	}
	return cmd_attach_to(ctx, s->id, sp[0], &o, e);
}

int cmd_create(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	cleanup_spec struct hm_spec s = {.limits.pids = CGROUP_DEFAULT_PIDS};
	int r = run_create(ctx, false, &s, argc, argv, e);

	if (r != 0)
		return r > 0 ? cmd_help("create") : -1;
	if (container_disown(&ctx->store, s.id, e) < 0) {
		struct hm_err w;

		if (container_remove(&ctx->store, s.id, false, &w) < 0)
			hm_warn(&w);
		return -1;
	}
	printf("%s\n", s.id);
	return 0;
}

int cmd_run(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	cleanup_spec struct hm_spec s = {.limits.pids = CGROUP_DEFAULT_PIDS};
	int r = run_create(ctx, true, &s, argc, argv, e), code = 0;

	if (r != 0)
		return r > 0 ? cmd_help("run") : -1;
	HM_TRACE("created %.12s", s.id);
	if (s.detach) {
		/* the monitor, a fork of us, never returns here */
		r = monitor_start(&ctx->store, &s, e);
		if (r == 0)
			printf("%s\n", s.id);
	} else if (s.tty && s.interactive) {
		r = run_attached(ctx, &s, e);
		code = r;
	} else {
		r = container_run(&ctx->store, &s, &code, e);
	}
	/* a host port taken by another program (net/ports.h) */
	if (r < 0 && e->errnum == EADDRINUSE)
		hm_prefix(e, "run");
	return r < 0 ? -1 : s.detach ? 0 : code;
}
