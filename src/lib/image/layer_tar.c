/* SPDX-License-Identifier: MIT */
/*
 * A directory tree as a canonical tar stream (see layer_tar.h), optionally
 * copied at the same time. One pass: each file is read once, its bytes go
 * to the copy and to libarchive's tar writer, whose output goes to the sink
 * and to sha256. The hash runs on a second thread fed through a small ring
 * of buffers, so on two cores commit costs about what the copy costs.
 *
 * A file's data is read straight into the ring's current buffer, at the
 * place it takes in the tar stream: the copy is written from there, and
 * when libarchive hands the same bytes back, ring_feed() only counts them.
 * Read into a buffer of its own, the data took one copy more (into the
 * ring): a quarter of a commit's time on tmpfs.
 */
#include "image/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/idmap.h"
#include "base/util.h"
#include "image/archive_err.h"

#define CHUNK (1 << 20)
#define READ_MIN (64 << 10) /* publish a slot with less room than this */
#define RING_SLOTS 4
#define OVL_PREFIX "trusted.overlay."
#define OVL_OPAQUE "trusted.overlay.opaque"
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define XATTR_CAPS "security.capability"
#define OVERFLOW_ID 65534u

/* ---- sha256 on a second thread ---- */

struct ring {
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hm_digest *d;
	unsigned char *slot[RING_SLOTS];
	size_t len[RING_SLOTS];
	unsigned head, tail; /* published, hashed */
	size_t fill;	     /* bytes in slot[head % RING_SLOTS] */
	bool stop, running;
};

static void *ring_main(void *arg)
{
	struct ring *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->tail == r->head && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->tail == r->head)
			break;
		unsigned i = r->tail % RING_SLOTS;

		pthread_mutex_unlock(&r->mu);
		digest_update(r->d, r->slot[i], r->len[i]);
		pthread_mutex_lock(&r->mu);
		r->tail++;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void ring_start(struct ring *r, struct hm_digest *d)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	for (int i = 0; i < RING_SLOTS; i++)
		r->slot[i] = xmalloc(CHUNK);
	/* Without a thread the hash is computed inline: slower, correct. */
	r->running = pthread_create(&r->tid, NULL, ring_main, r) == 0;
}

static void ring_publish(struct ring *r)
{
	if (!r->fill)
		return;
	pthread_mutex_lock(&r->mu);
	r->len[r->head % RING_SLOTS] = r->fill;
	r->head++;
	pthread_cond_broadcast(&r->cv);
	while (r->head - r->tail == RING_SLOTS)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	r->fill = 0;
}

/*
 * Where the stream's next bytes go, and how many fit: a file's data is
 * read() there, then fed (ring_feed() sees it is already in place).
 */
static unsigned char *ring_space(struct ring *r, size_t *room)
{
	if (!r->running) { /* inline hashing: any buffer will do */
		*room = CHUNK;
		return r->slot[0];
	}
	if (CHUNK - r->fill < READ_MIN)
		ring_publish(r);
	*room = CHUNK - r->fill;
	return r->slot[r->head % RING_SLOTS] + r->fill;
}

static void ring_feed(struct ring *r, const unsigned char *p, size_t len)
{
	if (!r->running) {
		digest_update(r->d, p, len);
		return;
	}
	if (p == r->slot[r->head % RING_SLOTS] + r->fill &&
	    len <= CHUNK - r->fill) { /* read there by ring_space()'s user */
		r->fill += len;
		if (r->fill == CHUNK)
			ring_publish(r);
		return;
	}
	while (len) {
		size_t n = CHUNK - r->fill;

		if (n > len)
			n = len;
		memcpy(r->slot[r->head % RING_SLOTS] + r->fill, p, n);
		r->fill += n;
		p += n;
		len -= n;
		if (r->fill == CHUNK)
			ring_publish(r);
	}
}

static void ring_stop(struct ring *r)
{
	if (r->running) {
		ring_publish(r);
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->tid, NULL);
		r->running = false;
	}
	for (int i = 0; i < RING_SLOTS; i++)
		free(r->slot[i]);
	memset(r->slot, 0, sizeof(r->slot));
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
}

/* ---- the walk ---- */

struct inode_key {
	dev_t dev;
	ino_t ino;
	char *path; /* first name, relative */
};

