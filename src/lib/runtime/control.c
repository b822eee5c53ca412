/* SPDX-License-Identifier: MIT */
/* pause, unpause, rename (runtime/control.h) and container events. */
#include "runtime/control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "store/events.h"

void container_event_of(const struct hm_store *st, const char *id,
			const struct hm_spec *s, const char *action,
			const char *key, const char *val)
{
	const char *attrs[7] = {0};
	size_t n = 0;

	if (s) {
		attrs[n++] = "image";
		attrs[n++] = s->image;
		attrs[n++] = "name";
		attrs[n++] = s->name;
	}
	if (key) {
		attrs[n++] = key;
		attrs[n++] = val;
	}
	event_log(st, "container", action, id, attrs);
}

void container_event(const struct hm_store *st, const char *id,
		     const char *action, const char *key, const char *val)
{
	struct hm_spec s;
	bool have = container_load_spec(st, id, &s, NULL) == 0;

	container_event_of(st, id, have ? &s : NULL, action, key, val);
	if (have)
		spec_free(&s);
}

int container_lock(const struct hm_store *st, const char *id, struct hm_err *e)
{
	cleanup_free char *cdir = container_dir(st, id);
	int fd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", cdir);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			hm_fail(e, errno, "lock \"%s\"", cdir);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static char *marker(const struct hm_store *st, const char *id)
{
	return xasprintf("%s/%s/paused", st->runroot, id);
}

bool container_paused(const struct hm_store *st, const char *id)
{
	cleanup_free char *m = marker(st, id);

	return access(m, F_OK) == 0;
}

/* Running, checked under the lock; else Docker's refusal. */
static int running(struct hm_store *st, const char *id, struct hm_err *e)
{
	struct hm_state state;

	if (container_check(st, id, &state, e) < 0)
		return -1;
	if (state.status != ST_RUNNING)
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is not running", id);
	return 0;
}

int container_pause(struct hm_store *st, const char *id, struct hm_err *e)
{
	cleanup_close int lock = container_lock(st, id, e);
	cleanup_free char *m = marker(st, id);
	int fd;

	if (lock < 0 || running(st, id, e) < 0)
		return -1;
	if (container_paused(st, id))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is already paused", id);
	if (cgroup_freeze(id, e) < 0)
		return hm_prefix(e, "pause %.12s", id);
	fd = open(m, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		hm_fail(e, errno, "create \"%s\"", m);
		cgroup_thaw(id, NULL);
		return -1;
	}
	close(fd);
	container_event(st, id, "pause", NULL, NULL);
	return 0;
}

int container_unpause(struct hm_store *st, const char *id, struct hm_err *e)
{
	cleanup_close int lock = container_lock(st, id, e);
	cleanup_free char *m = marker(st, id);

	if (lock < 0 || running(st, id, e) < 0)
		return -1;
	if (!container_paused(st, id))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is not paused", id);
	if (cgroup_thaw(id, e) < 0)
		return hm_prefix(e, "unpause %.12s", id);
	unlink(m);
	container_event(st, id, "unpause", NULL, NULL);
	return 0;
}

void container_thaw_paused(struct hm_store *st, const char *id)
{
	cleanup_close int lock = -1;
	cleanup_free char *m = marker(st, id);
	struct hm_err w;

	if (!container_paused(st, id))
		return;
	lock = container_lock(st, id, NULL);
	if (cgroup_thaw(id, &w) < 0) {
		hm_warn(&w);
		return;
	}
	unlink(m);
	container_event(st, id, "unpause", NULL, NULL);
}

/* ---- rename ---- */

bool container_valid_name(const char *n)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(n);

	return len && len < 128 && strchr(alnum, n[0]) &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == len;
}

/* config.json with "name" replaced, written whole by rename(2). */
static int write_name(const struct hm_store *st, const char *id,
		      const char *name, struct hm_err *e)
{
	cleanup_free char *p = store_path(st, "containers/%s/config.json", id);
	cleanup_free char *text = NULL;
	json_error_t jerr;
	json_t *j = json_load_file(p, 0, &jerr);

	if (!j)
		return hm_fail_json(e, p, jerr.line, jerr.text);
	json_object_set_new(j, "name", json_string(name));
	text = store_json_text(j, JSON_INDENT(2) | JSON_SORT_KEYS,
			       "config.json", e);
	if (!text)
		return -1;
	return util_write_file_atomic(p, text, strlen(text), false, e);
}

static int rename_locked(struct hm_store *st, const char *id, const char *name,
			 char **old, struct hm_err *e)
{
	cleanup_free char *oldlink = NULL;
	struct hm_spec s;
	char target[80];
	ssize_t n;
	bool taken;

	if (container_load_spec(st, id, &s, e) < 0)
		return -1;
	*old = xstrdup(s.name);
	spec_free(&s);
	if (!strcmp(*old, name))
		return hm_failx(e, HM_EXIT_FAIL,
				"renaming container %.12s: \"%s\" is already "
				"its name",
				id, name);
	if (container_claim_name(st, name, id, &taken, e) < 0)
		return -1;
	if (write_name(st, id, name, e) < 0) {
		cleanup_free char *l = store_path(st, "names/%s", name);

		unlink(l);
		return -1;
	}
	oldlink = store_path(st, "names/%s", *old);
	n = readlink(oldlink, target, sizeof(target) - 1);
	if (n == 64 && !strncmp(target, id, 64))
		unlink(oldlink);
	return 0;
}

int container_rename(struct hm_store *st, const char *id, const char *name,
		     struct hm_err *e)
{
	cleanup_free char *old = NULL;
	int r;

	if (!container_valid_name(name))
		return hm_failx(e, HM_EXIT_FAIL,
				"invalid container name \"%s\": only "
				"[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, fewer "
				"than 128",
				name);
	if (store_lock(st, e) < 0)
		return -1;
	r = rename_locked(st, id, name, &old, e);
	store_unlock(st);
	if (r == 0)
		container_event(st, id, "rename", "oldName", old);
	return r;
}
