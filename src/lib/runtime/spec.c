/* SPDX-License-Identifier: MIT */
/*
 * A container's spec as its config.json (docs/architecture.md, "Which file owns
 * what"): the JSON form, read back, freed; and the check that it can be written
 * at all.
 */
#include "runtime/spec.h"

#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/device.h"
#include "runtime/volumes.h"

/* ---- the spec as config.json ---- */

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char **spec_strv_from_json(json_t *a)
{
	char **v = NULL;
	json_t *x;
	size_t i;

	json_array_foreach(a, i, x)
	{
		if (json_is_string(x))
			v = strv_push(v, json_string_value(x));
	}
	return v ? v : xcalloc(1, sizeof(char *));
}

static json_t *spec_to_json_base(const struct hm_spec *s)
{
	json_t *vols = json_array();

	for (size_t i = 0; i < s->nvolumes; i++)
		json_array_append_new(vols, spec_volume_json(&s->volumes[i]));
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:s, "
	    "s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:s, s:o, s:s, s:i, s:I, "
	    "s:o, s:o, s:I, "
	    "s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
	    "id", s->id, "name", s->name, "image", s->image, "image_id",
	    s->image_id, "layers", strv_json(s->layers), "cmd",
	    strv_json(s->argv), "env", strv_json(s->env), "workdir", s->workdir,
	    "user", s->user, "hostname", s->hostname, "created", s->created,
	    "tty", s->tty, "interactive", s->interactive, "rm", s->rm,
	    "read_only", s->read_only, "privileged", s->privileged, "init",
	    s->init, "no_new_privs", s->no_new_privs, "net",
	    s->net == NET_HOST	      ? "host"
	    : s->net == NET_BRIDGE    ? "bridge"
	    : s->net == NET_CONTAINER ? "container"
				      : "none",
	    "volumes", vols, "restart", s->restart ? s->restart : "no",
	    "restart_max", s->restart_max, "log_max", (json_int_t)s->log_max,
	    "cap_add", strv_json(s->cap_add), "cap_drop",
	    strv_json(s->cap_drop), "caps", (json_int_t)s->caps, "limits",
	    "memory", (json_int_t)s->limits.memory, "memory_swap",
	    (json_int_t)s->limits.memory_swap, "pids",
	    (json_int_t)s->limits.pids, "cpu_quota_us",
	    (json_int_t)s->limits.cpu_quota_us, "cpu_period_us",
	    (json_int_t)s->limits.cpu_period_us, "cpu_shares",
	    (json_int_t)s->limits.cpu_shares);
}

json_t *spec_to_json(const struct hm_spec *s)
{
	json_t *j = spec_to_json_base(s);

	json_object_set_new(j, "network", netconf_to_json(&s->netcfg));
	json_object_set_new(j, "devices", device_to_json(s));
	json_object_set_new(j, "seccomp_unconfined",
			    json_boolean(s->seccomp_unconfined));
	if (s->seccomp_profile)
		json_object_set_new(j, "seccomp_profile",
				    json_string(s->seccomp_profile));
	json_object_set_new(j, "entrypoint", strv_json(s->entrypoint));
	json_object_set_new(j, "config_cmd", strv_json(s->config_cmd));
	if (s->stop_signal && *s->stop_signal)
		json_object_set_new(j, "stop_signal",
				    json_string(s->stop_signal));
	if (json_object_size(s->labels))
		json_object_set(j, "labels", s->labels);
	if (s->uidmap.count)
		json_object_set_new(j, "userns",
				    json_pack("{s:[I,I,I], s:[I,I,I]}", "uid",
					      (json_int_t)s->uidmap.ctr,
					      (json_int_t)s->uidmap.host,
					      (json_int_t)s->uidmap.count,
					      "gid", (json_int_t)s->gidmap.ctr,
					      (json_int_t)s->gidmap.host,
					      (json_int_t)s->gidmap.count));
	return j;
}

