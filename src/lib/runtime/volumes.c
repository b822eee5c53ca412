/* SPDX-License-Identifier: MIT */
#include "runtime/volumes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"
#include "runtime/container.h"
#include "store/volume.h"

char *volumes_clean_path(const char *p)
{
	char *out, *o, *copy, *tok, *save = NULL;

	if (p[0] != '/')
		return NULL;
	copy = xstrdup(p);
	out = xcalloc(1, strlen(p) + 2);
	o = out;
	for (tok = strtok_r(copy, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			free(copy);
			free(out);
			return NULL;
		}
		o += sprintf(o, "/%s", tok);
	}
	if (o == out)
		strcpy(out, "/");
	free(copy);
	return out;
}

/* one tmpfs option: a flag, or a KEY=VALUE for the data */
static int tmpfs_opt(const char *o, unsigned long *flags, char **data)
{
	static const struct {
		const char *name;
		unsigned long set, clear;
	} fl[] = {
	    {"ro", MS_RDONLY, 0},     {"rw", 0, MS_RDONLY},
	    {"nosuid", MS_NOSUID, 0}, {"suid", 0, MS_NOSUID},
	    {"nodev", MS_NODEV, 0},   {"dev", 0, MS_NODEV},
	    {"noexec", MS_NOEXEC, 0}, {"exec", 0, MS_NOEXEC},
	};
	const char *v = strchr(o, '=');
	int64_t n;
	uint64_t u;

	for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
		if (!strcmp(o, fl[i].name)) {
			*flags = (*flags | fl[i].set) & ~fl[i].clear;
			return 0;
		}
	if (!v)
		return -1;
	v++;
	if (util_has_prefix(o, "size=") || util_has_prefix(o, "tmpfs-size=")) {
		if (num_parse_size(v, INT64_MAX, &n) < 0)
			return -1;
		o = xasprintf("size=%lld", (long long)n);
	} else if (util_has_prefix(o, "mode=") ||
		   util_has_prefix(o, "tmpfs-mode=")) {
		char *end;
		unsigned long m = strtoul(v, &end, 8);

		if (!*v || *end || m > 07777)
			return -1;
		o = xasprintf("mode=%lo", m);
	} else if (util_has_prefix(o, "uid=") || util_has_prefix(o, "gid=") ||
		   util_has_prefix(o, "nr_inodes=")) {
		if (num_parse_u64(v, 0, UINT32_MAX, &u) < 0)
			return -1;
		o = xasprintf("%.*s=%llu", (int)(v - 1 - o), o,
			      (unsigned long long)u);
	} else {
		return -1;
	}
	{
		char *d = *data ? xasprintf("%s,%s", *data, o) : xstrdup(o);

		free((char *)o);
		free(*data);
		*data = d;
	}
	return 0;
}

int volumes_tmpfs_parse(const char *opts, unsigned long *flags, char **data,
			struct hm_err *e)
{
	cleanup_free char *copy = xstrdup(opts ? opts : "");
	char *tok, *save = NULL;

	*flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	*data = NULL;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (tmpfs_opt(tok, flags, data) < 0) {
			free(*data);
			*data = NULL;
			return hm_failx(e, HM_EXIT_FAIL,
					"tmpfs option \"%s\": use ro, rw, "
					"[no]exec, [no]suid, [no]dev, size=, "
					"mode=, uid=, gid=, nr_inodes=",
					tok);
		}
	return 0;
}

static const char *const type_names[] = {"bind", "volume", "tmpfs"};

json_t *spec_volume_json(const struct hm_volume *v)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s?, s:b}", "Type", type_names[v->type],
		      "Target", v->dst, "Source", v->src, "ReadOnly", v->ro);

	if (v->type == MOUNT_VOLUME)
		json_object_update_new(
		    j, json_pack("{s:s?, s:b, s:b, s:b}", "Name", v->name,
				 "Anonymous", v->anon, "CopyUp", v->copyup,
				 "NoCopy", v->nocopy));
	if (v->type == MOUNT_TMPFS)
		json_object_set_new(j, "Options",
				    json_string(v->opts ? v->opts : ""));
	return j;
}

static char *jdup(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? xstrdup(s) : NULL;
}

