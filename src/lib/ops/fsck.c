/* SPDX-License-Identifier: MIT */
/*
 * homo system check (fsck.h): walk the store under its lock, report each
 * inconsistency on one line and, asked to, mend it with the code that
 * normally keeps the store straight (store_layer_remove, container_check,
 * container_teardown, ...). Containers come first, orphan layers last: a
 * repair earlier on can make a layer an orphan.
 */
#include "ops/fsck.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/util.h"
#include "net/network.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "store/volume.h"

struct fsck {
	struct hm_store *s;
	bool repair;
	fsck_report_fn report;
	void *arg;
	struct fsck_result *res;
	json_t *used; /* layer ids that images and containers name */
};

/*
 * One finding, @what ("OBJECT: PROBLEM"). With repair, @r is the repair's
 * result: @done says what it did, @err why it failed.
 */
static void note(struct fsck *f, const char *what, int r, const char *done,
		 const struct hm_err *err)
{
	cleanup_free char *line = NULL;

	f->res->found++;
	if (!f->repair) {
		line = xstrdup(what);
	} else if (r == 0) {
		line = xasprintf("%s: %s", what, done);
		f->res->repaired++;
	} else {
		line = xasprintf("%s: not repaired: %s", what, err->msg);
	}
	f->report(line, f->arg);
}

/* <root>/broken/<name>: out of the store's way, kept for the user. */
static int move_aside(struct fsck *f, const char *path, const char *name,
		      char **dest, struct hm_err *e)
{
	cleanup_free char *dir = store_path(f->s, "broken");
	char rnd[9];

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", dir);
	*dest = xasprintf("%s/%s", dir, name);
	if (access(*dest, F_OK) == 0) { /* broken twice: keep both */
		free(*dest);
		util_random_hex(rnd, 8);
		*dest = xasprintf("%s/%s-%s", dir, name, rnd);
	}
	if (rename(path, *dest) < 0)
		return hm_fail(e, errno, "rename \"%s\"", path);
	return 0;
}

/* ---- temp names ---- */

static void on_debris(const char *path, void *arg)
{
	struct fsck *f = arg;
	struct hm_err err = {0};
	cleanup_free char *what =
	    xasprintf("temp \"%s\": left by a process that is gone", path);
	int r = f->repair ? util_rm_rf(path, &err) : 0;

	note(f, what, r, "removed", &err);
}

/* ---- containers ---- */

static void broken_config(struct fsck *f, const char *id, const char *cdir,
			  const struct hm_err *why)
{
	cleanup_free char *what =
	    xasprintf("container %.12s: %s", id, why->msg);
	cleanup_free char *dest = NULL, *done = NULL, *name = NULL;
	struct hm_err err = {0};
	int r = 0;

	if (f->repair) {
		/* whatever still runs of it goes; its files are kept */
		container_teardown(f->s, id, NULL);
		name = xasprintf("container-%s", id);
		r = move_aside(f, cdir, name, &dest, &err);
		done = xasprintf("moved to \"%s\"", dest ? dest : "");
	}
	note(f, what, r, done, &err);
}

static int reset_state(struct fsck *f, const struct hm_spec *sp,
		       const char *cdir, struct hm_err *e)
{
	struct hm_state st = {.status = ST_EXITED, .exit_code = HM_EXIT_FAIL};

	container_teardown(f->s, sp->id, NULL);
	snprintf(st.created, sizeof(st.created), "%s", sp->created);
	util_now_rfc3339(st.finished, sizeof(st.finished));
	snprintf(st.error, sizeof(st.error),
		 "state.json was unreadable: reset by homo system check");
	return state_save(cdir, &st, e);
}

static void check_state(struct fsck *f, const struct hm_spec *sp,
			const char *cdir)
{
	cleanup_free char *what = NULL;
	struct hm_err err = {0}, why;
	struct hm_state st;
	int r = 0;

	if (state_load(cdir, &st, &why) < 0) {
		what = xasprintf("container %.12s (%s): %s", sp->id, sp->name,
				 why.msg);
		if (f->repair)
			r = reset_state(f, sp, cdir, &err);
		note(f, what, r, "reset to exited", &err);
		return;
	}
	if (st.status == ST_EXITED || state_owner_alive(&st) ||
	    container_idle(&st))
		return;
	what = xasprintf("container %.12s (%s): state says %s but its homo "
			 "(pid %d) is gone",
			 sp->id, sp->name, state_status_name(st.status),
			 (int)st.owner);
	if (f->repair)
		r = container_check(f->s, sp->id, &st, &err);
	note(f, what, r, "settled as exited", &err);
}

