/* SPDX-License-Identifier: MIT */
/*
 * archive_unpack() against tarballs built here with libarchive's write API:
 * ordinary trees (everything preserved, digests right, every compression),
 * hostile ones (nothing may appear outside the layer), OCI whiteouts and
 * broken input. Each test unpacks into ROOT/dest beside an empty
 * ROOT/outside and checks ROOT holds nothing else afterwards.
 */
#include "unit.h"

/* libarchive's; homo's own is "image/archive.h" (quoted includes only) */
#include <archive.h>
#include <archive_entry.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/util.h"
#include "image/archive.h"

struct ent {
	const char *name;
	mode_t mode; /* type and permissions */
	const char *data;
	const char *link;  /* symlink target */
	const char *hlink; /* hard-link target */
	dev_t rdev;
	const char *xattr[4]; /* name, value, name, value */
};

#define REG(n, m, d)                                            \
	{                                                       \
		.name = (n), .mode = S_IFREG | (m), .data = (d) \
	}
#define DIR(n, m)                                  \
	{                                          \
		.name = (n), .mode = S_IFDIR | (m) \
	}
#define SYM(n, t)                                                \
	{                                                        \
		.name = (n), .mode = S_IFLNK | 0777, .link = (t) \
	}
#define HARD(n, t)                        \
	{                                 \
		.name = (n), .hlink = (t) \
	}

struct buf {
	unsigned char *p;
	size_t len;
};

struct fx {
	char *root, dest[300], outside[300];
	char cwd[4096];
	struct archive_unpack_result res;
	struct hm_err e;
};

static la_ssize_t buf_write(struct archive *a, void *data, const void *p,
			    size_t n)
{
	struct buf *b = data;

	(void)a;
	b->p = xrealloc(b->p, b->len + n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return (la_ssize_t)n;
}

/* A pax tar (ustar where it can be) of @ents, as GNU and bsdtar write. */
static struct buf make_tar(const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct buf b = {0};

	assert_int_equal(archive_write_set_format_pax_restricted(a), 0);
	assert_int_equal(archive_write_open(a, &b, NULL, buf_write, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		const struct ent *t = &ents[i];
		size_t len = t->data ? strlen(t->data) : 0;

		archive_entry_clear(ae);
		archive_entry_copy_pathname(ae, t->name);
		archive_entry_set_mode(ae, t->mode ? t->mode : S_IFREG | 0644);
		archive_entry_set_uid(ae, 1234);
		archive_entry_set_gid(ae, 5678);
		archive_entry_set_mtime(ae, 1000000000 + (time_t)i, 0);
		archive_entry_set_size(ae, (la_int64_t)len);
		if (t->link)
			archive_entry_copy_symlink(ae, t->link);
		if (t->hlink) {
			archive_entry_copy_hardlink(ae, t->hlink);
			archive_entry_set_size(ae, 0);
		}
		if (t->rdev)
			archive_entry_set_rdev(ae, t->rdev);
		for (int x = 0; x < 4 && t->xattr[x]; x += 2)
			archive_entry_xattr_add_entry(ae, t->xattr[x],
						      t->xattr[x + 1],
						      strlen(t->xattr[x + 1]));
		assert_int_equal(archive_write_header(a, ae), 0);
		if (len && !t->hlink)
			assert_int_equal(archive_write_data(a, t->data, len),
					 (la_ssize_t)len);
	}
	assert_int_equal(archive_write_close(a), 0);
	archive_write_free(a);
	archive_entry_free(ae);
	return b;
}

/* @tar through one of libarchive's compressors (raw format: no tar). */
static struct buf compress(const struct buf *tar, int filter)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct buf b = {0};

	assert_int_equal(archive_write_set_format_raw(a), 0);
	assert_int_equal(archive_write_add_filter(a, filter), 0);
	/* the compressed stream alone, no padding to a 10 KiB record */
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), 0);
	assert_int_equal(archive_write_open(a, &b, NULL, buf_write, NULL), 0);
	archive_entry_set_pathname(ae, "x");
	archive_entry_set_mode(ae, S_IFREG | 0644);
	archive_entry_set_size(ae, (la_int64_t)tar->len);
	assert_int_equal(archive_write_header(a, ae), 0);
	assert_int_equal(archive_write_data(a, tar->p, tar->len),
			 (la_ssize_t)tar->len);
	assert_int_equal(archive_write_close(a), 0);
	archive_write_free(a);
	archive_entry_free(ae);
	return b;
}

