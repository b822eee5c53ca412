/* SPDX-License-Identifier: MIT */
/*
 * homo run's -v, --mount and --tmpfs: each a struct hm_volume of the spec;
 * runtime/volumes.c resolves and checks them all at create.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "runtime/spec.h"
#include "runtime/volumes.h"
#include "store/volume.h"

static struct hm_volume *add_mount(struct hm_spec *s)
{
	s->volumes =
	    xrealloc(s->volumes, (s->nvolumes + 1) * sizeof(*s->volumes));
	memset(&s->volumes[s->nvolumes], 0, sizeof(*s->volumes));
	return &s->volumes[s->nvolumes++];
}

/* the container path, canonical, or an error naming @opt and @arg */
static char *target(const char *opt, const char *arg, const char *dst,
		    struct hm_err *e)
{
	char *t = dst ? volumes_clean_path(dst) : NULL;

	if (!t || !strcmp(t, "/")) {
		free(t);
		hm_failx(e, HM_EXIT_FAIL,
			 "%s %s: the container path must be absolute, not / "
			 "and without \"..\"",
			 opt, arg);
		return NULL;
	}
	return t;
}

/* a host path for a bind: absolute, canonical; @create makes it (-v) */
static char *bind_source(const char *opt, const char *arg, const char *src,
			 bool create, struct hm_err *e)
{
	char *real;

	if (create && access(src, F_OK) < 0 && util_mkdir_p(src, 0755, e) < 0)
		return hm_prefix(e, "%s %s", opt, arg), NULL;
	real = realpath(src, NULL);
	if (!real)
		hm_fail(e, errno, "%s %s: bind source \"%s\"", opt, arg, src);
	return real;
}

/* -v [SRC:]DST[:MODE]: SRC a host path, a volume name, or none */
int cmd_mount_volume(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(arg);
	char *parts[4] = {0};
	char *save = NULL, *mode = NULL, *src = NULL, *dst;
	size_t n = 0;
	struct hm_volume v = {0};

	for (char *t = strtok_r(copy, ":", &save); t && n < 4;
	     t = strtok_r(NULL, ":", &save))
		parts[n++] = t;
	if (n == 0 || n == 4 || strchr(arg, '\0')[-1] == ':' ||
	    strstr(arg, "::"))
		return hm_failx(e, HM_EXIT_FAIL,
				"-v %s: expected [HOST-PATH|VOLUME:]CONTAINER-"
				"PATH[:ro|rw|nocopy]",
				arg);
	if (n == 1 || (n == 2 && parts[0][0] == '/' && parts[1][0] != '/'))
		dst = parts[0], mode = parts[1];
	else
		src = parts[0], dst = parts[1], mode = parts[2];
	for (char *m = mode ? strtok_r(mode, ",", &save) : NULL; m;
	     m = strtok_r(NULL, ",", &save)) {
		if (!strcmp(m, "ro") || !strcmp(m, "rw"))
			v.ro = !strcmp(m, "ro");
		else if (!strcmp(m, "nocopy"))
			v.nocopy = true;
		else
			return hm_failx(e, HM_EXIT_FAIL,
					"-v %s: unknown mode \"%s\" (use ro, "
					"rw or nocopy)",
					arg, m);
	}
	v.type = !src || src[0] != '/' ? MOUNT_VOLUME : MOUNT_BIND;
	if (src && src[0] != '/' && !volume_name_ok(src))
		return hm_failx(
		    e, HM_EXIT_FAIL,
		    "-v %s: \"%s\" is neither an absolute host path "
		    "nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)",
		    arg, src);
	if (!(v.dst = target("-v", arg, dst, e)))
		return -1;
	if (v.type == MOUNT_BIND &&
	    !(v.src = bind_source("-v", arg, src, true, e))) {
		free(v.dst);
		return -1;
	}
	if (v.type == MOUNT_VOLUME && src)
		v.name = xstrdup(src);
	*add_mount(s) = v;
	return 0;
}

/* --tmpfs PATH[:OPTIONS] */
int cmd_mount_tmpfs(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(arg), *data = NULL;
	char *opts = strchr(copy, ':');
	struct hm_volume v = {.type = MOUNT_TMPFS};
	unsigned long flags;

	if (opts)
		*opts++ = '\0';
	if (volumes_tmpfs_parse(opts, &flags, &data, e) < 0)
		return hm_prefix(e, "--tmpfs %s", arg);
	if (!(v.dst = target("--tmpfs", arg, copy, e)))
		return -1;
	v.opts = opts ? xstrdup(opts) : NULL;
	v.ro = (flags & MS_RDONLY) != 0;
	*add_mount(s) = v;
	return 0;
}

struct mount_kv {
	char *type, *src, *dst, *tmpfs;
	bool ro, nocopy;
};