struct walk {
	const struct layer_tar_opts *o;
	struct layer_tar_result *res;
	struct hm_err *e;
	struct archive *a;
	struct archive_entry *ent;
	struct hm_digest d;
	struct ring ring;
	bool failed; /* the sink or the copy failed: e is set */
	bool try_clone;
	void *inodes; /* tsearch tree of struct inode_key */
	char rel[PATH_MAX];
	char dst[PATH_MAX];
	size_t dst_root_len;
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

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in @dfd, sorted bytewise (locale-independent). */
static char **sorted_names(int dfd, const char *what, size_t *n,
			   struct hm_err *e)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	cleanup_dir DIR *d = NULL;
	char **v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		hm_fail(e, errno, "open directory \"%s\"", what);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	if (errno) {
		hm_fail(e, errno, "read directory \"%s\"", what);
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v ? v : xcalloc(1, sizeof(*v));
}

/* Join @rel with @name into w->rel (and w->dst); restore with the length. */
static int push_name(struct walk *w, const char *name)
{
	size_t rl = strlen(w->rel), dl = strlen(w->dst);
	int n = snprintf(w->rel + rl, sizeof(w->rel) - rl, "%s%s",
			 rl ? "/" : "", name);

	if (n < 0 || (size_t)n >= sizeof(w->rel) - rl)
		return hm_failx(w->e, HM_EXIT_FAIL, "\"%s/%s\": path too long",
				w->rel, name);
	if (w->o->copy_to) {
		n = snprintf(w->dst + dl, sizeof(w->dst) - dl, "/%s", name);
		if (n < 0 || (size_t)n >= sizeof(w->dst) - dl)
			return hm_failx(w->e, HM_EXIT_FAIL,
					"\"%s\": path too long", w->dst);
	}
	return 0;
}

static void pop_name(struct walk *w, size_t rl, size_t dl)
{
	w->rel[rl] = '\0';
	w->dst[dl] = '\0';
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
		if (util_has_prefix(names[i], OVL_PREFIX))
			continue;
		if (!strcmp(names[i], XATTR_CAPS))
			unshift_caps(w->o->uidmap, val, &vl);
		archive_entry_xattr_add_entry(w->ent, names[i], val,
					      (size_t)vl);
	}
	return 0;
}

/* Copy the entry's xattrs onto w->dst (after chown, which clears caps). */
static int copy_xattrs(struct walk *w, bool opaque)
{
	const char *name;
	const void *val;
	size_t len;

	archive_entry_xattr_reset(w->ent);
	while (!archive_entry_xattr_next(w->ent, &name, &val, &len))
		if (lsetxattr(w->dst, name, val, len, 0) < 0)
			return hm_fail(w->e, errno, "set xattr %s on \"%s\"",
				       name, w->dst);
	if (opaque && lsetxattr(w->dst, OVL_OPAQUE, "y", 1, 0) < 0)
		return hm_fail(w->e, errno, "set " OVL_OPAQUE " on \"%s\"",
			       w->dst);
	return 0;
}

