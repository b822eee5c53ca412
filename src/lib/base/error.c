/* SPDX-License-Identifier: MIT */
#include "base/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include <string.h>

static void vset(struct hm_err *e, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

static void append(struct hm_err *e, const char *text)
{
	size_t n = strlen(e->msg);

	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", text);
}

int hm_fail(struct hm_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	e->exit_code = HM_EXIT_FAIL;
	if (errnum)
		append(e, strerror(errnum));
	return -1;
}

int hm_failx(struct hm_err *e, int exit_code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vset(e, fmt, ap);
	va_end(ap);
	e->errnum = 0;
	e->exit_code = exit_code;
	return -1;
}

int hm_prefix(struct hm_err *e, const char *fmt, ...)
{
	char head[512];
	size_t hl, room = sizeof(e->msg);
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	/* "head: old", truncating old (never head) when the whole won't fit */
	hl = strlen(head);
	memmove(e->msg + hl + 2, e->msg, room - hl - 3);
	e->msg[room - 1] = '\0';
	memcpy(e->msg, head, hl);
	memcpy(e->msg + hl, ": ", 2);
	return -1;
}

void hm_clear(struct hm_err *e)
{
	if (!e)
		return;
	e->errnum = 0;
	e->exit_code = 0;
	e->msg[0] = '\0';
}

int hm_fail_json(struct hm_err *e, const char *path, int line, const char *text)
{
	/* no line: it could not be read at all (jansson names the file) */
	if (line < 0)
		return hm_failx(e, HM_EXIT_FAIL, "%s", text);
	return hm_failx(e, HM_EXIT_FAIL, "%s: corrupt JSON at line %d: %s",
			path, line, text);
}

static hm_sink_fn warn_handler, fatal_handler;

void hm_set_warn_handler(hm_sink_fn fn)
{
	warn_handler = fn;
}

void hm_warn(const struct hm_err *w)
{
	if (warn_handler && w)
		warn_handler(w);
}

void hm_set_fatal_handler(hm_sink_fn fn)
{
	fatal_handler = fn;
}

_Noreturn void hm_fatal(const struct hm_err *e)
{
	if (fatal_handler)
		fatal_handler(e);
	abort();
}

int hm_debug_enabled;

void hm_trace(const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	static struct timespec t0;
	struct timespec t;

	/* milliseconds since the first trace: where a slow start spends it
	 * (the container's init and the monitor, forks, share the base) */
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = t;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "=> %8.3f [%d] %s\n",
		(double)(t.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t.tv_nsec - t0.tv_nsec) / 1e6,
		(int)getpid(), line);
}
