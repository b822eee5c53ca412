/* SPDX-License-Identifier: MIT */
#ifndef HOMO_RUNTIME_ROOTLESS_NET_H
#define HOMO_RUNTIME_ROOTLESS_NET_H

#include <sys/types.h>

#include "base/error.h"

struct hm_spec;

/* rootless_net_check() - refuse what rootless NAT cannot do (a -p without
 * a host port, a user network) in one line. */
int rootless_net_check(const struct hm_spec *s, struct hm_err *e);

/**
 * rootless_net_start() - start pasta for the container whose init is @pid
 * (its network namespace configured, -p forwarded) and wait until it is
 * ready; its pid file goes in @rundir. A child of this homo: it dies with
 * it (PDEATHSIG) and rootless_net_stop() ends it with the container.
 */
int rootless_net_start(const struct hm_spec *s, pid_t pid, const char *rundir,
		       struct hm_err *e);

/* rootless_net_stop() - end and reap this homo's pasta, if any */
void rootless_net_stop(void);

#endif
