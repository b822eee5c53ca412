/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime's commands on an existing container (oci_runtime.h):
 * start (the exec fifo), kill, delete, pause and resume, and the pids of
 * its cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup.h"
#include "runtime/oci_runtime.h"
#include "runtime/oci_spec.h"

/* the container's cgroup as the cgroup_*() id; -1 without one */
static int select_cgroup(const struct oci_state *st, const char **leaf,
			 struct hm_err *e)
{
	if (!st->cgroup)
		return hm_failx(e, 1, "container \"%s\" has no cgroup", st->id);
	return oci_cgroup_select(st->cgroup, leaf, e);
}

int oci_pids(const struct oci_state *st, pid_t **pids, size_t *n,
	     struct hm_err *e)
{
	const char *leaf;
	char *dir, *path, *text, *p, *end;
	size_t cap = 16;

	*pids = NULL;
	*n = 0;
	if (select_cgroup(st, &leaf, e) < 0)
		return -1;
	dir = cgroup_dir("pids", leaf);
	if (!dir)
		return hm_failx(e, 1, "container \"%s\": no pids cgroup",
				st->id);
	path = xasprintf("%s/cgroup.procs", dir);
	free(dir);
	text = util_read_file(path, NULL, e);
	free(path);
	if (!text)
		return -1;
	*pids = xcalloc(cap, sizeof(**pids));
	for (p = text; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (*n == cap)
			*pids = xrealloc(*pids, (cap *= 2) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)v;
	}
	free(text);
	return 0;
}

static int read_state(const char *root, const char *id, struct oci_state *st,
		      enum oci_status *s, struct hm_err *e)
{
	if (oci_state_read(root, id, st, e) < 0)
		return -1;
	*s = oci_state_status(st);
	return 0;
}

/* the poststart or poststop hooks of the bundle's config.json: warnings */
static void post_hooks(const struct oci_state *st, enum oci_hook_kind k,
		       const char *status)
{
	struct oci_spec s;
	struct hm_err e;
	char *state;

	if (!st->bundle || oci_spec_load(st->bundle, &s, &e) < 0)
		return;
	state = oci_state_text(st, status);
	if (oci_hooks_run(&s, k, state, &e) < 0)
		hm_warn(&e);
	free(state);
	oci_spec_free(&s);
}

int oci_start(const char *root, const char *id, struct hm_err *e)
{
	struct oci_state st;
	enum oci_status s;
	char *fifo;
	int fd, r;

	if (read_state(root, id, &st, &s, e) < 0)
		return -1;
	if (s != OCI_CREATED) {
		hm_failx(e, 1, "cannot start a container that is %s",
			 oci_status_name(s));
		oci_state_free(&st);
		return -1;
	}
	fifo = xasprintf("%s/%s/exec.fifo", root, id);
	/* non-blocking: no reader means the init is gone */
	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	r = fd < 0 || write(fd, "0", 1) != 1 ? -1 : 0;
	if (r < 0)
		hm_fail(e, errno, "start container \"%s\"", id);
	if (fd >= 0) {
		/* the init's end is close-on-exec: POLLERR once it has
		 * exec'd the process (or died), so "running" is true and a
		 * signal sent next meets the process, not the init */
		struct pollfd p = {.fd = fd, .events = 0};

		while (!r && poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		close(fd);
	}
	if (!r) {
		unlink(fifo);
		st.started = true;
		r = oci_state_write(root, &st, e);
	}
	free(fifo);
	if (!r)
		post_hooks(&st, OCI_HOOK_POSTSTART, "running");
	oci_state_free(&st);
	return r;
}

int oci_kill(const char *root, const char *id, int sig, bool all,
	     struct hm_err *e)
{
	struct oci_state st;
	enum oci_status s;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = 0;

	if (read_state(root, id, &st, &s, e) < 0)
		return -1;
	if (s == OCI_STOPPED && !all) {
		r = hm_failx(e, 1, "container \"%s\" is not running", id);
	} else if (all) {
		if (oci_pids(&st, &pids, &n, e) < 0)
			r = -1;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], sig);
		free(pids);
	} else if (kill(st.pid, sig) < 0) {
		r = hm_fail(e, errno, "kill container \"%s\"", id);
	}
	oci_state_free(&st);
	return r;
}