static char *jstr(json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	return xstrdup(v ? v : "");
}

static int64_t jint(json_t *j, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(j, key));
}

static void idmap_from_json(json_t *a, struct hm_idmap *m)
{
	m->ctr = (uint32_t)json_integer_value(json_array_get(a, 0));
	m->host = (uint32_t)json_integer_value(json_array_get(a, 1));
	m->count = (uint32_t)json_integer_value(json_array_get(a, 2));
}

static bool is_hex64(const char *v)
{
	return v && strlen(v) == 64 && digest_valid_hex(v);
}

/* A record's layers name directories below layers/: digests only. */
static bool layers_ok(json_t *a)
{
	json_t *v;
	size_t i;

	if (!json_is_array(a) || !json_array_size(a))
		return false;
	json_array_foreach(a, i, v)
	{
		if (!is_hex64(json_string_value(v)))
			return false;
	}
	return true;
}

/* A security boolean: as recorded, or @safe (noted) when it is not one. */
static bool sec_bool(json_t *j, const char *key, bool safe, struct hm_spec *s)
{
	json_t *v = json_object_get(j, key);

	if (json_is_boolean(v))
		return json_is_true(v);
	s->filled = strv_push(s->filled, key);
	return safe;
}

static char **sec_strv(json_t *j, const char *key, struct hm_spec *s)
{
	json_t *a = json_object_get(j, key), *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			a = NULL;
	}
	if (json_is_array(a))
		return spec_strv_from_json(a);
	s->filled = strv_push(s->filled, key);
	return xcalloc(1, sizeof(char *));
}

/*
 * The security fields. A record without them (damaged, or hand-made) ran
 * with the weaker value: false for no_new_privs, no capability mask.
 */
static void security_from_json(json_t *j, struct hm_spec *s)
{
	json_t *caps = json_object_get(j, "caps");
	uint64_t asked;

	s->privileged = sec_bool(j, "privileged", false, s);
	s->no_new_privs = sec_bool(j, "no_new_privs", true, s);
	s->seccomp_unconfined = sec_bool(j, "seccomp_unconfined", false, s);
	/* absent: homo's own profile; of the wrong type: that too */
	if (json_is_string(json_object_get(j, "seccomp_profile")))
		s->seccomp_profile = xstrdup(
		    json_string_value(json_object_get(j, "seccomp_profile")));
	else if (json_object_get(j, "seccomp_profile"))
		s->filled = strv_push(s->filled, "seccomp_profile");
	s->cap_add = sec_strv(j, "cap_add", s);
	s->cap_drop = sec_strv(j, "cap_drop", s);
	if (json_is_integer(caps) && json_integer_value(caps) >= 0) {
		s->caps = (uint64_t)json_integer_value(caps);
		return;
	}
	/* no more than Docker's defaults, nor than the options asked for */
	s->filled = strv_push(s->filled, "caps");
	s->caps = caps_default();
	if (caps_resolve(s->cap_add, s->cap_drop, s->privileged, &asked,
			 NULL) == 0)
		s->caps &= asked;
}

