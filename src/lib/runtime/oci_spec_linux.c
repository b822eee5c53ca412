/* SPDX-License-Identifier: MIT */
/*
 * The "linux" section of config.json: namespaces, id mappings, devices,
 * resources, cgroupsPath, masked and read-only paths, sysctl, seccomp.
 */
#include "runtime/oci_spec.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
    {"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET},
    {"mount", CLONE_NEWNS},	 {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},	 {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP},
};

static int ns_flag(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
		if (!strcmp(ns_names[i].name, name))
			return ns_names[i].flag;
	return 0;
}

static int parse_namespaces(json_t *lx, struct oci_spec *s, struct hm_err *e)
{
	json_t *v = json_object_get(lx, "namespaces"), *x, *t;
	char path[40];
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return hm_fail(e, 0,
			       "config.json: linux.namespaces: not an array");
	s->namespaces = xcalloc(json_array_size(v) + 1, sizeof(*s->namespaces));
	json_array_foreach(v, i, x)
	{
		struct oci_namespace *n = &s->namespaces[i];

		snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
		s->nnamespaces++;
		t = json_object_get(x, "type");
		if (!json_is_string(t) ||
		    !(n->type = ns_flag(json_string_value(t))))
			return hm_fail(e, 0,
				       "config.json: %s.type: not a namespace "
				       "type",
				       path);
		for (size_t j = 0; j < i; j++)
			if (s->namespaces[j].type == n->type)
				return hm_fail(
				    e, 0, "config.json: %s: %s given twice",
				    path, json_string_value(t));
		if (oci_get_str(x, "path", path, &n->path, e))
			return -1;
		if (n->path && n->path[0] != '/')
			return hm_fail(e, 0,
				       "config.json: %s.path: must be an "
				       "absolute path",
				       path);
	}
	return 0;
}

static int parse_idmap(json_t *lx, const char *key, struct oci_idmap **out,
		       size_t *n, struct hm_err *e)
{
	json_t *v = json_object_get(lx, key), *x;
	size_t i;
	char path[48];

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return hm_fail(e, 0, "config.json: linux.%s: not an array",
			       key);
	*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
	json_array_foreach(v, i, x)
	{
		int64_t c = -1, h = -1, sz = -1;

		snprintf(path, sizeof(path), "linux.%s[%zu]", key, i);
		if (oci_get_int(x, "containerID", path, 0, UINT32_MAX - 1, &c,
				e) ||
		    oci_get_int(x, "hostID", path, 0, UINT32_MAX - 1, &h, e) ||
		    oci_get_int(x, "size", path, 1, UINT32_MAX, &sz, e))
			return -1;
		if (c < 0 || h < 0 || sz < 0)
			return hm_fail(e, 0,
				       "config.json: %s: needs containerID, "
				       "hostID and size",
				       path);
		(*out)[i] =
		    (struct oci_idmap){(uint32_t)c, (uint32_t)h, (uint32_t)sz};
		(*n)++;
	}
	return 0;
}

static int dev_type(json_t *x, const char *path, const char *ok, char *out,
		    struct hm_err *e)
{
	json_t *t = json_object_get(x, "type");
	const char *s;

	if (!t || json_is_null(t))
		return 0;
	s = json_is_string(t) ? json_string_value(t) : "";
	if (strlen(s) != 1 || !strchr(ok, s[0]))
		return hm_fail(e, 0, "config.json: %s.type: not one of %s",
			       path, ok);
	*out = s[0];
	return 0;
}

