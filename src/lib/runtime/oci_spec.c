/* SPDX-License-Identifier: MIT */
/*
 * config.json (OCI runtime spec) into struct oci_spec: the top level,
 * process, root, mounts and hooks. The linux section is in oci_spec_linux.c.
 */
#include "runtime/oci_spec.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/util.h"
#include "runtime/caps.h"

static int bad(struct hm_err *e, const char *path, const char *key,
	       const char *why)
{
	return hm_fail(e, 0, "config.json: %s%s%s: %s", path, *path ? "." : "",
		       key, why);
}

/* @key of object @o, or NULL when absent or null (both mean "not given") */
static json_t *field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

int oci_get_str(json_t *o, const char *key, const char *path, char **out,
		struct hm_err *e)
{
	json_t *v = field(o, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(e, path, key, "not a string");
	free(*out);
	*out = xstrdup(json_string_value(v));
	return 0;
}

int oci_get_strv(json_t *o, const char *key, const char *path, char ***out,
		 struct hm_err *e)
{
	json_t *v = field(o, key), *x;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bad(e, path, key, "not an array");
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x))
			return hm_fail(e, 0,
				       "config.json: %s%s%s[%zu]: not a string",
				       path, *path ? "." : "", key, i);
		*out = strv_push(*out, json_string_value(x));
	}
	return 0;
}

int oci_get_int(json_t *o, const char *key, const char *path, int64_t min,
		int64_t max, int64_t *out, struct hm_err *e)
{
	json_t *v = field(o, key);
	json_int_t n;

	if (!v)
		return 0;
	if (!json_is_integer(v))
		return bad(e, path, key, "not an integer");
	n = json_integer_value(v);
	if (n < min || n > max)
		return hm_fail(
		    e, 0, "config.json: %s%s%s: %lld out of range %lld..%lld",
		    path, *path ? "." : "", key, (long long)n, (long long)min,
		    (long long)max);
	*out = n;
	return 0;
}

int oci_get_bool(json_t *o, const char *key, const char *path, bool *out,
		 struct hm_err *e)
{
	json_t *v = field(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(e, path, key, "not a boolean");
	*out = json_is_true(v);
	return 0;
}

int oci_get_map(json_t *o, const char *key, const char *path, char ***out,
		struct hm_err *e)
{
	json_t *v = field(o, key), *x;
	const char *k;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return bad(e, path, key, "not an object");
	json_object_foreach(v, k, x)
	{
		if (!json_is_string(x))
			return hm_fail(e, 0,
				       "config.json: %s%s%s.%s: not a string",
				       path, *path ? "." : "", key, k);
		*out = strv_push(strv_push(*out, k), json_string_value(x));
	}
	return 0;
}

/* an object member that must be an object if present */
static int get_obj(json_t *o, const char *key, const char *path, json_t **out,
		   struct hm_err *e)
{
	json_t *v = field(o, key);

	*out = NULL;
	if (v && !json_is_object(v))
		return bad(e, path, key, "not an object");
	*out = v;
	return 0;
}

static int cap_number(const char *name)
{
	unsigned c;

	if (strncmp(name, "CAP_", 4))
		return -1;
	for (c = 0; c < 64; c++) {
		const char *n = caps_name(c);

		if (n && !strcmp(n, name + 4))
			return (int)c;
	}
	return -1;
}

static int parse_caps(json_t *p, struct oci_process *pr, struct hm_err *e)
{
	static const char *const sets[OCI_CAP_NSETS] = {
	    "bounding", "effective", "inheritable", "permitted", "ambient"};
	json_t *c, *v, *x;
	size_t i;
	int k;

	if (get_obj(p, "capabilities", "process", &c, e))
		return -1;
	if (!c)
		return 0;
	pr->has_caps = true;
	for (k = 0; k < OCI_CAP_NSETS; k++) {
		if (!(v = field(c, sets[k])))
			continue;
		if (!json_is_array(v))
			return hm_fail(e, 0,
				       "config.json: process.capabilities.%s: "
				       "not an array",
				       sets[k]);
		json_array_foreach(v, i, x)
		{
			int n = json_is_string(x)
				    ? cap_number(json_string_value(x))
				    : -1;

			if (n < 0)
				return hm_fail(e, 0,
					       "config.json: "
					       "process.capabilities.%s[%zu]: "
					       "not a capability name",
					       sets[k], i);
			pr->caps[k] |= 1ULL << n;
		}
	}
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

const char *oci_rlimit_name(int res)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].res == res)
			return rlimit_names[i].name;
	return "RLIMIT_?";
}

