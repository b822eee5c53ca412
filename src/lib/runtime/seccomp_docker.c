/* SPDX-License-Identifier: MIT */
/*
 * Docker's seccomp profile format (`--security-opt seccomp=FILE`, moby's
 * profiles/seccomp/default.json) as the OCI "linux.seccomp" object that
 * dockerd hands runc for a container: the OCI fields plus Docker's own
 * (archMap, "name", includes/excludes by capability, architecture and
 * kernel, comments), resolved here for this machine and the container's
 * capabilities. oci_seccomp.c compiles the result: what it checks
 * (actions, errnos, operators) is not checked twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/seccomp.h"

#define PFX "seccomp profile"

/* This machine in Docker's words: archMap's key, includes.arches' names */
#if defined(__x86_64__)
#define NATIVE_SCMP "SCMP_ARCH_X86_64"
#define NATIVE_GO "amd64"
#elif defined(__aarch64__)
#define NATIVE_SCMP "SCMP_ARCH_AARCH64"
#define NATIVE_GO "arm64"
#else
#define NATIVE_SCMP ""
#define NATIVE_GO ""
#endif

/* @key of @o: absent, null or an array of strings (checked) */
static int strings(json_t *o, const char *key, const char *path, json_t **out,
		   struct hm_err *e)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*out = NULL;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return hm_fail(e, 0, PFX ": %s.%s: not an array", path, key);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v))
			return hm_fail(e, 0, PFX ": %s.%s[%zu]: not a string",
				       path, key, i);
	}
	*out = a;
	return 0;
}

static bool is_str(json_t *v, const char *s)
{
	return json_is_string(v) && !strcmp(json_string_value(v), s);
}

static bool has(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		if (!strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

/* Does the container hold @name ("CAP_SYS_ADMIN", Docker's spelling)? */
static bool holds(const char *name, uint64_t caps)
{
	for (unsigned c = 0; c < 64 && caps_name(c); c++)
		if (!strncmp(name, "CAP_", 4) &&
		    !strcmp(name + 4, caps_name(c)))
			return caps & (UINT64_C(1) << c);
	return false;
}

/* Is the running kernel @v ("4.8": major and minor, as Docker) or newer? */
static int kernel_at_least(json_t *v, const char *path, bool *ok,
			   struct hm_err *e)
{
	const char *s = json_string_value(v);
	int maj, min, kmaj, kmin;
	struct utsname u;

	if (!s || sscanf(s, "%d.%d", &maj, &min) != 2)
		return hm_fail(e, 0,
			       PFX ": %s.minKernel: not a kernel version "
				   "such as \"4.8\"",
			       path);
	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &kmaj, &kmin) != 2)
		return hm_fail(e, errno, "the kernel's version");
	*ok = kmaj > maj || (kmaj == maj && kmin >= min);
	return 0;
}

/*
 * The conditions of @cond (an entry's "includes" or "excludes") that hold
 * here, as moby decides: @all of them named (includes: every cap, this
 * arch, at least that kernel) or any of them (excludes).
 */
static int holds_here(json_t *cond, const char *path, uint64_t caps,
		      bool include, bool *out, struct hm_err *e)
{
	json_t *arches, *cl, *mk = json_object_get(cond, "minKernel"), *v;
	bool ok = true;
	size_t i;

	*out = include;
	if (!cond || json_is_null(cond))
		return 0;
	if (!json_is_object(cond))
		return hm_fail(e, 0, PFX ": %s: not an object", path);
	if (strings(cond, "arches", path, &arches, e) < 0 ||
	    strings(cond, "caps", path, &cl, e) < 0)
		return -1;
	if (json_array_size(arches) && has(arches, NATIVE_GO) != include)
		*out = !include;
	json_array_foreach(cl, i, v)
	{
		if (holds(json_string_value(v), caps) != include)
			*out = !include;
	}
	if (mk && !json_is_null(mk) && (kernel_at_least(mk, path, &ok, e) < 0))
		return -1;
	if (mk && !json_is_null(mk) && ok != include)
		*out = !include;
	return 0;
}

/* Entry @x as the OCI spec's (names, action, errnoRet, args), or NULL. */
static int entry(json_t *x, const char *path, uint64_t caps, json_t **out,
		 struct hm_err *e)
{
	static const char *const keep[] = {"action", "errnoRet", "args"};
	const char *name = json_string_value(json_object_get(x, "name"));
	char sub[96];
	json_t *names;
	bool in, out_ex;

	*out = NULL;
	if (!json_is_object(x))
		return hm_fail(e, 0, PFX ": %s: not an object", path);
	snprintf(sub, sizeof(sub), "%s.excludes", path);
	if (holds_here(json_object_get(x, "excludes"), sub, caps, false,
		       &out_ex, e) < 0)
		return -1;
	snprintf(sub, sizeof(sub), "%s.includes", path);
	if (holds_here(json_object_get(x, "includes"), sub, caps, true, &in,
		       e) < 0 ||
	    strings(x, "names", path, &names, e) < 0)
		return -1;
	if (name && *name && json_array_size(names))
		return hm_fail(e, 0,
			       PFX ": %s: both \"name\" and \"names\" "
				   "(use one)",
			       path);
	if (is_str(json_object_get(x, "action"), "SCMP_ACT_NOTIFY"))
		return hm_fail(e, 0,
			       PFX ": %s.action: SCMP_ACT_NOTIFY is not "
				   "supported by homo run",
			       path);
	if (out_ex || !in)
		return 0;
	*out = json_object();
	json_object_set_new(*out, "names",
			    name && *name ? json_pack("[s]", name)
					  : json_incref(names));
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (json_object_get(x, keep[i]))
			json_object_set(*out, keep[i],
					json_object_get(x, keep[i]));
	return 0;
}

