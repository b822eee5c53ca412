/* SPDX-License-Identifier: MIT */
#include "runtime/subid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

/* [0] the uid side, [1] the gid side */
static const char *const files[2] = {"/etc/subuid", "/etc/subgid"};
static const char *const kinds[2] = {"uid", "gid"};

/* ---- /etc/subuid and /etc/subgid ---- */

/* The lines of @path; a missing file has none. */
static int read_subids(int k, struct hm_subid **v, size_t *n, struct hm_err *e)
{
	struct hm_err scratch;
	cleanup_free char *text =
	    util_read_file(files[k], NULL, e = hm_err_or(e, &scratch));

	if (!text) {
		if (e->errnum != ENOENT)
			return -1;
		hm_clear(e);
	}
	return idmap_subid_parse(text ? text : "", files[k], v, n, e);
}

/*
 * shadow's lock (useradd, usermod, newusers): FILE.lock names its pid;
 * one whose process is gone is stale.
 */
static int shadow_lock(const char *lock, struct hm_err *e)
{
	for (int tries = 0; tries < 2; tries++) {
		char buf[32] = "";
		int fd =
		    open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		long pid;

		if (fd >= 0) {
			int len = snprintf(buf, sizeof(buf), "%d", getpid());
			int r = util_write_all(fd, buf, (size_t)len);

			close(fd);
			if (r == 0)
				return 0;
			unlink(lock);
			return hm_fail(e, errno, "write \"%s\"", lock);
		}
		if (errno != EEXIST)
			return hm_fail(e, errno, "create \"%s\"", lock);
		fd = open(lock, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf) - 1) < 0)
				buf[0] = '\0';
			close(fd);
		}
		pid = strtol(buf, NULL, 10);
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			return hm_failx(e, HM_EXIT_FAIL,
					"\"%s\" is held by process %ld: try "
					"again",
					lock, pid);
		unlink(lock);
	}
	return hm_failx(e, HM_EXIT_FAIL, "\"%s\" is held: try again", lock);
}

/* @path with @line added, by temp name and rename: same mode and owner. */
static int append_line(const char *path, const char *line, struct hm_err *e)
{
	cleanup_free char *tmp = xasprintf("%s.homo-%d", path, getpid());
	cleanup_free char *text = NULL, *all = NULL;
	struct hm_err scratch;
	struct stat st;
	size_t len = 0;
	int fd;

	/* a read-only file (bind mount) would only fail at the rename */
	if (access(path, W_OK) < 0 && errno != ENOENT)
		return hm_fail(e, errno, "write \"%s\"", path);
	text = util_read_file(path, &len, e = hm_err_or(e, &scratch));
	if (!text) {
		if (e->errnum != ENOENT)
			return -1;
		hm_clear(e);
	}
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return hm_fail(e, errno, "stat \"%s\"", path);
		st = (struct stat){.st_mode = 0644}; /* root's, as shadow's */
	}
	all = xasprintf("%s%s%s\n", text ? text : "",
			len && text[len - 1] != '\n' ? "\n" : "", line);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return hm_fail(e, errno, "create \"%s\"", tmp);
	if (fchown(fd, st.st_uid, st.st_gid) < 0 ||
	    fchmod(fd, st.st_mode & 07777) < 0 ||
	    util_write_all(fd, all, strlen(all)) < 0 || fsync(fd) < 0) {
		hm_fail(e, errno, "write \"%s\"", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		hm_fail(e, errno, "rename \"%s\" to \"%s\"", tmp, path);
		unlink(tmp);
		return -1;
	}
	return util_fsync_dir("/etc", e);
}

static bool has_owner(const struct hm_subid *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].owner, IDMAP_OWNER))
			return true;
	return false;
}

/* The lines of files[@k], homo's delegation added first if it has none. */
static int delegated(int k, struct hm_subid **v, size_t *n, struct hm_err *e)
{
	cleanup_free char *lock = xasprintf("%s.lock", files[k]);
	struct hm_idrange r = {0, 0};
	char line[96];
	int ret;

	if (read_subids(k, v, n, e) < 0)
		return -1;
	if (has_owner(*v, *n))
		return 0;
	ret = idmap_subid_place(*v, *n, &r, e);
	free(*v);
	*v = NULL;
	if (ret < 0 || shadow_lock(lock, e) < 0)
		goto fail;
	/* again under the lock: useradd may have just written it */
	ret = read_subids(k, v, n, e);
	if (ret == 0 && !has_owner(*v, *n)) {
		ret = idmap_subid_place(*v, *n, &r, e);
		snprintf(line, sizeof(line), "%s:%u:%u", IDMAP_OWNER, r.start,
			 r.count);
		if (ret == 0)
			ret = append_line(files[k], line, e);
		if (ret == 0) {
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[(*n)++] =
			    (struct hm_subid){.owner = IDMAP_OWNER, .r = r};
			HM_TRACE("added %s to %s", line, files[k]);
		}
	}
	unlink(lock);
	if (ret == 0)
		return 0;
fail:
	free(*v);
	*v = NULL;
	if (r.count)
		return hm_prefix(e,
				 "--userns=auto: cannot add \"%s:%u:%u\" to %s "
				 "(homo's subordinate %ss)",
				 IDMAP_OWNER, r.start, r.count, files[k],
				 kinds[k]);
	return hm_prefix(e,
			 "--userns=auto: cannot delegate %ss to \"%s\" in %s",
			 kinds[k], IDMAP_OWNER, files[k]);
}

