/* SPDX-License-Identifier: MIT */
/*
 * The event log (store/events.h): appended by every homo that causes an
 * event, read and followed by "homo events".
 */
#include "store/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"

#define NS 1000000000LL

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* Past the bound: renamed to .1 by the first writer to get the flock. */
static void rotate(const char *path, int fd)
{
	cleanup_free char *old = xasprintf("%s.1", path);
	struct stat a, b;

	if (flock(fd, LOCK_EX) < 0)
		return;
	/* another writer may have rotated it while we waited */
	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev && a.st_size >= EVENTS_MAX_BYTES)
		rename(path, old);
	flock(fd, LOCK_UN);
}

static int append(const char *path, const char *line, size_t len)
{
	struct stat st;
	int fd;

	for (int i = 0; i < 2; i++) {
		fd =
		    open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (i || fstat(fd, &st) < 0 || st.st_size < EVENTS_MAX_BYTES)
			break;
		rotate(path, fd);
		close(fd);
	}
	/* one write: O_APPEND places it whole after every other record */
	if (util_write_all(fd, line, len) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return close(fd);
}

void event_log(const struct hm_store *s, const char *type, const char *action,
	       const char *id, const char *const *attrs)
{
	cleanup_free char *path = store_path(s, "events.log");
	cleanup_free char *text = NULL, *line = NULL;
	json_t *a = json_object(), *j;
	int64_t t = now_ns();

	for (size_t i = 0; attrs && attrs[i] && attrs[i + 1]; i += 2)
		json_object_set_new(a, attrs[i], json_string(attrs[i + 1]));
	j = json_pack("{s:s, s:s, s:{s:s, s:o}, s:s, s:I, s:I}", "Type", type,
		      "Action", action, "Actor", "ID", id, "Attributes", a,
		      "scope", "local", "time", (json_int_t)(t / NS),
		      "timeNano", (json_int_t)t);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return; /* a name that is not UTF-8: no record can hold it */
	line = xasprintf("%s\n", text);
	if (append(path, line, strlen(line)) < 0) {
		struct hm_err w;

		hm_fail(&w, errno, "event log \"%s\"", path);
		hm_warn(&w);
	}
}

/* "1h30m", "10s", "250ms": Go's durations, as Docker's --since takes. */
static int parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {
	    {"ms", NS / 1000}, {"h", 3600 * NS}, {"m", 60 * NS}, {"s", NS}};

	*ns = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		size_t k;

		errno = 0;
		v = strtod(s, &end);
		if (end == s || errno || v < 0 || v > 1e6)
			return -1;
		for (k = 0; k < ARRAY_SIZE(units); k++)
			if (!strncmp(end, units[k].unit, strlen(units[k].unit)))
				break;
		if (k == ARRAY_SIZE(units))
			return -1;
		*ns += (int64_t)(v * (double)units[k].ns);
		s = end + strlen(units[k].unit);
	}
	return 0;
}

int events_parse_time(const char *s, int64_t now, int64_t *ns, struct hm_err *e)
{
	int64_t d, secs;
	double v;

	if (num_parse_double(s, 0, 1e11, &v) == 0) {
		*ns = (int64_t)(v * 1e9);
		return 0;
	}
	if (parse_duration(s, &d) == 0) {
		*ns = now - d;
		return 0;
	}
	secs = util_parse_rfc3339(s);
	if (secs >= 0) {
		*ns = secs * NS;
		return 0;
	}
	return hm_failx(e, HM_EXIT_FAIL,
			"\"%s\": not a time: use a Unix time, an RFC 3339 time "
			"(2024-01-02T15:04:05Z) or a duration (10m, 1h30m)",
			s);
}

static const char *const filter_keys[] = {
    "type=", "event=", "container=", "image="};

bool events_filter_ok(const char *f)
{
	for (size_t k = 0; k < ARRAY_SIZE(filter_keys); k++)
		if (util_has_prefix(f, filter_keys[k]) &&
		    f[strlen(filter_keys[k])])
			return true;
	return false;
}

