/* SPDX-License-Identifier: MIT */
/*
 * Rootfs tarballs into layer directories, in one pass over the input:
 *
 *   src_fd -> outer reader (raw format, any decompression filter)
 *          -> inner reader (tar only) -> archive_write_disk in dest_dir
 *
 * The outer read callback digests the file's bytes (the blob digest), the
 * inner one hands the decompressed stream to a hashing thread (the diff
 * id). gzip, the usual layer, skips the outer reader: gunzip.c reads,
 * digests and inflates it on a thread of its own, ahead of the extraction.
 *
 * Nothing may be written outside dest_dir: every name is resolved by the
 * kernel beneath it with symlinks refused before libarchive writes it, and
 * libarchive's ".." and absolute-path checks stay on as a backstop.
 */
#include "image/archive.h" /* homo's; libarchive's is <archive.h> below */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/hasher.h"
#include "base/lazylib.h"
#include "base/rootless.h"
#include "base/util.h"
#include "image/archive_err.h"
#include "image/checked_dirs.h"
#include "image/gunzip.h"
#include "image/whiteout.h"

/* Large reads: one syscall and one digest call per MiB of input. */
#define BLOCK_SIZE (1 << 20)
/* What is read first to tell gzip (gunzip.c inflates it) from the rest. */
#define PEEK_SIZE (64 << 10)

/*
 * Numeric owners: no user lookup is installed, so archive_write_disk uses
 * the uid/gid stored in the entry, which is what a layer must keep (the
 * host's /etc/passwd has nothing to do with the image's).
 *
 * No ARCHIVE_EXTRACT_SECURE_SYMLINKS by default: it costs an open, fstatat
 * and close per path component of every entry, which made unpacking 1.6x
 * slower; check_path() gets the same guarantee from one openat2() per
 * entry (per run of files in a directory: checked_dirs.h), and turns the
 * flag on for an entry it cannot check that way.
 * No ARCHIVE_EXTRACT_FFLAGS: an immutable or append-only flag from an
 * untrusted tarball would make the layer impossible to remove, and
 * overlayfs ignores those flags on a lower layer anyway.
 * No ARCHIVE_EXTRACT_UNLINK: the directory starts empty, and a name that
 * repeats is replaced by libarchive after EEXIST all the same.
 * No ARCHIVE_EXTRACT_SPARSE: it would turn runs of zeros into holes, but
 * it writes block by block, which cost 15-30% more system time on a 1 GB
 * unpack; sparse entries (GNU, pax) keep their holes without it, and
 * --max-size bounds what a tarball of zeros can cost.
 */
static const int extract_flags =
    ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
    ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL |
    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;

#define OVL_OPAQUE hm_ovl_opaque() /* trusted., or user. rootless */

struct unpack {
	int fd;
	int dest;	       /* O_PATH of dest_dir while extracting */
	bool kernel_checks;    /* openat2() works here */
	struct archive *outer; /* file -> decompressed bytes */
	struct archive *inner; /* decompressed bytes -> tar entries */
	struct archive *disk;
	struct hm_digest blob, diff;
	struct hasher bhash, dhash; /* of blob, of diff */
	bool same; /* not compressed: the blob digest is the diff id */
	bool gzip; /* gz inflates, digests both: no outer reader */
	struct gunzip gz;
	unsigned char *buf;
	size_t pending; /* bytes of buf read before the outer reader began */
	uint64_t max_bytes;
	struct hm_progress *prog;
	struct archive_unpack_result *res;
	struct hm_err *e;
	bool failed; /* a callback already filled e */
	char *name;  /* entry name rewritten without its leading '/' */
	size_t name_cap;
	char *link; /* the same for a hard-link target */
	size_t link_cap;
	struct checked_dirs checked; /* which entries need check_path() */
};

/* A callback failed: keep its message in e and make libarchive give up. */
static la_ssize_t callback_failed(struct unpack *u, struct archive *a)
{
	u->failed = true;
	archive_set_error(a, u->e->errnum ? u->e->errnum : EIO, "%s",
			  u->e->msg);
	return -1;
}

