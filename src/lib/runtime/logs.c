/* SPDX-License-Identifier: MIT */
#include "runtime/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"
#include "runtime/log_record.h"

int log_open(struct hm_log *l, const char *cdir, off_t max, struct hm_err *e)
{
	struct stat st;

	l->path = xasprintf("%s/log", cdir);
	l->max = max > 0 ? max : LOG_DEFAULT_MAX;
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (l->fd < 0) {
		hm_fail(e, errno, "open log \"%s\"", l->path);
		free(l->path);
		l->path = NULL;
		return -1;
	}
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

void log_close(struct hm_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->path);
	l->path = NULL;
}

/* log -> log.1 (replacing the older one), then a fresh log. */
static void rotate(struct hm_log *l)
{
	cleanup_free char *old = xasprintf("%s.1", l->path);
	int fd;

	if (rename(l->path, old) < 0)
		return;
	fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

static void write_record(struct hm_log *l, const char *stream, const char *line,
			 size_t n)
{
	char t[48];
	size_t len;
	char *text;

	util_now_rfc3339(t, sizeof(t));
	text = log_record_encode(stream, line, n, t, &len);
	if (!text)
		return;
	if (l->size > 0 && l->size + (off_t)len > l->max)
		rotate(l);
	if (write(l->fd, text, len) == (ssize_t)len)
		l->size += (off_t)len;
	free(text);
}

void log_write(struct hm_log *l, const char *stream, const char *buf, size_t n)
{
	if (!l || l->fd < 0)
		return;
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) + 1 : n;

		write_record(l, stream, buf, len);
		buf += len;
		n -= len;
	}
}

/* ---- reading ---- */

struct record {
	char *line; /* the whole JSON line */
};

/* The @n digits at *@p, in [@min, @max], and past them; -1 if not. */
static int field(const char **p, size_t n, uint64_t min, uint64_t max,
		 int64_t *out)
{
	char buf[8];
	uint64_t v;

	if (strnlen(*p, n) < n)
		return -1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	if (num_parse_u64(buf, min, max, &v) < 0)
		return -1;
	*p += n;
	*out = (int64_t)v;
	return 0;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Seconds to ns, saturated: int64 ns end in 2262, a year 9999 is valid. */
static int64_t sec_to_ns(int64_t sec, int64_t frac_ns)
{
	if (sec > INT64_MAX / 1000000000LL ||
	    (sec == INT64_MAX / 1000000000LL &&
	     frac_ns > INT64_MAX % 1000000000LL))
		return INT64_MAX;
	if (sec < INT64_MIN / 1000000000LL)
		return INT64_MIN;
	return sec * 1000000000LL + frac_ns;
}

/* ".123" after seconds: up to 9 digits count, more are cut off */
static int frac_ns(const char **p, int64_t *ns)
{
	int digits = 0;

	*ns = 0;
	if (**p != '.')
		return 0;
	if (!(*p)[1])
		return -1;
	for ((*p)++; **p >= '0' && **p <= '9'; (*p)++, digits++)
		if (digits < 9)
			*ns = *ns * 10 + (**p - '0');
	for (int i = digits; i < 9; i++)
		*ns *= 10;
	return digits ? 0 : -1;
}

/*
 * RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)", also without a
 * zone (UTC) or as a date alone (its midnight UTC), years 0000 to 9999.
 * Fixed-width fields, each checked: strptime() took any year, and
 * timegm() * 10^9 of year 3000 wrapped to a negative time.
 */
static int parse_time(const char *p, int64_t *ns)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int64_t y, mo, d, h = 0, mi = 0, s = 0, f = 0, zh = 0, zm = 0, sign;

	if (field(&p, 4, 0, 9999, &y) < 0 || *p++ != '-' ||
	    field(&p, 2, 1, 12, &mo) < 0 || *p++ != '-' ||
	    field(&p, 2, 1, (uint64_t)mdays[mo - 1], &d) < 0)
		return -1;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return -1;
	if ((*p == 'T' || *p == 't') &&
	    (p++, field(&p, 2, 0, 23, &h) < 0 || *p++ != ':' ||
		      field(&p, 2, 0, 59, &mi) < 0 || *p++ != ':' ||
		      field(&p, 2, 0, 59, &s) < 0 || frac_ns(&p, &f) < 0))
		return -1;
	sign = *p == '+' ? -1 : 1; /* +01:00 is an hour before UTC */
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		p++;
		if (field(&p, 2, 0, 23, &zh) < 0 || *p++ != ':' ||
		    field(&p, 2, 0, 59, &zm) < 0)
			return -1;
	}
	if (*p)
		return -1;
	*ns = sec_to_ns(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
			    s + sign * (zh * 3600 + zm * 60),
			f);
	return 0;
}

