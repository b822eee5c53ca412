/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime's container commands (oci_int.h): their flags, as runc
 * takes them (-x, --x, -x=v, --x v), and their output. The work is the
 * library's (runtime/oci_runtime.h). Each returns -1 with @e, or the exit
 * status.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "base/number.h"
#include "base/signame.h"
#include "base/util.h"
#include "oci_int.h"
#include "runtime/caps.h"
#include "runtime/oci_runtime.h"

struct opt {
	const char *name;
	char short_name;
	const char **val; /* takes a value; NULL: a switch */
	bool *on;
	char ***list; /* repeatable: each value pushed (val NULL) */
};

static struct opt *find_opt(struct opt *o, const char *name, size_t len)
{
	for (; o->name; o++)
		if ((len == 1 && name[0] == o->short_name) ||
		    (strlen(o->name) == len && !strncmp(o->name, name, len)))
			return o;
	return NULL;
}

/* the flags of @cmd from argv[1]; returns the index of the first other */
static int parse_opts(const char *cmd, struct opt *opts, int argc, char **argv,
		      struct hm_err *e)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i] + 1 + (argv[i][1] == '-');
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		struct opt *o;

		if (!strcmp(argv[i], "--"))
			return i + 1;
		o = find_opt(opts, a, len);
		if (!o)
			return hm_failx(e, 1, "%s: unknown flag %s", cmd,
					argv[i]);
		if (o->list) {
			if (!eq && i + 1 >= argc)
				return hm_failx(e, 1, "%s: --%s: missing value",
						cmd, o->name);
			*o->list = strv_push(*o->list, eq ? eq + 1 : argv[++i]);
		} else if (!o->val) {
			if (eq)
				return hm_failx(e, 1, "%s: %s takes no value",
						cmd, o->name);
			*o->on = true;
		} else if (eq) {
			*o->val = eq + 1;
		} else if (i + 1 < argc) {
			*o->val = argv[++i];
		} else {
			return hm_failx(e, 1, "%s: --%s: missing value", cmd,
					o->name);
		}
	}
	return i;
}

/* exactly @n arguments after the flags */
static int args_left(const char *cmd, int first, int argc, int n,
		     const char *what, struct hm_err *e)
{
	if (first < 0)
		return -1;
	if (argc - first != n)
		return hm_failx(e, 1, "%s: needs %s", cmd, what);
	return 0;
}

struct create_flags {
	const char *bundle, *pid_file, *console, *preserve;
	bool no_pivot, no_keyring, detach;
	char real[PATH_MAX];
};

static int parse_create(const char *cmd, const struct oci_globals *g, int argc,
			char **argv, struct create_flags *f,
			struct oci_create_opts *o, struct hm_err *e)
{
	struct opt opts[] = {{"bundle", 'b', &f->bundle, NULL, NULL},
			     {"pid-file", 0, &f->pid_file, NULL, NULL},
			     {"console-socket", 0, &f->console, NULL, NULL},
			     {"preserve-fds", 0, &f->preserve, NULL, NULL},
			     {"no-pivot", 0, NULL, &f->no_pivot, NULL},
			     {"no-new-keyring", 0, NULL, &f->no_keyring, NULL},
			     {"detach", 'd', NULL, &f->detach, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i;
	uint64_t n = 0;

	if (strcmp(cmd, "run")) /* create has no --detach */
		opts[6] = (struct opt){NULL, 0, NULL, NULL, NULL};
	i = parse_opts(cmd, opts, argc, argv, e);
	if (args_left(cmd, i, argc, 1, "exactly one container id", e) < 0)
		return -1;
	if (f->preserve && num_parse_u64(f->preserve, 0, 1000, &n) < 0)
		return hm_failx(e, 1,
				"%s: --preserve-fds: \"%s\" is not a "
				"number of fds",
				cmd, f->preserve);
	if (!realpath(f->bundle ? f->bundle : ".", f->real))
		return hm_fail(e, errno, "--bundle \"%s\"",
			       f->bundle ? f->bundle : ".");
	*o = (struct oci_create_opts){.root = g->root,
				      .id = argv[i],
				      .bundle = f->real,
				      .pid_file = f->pid_file,
				      .console_socket = f->console,
				      .preserve_fds = (int)n,
				      .no_pivot = f->no_pivot,
				      .no_new_keyring = f->no_keyring,
				      .systemd_cgroup = g->systemd_cgroup};
	return 0;
}

int oci_cmd_create(const struct oci_globals *g, int argc, char **argv,
		   struct hm_err *e)
{
	struct create_flags f = {0};
	struct oci_create_opts o;
	pid_t pid;