int spec_from_json(json_t *j, struct hm_spec *s, struct hm_err *e)
{
	json_t *lim = json_object_get(j, "limits"), *v;
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *iid = json_string_value(json_object_get(j, "image_id"));
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(j) || !is_hex64(id) || !is_hex64(iid))
		return hm_failx(e, HM_EXIT_FAIL,
				"corrupt container config: no id or image id");
	if (!layers_ok(json_object_get(j, "layers")))
		return hm_failx(e, HM_EXIT_FAIL,
				"corrupt container config: a layer id is not "
				"a sha256 digest");
	memcpy(s->id, id, 65);
	memcpy(s->image_id, iid, 65);
	s->name = jstr(j, "name");
	s->image = jstr(j, "image");
	s->workdir = jstr(j, "workdir");
	s->user = jstr(j, "user");
	s->hostname = jstr(j, "hostname");
	snprintf(s->created, sizeof(s->created), "%s",
		 json_string_value(json_object_get(j, "created")) ?: "");
	s->layers = spec_strv_from_json(json_object_get(j, "layers"));
	s->argv = spec_strv_from_json(json_object_get(j, "cmd"));
	s->entrypoint = spec_strv_from_json(json_object_get(j, "entrypoint"));
	/* a record from before Entrypoint was kept apart: all was Cmd */
	s->config_cmd = spec_strv_from_json(json_object_get(
	    j, json_object_get(j, "config_cmd") ? "config_cmd" : "cmd"));
	s->stop_signal = jstr(j, "stop_signal");
	v = json_object_get(j, "labels");
	s->labels = json_is_object(v) ? json_deep_copy(v) : NULL;
	s->env = spec_strv_from_json(json_object_get(j, "env"));
	s->tty = json_is_true(json_object_get(j, "tty"));
	s->interactive = json_is_true(json_object_get(j, "interactive"));
	s->rm = json_is_true(json_object_get(j, "rm"));
	s->read_only = json_is_true(json_object_get(j, "read_only"));
	s->init = json_is_true(json_object_get(j, "init"));
	security_from_json(j, s);
	v = json_object_get(j, "net");
	s->net = !strcmp(json_string_value(v) ?: "", "host")	 ? NET_HOST
		 : !strcmp(json_string_value(v) ?: "", "bridge") ? NET_BRIDGE
		 : !strcmp(json_string_value(v) ?: "", "container")
		     ? NET_CONTAINER
		     : NET_NONE;
	netconf_from_json(json_object_get(j, "network"), &s->netcfg);
	idmap_from_json(json_object_get(json_object_get(j, "userns"), "uid"),
			&s->uidmap);
	idmap_from_json(json_object_get(json_object_get(j, "userns"), "gid"),
			&s->gidmap);
	s->restart = jstr(j, "restart");
	s->restart_max = (int)jint(j, "restart_max");
	s->log_max = jint(j, "log_max");
	s->limits.memory = jint(lim, "memory");
	s->limits.memory_swap = jint(lim, "memory_swap");
	/*
	 * -1: unlimited. 0 (or none): a record from before the default
	 * existed, which could not ask for unlimited: the default, safe one.
	 */
	s->limits.pids = jint(lim, "pids") ?: CGROUP_DEFAULT_PIDS;
	s->limits.cpu_quota_us = jint(lim, "cpu_quota_us");
	s->limits.cpu_period_us = jint(lim, "cpu_period_us");
	s->limits.cpu_shares = jint(lim, "cpu_shares");
	s->limits.privileged = s->privileged;
	device_from_json(json_object_get(j, "devices"), s);
	json_array_foreach(json_object_get(j, "volumes"), i, v)
	{
		s->volumes = xrealloc(s->volumes,
				      (s->nvolumes + 1) * sizeof(*s->volumes));
		if (spec_volume_from_json(v, &s->volumes[s->nvolumes], e) < 0)
			return -1;
		s->nvolumes++;
	}
	return 0;
}

/*
 * Docker's rules: COMMAND replaces the image's Cmd and keeps its
 * Entrypoint; --entrypoint replaces the Entrypoint and drops the image's
 * Cmd ('' leaves none). What runs is the Entrypoint, then the Cmd.
 */