static int memfd_of(const void *p, size_t len)
{
	int fd = memfd_create("tar", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->root = unit_tmpdir();
	snprintf(f->dest, sizeof(f->dest), "%s/dest", f->root);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->root);
	assert_int_equal(mkdir(f->dest, 0755), 0);
	assert_int_equal(mkdir(f->outside, 0755), 0);
	assert_non_null(getcwd(f->cwd, sizeof(f->cwd)));
	*state = f;
	return 0;
}

/* Whatever the test did: the cwd is back, nothing escaped the layer. */
static int teardown(void **state)
{
	struct fx *f = *state;
	char cwd[4096], xa[8];
	bool same_cwd, alone, empty, plain;

	same_cwd = getcwd(cwd, sizeof(cwd)) && strcmp(cwd, f->cwd) == 0;
	alone = unit_count_entries(f->root) == 2;
	empty = unit_count_entries(f->outside) == 0;
	plain =
	    getxattr(f->outside, "trusted.overlay.opaque", xa, sizeof(xa)) < 0;
	unit_rmtree(f->root); /* first, so a failure leaves no debris */
	free(f);
	assert_true(same_cwd);
	assert_true(alone);
	assert_true(empty);
	assert_true(plain);
	return 0;
}

static int unpack_buf(struct fx *f, const struct buf *b)
{
	int fd = memfd_of(b->p, b->len);
	int r = archive_unpack(fd, f->dest, &f->res, NULL, &f->e);

	close(fd);
	return r;
}

/* An empty layer directory again (after a partial unpack, say). */
static void reset_dest(struct fx *f)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dest);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(f->dest, 0755), 0);
}

static int unpack_ents(struct fx *f, const struct ent *ents, size_t n)
{
	struct buf b = make_tar(ents, n);
	int r;

	reset_dest(f);
	r = unpack_buf(f, &b);

	free(b.p);
	return r;
}

#define UNPACK(f, ...)                                 \
	({                                             \
		const struct ent _e[] = {__VA_ARGS__}; \
		unpack_ents(f, _e, ARRAY_SIZE(_e));    \
	})

/*
 * The unpack failed and the message has each of the given parts. (Where
 * the kernel lacks openat2() libarchive's SECURE_SYMLINKS refuses in its
 * own words: tests that may meet both ask only for what both say.)
 */
#define expect_fail(f, r, ...) \
	expect_fail_v(f, r, (const char *[]){__VA_ARGS__, NULL})

static void expect_fail_v(struct fx *f, int r, const char **parts)
{
	assert_int_equal(r, -1);
	for (; *parts; parts++)
		if (!strstr(f->e.msg, *parts))
			fail_msg("error \"%s\" lacks \"%s\"", f->e.msg, *parts);
}

static struct stat st_at(struct fx *f, const char *rel)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", f->dest, rel);
	if (lstat(p, &st) < 0)
		fail_msg("lstat %s: %s", p, strerror(errno));
	return st;
}

static bool exists(struct fx *f, const char *rel)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", f->dest, rel);
	return lstat(p, &st) == 0;
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* ---- ordinary archives ---- */

