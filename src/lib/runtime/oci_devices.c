/* SPDX-License-Identifier: MIT */
/*
 * linux.devices and the devices every OCI container has (oci_ctr_int.h):
 * mknod with the spec's mode and owner, or in a user namespace (no mknod
 * there) the host's node bound over an empty file, as runc. Then the /dev
 * links the runtime spec requires.
 */
#include "runtime/oci_ctr_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/inroot.h"

static const struct oci_device defaults[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},
    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},
    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0},
    {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

static const struct {
	const char *name, *target;
} links[] = {
    {"fd", "/proc/self/fd"},	   {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
    {"ptmx", "pts/ptmx"},
};

static mode_t type_bits(char t)
{
	switch (t) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default: /* 'c' and 'u' */
		return S_IFCHR;
	}
}

/* @path is a host node of @d's type and number */
static bool same_node(const char *path, const struct oci_device *d)
{
	struct stat st;

	return stat(path, &st) == 0 &&
	       (st.st_mode & S_IFMT) == type_bits(d->type) &&
	       st.st_rdev == makedev((unsigned)d->major, (unsigned)d->minor);
}

/* a host node of @d's type and number: the same path, or one in /dev */
static char *host_node(const struct oci_device *d)
{
	cleanup_dir DIR *dir = NULL;
	struct dirent *de;

	if (same_node(d->path, d))
		return xstrdup(d->path);
	dir = opendir("/dev");
	while (dir && (de = readdir(dir))) {
		cleanup_free char *p = xasprintf("/dev/%s", de->d_name);

		if (same_node(p, d))
			return steal_ptr(&p);
	}
	return NULL;
}

/* the host's node bound over an empty file (no mknod in a userns) */
static int bind_host_node(int rootfd, const struct oci_device *d,
			  struct hm_err *e)
{
	cleanup_free char *src = d->type == 'p' ? NULL : host_node(d);
	cleanup_close int fd = -1;

	if (!src)
		return hm_failx(e, HM_EXIT_FAIL,
				"device \"%s\": no such node on the host to "
				"bind in a user namespace (no mknod there)",
				d->path);
	fd = file_in_root(rootfd, d->path, e);
	if (fd < 0)
		return -1;
	return mount_at(src, fd, d->path, NULL, MS_BIND, NULL, e);
}

/*
 * @d as @base in the directory @dfd: a node already there (the image's, or
 * listed twice) is replaced. The caller cleared the umask: the mode is
 * @d's from mknod itself, chmod only for the bits mknod may drop.
 */
static int node_at(int dfd, const char *base, const struct oci_device *d,
		   struct hm_err *e)
{
	mode_t perm = d->file_mode == OCI_UNSET ? 0666 : (mode_t)d->file_mode;
	uid_t uid = d->uid == OCI_UNSET ? 0 : (uid_t)d->uid;
	gid_t gid = d->gid == OCI_UNSET ? 0 : (gid_t)d->gid;
	struct stat st;

	if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		return hm_fail(e, errno, "remove \"%s\"", d->path);
	if (mknodat(dfd, base, type_bits(d->type) | (perm & 07777),
		    d->type == 'p'
			? 0
			: makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
		return hm_fail(e, errno, "mknod \"%s\"", d->path);
	/* an O_PATH fd cannot chmod: by name */
	if ((perm & 07000) &&
	    fchmodat(dfd, base, perm & 07777, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EOPNOTSUPP)
		return hm_fail(e, errno, "chmod \"%s\"", d->path);
	/* ours already unless another owner is asked or the dir is setgid */
	if ((uid != geteuid() || gid != getegid() ||
	     (fstat(dfd, &st) == 0 && (st.st_mode & S_ISGID))) &&
	    fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(e, errno, "chown \"%s\"", d->path);
	return 0;
}

static int make_node(int rootfd, const struct oci_device *d, bool userns,
		     struct hm_err *e)
{
	cleanup_free char *dir = xstrdup(d->path);
	char *base = strrchr(dir, '/');
	cleanup_close int dfd = -1;

	if (userns)
		return bind_host_node(rootfd, d, e);
	*base++ = '\0';
	dfd = mkdir_in_root(rootfd, *dir ? dir : "/", e);
	if (dfd < 0)
		return -1;
	return node_at(dfd, base, d, e);
}

static bool listed(const struct oci_spec *s, const char *path)
{
	for (size_t i = 0; i < s->ndevices; i++)
		if (!strcmp(s->devices[i].path, path))
			return true;
	return false;
}

/* a bind mount of the spec on /dev: the engine brings its own nodes */
static bool dev_is_bound(const struct oci_spec *s)
{
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		bool bind = m->type && !strcmp(m->type, "bind");

		for (size_t j = 0; !bind && m->options && m->options[j]; j++)
			bind = !strcmp(m->options[j], "bind") ||
			       !strcmp(m->options[j], "rbind");
		if (bind && !strcmp(m->destination, "/dev"))
			return true;
	}
	return false;
}

/* the nodes; the umask cleared meanwhile (one thread: the init's) */
static int make_nodes(int rootfd, const struct oci_spec *s, bool userns,
		      bool dev, int dfd, struct hm_err *e)
{
	for (size_t i = 0; i < s->ndevices; i++)
		if (make_node(rootfd, &s->devices[i], userns, e) < 0)
			return -1;
	/* the defaults, all in /dev: through its one fd */
	for (size_t i = 0; dev && i < ARRAY_SIZE(defaults); i++) {
		const struct oci_device *d = &defaults[i];

		if (listed(s, d->path))
			continue;
		if (userns ? bind_host_node(rootfd, d, e) < 0
			   : node_at(dfd, d->path + 5, d, e) < 0)
			return -1;
	}
	return 0;
}

int oci_make_devices(int rootfd, const struct oci_spec *s, bool userns,
		     struct hm_err *e)
{
	bool dev = !dev_is_bound(s);
	cleanup_close int dfd = -1;
	mode_t mask;
	int r;

	if (dev) {
		dfd = mkdir_in_root(rootfd, "/dev", e);
		if (dfd < 0)
			return -1;
	}
	mask = umask(0);
	r = make_nodes(rootfd, s, userns, dev, dfd, e);
	umask(mask);
	if (r < 0 || !dev)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		/* the image's or an earlier mount's entry stays, as runc */
		if (symlinkat(links[i].target, dfd, links[i].name) < 0 &&
		    errno != EEXIST)
			return hm_fail(e, errno, "symlink /dev/%s",
				       links[i].name);
	}
	return 0;
}