static int parse_devices(json_t *lx, struct oci_spec *s, struct hm_err *e)
{
	json_t *v = json_object_get(lx, "devices"), *x;
	size_t i;
	char path[40];

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return hm_fail(e, 0,
			       "config.json: linux.devices: not an array");
	s->devices = xcalloc(json_array_size(v) + 1, sizeof(*s->devices));
	json_array_foreach(v, i, x)
	{
		struct oci_device *d = &s->devices[i];

		snprintf(path, sizeof(path), "linux.devices[%zu]", i);
		s->ndevices++;
		*d = (struct oci_device){.major = OCI_UNSET,
					 .minor = OCI_UNSET,
					 .file_mode = OCI_UNSET,
					 .uid = OCI_UNSET,
					 .gid = OCI_UNSET};
		if (oci_get_str(x, "path", path, &d->path, e) ||
		    dev_type(x, path, "cbup", &d->type, e) ||
		    oci_get_int(x, "major", path, 0, INT32_MAX, &d->major, e) ||
		    oci_get_int(x, "minor", path, 0, INT32_MAX, &d->minor, e) ||
		    oci_get_int(x, "fileMode", path, 0, 07777, &d->file_mode,
				e) ||
		    oci_get_int(x, "uid", path, 0, UINT32_MAX - 1, &d->uid,
				e) ||
		    oci_get_int(x, "gid", path, 0, UINT32_MAX - 1, &d->gid, e))
			return -1;
		if (!d->path || d->path[0] != '/')
			return hm_fail(e, 0,
				       "config.json: %s.path: must be an "
				       "absolute path",
				       path);
		if (!d->type)
			return hm_fail(e, 0, "config.json: %s.type: missing",
				       path);
		if (d->type != 'p' && (d->major < 0 || d->minor < 0))
			return hm_fail(e, 0,
				       "config.json: %s: needs major and minor",
				       path);
	}
	return 0;
}

static int parse_dev_rules(json_t *r, struct oci_resources *res,
			   struct hm_err *e)
{
	json_t *v = json_object_get(r, "devices"), *x;
	char path[48];
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return hm_fail(e, 0,
			       "config.json: linux.resources.devices: not an "
			       "array");
	res->devices = xcalloc(json_array_size(v) + 1, sizeof(*res->devices));
	json_array_foreach(v, i, x)
	{
		struct oci_device_rule *d = &res->devices[i];
		char *access = NULL;
		json_t *allow = json_object_get(x, "allow");

		snprintf(path, sizeof(path), "linux.resources.devices[%zu]", i);
		*d = (struct oci_device_rule){
		    .type = 'a', .major = OCI_UNSET, .minor = OCI_UNSET};
		if (!json_is_boolean(allow))
			return hm_fail(
			    e, 0, "config.json: %s.allow: not a boolean", path);
		d->allow = json_is_true(allow);
		if (dev_type(x, path, "acb", &d->type, e) ||
		    oci_get_int(x, "major", path, -1, INT32_MAX, &d->major,
				e) ||
		    oci_get_int(x, "minor", path, -1, INT32_MAX, &d->minor,
				e) ||
		    oci_get_str(x, "access", path, &access, e))
			return -1;
		if (access && (strlen(access) > 3 ||
			       strspn(access, "rwm") != strlen(access))) {
			free(access);
			return hm_fail(e, 0,
				       "config.json: %s.access: not a subset "
				       "of \"rwm\"",
				       path);
		}
		snprintf(d->access, sizeof(d->access), "%s",
			 access ? access : "rwm");
		free(access);
		res->ndevices++;
	}
	return 0;
}

static json_t *sub(json_t *o, const char *key, const char *path,
		   struct hm_err *e, int *err)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_object(v)) {
		*err = hm_fail(e, 0, "config.json: %s.%s: not an object", path,
			       key);
		return NULL;
	}
	return v;
}

static int parse_resources(json_t *lx, struct oci_resources *res,
			   struct hm_err *e)
{
	const char *P = "linux.resources";
	int err = 0;
	json_t *r = sub(lx, "resources", "linux", e, &err), *m, *c, *p;

