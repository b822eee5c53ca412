/* SPDX-License-Identifier: MIT */
/*
 * One entry of an OCI spec's mounts[] (oci_ctr_int.h): its options as
 * mount(2) flags (runc's table), its destination made inside the rootfs
 * (a directory, or a file when a bind's source is one), never through a
 * symlink out of it (inroot.h), then the mount by type.
 */
#include "runtime/oci_ctr_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/inroot.h"

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} flag_table[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"suid", true, MS_NOSUID},
    {"nosuid", false, MS_NOSUID},
    {"dev", true, MS_NODEV},
    {"nodev", false, MS_NODEV},
    {"exec", true, MS_NOEXEC},
    {"noexec", false, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},
    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

/* runc 1.1's recursive forms, applied to the whole tree by mount_setattr */
static const struct {
	const char *name;
	bool clear;
	uint64_t attr;
	bool atime; /* one of the modes of the MOUNT_ATTR__ATIME field */
} attr_table[] = {
    {"rro", false, MOUNT_ATTR_RDONLY, false},
    {"rrw", true, MOUNT_ATTR_RDONLY, false},
    {"rnosuid", false, MOUNT_ATTR_NOSUID, false},
    {"rsuid", true, MOUNT_ATTR_NOSUID, false},
    {"rnodev", false, MOUNT_ATTR_NODEV, false},
    {"rdev", true, MOUNT_ATTR_NODEV, false},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC, false},
    {"rexec", true, MOUNT_ATTR_NOEXEC, false},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME, false},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME, false},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW, false},
    /* atime is one field: setting one mode clears the others */
    {"rrelatime", false, MOUNT_ATTR_RELATIME, true},
    {"rnoatime", false, MOUNT_ATTR_NOATIME, true},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME, true},
};

static const struct {
	const char *name;
	unsigned long flag;
} prop_table[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

unsigned long oci_mnt_propagation(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(prop_table); i++)
		if (!strcmp(name, prop_table[i].name))
			return prop_table[i].flag;
	return 0;
}

static bool parse_attr(const char *opt, struct oci_mnt_opts *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_table); i++) {
		uint64_t a = attr_table[i].attr;

		if (strcmp(opt, attr_table[i].name))
			continue;
		if (attr_table[i].atime) {
			o->attr_clr |= MOUNT_ATTR__ATIME;
			o->attr_set = (o->attr_set & ~MOUNT_ATTR__ATIME) | a;
		} else if (attr_table[i].clear) {
			o->attr_clr |= a;
			o->attr_set &= ~a;
		} else {
			o->attr_set |= a;
			o->attr_clr &= ~a;
		}
		return true;
	}
	return false;
}

static bool parse_flag(const char *opt, struct oci_mnt_opts *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_table); i++) {
		if (strcmp(opt, flag_table[i].name))
			continue;
		if (flag_table[i].clear)
			o->flags &= ~flag_table[i].flag;
		else
			o->flags |= flag_table[i].flag;
		return true;
	}
	return false;
}

void oci_mnt_parse(char *const *opts, struct oci_mnt_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; opts && opts[i]; i++) {
		unsigned long p = oci_mnt_propagation(opts[i]);
		char *d;

		if (p) {
			if (o->nprop < (int)ARRAY_SIZE(o->prop))
				o->prop[o->nprop++] = p;
			continue;
		}
		if (parse_flag(opts[i], o) || parse_attr(opts[i], o))
			continue;
		if (!strcmp(opts[i], "idmap") || !strcmp(opts[i], "ridmap")) {
			o->idmap = true;
			continue;
		}
		/* runc's extensions homo does not do: not fs data either */
		if (!strcmp(opts[i], "tmpcopyup"))
			continue;
		d = o->data ? xasprintf("%s,%s", o->data, opts[i])
			    : xstrdup(opts[i]);
		free(o->data);
		o->data = d;
	}
}

unsigned long oci_mount_flags(int fd)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},	{ST_NOSUID, MS_NOSUID},
	    {ST_NODEV, MS_NODEV},	{ST_NOEXEC, MS_NOEXEC},
	    {ST_NOATIME, MS_NOATIME},	{ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME},
	};
	struct statvfs sv;
	unsigned long f = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	return f;
}