int spec_volume_from_json(json_t *j, struct hm_volume *v, struct hm_err *e)
{
	const char *t = json_string_value(json_object_get(j, "Type"));
	cleanup_free char *clean = NULL, *data = NULL;
	unsigned long flags;

	memset(v, 0, sizeof(*v));
	v->type = MOUNT_BIND;
	for (size_t i = 0; t && i < ARRAY_SIZE(type_names); i++)
		if (!strcmp(t, type_names[i]))
			v->type = (enum hm_mount_type)i;
	v->src = jdup(j, "Source");
	v->dst = jdup(j, "Target");
	v->name = jdup(j, "Name");
	v->opts = jdup(j, "Options");
	v->ro = json_is_true(json_object_get(j, "ReadOnly"));
	v->anon = json_is_true(json_object_get(j, "Anonymous"));
	v->copyup = json_is_true(json_object_get(j, "CopyUp"));
	v->nocopy = json_is_true(json_object_get(j, "NoCopy"));
	clean = v->dst ? volumes_clean_path(v->dst) : NULL;
	if ((t && strcmp(t, type_names[v->type])) || !clean ||
	    (v->type != MOUNT_TMPFS && (!v->src || v->src[0] != '/')) ||
	    (v->type == MOUNT_VOLUME &&
	     (!v->name || !volume_name_ok(v->name))) ||
	    (v->type == MOUNT_TMPFS &&
	     volumes_tmpfs_parse(v->opts, &flags, &data, NULL) < 0)) {
		free(v->src), free(v->dst), free(v->name), free(v->opts);
		memset(v, 0, sizeof(*v));
		return hm_failx(e, HM_EXIT_FAIL,
				"corrupt container config: a bad mount");
	}
	return 0;
}

static bool has_target(const struct hm_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->nvolumes; i++)
		if (!strcmp(s->volumes[i].dst, dst))
			return true;
	return false;
}

/* --volumes-from CTR[:ro|rw]: its binds and volumes, ours winning */
static int add_volumes_from(struct hm_store *st, struct hm_spec *s,
			    const char *arg, struct hm_err *e)
{
	cleanup_free char *ref = xstrdup(arg);
	char *mode = strrchr(ref, ':');
	struct hm_spec other;
	char id[65];

	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") && strcmp(mode, "rw"))
			return hm_failx(e, HM_EXIT_FAIL,
					"--volumes-from %s: the mode must be "
					"ro or rw",
					arg);
	}
	if (container_find(st, ref, id, e) < 0 ||
	    container_load_spec(st, id, &other, e) < 0)
		return hm_prefix(e, "--volumes-from %s", arg);
	for (size_t i = 0; i < other.nvolumes; i++) {
		const struct hm_volume *o = &other.volumes[i];
		struct hm_volume *v;

		if (o->type == MOUNT_TMPFS || has_target(s, o->dst))
			continue;
		s->volumes =
		    xrealloc(s->volumes, (s->nvolumes + 1) * sizeof(*v));
		v = &s->volumes[s->nvolumes++];
		*v = (struct hm_volume){
		    .src = xstrdup(o->src),
		    .dst = xstrdup(o->dst),
		    .ro = mode ? !strcmp(mode, "ro") : o->ro,
		    .type = o->type,
		    .name = o->name ? xstrdup(o->name) : NULL,
		    .nocopy = true, /* it is in use: no first use here */
		};
	}
	spec_free(&other);
	return 0;
}

/* Docker's "duplicate mount point", and the kernel's filesystems */
static int check_targets(const struct hm_spec *s, struct hm_err *e)
{
	static const char *const kernel[] = {"/proc", "/dev", "/sys"};

	for (size_t i = 0; i < s->nvolumes; i++) {
		const char *d = s->volumes[i].dst;

		for (size_t k = 0; k < ARRAY_SIZE(kernel); k++) {
			size_t n = strlen(kernel[k]);

			if (!strncmp(d, kernel[k], n) &&
			    (d[n] == '\0' || d[n] == '/'))
				return hm_failx(e, HM_EXIT_FAIL,
						"cannot mount a volume on %s: "
						"homo mounts the kernel's "
						"filesystem at %s",
						d, kernel[k]);
		}
		if (!strcmp(d, "/"))
			return hm_failx(e, HM_EXIT_FAIL,
					"cannot mount a volume on /");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(d, s->volumes[j].dst))
				return hm_failx(e, HM_EXIT_FAIL,
						"duplicate mount point: %s", d);
	}
	return 0;
}

