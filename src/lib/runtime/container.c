/* SPDX-License-Identifier: MIT */
/*
 * Container lifecycle (docs/architecture.md, "A container start"): create the
 * record, run it through spawn.c, reconcile state with the truth, tear down
 * from the id alone.
 */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/util.h"
#include "runtime/control.h"
#include "runtime/lifecycle.h"
#include "runtime/logs.h"
#include "runtime/netjoin.h"
#include "runtime/netns_early.h"
#include "base/rootless.h"
#include "runtime/rootless.h"
#include "runtime/rootless_net.h"
#include "runtime/seccomp.h"
#include "runtime/spawn.h"
#include "runtime/subid.h"
#include "runtime/volumes.h"
#include "store/overlay.h"

char *container_dir(const struct hm_store *st, const char *id)
{
	return store_path(st, "containers/%s", id);
}

int container_load_spec(const struct hm_store *st, const char *id,
			struct hm_spec *s, struct hm_err *e)
{
	cleanup_free char *p = store_path(st, "containers/%s/config.json", id);
	json_error_t jerr;
	json_t *j = json_load_file(p, 0, &jerr);
	int r;

	if (!j)
		return hm_fail_json(e, p, jerr.line, jerr.text);
	r = spec_from_json(j, s, e);
	json_decref(j);
	return r < 0 ? hm_prefix(e, "%s", p) : 0;
}

/* ---- create ---- */

/* Image env first; a -e KEY=VAL replaces the image's KEY. */
static char **merge_env(json_t *image_env, char **user_env)
{
	char **env = spec_strv_from_json(image_env);

	for (size_t i = 0; user_env && user_env[i]; i++) {
		size_t klen = strcspn(user_env[i], "=");
		bool replaced = false;

		for (size_t k = 0; env[k]; k++) {
			if (strncmp(env[k], user_env[i], klen) ||
			    (env[k][klen] != '=' && env[k][klen]))
				continue;
			free(env[k]);
			env[k] = xstrdup(user_env[i]);
			replaced = true;
		}
		if (!replaced)
			env = strv_push(env, user_env[i]);
	}
	return env;
}

int container_claim_name(const struct hm_store *st, const char *name,
			 const char *id, bool *taken, struct hm_err *e)
{
	cleanup_free char *dir = store_path(st, "names");
	cleanup_free char *link = xasprintf("%s/%s", dir, name);
	char owner[80] = "";

	*taken = false;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", dir);
	if (symlink(id, link) == 0)
		return 0;
	if (errno != EEXIST)
		return hm_fail(e, errno, "symlink \"%s\"", link);
	if (readlink(link, owner, sizeof(owner) - 1) < 0)
		owner[0] = '\0';
	/* ours already: a rename killed after its claim, tried again */
	if (owner[0] && !strcmp(owner, id))
		return 0;
	/* a name left behind by a container that no longer exists is free */
	if (owner[0]) {
		cleanup_free char *cdir = container_dir(st, owner);

		if (access(cdir, F_OK) < 0 && errno == ENOENT &&
		    unlink(link) == 0 && symlink(id, link) == 0)
			return 0;
	}
	*taken = true;
	return hm_failx(e, HM_EXIT_FAIL,
			"container name \"%s\" is already in use by container "
			"%.12s: remove it (homo rm %s) or choose another name",
			name, owner, name);
}

static void release_name(const struct hm_store *st, const char *name)
{
	cleanup_free char *link = store_path(st, "names/%s", name);

	unlink(link);
}

static char *random_name(void)
{
	static const char *const adj[] = {
	    "brave", "calm",  "eager",	"fancy", "gentle", "happy",
	    "jolly", "keen",  "lucid",	"merry", "nimble", "proud",
	    "quiet", "sharp", "tender", "vivid", "wise",   "zen",
	};
	static const char *const noun[] = {
	    "hopper",	 "lovelace", "turing",	 "ritchie",  "thompson",
	    "torvalds",	 "knuth",    "dijkstra", "hamilton", "liskov",
	    "kernighan", "pike",     "allen",	 "shannon",  "wozniak",
	};
	unsigned char r[3];
	char hex[7];

	util_random_hex(hex, 6);
	for (int i = 0; i < 3; i++)
		r[i] = (unsigned char)strtoul(
		    (char[]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16);
	return xasprintf("%s_%s_%02x", adj[r[0] % ARRAY_SIZE(adj)],
			 noun[r[1] % ARRAY_SIZE(noun)], r[2]);
}

/*
 * The container this process last tore down without an error, until it
 * starts one again: removing its own exited container (run --rm, the
 * monitor's --rm) need not undo it all a second time (30 rmdirs of cgroups
 * already gone, the network and runtime dir).
 */
static char torn_down[80];

static int write_text(const char *dir, const char *name, const char *text,
		      struct hm_err *e)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, name);

	/* only into the new dir under its temp name (make_dir) */
	return util_write_file_new(p, text, strlen(text), e);
}