	res->mem_limit = res->mem_reservation = res->mem_swap =
	    res->mem_kernel = res->mem_kernel_tcp = res->mem_swappiness =
		OCI_UNSET;
	res->cpu_shares = res->cpu_quota = res->cpu_period = OCI_UNSET;
	res->cpu_rt_runtime = res->cpu_rt_period = res->pids_limit = OCI_UNSET;
	if (!r)
		return err;
	m = sub(r, "memory", P, e, &err);
	c = sub(r, "cpu", P, e, &err);
	p = sub(r, "pids", P, e, &err);
	if (err)
		return -1;
	/* -1 is the spec's "unlimited" for memory limits */
	if (m && (oci_get_int(m, "limit", "linux.resources.memory", -1,
			      INT64_MAX, &res->mem_limit, e) ||
		  oci_get_int(m, "reservation", "linux.resources.memory", -1,
			      INT64_MAX, &res->mem_reservation, e) ||
		  oci_get_int(m, "swap", "linux.resources.memory", -1,
			      INT64_MAX, &res->mem_swap, e) ||
		  oci_get_int(m, "kernel", "linux.resources.memory", -1,
			      INT64_MAX, &res->mem_kernel, e) ||
		  oci_get_int(m, "kernelTCP", "linux.resources.memory", -1,
			      INT64_MAX, &res->mem_kernel_tcp, e) ||
		  oci_get_int(m, "swappiness", "linux.resources.memory", 0, 100,
			      &res->mem_swappiness, e) ||
		  oci_get_bool(m, "disableOOMKiller", "linux.resources.memory",
			       &res->disable_oom_killer, e)))
		return -1;
	if (c &&
	    (oci_get_int(c, "shares", "linux.resources.cpu", 0, UINT32_MAX,
			 &res->cpu_shares, e) ||
	     oci_get_int(c, "quota", "linux.resources.cpu", -1, INT64_MAX,
			 &res->cpu_quota, e) ||
	     oci_get_int(c, "period", "linux.resources.cpu", 0, UINT32_MAX,
			 &res->cpu_period, e) ||
	     oci_get_int(c, "realtimeRuntime", "linux.resources.cpu", -1,
			 INT64_MAX, &res->cpu_rt_runtime, e) ||
	     oci_get_int(c, "realtimePeriod", "linux.resources.cpu", 0,
			 UINT32_MAX, &res->cpu_rt_period, e) ||
	     oci_get_str(c, "cpus", "linux.resources.cpu", &res->cpus, e) ||
	     oci_get_str(c, "mems", "linux.resources.cpu", &res->mems, e)))
		return -1;
	if (p && oci_get_int(p, "limit", "linux.resources.pids", INT64_MIN,
			     INT64_MAX, &res->pids_limit, e))
		return -1;
	if (p && !json_is_integer(json_object_get(p, "limit")))
		return hm_fail(e, 0,
			       "config.json: linux.resources.pids.limit: "
			       "missing");
	/* any negative limit is "max", as runc and crun: 0 says so here,
	 * since -1 is OCI_UNSET (not given: update leaves pids.max be) */
	if (p && res->pids_limit < 0)
		res->pids_limit = 0;
	return parse_dev_rules(r, res, e);
}

/* names only: the seccomp layer compiles the profile */
static int check_seccomp(json_t *lx, struct oci_spec *s, struct hm_err *e)
{
	int err = 0;
	json_t *sc = sub(lx, "seccomp", "linux", e, &err), *v, *x;
	size_t i;

	if (!sc)
		return err;
	if (!json_is_string(json_object_get(sc, "defaultAction")))
		return hm_fail(e, 0,
			       "config.json: linux.seccomp.defaultAction: "
			       "missing or not a string");
	v = json_object_get(sc, "syscalls");
	if (v && !json_is_null(v) && !json_is_array(v))
		return hm_fail(e, 0,
			       "config.json: linux.seccomp.syscalls: not an "
			       "array");
	json_array_foreach(v, i, x)
	{
		json_t *names = json_object_get(x, "names");

		if (!json_is_array(names) ||
		    !json_is_string(json_object_get(x, "action")))
			return hm_fail(
			    e, 0,
			    "config.json: linux.seccomp.syscalls[%zu]: "
			    "needs names and an action",
			    i);
	}
	s->seccomp = json_incref(sc);
	return 0;
}

int oci_parse_linux(json_t *lx, struct oci_spec *s, struct hm_err *e)
{
	if (parse_namespaces(lx, s, e) ||
	    parse_idmap(lx, "uidMappings", &s->uid_map, &s->nuid_map, e) ||
	    parse_idmap(lx, "gidMappings", &s->gid_map, &s->ngid_map, e) ||
	    parse_devices(lx, s, e) || parse_resources(lx, &s->res, e) ||
	    oci_get_str(lx, "cgroupsPath", "linux", &s->cgroups_path, e) ||
	    oci_get_map(lx, "sysctl", "linux", &s->sysctl, e) ||
	    oci_get_strv(lx, "maskedPaths", "linux", &s->masked_paths, e) ||
	    oci_get_strv(lx, "readonlyPaths", "linux", &s->readonly_paths, e) ||
	    oci_get_str(lx, "rootfsPropagation", "linux",
			&s->rootfs_propagation, e) ||
	    oci_get_str(lx, "mountLabel", "linux", &s->mount_label, e) ||
	    check_seccomp(lx, s, e))
		return -1;
	if ((s->nuid_map || s->ngid_map) && !oci_ns_find(s, CLONE_NEWUSER))
		return hm_fail(e, 0,
			       "config.json: linux.uidMappings: given without "
			       "a user namespace");
	return 0;
}