static la_ssize_t outer_read(struct archive *a, void *data, const void **buf)
{
	struct unpack *u = data;
	ssize_t n;

	hasher_wait(&u->bhash);
	if (u->pending) {
		n = (ssize_t)u->pending;
		u->pending = 0;
	} else {
		do
			n = read(u->fd, u->buf, BLOCK_SIZE);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0) {
		hm_fail(u->e, errno, "unpack: read");
		return callback_failed(u, a);
	}
	if (!u->same)
		hasher_submit(&u->bhash, u->buf, (size_t)n);
	u->res->compressed_bytes += (uint64_t)n;
	progress_update(u->prog, u->res->compressed_bytes);
	*buf = u->buf;
	return n;
}

/* Account for @len more bytes of the tar stream, enforcing max_bytes. */
static int count_tar(struct unpack *u, const void *data, size_t len)
{
	if (!u->gzip)
		hasher_submit(&u->dhash, data, len);
	u->res->tar_bytes += len;
	if (u->max_bytes && u->res->tar_bytes > u->max_bytes)
		return hm_failx(u->e, HM_EXIT_FAIL,
				"unpack: archive is larger than the limit of "
				"%llu bytes",
				(unsigned long long)u->max_bytes);
	return 0;
}

/*
 * The inner reader pulls whole decompressed blocks from the outer one. The
 * block stays valid until the next archive_read_data_block() on the outer
 * reader, which only this callback (and the final drain) makes: no copy.
 */
static la_ssize_t inner_read(struct archive *a, void *data, const void **buf)
{
	struct unpack *u = data;
	la_int64_t off;
	size_t len;
	ssize_t n;
	int r;

	if (u->gzip) {
		n = gunzip_read(&u->gz, buf, u->e);
		if (n < 0 || (n > 0 && count_tar(u, *buf, (size_t)n) < 0))
			return callback_failed(u, a);
		return n;
	}
	hasher_wait(&u->dhash);
	r = archive_read_data_block(u->outer, buf, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		if (!u->failed)
			hm_fail_archive(u->e, u->outer, "unpack: decompress");
		return callback_failed(u, a);
	}
	if (count_tar(u, *buf, len) < 0)
		return callback_failed(u, a);
	return (la_ssize_t)len;
}

static int fail_read(struct unpack *u, const char *name)
{
	if (u->failed)
		return -1;
	if (name)
		return hm_fail_archive(u->e, u->inner, "unpack: entry \"%s\"",
				       name);
	return hm_fail_archive(u->e, u->inner, "unpack");
}

/* libarchive's write-side messages often omit the cause ("Write failed"). */
static int fail_disk(struct unpack *u, const char *name)
{
	int err = archive_errno(u->disk);
	size_t n;

	hm_fail_archive(u->e, u->disk, "unpack: entry \"%s\"", name);
	n = strlen(u->e->msg);
	if (err > 0 && !strstr(u->e->msg, strerror(err)))
		snprintf(u->e->msg + n, sizeof(u->e->msg) - n, ": %s",
			 strerror(err));
	return -1;
}

static void note_warning(struct unpack *u, struct archive *a, const char *name)
{
	const char *why = archive_error_string(a);

	if (!u->res->warnings++)
		snprintf(u->res->warning, sizeof(u->res->warning),
			 "entry \"%s\": %s", name ? name : "?",
			 why ? why : "warning");
}

/*
 * Strip leading '/' as GNU tar does, so an absolute name lands inside the
 * layer; refuse any ".." component outright rather than leaving it to
 * SECURE_NODOTDOT, so the message names the entry. Return the relative
 * name (pointing into @name), or NULL for "..".
 */
static const char *relative_name(const char *name)
{
	const char *p;

	while (*name == '/')
		name++;
	for (p = name;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return NULL;
		if (!slash)
			return name;
		p = slash + 1;
	}
}

/* Copy @len bytes of @s into a buffer reused across entries. */
static const char *keep(char **buf, size_t *cap, const char *s, size_t len)
{
	if (len + 1 > *cap) {
		*cap = len < 255 ? 256 : (len + 1) * 2;
		free(*buf);
		*buf = xmalloc(*cap);
	}
	memcpy(*buf, s, len);
	(*buf)[len] = '\0';
	return *buf;
}

