/* SPDX-License-Identifier: MIT */
/*
 * A spec's {"type": "cgroup"} mount (oci_ctr_int.h): on a cgroup v2 host one
 * cgroup2 mount; on v1 (and hybrid) a tmpfs holding one mount per hierarchy
 * the host has mounted under /sys/fs/cgroup, as runc. In a new cgroup
 * namespace each is a fresh mount (its root is the container's cgroup);
 * without one, the host's directory of the process's own cgroup is bound.
 */
#include "runtime/oci_ctr_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/clone_vm.h"
#include "runtime/inroot.h"

#define CG_DIR "/sys/fs/cgroup"

/* every comma-separated word of @ctl is one of @opts */
static bool has_all(const char *opts, const char *ctl)
{
	cleanup_free char *o = xasprintf(",%s,", opts);
	cleanup_free char *c = xstrdup(ctl);
	char *save = NULL;

	for (char *w = strtok_r(c, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		cleanup_free char *word = xasprintf(",%s,", w);

		if (!strstr(o, word))
			return false;
	}
	return true;
}

/*
 * The process's cgroup in the hierarchy of @opts ("rw,cpu,cpuacct" as
 * mountinfo shows it; "" for cgroup2), from /proc/self/cgroup.
 */
static char *own_cgroup(const char *opts, bool v2)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path;

		if (!ctl || !(path = strchr(++ctl, ':')))
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (v2 ? *ctl == '\0' : *ctl && has_all(opts, ctl))
			return xstrdup(path);
	}
	return xstrdup("/");
}