/* architectures, or archMap's entry for this machine (moby's rule) */
static int arches(json_t *doc, json_t *p, struct hm_err *e)
{
	json_t *a = json_object_get(doc, "architectures");
	json_t *map = json_object_get(doc, "archMap"), *m, *sub;
	size_t i;

	if (json_array_size(a) && json_array_size(map))
		return hm_fail(e, 0,
			       PFX ": both \"architectures\" and \"archMap\" "
				   "(use one)");
	if (a && !json_is_null(a))
		json_object_set(p, "architectures", a);
	if (map && !json_is_null(map) && !json_is_array(map))
		return hm_fail(e, 0, PFX ": archMap: not an array");
	json_array_foreach(map, i, m)
	{
		const char *arch =
		    json_string_value(json_object_get(m, "architecture"));
		char path[32];

		snprintf(path, sizeof(path), "archMap[%zu]", i);
		if (!arch)
			return hm_fail(e, 0,
				       PFX ": %s.architecture: missing or "
					   "not a string",
				       path);
		if (strings(m, "subArchitectures", path, &sub, e) < 0)
			return -1;
		if (strcmp(arch, NATIVE_SCMP))
			continue;
		a = json_pack("[s]", arch);
		json_array_extend(a, sub ? sub : json_array());
		json_object_set_new(p, "architectures", a);
		break;
	}
	return 0;
}

/* The OCI fields copied as they are: oci_seccomp.c checks them. */
static const char *const top_fields[] = {"defaultAction", "defaultErrnoRet",
					 "flags", "listenerPath",
					 "listenerMetadata"};

static int convert(json_t *doc, uint64_t caps, json_t *p, size_t *idx,
		   struct hm_err *e)
{
	json_t *calls = json_object_get(doc, "syscalls"), *x, *o;
	json_t *out = json_array();
	char path[32];
	size_t i;

	json_object_set_new(p, "syscalls", out);
	for (i = 0; i < ARRAY_SIZE(top_fields); i++)
		if (json_object_get(doc, top_fields[i]))
			json_object_set(p, top_fields[i],
					json_object_get(doc, top_fields[i]));
	if (arches(doc, p, e) < 0)
		return -1;
	if (calls && !json_is_null(calls) && !json_is_array(calls))
		return hm_fail(e, 0, PFX ": syscalls: not an array");
	json_array_foreach(calls, i, x)
	{
		snprintf(path, sizeof(path), "syscalls[%zu]", i);
		if (entry(x, path, caps, &o, e) < 0)
			return -1;
		if (!o)
			continue;
		if (idx)
			idx[json_array_size(out)] = i;
		json_array_append_new(out, o);
	}
	return 0;
}

int seccomp_docker_profile(const char *text, uint64_t caps, json_t **out,
			   size_t **idx, struct hm_err *e)
{
	json_error_t je;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	json_t *def, *p;
	size_t *map = NULL;
	int r;

	*out = NULL;
	if (idx)
		*idx = NULL;
	if (!doc)
		return hm_fail(e, 0, PFX ": line %d: %s", je.line, je.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return hm_fail(e, 0, PFX ": not a JSON object");
	}
	/* neither a default nor a rule: no filter, as Docker reads it */
	def = json_object_get(doc, "defaultAction");
	if ((!def || is_str(def, "")) &&
	    !json_array_size(json_object_get(doc, "syscalls"))) {
		json_decref(doc);
		return 0;
	}
	if (idx)
		map = xcalloc(
		    json_array_size(json_object_get(doc, "syscalls")) + 1,
		    sizeof(*map));
	p = json_object();
	r = convert(doc, caps, p, map, e);
	json_decref(doc);
	if (r < 0) {
		json_decref(p);
		free(map);
		return -1;
	}
	*out = p;
	if (idx)
		*idx = map;
	return 0;
}

void seccomp_docker_error(struct hm_err *e, const size_t *idx)
{
	static const char oci[] = "config.json: linux.seccomp";
	char buf[sizeof(e->msg)];
	const char *rest;
	unsigned long k;
	int n = 0;

	if (!e || strncmp(e->msg, oci, sizeof(oci) - 1))
		return;
	rest = e->msg + sizeof(oci) - 1;
	if (idx && sscanf(rest, ".syscalls[%lu]%n", &k, &n) == 1 && n > 0)
		snprintf(buf, sizeof(buf), PFX ": syscalls[%zu]%s", idx[k],
			 rest + n);
	else
		snprintf(buf, sizeof(buf), PFX "%s%s", *rest == '.' ? ": " : "",
			 rest + (*rest == '.'));
	memcpy(e->msg, buf, sizeof(buf));
}