static int make_dir(const struct hm_store *st, struct hm_spec *s,
		    char **tmp_out, struct hm_err *e)
{
	cleanup_free char *tmp = store_mktemp(st, "containers", e);
	cleanup_free char *upper = NULL, *work = NULL, *hosts = NULL;
	cleanup_free char *hostname = NULL, *resolv = NULL, *text = NULL;
	struct hm_state state = {.status = ST_CREATED};

	if (!tmp)
		return -1;
	*tmp_out = xstrdup(tmp);
	upper = xasprintf("%s/upper", tmp);
	work = xasprintf("%s/work", tmp);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
		return hm_fail(e, errno, "mkdir in \"%s\"", tmp);
	text = store_json_text(spec_to_json(s), JSON_INDENT(2) | JSON_SORT_KEYS,
			       "config.json", e);
	if (!text)
		return -1;
	hostname = xasprintf("%s\n", s->hostname);
	if (s->net == NET_BRIDGE && hm_rootless()) /* host-gateway's address */
		snprintf(s->netcfg.gateway, sizeof(s->netcfg.gateway), "%s",
			 rootless_net_gateway());
	hosts = network_hosts(&s->netcfg, s->hostname, s->name);
	resolv = network_resolv_conf(
	    &s->netcfg,
	    s->net == NET_BRIDGE && hm_rootless() ? rootless_net_dns() : NULL);
	memcpy(state.created, s->created, sizeof(state.created));
	state.owner = getpid();
	state.owner_start = util_self_starttime();
	if (write_text(tmp, "config.json", text, e) < 0 ||
	    state_save_new(tmp, &state, e) < 0 ||
	    write_text(tmp, "hostname", hostname, e) < 0 ||
	    write_text(tmp, "hosts", hosts, e) < 0 ||
	    write_text(tmp, "resolv.conf", resolv, e) < 0)
		return -1;
	return 0;
}

static int resolve_spec(struct hm_store *st, struct hm_spec *s,
			struct hm_err *e)
{
	struct hm_image img;
	json_t *cfg;

	if (store_image_find(st, s->image, &img, NULL, e) < 0)
		return -1;
	cfg = img.config;
	memcpy(s->image_id, img.id, sizeof(s->image_id));
	s->layers = steal_ptr(&img.layers);
	if (spec_resolve_command(s, cfg, e) < 0) {
		image_free(&img);
		return -1;
	}
	if (!s->stop_signal || !*s->stop_signal) {
		const char *sig =
		    json_string_value(json_object_get(cfg, "stop_signal"));

		free(s->stop_signal);
		s->stop_signal = sig && *sig ? xstrdup(sig) : NULL;
	}
	json_decref(s->labels);
	s->labels = json_deep_copy(json_object_get(cfg, "labels"));
	if (volumes_of_image(s, json_object_get(cfg, "volumes"), e) < 0) {
		image_free(&img);
		return -1;
	}
	char **env = merge_env(json_object_get(cfg, "env"), s->env);

	strv_free(s->env);
	s->env = env;
	if (!s->workdir || !*s->workdir) {
		const char *w =
		    json_string_value(json_object_get(cfg, "workdir"));

		free(s->workdir);
		s->workdir = xstrdup(w && *w ? w : "/");
	}
	if (!s->user) {
		const char *u = json_string_value(json_object_get(cfg, "user"));

		s->user = xstrdup(u ? u : "");
	}
	image_free(&img);
	return 0;
}

/*
 * The maps, claimed machine-wide (runtime/subid.c). Auto also avoids this
 * store's containers made before the claims. Under the store lock.
 */
