/* SPDX-License-Identifier: MIT */
/* The OCI runtime's per-container record and the state JSON (oci_state.h). */
#include "runtime/oci_state.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int oci_id_check(const char *id, struct hm_err *e)
{
	size_t n = strlen(id);

	/* runc's rule: letters, digits and "_+-." ; never "." or ".." */
	if (!n || n > 1024 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789_+-.") != n ||
	    !strcmp(id, ".") || !strcmp(id, ".."))
		return hm_failx(e, 1, "invalid container id \"%s\"", id);
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int oci_state_write(const char *root, const struct oci_state *st,
		    struct hm_err *e)
{
	char *dir = xasprintf("%s/%s", root, st->id), *path, *text;
	json_t *j;
	int r = -1;

	if (oci_id_check(st->id, e) || util_mkdir_p(dir, 0700, e))
		goto out_dir;
	j = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:b, s:b, s:o, "
		      "s:O?}",
		      "ociVersion", OCI_STATE_VERSION, "id", st->id, "pid",
		      (json_int_t)st->pid, "pid_start",
		      (json_int_t)st->pid_start, "bundle",
		      str_or_null(st->bundle), "rootfs",
		      str_or_null(st->rootfs), "created",
		      str_or_null(st->created), "owner", str_or_null(st->owner),
		      "started", st->started, "paused", st->paused, "cgroup",
		      str_or_null(st->cgroup), "annotations", st->annotations);
	text = json_dumps(j, JSON_COMPACT);
	path = xasprintf("%s/state.json", dir);
	r = util_write_file_atomic(path, text, strlen(text), false, e);
	free(path);
	free(text);
	json_decref(j);
out_dir:
	free(dir);
	return r;
}

static char *dup_field(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

int oci_state_read(const char *root, const char *id, struct oci_state *st,
		   struct hm_err *e)
{
	char *path, *text;
	json_error_t je;
	json_t *j, *pid;

	memset(st, 0, sizeof(*st));
	if (oci_id_check(id, e))
		return -1;
	path = xasprintf("%s/%s/state.json", root, id);
	text = util_read_file(path, NULL, e);
	if (!text) {
		int err = hm_err_or(e, &(struct hm_err){0})->errnum;

		free(path);
		if (err != ENOENT)
			return -1;
		hm_failx(e, 1, "container \"%s\" does not exist", id);
		if (e)
			e->errnum = ENOENT;
		return -1;
	}
	j = json_loads(text, 0, &je);
	free(text);
	pid = json_object_get(j, "pid");
	if (!json_is_object(j) || !json_is_integer(pid) ||
	    json_integer_value(pid) < 0) {
		json_decref(j);
		hm_failx(e, 1, "%s: damaged state record", path);
		free(path);
		return -1;
	}
	free(path);
	st->id = xstrdup(id);
	st->pid = (pid_t)json_integer_value(pid);
	st->pid_start = (unsigned long long)json_integer_value(
	    json_object_get(j, "pid_start"));
	st->bundle = dup_field(j, "bundle");
	st->rootfs = dup_field(j, "rootfs");
	st->created = dup_field(j, "created");
	st->owner = dup_field(j, "owner");
	st->started = json_is_true(json_object_get(j, "started"));
	st->paused = json_is_true(json_object_get(j, "paused"));
	st->cgroup = dup_field(j, "cgroup");
	st->annotations = json_incref(json_object_get(j, "annotations"));
	json_decref(j);
	return 0;
}

/* the pid is our init: alive, not a zombie, the same start time */
static bool init_alive(const struct oci_state *st)
{
	char path[64], buf[512], *p;
	FILE *f;
	bool zombie = false;

	if (st->pid <= 0 || (kill(st->pid, 0) < 0 && errno == ESRCH))
		return false;
	if (util_proc_starttime(st->pid) != st->pid_start)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)st->pid);
	if ((f = fopen(path, "re"))) {
		/* the state letter follows the last ')' of the comm field */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
			zombie = p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
		fclose(f);
	}
	return !zombie;
}

enum oci_status oci_state_status(const struct oci_state *st)
{
	if (!init_alive(st))
		return OCI_STOPPED;
	if (st->paused)
		return OCI_PAUSED;
	return st->started ? OCI_RUNNING : OCI_CREATED;
}

const char *oci_status_name(enum oci_status s)
{
	static const char *const names[] = {"creating", "created", "running",
					    "stopped", "paused"};

	return names[s];
}

json_t *oci_state_json(const struct oci_state *st)
{
	enum oci_status s = oci_state_status(st);
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "ociVersion",
	    OCI_STATE_VERSION, "id", st->id, "status", oci_status_name(s),
	    "pid", (json_int_t)(s == OCI_STOPPED ? 0 : st->pid), "bundle",
	    str_or_null(st->bundle), "rootfs", str_or_null(st->rootfs),
	    "created", str_or_null(st->created), "owner",
	    json_string(st->owner ? st->owner : ""));

	if (st->annotations && json_object_size(st->annotations))
		json_object_set(j, "annotations", st->annotations);
	return j;
}

void oci_state_free(struct oci_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->cgroup);
	json_decref(st->annotations);
	memset(st, 0, sizeof(*st));
}
