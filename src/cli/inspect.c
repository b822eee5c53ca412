/* SPDX-License-Identifier: MIT */
/*
 * homo inspect: containers and images as Docker's inspect shows them
 * (docs/inspect.md), as JSON or through -f TEMPLATE.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "format.h"
#include "runtime/control.h"
#include "net/ipam.h"

int ctr_row_load(struct hm_store *st, const char *id, struct ctr_row *r,
		 struct hm_err *e)
{
	if (container_check(st, id, &r->state, e) < 0)
		return -1;
	r->paused = r->state.status == ST_RUNNING && container_paused(st, id);
	return container_load_spec(st, id, &r->spec, e);
}

bool ctr_restarting(const struct ctr_row *r)
{
	const struct hm_state *st = &r->state;
	const char *pol = r->spec.restart ? r->spec.restart : "no";

	if (st->status != ST_EXITED || st->user_stopped ||
	    !state_owner_alive(st))
		return false;
	if (!strcmp(pol, "always") || !strcmp(pol, "unless-stopped"))
		return true;
	return !strcmp(pol, "on-failure") && st->exit_code != 0 &&
	       (r->spec.restart_max <= 0 ||
		st->restart_count < r->spec.restart_max);
}

char *ctr_ports_text(const struct ctr_row *r)
{
	const struct hm_netconf *nc = &r->spec.netcfg;
	char *s = xstrdup("");

	if (r->state.status != ST_RUNNING)
		return s; /* Docker shows a stopped container's as none */
	for (size_t i = 0; i < nc->nports; i++) {
		const struct hm_port *p = &nc->ports[i];
		char ip[16], *old = s;

		ipam_addr_str(p->host_ip, ip);
		s = xasprintf("%s%s%s:%u->%u/%s", old, i ? ", " : "", ip,
			      p->host_port, p->ctr_port, port_proto_name(p));
		free(old);
	}
	return s;
}

json_t *ctr_record(const struct hm_store *st, const char *id)
{
	cleanup_free char *cdir = container_dir(st, id);
	cleanup_free char *cfg = xasprintf("%s/config.json", cdir);

	return json_load_file(cfg, 0, NULL);
}

char *ctr_labels_text(json_t *rec)
{
	json_t *labels = json_object_get(rec, "labels"), *v;
	char *s = xstrdup("");
	const char *k;

	json_object_foreach(labels, k, v)
	{
		char *old = s;

		s = xasprintf("%s%s%s=%s", old, *old ? "," : "", k,
			      json_string_value(v) ? json_string_value(v) : "");
		free(old);
	}
	return s;
}

static json_t *strv_json(char *const *v, bool null_if_empty)
{
	json_t *a;

	if (null_if_empty && (!v || !v[0]))
		return json_null();
	a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* A value of a record under one of @keys (the first present), or NULL. */
static json_t *pick(json_t *rec, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(rec, keys[i]);

		if (v && !json_is_null(v))
			return v;
	}
	return NULL;
}

/* Docker's {"80/tcp": {}} from an object or an array of "80/tcp" */
static void add_ports(json_t *to, json_t *from)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(from))
		json_object_foreach(from, k, v)
		    json_object_set_new(to, k, json_object());
	if (json_is_array(from))
		json_array_foreach(from, i, v) if (json_is_string(v))
		    json_object_set_new(to, json_string_value(v),
					json_object());
}

/*
 * Docker's Config from one of homo's records (an image's config, a
 * container's config.json: lower-case keys); the keys added to records
 * since (entrypoint, labels, exposed ports, stop signal, image volumes)
 * are shown when a record has them.
 */