static void check_name(struct fsck *f, const struct hm_spec *sp)
{
	cleanup_free char *link = store_path(f->s, "names/%s", sp->name);
	cleanup_free char *what = NULL;
	struct hm_err err = {0};
	struct stat st;
	int r = 0;

	if (!*sp->name || strchr(sp->name, '/') || lstat(link, &st) == 0 ||
	    errno != ENOENT)
		return;
	what = xasprintf("container %.12s: its name \"%s\" is not registered",
			 sp->id, sp->name);
	if (f->repair && symlink(sp->id, link) < 0)
		r = hm_fail(&err, errno, "symlink \"%s\"", link);
	note(f, what, r, "registered", &err);
}

/* config.json without a security field: it runs with the safe value
 * (spec_from_json()); repair writes that value into the record */
static void check_filled(struct fsck *f, const struct hm_spec *sp,
			 const char *cdir)
{
	cleanup_free char *what = NULL, *list = NULL, *path = NULL;
	cleanup_free char *text = NULL;
	struct hm_err err = {0};
	int r = 0;

	if (!sp->filled || !sp->filled[0])
		return;
	list = xstrdup(sp->filled[0]);
	for (size_t i = 1; sp->filled[i]; i++) {
		char *l = xasprintf("%s, %s", list, sp->filled[i]);

		free(list);
		list = l;
	}
	what = xasprintf("container %.12s (%s): config.json lacks %s (or "
			 "holds the wrong type): it runs with the safe value",
			 sp->id, sp->name, list);
	if (f->repair) {
		path = xasprintf("%s/config.json", cdir);
		text = store_json_text(spec_to_json(sp),
				       JSON_INDENT(2) | JSON_SORT_KEYS, path,
				       &err);
		r = text ? util_write_file_atomic(path, text, strlen(text),
						  false, &err)
			 : -1;
	}
	note(f, what, r, "safe value written", &err);
}

static void check_container(struct fsck *f, const char *id)
{
	cleanup_free char *cdir = container_dir(f->s, id);
	struct hm_err why;
	struct hm_spec sp;

	if (container_load_spec(f->s, id, &sp, &why) < 0) {
		broken_config(f, id, cdir, &why);
		return;
	}
	for (size_t i = 0; sp.layers[i]; i++) {
		cleanup_free char *what = NULL;
		struct hm_err err = {0};

		json_object_set_new(f->used, sp.layers[i], json_true());
		if (store_layer_exists(f->s, sp.layers[i]))
			continue;
		what = xasprintf("container %.12s (%s): layer %.12s of its "
				 "image is missing",
				 id, sp.name, sp.layers[i]);
		hm_failx(&err, HM_EXIT_FAIL,
			 "it cannot run again: remove it (homo rm %s)",
			 sp.name);
		note(f, what, -1, NULL, &err);
		break;
	}
	check_filled(f, &sp, cdir);
	check_state(f, &sp, cdir);
	check_name(f, &sp);
	spec_free(&sp);
}

static int check_containers(struct fsck *f, struct hm_err *e)
{
	cleanup_free char *dir = store_path(f->s, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return hm_fail(e, errno, "open \"%s\"", dir);
	while ((de = readdir(d)))
		if (container_is_id(de->d_name))
			check_container(f, de->d_name);
	return 0;
}

/* names/<name> -> <id> of a container that is gone */
static void check_names(struct fsck *f)
{
	cleanup_free char *dir = store_path(f->s, "names");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *link = NULL, *cdir = NULL, *what = NULL;
		struct hm_err err = {0};
		char target[80];
		ssize_t n;
		int r = 0;

		if (de->d_name[0] == '.')
			continue;
		link = xasprintf("%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (container_is_id(target)) {
			cdir = container_dir(f->s, target);
			if (access(cdir, F_OK) == 0)
				continue;
		}
		what =
		    xasprintf("name \"%s\": points at container %.12s, which "
			      "does not exist",
			      de->d_name, *target ? target : "(none)");
		if (f->repair && unlink(link) < 0)
			r = hm_fail(&err, errno, "remove \"%s\"", link);
		note(f, what, r, "removed", &err);
	}
}