/* a record's time; 0 if it has none */
static int64_t time_ns(const char *t)
{
	int64_t ns;

	return t && parse_time(t, &ns) == 0 ? ns : 0;
}

/*
 * Where each stream stands: a record that ends no line (a partial write)
 * is continued by the stream's next one, which gets no timestamp of its
 * own: a line has one time, that of its first bytes.
 */
struct print_state {
	bool mid_line[2]; /* stdout, stderr */
};

/* Print one record; false when it is not one (a torn last line). */
static bool print_record(const char *line, const struct log_read_opts *o,
			 struct print_state *ps)
{
	struct log_record r;
	FILE *out;

	if (log_record_decode(line, strlen(line), &r) < 0)
		return false;
	if (!o->since_ns || time_ns(r.time[0] ? r.time : NULL) >= o->since_ns) {
		out = r.err ? stderr : stdout;
		if (o->timestamps && !ps->mid_line[r.err])
			fprintf(out, "%s ", r.time);
		fwrite(r.bytes, 1, r.n, out);
		fflush(out);
		ps->mid_line[r.err] = r.n && r.bytes[r.n - 1] != '\n';
	}
	log_record_free(&r);
	return true;
}

/* Record @line's stream (1: stderr) and whether it ends a line. */
static int record_kind(const char *line, bool *ends)
{
	struct log_record r;
	int err;

	*ends = true; /* a torn record ends whatever it was in */
	if (log_record_decode(line, strlen(line), &r) < 0)
		return -1;
	*ends = !r.n || r.bytes[r.n - 1] == '\n';
	err = r.err;
	log_record_free(&r);
	return err;
}

/* Does record @i start a line: the one before it ended one, or is of
 * the other stream? */
static bool starts_line(char **lines, size_t i)
{
	bool ends, dummy;

	if (i == 0)
		return true;
	if (record_kind(lines[i - 1], &ends) != record_kind(lines[i], &dummy))
		return true;
	return ends;
}

/* The first of @lines to print for --tail @tail: the records of the last
 * @tail lines of output (a write without '\n' is continued by the next). */
static size_t tail_start(char **lines, size_t n, long tail)
{
	long count = 0;

	if (tail < 0)
		return 0;
	if (tail == 0)
		return n;
	for (size_t i = n; i > 0; i--)
		if (starts_line(lines, i - 1) && ++count == tail)
			return i - 1;
	return 0;
}

/* A growing strv: strv_push() counts it on each call, and a log of a
 * million lines took minutes to read. */
struct lines {
	char **v;
	size_t n, cap;
};