int spec_resolve_command(struct hm_spec *s, json_t *cfg, struct hm_err *e)
{
	char **argv = NULL;

	if (!s->entrypoint_set) {
		strv_free(s->entrypoint);
		s->entrypoint =
		    spec_strv_from_json(json_object_get(cfg, "entrypoint"));
	} else if (s->entrypoint && s->entrypoint[0] && !*s->entrypoint[0]) {
		strv_free(s->entrypoint); /* --entrypoint '' */
		s->entrypoint = NULL;
	}
	if (!s->entrypoint)
		s->entrypoint = xcalloc(1, sizeof(char *));
	strv_free(s->config_cmd);
	if (s->argv && s->argv[0])
		s->config_cmd = steal_ptr(&s->argv);
	else if (!s->entrypoint_set)
		s->config_cmd =
		    spec_strv_from_json(json_object_get(cfg, "cmd"));
	else
		s->config_cmd = xcalloc(1, sizeof(char *));
	for (size_t i = 0; s->entrypoint[i]; i++)
		argv = strv_push(argv, s->entrypoint[i]);
	for (size_t i = 0; s->config_cmd[i]; i++)
		argv = strv_push(argv, s->config_cmd[i]);
	strv_free(s->argv);
	s->argv = argv;
	if (!argv)
		return hm_failx(e, HM_EXIT_FAIL,
				"image \"%s\" has no command: give one "
				"(homo run IMAGE COMMAND) or --entrypoint",
				s->image);
	return 0;
}

void spec_free(struct hm_spec *s)
{
	free(s->name);
	free(s->image);
	strv_free(s->layers);
	strv_free(s->argv);
	strv_free(s->entrypoint);
	strv_free(s->config_cmd);
	free(s->stop_signal);
	json_decref(s->labels);
	strv_free(s->env);
	free(s->workdir);
	free(s->user);
	free(s->hostname);
	free(s->restart);
	free(s->seccomp_profile);
	strv_free(s->cap_add);
	strv_free(s->cap_drop);
	strv_free(s->volumes_from);
	for (size_t i = 0; i < s->nvolumes; i++) {
		free(s->volumes[i].src);
		free(s->volumes[i].dst);
		free(s->volumes[i].name);
		free(s->volumes[i].opts);
	}
	free(s->volumes);
	device_free(s);
	netconf_free(&s->netcfg);
	strv_free(s->filled);
	memset(s, 0, sizeof(*s));
}

/*
 * config.json is JSON, whose strings are UTF-8: jansson refuses anything
 * else (json_pack() returns NULL, a NULL array element is dropped), which
 * made homo crash on "-w $'/a\x80'" and silently drop such a command word.
 * File names may be any bytes; refusing them here, by field and without
 * echoing the bytes, keeps the error on one line.
 */
static bool utf8_ok(const char *str)
{
	json_t *t = str ? json_string(str) : NULL;

	json_decref(t);
	return !str || t;
}

int spec_check_utf8(const struct hm_spec *s, struct hm_err *e)
{
	const char *what = NULL;
	size_t i, n = 0;

	for (i = 0; s->argv && s->argv[i] && !what; i++)
		if (!utf8_ok(s->argv[i]))
			what = "command word", n = i + 1;
	for (i = 0; s->entrypoint && s->entrypoint[i] && !what; i++)
		if (!utf8_ok(s->entrypoint[i]))
			what = "entrypoint word", n = i + 1;
	for (i = 0; s->env && s->env[i] && !what; i++)
		if (!utf8_ok(s->env[i]))
			what = "environment variable", n = i + 1;
	for (i = 0; i < s->nvolumes && !what; i++)
		if (!utf8_ok(s->volumes[i].src) || !utf8_ok(s->volumes[i].dst))
			what = "volume", n = i + 1;
	if (!what && !utf8_ok(s->workdir))
		what = "workdir";
	if (!what && !utf8_ok(s->user))
		what = "user";
	if (!what && !utf8_ok(s->hostname))
		what = "hostname";
	if (!what)
		return 0;
	if (n)
		return hm_failx(e, HM_EXIT_FAIL,
				"%s %zu is not valid UTF-8 (the container's "
				"config is JSON)",
				what, n);
	return hm_failx(
	    e, HM_EXIT_FAIL,
	    "%s is not valid UTF-8 (the container's config is JSON)", what);
}
