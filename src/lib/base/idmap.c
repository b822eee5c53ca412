/* SPDX-License-Identifier: MIT */
#include "base/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"

/* "A:B:C" into three strings of up to 23 bytes; -1 if not that shape */
static int split3(const char *s, char f[3][24])
{
	for (int i = 0; i < 3; i++) {
		size_t n = strcspn(s, ":");

		if (n >= 24 || (i < 2 && s[n] != ':') || (i == 2 && s[n]))
			return -1;
		memcpy(f[i], s, n);
		f[i][n] = '\0';
		s += n + (i < 2);
	}
	return 0;
}

int idmap_parse(const char *opt, const char *arg, struct hm_idmap *m,
		struct hm_err *e)
{
	uint64_t c, h, n;
	char f[3][24];

	/* three unsigned fields: sscanf's %llu took "-5" as 2^64-5, and
	 * " 5" or "+5" too */
	if (split3(arg, f) < 0 || num_parse_u64(f[0], 0, UINT32_MAX, &c) < 0 ||
	    num_parse_u64(f[1], 0, UINT32_MAX, &h) < 0 ||
	    num_parse_u64(f[2], 1, UINT32_MAX, &n) < 0 || c + n > UINT32_MAX ||
	    h + n > UINT32_MAX)
		return hm_failx(
		    e, HM_EXIT_FAIL,
		    "%s \"%s\": expected CONTAINER_ID:HOST_ID:COUNT", opt, arg);
	if (c != 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"%s \"%s\": the range must start at container "
				"id 0 (its root)",
				opt, arg);
	if (h == 0)
		return hm_failx(
		    e, HM_EXIT_FAIL,
		    "%s \"%s\": mapping the container's root to the "
		    "host's root defeats the user namespace",
		    opt, arg);
	m->ctr = (uint32_t)c;
	m->host = (uint32_t)h;
	m->count = (uint32_t)n;
	return 0;
}

/* One "OWNER:START:COUNT" line (not NUL-terminated: @len). */
static bool parse_line(const char *line, size_t len, struct hm_subid *out)
{
	const char *colon = memchr(line, ':', len);
	uint64_t start, count;
	char buf[64], *sep;

	if (!colon || colon == line ||
	    (size_t)(colon - line) >= sizeof(out->owner) ||
	    len - (size_t)(colon - line) >= sizeof(buf))
		return false;
	memcpy(buf, colon + 1, len - (size_t)(colon - line) - 1);
	buf[len - (size_t)(colon - line) - 1] = '\0';
	sep = strchr(buf, ':');
	if (!sep)
		return false;
	*sep = '\0';
	if (num_parse_u64(buf, 0, UINT32_MAX, &start) < 0 ||
	    num_parse_u64(sep + 1, 1, (1ull << 32) - start, &count) < 0)
		return false;
	memcpy(out->owner, line, (size_t)(colon - line));
	out->owner[colon - line] = '\0';
	out->r.start = (uint32_t)start;
	out->r.count = (uint32_t)count;
	return true;
}

int idmap_subid_parse(const char *text, const char *file, struct hm_subid **v,
		      size_t *n, struct hm_err *e)
{
	size_t lineno = 0;

	*v = NULL;
	*n = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		const char *next = p[len] ? p + len + 1 : p + len;

		lineno++;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
			       p[len - 1] == '\r'))
			len--;
		if (len && *p != '#') {
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			if (!parse_line(p, len, &(*v)[*n])) {
				free(*v);
				*v = NULL;
				*n = 0;
				return hm_failx(e, HM_EXIT_FAIL,
						"%s line %zu: expected "
						"OWNER:START:COUNT",
						file, lineno);
			}
			(*n)++;
		}
		p = next;
	}
	return 0;
}

bool idmap_overlap(const struct hm_idrange *a, const struct hm_idrange *b)
{
	return (uint64_t)a->start < (uint64_t)b->start + b->count &&
	       (uint64_t)b->start < (uint64_t)a->start + a->count;
}

