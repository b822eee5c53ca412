/* SPDX-License-Identifier: MIT */
#include "base/idmap.h"

#include <stdbool.h>
#include <string.h>

#include "base/number.h"

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

int idmap_pick_auto(const uint32_t *used, size_t n, uint32_t *base,
		    struct hm_err *e)
{
	for (uint32_t k = 0; k < IDMAP_AUTO_MAX; k++) {
		uint32_t b = IDMAP_AUTO_BASE + k * IDMAP_AUTO_SIZE;
		bool taken = false;

		for (size_t i = 0; i < n && !taken; i++)
			taken = used[i] == b;
		if (!taken) {
			*base = b;
			return 0;
		}
	}
	return hm_failx(e, HM_EXIT_FAIL,
			"--userns=auto: all %u id ranges are in use: remove "
			"containers first",
			IDMAP_AUTO_MAX);
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