static json_t *docker_config(json_t *rec, bool container)
{
	static const char *const ent[] = {"entrypoint", "Entrypoint", NULL};
	static const char *const lab[] = {"labels", "Labels", NULL};
	static const char *const exp[] = {"exposed_ports", "ExposedPorts",
					  "expose", NULL};
	static const char *const sig[] = {"stop_signal", "StopSignal",
					  "stopsignal", NULL};
	static const char *const vol[] = {"volumes", "image_volumes", "Volumes",
					  NULL};
	json_t *c, *ports = json_object(), *v;

	c = json_pack(
	    "{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:O, s:O, s:s, "
	    "s:n, s:s, s:n, s:n, s:n}",
	    "Hostname", "", "Domainname", "", "User",
	    json_string_value(json_object_get(rec, "user"))
		? json_string_value(json_object_get(rec, "user"))
		: "",
	    "AttachStdin", false, "AttachStdout", false, "AttachStderr", false,
	    "Tty", false, "OpenStdin", false, "StdinOnce", false, "Env",
	    json_is_array(json_object_get(rec, "env"))
		? json_object_get(rec, "env")
		: json_array(),
	    "Cmd",
	    json_is_array(json_object_get(rec, "cmd"))
		? json_object_get(rec, "cmd")
		: json_null(),
	    "Image", "", "Volumes", "WorkingDir",
	    json_string_value(json_object_get(rec, "workdir"))
		? json_string_value(json_object_get(rec, "workdir"))
		: "",
	    "Entrypoint", "OnBuild", "Labels");
	v = pick(rec, ent);
	if (json_array_size(v)) /* none: null, as Docker's */
		json_object_set(c, "Entrypoint", v);
	v = pick(rec, lab);
	json_object_set_new(c, "Labels",
			    json_is_object(v) ? json_incref(v)
			    : container	      ? json_object()
					      : json_null());
	/* a container's "volumes" are its binds (an array): not these */
	v = pick(rec, vol);
	if (json_is_object(v))
		json_object_set(c, "Volumes", v);
	add_ports(ports, pick(rec, exp));
	if (json_object_size(ports))
		json_object_set(c, "ExposedPorts", ports);
	json_decref(ports);
	v = pick(rec, sig);
	if (json_is_string(v))
		json_object_set(c, "StopSignal", v);
	return c;
}

static json_t *graph_driver(const struct hm_store *st, char *const *layers,
			    const char *cdir)
{
	json_t *data = json_object();
	char *lower = xstrdup("");

	/* overlayfs' order: the top layer first */
	for (size_t i = strv_len(layers); i-- > 0;) {
		cleanup_free char *d =
		    store_path(st, "layers/%s/diff", layers[i]);
		char *old = lower;

		lower = xasprintf("%s%s%s", old, *old ? ":" : "", d);
		free(old);
	}
	if (cdir) {
		json_object_set_new(data, "LowerDir", json_string(lower));
		json_object_set_new(data, "UpperDir",
				    json_sprintf("%s/upper", cdir));
		json_object_set_new(data, "WorkDir",
				    json_sprintf("%s/work", cdir));
	} else if (layers && layers[0]) {
		/* an image: its top layer is the upper, as Docker's */
		const char *sep = strchr(lower, ':');

		json_object_set_new(
		    data, "UpperDir",
		    sep ? json_stringn(lower, (size_t)(sep - lower))
			: json_string(lower));
		if (sep)
			json_object_set_new(data, "LowerDir",
					    json_string(sep + 1));
	}
	free(lower);
	return json_pack("{s:o, s:s}", "Data", data, "Name", "overlay2");
}

/* every NAME:TAG of image @id */
static json_t *repo_tags(const struct hm_store *st, const char *id)
{
	struct hm_image *v = NULL;
	json_t *tags = json_array();
	size_t n = 0;

	if (store_image_list(st, &v, &n, NULL) < 0)
		return tags;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, id) && !image_is_dangling(&v[i]))
			json_array_append_new(
			    tags, json_sprintf("%s:%s", v[i].name, v[i].tag));
	image_list_free(v, n);
	return tags;
}