int idmap_subid_place(const struct hm_subid *v, size_t n,
		      struct hm_idrange *out, struct hm_err *e)
{
	uint64_t end = IDMAP_SUBID_MIN;

	for (size_t i = 0; i < n; i++)
		if ((uint64_t)v[i].r.start + v[i].r.count > end)
			end = (uint64_t)v[i].r.start + v[i].r.count;
	end = (end + IDMAP_AUTO_SIZE - 1) / IDMAP_AUTO_SIZE * IDMAP_AUTO_SIZE;
	/* uid_map takes ids below 2^32 - 1 (that one is "no id") */
	if (end + IDMAP_DELEGATION > UINT32_MAX)
		return hm_failx(e, HM_EXIT_FAIL,
				"no room for %u more subordinate ids after the "
				"existing delegations",
				IDMAP_DELEGATION);
	out->start = (uint32_t)end;
	out->count = IDMAP_DELEGATION;
	return 0;
}

static bool range_free(const struct hm_idrange *r,
		       const struct hm_idrange *used, size_t nused)
{
	for (size_t i = 0; i < nused; i++)
		if (idmap_overlap(r, &used[i]))
			return false;
	return true;
}

int idmap_pick_auto(const struct hm_idrange *pool, size_t npool,
		    const struct hm_idrange *used, size_t nused, uint32_t *base,
		    struct hm_err *e)
{
	struct hm_idrange best = {0, 0};

	for (size_t i = 0; i < npool; i++) {
		uint64_t end = (uint64_t)pool[i].start + pool[i].count;

		for (uint64_t b = pool[i].start; b + IDMAP_AUTO_SIZE <= end;
		     b += IDMAP_AUTO_SIZE) {
			struct hm_idrange r = {(uint32_t)b, IDMAP_AUTO_SIZE};

			if (best.count && b >= best.start)
				break;
			if (range_free(&r, used, nused)) {
				best = r;
				break;
			}
		}
	}
	if (!best.count)
		return hm_failx(e, HM_EXIT_FAIL,
				"no free range of %u ids is left",
				IDMAP_AUTO_SIZE);
	*base = best.start;
	return 0;
}

int64_t idmap_host_id(const struct hm_idmap *m, uint32_t id)
{
	if (id < m->ctr || id - m->ctr >= m->count)
		return -1;
	return (int64_t)m->host + (id - m->ctr);
}

int64_t idmap_ctr_id(const struct hm_idmap *m, uint32_t id)
{
	if (id < m->host || id - m->host >= m->count)
		return -1;
	return (int64_t)m->ctr + (id - m->host);
}

/* One "CTR HOST COUNT" line of an id map file; false if it is not one. */
static bool map_line(const char *l, struct hm_idmap *m)
{
	unsigned long v[3];
	char *end;

	for (int i = 0; i < 3; i++) {
		errno = 0;
		v[i] = strtoul(l, &end, 10);
		if (end == l || errno || v[i] > UINT32_MAX)
			return false;
		l = end;
	}
	*m = (struct hm_idmap){(uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]};
	return true;
}

int idmap_find(int fd, uint32_t id, struct hm_idmap *m)
{
	char buf[512];
	size_t have = 0;
	ssize_t n = 0;
	int found = 0;

	/* whole lines at a time; a partial one moves to the front */
	while (!found &&
	       (n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *l = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while (!found && (nl = strchr(l, '\n'))) {
			*nl = '\0';
			found = map_line(l, m) && id >= m->ctr &&
				id - m->ctr < m->count;
			l = nl + 1;
		}
		have -= (size_t)(l - buf);
		memmove(buf, l, have);
		if (have == sizeof(buf) - 1) /* no line is that long */
			return -1;
	}
	return n < 0 ? -1 : found;
}

int idmap_self(const char *which, uint32_t id, struct hm_idmap *m)
{
	char path[32];
	int fd, r;

	snprintf(path, sizeof(path), "/proc/self/%s", which);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = idmap_find(fd, id, m);
	close(fd);
	return r;
}