/* create (or find) the volume of @v, point it at the data */
static int prepare_one(struct hm_store *st, const struct hm_spec *s,
		       struct hm_volume *v, struct hm_err *e)
{
	bool first;

	/* the init of a user namespace cannot reach the store's volumes */
	if (s->uidmap.count || s->userns_auto)
		return hm_failx(e, HM_EXIT_FAIL,
				"volume at %s: volumes cannot be used with a "
				"user namespace yet (bind a host path)",
				v->dst);
	if (!v->name) {
		char hex[65];

		util_random_hex(hex, 64);
		v->name = xstrdup(hex);
		v->anon = true;
	}
	if (volume_create(st, v->name, NULL, v->anon, NULL, e) < 0)
		return -1;
	free(v->src);
	v->src = volume_data_path(st, v->name);
	if (volume_claim_first_use(st, v->name, &first, e) < 0)
		return -1;
	v->copyup = first && !v->nocopy;
	return 0;
}

int volumes_of_image(struct hm_spec *s, json_t *vols, struct hm_err *e)
{
	const char *path;
	json_t *v;

	if (json_object_size(vols) && (s->uidmap.count || s->userns_auto)) {
		struct hm_err w;

		hm_failx(&w, 0,
			 "the image's VOLUME paths stay in the container's "
			 "layer: volumes cannot be used with a user namespace "
			 "yet");
		hm_warn(&w);
		return 0;
	}
	json_object_foreach(vols, path, v)
	{
		char *dst = volumes_clean_path(path);
		bool taken = false;

		if (!dst || !strcmp(dst, "/")) {
			free(dst);
			return hm_failx(e, HM_EXIT_FAIL,
					"image VOLUME \"%s\": not an absolute "
					"path below /",
					path);
		}
		for (size_t i = 0; i < s->nvolumes && !taken; i++)
			taken = !strcmp(s->volumes[i].dst, dst);
		if (taken) { /* the user's mount there wins, as Docker's */
			free(dst);
			continue;
		}
		s->volumes = xrealloc(s->volumes,
				      (s->nvolumes + 1) * sizeof(*s->volumes));
		s->volumes[s->nvolumes++] =
		    (struct hm_volume){.type = MOUNT_VOLUME, .dst = dst};
	}
	return 0;
}

int volumes_prepare(struct hm_store *st, struct hm_spec *s, struct hm_err *e)
{
	for (size_t i = 0; s->volumes_from && s->volumes_from[i]; i++)
		if (add_volumes_from(st, s, s->volumes_from[i], e) < 0)
			return -1;
	if (check_targets(s, e) < 0)
		return -1;
	for (size_t i = 0; i < s->nvolumes; i++) {
		if (s->volumes[i].type != MOUNT_VOLUME)
			continue;
		if (prepare_one(st, s, &s->volumes[i], e) < 0) {
			cleanup_strv char **anon = volumes_anon(s);

			volumes_remove_unused(st, anon);
			return -1;
		}
	}
	return 0;
}

char **volumes_users(const struct hm_store *st, const char *name)
{
	cleanup_strv char **ids = container_list(st);
	char **users = xcalloc(1, sizeof(char *));

	for (size_t i = 0; ids[i]; i++) {
		struct hm_spec s;

		if (container_load_spec(st, ids[i], &s, NULL) < 0)
			continue;
		for (size_t j = 0; j < s.nvolumes; j++)
			if (s.volumes[j].type == MOUNT_VOLUME &&
			    !strcmp(s.volumes[j].name, name)) {
				users = strv_push(users, ids[i]);
				break;
			}
		spec_free(&s);
	}
	return users;
}

char **volumes_anon(const struct hm_spec *s)
{
	char **v = xcalloc(1, sizeof(char *));

	for (size_t i = 0; i < s->nvolumes; i++)
		if (s->volumes[i].type == MOUNT_VOLUME && s->volumes[i].anon &&
		    s->volumes[i].name)
			v = strv_push(v, s->volumes[i].name);
	return v;
}

void volumes_remove_unused(const struct hm_store *st, char *const *names)
{
	for (size_t i = 0; names && names[i]; i++) {
		cleanup_strv char **users = volumes_users(st, names[i]);
		struct hm_err e = {0};

		if (!users[0] && volume_remove(st, names[i], &e) < 0 &&
		    e.errnum != ENOENT)
			hm_warn(&e);
	}
}
