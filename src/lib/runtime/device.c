/* SPDX-License-Identifier: MIT */
/* --device: parsing, the record's form and the devices-cgroup rules. */
#include "runtime/device.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/util.h"

/* r, w, m, each at most once */
static bool perms_ok(const char *p)
{
	if (!*p || strlen(p) > 3)
		return false;
	for (const char *c = p; *c; c++)
		if (!strchr("rwm", *c) || strchr(c + 1, *c))
			return false;
	return true;
}

/* HOST[:CONTAINER][:PERMS] into its three parts (Docker's parseDevice) */
static int split(char *a, char **host, char **path, const char **perms)
{
	char *f[4] = {a, NULL, NULL, NULL};
	int n = 1;

	for (char *c = a; *c && n < 4; c++)
		if (*c == ':') {
			*c = '\0';
			f[n++] = c + 1;
		}
	*host = f[0];
	*path = f[0];
	*perms = "rwm";
	if (n == 4)
		return -1;
	if (n == 3) {
		*path = f[1];
		*perms = f[2];
	} else if (n == 2 && perms_ok(f[1])) {
		*perms = f[1];
	} else if (n == 2) {
		*path = f[1];
	}
	return perms_ok(*perms) ? 0 : -1;
}

int device_add(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	cleanup_free char *a = xstrdup(arg);
	const char *perms;
	char *host, *path;
	struct hm_device *d;
	struct stat st;

	if (split(a, &host, &path, &perms) < 0 || !*host || !*path)
		return hm_failx(
		    e, HM_EXIT_FAIL,
		    "--device %s: expected HOST[:CONTAINER][:PERMS], "
		    "PERMS of r, w, m",
		    arg);
	if (path[0] != '/' || host[0] != '/')
		return hm_failx(e, HM_EXIT_FAIL,
				"--device %s: paths must be absolute", arg);
	if (stat(host, &st) < 0)
		return hm_fail(e, errno, "--device %s", arg);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return hm_failx(e, HM_EXIT_FAIL,
				"--device %s: not a device node", arg);
	if (s->ndevices >= CGROUP_MAX_DEVICES)
		return hm_failx(e, HM_EXIT_FAIL, "--device: at most %d devices",
				CGROUP_MAX_DEVICES);
	s->devices = xrealloc(s->devices, (s->ndevices + 1) * sizeof(*d));
	d = &s->devices[s->ndevices++];
	*d = (struct hm_device){
	    .host = xstrdup(host),
	    .path = xstrdup(path),
	    .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
	    .major = major(st.st_rdev),
	    .minor = minor(st.st_rdev),
	    .mode = st.st_mode & 0777,
	};
	snprintf(d->perms, sizeof(d->perms), "%s", perms);
	return 0;
}

void device_rules(struct hm_spec *s)
{
	struct cgroup_limits *l = &s->limits;

	l->ndevices = 0;
	for (size_t i = 0; i < s->ndevices && i < CGROUP_MAX_DEVICES; i++) {
		struct cgroup_device_rule *r = &l->devices[l->ndevices++];

		r->type = s->devices[i].type;
		r->major = s->devices[i].major;
		r->minor = s->devices[i].minor;
		snprintf(r->access, sizeof(r->access), "%s",
			 s->devices[i].perms);
	}
}

json_t *device_to_json(const struct hm_spec *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->ndevices; i++) {
		const struct hm_device *d = &s->devices[i];

		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:s, s:s#, s:I, s:I, s:I}",
				 "PathOnHost", d->host, "PathInContainer",
				 d->path, "CgroupPermissions", d->perms, "Type",
				 &d->type, 1, "Major", (json_int_t)d->major,
				 "Minor", (json_int_t)d->minor, "Mode",
				 (json_int_t)d->mode));
	}
	return a;
}

void device_from_json(json_t *a, struct hm_spec *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		const char *host =
		    json_string_value(json_object_get(v, "PathOnHost"));
		const char *path =
		    json_string_value(json_object_get(v, "PathInContainer"));
		const char *perms =
		    json_string_value(json_object_get(v, "CgroupPermissions"));
		const char *type =
		    json_string_value(json_object_get(v, "Type"));
		struct hm_device *d;

		/* a damaged entry is dropped: no device rather than a wrong one
		 */
		if (!host || !path || path[0] != '/' || !perms ||
		    !perms_ok(perms) || !type ||
		    (strcmp(type, "c") && strcmp(type, "b")) ||
		    s->ndevices >= CGROUP_MAX_DEVICES)
			continue;
		s->devices =
		    xrealloc(s->devices, (s->ndevices + 1) * sizeof(*d));
		d = &s->devices[s->ndevices++];
		*d = (struct hm_device){
		    .host = xstrdup(host),
		    .path = xstrdup(path),
		    .type = type[0],
		    .major = (unsigned)json_integer_value(
			json_object_get(v, "Major")),
		    .minor = (unsigned)json_integer_value(
			json_object_get(v, "Minor")),
		    .mode = (unsigned)json_integer_value(
				json_object_get(v, "Mode")) &
			    0777,
		};
		snprintf(d->perms, sizeof(d->perms), "%s", perms);
	}
	device_rules(s);
}

void device_free(struct hm_spec *s)
{
	for (size_t i = 0; i < s->ndevices; i++) {
		free(s->devices[i].host);
		free(s->devices[i].path);
	}
	free(s->devices);
	s->devices = NULL;
	s->ndevices = 0;
}
