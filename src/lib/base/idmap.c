/* SPDX-License-Identifier: MIT */
#include "base/idmap.h"

#include <stdbool.h>
#include <stdio.h>

int idmap_parse(const char *opt, const char *arg, struct hm_idmap *m,
		struct hm_err *e)
{
	unsigned long long c, h, n;
	char tail;

	if (sscanf(arg, "%llu:%llu:%llu%c", &c, &h, &n, &tail) != 3 || n == 0 ||
	    c + n > UINT32_MAX || h + n > UINT32_MAX)
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