static const struct ent tree[] = {
    DIR("./", 0751),
    DIR("etc/", 0755),
    REG("etc/hostname", 0644, "box\n"),
    DIR("bin/", 0755),
    REG("bin/su", 04755, "#!/bin/true\n"),
    SYM("bin/sh", "/bin/busybox"),
    HARD("bin/ash", "bin/su"),
    DIR("dev/", 0755),
    {.name = "dev/null", .mode = S_IFCHR | 0666, .rdev = 0x103},
    {.name = "dev/fifo", .mode = S_IFIFO | 0600},
    {.name = "x",
     .mode = S_IFREG | 0600,
     .data = "data",
     .xattr = {"user.homo", "yes", "trusted.homo", "t"}},
};

static void check_tree(struct fx *f)
{
	struct stat st = st_at(f, "etc/hostname"), su = st_at(f, "bin/su");
	char buf[64], p[600];
	ssize_t n;

	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 5678);
	assert_int_equal(st.st_mode, S_IFREG | 0644);
	assert_int_equal(st.st_mtime, 1000000002);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(su.st_mode, S_IFREG | 04755); /* setuid kept */
	assert_int_equal(su.st_ino, st_at(f, "bin/ash").st_ino);
	assert_int_equal(su.st_nlink, 2);
	snprintf(p, sizeof(p), "%s/bin/sh", f->dest);
	n = readlink(p, buf, sizeof(buf));
	assert_int_equal(n, 12);
	assert_memory_equal(buf, "/bin/busybox", 12);
	assert_int_equal(st_at(f, "bin/sh").st_uid, 1234); /* lchown */
	assert_int_equal(st_at(f, "dev/null").st_mode, S_IFCHR | 0666);
	assert_int_equal(st_at(f, "dev/null").st_rdev, makedev(1, 3));
	assert_true(S_ISFIFO(st_at(f, "dev/fifo").st_mode));
	assert_int_equal(st_at(f, ".").st_mode, S_IFDIR | 0751);
	assert_int_equal(st_at(f, "etc").st_mtime, 1000000001); /* fixup */
	snprintf(p, sizeof(p), "%s/x", f->dest);
	n = getxattr(p, "user.homo", buf, sizeof(buf));
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "yes", 3);
	assert_int_equal(getxattr(p, "trusted.homo", buf, sizeof(buf)), 1);
	assert_int_equal(f->res.entries, ARRAY_SIZE(tree));
	assert_int_equal(f->res.warnings, 0);
}

static void test_plain(void **state)
{
	struct fx *f = *state;
	struct buf b;
	char want[65];

	skip_unless_root();
	b = make_tar(tree, ARRAY_SIZE(tree));
	assert_int_equal(digest_buf(b.p, b.len, want, &f->e), 0);
	assert_int_equal(unpack_buf(f, &b), 0);
	check_tree(f);
	/* the id covers the whole stream, end-of-archive padding included */
	assert_int_equal(b.len % 10240, 0);
	assert_string_equal(f->res.diff_id, want);
	assert_string_equal(f->res.blob_digest, want);
	assert_int_equal(f->res.tar_bytes, b.len);
	assert_int_equal(f->res.compressed_bytes, b.len);
	free(b.p);
}

static void test_compressed(void **state)
{
	static const int filters[] = {ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_BZIP2,
				      ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_ZSTD};
	struct fx *f = *state;
	struct buf tar = make_tar(tree, ARRAY_SIZE(tree));
	char want_diff[65], want_blob[65];

	skip_unless_root();
	assert_int_equal(digest_buf(tar.p, tar.len, want_diff, &f->e), 0);
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		struct buf z = compress(&tar, filters[i]);

		if (filters[i] == ARCHIVE_FILTER_GZIP) {
			/* zeros after the stream, as a 10 KiB record leaves */
			z.p = xrealloc(z.p, z.len + 3000);
			memset(z.p + z.len, 0, 3000);
			z.len += 3000;
		}
		assert_int_equal(digest_buf(z.p, z.len, want_blob, &f->e), 0);
		assert_int_equal(unpack_buf(f, &z), 0);
		check_tree(f);
		assert_string_equal(f->res.diff_id, want_diff);
		assert_string_equal(f->res.blob_digest, want_blob);
		assert_string_not_equal(want_blob, want_diff);
		assert_int_equal(f->res.tar_bytes, tar.len);
		assert_int_equal(f->res.compressed_bytes, z.len);
		free(z.p);
		reset_dest(f);
	}
	free(tar.p);
}