static int copy_meta(struct walk *w, const struct stat *st, bool opaque)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (lchown(w->dst, st->st_uid, st->st_gid) < 0)
		return hm_fail(w->e, errno, "chown \"%s\"", w->dst);
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(AT_FDCWD, w->dst, st->st_mode & 07777, 0) < 0)
		return hm_fail(w->e, errno, "chmod \"%s\"", w->dst);
	if (copy_xattrs(w, opaque) < 0)
		return -1;
	if (utimensat(AT_FDCWD, w->dst, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return hm_fail(w->e, errno, "set times of \"%s\"", w->dst);
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
 * The data of a regular file: to the tar writer and, with a copy, to the
 * new file. A reflink (FICLONE) shares the blocks copy-on-write where the
 * filesystem can (btrfs, xfs): safe even if the container writes the file
 * later, unlike a hard link. The data is still read, for the hash.
 */
static int file_data(struct walk *w, int dfd, const char *name,
		     const struct stat *st)
{
	cleanup_close int in =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	cleanup_close int out = -1;
	uint64_t left = (uint64_t)st->st_size;
	bool cloned = false;

	if (in < 0)
		return hm_fail(w->e, errno, "open \"%s\"", w->rel);
	if (w->o->copy_to) {
		out =
		    open(w->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0)
			return hm_fail(w->e, errno, "create \"%s\"", w->dst);
		if (w->try_clone && left) {
			cloned = ioctl(out, FICLONE, in) == 0;
			if (!cloned)
				w->try_clone = false; /* not this fs */
		}
	}
	FAULT_POINT("file-before-data"); /* its header is written */
	while (left) {
		size_t room;
		unsigned char *buf = ring_space(&w->ring, &room);
		size_t want = left < room ? (size_t)left : room;
		ssize_t n = read(in, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hm_fail(w->e, errno, "read \"%s\"", w->rel);
		if (n == 0)
			return hm_failx(w->e, HM_EXIT_FAIL,
					"\"%s\": file shrank while it was "
					"read",
					w->rel);
		if (out >= 0 && !cloned && util_write_all(out, buf, (size_t)n))
			return hm_fail(w->e, errno, "write \"%s\"", w->dst);
		if (write_chunk(w, buf, (size_t)n) < 0)
			return -1;
		left -= (uint64_t)n;
		w->res->data_bytes += (uint64_t)n;
		progress_update(w->o->progress, w->res->data_bytes);
	}
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

static int walk_dir(struct walk *w, int dfd);

static int make_copy(struct walk *w, const struct stat *st, const char *target)
{
	if (S_ISDIR(st->st_mode)) {
		if (mkdir(w->dst, 0700) < 0)
			return hm_fail(w->e, errno, "mkdir \"%s\"", w->dst);
	} else if (S_ISLNK(st->st_mode)) {
		if (symlink(target, w->dst) < 0)
			return hm_fail(w->e, errno, "symlink \"%s\"", w->dst);
	} else if (!S_ISREG(st->st_mode)) {
		if (mknod(w->dst, st->st_mode & S_IFMT, st->st_rdev) < 0)
			return hm_fail(w->e, errno, "mknod \"%s\"", w->dst);
	}
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

	/* the entry is ".wh.NAME" in the parent directory */
	if (write_marker(w, rl - nl - (rl > nl), wh, st, st->st_mode & 07777) <
	    0)
		return -1;
	if (w->o->copy_to &&
	    (make_copy(w, st, NULL) < 0 || copy_meta(w, st, false) < 0))
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
	cleanup_free char *first = NULL;

	if (!w->o->copy_to)
		return 0;
	first = xasprintf("%.*s/%s", (int)w->dst_root_len, w->dst, link);
	if (linkat(AT_FDCWD, first, AT_FDCWD, w->dst, 0) < 0)
		return hm_fail(w->e, errno, "link \"%s\"", w->dst);
	return 0;
}

/*
 * A directory's opaque marker and children. *@opaque is read again for
 * the copy's metadata, as the children cleared the entry.
 */
static int walk_subdir(struct walk *w, int dfd, const char *name,
		       const struct stat *st, bool *opaque)
{
	cleanup_close int sub =
	    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (sub < 0)
		return hm_fail(w->e, errno, "open \"%s\"", w->rel);
	if (*opaque && write_marker(w, strlen(w->rel), WH_OPAQUE, st, 0644) < 0)
		return -1;
	if (walk_dir(w, sub) < 0)
		return -1;
	archive_entry_clear(w->ent);
	if (w->o->copy_to && read_xattrs(w, dfd, name, opaque) < 0)
		return -1;
	*opaque = *opaque && w->o->whiteouts;
	return 0;
}

static int walk_entry(struct walk *w, int dfd, const char *name)
{
	char target[PATH_MAX];
	const char *link;
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
	link = hardlink_of(w, &st);
	if (link)
		archive_entry_set_hardlink(w->ent, link);
	archive_entry_set_size(w->ent,
			       !link && S_ISREG(st.st_mode) ? st.st_size : 0);
	if (write_header(w) < 0)
		return -1;
	if (link)
		return copy_hardlink(w, link);

	if (w->o->copy_to && make_copy(w, &st, target) < 0)
		return -1;
	if (S_ISREG(st.st_mode) && file_data(w, dfd, name, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode) && walk_subdir(w, dfd, name, &st, &opaque) < 0)
		return -1;
	if (w->o->copy_to && copy_meta(w, &st, opaque) < 0)
		return -1;
	return 0;
}

static int walk_dir(struct walk *w, int dfd)
{
	size_t n, rl = strlen(w->rel), dl = strlen(w->dst);
	char **names = sorted_names(dfd, *w->rel ? w->rel : ".", &n, w->e);
	int r = 0;

	if (!names)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = push_name(w, names[i]);
		if (r == 0)
			r = walk_entry(w, dfd, names[i]);
		pop_name(w, rl, dl);
		FAULT_POINT("mid-copy");
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
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
	struct walk w = {.o = o, .res = res, .e = e, .try_clone = true};
	cleanup_close int dfd = -1;
	int r = -1;

	memset(res, 0, sizeof(*res));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hm_fail(e, errno, "open \"%s\"", dir);
	if (o->copy_to) {
		if (strlen(o->copy_to) >= sizeof(w.dst))
			return hm_failx(e, HM_EXIT_FAIL, "path too long");
		strcpy(w.dst, o->copy_to);
		w.dst_root_len = strlen(w.dst);
	}
	if (digest_init(&w.d, e) < 0)
		return -1;
	ring_start(&w.ring, &w.d);
	if (open_writer(&w) < 0 || walk_dir(&w, dfd) < 0)
		goto out;
	if (archive_write_close(w.a) != ARCHIVE_OK) {
		if (!w.failed)
			hm_fail_archive(e, w.a, "tar writer");
		goto out;
	}
	r = 0;
out:
	archive_write_free(
	    w.a); /* closes it too; after a failure that is moot */
	if (w.ent)
		archive_entry_free(w.ent);
	ring_stop(&w.ring);
	if (r == 0)
		digest_final(&w.d, res->diff_id);
	else
		digest_free(&w.d);
	tdestroy(w.inodes, inode_free);
	return r;
}