json_t *inspect_image_json(const struct hm_store *st,
			   const struct hm_image *img)
{
	const char *comment =
	    json_string_value(json_object_get(img->config, "comment"));
	const char *author =
	    json_string_value(json_object_get(img->config, "author"));
	json_t *layers = json_array();

	for (size_t i = 0; img->layers[i]; i++)
		json_array_append_new(
		    layers, json_sprintf("sha256:%s", img->layers[i]));
	/* RootFS last: scripts take the last sha256 as the top layer */
	return json_pack(
	    "{s:s+, s:o, s:[], s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, "
	    "s:s, s:o, s:{s:s, s:o}, s:{s:s}}",
	    "Id", "sha256:", img->id, "RepoTags", repo_tags(st, img->id),
	    "RepoDigests", "Parent", "", "Comment", comment ? comment : "",
	    "Created", img->created, "DockerVersion", "", "Author",
	    author ? author : "", "Config", docker_config(img->config, false),
	    "Architecture", cmd_arch(), "Os", "linux", "Size",
	    (json_int_t)img->size, "Source", img->source, "GraphDriver",
	    graph_driver(st, img->layers, NULL), "RootFS", "Type", "layers",
	    "Layers", layers, "Metadata", "LastTagTime",
	    "0001-01-01T00:00:00Z");
}

static json_t *state_json(const struct ctr_row *r)
{
	const struct hm_state *st = &r->state;
	bool restarting = ctr_restarting(r);
	bool running = st->status == ST_RUNNING;

	/* Docker: a restarting container is Running, Status "restarting" */
	return json_pack(
	    "{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status",
	    r->paused	 ? "paused"
	    : restarting ? "restarting"
			 : state_status_name(st->status),
	    "Running", running || restarting, "Paused", r->paused, "Restarting",
	    restarting, "OOMKilled", st->oom_killed, "Dead", false, "Pid",
	    running ? (int)st->pid : 0, "ExitCode", st->exit_code, "Error",
	    st->error, "StartedAt",
	    st->started[0] ? st->started : "0001-01-01T00:00:00Z", "FinishedAt",
	    st->finished[0] ? st->finished : "0001-01-01T00:00:00Z");
}

static json_t *port_bindings(const struct hm_netconf *nc, bool exposed)
{
	json_t *o = json_object();

	for (size_t i = 0; i < nc->nports; i++) {
		const struct hm_port *p = &nc->ports[i];
		cleanup_free char *key =
		    xasprintf("%u/%s", p->ctr_port, port_proto_name(p));
		json_t *list = json_object_get(o, key);
		char ip[16] = "";

		if (exposed) {
			json_object_set_new(o, key, json_object());
			continue;
		}
		if (!list) {
			list = json_array();
			json_object_set_new(o, key, list);
		}
		if (p->host_ip)
			ipam_addr_str(p->host_ip, ip);
		json_array_append_new(
		    list, json_pack("{s:s, s:o}", "HostIp", ip, "HostPort",
				    json_sprintf("%u", p->host_port)));
	}
	return o;
}

static json_t *security_opt(const struct hm_spec *s)
{
	json_t *a = json_array();

	if (s->seccomp_unconfined)
		json_array_append_new(a, json_string("seccomp=unconfined"));
	else if (s->seccomp_profile) /* Docker's: the profile's JSON */
		json_array_append_new(
		    a, json_sprintf("seccomp=%s", s->seccomp_profile));
	if (s->no_new_privs)
		json_array_append_new(a, json_string("no-new-privileges"));
	if (!json_array_size(a)) {
		json_decref(a);
		return json_null();
	}
	return a;
}