/*
 * Zeros after the end-of-archive marker, far more than one read block: the
 * tar reader stops at the marker, yet the id must cover them as
 * "zcat x.tar.gz | sha256sum" does.
 */
static void test_trailing_zeros(void **state)
{
	struct fx *f = *state;
	const struct ent e[] = {REG("f", 0644, "x")};
	struct buf b = make_tar(e, 1), z;
	size_t pad = (5 << 20) / 2;
	char want[65];

	b.p = xrealloc(b.p, b.len + pad);
	memset(b.p + b.len, 0, pad);
	b.len += pad;
	assert_int_equal(digest_buf(b.p, b.len, want, &f->e), 0);
	z = compress(&b, ARCHIVE_FILTER_GZIP);
	assert_int_equal(unpack_buf(f, &b), 0);
	assert_string_equal(f->res.diff_id, want);
	assert_int_equal(f->res.tar_bytes, b.len);
	reset_dest(f);
	assert_int_equal(unpack_buf(f, &z), 0);
	assert_string_equal(f->res.diff_id, want);
	assert_int_equal(f->res.tar_bytes, b.len);
	assert_int_equal(f->res.entries, 1);
	free(b.p);
	free(z.p);
}

/* A pipe (as stdin is): no size, no seeking, short reads. */
static void test_pipe(void **state)
{
	struct fx *f = *state;
	const struct ent e[] = {REG("a/b/c", 0644, "hello")};
	struct buf b = make_tar(e, 1);
	char want[65];
	int p[2], status;
	pid_t pid;

	assert_int_equal(digest_buf(b.p, b.len, want, &f->e), 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < b.len; off += 1000)
			if (write(p[1], b.p + off,
				  b.len - off < 1000 ? b.len - off : 1000) < 0)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(archive_unpack(p[0], f->dest, &f->res, NULL, &f->e),
			 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_string_equal(f->res.diff_id, want);
	assert_int_equal(st_at(f, "a/b/c").st_size, 5);
	free(b.p);
}

/* ---- hostile names ---- */

static void test_dotdot(void **state)
{
	struct fx *f = *state;

	expect_fail(f,
		    UNPACK(f, REG("ok", 0644, NULL), REG("../x", 0644, NULL)),
		    "entry \"../x\": path contains \"..\"");
	expect_fail(f, UNPACK(f, REG("a/../../outside/x", 0644, NULL)),
		    "contains \"..\"");
	expect_fail(f, UNPACK(f, REG("/../outside/x", 0644, NULL)),
		    "contains \"..\"");
}

static void test_absolute(void **state)
{
	struct fx *f = *state;
	char host[64], name[80];
	struct stat st;

	snprintf(host, sizeof(host), "/homo-unit-abs-%d", (int)getpid());
	snprintf(name, sizeof(name), "%s/f", host);
	assert_int_equal(UNPACK(f, REG(name, 0644, "in")), 0);
	assert_int_equal(st_at(f, host + 1).st_mode & S_IFMT, S_IFDIR);
	assert_int_equal(st_at(f, name + 1).st_size, 2);
	assert_true(lstat(host, &st) < 0 && errno == ENOENT);
}

static void test_symlink_escape(void **state)
{
	struct fx *f = *state;

	expect_fail(
	    f,
	    UNPACK(f, SYM("evil", "../outside"), REG("evil/pwned", 0644, "x")),
	    "entry \"evil/pwned\": ", "symlink");
	expect_fail(
	    f, UNPACK(f, SYM("abs", f->outside), REG("abs/pwned", 0644, "x")),
	    "entry \"abs/pwned\": ", "symlink");
	/* deeper: a directory on the path is a symlink */
	expect_fail(f,
		    UNPACK(f, DIR("a/", 0755), SYM("a/b", "../../outside"),
			   DIR("a/b/c/d", 0755)),
		    "entry \"a/b/c/d\": ", "symlink");
	/* a symlink to a file, then a write to that name replaces it */
	assert_int_equal(
	    UNPACK(f, SYM("p", "/etc/passwd"), REG("p", 0600, "mine")), 0);
	assert_int_equal(st_at(f, "p").st_mode, S_IFREG | 0600);
}

/*
 * A run of files in one directory is checked once (checked_dirs.h): a
 * name in it made a symlink to a directory outside (or a hard link to
 * such a symlink), then written as a file in the middle of a run, is
 * replaced, not followed. The outside directory stays empty (teardown).
 */
static void test_symlink_among_files(void **state)
{
	struct fx *f = *state;

	assert_int_equal(UNPACK(f, DIR("d/", 0755), REG("d/a", 0644, "a"),
				SYM("d/x", f->outside), REG("d/b", 0644, "b"),
				REG("d/c", 0644, "c"),
				REG("d/x", 0600, "mine")),
			 0);
	assert_int_equal(st_at(f, "d/x").st_mode, S_IFREG | 0600);
	assert_int_equal(st_at(f, "d/x").st_size, 4);
	assert_int_equal(UNPACK(f, SYM("e/s", f->outside),
				REG("e/a", 0644, "a"), HARD("e/h", "e/s"),
				REG("e/b", 0644, "b"), REG("e/c", 0644, "c"),
				REG("e/h", 0600, "mine")),
			 0);
	assert_int_equal(st_at(f, "e/h").st_mode, S_IFREG | 0600);
	assert_int_equal(st_at(f, "e/s").st_mode & S_IFMT, S_IFLNK);
}

/* A directory entry over a symlink must not chmod the symlink's target. */
static void test_dir_over_symlink(void **state)
{
	struct fx *f = *state;
	struct stat st;

	assert_int_equal(UNPACK(f, SYM("d", f->outside), DIR("d/", 0700)), 0);
	assert_int_equal(st_at(f, "d").st_mode, S_IFDIR | 0700);
	assert_int_equal(stat(f->outside, &st), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0755);
	/* the other order: a symlink replaces a directory made earlier */
	assert_int_equal(UNPACK(f, DIR("e/", 0700), SYM("e", f->outside)), 0);
	assert_int_equal(stat(f->outside, &st), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0755);
	assert_int_equal(st.st_uid, 0);
}

static void test_hardlink_escape(void **state)
{
	struct fx *f = *state;

	expect_fail(f, UNPACK(f, HARD("x", "../../etc/passwd")),
		    "entry \"x\": hard link to \"../../etc/passwd\" leaves "
		    "the layer");
	/* "/etc/passwd" is "etc/passwd" in the layer, which has none */
	expect_fail(f, UNPACK(f, HARD("y", "/etc/passwd")),
		    "entry \"y\": ", "etc/passwd");
	assert_false(exists(f, "y"));
	expect_fail(f, UNPACK(f, SYM("etc", "/etc"), HARD("z", "etc/passwd")),
		    "entry \"z\": ");
	assert_false(exists(f, "z"));
	/* within the layer, with a leading '/' as GNU tar writes it */
	assert_int_equal(UNPACK(f, REG("/f", 0644, "1"), HARD("/g", "/f")), 0);
	assert_int_equal(st_at(f, "f").st_ino, st_at(f, "g").st_ino);
}

/* ---- whiteouts ---- */

static void test_whiteouts(void **state)
{
	struct fx *f = *state;
	char p[600], v[4];
	struct stat st;

	skip_unless_root();
	assert_int_equal(UNPACK(f, DIR("d/", 0755),
				REG("d/.wh.gone", 0600, NULL),
				REG("d/.wh..wh..opq", 0600, NULL),
				REG("d/.wh..wh.plnk", 0600, NULL),
				REG("new/sub/.wh..wh..opq", 0600, NULL),
				REG(".wh.top", 0644, NULL)),
			 0);
	st = st_at(f, "d/gone");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_int_equal(st.st_uid, 1234);
	assert_true(S_ISCHR(st_at(f, "top").st_mode));
	assert_false(exists(f, "d/.wh.gone"));
	assert_false(exists(f, "d/.wh..wh.plnk"));
	assert_false(exists(f, "d/.wh..wh..opq"));
	snprintf(p, sizeof(p), "%s/d", f->dest);
	assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, 4), 1);
	assert_int_equal(v[0], 'y');
	snprintf(p, sizeof(p), "%s/new/sub", f->dest);
	assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, 4), 1);
	assert_int_equal(f->res.entries, 6);
}

