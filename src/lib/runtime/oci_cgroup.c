/* SPDX-License-Identifier: MIT */
/*
 * An OCI container's cgroup: cgroupsPath in its three forms as one path
 * from each hierarchy's root, and linux.resources as homo's cgroup limits,
 * which the v1/v2 backends (runtime/cgroup*.c) write (oci_runtime.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "runtime/cgroup.h"
#include "runtime/oci_runtime.h"

/* "a-b.slice" -> "a.slice/a-b.slice" (systemd's nesting by dashes) */
static char *slice_path(const char *slice)
{
	char *out = xstrdup(""), *name, *dash, *t;

	if (!*slice || !strcmp(slice, "-.slice"))
		return out;
	name = xstrdup(slice);
	name[strlen(name) - strlen(".slice")] = '\0';
	for (dash = name; (dash = strchr(dash, '-')); dash++) {
		*dash = '\0';
		t = xasprintf("%s%s.slice/", out, name);
		free(out);
		out = t;
		*dash = '-';
	}
	t = xasprintf("%s%s", out, slice);
	free(out);
	free(name);
	return t;
}

static char *systemd_path(const char *p, struct hm_err *e)
{
	char *v = xstrdup(p), *prefix, *name, *slice, *out;
	size_t n;

	prefix = strchr(v, ':');
	name = prefix ? strchr(prefix + 1, ':') : NULL;
	if (!name) {
		free(v);
		hm_failx(e, 1, "cgroupsPath \"%s\": not slice:prefix:name", p);
		return NULL;
	}
	*prefix++ = '\0';
	*name++ = '\0';
	n = strlen(v);
	if (n && (n < 6 || strcmp(v + n - 6, ".slice") || strchr(v, '/'))) {
		hm_failx(e, 1, "cgroupsPath \"%s\": \"%s\" is not a slice", p,
			 v);
		free(v);
		return NULL;
	}
	slice = slice_path(n ? v : "system.slice");
	out = xasprintf("%s%s%s%s%s.scope", slice, *slice ? "/" : "", prefix,
			*prefix ? "-" : "", name);
	free(slice);
	free(v);
	return out;
}

char *oci_cgroup_path(const char *cgroups_path, const char *id, bool systemd,
		      struct hm_err *e)
{
	const char *p = cgroups_path;
	char *parent, *out;

	if (!p || !*p) {
		parent = getenv("HOMO_CGROUP_PARENT");
		return xasprintf("%s/%s", parent && *parent ? parent : "homo",
				 id);
	}
	if (systemd)
		return systemd_path(p, e);
	while (*p == '/')
		p++;
	out = xstrdup(p);
	/* trailing slashes name the same directory */
	for (size_t n = strlen(out); n && out[n - 1] == '/'; n--)
		out[n - 1] = '\0';
	if (!*out) {
		free(out);
		hm_failx(e, 1, "cgroupsPath \"%s\": the root cgroup",
			 cgroups_path);
		return NULL;
	}
	return out;
}

int oci_cgroup_select(const char *path, const char **leaf, struct hm_err *e)
{
	const char *slash = strrchr(path, '/');
	char *parent = xstrdup(path);
	int r;

	parent[slash ? (size_t)(slash - path) : 0] = '\0';
	*leaf = slash ? slash + 1 : path;
	r = cgroup_set_parent(parent, e);
	free(parent);
	if (r < 0)
		e->exit_code = 1;
	return r;
}

/* devices: allow rules as --device rules; an allow-all last is privileged */
static void device_rules(const struct oci_resources *r, struct cgroup_limits *l)
{
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct oci_device_rule *d = &r->devices[i];
		bool all = d->type == 'a' && d->major == OCI_UNSET &&
			   d->minor == OCI_UNSET;

		if (all) {
			l->privileged = d->allow && strlen(d->access) == 3;
			if (!d->allow)
				l->ndevices = 0;
			continue;
		}
		if (!d->allow || d->type == 'a' ||
		    l->ndevices >= CGROUP_MAX_DEVICES)
			continue;
		l->devices[l->ndevices].type = d->type;
		l->devices[l->ndevices].major = d->major;
		l->devices[l->ndevices].minor = d->minor;
		memcpy(l->devices[l->ndevices].access, d->access,
		       sizeof(d->access));
		l->ndevices++;
	}
}

void oci_cgroup_limits(const struct oci_resources *r, struct cgroup_limits *l)
{
	memset(l, 0, sizeof(*l));
	if (r->mem_limit > 0)
		l->memory = r->mem_limit;
	if (r->mem_swap > 0 || r->mem_swap == -1)
		l->memory_swap = r->mem_swap;
	if (r->pids_limit > 0)
		l->pids = r->pids_limit;
	if (r->cpu_quota > 0)
		l->cpu_quota_us = r->cpu_quota;
	if (r->cpu_period > 0)
		l->cpu_period_us = r->cpu_period;
	if (r->cpu_shares > 0)
		l->cpu_shares = r->cpu_shares;
	/* no rules: the runtime spec leaves devices alone (runc: all) */
	l->privileged = !r->ndevices;
	device_rules(r, l);
}