	if (parse_create("create", g, argc, argv, &f, &o, e) < 0)
		return -1;
	return oci_create(&o, &pid, e);
}

/* the bundle's process.terminal (false when it cannot be read: create
 * then says why) */
static bool spec_terminal(const char *bundle)
{
	struct oci_spec s;
	bool t;

	if (oci_spec_load(bundle, &s, NULL) < 0)
		return false;
	t = s.has_process && s.process.terminal;
	oci_spec_free(&s);
	return t;
}

static pid_t run_pid; /* the init a foreground run forwards signals to */

static void forward(int sig)
{
	kill(run_pid, sig);
}

/* create, start; in the foreground wait, delete, the process's status */
int oci_cmd_run(const struct oci_globals *g, int argc, char **argv,
		struct hm_err *e)
{
	static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP,
				   SIGQUIT, SIGUSR1, SIGUSR2};
	struct create_flags f = {0};
	struct oci_create_opts o;
	struct hm_err ign;
	char *sock = NULL;
	int st = 0, lfd = -1, master = -1, r = -1;

	if (parse_create("run", g, argc, argv, &f, &o, e) < 0)
		return -1;
	/* a terminal and no socket: ours, relayed to our stdio, as runc */
	if (!f.console && !f.detach && spec_terminal(o.bundle)) {
		if ((lfd = oci_tty_listen(g->root, o.id, &sock, e)) < 0)
			goto out;
		o.console_socket = sock;
	}
	if (oci_create(&o, &run_pid, e) < 0)
		goto out;
	if (lfd >= 0 && (master = oci_tty_accept(lfd, e)) < 0) {
		oci_delete(g->root, o.id, true, &ign);
		goto out;
	}
	if (oci_start(g->root, o.id, e) < 0) {
		oci_delete(g->root, o.id, true, &ign);
		goto out;
	}
	r = 0;
	if (f.detach)
		goto out;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], forward);
	if (master >= 0)
		oci_tty_relay(master);
	while (waitpid(run_pid, &st, 0) < 0 && errno == EINTR)
		;
	r = 1;
out:
	if (lfd >= 0) {
		close(lfd);
		unlink(sock);
	}
	if (master >= 0)
		close(master);
	free(sock);
	if (r <= 0)
		return r;
	if (oci_delete(g->root, o.id, true, e) < 0)
		return -1;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

int oci_cmd_start(const struct oci_globals *g, int argc, char **argv,
		  struct hm_err *e)
{
	struct opt opts[] = {{NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("start", opts, argc, argv, e);

	if (args_left("start", i, argc, 1, "exactly one container id", e) < 0)
		return -1;
	return oci_start(g->root, argv[i], e);
}

int oci_cmd_kill(const struct oci_globals *g, int argc, char **argv,
		 struct hm_err *e)
{
	bool all = false;
	struct opt opts[] = {{"all", 'a', NULL, &all, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("kill", opts, argc, argv, e), sig = SIGTERM;

	if (i < 0)
		return -1;
	if (argc - i < 1 || argc - i > 2)
		return hm_failx(e, 1,
				"kill: needs a container id and at most "
				"one signal");
	if (argc - i == 2 && signal_parse(argv[i + 1], &sig) < 0)
		return hm_failx(e, 1, "kill: invalid signal \"%s\"",
				argv[i + 1]);
	return oci_kill(g->root, argv[i], sig, all, e);
}

int oci_cmd_delete(const struct oci_globals *g, int argc, char **argv,
		   struct hm_err *e)
{
	bool force = false;
	struct opt opts[] = {{"force", 'f', NULL, &force, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("delete", opts, argc, argv, e);

