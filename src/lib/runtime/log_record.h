/* SPDX-License-Identifier: MIT */
/*
 * One record of a container's log (docs/lifecycle.md, "Logs"): a line of
 * JSON as Docker's json-file driver writes it,
 *
 *   {"log":"hello\n","stream":"stdout","time":"2026-11-30T21:00:00.1Z"}
 *
 * and, when the bytes are not valid UTF-8 (which a JSON string cannot
 * hold), "log" has each invalid byte replaced by U+FFFD as Docker does and
 * "raw" holds the exact bytes in base64: a reader that knows "raw" gets
 * back what the container wrote, byte for byte; jq and Docker's tools
 * still read "log".
 */
#ifndef HOMO_LOG_RECORD_H
#define HOMO_LOG_RECORD_H

#include <stdbool.h>
#include <stddef.h>

struct log_record {
	bool err;      /* the stream is stderr (else stdout) */
	char time[48]; /* RFC 3339, "" if the record has none */
	char *bytes;   /* malloc'd, what the container wrote */
	size_t n;
};

/**
 * log_record_encode() - the JSON line (with its '\n') for @n bytes of
 * @stream ("stdout"/"stderr") at @time; its length in *@len. NULL only
 * when out of memory.
 */
char *log_record_encode(const char *stream, const void *buf, size_t n,
			const char *time, size_t *len);

/**
 * log_record_decode() - parse the JSON line @line (@len bytes, no '\n'
 * needed) into @r. Return: 0, or -1 when it is no record (a torn line).
 */
int log_record_decode(const char *line, size_t len, struct log_record *r);

void log_record_free(struct log_record *r);

#endif
