/* SPDX-License-Identifier: MIT */
#ifndef HOMO_LOGS_H
#define HOMO_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * A container's output, containers/<id>/log: one JSON object a line, as
 * Docker's json-file driver writes it ({"log":"...\n","stream":"stdout",
 * "time":"RFC 3339 with ns"}), so existing tools read it, plus "raw" for
 * bytes that are not UTF-8 (runtime/log_record.h): byte-exact. When the file
 * would pass its size cap it becomes log.1 (the one older file kept) and
 * a new log starts: a chatty container cannot fill the disk.
 */
#define LOG_DEFAULT_MAX (10 * 1024 * 1024)

struct hm_log {
	int fd;
	char *path;
	off_t size, max;
};

/** log_open() - open (append) @cdir/log; @max: size cap, 0 = default. */
int log_open(struct hm_log *l, const char *cdir, off_t max, struct hm_err *e);
void log_close(struct hm_log *l);

/**
 * log_write() - record @n bytes of @stream ("stdout"/"stderr"), one record
 * per line; a trailing partial line is recorded as it is. Errors (disk
 * full) are not the container's problem: the output is dropped.
 */
void log_write(struct hm_log *l, const char *stream, const char *buf, size_t n);

struct log_read_opts {
	bool follow;	  /* -f: until the container has exited */
	bool timestamps;  /* -t */
	long tail;	  /* --tail N; -1 = all */
	int64_t since_ns; /* --since, ns since the epoch; 0 = all */
	/* -f: is the container still running (more output may come)? */
	bool (*running)(void *arg);
	void *arg;
};

/** log_print() - print @cdir's log to stdout/stderr per stream. */
int log_print(const char *cdir, const struct log_read_opts *o,
	      struct hm_err *e);

/** log_parse_since() - "2026-11-23T10:00:00Z", unix seconds or "10m". */
int log_parse_since(const char *s, int64_t *ns, struct hm_err *e);

#endif