/* ---- layers and their short links ---- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void check_layer(struct fsck *f, const char *id)
{
	cleanup_free char *diff = store_path(f->s, "layers/%s/diff", id);
	cleanup_free char *what = NULL;
	struct hm_err err = {0};
	int r = 0;

	if (!is_dir(diff)) {
		what = xasprintf("layer %.12s: incomplete: no diff/", id);
		if (f->repair)
			r = store_layer_remove(f->s, id, &err);
		note(f, what, r, "removed", &err);
		return;
	}
	if (store_layer_link_ok(f->s, id))
		return;
	what = xasprintf("layer %.12s: short link l/%.*s is missing", id,
			 LAYER_SHORT_LEN, id);
	if (f->repair)
		r = store_layer_link(f->s, id, &err);
	note(f, what, r, "made", &err);
}

/* Layers a live command builds on (a commit) are no orphans. */
static int use_pinned(struct fsck *f, struct hm_err *e)
{
	cleanup_strv char **ids = NULL;

	if (store_pinned_layers(f->s, &ids, e) < 0)
		return -1;
	for (size_t i = 0; ids && ids[i]; i++)
		json_object_set_new(f->used, ids[i], json_true());
	return 0;
}

/* @orphans: the second pass, after the images named what they use */
static int check_layers(struct fsck *f, bool orphans, struct hm_err *e)
{
	cleanup_free char *dir = store_path(f->s, "layers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return hm_fail(e, errno, "open \"%s\"", dir);
	while ((de = readdir(d))) {
		cleanup_free char *what = NULL;
		struct hm_err err = {0};
		int r = 0;

		if (!digest_valid_hex(de->d_name) || strchr(de->d_name, ':'))
			continue;
		if (!orphans) {
			check_layer(f, de->d_name);
			continue;
		}
		if (json_object_get(f->used, de->d_name))
			continue;
		what = xasprintf("layer %.12s: orphan: no image or container "
				 "uses it",
				 de->d_name);
		if (f->repair)
			r = store_layer_remove(f->s, de->d_name, &err);
		note(f, what, r, "removed", &err);
	}
	return 0;
}

static void check_links(struct fsck *f)
{
	cleanup_free char *dir = store_path(f->s, "l");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *link = NULL, *what = NULL;
		struct hm_err err = {0};
		int r = 0;

		if (de->d_name[0] == '.')
			continue;
		link = xasprintf("%s/%s", dir, de->d_name);
		if (is_dir(link))
			continue;
		what = xasprintf("short link l/%s: dangling", de->d_name);
		if (f->repair && unlink(link) < 0)
			r = hm_fail(&err, errno, "remove \"%s\"", link);
		note(f, what, r, "removed", &err);
	}
}

/* ---- image records ---- */

/* Returns whether the record is still there (and so names its layers). */
static bool check_record(struct fsck *f, const char *path, const char *dname,
			 const char *name, const char *tag)
{
	cleanup_free char *what = NULL, *dest = NULL, *done = NULL;
	cleanup_free char *aside = NULL;
	struct hm_err err = {0}, why;
	struct hm_image img;
	const char *missing = NULL;
	int r = 0;

	if (store_image_load_file(path, &img, &why) < 0) {
		what = xasprintf("image %s:%s: %s", name, tag, why.msg);
		if (f->repair) {
			aside = xasprintf("image-%s-%s.json", dname, tag);
			r = move_aside(f, path, aside, &dest, &err);
			done = xasprintf("moved to \"%s\"", dest ? dest : "");
		}
		note(f, what, r, done, &err);
		return !f->repair || r < 0;
	}
	for (size_t i = 0; img.layers[i] && !missing; i++)
		if (!store_layer_exists(f->s, img.layers[i]))
			missing = img.layers[i];
	if (!missing) {
		for (size_t i = 0; img.layers[i]; i++)
			json_object_set_new(f->used, img.layers[i],
					    json_true());
		image_free(&img);
		return true;
	}
	what = xasprintf("image %s:%s: layer %.12s is missing", name, tag,
			 missing);
	if (f->repair)
		r = store_image_remove_name(f->s, name, tag, &err);
	note(f, what, r, "record removed", &err);
	if (!f->repair || r < 0) /* its other layers stay in use */
		for (size_t i = 0; img.layers[i]; i++)
			json_object_set_new(f->used, img.layers[i],
					    json_true());
	image_free(&img);
	return !f->repair || r < 0;
}