/* ---- the registry: SUBID_REGISTRY/<uid|gid>-<start>-<count>-<id> ---- */

struct claim {
	int kind;
	struct hm_idrange r;
	bool is_auto;
	char id[65];
};

static int registry_lock(struct hm_err *e)
{
	int fd;

	if (util_mkdir_p(SUBID_REGISTRY, 0700, e) < 0)
		return -1;
	fd = open(SUBID_REGISTRY "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s/lock\"", SUBID_REGISTRY);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			hm_fail(e, errno, "lock \"%s/lock\"", SUBID_REGISTRY);
			close(fd);
			return -1;
		}
	return fd;
}

static bool claim_name(const char *name, struct claim *c)
{
	char kind[4], id[65], tail;
	unsigned long long start, count;

	if (sscanf(name, "%3[a-z]-%llu-%llu-%64[0-9a-f]%c", kind, &start,
		   &count, id, &tail) != 4 ||
	    strlen(id) != 64 || (strcmp(kind, "uid") && strcmp(kind, "gid")) ||
	    !count || start + count > (1ull << 32))
		return false;
	c->kind = kind[0] == 'g';
	c->r = (struct hm_idrange){(uint32_t)start, (uint32_t)count};
	memcpy(c->id, id, sizeof(c->id));
	return true;
}

/*
 * A claim holds while its container exists, or while the homo that made
 * it is still creating it (before the container's dir is in place). One
 * that is neither is reclaimed: removed, its range free again.
 */
static bool claim_live(const char *path, struct claim *c)
{
	cleanup_free char *text =
	    util_read_file(path, NULL, &(struct hm_err){0});
	cleanup_free char *dir = NULL;
	char *nl = text ? strchr(text, '\n') : NULL;
	char mode[8] = "";
	unsigned long long start = 0;
	int pid = 0;

	if (!nl)
		return false;
	*nl = '\0';
	sscanf(nl + 1, "%7s %d %llu", mode, &pid, &start);
	c->is_auto = !strcmp(mode, "auto");
	dir = xasprintf("%s/containers/%s", text, c->id);
	return access(dir, F_OK) == 0 ||
	       (pid > 0 && start && util_proc_starttime(pid) == start);
}

/* The live claims; stale ones are removed. Under the registry lock. */
static int load_claims(struct claim **v, size_t *n, struct hm_err *e)
{
	cleanup_dir DIR *d = opendir(SUBID_REGISTRY);
	struct dirent *de;

	if (!d)
		return hm_fail(e, errno, "open \"%s\"", SUBID_REGISTRY);
	while ((de = readdir(d))) {
		cleanup_free char *path =
		    xasprintf("%s/%s", SUBID_REGISTRY, de->d_name);
		struct claim c;

		if (!claim_name(de->d_name, &c))
			continue;
		if (!claim_live(path, &c)) {
			HM_TRACE("reclaim %s", de->d_name);
			unlink(path);
			continue;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = c;
	}
	return 0;
}

static char *claim_path(int k, const struct hm_idmap *m, const char *id)
{
	return xasprintf("%s/%s-%u-%u-%s", SUBID_REGISTRY, kinds[k], m->host,
			 m->count, id);
}

/* The store's root, then who made it: auto or manual, its pid and start. */
static int write_claim(int k, const struct hm_idmap *m, bool is_auto,
		       const char *root, const char *id, struct hm_err *e)
{
	cleanup_free char *path = claim_path(k, m, id);
	cleanup_free char *text =
	    xasprintf("%s\n%s %d %llu\n", root, is_auto ? "auto" : "manual",
		      getpid(), util_self_starttime());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return hm_fail(e, errno, "create \"%s\"", path);
	if (util_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		hm_fail(e, errno, "write \"%s\"", path);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* ---- claiming ---- */

struct pick {
	const struct claim *claims;
	size_t nclaims;
	const struct hm_idmap (*local)[2];
	size_t nlocal;
};

/* --userns=auto: a free range of homo's delegation in files[@k]. */
static int pick_auto(int k, const struct pick *p, struct hm_idmap *m,
		     struct hm_err *e)
{
	cleanup_free struct hm_subid *v = NULL;
	cleanup_free struct hm_idrange *pool = NULL, *used = NULL;
	size_t n = 0, npool = 0, nused = 0;
	uint32_t base;

	if (delegated(k, &v, &n, e) < 0)
		return -1;
	pool = xcalloc(n + 1, sizeof(*pool));
	used = xcalloc(n + p->nclaims + p->nlocal + 1, sizeof(*used));
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].owner, IDMAP_OWNER))
			pool[npool++] = v[i].r;
		else
			used[nused++] = v[i].r;
	}
	for (size_t i = 0; i < p->nclaims; i++)
		if (p->claims[i].kind == k)
			used[nused++] = p->claims[i].r;
	for (size_t i = 0; i < p->nlocal; i++)
		if (p->local[i][k].count)
			used[nused++] = (struct hm_idrange){
			    p->local[i][k].host, p->local[i][k].count};
	if (idmap_pick_auto(pool, npool, used, nused, &base, e) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"--userns=auto: every range of %u %ss that %s "
				"delegates to \"%s\" is in use: remove "
				"containers, or delegate more ids to \"%s\"",
				IDMAP_AUTO_SIZE, kinds[k], files[k],
				IDMAP_OWNER, IDMAP_OWNER);
	*m = (struct hm_idmap){0, base, IDMAP_AUTO_SIZE};
	return 0;
}