static int clean_names(struct unpack *u, struct archive_entry *ent,
		       const char **namep)
{
	const char *name = archive_entry_pathname(ent);
	const char *link = archive_entry_hardlink(ent);
	const char *rel;
	size_t len;

	if (!name || !*name)
		return hm_failx(u->e, HM_EXIT_FAIL,
				"unpack: entry %llu has no usable name",
				(unsigned long long)u->res->entries + 1);
	rel = relative_name(name);
	if (!rel)
		return hm_failx(u->e, HM_EXIT_FAIL,
				"unpack: entry \"%s\": path contains \"..\"",
				name);
	/*
	 * Without the trailing '/' of a directory: "d/" would make the kernel
	 * follow a symlink "d" in check_path(). "/" itself becomes ".".
	 */
	len = strlen(rel);
	while (len > 1 && rel[len - 1] == '/')
		len--;
	if (rel != name || rel[len]) {
		rel = *rel ? keep(&u->name, &u->name_cap, rel, len) : ".";
		archive_entry_copy_pathname(ent, rel);
	}
	*namep = rel;
	if (!link)
		return 0;
	rel = relative_name(link);
	if (!rel || !*rel)
		return hm_failx(u->e, HM_EXIT_FAIL,
				"unpack: entry \"%s\": hard link to \"%s\" "
				"leaves the layer",
				*namep, link);
	if (rel != link)
		archive_entry_copy_hardlink(
		    ent, keep(&u->link, &u->link_cap, rel, strlen(rel)));
	return 0;
}

static bool unsafe_xattr(const char *name)
{
	/* both: a rootless overlay reads user.overlay.* ("userxattr") */
	return (util_has_prefix(name, "trusted.overlay.") ||
		util_has_prefix(name, "user.overlay.")) &&
	       strcmp(name, OVL_OPAQUE) != 0;
}

/*
 * overlayfs gives trusted.overlay.* xattrs on a lower layer meaning
 * (redirect, metacopy, origin, whiteout...); an archive must not be able to
 * plant them. "opaque" stays: it only says what ".wh..wh..opq" says.
 */
static void drop_overlay_xattrs(struct archive_entry *ent)
{
	struct archive_entry *orig;
	const char *name;
	const void *value;
	size_t size, bad = 0;

	archive_entry_xattr_reset(ent);
	while (!archive_entry_xattr_next(ent, &name, &value, &size))
		bad += unsafe_xattr(name);
	if (!bad)
		return;
	orig = archive_entry_clone(ent);
	if (!orig)
		abort(); /* out of memory, as xmalloc() would */
	archive_entry_xattr_clear(ent);
	archive_entry_xattr_reset(orig);
	while (!archive_entry_xattr_next(orig, &name, &value, &size))
		if (!unsafe_xattr(name))
			archive_entry_xattr_add_entry(ent, name, value, size);
	archive_entry_free(orig);
}

/*
 * Resolve @path beneath the layer with the kernel refusing any symlink on
 * the way, ".." and mount crossings (openat2(2) RESOLVE_*). Only this
 * process writes into the fresh layer directory, so what holds now holds
 * when libarchive creates the entry right after.
 */
static int resolve(struct unpack *u, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, u->dest, path, &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		u->kernel_checks = false; /* old kernel or a seccomp filter */
	return (int)fd;
}

/*
 * The SECURE_SYMLINKS guarantee for @name (and its hard-link target @link,
 * or NULL): Return: 0 if safe to hand to libarchive, 1 if this entry needs
 * libarchive's own check, or -1 with u->e set when it is refused.
 */
static int check_path(struct unpack *u, const char *name, const char *link)
{
	struct stat st;
	int fd;

	if (!u->kernel_checks)
		return 1;
	if (link) {
		fd = resolve(u, link);
		if (fd >= 0)
			close(fd);
		else if (errno == ELOOP || errno == EXDEV)
			return hm_failx(u->e, HM_EXIT_FAIL,
					"unpack: entry \"%s\": hard link to "
					"\"%s\" goes through a symlink",
					name, link);
		else if (errno == ENOENT || errno == ENOTDIR)
			return hm_failx(u->e, HM_EXIT_FAIL,
					"unpack: entry \"%s\": hard link to "
					"\"%s\", which the archive does not "
					"contain",
					name, link);
		else
			return 1;
	}
	fd = resolve(u, name);
	if (fd < 0) {
		/* Missing parts become directories; a file in the way is
		 * replaced by one. */
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		if (errno == ELOOP || errno == EXDEV)
			return hm_failx(u->e, HM_EXIT_FAIL,
					"unpack: entry \"%s\": path goes "
					"through a symlink",
					name);
		return 1; /* e.g. a name longer than PATH_MAX */
	}
	/* As SECURE_SYMLINKS does: a symlink in the way is removed, never
	 * followed (libarchive would stat() through it for a directory). */
	if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode) &&
	    unlinkat(u->dest, name, 0) < 0) {
		close(fd);
		return hm_fail(u->e, errno, "unpack: entry \"%s\": unlink",
			       name);
	}
	close(fd);
	return 0;
}