	if (args_left("delete", i, argc, 1, "exactly one container id", e) < 0)
		return -1;
	return oci_delete(g->root, argv[i], force, e);
}

static int pause_cmd(const char *cmd, const struct oci_globals *g, int argc,
		     char **argv, struct hm_err *e)
{
	struct opt opts[] = {{NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts(cmd, opts, argc, argv, e);

	if (args_left(cmd, i, argc, 1, "exactly one container id", e) < 0)
		return -1;
	return oci_pause(g->root, argv[i], !strcmp(cmd, "pause"), e);
}

int oci_cmd_pause(const struct oci_globals *g, int argc, char **argv,
		  struct hm_err *e)
{
	return pause_cmd("pause", g, argc, argv, e);
}

int oci_cmd_resume(const struct oci_globals *g, int argc, char **argv,
		   struct hm_err *e)
{
	return pause_cmd("resume", g, argc, argv, e);
}

int oci_cmd_update(const struct oci_globals *g, int argc, char **argv,
		   struct hm_err *e)
{
	const char *res = NULL;
	struct opt opts[] = {{"resources", 'r', &res, NULL, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("update", opts, argc, argv, e);

	if (args_left("update", i, argc, 1, "exactly one container id", e) < 0)
		return -1;
	if (!res)
		return hm_failx(e, 1, "update: needs --resources FILE or -");
	return oci_update(g->root, argv[i], res, e);
}

static int check_format(const char *cmd, const char *f, bool *json,
			struct hm_err *e)
{
	*json = f && !strcmp(f, "json");
	if (f && !*json && strcmp(f, "table"))
		return hm_failx(e, 1,
				"%s: --format: \"%s\" is not table or "
				"json",
				cmd, f);
	return 0;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	printf("%s\n", s);
	free(s);
	json_decref(j);
}

/* a process's command line from /proc, spaces for NULs */
static void print_cmdline(pid_t pid)
{
	char path[64], *text;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	text = util_read_file(path, &n, NULL);
	for (size_t k = 0; text && k + 1 < n; k++)
		if (!text[k])
			text[k] = ' ';
	printf("%-8d %s\n", (int)pid, text ? text : "");
	free(text);
}

int oci_cmd_ps(const struct oci_globals *g, int argc, char **argv,
	       struct hm_err *e)
{
	const char *format = NULL;
	struct opt opts[] = {{"format", 'f', &format, NULL, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("ps", opts, argc, argv, e);
	struct oci_state st;
	pid_t *pids;
	size_t n;
	bool json;
	int r;

	if (args_left("ps", i, argc, 1, "exactly one container id", e) < 0 ||
	    check_format("ps", format, &json, e) < 0 ||
	    oci_state_read(g->root, argv[i], &st, e) < 0)
		return -1;
	r = oci_pids(&st, &pids, &n, e);
	oci_state_free(&st);
	if (r < 0)
		return -1;
	if (json) {
		json_t *a = json_array();

		for (size_t k = 0; k < n; k++)
			json_array_append_new(a, json_integer(pids[k]));
		print_json(a);
	} else {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t k = 0; k < n; k++)
			print_cmdline(pids[k]);
	}
	free(pids);
	return 0;
}

static void list_one(const struct oci_globals *g, const char *id, bool json,
		     bool quiet, json_t *out)
{
	struct oci_state st;
	json_t *j;

	if (oci_state_read(g->root, id, &st, NULL) < 0)
		return;
	j = oci_state_json(&st);
	if (json) {
		json_object_del(j, "ociVersion");
		json_object_del(j, "rootfs");
		json_array_append(out, j);
	} else if (quiet) {
		printf("%s\n", id);
	} else {
		printf("%-20s %-8lld %-10s %-40s %-30s %s\n", id,
		       (long long)json_integer_value(json_object_get(j, "pid")),
		       json_string_value(json_object_get(j, "status")),
		       st.bundle ? st.bundle : "", st.created ? st.created : "",
		       st.owner ? st.owner : "");
	}
	json_decref(j);
	oci_state_free(&st);
}

int oci_cmd_list(const struct oci_globals *g, int argc, char **argv,
		 struct hm_err *e)
{
	const char *format = NULL;
	bool quiet = false, json;
	struct opt opts[] = {{"format", 'f', &format, NULL, NULL},
			     {"quiet", 'q', NULL, &quiet, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("list", opts, argc, argv, e);
	json_t *out = json_array();
	struct dirent **names = NULL;
	int n;

	if (args_left("list", i, argc, 0, "no arguments", e) < 0 ||
	    check_format("list", format, &json, e) < 0) {
		json_decref(out);
		return -1;
	}
	n = scandir(g->root, &names, NULL, alphasort);
	if (!json && !quiet)
		printf("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID",
		       "STATUS", "BUNDLE", "CREATED", "OWNER");
	for (int k = 0; k < n; k++) {
		if (names[k]->d_name[0] != '.')
			list_one(g, names[k]->d_name, json, quiet, out);
		free(names[k]);
	}
	free(names);
	if (json)
		print_json(out);
	else
		json_decref(out);
	return 0;
}

struct exec_flags {
	const char *process, *pid_file, *console, *preserve, *cwd, *user;
	const char *label, *apparmor;
	char **env, **caps;
	bool detach, tty, no_new_privs;
};

static int cap_number(const char *name)
{
	const char *n = strncasecmp(name, "CAP_", 4) ? name : name + 4;

	for (unsigned c = 0; c <= caps_last(); c++)
		if (caps_name(c) && !strcasecmp(caps_name(c), n))
			return (int)c;
	return -1;
}

/* the flags that edit the process (without --process) */
static int edit_process(struct exec_flags *f, char **args,
			struct oci_process *p, struct hm_err *e)
{
	unsigned long long uid, gid;
	char *end;

	strv_free(p->args);
	p->args = NULL;
	for (; *args; args++)
		p->args = strv_push(p->args, *args);
	p->terminal = f->tty;
	p->no_new_privs |= f->no_new_privs;
	if (f->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(f->cwd);
	}
	for (char **v = f->env; v && *v; v++)
		p->env = strv_push(p->env, *v);
	for (char **v = f->caps; v && *v; v++) {
		int c = cap_number(*v);

		if (c < 0)
			return hm_failx(e, 1,
					"exec: --cap: unknown capability "
					"\"%s\"",
					*v);
		p->caps[OCI_CAP_BOUNDING] |= 1ULL << c;
		p->caps[OCI_CAP_EFFECTIVE] |= 1ULL << c;
		p->caps[OCI_CAP_PERMITTED] |= 1ULL << c;
	}
	if (!f->user)
		return 0;
	errno = 0;
	uid = strtoull(f->user, &end, 10);
	gid = *end == ':' ? strtoull(end + 1, &end, 10) : p->gid;
	if (errno || *end || end == f->user || uid >= UINT32_MAX ||
	    gid >= UINT32_MAX)
		return hm_failx(e, 1, "exec: --user \"%s\": not UID[:GID]",
				f->user);
	p->uid = (uid_t)uid;
	p->gid = (gid_t)gid;
	return 0;
}

static int exec_flags(int argc, char **argv, struct exec_flags *f,
		      struct hm_err *e)
{
	struct opt opts[] = {{"process", 'p', &f->process, NULL, NULL},
			     {"pid-file", 0, &f->pid_file, NULL, NULL},
			     {"console-socket", 0, &f->console, NULL, NULL},
			     {"preserve-fds", 0, &f->preserve, NULL, NULL},
			     {"cwd", 0, &f->cwd, NULL, NULL},
			     {"user", 'u', &f->user, NULL, NULL},
			     {"process-label", 0, &f->label, NULL, NULL},
			     {"apparmor", 0, &f->apparmor, NULL, NULL},
			     {"env", 'e', NULL, NULL, &f->env},
			     {"cap", 'c', NULL, NULL, &f->caps},
			     {"detach", 'd', NULL, &f->detach, NULL},
			     {"tty", 't', NULL, &f->tty, NULL},
			     {"no-new-privs", 0, NULL, &f->no_new_privs, NULL},
			     {NULL, 0, NULL, NULL, NULL}};
	int i = parse_opts("exec", opts, argc, argv, e);

	if (i < 0)
		return -1;
	if (i >= argc)
		return hm_failx(e, 1, "exec: needs a container id");
	if (!f->process && i + 1 >= argc)
		return hm_failx(e, 1,
				"exec: needs --process FILE or a command");
	if (f->process && i + 1 < argc)
		return hm_failx(e, 1, "exec: --process and a command");
	return i;
}

static int write_pid(const char *path, pid_t pid, struct hm_err *e)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	return util_write_file_atomic(path, buf, (size_t)n, false, e);
}

/* exec: in the foreground, the process's exit status */
int oci_cmd_exec(const struct oci_globals *g, int argc, char **argv,
		 struct hm_err *e)
{
	struct exec_flags f = {0};
	struct oci_spec s;
	struct oci_exec_opts o = {.root = g->root, .spec = &s};
	uint64_t n = 0;
	int i = exec_flags(argc, argv, &f, e), st = 0, r = -1;
	char *cache = NULL;
	pid_t pid;

	if (i < 0)
		goto out_flags;
	if (f.preserve && num_parse_u64(f.preserve, 0, 1000, &n) < 0) {
		hm_failx(e, 1,
			 "exec: --preserve-fds: \"%s\" is not a number "
			 "of fds",
			 f.preserve);
		goto out_flags;
	}
	o.id = argv[i];
	o.console_socket = f.console;
	o.seccomp_cache = cache = xasprintf("%s/.seccomp-cache", g->root);
	o.preserve_fds = (int)n;
	if (oci_exec_spec(g->root, o.id, f.process, &s, e) < 0)
		goto out_flags;
	if ((!f.process && edit_process(&f, argv + i + 1, &s.process, e) < 0) ||
	    oci_exec(&o, &pid, e) < 0)
		goto out;
	if (f.pid_file && write_pid(f.pid_file, pid, e) < 0) {
		kill(pid, SIGKILL);
		goto out;
	}
	r = 0;
	if (f.detach)
		goto out;
	run_pid = pid;
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
out:
	oci_spec_free(&s);
out_flags:
	free(cache);
	strv_free(f.env);
	strv_free(f.caps);
	return r;
}