static int rlimit_number(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (!strcmp(rlimit_names[i].name, name))
			return rlimit_names[i].res;
	return -1;
}

static int parse_rlimits(json_t *p, struct oci_process *pr, struct hm_err *e)
{
	json_t *v = field(p, "rlimits"), *x, *t, *soft, *hard;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bad(e, "process", "rlimits", "not an array");
	pr->rlimits = xcalloc(json_array_size(v) + 1, sizeof(*pr->rlimits));
	json_array_foreach(v, i, x)
	{
		struct oci_rlimit *r = &pr->rlimits[i];
		size_t j;

		t = json_object_get(x, "type");
		soft = json_object_get(x, "soft");
		hard = json_object_get(x, "hard");
		r->resource = json_is_string(t)
				  ? rlimit_number(json_string_value(t))
				  : -1;
		if (r->resource < 0 || !json_is_integer(soft) ||
		    !json_is_integer(hard) || json_integer_value(soft) < 0 ||
		    json_integer_value(hard) < 0)
			return hm_fail(e, 0,
				       "config.json: process.rlimits[%zu]: "
				       "needs a known type and soft and hard "
				       "limits",
				       i);
		r->soft = (uint64_t)json_integer_value(soft);
		r->hard = (uint64_t)json_integer_value(hard);
		for (j = 0; j < i; j++)
			if (pr->rlimits[j].resource == r->resource)
				return hm_fail(
				    e, 0,
				    "config.json: process.rlimits[%zu]: "
				    "%s given twice",
				    i, json_string_value(t));
		pr->nrlimits++;
	}
	return 0;
}

static int parse_user(json_t *p, struct oci_process *pr, struct hm_err *e)
{
	int64_t uid = 0, gid = 0;
	json_t *u, *g, *x;
	size_t i;

	if (get_obj(p, "user", "process", &u, e))
		return -1;
	if (!u)
		return bad(e, "process", "user", "missing");
	if (oci_get_int(u, "uid", "process.user", 0, UINT32_MAX - 1, &uid, e) ||
	    oci_get_int(u, "gid", "process.user", 0, UINT32_MAX - 1, &gid, e) ||
	    oci_get_int(u, "umask", "process.user", 0, 0777, &pr->umask, e))
		return -1;
	pr->uid = (uid_t)uid;
	pr->gid = (gid_t)gid;
	if (!(g = field(u, "additionalGids")))
		return 0;
	if (!json_is_array(g))
		return bad(e, "process.user", "additionalGids", "not an array");
	pr->groups = xcalloc(json_array_size(g) + 1, sizeof(gid_t));
	json_array_foreach(g, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    json_integer_value(x) >= UINT32_MAX)
			return hm_fail(e, 0,
				       "config.json: "
				       "process.user.additionalGids[%zu]: "
				       "not a gid",
				       i);
		pr->groups[pr->ngroups++] = (gid_t)json_integer_value(x);
	}
	return 0;
}