/* All complete lines of @f appended to @l (@f may be NULL: no file). */
static void read_lines(FILE *f, struct lines *l, off_t *end)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*end = 0;
	while (f && (n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break; /* being written: the follower reads it later */
		*end += n;
		line[n - 1] = '\0';
		if (l->n + 2 > l->cap) {
			l->cap = l->cap ? l->cap * 2 : 1024;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = xstrdup(line);
		l->v[l->n] = NULL;
	}
	free(line);
}

static bool same_file(FILE *f, const char *path)
{
	struct stat a, b;

	return fstat(fileno(f), &a) == 0 && stat(path, &b) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * log.1 and log as one pair. Opened one after the other, a rotation in
 * between paired the log.1 before it with the log after it, and the lines
 * of the file in the middle were never shown. So open log, then log.1, and
 * keep them only if log is still the file opened: a rotation renames it.
 */
static void open_pair(const char *old, const char *path, FILE **fo, FILE **fn)
{
	for (int i = 0;; i++) {
		*fn = fopen(path, "re");
		*fo = fopen(old, "re");
		if ((*fn && same_file(*fn, path)) || (!*fn && !*fo) || i == 100)
			return;
		if (*fn)
			fclose(*fn);
		if (*fo)
			fclose(*fo);
		if (i > 10)
			usleep(
			    1000); /* log renamed, the new one not yet made */
	}
}

/* From @f (taken over, positioned after what was printed, or NULL) on. */
static int follow(const char *path, FILE *f, const struct log_read_opts *o,
		  struct print_state *ps, struct hm_err *e)
{
	cleanup_close int in = inotify_init1(IN_CLOEXEC);
	char *line = NULL;
	size_t cap = 0;
	struct stat st0, st;
	bool last = false;

	if (f && fstat(fileno(f), &st0) < 0) {
		fclose(f);
		f = NULL;
	}
	if (in < 0) {
		if (f)
			fclose(f);
		return hm_fail(e, errno, "inotify");
	}
	/* the directory: a rotation replaces the file */
	{
		cleanup_free char *dir = xstrdup(path);

		*strrchr(dir, '/') = '\0';
		if (inotify_add_watch(in, dir,
				      IN_MODIFY | IN_CREATE | IN_MOVED_TO |
					  IN_CLOSE_WRITE) < 0) {
			if (f)
				fclose(f);
			return hm_fail(e, errno, "watch \"%s\"", dir);
		}
	}
	for (;;) {
		ssize_t n;

		if (!f) {
			f = fopen(path, "re");
			if (f && fstat(fileno(f), &st0) < 0) {
				fclose(f);
				f = NULL;
			}
		}
		while (f && (n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] != '\n') { /* partial: wait for more */
				fseeko(f, -n, SEEK_CUR);
				break;
			}
			line[n - 1] = '\0';
			print_record(line, o, ps);
		}
		if (f)
			clearerr(f);
		/* rotated: finish the old file, then read the new one */
		if (f && (stat(path, &st) < 0 || st.st_ino != st0.st_ino)) {
			fclose(f);
			f = NULL;
			continue;
		}
		if (last)
			break;
		if (!o->running || !o->running(o->arg)) {
			last = true; /* one more pass for what came meanwhile */
			continue;
		}
		struct pollfd p = {.fd = in, .events = POLLIN};
		char buf[4096];

		if (poll(&p, 1, 200) > 0 && read(in, buf, sizeof(buf)) < 0 &&
		    errno != EAGAIN)
			break;
	}
	if (f)
		fclose(f);
	free(line);
	return 0;
}

int log_print(const char *cdir, const struct log_read_opts *o, struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/log", cdir);
	cleanup_free char *old = xasprintf("%s/log.1", cdir);
	struct lines l = {0};
	cleanup_strv char **lines = NULL;
	cleanup_fclose FILE *fo = NULL;
	FILE *fn;
	off_t end_old, end;
	struct print_state ps = {0};
	size_t n;

	open_pair(old, path, &fo, &fn);
	read_lines(fo, &l, &end_old);
	read_lines(fn, &l, &end);
	lines = l.v;
	n = l.n;
	for (size_t i = tail_start(lines, n, o->tail); i < n; i++)
		print_record(lines[i], o, &ps);
	if (!o->follow) {
		if (fn)
			fclose(fn);
		return 0;
	}
	/* on from the first line not printed, in the file it was read from */
	if (fn && fseeko(fn, end, SEEK_SET) < 0) {
		fclose(fn);
		fn = NULL;
	}
	return follow(path, fn, o, &ps, e);
}

/* "10m", "1.5h", "30s": that long before now; 1 (all) if before 1970 */
static int parse_ago(const char *s, int64_t *ns)
{
	size_t n = strlen(s);
	char unit = n ? s[n - 1] : 0;
	double mult = unit == 's'   ? 1
		      : unit == 'm' ? 60
		      : unit == 'h' ? 3600
				    : 0;
	cleanup_free char *num = xstrdup(s);
	struct timespec now;
	double v, t;

	num[n ? n - 1 : 0] = '\0';
	if (!mult || num_parse_double(num, 0, DBL_MAX, &v) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	t = (double)now.tv_sec - v * mult; /* finite: v and mult are */
	*ns = t < 1 ? 1 : sec_to_ns((int64_t)t, now.tv_nsec);
	return 0;
}

/* "1700000000" or "1700000000.5": unix seconds, up to year 9999 */
static int parse_unix(const char *s, int64_t *ns)
{
	cleanup_free char *whole = xstrdup(s);
	char *dot = strchr(whole, '.');
	const char *p = dot ? s + (dot - whole) : "";
	uint64_t sec;
	int64_t f;

	if (dot)
		*dot = '\0';
	if (num_parse_u64(whole, 0, 253402300799ULL, &sec) < 0 ||
	    frac_ns(&p, &f) < 0 || *p)
		return -1;
	*ns = sec_to_ns((int64_t)sec, f);
	return 0;
}

int log_parse_since(const char *s, int64_t *ns, struct hm_err *e)
{
	int64_t v;

	/* a time after 2262 (int64 ns) is a time no record has: nothing */
	if (parse_time(s, &v) == 0 || parse_unix(s, &v) == 0 ||
	    parse_ago(s, &v) == 0) {
		*ns = v;
		return 0;
	}
	return hm_failx(e, HM_EXIT_FAIL,
			"invalid --since \"%s\": use an RFC 3339 time (years "
			"0000 to 9999), unix seconds or a duration like 10m",
			s);
}