static void test_whiteout_escape(void **state)
{
	struct fx *f = *state;

	expect_fail(f,
		    UNPACK(f, SYM("w", f->outside), REG("w/.wh.x", 0600, NULL)),
		    "entry \"w/.wh.x\": \"w\" is a symlink");
	expect_fail(f,
		    UNPACK(f, SYM("v", "../outside"),
			   REG("v/.wh..wh..opq", 0600, NULL)),
		    "\"v\" is a symlink");
	expect_fail(
	    f, UNPACK(f, REG("same", 0644, NULL), REG(".wh.same", 0644, NULL)),
	    "whiteout for a name this archive also contains");
}

static void test_overlay_xattrs(void **state)
{
	struct fx *f = *state;
	char p[600], v[8];

	skip_unless_root();
	assert_int_equal(
	    UNPACK(f, {.name = "d/",
		       .mode = S_IFDIR | 0755,
		       .xattr = {"trusted.overlay.redirect", "/etc",
				 "trusted.overlay.opaque", "y"}}),
	    0);
	snprintf(p, sizeof(p), "%s/d", f->dest);
	assert_true(getxattr(p, "trusted.overlay.redirect", v, 8) < 0);
	assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, 8), 1);
}

/* A name too long for openat2(): libarchive's own check takes over. */
static void test_long_name(void **state)
{
	struct fx *f = *state;
	char name[5000] = "", seg[201];

	memset(seg, 'a', 199);
	seg[199] = '/';
	seg[200] = '\0';
	for (int i = 0; i < 22; i++)
		strcat(name, seg);
	strcat(name, "file");
	assert_int_equal(UNPACK(f, REG(name, 0644, "long")), 0);
	name[199] = '\0';
	assert_true(exists(f, name));
	expect_fail(f,
		    UNPACK(f, SYM("l", f->outside), REG(name, 0644, NULL),
			   REG("l/aaaa/x", 0644, "x")),
		    "symlink");
}