static int parse_process(json_t *p, struct oci_process *pr, struct hm_err *e)
{
	pr->umask = OCI_UNSET;
	pr->oom_score_adj = OCI_UNSET;
	if (oci_get_bool(p, "terminal", "process", &pr->terminal, e) ||
	    oci_get_strv(p, "args", "process", &pr->args, e) ||
	    oci_get_strv(p, "env", "process", &pr->env, e) ||
	    oci_get_str(p, "cwd", "process", &pr->cwd, e) ||
	    oci_get_bool(p, "noNewPrivileges", "process", &pr->no_new_privs,
			 e) ||
	    oci_get_int(p, "oomScoreAdj", "process", -1000, 1000,
			&pr->oom_score_adj, e) ||
	    oci_get_str(p, "apparmorProfile", "process", &pr->apparmor, e) ||
	    oci_get_str(p, "selinuxLabel", "process", &pr->selinux_label, e))
		return -1;
	if (!pr->args || !pr->args[0] || !*pr->args[0])
		return bad(e, "process", "args", "needs at least one element");
	if (!pr->cwd || pr->cwd[0] != '/')
		return bad(e, "process", "cwd", "must be an absolute path");
	if (pr->env)
		for (size_t i = 0; pr->env[i]; i++)
			if (!strchr(pr->env[i], '=') || pr->env[i][0] == '=')
				return hm_fail(e, 0,
					       "config.json: process.env[%zu]: "
					       "not KEY=VALUE",
					       i);
	return parse_user(p, pr, e) || parse_caps(p, pr, e) ||
		       parse_rlimits(p, pr, e)
		   ? -1
		   : 0;
}

static int parse_mounts(json_t *j, struct oci_spec *s, struct hm_err *e)
{
	json_t *v = field(j, "mounts"), *x;
	size_t i;
	char path[32];

	if (!v)
		return 0;
	if (!json_is_array(v))
		return bad(e, "", "mounts", "not an array");
	s->mounts = xcalloc(json_array_size(v) + 1, sizeof(*s->mounts));
	json_array_foreach(v, i, x)
	{
		struct oci_mount *m = &s->mounts[i];

		snprintf(path, sizeof(path), "mounts[%zu]", i);
		s->nmounts++;
		if (!json_is_object(x))
			return hm_fail(e, 0, "config.json: %s: not an object",
				       path);
		if (oci_get_str(x, "destination", path, &m->destination, e) ||
		    oci_get_str(x, "type", path, &m->type, e) ||
		    oci_get_str(x, "source", path, &m->source, e) ||
		    oci_get_strv(x, "options", path, &m->options, e))
			return -1;
		if (!m->destination || m->destination[0] != '/')
			return bad(e, path, "destination",
				   "must be an absolute path");
	}
	return 0;
}

static const char *const hook_names[OCI_HOOK_NKINDS] = {
    "prestart",	      "createRuntime", "createContainer",
    "startContainer", "poststart",     "poststop"};

static int parse_hook_list(json_t *v, enum oci_hook_kind k, struct oci_spec *s,
			   struct hm_err *e)
{
	json_t *x;
	size_t i;
	char path[64];

	if (!json_is_array(v))
		return bad(e, "hooks", hook_names[k], "not an array");
	s->hooks[k] = xcalloc(json_array_size(v) + 1, sizeof(struct oci_hook));
	json_array_foreach(v, i, x)
	{
		struct oci_hook *h = &s->hooks[k][i];

		snprintf(path, sizeof(path), "hooks.%s[%zu]", hook_names[k], i);
		s->nhooks[k]++;
		h->timeout = OCI_UNSET;
		if (!json_is_object(x))
			return hm_fail(e, 0, "config.json: %s: not an object",
				       path);
		if (oci_get_str(x, "path", path, &h->path, e) ||
		    oci_get_strv(x, "args", path, &h->args, e) ||
		    oci_get_strv(x, "env", path, &h->env, e) ||
		    oci_get_int(x, "timeout", path, 1, INT32_MAX, &h->timeout,
				e))
			return -1;
		if (!h->path || h->path[0] != '/')
			return bad(e, path, "path", "must be an absolute path");
	}
	return 0;
}