static json_t *host_config(const struct hm_spec *s)
{
	const struct cgroup_limits *l = &s->limits;
	int64_t period = l->cpu_period_us > 0 ? l->cpu_period_us : 100000;
	int64_t swap =
	    l->memory && !l->memory_swap ? 2 * l->memory : l->memory_swap;
	json_t *binds = json_array();

	/* Docker's Binds: -v HOST:CTR and NAME:CTR; anonymous ones and
	 * tmpfs are not binds */
	for (size_t i = 0; i < s->nvolumes; i++) {
		const struct hm_volume *v = &s->volumes[i];
		const char *src = v->type == MOUNT_BIND ? v->src
				  : v->anon		? NULL
							: v->name;

		if (v->type != MOUNT_TMPFS && src)
			json_array_append_new(
			    binds, json_sprintf("%s:%s%s", src, v->dst,
						v->ro ? ":ro" : ""));
	}
	return json_pack(
	    "{s:o, s:s, s:o, s:{s:s, s:i}, s:b, s:o, s:o, s:b, s:b, s:b, "
	    "s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "Binds",
	    json_array_size(binds) ? binds : (json_decref(binds), json_null()),
	    "NetworkMode",
	    s->net == NET_HOST	   ? "host"
	    : s->net == NET_BRIDGE ? "bridge"
				   : "none",
	    "PortBindings", port_bindings(&s->netcfg, false), "RestartPolicy",
	    "Name", s->restart ? s->restart : "no", "MaximumRetryCount",
	    s->restart_max, "AutoRemove", s->rm, "CapAdd",
	    strv_json(s->cap_add, true), "CapDrop",
	    strv_json(s->cap_drop, true), "Init", s->init, "Privileged",
	    s->privileged, "ReadonlyRootfs", s->read_only, "SecurityOpt",
	    security_opt(s), "UsernsMode", s->userns_auto ? "auto" : "",
	    "Memory", (json_int_t)l->memory, "MemorySwap", (json_int_t)swap,
	    "NanoCpus",
	    (json_int_t)(l->cpu_quota_us > 0
			     ? l->cpu_quota_us * 1000000000 / period
			     : 0),
	    "CpuShares", (json_int_t)l->cpu_shares, "CpuPeriod",
	    (json_int_t)l->cpu_period_us, "CpuQuota",
	    (json_int_t)(l->cpu_quota_us > 0 ? l->cpu_quota_us : 0),
	    /* Docker's field: the limit, 0 = unlimited */
	    "PidsLimit", (json_int_t)(l->pids > 0 ? l->pids : 0));
}

/* Docker's Mounts: a bind, a volume (its name and data dir) or a tmpfs */
static json_t *mount_json(const struct hm_volume *v)
{
	const char *type = v->type == MOUNT_BIND     ? "bind"
			   : v->type == MOUNT_VOLUME ? "volume"
						     : "tmpfs";
	json_t *m =
	    json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", type, "Source",
		      v->src ? v->src : "", "Destination", v->dst, "Mode",
		      v->ro ? "ro" : "", "RW", !v->ro, "Propagation",
		      v->type == MOUNT_BIND ? "rprivate" : "");

	if (v->type == MOUNT_VOLUME) {
		json_object_set_new(m, "Name",
				    json_string(v->name ? v->name : ""));
		json_object_set_new(m, "Driver", json_string("local"));
	}
	return m;
}

static json_t *mounts_json(const struct hm_spec *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->nvolumes; i++)
		json_array_append_new(a, mount_json(&s->volumes[i]));
	return a;
}