/* a v1 hierarchy's super options without release_agent=; NULL if none */
static char *v1_data(const char *opts)
{
	cleanup_free char *c = xstrdup(opts);
	char *save = NULL, *out = NULL;

	for (char *w = strtok_r(c, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		char *n;

		if (util_has_prefix(w, "release_agent="))
			continue;
		n = out ? xasprintf("%s,%s", out, w) : xstrdup(w);
		free(out);
		out = n;
	}
	return out;
}

/* mount(2) on @at, which names the target in the new tmpfs by a path */
static int mount_on(const char *src, const char *at, const char *target,
		    const char *type, unsigned long flags, const char *data,
		    struct hm_err *e)
{
	if (mount(src, at, type, flags, data) < 0)
		return hm_fail(e, errno, "mount %s on \"%s\"",
			       type ? type : src, target);
	return 0;
}

/*
 * One hierarchy at @name in the tmpfs @cg (@dest names it): a fresh mount,
 * or the own cgroup bound (@own_dir, when the caller knows it). The tmpfs
 * is ours, new, and holds no symlink yet: its dir is reached by the path
 * /proc/self/fd/CG/NAME, which after a bind leads to the bind (no reopen to
 * remount it), as the floor's relative paths do.
 */
static int one_hierarchy(int cg, const char *dest, const char *mnt,
			 const char *fstype, char *opts, const char *own_dir,
			 const struct oci_mnt_opts *o, bool cgns,
			 struct hm_err *e)
{
	const char *name = strrchr(mnt, '/') + 1;
	cleanup_free char *target = xasprintf("%s/%s", dest, name);
	cleanup_free char *at = xasprintf("/proc/self/fd/%d/%s", cg, name);
	cleanup_close int fd = -1;
	cleanup_free char *own = NULL;
	cleanup_free char *src = NULL;
	bool v2 = !strcmp(fstype, "cgroup2");
	unsigned long fl = o->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC |
				       MS_RDONLY | MS_RELATIME);

	if (mkdirat(cg, name, 0755) < 0 && errno != EEXIST)
		return hm_fail(e, errno, "mkdir \"%s\"", target);
	if (util_has_prefix(opts, "rw,") || util_has_prefix(opts, "ro,"))
		opts += 3;
	else if (!strcmp(opts, "rw") || !strcmp(opts, "ro"))
		opts += 2;
	if (cgns && !*own_dir) {
		/* the hierarchy's controllers (and name=); not the host's
		 * release agent, nor cgroup2's options of the init ns */
		cleanup_free char *data = v2 ? NULL : v1_data(opts);

		return mount_on(fstype, at, target, fstype, fl, data, e);
	}
	/* in a cgroup namespace rooted at it, the own cgroup bound is the
	 * fresh mount's view: the same root, "/" in mountinfo */
	own = *own_dir ? xstrdup("") : own_cgroup(opts, v2);
	src = xasprintf("%s%s", *own_dir ? own_dir : mnt, own);
	if (mount_on(src, at, target, NULL, MS_BIND | MS_REC, NULL, e) < 0)
		return -1;
	if (!fl || mount(NULL, at, NULL, MS_BIND | MS_REMOUNT | fl, NULL) == 0)
		return 0;
	/* a locked flag (a user namespace's): oci_remount keeps those */
	fd = open(at, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", target);
	return oci_remount(fd, target, fl, e);
}

/* "cpu,cpuacct" is also reachable as cpu and cpuacct, as on the host */
static int comount_links(int cg, const char *dest, struct hm_err *e)
{
	cleanup_close int host =
	    open(CG_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = host >= 0 ? fdopendir(dup(host)) : NULL;
	struct dirent *de;
	char to[256];

	while (d && (de = readdir(d))) {
		ssize_t n;

		if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		n = readlinkat(host, de->d_name, to, sizeof(to) - 1);
		if (n <= 0 || memchr(to, '/', (size_t)n))
			continue;
		to[n] = '\0';
		if (symlinkat(to, cg, de->d_name) < 0 && errno != EEXIST)
			return hm_fail(e, errno, "symlink %s/%s", dest,
				       de->d_name);
	}
	return 0;
}

/* the host's hierarchies at /sys/fs/cgroup/NAME, to mount (small: its
 * pages are touched in a new container, which faults each in) */
static struct {
	bool done;
	/* whose (clone_vm_generation()): a clone sharing our memory has
	 * its own, whatever one that died before left */
	unsigned long gen;
	int n;
	struct {
		/* own: the own cgroup's dir, known (oci_cgroups_own); else ""
		 */
		char *mnt, *fstype, *opts, *own;
	} h[32];
} scan;

static void scan_add(char *mnt, const char *fstype, const char *opts,
		     const char *own)
{
	if (scan.n == (int)ARRAY_SIZE(scan.h)) {
		free(mnt);
		return;
	}
	scan.h[scan.n].mnt = mnt;
	scan.h[scan.n].fstype = xstrdup(fstype);
	scan.h[scan.n].opts = xstrdup(opts);
	scan.h[scan.n++].own = xstrdup(own);
}

static void scan_clear(void)
{
	for (int i = 0; i < scan.n; i++) {
		free(scan.h[i].mnt);
		free(scan.h[i].fstype);
		free(scan.h[i].opts);
		free(scan.h[i].own);
	}
	scan.n = 0;
	scan.done = false;
}

void oci_cgroups_own(const char *name, const char *dir)
{
	if (!*name || strchr(name, '/')) /* v2's one dir: a cgroup2 mount */
		return;
	if (!scan.done || scan.gen != clone_vm_generation())
		scan_clear();
	scan.done = true;
	scan.gen = clone_vm_generation();
	scan_add(xasprintf(CG_DIR "/%s", name), "cgroup", "", dir);
}

/* the hierarchies of mountinfo */
static void scan_mountinfo(void)
{
	/* closed before its buffer is freed (cleanups run in reverse) */
	cleanup_free char *buf = xmalloc(1 << 16);
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	scan_clear();
	scan.done = f != NULL;
	scan.gen = clone_vm_generation();
	/* few reads: each one walks the namespace's mount list again */
	if (f)
		setvbuf(f, buf, _IOFBF, 1 << 16);
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[1024], fstype[64], opts[1024];
		char *sep = strstr(line, " - cgroup");

		/* sscanf only the few cgroup lines: it is slow */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (strncmp(fstype, "cgroup", 6) ||
		    !util_has_prefix(mnt, CG_DIR "/") ||
		    strchr(mnt + sizeof(CG_DIR), '/'))
			continue;
		scan_add(xstrdup(mnt), fstype, opts, "");
	}
}

static int by_mnt(const void *a, const void *b)
{
	/* mnt is the entries' first member */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every hierarchy the host has at /sys/fs/cgroup/NAME, into the tmpfs @cg */
static int v1_hierarchies(int cg, const char *dest,
			  const struct oci_mnt_opts *o, bool cgns,
			  struct hm_err *e)
{
	int r = 0;

	if (!scan.done || scan.gen != clone_vm_generation())
		scan_mountinfo();
	if (!scan.done)
		return hm_fail(e, errno, "open /proc/self/mountinfo");
	/* by name: the same order whether read or given (oci_cgroups_own) */
	qsort(scan.h, (size_t)scan.n, sizeof(scan.h[0]), by_mnt);
	for (int i = 0; i < scan.n && r == 0; i++)
		r = one_hierarchy(cg, dest, scan.h[i].mnt, scan.h[i].fstype,
				  scan.h[i].opts, scan.h[i].own, o, cgns, e);
	/* used once: a later call (another container) reads it again */
	scan_clear();
	return r < 0 ? -1 : comount_links(cg, dest, e);
}

/* cgroup v2: one mount */
static int v2_mount(int rootfd, const char *dest, const struct oci_mnt_opts *o,
		    bool cgns, struct hm_err *e)
{
	unsigned long fl = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	cleanup_close int fd = mkdir_in_root(rootfd, dest, e);
	cleanup_free char *own = NULL;
	cleanup_free char *src = NULL;

	if (fd < 0)
		return -1;
	if (cgns)
		return mount_at("cgroup2", fd, dest, "cgroup2", fl, NULL, e);
	own = own_cgroup("", true);
	src = xasprintf(CG_DIR "%s", own);
	if (mount_at(src, fd, dest, NULL, MS_BIND | MS_REC, NULL, e) < 0)
		return -1;
	close(steal_fd(&fd));
	fd = open_in_root(rootfd, dest, O_PATH);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", dest);
	return fl ? oci_remount(fd, dest, fl, e) : 0;
}

int oci_mount_cgroups(int rootfd, const char *dest,
		      const struct oci_mnt_opts *o, bool cgns, struct hm_err *e)
{
	unsigned long fl = o->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
	struct statfs sf;
	cleanup_close int fd = -1;

	if (statfs(CG_DIR, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return v2_mount(rootfd, dest, o, cgns, e);
	fd = mkdir_in_root(rootfd, dest, e);
	if (fd < 0 ||
	    mount_at("tmpfs", fd, dest, "tmpfs", fl, "mode=755", e) < 0)
		return -1;
	/* the tmpfs now there, for its dirs and its remount */
	close(steal_fd(&fd));
	fd = open_in_root(rootfd, dest, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", dest);
	if (v1_hierarchies(fd, dest, o, cgns, e) < 0)
		return -1;
	return (o->flags & MS_RDONLY) ? oci_remount(fd, dest, fl | MS_RDONLY, e)
				      : 0;
}