static void check_image_dir(struct fsck *f, const char *dir, const char *dname)
{
	cleanup_free char *name = store_image_dir_name(dname);
	cleanup_free char *what = NULL;
	cleanup_dir DIR *d = opendir(dir);
	struct hm_err err = {0};
	struct dirent *de;
	bool emptied = false;
	size_t left = 0;
	int r = 0;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		cleanup_free char *path = NULL, *tag = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") ||
		    strstr(de->d_name, ".tmp-")) {
			left++; /* not a record, not ours to judge */
			continue;
		}
		path = xasprintf("%s/%s", dir, de->d_name);
		tag = strndup(de->d_name, len - 5);
		if (check_record(f, path, dname, name, tag))
			left++;
		else
			emptied = true;
	}
	if (!d || left || access(dir, F_OK) < 0)
		return; /* the last record's removal took the directory */
	if (emptied) {	/* by our repair: as store_image_remove_name() */
		rmdir(dir);
		return;
	}
	what = xasprintf("image directory \"%s\": empty", dir);
	if (f->repair && rmdir(dir) < 0)
		r = hm_fail(&err, errno, "remove \"%s\"", dir);
	note(f, what, r, "removed", &err);
}

static int check_images(struct fsck *f, struct hm_err *e)
{
	cleanup_free char *dir = store_path(f->s, "images");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return hm_fail(e, errno, "open \"%s\"", dir);
	while ((de = readdir(d))) {
		cleanup_free char *sub = NULL;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp-"))
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (is_dir(sub))
			check_image_dir(f, sub, de->d_name);
	}
	return 0;
}

/* ---- what a container that is not running must not have ---- */

/* no container, or one that exited and whose homo is gone */
static bool is_stale(struct fsck *f, const char *id)
{
	cleanup_free char *cdir = container_dir(f->s, id);
	struct hm_state st;

	if (access(cdir, F_OK) < 0)
		return true;
	if (state_load(cdir, &st, NULL) < 0)
		return false; /* reported (and reset) above */
	return st.status == ST_EXITED && !state_owner_alive(&st);
}

static void stale_dir(struct fsck *f, const char *kind, const char *path,
		      const char *id)
{
	cleanup_free char *what = NULL;
	struct hm_err err = {0};
	int r = 0;

	what = xasprintf("%s \"%s\": container %.12s is not running", kind,
			 path, id);
	if (f->repair)
		r = container_teardown(f->s, id, &err);
	note(f, what, r, "torn down", &err);
}

/* the container's cgroup in the pids hierarchy, if it exists */
static char *cgroup_of(const char *id)
{
	char *dir = cgroup_dir("pids", id);

	if (dir && !is_dir(dir)) {
		free(dir);
		dir = NULL;
	}
	return dir;
}

/*
 * Runtime dirs: of a container of ours that is not running, or of no
 * container at all. The runroot (like the cgroup parent) could be shared
 * with another store: an id unknown here that still has cgroups may be
 * running there, and is left alone.
 */
static void check_runtime(struct fsck *f)
{
	cleanup_dir DIR *d = opendir(f->s->runroot);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *path = NULL, *cdir = NULL, *cg = NULL;
		cleanup_free char *what = NULL;
		struct hm_err err = {0};
		int r = 0;

		if (!container_is_id(de->d_name))
			continue;
		path = xasprintf("%s/%s", f->s->runroot, de->d_name);
		cdir = container_dir(f->s, de->d_name);
		if (access(cdir, F_OK) == 0) {
			if (is_stale(f, de->d_name))
				stale_dir(f, "runtime dir", path, de->d_name);
			continue;
		}
		cg = cgroup_of(de->d_name);
		if (cg)
			continue;
		what = xasprintf("runtime dir \"%s\": no such container", path);
		if (f->repair)
			r = util_rm_rf(path, &err);
		note(f, what, r, "removed", &err);
	}
}

