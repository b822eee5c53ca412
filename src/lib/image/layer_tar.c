/* SPDX-License-Identifier: MIT */
/*
 * A directory tree as a canonical tar stream (see layer_tar.h), optionally
 * copied at the same time. One pass: each file is read once, its bytes go
 * to the copy and to libarchive's tar writer, whose output goes to the sink
 * and to sha256. The hash runs on a second thread fed through a small ring
 * of buffers, so on two cores commit costs about what the copy costs.
 * The hash runs in tar_ring.c.
 *
 * The walk is fd-relative (base/fdwalk.h), for the tree read and the copy
 * written alike: any depth, any path length, a bounded number of fds.
 * Sparse files keep their holes: the data is found with SEEK_DATA and
 * SEEK_HOLE and written as a pax sparse entry (GNU sparse format 1.0,
 * which libarchive and GNU tar read back as holes); the copy gets holes.
 */
#include "image/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <search.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/fdwalk.h"
#include "base/idmap.h"
#include "base/lazylib.h"
#include "base/rootless.h"
#include "base/util.h"
#include "image/archive_err.h"
#include "image/tar_ring.h"

/* holes are fed to the tar writer (which skips them) this much a call */
#define HOLE_CHUNK ((size_t)1 << 30)
#define OVL_OPAQUE hm_ovl_opaque() /* trusted., or user. rootless */
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define XATTR_CAPS "security.capability"
#define OVERFLOW_ID 65534u

/* ---- the walk ---- */

struct inode_key {
	dev_t dev;
	ino_t ino;
	char *path; /* first name, relative */
};

/* A regular file's data: [off, off + len), the rest are holes. */
struct seg {
	uint64_t off, len;
};

struct walk {
	const struct layer_tar_opts *o;
	struct layer_tar_result *res;
	struct hm_err *e;
	struct archive *a;
	struct archive_entry *ent;
	struct hm_digest d;
	struct ring ring;
	struct fdwalk fw; /* the tree, and the copy as its second tree */
	const char *rel;  /* the entry's path in the tree (fw.path) */
	int dst_root;	  /* the copy's root, or -1 */
	bool failed;	  /* the sink or the copy failed: e is set */
	bool try_clone;
	void *inodes; /* tsearch tree of struct inode_key */
	struct seg *segs;
	size_t nseg, seg_cap;
	const unsigned char *zeros; /* HOLE_CHUNK bytes, mapped on first use */
};

int layer_tar_fd_sink(void *arg, const void *buf, size_t len, struct hm_err *e)
{
	if (util_write_all(*(int *)arg, buf, len) < 0)
		return hm_fail(e, errno, "write tar");
	return 0;
}

