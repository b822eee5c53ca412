/* SPDX-License-Identifier: MIT */
#include "base/memshed.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/util.h"

/* One mapping of /proc/self/smaps: its header line and the fields we use. */
struct smap {
	uintptr_t start, end;
	bool candidate; /* read-only, private, file-backed */
	long rss_kb, anon_kb;
};

/* "START-END PERMS OFFSET DEV INODE [PATH]" */
static bool parse_header(const char *line, struct smap *m)
{
	char perms[5];
	unsigned long long inode;

	if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %*x %*s %llu",
		   &m->start, &m->end, perms, &inode) != 4)
		return false;
	m->candidate =
	    perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' && inode != 0;
	m->rss_kb = m->anon_kb = -1;
	return true;
}

/* Ranges to drop, all at once at the end: dropping each as it is parsed
 * had the parser (sscanf, strcspn: libc's code) fault back in at once. */
struct drops {
	struct smap m[128];
	size_t n;
};

static void add(struct drops *d, const struct smap *m)
{
	if (!m->candidate || m->anon_kb != 0 || m->rss_kb <= 0 ||
	    d->n == ARRAY_SIZE(d->m))
		return;
	d->m[d->n++] = *m;
}

long mem_shed_file_pages(struct hm_err *e)
{
	cleanup_free char *text = util_read_file("/proc/self/smaps", NULL, e);
	struct smap m = {0};
	struct drops d = {.n = 0};
	bool have = false;
	long dropped = 0;

	if (!text)
		return -1;
	for (char *line = text, *next; *line; line = next) {
		long v;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "Rss: %ld kB", &v) == 1)
			m.rss_kb = v;
		else if (sscanf(line, "Anonymous: %ld kB", &v) == 1)
			m.anon_kb = v;
		else if ((*line >= '0' && *line <= '9') ||
			 (*line >= 'a' && *line <= 'f')) {
			/* a mapping's header: addresses in lower-case hex,
			 * where every field's name starts upper-case */
			struct smap n;

			if (!parse_header(line, &n))
				continue;
			if (have)
				add(&d, &m);
			m = n;
			have = true;
		}
	}
	if (have)
		add(&d, &m);
	/* read-only and no private page: the file's pages, still cached */
	for (size_t i = 0; i < d.n; i++)
		if (madvise((void *)d.m[i].start, d.m[i].end - d.m[i].start,
			    MADV_DONTNEED) == 0)
			dropped += d.m[i].rss_kb;
	return dropped;
}