static int copy_data(struct unpack *u, const char *name)
{
	const void *buf;
	la_int64_t off;
	size_t len;
	int r;

	for (;;) {
		r = archive_read_data_block(u->inner, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return fail_read(u, name);
		/* A failed write(2) (ENOSPC, EIO) is only ARCHIVE_WARN. */
		r = (int)archive_write_data_block(u->disk, buf, len, off);
		if (r != ARCHIVE_OK)
			return fail_disk(u, name);
	}
}

static int extract_one(struct unpack *u, struct archive_entry *ent)
{
	const char *name = NULL, *base;
	int r, check = 0;
	bool plain;

	if (clean_names(u, ent, &name) < 0)
		return -1;
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (util_has_prefix(base, WHITEOUT_PREFIX)) {
		checked_dirs_note(&u->checked, name, false, false);
		return whiteout_apply(name, base, archive_entry_perm(ent),
				      (uid_t)archive_entry_uid(ent),
				      (gid_t)archive_entry_gid(ent), u->e);
	}
	plain = archive_entry_filetype(ent) == AE_IFREG &&
		!archive_entry_hardlink(ent);
	if (!checked_dirs_skip(&u->checked, name, plain))
		check = check_path(u, name, archive_entry_hardlink(ent));
	if (check < 0)
		return -1;
	checked_dirs_note(&u->checked, name, plain, check == 0);
	if (archive_entry_xattr_count(ent))
		drop_overlay_xattrs(ent);
	if (check)
		archive_write_disk_set_options(
		    u->disk, extract_flags | ARCHIVE_EXTRACT_SECURE_SYMLINKS);

	r = archive_write_header(u->disk, ent);
	if (check)
		archive_write_disk_set_options(u->disk, extract_flags);
	if (r < ARCHIVE_WARN)
		return fail_disk(u, name);
	if (r == ARCHIVE_WARN)
		note_warning(u, u->disk, name);
	if (archive_entry_size(ent) > 0 && copy_data(u, name) < 0)
		return -1;
	r = archive_write_finish_entry(u->disk);
	if (r < ARCHIVE_WARN)
		return fail_disk(u, name);
	if (r == ARCHIVE_WARN)
		note_warning(u, u->disk, name);
	return 0;
}

static int extract_all(struct unpack *u)
{
	struct archive_entry *ent;
	int r;

	for (;;) {
		r = archive_read_next_header(u->inner, &ent);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return fail_read(u, NULL);
		if (r == ARCHIVE_WARN)
			note_warning(u, u->inner, archive_entry_pathname(ent));
		if (extract_one(u, ent) < 0)
			return -1;
		u->res->entries++;
		FAULT_POINT("mid-unpack");
	}
}

/*
 * Compression filters by name rather than archive_read_support_filter_all():
 * that one also brings uudecode and rpm, and lrzip, lzop and grzip, which
 * libarchive runs as external programs - not something to point at an
 * untrusted download. Where a library is missing libarchive itself falls
 * back to the usual program (gzip -d, ...), which is fine.
 */
static int (*const filters[])(struct archive *) = {
    archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
    archive_read_support_filter_xz,   archive_read_support_filter_lzma,
    archive_read_support_filter_lzip, archive_read_support_filter_zstd,
    archive_read_support_filter_lz4,  archive_read_support_filter_compress,
};

static int open_outer(struct unpack *u)
{
	struct archive_entry *raw;

	u->outer = archive_read_new();
	if (!u->outer)
		return hm_fail(u->e, ENOMEM, "unpack");
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
		filters[i](u->outer);
	archive_read_support_format_raw(u->outer);
	if (archive_read_open(u->outer, u, NULL, outer_read, NULL) !=
	    ARCHIVE_OK) {
		if (u->failed)
			return -1;
		if (!u->res->compressed_bytes)
			return hm_failx(
			    u->e, HM_EXIT_FAIL,
			    "unpack: empty input, not a tar archive");
		return hm_fail_archive(u->e, u->outer, "unpack: decompress");
	}
	if (archive_read_next_header(u->outer, &raw) != ARCHIVE_OK)
		return u->failed ? -1
				 : hm_fail_archive(u->e, u->outer,
						   "unpack: decompress");
	/*
	 * Not compressed: every byte read is a byte of the tar stream, in
	 * order, so one digest serves as both; the bytes read while libarchive
	 * sniffed the format are still buffered and reach inner_read.
	 */
	if (archive_filter_code(u->outer, 0) == ARCHIVE_FILTER_NONE) {
		u->same = true;
		hasher_stop(&u->bhash);
		digest_free(&u->blob);
	}
	return 0;
}

static int open_readers(struct unpack *u)
{
	u->inner = archive_read_new();
	if (!u->inner)
		return hm_fail(u->e, ENOMEM, "unpack");
	if (!u->gzip && open_outer(u) < 0)
		return -1;
	/*
	 * tar only, and no filters: the diff id is defined on the tar stream,
	 * and a zip, cpio or ISO image is not a rootfs (a compressed tar
	 * inside a compressed tar is not one either).
	 */
	archive_read_support_format_tar(u->inner);
	if (archive_read_open(u->inner, u, NULL, inner_read, NULL) !=
	    ARCHIVE_OK) {
		if (u->failed)
			return -1;
		return hm_failx(u->e, HM_EXIT_FAIL,
				"unpack: not a tar archive%s%s",
				u->same ? "" : " inside the ",
				u->same	  ? ""
				: u->gzip ? "gzip"
					  : archive_filter_name(u->outer, 0));
	}
	return 0;
}

/*
 * The tar reader stops at the end-of-archive marker; the zero blocks and
 * record padding after it are part of the stream the diff id covers, and
 * a compressed file may have trailing bytes the blob digest covers.
 */
static int drain(struct unpack *u)
{
	const void *buf;
	la_int64_t off;
	size_t len;
	ssize_t n;
	int r;

	if (u->gzip) {
		while ((n = gunzip_read(&u->gz, &buf, u->e)) > 0)
			if (count_tar(u, buf, (size_t)n) < 0)
				return -1;
		if (n < 0)
			return -1;
		gunzip_end(&u->gz); /* both digests are complete */
		u->res->compressed_bytes = gunzip_compressed(&u->gz);
		return 0;
	}
	for (;;) {
		hasher_wait(&u->dhash);
		r = archive_read_data_block(u->outer, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return u->failed
				   ? -1
				   : hm_fail_archive(u->e, u->outer,
						     "unpack: decompress");
		if (count_tar(u, buf, len) < 0)
			return -1;
	}
	hasher_stop(&u->dhash);
	hasher_stop(&u->bhash);
	for (;;) {
		n = read(u->fd, u->buf, BLOCK_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hm_fail(u->e, errno, "unpack: read");
		if (n == 0)
			return 0;
		digest_update(u->same ? &u->diff : &u->blob, u->buf, (size_t)n);
		u->res->compressed_bytes += (uint64_t)n;
	}
}

/* Everything that runs with the cwd in dest_dir. */
static int extract_in(struct unpack *u, const char *dest_dir)
{
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int dest = -1;
	struct hm_err tmp;
	int r;

	if (cwd < 0)
		return hm_fail(u->e, errno, "unpack: open current directory");
	dest = open(dest_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dest < 0)
		return hm_fail(u->e, errno, "unpack: open \"%s\"", dest_dir);
	u->dest = dest;
	/* libarchive's checks and fixups work on names relative to the cwd. */
	if (fchdir(dest) < 0)
		return hm_fail(u->e, errno, "unpack: chdir \"%s\"", dest_dir);

	u->disk = archive_write_disk_new();
	if (!u->disk) {
		r = hm_fail(u->e, ENOMEM, "unpack");
	} else {
		archive_write_disk_set_options(u->disk, extract_flags);
		r = extract_all(u);
		/*
		 * Directory modes and times are fixed up at close, by
		 * relative name: that has to happen here, on failure too.
		 */
		if (archive_write_close(u->disk) < ARCHIVE_WARN && r == 0)
			r = hm_fail_archive(u->e, u->disk, "unpack: finish");
		archive_write_free(u->disk);
		u->disk = NULL;
	}
	if (fchdir(cwd) < 0) {
		/* Should not happen; do not let it mask the first cause. */
		if (r == 0)
			return hm_fail(u->e, errno, "unpack: restore cwd");
		hm_fail(&tmp, errno, "unpack: restore cwd");
	}
	u->dest = -1;
	return r;
}

/*
 * The first bytes tell gzip, which gunzip.c inflates on a thread of its
 * own (the common layer: 2-3x faster), from the rest, which libarchive's
 * filters read from u->buf (u->pending) on, digested by two hashers.
 */
static int start_input(struct unpack *u)
{
	size_t have = 0;
	ssize_t n;
	int r;

	while (have < 2) {
		n = read(u->fd, u->buf + have, PEEK_SIZE - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hm_fail(u->e, errno, "unpack: read");
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have >= 2 && u->buf[0] == 0x1f && u->buf[1] == 0x8b) {
		r = gunzip_start(&u->gz, u->fd, u->buf, have, &u->blob,
				 &u->diff, u->prog, u->e);
		if (r < 0)
			return -1;
		u->gzip = r;
	}
	if (!u->gzip) {
		u->pending = have;
		hasher_start(&u->bhash, &u->blob);
		hasher_start(&u->dhash, &u->diff);
	}
	return 0;
}

int archive_unpack_with(int src_fd, const char *dest_dir,
			const struct archive_unpack_opts *o,
			struct archive_unpack_result *res, struct hm_err *e)
{
	struct hm_err scratch;
	struct unpack u = {.fd = src_fd,
			   .dest = -1,
			   .kernel_checks = true,
			   .res = res,
			   .e = hm_err_or(e, &scratch)};
	locale_t utf8 = (locale_t)0, old = LC_GLOBAL_LOCALE;
	int r = -1;

	memset(res, 0, sizeof(*res));
	if (lazy_load(LIB_ARCHIVE, "unpack", e) < 0)
		return -1;
	if (o) {
		u.prog = o->progress;
		u.max_bytes = o->max_bytes;
	}
	if (digest_init(&u.blob, e) < 0)
		return -1;
	if (digest_init(&u.diff, e) < 0)
		goto out;
	u.buf = xmalloc(BLOCK_SIZE);
	if (start_input(&u) < 0)
		goto out;
	/*
	 * pax names are UTF-8; in the "C" locale libarchive keeps their bytes
	 * but warns on every non-ASCII one. A UTF-8 locale for this thread
	 * only (uselocale(3)) keeps the process's locale as it was.
	 */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8)
		old = uselocale(utf8);

	if (open_readers(&u) < 0 || extract_in(&u, dest_dir) < 0)
		goto out;
	/* The inner reader holds an outer block until it is freed. */
	archive_read_free(u.inner);
	u.inner = NULL;
	if (drain(&u) < 0)
		goto out;
	digest_final(&u.diff, res->diff_id);
	if (u.same)
		memcpy(res->blob_digest, res->diff_id, sizeof(res->diff_id));
	else
		digest_final(&u.blob, res->blob_digest);
	r = 0;
out:
	if (u.gzip)
		gunzip_end(&u.gz);
	hasher_stop(&u.dhash);
	hasher_stop(&u.bhash);
	archive_read_free(u.inner);
	archive_read_free(u.outer);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	digest_free(&u.blob);
	digest_free(&u.diff);
	free(u.buf);
	free(u.name);
	free(u.link);
	checked_dirs_free(&u.checked);
	return r;
}

int archive_unpack(int src_fd, const char *dest_dir,
		   struct archive_unpack_result *res, struct hm_progress *prog,
		   struct hm_err *e)
{
	struct archive_unpack_opts o = {.progress = prog};

	return archive_unpack_with(src_fd, dest_dir, &o, res, e);
}