/* homo's NetworkSettings, with Docker's Networks{} added */
static json_t *network_settings(const struct hm_store *st,
				const struct ctr_row *r)
{
	const struct hm_spec *s = &r->spec;
	json_t *ns =
	    network_inspect(st, s->id, &s->netcfg, s->net == NET_BRIDGE,
			    r->state.status == ST_RUNNING);
	const char *mode = s->net == NET_HOST	  ? "host"
			   : s->net == NET_BRIDGE ? "bridge"
						  : "none";
	/* a user network's entry is under its name, with its aliases */
	const char *key = s->netcfg.network ? s->netcfg.network : mode;
	json_t *aliases = json_object_get(
	    json_object_get(json_object_get(ns, "Networks"), key), "Aliases");
	json_t *ep = json_pack(
	    "{s:n, s:n, s:n, s:O, s:s, s:s, s:O, s:O, s:O, s:s, s:s, s:i}",
	    "IPAMConfig", "Links", "Aliases", "MacAddress",
	    json_object_get(ns, "MacAddress"), "NetworkID", "", "EndpointID",
	    "", "Gateway", json_object_get(ns, "Gateway"), "IPAddress",
	    json_object_get(ns, "IPAddress"), "IPPrefixLen",
	    json_object_get(ns, "IPPrefixLen"), "IPv6Gateway", "",
	    "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0);

	if (aliases)
		json_object_set(ep, "Aliases", aliases);
	json_object_set_new(ns, "Networks", json_pack("{s:o}", key, ep));
	return ns;
}

/* Path and Args: what the process runs (argv is entrypoint + Cmd) */
static void path_args(const struct hm_spec *s, json_t *out)
{
	json_t *args = json_array();

	json_object_set_new(
	    out, "Path", json_string(s->argv && s->argv[0] ? s->argv[0] : ""));
	for (size_t i = 1; s->argv && s->argv[0] && s->argv[i]; i++)
		json_array_append_new(args, json_string(s->argv[i]));
	json_object_set_new(out, "Args", args);
}

static json_t *container_json(const struct hm_store *st,
			      const struct ctr_row *r)
{
	const struct hm_spec *s = &r->spec;
	cleanup_free char *cdir = container_dir(st, s->id);
	json_t *raw = ctr_record(st, s->id);
	json_t *j = json_pack("{s:s, s:s}", "Id", s->id, "Created", s->created);
	json_t *config = docker_config(raw, true);
	char host[13];

	path_args(s, j);
	json_object_set_new(j, "State", state_json(r));
	json_object_set_new(j, "Image", json_sprintf("sha256:%s", s->image_id));
	json_object_set_new(j, "ResolvConfPath",
			    json_sprintf("%s/resolv.conf", cdir));
	json_object_set_new(j, "HostnamePath",
			    json_sprintf("%s/hostname", cdir));
	json_object_set_new(j, "HostsPath", json_sprintf("%s/hosts", cdir));
	json_object_set_new(j, "LogPath", json_sprintf("%s/log", cdir));
	json_object_set_new(j, "Name", json_sprintf("/%s", s->name));
	json_object_set_new(j, "RestartCount",
			    json_integer(r->state.restart_count));
	json_object_set_new(j, "Driver", json_string("overlay2"));
	json_object_set_new(j, "Platform", json_string("linux"));
	json_object_set_new(j, "HostConfig", host_config(s));
	json_object_set_new(j, "GraphDriver",
			    graph_driver(st, s->layers, cdir));
	json_object_set_new(j, "Mounts", mounts_json(s));
	snprintf(host, sizeof(host), "%.12s", s->id);
	json_object_set_new(
	    config, "Hostname",
	    json_string(s->hostname && *s->hostname ? s->hostname : host));
	json_object_set_new(config, "User",
			    json_string(s->user ? s->user : ""));
	json_object_set_new(config, "AttachStdin",
			    json_boolean(s->interactive));
	json_object_set_new(config, "Tty", json_boolean(s->tty));
	json_object_set_new(config, "OpenStdin", json_boolean(s->interactive));
	json_object_set_new(config, "StdinOnce", json_boolean(s->interactive));
	json_object_set_new(config, "Env", strv_json(s->env, false));
	json_object_set_new(
	    config, "Cmd",
	    strv_json(s->config_cmd ? s->config_cmd : s->argv, true));
	json_object_set_new(config, "Image", json_string(s->image));
	json_object_set_new(config, "WorkingDir",
			    json_string(s->workdir ? s->workdir : ""));
	if (s->netcfg.nports) { /* Docker exposes what -p publishes */
		json_t *ports = json_object_get(config, "ExposedPorts");
		json_t *pb = port_bindings(&s->netcfg, true);

		if (!ports) {
			ports = json_object();
			json_object_set_new(config, "ExposedPorts", ports);
		}
		json_object_update(ports, pb); /* takes no reference */
		json_decref(pb);
	}
	json_object_set_new(j, "Config", config);
	json_object_set_new(j, "NetworkSettings", network_settings(st, r));
	json_decref(raw);
	return j;
}

int inspect_container(struct hm_ctx *ctx, const char *ref, json_t **out,
		      struct hm_err *e)
{
	struct hm_err miss;
	struct ctr_row r;
	char id[65];

	*out = NULL;
	/* an ambiguous id prefix is an error, not "no such container" */
	if (container_find(&ctx->store, ref, id, &miss) < 0)
		return strstr(miss.msg, "ambiguous") ? (*e = miss, -1) : 0;
	if (ctr_row_load(&ctx->store, id, &r, e) < 0)
		return -1;
	*out = container_json(&ctx->store, &r);
	spec_free(&r.spec);
	return 0;
}

/* fields of Docker's inspect that are maps of the user's keys */
static const char *const map_fields[] = {
    "Labels",	   "Ports", "PortBindings", "ExposedPorts", "Volumes",
    "Networks",	   "Data",  "Options",	    "DriverOpts",   "Sysctls",
    "Annotations", "Tmpfs", "StorageOpt",   NULL,
};

struct inspect_opts {
	const char *format, *type;
};

/* One object: a container, then an image (unless --type says which). */
static int inspect_one(struct hm_ctx *ctx, const struct inspect_opts *o,
		       const char *ref, json_t **out, struct hm_err *e)
{
	struct hm_image img;

	*out = NULL;
	if ((!o->type || !strcmp(o->type, "container")) &&
	    inspect_container(ctx, ref, out, e) < 0)
		return -1;
	if (*out)
		return 0;
	if ((!o->type || !strcmp(o->type, "image")) &&
	    store_image_find(&ctx->store, ref, &img, NULL, e) == 0) {
		*out = inspect_image_json(&ctx->store, &img);
		image_free(&img);
		return 0;
	}
	return hm_failx(e, HM_EXIT_FAIL, "%s: no such %s", ref,
			o->type ? o->type : "container or image");
}

static int inspect_parse(struct inspect_opts *o, int argc, char **argv,
			 struct hm_err *e)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"type", required_argument, NULL, 't'},
	    {"size", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	while ((c = cmd_getopt("inspect", argc, argv, "+f:sh", opts, e)) !=
	       -1) {
		switch (c) {
		case 'f':
			o->format = optarg;
			break;
		case 't':
			if (strcmp(optarg, "container") &&
			    strcmp(optarg, "image"))
				return cmd_usage_error(
				    e, "inspect",
				    "--type \"%s\": use container or image",
				    optarg);
			o->type = optarg;
			break;
		case 's': /* sizes are always shown */
			break;
		case 'h':
			return 1;
		default:
			return -1; /* cmd_getopt() said why */
		}
	}
	if (optind >= argc)
		return cmd_usage_error(e, "inspect", "expected NAME...");
	return 0;
}