int oci_remount(int fd, const char *what, unsigned long flags, struct hm_err *e)
{
	unsigned long base = MS_BIND | MS_REMOUNT;
	unsigned long keep;
	struct hm_err scratch;

	flags &= ~(MS_BIND | MS_REC | MS_REMOUNT);
	if (mount_at(NULL, fd, what, NULL, base | flags, NULL, &scratch) == 0)
		return 0;
	if (scratch.errnum != EPERM)
		return hm_fail(e, scratch.errnum, "remount \"%s\"", what);
	/* locked flags (nosuid, nodev, noexec, atime) cannot be cleared */
	keep = oci_mount_flags(fd) & ~MS_RDONLY;
	return mount_at(NULL, fd, what, NULL, base | flags | keep, NULL, e);
}

char *oci_resolve_in_root(int rootfd, const char *path, bool *followed,
			  struct hm_err *e)
{
	cleanup_free char *out = xstrdup("");
	cleanup_free char *rest = xstrdup(path);
	int links = 0;

	for (;;) {
		char *c = rest + strspn(rest, "/"), *end, *cand, *next;
		char to[4096];
		ssize_t n;

		if (!*c)
			break;
		end = c + strcspn(c, "/");
		next = xstrdup(end);
		*end = '\0';
		if (!strcmp(c, "..")) {
			char *up = strrchr(out, '/');

			if (up) /* never above the root */
				*up = '\0';
		} else if (strcmp(c, ".")) {
			cand = xasprintf("%s/%s", out, c);
			n = readlinkat(rootfd, cand + 1, to, sizeof(to) - 1);
			if (n < 0) {
				free(out);
				out = cand;
			} else {
				free(cand);
				if (++links > 40) {
					free(next);
					hm_fail(e, ELOOP, "resolve \"%s\"",
						path);
					return NULL;
				}
				to[n] = '\0';
				*followed = true;
				if (to[0] == '/')
					out[0] = '\0';
				free(rest);
				rest = xasprintf("%s%s", to, next);
				free(next);
				continue;
			}
		}
		free(rest);
		rest = next;
	}
	return *out ? steal_ptr(&out) : xstrdup("/");
}

/* the destination, a directory or (for a bind of a non-directory) a file */
static int make_dest(int rootfd, const struct oci_mount *m, bool bind,
		     struct hm_err *e)
{
	struct stat st;

	if (bind && m->source && stat(m->source, &st) == 0 &&
	    !S_ISDIR(st.st_mode))
		return file_in_root(rootfd, m->destination, e);
	return mkdir_in_root(rootfd, m->destination, e);
}

/* the mount now on the destination (an fd taken before names the dir
 * underneath it) */
static int reopen_dest(int rootfd, const char *dest, struct hm_err *e)
{
	int fd = open_in_root(rootfd, dest, O_PATH);

	if (fd < 0)
		hm_fail(e, errno, "open \"%s\" in the container", dest);
	return fd;
}

/* anything for set_propagation() to do (else no fd of the mount needed) */
static bool has_propagation(const struct oci_mnt_opts *o)
{
	return o->attr_set || o->attr_clr || o->nprop;
}

/* after the mount: the recursive attributes, then the propagation */
static int set_propagation(int fd, const char *dest,
			   const struct oci_mnt_opts *o, struct hm_err *e)
{
	struct mount_attr attr = {.attr_set = o->attr_set,
				  .attr_clr = o->attr_clr};

	if ((attr.attr_set || attr.attr_clr) &&
	    syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
		    &attr, sizeof(attr)) < 0)
		return hm_fail(e, errno,
			       "set the recursive attributes of \"%s\"", dest);
	for (int i = 0; i < o->nprop; i++)
		if (mount_at(NULL, fd, dest, NULL, o->prop[i], NULL, e) < 0)
			return hm_prefix(e, "propagation of \"%s\"", dest);
	return 0;
}