/* A given map: not another owner's ids, nor an auto range's. */
static int check_manual(int k, const struct pick *p, const struct hm_idmap *m,
			struct hm_err *e)
{
	cleanup_free struct hm_subid *v = NULL;
	struct hm_idrange r = {m->host, m->count};
	size_t n = 0;

	if (read_subids(k, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].owner, IDMAP_OWNER) &&
		    idmap_overlap(&r, &v[i].r))
			return hm_failx(
			    e, HM_EXIT_FAIL,
			    "%s map 0:%u:%u: host %ss %u-%u are delegated to "
			    "\"%s\" in %s: choose other ids",
			    kinds[k], m->host, m->count, kinds[k], v[i].r.start,
			    v[i].r.start + (v[i].r.count - 1), v[i].owner,
			    files[k]);
	for (size_t i = 0; i < p->nclaims; i++)
		if (p->claims[i].kind == k && p->claims[i].is_auto &&
		    idmap_overlap(&r, &p->claims[i].r))
			return hm_failx(e, HM_EXIT_FAIL,
					"%s map 0:%u:%u overlaps host %ss "
					"%u-%u of container %.12s "
					"(--userns=auto): choose other ids",
					kinds[k], m->host, m->count, kinds[k],
					p->claims[i].r.start,
					p->claims[i].r.start +
					    (p->claims[i].r.count - 1),
					p->claims[i].id);
	return 0;
}

int subid_claim(const char *store_root, struct hm_spec *s,
		const struct hm_idmap (*local)[2], size_t n, struct hm_err *e)
{
	struct hm_idmap *maps[2] = {&s->uidmap, &s->gidmap};
	/* --userns=auto with a --gidmap: the gids as given */
	bool autos[2] = {s->userns_auto, s->userns_auto && !s->gidmap.count};
	cleanup_free struct claim *claims = NULL;
	cleanup_free char *root = NULL;
	struct pick p = {.local = local, .nlocal = n};
	cleanup_close int lock = -1;
	int k = 0;

	if (!s->userns_auto && !s->uidmap.count)
		return 0;
	root = realpath(store_root, NULL);
	if (!root)
		return hm_fail(e, errno, "realpath \"%s\"", store_root);
	lock = registry_lock(e);
	if (lock < 0 || load_claims(&claims, &p.nclaims, e) < 0)
		return -1;
	p.claims = claims;
	for (; k < 2; k++)
		if ((autos[k] ? pick_auto(k, &p, maps[k], e)
			      : check_manual(k, &p, maps[k], e)) < 0 ||
		    write_claim(k, maps[k], autos[k], root, s->id, e) < 0)
			break;
	if (k == 2 && util_fsync_dir(SUBID_REGISTRY, e) == 0)
		return 0;
	while (k-- > 0) {
		cleanup_free char *path = claim_path(k, maps[k], s->id);

		unlink(path);
	}
	return -1;
}

void subid_release(const char *id)
{
	cleanup_dir DIR *d = NULL;
	struct hm_err e = {0};
	struct dirent *de;
	int lock = registry_lock(&e);

	if (lock < 0) {
		hm_warn(&e);
		return;
	}
	d = opendir(SUBID_REGISTRY);
	while (d && (de = readdir(d))) {
		struct claim c;

		if (claim_name(de->d_name, &c) && !strcmp(c.id, id) &&
		    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			hm_fail(&e, errno, "remove \"%s/%s\"", SUBID_REGISTRY,
				de->d_name);
			hm_warn(&e);
		}
	}
	close(lock);
}