/* -f: the template on each object, a line each; nothing on an error */
static int inspect_print(const struct inspect_opts *o, json_t *arr,
			 struct hm_err *e)
{
	struct tmpl *t = NULL;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;
	json_t *v;

	if (!o->format || !strcmp(o->format, "json")) {
		char *text = json_dumps(arr, JSON_INDENT(4));

		/* NULL for a string that is not UTF-8: print what JSON holds */
		puts(text ? text : "[]");
		free(text);
		return 0;
	}
	t = tmpl_parse(o->format, map_fields, e);
	if (!t)
		return hm_prefix(e, "inspect");
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	json_array_foreach(arr, i, v)
	{
		char *out;

		if (tmpl_exec(t, v, &out, e) < 0)
			break;
		fprintf(f, "%s\n", out);
		free(out);
	}
	fclose(f);
	tmpl_free(t);
	if (i < json_array_size(arr)) {
		free(buf);
		return hm_prefix(e, "inspect");
	}
	fputs(buf, stdout);
	free(buf);
	return 0;
}

int cmd_inspect(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	struct inspect_opts o = {0};
	struct hm_err first = {0};
	cleanup_json json_t *arr = NULL;
	int r, failed = 0;

	r = inspect_parse(&o, argc, argv, e);
	if (r)
		return r > 0 ? cmd_help("inspect") : -1;
	if (cmd_open_store(ctx, e) < 0)
		return -1;
	arr = json_array();
	/* Like docker: print what was found, then fail for the others */
	for (int i = optind; i < argc; i++) {
		json_t *v;

		if (inspect_one(ctx, &o, argv[i], &v, e) == 0) {
			json_array_append_new(arr, v);
			continue;
		}
		if (!failed++)
			first = *e;
		else
			fprintf(stderr, "homo: %s\n", e->msg);
	}
	if ((json_array_size(arr) || !o.format) &&
	    inspect_print(&o, arr, e) < 0)
		return -1;
	if (failed) {
		*e = first;
		return -1;
	}
	return 0;
}