/*
 * Where openat2() is missing (an old kernel, a seccomp filter) libarchive's
 * SECURE_SYMLINKS takes over: the same hostile archives, in a child whose
 * openat2() fails with ENOSYS, must still fail or stay inside.
 */
static void test_without_openat2(void **state)
{
	const struct CMUnitTest again[] = {
	    cmocka_unit_test_setup_teardown(test_symlink_escape, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dir_over_symlink, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_hardlink_escape, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_whiteout_escape, setup,
					    teardown),
	};
	int status;
	pid_t pid;

	(void)state;
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

		if (!ctx ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				     SCMP_SYS(openat2), 0) < 0 ||
		    seccomp_load(ctx) < 0)
			_exit(100);
		/* not TAP: the runner would count these as tests of its own */
		unsetenv("CMOCKA_MESSAGE_OUTPUT");
		cmocka_set_message_output(CM_OUTPUT_STDOUT);
		_exit(cmocka_run_group_tests_name("without openat2", again,
						  NULL, NULL));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- broken input ---- */

static void test_not_tar(void **state)
{
	struct fx *f = *state;
	unsigned char junk[4096];
	struct buf b = {junk, sizeof(junk)}, empty = {junk, 0}, z;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7919 + 13);
	expect_fail(f, unpack_buf(f, &b), "unpack: not a tar archive");
	expect_fail(f, unpack_buf(f, &empty), "empty input");
	z = compress(&b, ARCHIVE_FILTER_GZIP);
	expect_fail(f, unpack_buf(f, &z), "not a tar archive inside the gzip");
	free(z.p);
	assert_int_equal(unit_count_entries(f->dest), 0);
}