static int pick_userns(struct hm_store *st, struct hm_spec *s, struct hm_err *e)
{
	cleanup_strv char **ids = NULL;
	struct hm_idmap(*used)[2] = NULL;
	size_t n = 0;
	int r;

	if (s->uidmap.count && !s->gidmap.count && !s->userns_auto)
		s->gidmap = s->uidmap;
	if (!s->userns_auto && !s->uidmap.count)
		return 0;
	ids = container_list(st);
	used = xcalloc(strv_len(ids) + 1, sizeof(*used));
	for (size_t i = 0; s->userns_auto && ids[i]; i++) {
		struct hm_spec other;

		if (container_load_spec(st, ids[i], &other, NULL) < 0)
			continue;
		used[n][0] = other.uidmap;
		used[n++][1] = other.gidmap;
		spec_free(&other);
	}
	r = subid_claim(st->root, s, (const struct hm_idmap(*)[2])used, n, e);
	free(used);
	return r;
}

/* What the container's root writes must be its own: upper/, work/ and
 * the files bound over /etc. */
static int chown_to_userns(const char *dir, const struct hm_spec *s,
			   struct hm_err *e)
{
	static const char *const names[] = {"upper", "work", "hostname",
					    "hosts", "resolv.conf"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cleanup_free char *p = xasprintf("%s/%s", dir, names[i]);

		if (chown(p, s->uidmap.host, s->gidmap.host) < 0)
			return hm_fail(e, errno, "chown \"%s\"", p);
	}
	return 0;
}

int container_create(struct hm_store *st, struct hm_spec *s, struct hm_err *e)
{
	cleanup_free char *tmp = NULL, *final = NULL;
	cleanup_strv char **anon = NULL;
	bool named = false, claimed = false, taken;
	int r = -1;

	if (s->name && strlen(s->name) >= 128)
		return hm_failx(e, HM_EXIT_FAIL,
				"container name too long: %zu bytes, at most "
				"127",
				strlen(s->name));
	if (s->name && !container_valid_name(s->name))
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid container name \"%s\": only "
				"[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				s->name);
	if (spec_check_utf8(s, e) < 0)
		return -1;
	util_random_hex(s->id, 64);
	util_now_rfc3339(s->created, sizeof(s->created));
	if (!s->hostname)
		s->hostname = strndup(s->id, 12);
	if (store_lock(st, e) < 0)
		return -1;
	if (rootless_check_spec(s, e) < 0 || resolve_spec(st, s, e) < 0 ||
	    pick_userns(st, s, e) < 0 || volumes_prepare(st, s, e) < 0)
		goto out;
	claimed = s->uidmap.count != 0;
	/* another random name only while they are taken (1000 of 69120):
	 * retrying any other failure would loop forever under the lock */
	for (int i = 0, given = !!s->name; !named; i++) {
		if (!given) {
			free(s->name);
			s->name = random_name();
		}
		named =
		    container_claim_name(st, s->name, s->id, &taken, e) == 0;
		if (!named && (given || !taken || i == 1000))
			goto out;
	}
	HM_TRACE("create container %.12s (%s)", s->id, s->name);
	if (make_dir(st, s, &tmp, e) < 0 ||
	    (s->uidmap.count && chown_to_userns(tmp, s, e) < 0))
		goto out;
	final = container_dir(st, s->id);
	if (rename(tmp, final) < 0) {
		hm_fail(e, errno, "rename \"%s\"", tmp);
		goto out;
	}
	FAULT_POINT("run-after-dir");
	r = 0;
out:
	if (r < 0) {
		if (tmp)
			util_rm_rf(tmp, NULL);
		if (named)
			release_name(st, s->name);
		if (claimed)
			subid_release(s->id);
		anon = volumes_anon(s);
		volumes_remove_unused(st, anon);
	}
	store_unlock(st);
	if (r == 0)
		container_event_of(st, s->id, s, "create", NULL, NULL);
	return r;
}

/* ---- run ---- */

static void save_exited(const char *cdir, struct hm_state *state, int code,
			const char *why)
{

	/* gone already when "homo rm -f" removed it meanwhile: fine */
	state_record_exit(cdir, state, code, why, NULL);
}

/* With a user namespace: the files bound over /etc, copied where its
 * init can reach them (see struct init_args) and owned by its root. */
