/* SPDX-License-Identifier: MIT */
#include "image/archive_err.h"

#include <archive.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int hm_fail_archive(struct hm_err *e, struct archive *a, const char *fmt, ...)
{
	const char *why = archive_error_string(a);
	char what[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hm_failx(e, HM_EXIT_FAIL, "%s: %s", what, why ? why : "archive error");
	if (e)
		e->errnum = archive_errno(a) > 0 ? archive_errno(a) : EIO;
	return -1;
}

void cleanup_archive_readp(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

void cleanup_archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}