static void test_zip(void **state)
{
	struct fx *f = *state;
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct buf b = {0};

	archive_write_set_format_zip(a);
	archive_write_open(a, &b, NULL, buf_write, NULL);
	archive_entry_set_pathname(ae, "f");
	archive_entry_set_mode(ae, S_IFREG | 0644);
	archive_entry_set_size(ae, 1);
	archive_write_header(a, ae);
	archive_write_data(a, "z", 1);
	archive_write_free(a);
	archive_entry_free(ae);
	expect_fail(f, unpack_buf(f, &b), "not a tar archive");
	free(b.p);
}

static void test_truncated(void **state)
{
	struct fx *f = *state;
	char big[20000];
	const struct ent e[] = {REG("a", 0644, "first"), REG("b", 0644, big)};
	struct buf b, z;

	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	b = make_tar(e, 2);
	z = compress(&b, ARCHIVE_FILTER_GZIP);
	b.len = 512 * 3 + 4000; /* in the middle of b's data */
	expect_fail(f, unpack_buf(f, &b), "unpack: entry \"b\": Truncated");
	z.len /= 2;
	expect_fail(f, unpack_buf(f, &z), "unpack: decompress");
	free(b.p);
	free(z.p);
}

/*
 * A full disk: a 64 KiB tmpfs on dest, mounted in a child's own mount
 * namespace so the kernel removes it when the child exits.
 */
static void test_enospc(void **state)
{
	struct fx *f = *state;
	static char big[200000];
	const struct ent e[] = {REG("small", 0644, "x"),
				REG("dir/big", 0644, big)};
	struct buf b;
	int status, fd;
	pid_t pid;

	skip_unless_root();
	memset(big, 'z', sizeof(big) - 1);
	b = make_tar(e, 2);
	fd = memfd_of(b.p, b.len);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", f->dest, "tmpfs", 0, "size=64k") < 0)
			_exit(100);
		if (archive_unpack(fd, f->dest, &f->res, NULL, &f->e) == 0)
			_exit(1);
		if (!strstr(f->e.msg, "unpack: entry \"dir/big\"") ||
		    !strstr(f->e.msg, "No space left on device")) {
			fprintf(stderr, "unexpected: %s\n", f->e.msg);
			_exit(2);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(fd);
	free(b.p);
}

static void test_max_bytes(void **state)
{
	struct fx *f = *state;
	const struct ent e[] = {REG("a", 0644, "data")};
	struct buf b = make_tar(e, 1);
	struct archive_unpack_opts o = {.max_bytes = 4096};
	int fd = memfd_of(b.p, b.len);

	expect_fail(f, archive_unpack_with(fd, f->dest, &o, &f->res, &f->e),
		    "larger than the limit of 4096 bytes");
	close(fd);
	fd = memfd_of(b.p, b.len);
	o.max_bytes = b.len;
	assert_int_equal(archive_unpack_with(fd, f->dest, &o, &f->res, &f->e),
			 0);
	close(fd);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	    T(test_plain),
	    T(test_compressed),
	    T(test_trailing_zeros),
	    T(test_pipe),
	    T(test_dotdot),
	    T(test_absolute),
	    T(test_symlink_escape),
	    T(test_symlink_among_files),
	    T(test_dir_over_symlink),
	    T(test_hardlink_escape),
	    T(test_whiteouts),
	    T(test_whiteout_escape),
	    T(test_overlay_xattrs),
	    T(test_long_name),
	    T(test_without_openat2),
	    T(test_not_tar),
	    T(test_zip),
	    T(test_truncated),
	    T(test_enospc),
	    T(test_max_bytes),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