static int userns_runtime_files(const struct hm_spec *s, const char *cdir,
				const char *rundir, struct hm_err *e)
{
	static const char *const names[] = {"hostname", "hosts", "resolv.conf"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cleanup_free char *src = xasprintf("%s/%s", cdir, names[i]);
		cleanup_free char *dst = xasprintf("%s/%s", rundir, names[i]);
		size_t len;
		cleanup_free char *text = util_read_file(src, &len, e);

		if (!text ||
		    util_write_file_atomic(dst, text, len, false, e) < 0)
			return -1;
		if (chown(dst, s->uidmap.host, s->gidmap.host) < 0)
			return hm_fail(e, errno, "chown \"%s\"", dst);
	}
	return 0;
}

int container_start(struct hm_store *st, const struct hm_spec *s,
		    const int stdio[3], struct hm_proc *p, struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, s->id);
	cleanup_free char *rundir = xasprintf("%s/%s", st->runroot, s->id);
	cleanup_free char *merged = xasprintf("%s/merged", rundir);
	cleanup_free char *upper = xasprintf("%s/upper", cdir);
	cleanup_free char *work = xasprintf("%s/work", cdir);
	cleanup_free char *opts = NULL;
	struct hm_spec run = *s; /* with this run's address (network.h) */
	struct init_args a = {.spec = &run,
			      .store_root = st->root,
			      .merged = merged,
			      .cdir = cdir,
			      .stdio = {-1, -1, -1},
			      .overlay_fd = -1,
			      .netns_fd = -1};
	__attribute__((cleanup(netns_early_drop))) struct netns_early early = {
	    .fd = -1};
	struct hm_state state;
	struct hm_err w, scratch;

	e = hm_err_or(e, &scratch); /* the failure is recorded */
	/* its own network namespace, made beside what follows */
	if ((s->net == NET_NONE || s->net == NET_BRIDGE) && !s->uidmap.count &&
	    !hm_rootless())
		netns_early_start(&early);
	if (state_load(cdir, &state, e) < 0)
		return -1;
	for (int i = 0; stdio && i < 3; i++)
		a.stdio[i] = stdio[i];
	/* the filter the init loads, compiled here: a clone only loads it */
	if (seccomp_prepare_store(st, s, e) < 0)
		goto fail;
	opts = overlay_options(s->layers, upper, work, e);
	if (!opts)
		goto fail;
	a.overlay_opts = opts;
	if ((mkdir(rundir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(merged, 0700) < 0 && errno != EEXIST)) {
		hm_fail(e, errno, "mkdir \"%s\"", merged);
		goto fail;
	}
	if (s->uidmap.count && chmod(rundir, 0711) < 0) {
		hm_fail(e, errno, "chmod \"%s\"", rundir);
		goto fail;
	}
	if (s->uidmap.count && userns_runtime_files(s, cdir, rundir, e) < 0)
		goto fail;
	HM_TRACE("cgroups for %.12s", s->id);
	torn_down[0] = '\0';
	if (cgroup_create(s->id, &s->limits, e) < 0 ||
	    (s->net == NET_BRIDGE && !hm_rootless() &&
	     network_prepare(st, s->id, &run.netcfg, cdir, s->hostname, s->name,
			     e) < 0))
		goto fail;
	/* the other's namespace, or the one made meanwhile (if made) */
	a.netns_fd = s->net == NET_CONTAINER ? netjoin_open(st, s, cdir, e)
					     : netns_early_take(&early);
	if ((s->net == NET_CONTAINER && a.netns_fd < 0) ||
	    spawn_start(&a, p, e) < 0) {
		if (a.netns_fd >= 0)
			close(a.netns_fd);
		goto fail;
	}
	if (a.netns_fd >= 0)
		close(a.netns_fd);

	state.status = ST_RUNNING;
	state.pid = p->pid;
	state.starttime = p->starttime;
	state.owner = getpid();
	state.owner_start = util_self_starttime();
	state.oom_killed = false;
	state.user_stopped = false;
	state.error[0] = '\0';
	util_now_rfc3339(state.started, sizeof(state.started));
	if (state_save(cdir, &state, e) < 0) {
		kill(p->pid, SIGKILL);
		spawn_wait(s, p,
			   &(struct hm_io){.in = -1, .out = -1, .err = -1});
		goto fail;
	}
	FAULT_POINT("run-after-state");
	container_event_of(st, s->id, s, "start", NULL, NULL);
	return 0;
fail:
	save_exited(cdir, &state, e->exit_code ? e->exit_code : HM_EXIT_FAIL,
		    e->msg);
	if (container_teardown(st, s->id, &w) < 0)
		hm_warn(&w);
	return -1;
}