static la_ssize_t tar_out(struct archive *a, void *arg, const void *buf,
			  size_t len)
{
	struct walk *w = arg;

	(void)a;
	ring_feed(&w->ring, buf, len);
	w->res->tar_bytes += len;
	if (w->o->sink && !w->failed &&
	    w->o->sink(w->o->sink_arg, buf, len, w->e) < 0) {
		w->failed = true;
		archive_set_error(w->a, EIO, "%s", w->e->msg);
		return -1;
	}
	return (la_ssize_t)len;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void inode_free(void *p)
{
	struct inode_key *k = p;

	free(k->path);
	free(k);
}

/* Host id @id of a user-namespaced container's upper/ as it sees it. */
static uint32_t unshift(const struct hm_idmap *m, uint32_t id,
			uint32_t unmapped)
{
	int64_t ctr;

	if (!m || !m->count)
		return id;
	ctr = idmap_ctr_id(m, id);
	return ctr < 0 ? unmapped : (uint32_t)ctr;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * A namespaced file capability (VFS_CAP_REVISION_3: 24 bytes, the owning
 * namespace's root uid last) as the container sees it: its own root's is a
 * plain v2 capability (20 bytes), another root's is shifted.
 */
static void unshift_caps(const struct hm_idmap *m, unsigned char *val,
			 ssize_t *len)
{
	uint32_t magic, root;

	if (!m || !m->count || *len != 24)
		return;
	magic = get_le32(val);
	if ((magic & 0xFF000000u) != 0x03000000u)
		return;
	root = unshift(m, get_le32(val + 20), get_le32(val + 20));
	if (root == 0) {
		magic = (magic & ~0xFF000000u) | 0x02000000u;
		*len = 20;
	}
	for (int i = 0; i < 4; i++) {
		val[i] = (unsigned char)(magic >> (8 * i));
		val[20 + i] = (unsigned char)(root >> (8 * i));
	}
}

/*
 * The xattrs of @name in @dfd, sorted, into the entry (and the copy).
 * Through /proc/self/fd: fgetxattr cannot reach symlinks or devices.
 * @opaque is set for trusted.overlay.opaque=y.
 */
static int read_xattrs(struct walk *w, int dfd, const char *name, bool *opaque)
{
	cleanup_free char *path = xasprintf("/proc/self/fd/%d/%s", dfd, name);
	cleanup_free char *list = NULL;
	cleanup_free char **names = NULL;
	ssize_t len = llistxattr(path, NULL, 0);
	size_t n = 0;

	*opaque = false;
	if (len < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
		return 0;
	if (len < 0)
		return hm_fail(w->e, errno, "list xattrs of \"%s\"", w->rel);
	if (len == 0)
		return 0;
	list = xmalloc((size_t)len);
	len = llistxattr(path, list, (size_t)len);
	if (len < 0)
		return hm_fail(w->e, errno, "list xattrs of \"%s\"", w->rel);
	names = xcalloc((size_t)len, sizeof(char *));
	for (char *p = list; p < list + len; p += strlen(p) + 1)
		names[n++] = p;
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		unsigned char val[65536];
		ssize_t vl = lgetxattr(path, names[i], val, sizeof(val));

		if (vl < 0 && errno == ENODATA)
			continue; /* removed meanwhile */
		if (vl < 0)
			return hm_fail(w->e, errno, "read xattr %s of \"%s\"",
				       names[i], w->rel);
		if (!strcmp(names[i], OVL_OPAQUE)) {
			*opaque = vl == 1 && val[0] == 'y';
			continue;
		}
		if (util_has_prefix(names[i], "trusted.overlay.") ||
		    util_has_prefix(names[i], "user.overlay."))
			continue;
		if (!strcmp(names[i], XATTR_CAPS))
			unshift_caps(w->o->uidmap, val, &vl);
		archive_entry_xattr_add_entry(w->ent, names[i], val,
					      (size_t)vl);
	}
	return 0;
}

/* @name in the directory @dfd, by a path that reaches symlinks too. */
static char *at_path(int dfd, const char *name)
{
	return xasprintf("/proc/self/fd/%d/%s", dfd, name);
}

/* Copy the entry's xattrs onto the copy (after chown, which clears caps). */
static int copy_xattrs(struct walk *w, int ddfd, const char *name, bool opaque)
{
	cleanup_free char *path = at_path(ddfd, name);
	const char *xname;
	const void *val;
	size_t len;

	archive_entry_xattr_reset(w->ent);
	while (!archive_entry_xattr_next(w->ent, &xname, &val, &len))
		if (lsetxattr(path, xname, val, len, 0) < 0)
			return hm_fail(w->e, errno,
				       "set xattr %s on the copy of \"%s\"",
				       xname, w->rel);
	if (opaque && lsetxattr(path, OVL_OPAQUE, "y", 1, 0) < 0)
		return hm_fail(w->e, errno, "set %s on the copy of \"%s\"",
			       OVL_OPAQUE, w->rel);
	return 0;
}

/* Owner, mode, xattrs and mtime of the copy @name in @ddfd. */
static int copy_meta(struct walk *w, int ddfd, const char *name,
		     const struct stat *st, bool opaque)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (fchownat(ddfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) <
	    0)
		return hm_fail(w->e, errno, "chown the copy of \"%s\"", w->rel);
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(ddfd, name, st->st_mode & 07777, 0) < 0)
		return hm_fail(w->e, errno, "chmod the copy of \"%s\"", w->rel);
	if (copy_xattrs(w, ddfd, name, opaque) < 0)
		return -1;
	if (utimensat(ddfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(w->e, errno, "set times of the copy of \"%s\"",
			       w->rel);
	return 0;
}

static int write_header(struct walk *w)
{
	if (archive_write_header(w->a, w->ent) < ARCHIVE_WARN)
		return w->failed ? -1
				 : hm_fail_archive(w->e, w->a,
						   "tar entry \"%s\"", w->rel);
	w->res->entries++;
	return 0;
}

/*
 * A 0-byte regular entry @name in the directory that is the first
 * @dir_len bytes of w->rel: an OCI whiteout or opaque marker.
 */
static int write_marker(struct walk *w, size_t dir_len, const char *name,
			const struct stat *st, mode_t perm)
{
	cleanup_free char *path = xasprintf("%.*s%s%s", (int)dir_len, w->rel,
					    dir_len ? "/" : "", name);

	archive_entry_clear(w->ent);
	archive_entry_set_pathname(w->ent, path);
	archive_entry_set_filetype(w->ent, AE_IFREG);
	archive_entry_set_perm(w->ent, perm);
	archive_entry_set_uid(w->ent, st->st_uid);
	archive_entry_set_gid(w->ent, st->st_gid);
	archive_entry_set_mtime(w->ent, st->st_mtim.tv_sec, 0);
	archive_entry_set_size(w->ent, 0);
	return write_header(w);
}

static int write_chunk(struct walk *w, const void *p, size_t n)
{
	if (archive_write_data(w->a, p, n) != (la_ssize_t)n)
		return w->failed
			   ? -1
			   : hm_fail_archive(w->e, w->a, "tar data of \"%s\"",
					     w->rel);
	return 0;
}

/*
 * The data segments of the regular file @fd into w->segs: the whole file
 * as one segment unless the filesystem reports a hole before its end.
 * Return: whether it has holes.
 */
static bool data_map(struct walk *w, int fd, uint64_t size)
{
	off_t pos = 0, data, hole = size ? lseek(fd, 0, SEEK_HOLE) : 0;
	bool sparse = hole >= 0 && (uint64_t)hole < size;

	w->nseg = 0;
	if (!sparse) {
		hole = (off_t)size;
		data = 0;
	}
	while (sparse ? (uint64_t)pos < size : w->nseg == 0) {
		if (sparse) {
			data = lseek(fd, pos, SEEK_DATA);
			if (data < 0 || (uint64_t)data >= size)
				break; /* ENXIO: only a hole is left */
			hole = lseek(fd, data, SEEK_HOLE);
			if (hole < 0 || (uint64_t)hole > size)
				hole = (off_t)size;
		}
		if (w->nseg == w->seg_cap) {
			w->seg_cap = w->seg_cap ? w->seg_cap * 2 : 16;
			w->segs =
			    xrealloc(w->segs, w->seg_cap * sizeof(*w->segs));
		}
		w->segs[w->nseg++] =
		    (struct seg){(uint64_t)data, (uint64_t)(hole - data)};
		pos = hole;
	}
	return sparse;
}

/* The sparse map into the entry (whose size is set): data, holes around. */
static void add_sparse(struct walk *w, uint64_t size)
{
	for (size_t i = 0; i < w->nseg; i++)
		archive_entry_sparse_add_entry(w->ent, (int64_t)w->segs[i].off,
					       (int64_t)w->segs[i].len);
	if (!w->nseg) /* all hole: still a map, of one empty segment */
		archive_entry_sparse_add_entry(w->ent, (int64_t)size, 0);
}

/* @len bytes of hole: the tar writer counts them and writes nothing. */
static int feed_hole(struct walk *w, uint64_t len)
{
	if (!w->zeros) {
		void *p =
		    mmap(NULL, HOLE_CHUNK, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			return hm_fail(w->e, errno, "mmap");
		w->zeros = p;
	}
	while (len) {
		size_t n = len < HOLE_CHUNK ? (size_t)len : HOLE_CHUNK;

		if (write_chunk(w, w->zeros, n) < 0)
			return -1;
		len -= n;
	}
	return 0;
}

/* Bytes [@off, @off + @len) of @in to the tar writer and the copy @out. */
static int copy_range(struct walk *w, int in, int out, uint64_t off,
		      uint64_t len)
{
	while (len) {
		size_t room;
		unsigned char *buf = ring_space(&w->ring, &room);
		size_t want = len < room ? (size_t)len : room;
		ssize_t n = pread(in, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hm_fail(w->e, errno, "read \"%s\"", w->rel);
		if (n == 0)
			return hm_failx(w->e, HM_EXIT_FAIL,
					"\"%s\": file shrank while it was "
					"read",
					w->rel);
		if (out >= 0 &&
		    util_pwrite_all(out, buf, (size_t)n, (off_t)off))
			return hm_fail(w->e, errno, "write the copy of \"%s\"",
				       w->rel);
		if (write_chunk(w, buf, (size_t)n) < 0)
			return -1;
		off += (uint64_t)n;
		len -= (uint64_t)n;
		w->res->data_bytes += (uint64_t)n;
		progress_update(w->o->progress, w->res->data_bytes);
	}
	return 0;
}

/*
 * The data of the regular file @in (mapped by data_map()): to the tar
 * writer and, with a copy, to @name in @ddfd. A reflink (FICLONE) shares
 * the blocks copy-on-write where the filesystem can (btrfs, xfs): safe
 * even if the container writes the file later, unlike a hard link. The
 * data is still read, for the hash.
 */
static int file_data(struct walk *w, int in, int ddfd, const char *name,
		     const struct stat *st, bool sparse)
{
	cleanup_close int out = -1;
	uint64_t pos = 0, size = (uint64_t)st->st_size;
	bool cloned = false;

	if (ddfd >= 0) {
		out = openat(
		    ddfd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0)
			return hm_fail(w->e, errno, "create the copy of \"%s\"",
				       w->rel);
		if (w->try_clone && size) {
			cloned = ioctl(out, FICLONE, in) == 0;
			if (!cloned)
				w->try_clone = false; /* not this fs */
		}
	}
	/* the sparse map goes out first, not over data read into the ring */
	if (sparse && write_chunk(w, "", 0) < 0)
		return -1;
	FAULT_POINT("file-before-data"); /* its header is written */
	for (size_t i = 0; i < w->nseg; i++) {
		if (w->segs[i].off > pos &&
		    feed_hole(w, w->segs[i].off - pos) < 0)
			return -1;
		if (copy_range(w, in, cloned ? -1 : out, w->segs[i].off,
			       w->segs[i].len) < 0)
			return -1;
		pos = w->segs[i].off + w->segs[i].len;
	}
	if (pos < size && feed_hole(w, size - pos) < 0)
		return -1;
	/* a hole at the end of the copy (else the data's end is its size) */
	if (out >= 0 && !cloned && pos < size &&
	    ftruncate(out, (off_t)size) < 0)
		return hm_fail(w->e, errno, "truncate the copy of \"%s\"",
			       w->rel);
	return 0;
}

/* A second name of an inode already written: a hard link entry. */
static const char *hardlink_of(struct walk *w, const struct stat *st)
{
	struct inode_key key = {.dev = st->st_dev, .ino = st->st_ino}, **hit;
	struct inode_key *k;

	if (!S_ISREG(st->st_mode) || st->st_nlink < 2)
		return NULL;
	hit = tfind(&key, &w->inodes, inode_cmp);
	if (hit)
		return (*hit)->path;
	k = xmalloc(sizeof(*k));
	*k = (struct inode_key){st->st_dev, st->st_ino, xstrdup(w->rel)};
	if (!tsearch(k, &w->inodes, inode_cmp))
		abort();
	return NULL;
}

static int make_copy(struct walk *w, int ddfd, const char *name,
		     const struct stat *st, const char *target)
{
	int r = 0;

	if (S_ISDIR(st->st_mode))
		r = mkdirat(ddfd, name, 0700);
	else if (S_ISLNK(st->st_mode))
		r = symlinkat(target, ddfd, name);
	else if (!S_ISREG(st->st_mode))
		r = mknodat(ddfd, name, st->st_mode & S_IFMT, st->st_rdev);
	if (r < 0)
		return hm_fail(w->e, errno, "copy \"%s\"", w->rel);
	return 0;
}

/* A user-namespaced container's upper/: owners as the container sees them. */
static void unshift_owners(struct walk *w, struct stat *st)
{
	uint32_t unmapped;

	if (!w->o->uidmap || !w->o->uidmap->count)
		return;
	unmapped = S_ISCHR(st->st_mode) && st->st_rdev == 0 ? 0 : OVERFLOW_ID;
	st->st_uid = unshift(w->o->uidmap, st->st_uid, unmapped);
	st->st_gid = unshift(w->o->gidmap, st->st_gid, unmapped);
}

static bool is_mount_stub(const struct walk *w, const struct stat *st)
{
	return w->o->skip_mount_stubs && S_ISREG(st->st_mode) &&
	       st->st_size == 0 &&
	       (!strcmp(w->rel, "etc/hostname") ||
		!strcmp(w->rel, "etc/hosts") ||
		!strcmp(w->rel, "etc/resolv.conf"));
}

/* An overlayfs whiteout (0/0 char device) as ".wh.NAME"; copied as it is. */
static int whiteout_entry(struct walk *w, const char *name,
			  const struct stat *st)
{
	cleanup_free char *wh = xasprintf(WH_PREFIX "%s", name);
	size_t rl = strlen(w->rel), nl = strlen(name);
	int ddfd = w->fw.aux;

	/* the entry is ".wh.NAME" in the parent directory */
	if (write_marker(w, rl - nl - (rl > nl), wh, st, st->st_mode & 07777) <
	    0)
		return -1;
	if (ddfd >= 0 && (make_copy(w, ddfd, name, st, NULL) < 0 ||
			  copy_meta(w, ddfd, name, st, false) < 0))
		return -1;
	return 0;
}

/*
 * Fill w->ent with @name's header fields but its size; a symlink's target
 * goes to @target too (PATH_MAX bytes), for the copy.
 */
static int fill_entry(struct walk *w, int dfd, const char *name,
		      const struct stat *st, char *target, bool *opaque)
{
	archive_entry_clear(w->ent);
	if (read_xattrs(w, dfd, name, opaque) < 0)
		return -1;
	if (!w->o->whiteouts)
		*opaque = false;
	archive_entry_set_pathname(w->ent, w->rel);
	archive_entry_set_mode(w->ent, st->st_mode);
	archive_entry_set_uid(w->ent, st->st_uid);
	archive_entry_set_gid(w->ent, st->st_gid);
	archive_entry_set_mtime(w->ent, st->st_mtim.tv_sec, 0);
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlinkat(dfd, name, target, PATH_MAX - 1);

		if (n < 0)
			return hm_fail(w->e, errno, "readlink \"%s\"", w->rel);
		target[n] = '\0';
		archive_entry_set_symlink(w->ent, target);
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		archive_entry_set_rdev(w->ent, st->st_rdev);
	}
	return 0;
}

/* The copy of a second name: a hard link to the first one's copy. */
static int copy_hardlink(struct walk *w, const char *link)
{
	const char *base;
	cleanup_close int dir = -1;

	if (w->dst_root < 0)
		return 0;
	/* one component at a time: the first name may be past PATH_MAX */
	dir = fdwalk_open_parent(w->dst_root, link, &base, w->e);
	if (dir < 0)
		return -1;
	if (linkat(dir, base, w->fw.aux, w->fw.name, 0) < 0)
		return hm_fail(w->e, errno, "link the copy of \"%s\"", w->rel);
	return 0;
}

/*
 * A directory: its opaque marker, then its entries (fdwalk_enter()); its
 * copy's metadata waits for dir_done(), after them.
 */
static int enter_dir(struct walk *w, const struct stat *st, bool opaque)
{
	int sub =
	    fdwalk_openat(&w->fw, w->fw.dfd, w->fw.name,
			  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int dsub = -1;

	if (sub < 0)
		return hm_fail(w->e, errno, "open \"%s\"", w->rel);
	if (w->fw.aux >= 0) {
		dsub = fdwalk_openat(&w->fw, w->fw.aux, w->fw.name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
		if (dsub < 0) {
			close(sub);
			return hm_fail(w->e, errno, "open the copy of \"%s\"",
				       w->rel);
		}
	}
	if (opaque &&
	    write_marker(w, strlen(w->rel), WH_OPAQUE, st, 0644) < 0) {
		close(sub);
		if (dsub >= 0)
			close(dsub);
		return -1;
	}
	return fdwalk_enter(&w->fw, sub, dsub, w->e);
}

/* After a directory's entries: its copy's metadata (mtime last). */
static int dir_done(struct walk *w)
{
	struct stat st;
	bool opaque;

	if (w->fw.aux < 0)
		return 0;
	if (fstatat(w->fw.dfd, w->fw.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(w->e, errno, "stat \"%s\"", w->rel);
	unshift_owners(w, &st);
	archive_entry_clear(w->ent);
	if (read_xattrs(w, w->fw.dfd, w->fw.name, &opaque) < 0)
		return -1;
	return copy_meta(w, w->fw.aux, w->fw.name, &st,
			 opaque && w->o->whiteouts);
}

/* A regular file's header and data; @link: it is a second name. */
static int reg_entry(struct walk *w, const struct stat *st, const char *link)
{
	cleanup_close int in = -1;
	bool sparse = false;

	if (!link) {
		in = openat(w->fw.dfd, w->fw.name,
			    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (in < 0)
			return hm_fail(w->e, errno, "open \"%s\"", w->rel);
		sparse = data_map(w, in, (uint64_t)st->st_size);
	}
	if (link)
		archive_entry_set_hardlink(w->ent, link);
	archive_entry_set_size(w->ent, link ? 0 : st->st_size);
	if (sparse)
		add_sparse(w, (uint64_t)st->st_size);
	if (write_header(w) < 0)
		return -1;
	if (link)
		return copy_hardlink(w, link);
	if (file_data(w, in, w->fw.aux, w->fw.name, st, sparse) < 0)
		return -1;
	return w->fw.aux >= 0 ? copy_meta(w, w->fw.aux, w->fw.name, st, false)
			      : 0;
}

static int walk_entry(struct walk *w)
{
	char target[PATH_MAX];
	int dfd = w->fw.dfd, ddfd = w->fw.aux;
	const char *name = w->fw.name;
	struct stat st;
	bool opaque = false;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(w->e, errno, "stat \"%s\"", w->rel);
	if (S_ISSOCK(st.st_mode))
		return 0; /* tar cannot hold one; Docker skips them too */
	unshift_owners(w, &st);
	if (is_mount_stub(w, &st))
		return 0;
	if (w->o->whiteouts && S_ISCHR(st.st_mode) && st.st_rdev == 0)
		return whiteout_entry(w, name, &st);
	if (fill_entry(w, dfd, name, &st, target, &opaque) < 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return reg_entry(w, &st, hardlink_of(w, &st));
	archive_entry_set_size(w->ent, 0);
	if (write_header(w) < 0)
		return -1;
	if (ddfd >= 0 && make_copy(w, ddfd, name, &st, target) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return enter_dir(w, &st, opaque);
	return ddfd >= 0 ? copy_meta(w, ddfd, name, &st, opaque) : 0;
}

/* The tree @root (and the copy @dst, or -1): both fds owned from here. */
static int walk_tree(struct walk *w, int root, int dst)
{
	int ev = fdwalk_open(&w->fw, root, dst, true, w->e);

	while (ev >= 0 && (ev = fdwalk_next(&w->fw, w->e)) > 0) {
		w->rel = w->fw.path;
		ev = ev == FDWALK_ENTRY ? walk_entry(w) : dir_done(w);
		FAULT_POINT("mid-copy");
	}
	fdwalk_close(&w->fw);
	return ev;
}

static int open_writer(struct walk *w)
{
	w->a = archive_write_new();
	if (!w->a)
		abort();
	/* pax only where ustar cannot say it (long names, xattrs, big ids) */
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, 0) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, tar_out, NULL) != ARCHIVE_OK)
		return hm_fail_archive(w->e, w->a, "tar writer");
	w->ent = archive_entry_new();
	if (!w->ent)
		abort();
	return 0;
}

int layer_tar_write(const char *dir, const struct layer_tar_opts *o,
		    struct layer_tar_result *res, struct hm_err *e)
{
	struct hm_err scratch;
	struct walk w = {.o = o,
			 .res = res,
			 .e = hm_err_or(e, &scratch),
			 .try_clone = true,
			 .dst_root = -1};
	int dfd, dst = -1, r = -1;

	memset(res, 0, sizeof(*res));
	if (lazy_load(LIB_ARCHIVE, "tar", e) < 0)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hm_fail(e, errno, "open \"%s\"", dir);
	if (o->copy_to) {
		dst = open(o->copy_to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		w.dst_root = dst < 0 ? -1 : fcntl(dst, F_DUPFD_CLOEXEC, 3);
		if (w.dst_root < 0) {
			hm_fail(e, errno, "open \"%s\"", o->copy_to);
			close(dfd);
			if (dst >= 0)
				close(dst);
			return -1;
		}
	}
	if (digest_init(&w.d, e) < 0) {
		close(dfd);
		if (dst >= 0)
			close(dst);
		goto done;
	}
	ring_start(&w.ring, &w.d);
	if (open_writer(&w) < 0) {
		close(dfd);
		if (dst >= 0)
			close(dst);
	} else if (walk_tree(&w, dfd, dst) == 0) {
		if (archive_write_close(w.a) == ARCHIVE_OK)
			r = 0;
		else if (!w.failed)
			hm_fail_archive(e, w.a, "tar writer");
	}
	archive_write_free(w.a); /* closes it too; after a failure, moot */
	if (w.ent)
		archive_entry_free(w.ent);
	ring_stop(&w.ring);
	if (r == 0)
		digest_final(&w.d, res->diff_id);
	else
		digest_free(&w.d);
done:
	tdestroy(w.inodes, inode_free);
	free(w.segs);
	if (w.zeros)
		munmap((void *)w.zeros, HOLE_CHUNK);
	if (w.dst_root >= 0)
		close(w.dst_root);
	return r;
}