static int mount_bind(int rootfd, const struct oci_mount *m, const char *src,
		      const struct oci_mnt_opts *o, struct hm_err *e)
{
	unsigned long rest = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	cleanup_close int fd = make_dest(rootfd, m, true, e);
	cleanup_close int now = -1;

	if (fd < 0 || mount_at(src, fd, m->destination, NULL,
			       MS_BIND | (o->flags & MS_REC), NULL, e) < 0)
		return -1;
	if (!rest && !has_propagation(o))
		return 0;
	now = reopen_dest(rootfd, m->destination, e);
	if (now < 0)
		return -1;
	/* a bind ignores every flag but MS_REC: they need a remount */
	if (rest && oci_remount(now, m->destination, rest, e) < 0)
		return -1;
	return set_propagation(now, m->destination, o, e);
}

int oci_mount_entry(int rootfd, const struct oci_mount *entry, bool userns,
		    bool netns, bool cgns, struct hm_err *e)
{
	/* symlinks on the way resolved inside the root, as runc's securejoin:
	 * the mount lands where the container sees the path */
	bool followed = false;
	cleanup_free char *dest =
	    oci_resolve_in_root(rootfd, entry->destination, &followed, e);
	struct oci_mount mm = *entry, *m = &mm;
	const char *type = m->type ? m->type : "none";
	struct oci_mnt_opts o;
	cleanup_free char *data = NULL;
	cleanup_close int fd = -1;
	cleanup_close int now = -1;
	const char *src = m->source ? m->source : type;

	if (!dest)
		return -1;
	mm.destination = dest;
	oci_mnt_parse(m->options, &o);
	data = o.data;
	if (o.idmap)
		return hm_failx(
		    e, HM_EXIT_FAIL,
		    "mount on \"%s\": idmap mounts are not supported",
		    entry->destination);
	/* procfs or sysfs through an image's symlink ("/proc -> /") would
	 * land wherever the image chose: refused, as runc */
	if (followed && (!strcmp(type, "proc") || !strcmp(type, "sysfs")))
		return hm_failx(e, HM_EXIT_FAIL,
				"mount %s on \"%s\": a symlink in the rootfs "
				"(it must be a directory)",
				type, entry->destination);
	if ((o.flags & MS_BIND) || !strcmp(type, "bind"))
		return mount_bind(rootfd, m, src, &o, e);
	if (!strcmp(type, "sysfs") && userns && !netns) {
		/* no sysfs of a netns the userns does not own: the host's,
		 * its flags on every mount below it too (cgroupfs, ...) */
		static const struct {
			unsigned long ms;
			uint64_t attr;
		} rec[] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},
			   {MS_NOSUID, MOUNT_ATTR_NOSUID},
			   {MS_NODEV, MOUNT_ATTR_NODEV},
			   {MS_NOEXEC, MOUNT_ATTR_NOEXEC}};

		for (size_t i = 0; i < ARRAY_SIZE(rec); i++)
			if (o.flags & rec[i].ms)
				o.attr_set |= rec[i].attr;
		o.flags |= MS_BIND | MS_REC;
		return mount_bind(rootfd, m, "/sys", &o, e);
	}
	if (!strcmp(type, "cgroup"))
		return oci_mount_cgroups(rootfd, m->destination, &o, cgns, e);
	fd = make_dest(rootfd, m, false, e);
	if (fd < 0)
		return -1;
	if (o.flags & MS_REMOUNT) {
		/* a remount of what is there: through the mount itself */
		close(steal_fd(&fd));
		fd = reopen_dest(rootfd, m->destination, e);
		if (fd < 0)
			return -1;
	}
	if (mount_at(src, fd, m->destination, type, o.flags, data, e) < 0) {
		struct hm_err scratch;

		/* an IPC namespace the user namespace does not own: the
		 * host's /dev/mqueue, as runc */
		if (!userns || strcmp(type, "mqueue") ||
		    hm_err_or(e, &scratch)->errnum != EPERM)
			return -1;
		o.flags |= MS_BIND | MS_REC;
		return mount_bind(rootfd, m, "/dev/mqueue", &o, e);
	}
	if (!has_propagation(&o))
		return 0;
	now = reopen_dest(rootfd, m->destination, e);
	if (now < 0)
		return -1;
	return set_propagation(now, m->destination, &o, e);
}