int container_stopped(struct hm_store *st, const struct hm_spec *s, int status,
		      int restarts, struct hm_state *state, struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, s->id);
	struct hm_err w;
	bool oom = false;
	char num[16];
	int r = 0, code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
					      : WEXITSTATUS(status);

	/* the record may be gone (rm -f meanwhile): tear down all the same */
	if (state_load(cdir, state, &w) == 0) {
		if (cgroup_oom_killed(s->id, &oom, &w) == 0)
			state->oom_killed = oom;
		state->restart_count = restarts;
		/* asked for by a homo stop still at it: a killed stop's
		 * marker is no wish */
		state->user_stopped = container_stop_requested(st, s->id);
		HM_TRACE("exited with %d%s", code, oom ? " (OOM killed)" : "");
		r = state_record_exit(cdir, state, code, NULL, e);
		snprintf(num, sizeof(num), "%d", code);
		container_event_of(st, s->id, s, "die", "exitCode", num);
	} else {
		*state =
		    (struct hm_state){.status = ST_EXITED, .exit_code = code};
	}
	if (container_teardown(st, s->id, &w) < 0)
		hm_warn(&w);
	HM_TRACE("torn down");
	return r;
}

/* A start that failed before container_start() could record it (a log,
 * a pipe): say why, rather than leave it "created" by a homo that is gone. */
static void record_failure(const char *cdir, const struct hm_err *e)
{
	struct hm_state state;

	if (state_load(cdir, &state, NULL) == 0 && state.status == ST_CREATED)
		save_exited(cdir, &state,
			    e->exit_code ? e->exit_code : HM_EXIT_FAIL, e->msg);
}

/*
 * A foreground run. Its stdio are pipes (or its pty) that homo relays to
 * the user's, never the user's own files (spawn_stdio()); without --rm the
 * output is kept in the log too, as Docker does.
 */
int container_run(struct hm_store *st, struct hm_spec *s, int *exit_code,
		  struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, s->id);
	struct hm_log log = {.fd = -1};
	struct hm_io io = {.in = -1, .out = -1, .err = -1, .echo = true};
	int child[3] = {-1, -1, -1};
	struct hm_state xs;
	struct hm_proc p;
	struct hm_err w, scratch;
	int r = -1;

	e = hm_err_or(e, &scratch); /* record_failure() reads it */
	if (!s->rm) {
		if (log_open(&log, cdir, s->log_max, e) < 0)
			goto out;
		io.log = &log;
	}
	if (spawn_stdio(s, child, &io, e) < 0 ||
	    container_start(st, s, child, &p, e) < 0)
		goto out;
	/* our copies of its ends: EOF comes when the container's go */
	spawn_close3(child);
	if (container_stopped(st, s, spawn_wait(s, &p, &io), 0, &xs, &w) < 0) {
		hm_prefix(&w, "exit %d of %.12s not recorded", xs.exit_code,
			  s->id);
		hm_warn(&w);
	}
	*exit_code = xs.exit_code;
	io.in = io.out = io.err = -1; /* spawn_wait closed them */
	r = 0;
out:
	spawn_close3(child);
	spawn_close3((int[3]){io.in, io.out, io.err});
	log_close(&log);
	if (r < 0) { /* with our fds closed: out of them (EMFILE), the
		      * state or the teardown may have failed before */
		record_failure(cdir, e);
		container_teardown(st, s->id, &w);
	}
	if (s->rm && container_remove(st, s->id, false, &w) < 0)
		hm_warn(&w);
	HM_TRACE("finished");
	return r;
}

char *container_stop_marker(const struct hm_store *st, const char *id)
{
	return store_path(st, "containers/%s/stop", id);
}

/* ---- check, teardown, remove (finding: container_find.c) ---- */

int container_check(struct hm_store *st, const char *id, struct hm_state *out,
		    struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, id);
	struct hm_err w;
	bool oom = false;

	if (state_load(cdir, out, e) < 0)
		return -1;
	if (out->status == ST_EXITED || container_idle(out))
		return 0;
	if (state_owner_alive(out))
		return 0; /* running, or still being set up */
	/*
	 * Its homo died. The init gets SIGKILL from PDEATHSIG, but the
	 * kernel tears a PID namespace down asynchronously: make sure it is
	 * gone before the cgroups are removed.
	 */
	if (out->status == ST_RUNNING)
		state_kill_init(out, 1000);
	if (cgroup_oom_killed(id, &oom, &w) == 0)
		out->oom_killed = oom;
	if (container_teardown(st, id, &w) < 0)
		hm_warn(&w);
	save_exited(cdir, out, out->status == ST_RUNNING ? 137 : HM_EXIT_FAIL,
		    "homo exited while the container ran: it was killed");
	return 0;
}