static bool key_hit(json_t *ev, size_t k, const char *v)
{
	const char *type = json_string_value(json_object_get(ev, "Type"));
	json_t *actor = json_object_get(ev, "Actor");
	const char *id = json_string_value(json_object_get(actor, "ID"));
	json_t *attrs = json_object_get(actor, "Attributes");
	const char *name = json_string_value(json_object_get(attrs, "name"));
	const char *what = k == 2 ? "container" : "image";

	type = type ? type : "";
	switch (k) {
	case 0:
		return !strcmp(type, v);
	case 1:
		return !strcmp(
		    json_string_value(json_object_get(ev, "Action")) ?: "", v);
	default:
		if (k == 3 && !strcmp(type, "container")) {
			const char *img =
			    json_string_value(json_object_get(attrs, "image"));

			return img && !strcmp(img, v);
		}
		return !strcmp(type, what) && ((id && util_has_prefix(id, v)) ||
					       (name && !strcmp(name, v)));
	}
}

bool events_match(json_t *ev, char *const *filters)
{
	for (size_t k = 0; k < ARRAY_SIZE(filter_keys); k++) {
		bool any = false, hit = false;

		for (size_t i = 0; filters && filters[i]; i++) {
			if (!util_has_prefix(filters[i], filter_keys[k]))
				continue;
			any = true;
			hit |=
			    key_hit(ev, k, filters[i] + strlen(filter_keys[k]));
		}
		if (any && !hit)
			return false;
	}
	return true;
}

/* ---- reading ---- */

struct reader {
	int fd;
	char *buf;
	size_t len, cap;
	int64_t since, until;
	events_fn fn;
	void *arg;
	bool stop;
};

static void emit_line(struct reader *r, const char *line)
{
	json_t *ev = json_loads(line, 0, NULL);
	int64_t t =
	    (int64_t)json_integer_value(json_object_get(ev, "timeNano"));

	/* a torn or foreign line is skipped, not fatal */
	if (ev && t >= r->since && (!r->until || t <= r->until) &&
	    r->fn(ev, r->arg) < 0)
		r->stop = true;
	json_decref(ev);
}

/* Read what is there now; each complete line goes to the callback. */
static int drain(struct reader *r, struct hm_err *e)
{
	for (;;) {
		char *nl;
		ssize_t n;

		if (r->cap - r->len < 4096) {
			r->cap = r->cap * 2 + 8192;
			r->buf = xrealloc(r->buf, r->cap);
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hm_fail(e, errno, "read the event log");
		if (n == 0)
			return 0;
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		while (!r->stop && (nl = memchr(r->buf, '\n', r->len))) {
			*nl = '\0';
			emit_line(r, r->buf);
			r->len -= (size_t)(nl + 1 - r->buf);
			memmove(r->buf, nl + 1, r->len);
		}
		if (r->stop)
			return 0;
	}
}

static int drain_file(struct reader *r, const char *path, struct hm_err *e)
{
	int rc;

	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return errno == ENOENT ? 0
				       : hm_fail(e, errno, "open \"%s\"", path);
	rc = drain(r, e);
	close(r->fd);
	r->fd = -1;
	r->len = 0; /* a torn last line stays torn */
	return rc;
}

/* Like tail -F: the log's new records, across its rotations. */
static int follow(struct reader *r, const char *path, bool from_start,
		  struct hm_err *e)
{
	struct stat a, b;

	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd >= 0 && !from_start)
		lseek(r->fd, 0, SEEK_END);
	for (;;) {
		/* the bound is checked before the read: what was written
		 * before it passed is read at least once */
		bool last = r->until && now_ns() > r->until;

		if (r->fd >= 0 && drain(r, e) < 0)
			return -1;
		if (last || r->stop)
			break;
		if (r->fd >= 0 && fstat(r->fd, &a) == 0 &&
		    stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			usleep(100000);
			continue;
		}
		/* rotated (what was left is drained above), or not there */
		if (r->fd >= 0)
			close(r->fd);
		r->len = 0;
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			usleep(100000);
	}
	if (r->fd >= 0)
		close(r->fd);
	return 0;
}

int events_read(const struct hm_store *s, int64_t since_ns, int64_t until_ns,
		bool follow_on, events_fn fn, void *arg, struct hm_err *e)
{
	cleanup_free char *path = store_path(s, "events.log");
	cleanup_free char *old = xasprintf("%s.1", path);
	struct reader r = {.fd = -1,
			   .since = since_ns,
			   .until = until_ns,
			   .fn = fn,
			   .arg = arg};
	int rc = 0;

	/* history only when asked for: Docker's plain "events" starts now */
	if (since_ns)
		rc = drain_file(&r, old, e);
	if (rc == 0 && !r.stop && follow_on)
		rc = follow(&r, path, since_ns != 0, e);
	else if (rc == 0 && !r.stop && since_ns)
		rc = drain_file(&r, path, e);
	free(r.buf);
	return rc;
}