static int mount_key(struct mount_kv *kv, char *k, const char *arg,
		     struct hm_err *e)
{
	char *v = strchr(k, '=');
	char **tmp;

	if (v)
		*v++ = '\0';
	if (!strcmp(k, "readonly") || !strcmp(k, "ro")) {
		if (v && strcmp(v, "true") && strcmp(v, "1") &&
		    strcmp(v, "false") && strcmp(v, "0"))
			goto bad;
		kv->ro = !v || !strcmp(v, "true") || !strcmp(v, "1");
		return 0;
	}
	if (!strcmp(k, "volume-nocopy") || !strcmp(k, "volume-opt")) {
		kv->nocopy = !strcmp(k, "volume-nocopy") &&
			     (!v || !strcmp(v, "true") || !strcmp(v, "1"));
		return 0;
	}
	if (!v || !*v)
		goto bad;
	if (!strcmp(k, "type"))
		kv->type = v;
	else if (!strcmp(k, "source") || !strcmp(k, "src"))
		kv->src = v;
	else if (!strcmp(k, "target") || !strcmp(k, "destination") ||
		 !strcmp(k, "dst"))
		kv->dst = v;
	else if (!strcmp(k, "tmpfs-size") || !strcmp(k, "tmpfs-mode")) {
		tmp = &kv->tmpfs;
		char *n = xasprintf("%s%s%s=%s", *tmp ? *tmp : "",
				    *tmp ? "," : "", k + 6, v);

		free(*tmp);
		*tmp = n;
	} else
		goto bad;
	return 0;
bad:
	return hm_failx(e, HM_EXIT_FAIL,
			"--mount %s: bad field \"%s\" (type=bind|volume|tmpfs,"
			"source=,target=,readonly,tmpfs-size=,tmpfs-mode=)",
			arg, k);
}

static int mount_build(struct hm_spec *s, const struct mount_kv *kv,
		       const char *arg, struct hm_err *e)
{
	struct hm_volume v = {.ro = kv->ro, .nocopy = kv->nocopy};
	const char *t = kv->type ? kv->type : "volume";

	if (!strcmp(t, "bind"))
		v.type = MOUNT_BIND;
	else if (!strcmp(t, "volume"))
		v.type = MOUNT_VOLUME;
	else if (!strcmp(t, "tmpfs"))
		v.type = MOUNT_TMPFS;
	else
		return hm_failx(e, HM_EXIT_FAIL,
				"--mount %s: type must be bind, volume or "
				"tmpfs",
				arg);
	if ((v.type == MOUNT_BIND && !kv->src) ||
	    (v.type == MOUNT_TMPFS && kv->src) ||
	    (v.type != MOUNT_TMPFS && kv->tmpfs))
		return hm_failx(e, HM_EXIT_FAIL, "--mount %s: %s", arg,
				v.type == MOUNT_BIND ? "a bind needs source="
				: kv->tmpfs ? "tmpfs- fields need type=tmpfs"
					    : "a tmpfs takes no source");
	if (v.type == MOUNT_VOLUME && kv->src && !volume_name_ok(kv->src))
		return hm_failx(e, HM_EXIT_FAIL,
				"--mount %s: invalid volume name \"%s\"", arg,
				kv->src);
	if (v.type == MOUNT_BIND && kv->src[0] != '/')
		return hm_failx(e, HM_EXIT_FAIL,
				"--mount %s: the bind source must be absolute",
				arg);
	if (v.type == MOUNT_TMPFS && kv->tmpfs) {
		cleanup_free char *data = NULL;
		unsigned long flags;

		if (volumes_tmpfs_parse(kv->tmpfs, &flags, &data, e) < 0)
			return hm_prefix(e, "--mount %s", arg);
		v.opts = xstrdup(kv->tmpfs);
	}
	if (!(v.dst = target("--mount", arg, kv->dst, e)) ||
	    (v.type == MOUNT_BIND &&
	     !(v.src = bind_source("--mount", arg, kv->src, false, e)))) {
		free(v.dst), free(v.opts);
		return -1;
	}
	if (v.type == MOUNT_VOLUME && kv->src)
		v.name = xstrdup(kv->src);
	*add_mount(s) = v;
	return 0;
}

/* --mount type=bind|volume|tmpfs,source=...,target=...,readonly,... */
int cmd_mount_opt(struct hm_spec *s, const char *arg, struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(arg);
	struct mount_kv kv = {0};
	char *save = NULL;
	int r;

	for (char *k = strtok_r(copy, ",", &save); k;
	     k = strtok_r(NULL, ",", &save))
		if (mount_key(&kv, k, arg, e) < 0) {
			free(kv.tmpfs);
			return -1;
		}
	r = mount_build(s, &kv, arg, e);
	free(kv.tmpfs);
	return r;
}