bool container_idle(const struct hm_state *state)
{
	return state->status == ST_CREATED && !state->owner;
}

int container_settle(struct hm_store *st, const char *id,
		     struct hm_state *state, struct hm_err *e)
{
	for (int i = 0;
	     i < 500 && state->status == ST_EXITED && state_owner_alive(state);
	     i++) {
		usleep(2000);
		if (container_check(st, id, state, e) < 0)
			return -1;
	}
	return 0;
}

int container_teardown(const struct hm_store *st, const char *id,
		       struct hm_err *e)
{
	cleanup_free char *rundir = xasprintf("%s/%s", st->runroot, id);
	int r = cgroup_destroy(id, e);

	rootless_net_stop(); /* its pasta, if this homo started one */

	if (network_teardown(st, id, r < 0 ? &(struct hm_err){0} : e) < 0)
		r = -1;
	/* merged/ is only ever a mount point inside the container's own
	 * mount namespace, which is gone: here it is an empty dir */
	if (util_rm_rf(rundir, r < 0 ? &(struct hm_err){0} : e) < 0)
		r = -1;
	snprintf(torn_down, sizeof(torn_down), "%s", r == 0 ? id : "");
	return r;
}

int container_remove(struct hm_store *st, const char *id, bool force,
		     struct hm_err *e)
{
	return container_remove_v(st, id, force, false, e);
}

int container_remove_v(struct hm_store *st, const char *id, bool force,
		       bool volumes, struct hm_err *e)
{
	cleanup_strv char **anon = NULL;
	cleanup_free char *cdir = container_dir(st, id);
	cleanup_free char *gone = NULL;
	struct hm_state state;
	struct hm_spec s;
	bool userns = false;
	char rnd[9];

	if (container_check(st, id, &state, e) < 0)
		return -1;
	if (state.owner != getpid() && container_settle(st, id, &state, e) < 0)
		return -1;
	if (!force && state.status != ST_RUNNING && state.owner != getpid() &&
	    state_owner_alive(&state))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is restarting: stop it first "
				"or use homo rm -f",
				id);
	if (force) /* no --restart after this */
		container_mark_stop(st, id);
	if (state.status == ST_RUNNING) {
		if (!force)
			return hm_failx(e, HM_EXIT_FAIL,
					"container %.12s is running: stop it "
					"first or use homo rm -f",
					id);
		container_thaw_paused(st, id);
		state_kill_init(&state, 5000);
	}
	/* let a monitor finish recording the exit before we delete */
	for (int i = 0;
	     i < 500 && state.owner != getpid() && state_owner_alive(&state);
	     i++)
		usleep(10000);
	if (!(state.owner == getpid() && state.status == ST_EXITED &&
	      !strcmp(torn_down, id)) &&
	    container_teardown(st, id, e) < 0)
		return -1;
	FAULT_POINT("rm-after-stop");
	container_event(st, id, "destroy", NULL, NULL);
	if (store_lock(st, e) < 0)
		return -1;
	if (container_load_spec(st, id, &s, e) == 0) {
		release_name(st, s.name);
		userns = s.uidmap.count != 0;
		/* --rm and rm -v take the anonymous volumes, as Docker's */
		if (volumes || s.rm)
			anon = volumes_anon(&s);
		if (s.rm && state.status == ST_EXITED) /* for homo wait */
			container_keep_exit(st, id, state.exit_code);
		spec_free(&s);
	}
	/* vanish at once under the lock, then delete at leisure */
	util_random_hex(rnd, 8);
	gone =
	    store_path(st, "containers/.tmp-%s-rm-%s", util_tmp_owner(), rnd);
	if (rename(cdir, gone) < 0) {
		store_unlock(st);
		return errno == ENOENT
			   ? 0
			   : hm_fail(e, errno, "remove \"%s\"", cdir);
	}
	volumes_remove_unused(st, anon);
	store_unlock(st);
	if (userns) /* after the rename: never a claim missing for a container
		     */
		subid_release(id);
	FAULT_POINT("rm-mid-removal");
	return util_rm_rf(gone, e);
}
