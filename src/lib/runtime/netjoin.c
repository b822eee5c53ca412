/* SPDX-License-Identifier: MIT */
/* --network container:CTR: the target's namespace and files (netjoin.h). */
#include "runtime/netjoin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/container.h"
#include "runtime/state.h"

static int copy_file(const char *from, const char *to, struct hm_err *e)
{
	size_t len;
	cleanup_free char *text = util_read_file(from, &len, e);

	if (!text)
		return -1;
	return util_write_file_atomic(to, text, len, false, e);
}

int netjoin_open(struct hm_store *st, const struct hm_spec *s, const char *cdir,
		 struct hm_err *e)
{
	const char *id = s->netcfg.join;
	cleanup_free char *tdir = NULL;
	struct hm_state state;
	int fd;

	if (!id || !container_is_id(id))
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s: no container to join the "
				"network of",
				s->id);
	if (container_check(st, id, &state, e) < 0)
		return hm_prefix(e, "--network container:%.12s", id);
	fd = state.status == ST_RUNNING
		 ? (int)syscall(SYS_pidfd_open, state.pid, 0)
		 : -1;
	/* the start time after the pidfd: it names that process for good */
	if (fd >= 0 && !state_is_alive(&state)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"cannot join the network of container %.12s: "
				"it is not running",
				id);
	tdir = container_dir(st, id);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "resolv.conf" : "hosts";
		cleanup_free char *from = xasprintf("%s/%s", tdir, name);
		cleanup_free char *to = xasprintf("%s/%s", cdir, name);

		if (copy_file(from, to, e) < 0) {
			close(fd);
			return -1;
		}
	}
	return fd;
}
