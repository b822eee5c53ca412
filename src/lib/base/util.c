/* SPDX-License-Identifier: MIT */
#include "base/util.h"

#include "base/fdwalk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/number.h"

void cleanup_freep(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}

void cleanup_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

void cleanup_fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		fclose(*f);
	errno = saved;
}

void cleanup_closedirp(DIR **d)
{
	int saved = errno;

	if (*d)
		closedir(*d);
	errno = saved;
}

void cleanup_strvp(char ***v)
{
	int saved = errno;

	strv_free(*v);
	errno = saved;
}

/* one line and Docker's 125, as any error: not a crash (abort's 134) */
static void *oom(void)
{
	fputs("homo: out of memory\n", stderr); /* check-tree: sink */
	_exit(HM_EXIT_FAIL);			/* check-tree: sink */
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom();
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? oom() : s;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_push(char **v, const char *s)
{
	size_t n = strv_len(v);

	v = xrealloc(v, (n + 2) * sizeof(*v));
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

char *util_read_file(const char *path, size_t *len, struct hm_err *e)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	cleanup_free char *buf = NULL;

	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", path), NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hm_fail(e, errno, "read \"%s\"", path), NULL;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return steal_ptr(&buf);
}

int util_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int util_pwrite_all(int fd, const void *data, size_t len, off_t off)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int util_fsync_dir(const char *path, struct hm_err *e)
{
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return hm_fail(e, errno, "fsync \"%s\"", path);
	return 0;
}

unsigned long long util_self_starttime(void)
{
	static unsigned long long start;
	static pid_t for_pid;

	/* per process: a forked monitor has its own */
	if (for_pid != getpid()) {
		for_pid = getpid();
		start = util_proc_starttime(for_pid);
	}
	return start;
}

const char *util_tmp_owner(void)
{
	static char tag[48];
	static pid_t for_pid;

	if (for_pid != getpid()) {
		for_pid = getpid();
		snprintf(tag, sizeof(tag), "%d.%llu", (int)for_pid,
			 util_self_starttime());
	}
	return tag;
}

/* "<digits>" of @s up to @stop into *@v; false if none or malformed */
static bool tag_number(const char *s, const char *stop, uint64_t max,
		       uint64_t *v, const char **end)
{
	char buf[24];
	size_t n = strcspn(s, stop);

	*end = s + n;
	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return num_parse_u64(buf, 1, max, v) == 0;
}

bool util_tmp_owner_gone(const char *tag)
{
	uint64_t pid, start = 0;
	const char *end;

	/* no pid (or one no pid_t can be) is nobody's */
	if (!tag_number(tag, ".-", INT32_MAX, &pid, &end))
		return true;
	if (*end == '.' && !tag_number(end + 1, "-", UINT64_MAX, &start, &end))
		start = 0;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return true;
	/* alive: but is it the process that made the name, or one that
	 * got its pid since? (0: its start time was unknown) */
	return start && util_proc_starttime((pid_t)pid) != start;
}

/* util_atomic_tmpdir(): the one tree whose records take their temps from
 * one directory (the store's tmp/), and that directory */
static char *atomic_root, *atomic_tmpdir;

void util_atomic_tmpdir(const char *root, const char *tmpdir)
{
	free(atomic_root);
	free(atomic_tmpdir);
	atomic_root = root ? xstrdup(root) : NULL;
	atomic_tmpdir = tmpdir ? xstrdup(tmpdir) : NULL;
}

void util_atomic_tmpdir_drop(const char *root)
{
	if (atomic_root && !strcmp(atomic_root, root))
		util_atomic_tmpdir(NULL, NULL);
}

/* Whether @path is below the root of util_atomic_tmpdir() */
static bool atomic_in_root(const char *path)
{
	size_t rl = atomic_root ? strlen(atomic_root) : 0;

	return rl && !strncmp(path, atomic_root, rl) && path[rl] == '/';
}

/* "<tmpdir>/<base>.tmp-<owner>-<n>" */
static char *atomic_tmp_in_dir(const char *path)
{
	static unsigned n; /* threads of one process: each its own name */

	return xasprintf("%s/%s.tmp-%s-%u", atomic_tmpdir,
			 strrchr(path, '/') + 1, util_tmp_owner(),
			 __atomic_add_fetch(&n, 1, __ATOMIC_RELAXED));
}