int oci_delete(const char *root, const char *id, bool force, struct hm_err *e)
{
	struct oci_state st;
	enum oci_status s;
	const char *leaf;
	char *dir;
	int r = 0;

	if (read_state(root, id, &st, &s, e) < 0)
		return force && e && e->errnum == ENOENT ? 0 : -1;
	if (s != OCI_STOPPED && !force) {
		hm_failx(e, 1,
			 "cannot delete container \"%s\" that is %s "
			 "(--force kills it)",
			 id, oci_status_name(s));
		oci_state_free(&st);
		return -1;
	}
	if (s != OCI_STOPPED)
		kill(st.pid, SIGKILL);
	/* kills whatever is left, a frozen cgroup too */
	if (st.cgroup &&
	    (select_cgroup(&st, &leaf, e) < 0 || cgroup_destroy(leaf, e) < 0))
		r = -1;
	dir = xasprintf("%s/%s", root, id);
	if (!r && util_rm_rf(dir, e) < 0)
		r = -1;
	free(dir);
	if (!r)
		post_hooks(&st, OCI_HOOK_POSTSTOP, "stopped");
	oci_state_free(&st);
	return r;
}

int oci_pause(const char *root, const char *id, bool pause, struct hm_err *e)
{
	struct oci_state st;
	enum oci_status s;
	const char *leaf;
	int r = -1;

	if (read_state(root, id, &st, &s, e) < 0)
		return -1;
	if (pause ? s != OCI_RUNNING && s != OCI_CREATED : s != OCI_PAUSED)
		hm_failx(e, 1, "cannot %s a container that is %s",
			 pause ? "pause" : "resume", oci_status_name(s));
	else if (select_cgroup(&st, &leaf, e) == 0 &&
		 (pause ? cgroup_freeze(leaf, e) : cgroup_thaw(leaf, e)) == 0) {
		st.paused = pause;
		r = oci_state_write(root, &st, e);
	}
	oci_state_free(&st);
	return r;
}

/* a linux.resources object from @file ("-": stdin), by the one parser */
static int load_resources(const char *file, struct oci_spec *s,
			  struct hm_err *e)
{
	json_error_t je;
	json_t *r, *j;
	int rc;

	r = strcmp(file, "-")
		? json_load_file(file, JSON_REJECT_DUPLICATES, &je)
		: json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
	if (!r)
		return hm_failx(e, 1, "--resources \"%s\": %s", file, je.text);
	j = json_pack("{s:s, s:{s:s}, s:{s:o}}", "ociVersion", "1.0.2", "root",
		      "path", "/", "linux", "resources", r);
	rc = oci_spec_from_json(j, s, e);
	json_decref(j);
	return rc < 0 ? hm_prefix(e, "--resources \"%s\"", file) : 0;
}

int oci_update(const char *root, const char *id, const char *file,
	       struct hm_err *e)
{
	struct oci_state st;
	struct oci_spec s;
	enum oci_status status;
	const char *leaf;
	int r = -1;

	if (read_state(root, id, &st, &status, e) < 0)
		return -1;
	if (status == OCI_STOPPED) {
		hm_failx(e, 1, "cannot update a container that is stopped");
	} else if (load_resources(file, &s, e) == 0) {
		r = select_cgroup(&st, &leaf, e) < 0 ||
			    cgroup_oci_update(leaf, &s.res, e) < 0
			? -1
			: 0;
		oci_spec_free(&s);
	}
	oci_state_free(&st);
	if (r < 0)
		e->exit_code = 1;
	return r;
}