/* cgroups of our containers that are not running (only ours: the
 * cgroup parent is shared by every store on the host) */
static void check_cgroups(struct fsck *f)
{
	cleanup_free char *dir = store_path(f->s, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		cleanup_free char *cg = NULL;

		if (!container_is_id(de->d_name) || !is_stale(f, de->d_name))
			continue;
		cg = cgroup_of(de->d_name);
		if (cg)
			stale_dir(f, "cgroup", cg, de->d_name);
	}
}

static void on_network(const char *what, bool fixed, void *arg)
{
	struct fsck *f = arg;
	struct hm_err why;

	hm_failx(&why, HM_EXIT_FAIL, "the containers hold it");
	note(f, what, fixed ? 0 : -1, "released", &why);
}

/* ---- volumes ---- */

/*
 * A volume whose record cannot be read or whose _data is gone, and a
 * volume a container mounts that is missing: set aside / made again.
 */
static void check_volumes(struct fsck *f)
{
	cleanup_strv char **names = volume_list(f->s);
	cleanup_strv char **ids = container_list(f->s);

	for (size_t i = 0; names[i]; i++) {
		cleanup_free char *data = volume_data_path(f->s, names[i]);
		cleanup_free char *dir = NULL, *what = NULL, *dest = NULL;
		json_t *rec;
		struct hm_err why = {0};
		struct stat st;
		int r = 0;

		rec = volume_load(f->s, names[i], &why);
		json_decref(rec);
		if (rec && stat(data, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		what =
		    rec ? xasprintf("volume %s: no _data directory", names[i])
			: xasprintf("volume %s: %s", names[i], why.msg);
		dir = store_path(f->s, "volumes/%s", names[i]);
		if (f->repair)
			r = move_aside(f, dir, names[i], &dest, &why);
		note(f, what, r, "moved to broken/", &why);
	}
	for (size_t i = 0; ids[i]; i++) {
		cleanup_spec struct hm_spec sp = {0};

		if (container_load_spec(f->s, ids[i], &sp, NULL) < 0)
			continue;
		for (size_t j = 0; j < sp.nvolumes; j++) {
			const struct hm_volume *v = &sp.volumes[j];
			cleanup_free char *what = NULL;
			struct hm_err why = {0};
			int r = 0;

			if (v->type != MOUNT_VOLUME ||
			    access(v->src, F_OK) == 0)
				continue;
			what =
			    xasprintf("container %.12s: volume %s is missing",
				      ids[i], v->name);
			if (f->repair)
				r = volume_create(f->s, v->name, NULL, v->anon,
						  NULL, &why);
			note(f, what, r, "created empty", &why);
		}
	}
}

int fsck_run(struct hm_store *s, bool repair, fsck_report_fn report, void *arg,
	     struct fsck_result *res, struct hm_err *e)
{
	struct fsck f = {.s = s,
			 .repair = repair,
			 .report = report,
			 .arg = arg,
			 .res = res,
			 .used = json_object()};
	int r = -1;

	memset(res, 0, sizeof(*res));
	/* no sweep: the debris is for us to report */
	if (store_lock_nosweep(s, e) < 0)
		goto out;
	store_find_debris(s, on_debris, &f);
	if (check_containers(&f, e) < 0 || use_pinned(&f, e) < 0)
		goto unlock;
	check_names(&f);
	if (check_layers(&f, false, e) < 0)
		goto unlock;
	check_links(&f);
	if (check_images(&f, e) < 0 || check_layers(&f, true, e) < 0)
		goto unlock;
	check_volumes(&f);
	check_runtime(&f);
	check_cgroups(&f);
	/* after the containers: settling a stale one released its address */
	if (network_check(s, repair, on_network, &f, e) < 0)
		goto unlock;
	r = 0;
unlock:
	store_unlock(s);
out:
	json_decref(f.used);
	return r;
}