static int write_atomic_via(const char *tmp, const char *path, const void *data,
			    size_t len, bool durable, struct hm_err *e)
{
	cleanup_close int fd = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return hm_fail(e, errno, "create \"%s\"", tmp);
	if (util_write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		hm_fail(e, errno, "write \"%s\"", tmp);
		unlink(tmp);
		return -1;
	}
	if (close(steal_fd(&fd)) < 0) {
		hm_fail(e, errno, "close \"%s\"", tmp);
		unlink(tmp);
		return -1;
	}
	FAULT_POINT("record-before-rename");
	if (rename(tmp, path) < 0) {
		hm_fail(e, errno, "rename \"%s\"", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int util_write_file_atomic(const char *path, const void *data, size_t len,
			   bool durable, struct hm_err *e)
{
	cleanup_free char *tmp = NULL;
	struct hm_err scratch;
	int r = -1;

	e = hm_err_or(e, &scratch);
	if (atomic_in_root(path)) {
		tmp = atomic_tmp_in_dir(path);
		r = write_atomic_via(tmp, path, data, len, durable, e);
		/* tmp/ gone (store_open makes it) or on another file system
		 * than @path (a mount below the root): the temp beside it */
		if (r < 0 && e->errnum != ENOENT && e->errnum != EXDEV)
			return -1;
	}
	if (r < 0) {
		free(tmp);
		tmp = xasprintf("%s.tmp-%s", path, util_tmp_owner());
		r = write_atomic_via(tmp, path, data, len, durable, e);
	}
	if (r < 0)
		return -1;
	if (durable) {
		cleanup_free char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');

		if (slash) {
			*slash = '\0';
			return util_fsync_dir(*dir ? dir : "/", e);
		}
	}
	return 0;
}

int util_write_file_new(const char *path, const void *data, size_t len,
			struct hm_err *e)
{
	cleanup_close int fd =
	    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return hm_fail(e, errno, "create \"%s\"", path);
	if (util_write_all(fd, data, len) < 0 || close(steal_fd(&fd)) < 0)
		return hm_fail(e, errno, "write \"%s\"", path);
	return 0;
}

int util_write_str(const char *path, const char *s, struct hm_err *e)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", path);
	if (util_write_all(fd, s, strlen(s)) < 0)
		return hm_fail(e, errno, "write \"%s\" to \"%s\"", s, path);
	return 0;
}

int util_mkdir_p(const char *path, mode_t mode, struct hm_err *e)
{
	cleanup_free char *p = NULL;

	/* the usual case, its parent there: one call, not one a component */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return hm_fail(e, errno, "mkdir \"%s\"", p);
		*s = c;
		if (!c)
			break;
	}
	return 0;
}

/*
 * An entry of a tree being removed: a directory on the tree's own device is
 * walked, then removed at its FDWALK_POST; anything else is unlinked.
 */
static int rm_entry(struct fdwalk *w, const char *top, dev_t dev,
		    struct hm_err *e)
{
	struct stat st;
	int fd;

	if (fstatat(w->dfd, w->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			   ? 0
			   : hm_fail(e, errno, "stat \"%s/%s\"", top, w->path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(w->dfd, w->name, 0) < 0 && errno != ENOENT)
			return hm_fail(e, errno, "remove \"%s/%s\"", top,
				       w->path);
		return 0;
	}
	/* never into something mounted inside the tree */
	if (st.st_dev != dev)
		return hm_failx(e, HM_EXIT_FAIL,
				"remove \"%s/%s\": a mount point", top,
				w->path);
	fd = fdwalk_openat(w, w->dfd, w->name,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s/%s\"", top, w->path);
	return fdwalk_enter(w, fd, -1, e);
}

int util_rm_rf(const char *path, struct hm_err *e)
{
	struct fdwalk w;
	struct stat st;
	int ev, root;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : hm_fail(e, errno, "stat \"%s\"", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return hm_fail(e, errno, "remove \"%s\"", path);
		return 0;
	}
	/* fd-relative (fdwalk.h): any depth, any path length */
	root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return hm_fail(e, errno, "open \"%s\"", path);
	ev = fdwalk_open(&w, root, -1, false, e);
	while (ev >= 0 && (ev = fdwalk_next(&w, e)) > 0) {
		if (ev == FDWALK_ENTRY)
			ev = rm_entry(&w, path, st.st_dev, e);
		else if (unlinkat(w.dfd, w.name, AT_REMOVEDIR) < 0 &&
			 errno != ENOENT)
			ev =
			    hm_fail(e, errno, "remove \"%s/%s\"", path, w.path);
	}
	fdwalk_close(&w);
	if (ev < 0)
		return -1;
	if (rmdir(path) < 0 && errno != ENOENT)
		return hm_fail(e, errno, "remove \"%s\"", path);
	return 0;
}

void util_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t got = 0;

	if (n / 2 + 1 > sizeof(buf))
		n = (sizeof(buf) - 1) * 2;
	while (got < n / 2 + 1) {
		ssize_t r = getrandom(buf + got, n / 2 + 1 - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			abort(); /* cannot happen on Linux >= 3.17 */
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = hex[(buf[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[n] = '\0';
}

void util_format_size(char *out, size_t n, uint64_t bytes)
{
	static const char *units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%" PRIu64 "B", bytes);
	else
		snprintf(out, n, "%.3g%s", v, units[u]);
}

void util_format_duration(char *out, size_t n, int64_t s)
{
	if (s < 1)
		snprintf(out, n, "Less than a second");
	else if (s == 1)
		snprintf(out, n, "1 second");
	else if (s < 60)
		snprintf(out, n, "%lld seconds", (long long)s);
	else if (s < 120)
		snprintf(out, n, "About a minute");
	else if (s < 3600)
		snprintf(out, n, "%lld minutes", (long long)(s / 60));
	else if (s < 7200)
		snprintf(out, n, "About an hour");
	else if (s < 2 * 86400)
		snprintf(out, n, "%lld hours", (long long)(s / 3600));
	else
		snprintf(out, n, "%lld days", (long long)(s / 86400));
}

/*
 * The proleptic Gregorian date of day @z since 1970-01-01 (the inverse of
 * the usual days-from-civil; eras of 400 years, March-based years).
 */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void util_now_rfc3339(char *out, size_t n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	util_rfc3339(&ts, out, n);
}

void util_rfc3339(const struct timespec *ts, char *out, size_t n)
{
	int64_t secs, days, y;
	int m, d, sod;

	/* not gmtime_r() and strftime(): glibc's call tzset(), which reads
	 * /etc/localtime on every start, for a time that is UTC anyway */
	secs = (int64_t)ts->tv_sec;
	days = (secs >= 0 ? secs : secs - 86399) / 86400;
	sod = (int)(secs - days * 86400);
	civil_from_days(days, &y, &m, &d);
	snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%09ldZ", (long long)y,
		 m, d, sod / 3600, sod / 60 % 60, sod % 60, ts->tv_nsec);
}

int64_t util_parse_rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *end;

	if (!s)
		return -1;
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	return (int64_t)timegm(&tm);
}

uint64_t util_dir_size(const char *path)
{
	struct fdwalk w;
	struct stat st;
	uint64_t total = 0;
	int root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int ev;

	if (root < 0 || fstat(root, &st) < 0) {
		if (root >= 0)
			close(root);
		return 0;
	}
	ev = fdwalk_open(&w, root, -1, false, NULL);
	while (ev >= 0 && (ev = fdwalk_next(&w, NULL)) > 0) {
		struct stat s2;
		int fd;

		if (ev != FDWALK_ENTRY ||
		    fstatat(w.dfd, w.name, &s2, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(s2.st_mode))
			total += (uint64_t)s2.st_size;
		if (!S_ISDIR(s2.st_mode) || s2.st_dev != st.st_dev)
			continue;
		fd = fdwalk_openat(&w, w.dfd, w.name,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
		if (fd >= 0)
			ev = fdwalk_enter(&w, fd, -1, NULL);
	}
	fdwalk_close(&w);
	return total;
}

unsigned long long util_proc_starttime(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parens: fields restart after the last ')'.
	 */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* a zombie has finished: only its parent's wait is missing (and a
	 * reparented one waits for an init that may reap slowly) */
	if (p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	/* after ") " come fields 3..; starttime is field 22 */
	if (sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
		   "%*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

ssize_t util_send_fd(int sock, const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (fd >= 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t util_recv_fd(int sock, void *buf, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

void util_close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 0)
		syscall(SYS_close_range, 0, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0U, 0);
}
