/* SPDX-License-Identifier: MIT */
/*
 * stderr into a memfd for the tests of the progress sinks: setup() and
 * teardown() for cmocka's groups, captured() for what was written since.
 */
#ifndef HOMO_STDERR_CAPTURE_H
#define HOMO_STDERR_CAPTURE_H

#include <sys/mman.h>
#include <unistd.h>

static int saved = -1, cap = -1;

static int setup(void **state)
{
	(void)state;
	cap = memfd_create("stderr", MFD_CLOEXEC);
	saved = dup(STDERR_FILENO);
	if (cap < 0 || saved < 0 || dup2(cap, STDERR_FILENO) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(cap);
	return 0;
}

/* Everything written to stderr since the last call. */
static char *captured(void)
{
	static char buf[4096];
	static off_t seen;
	ssize_t n = pread(cap, buf, sizeof(buf) - 1, seen);

	assert_true(n >= 0);
	buf[n] = '\0';
	seen += n;
	return buf;
}

#endif