static int parse_hooks(json_t *j, struct oci_spec *s, struct hm_err *e)
{
	json_t *h, *v;
	int k;

	if (get_obj(j, "hooks", "", &h, e))
		return -1;
	for (k = 0; h && k < OCI_HOOK_NKINDS; k++)
		if ((v = field(h, hook_names[k])) &&
		    parse_hook_list(v, (enum oci_hook_kind)k, s, e))
			return -1;
	return 0;
}

static int parse_top(json_t *j, struct oci_spec *s, struct hm_err *e)
{
	json_t *p, *r, *lx;

	if (!json_is_object(j))
		return hm_fail(e, 0, "config.json: not a JSON object");
	if (oci_get_str(j, "ociVersion", "", &s->oci_version, e) ||
	    oci_get_str(j, "hostname", "", &s->hostname, e) ||
	    oci_get_str(j, "domainname", "", &s->domainname, e) ||
	    oci_get_map(j, "annotations", "", &s->annotations, e))
		return -1;
	if (!s->oci_version)
		return bad(e, "", "ociVersion", "missing");
	if (strncmp(s->oci_version, "1.", 2))
		return bad(e, "", "ociVersion", "not a 1.x version");
	if (get_obj(j, "root", "", &r, e))
		return -1;
	if (r && (oci_get_str(r, "path", "root", &s->root_path, e) ||
		  oci_get_bool(r, "readonly", "root", &s->root_readonly, e)))
		return -1;
	if (!s->root_path || !*s->root_path)
		return bad(e, "root", "path", "missing");
	if (get_obj(j, "process", "", &p, e))
		return -1;
	if (p && parse_process(p, &s->process, e))
		return -1;
	s->has_process = p != NULL;
	if (parse_mounts(j, s, e) || parse_hooks(j, s, e) ||
	    get_obj(j, "linux", "", &lx, e))
		return -1;
	return lx ? oci_parse_linux(lx, s, e) : 0;
}

int oci_spec_from_json(json_t *j, struct oci_spec *s, struct hm_err *e)
{
	memset(s, 0, sizeof(*s));
	if (parse_top(j, s, e) == 0)
		return 0;
	oci_spec_free(s);
	return -1;
}

int oci_spec_load(const char *bundle, struct oci_spec *s, struct hm_err *e)
{
	char *path = xasprintf("%s/config.json", bundle), *text;
	json_error_t je;
	json_t *j = NULL;
	size_t len;
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (!(text = util_read_file(path, &len, e)))
		goto out;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		hm_fail(e, 0, "%s: line %d: %s", path, je.line, je.text);
	else
		r = oci_spec_from_json(j, s, e);
out:
	json_decref(j);
	free(text);
	free(path);
	return r;
}

const struct oci_namespace *oci_ns_find(const struct oci_spec *s, int type)
{
	size_t i;

	for (i = 0; i < s->nnamespaces; i++)
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	return NULL;
}

static void process_free(struct oci_process *p)
{
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->groups);
	free(p->rlimits);
	free(p->apparmor);
	free(p->selinux_label);
}

void oci_spec_free(struct oci_spec *s)
{
	size_t i;
	int k;

	free(s->oci_version);
	process_free(&s->process);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		strv_free(s->mounts[i].options);
	}
	free(s->mounts);
	for (k = 0; k < OCI_HOOK_NKINDS; k++) {
		for (i = 0; i < s->nhooks[k]; i++) {
			free(s->hooks[k][i].path);
			strv_free(s->hooks[k][i].args);
			strv_free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	strv_free(s->annotations);
	for (i = 0; i < s->nnamespaces; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	free(s->uid_map);
	free(s->gid_map);
	for (i = 0; i < s->ndevices; i++)
		free(s->devices[i].path);
	free(s->devices);
	free(s->res.cpus);
	free(s->res.mems);
	free(s->res.devices);
	free(s->cgroups_path);
	strv_free(s->sysctl);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	free(s->rootfs_propagation);
	free(s->mount_label);
	json_decref(s->seccomp);
	memset(s, 0, sizeof(*s));
}
