/* SPDX-License-Identifier: MIT */
#ifndef HOMO_RUNTIME_ROOTLESS_NET_H
#define HOMO_RUNTIME_ROOTLESS_NET_H

#include <sys/types.h>

#include "base/error.h"

struct hm_spec;

/* rootless_net_check() - refuse what rootless NAT cannot do (a user
 * network, no /dev/net/tun, an unknown HOMO_ROOTLESS_NET) in one line. */
int rootless_net_check(const struct hm_spec *s, struct hm_err *e);

/* rootless_net_dns() - the container's nameserver: the helper's DNS
 * forwarder to the host's resolvers */
const char *rootless_net_dns(void);

/* rootless_net_gateway() - the container's gateway: the host's loopback
 * (--add-host NAME:host-gateway) */
const char *rootless_net_gateway(void);

/**
 * rootless_net_start() - start the NAT helper (slirp4netns or pasta) for
 * the container whose init is @pid (its network namespace configured, -p
 * and -P forwarded, host ports picked) and wait until it is ready; what
 * inspect shows goes in @rundir (network_rootless_save()). A child of this
 * homo: it dies with it (PDEATHSIG) and rootless_net_stop() ends it with
 * the container.
 */
int rootless_net_start(const struct hm_spec *s, pid_t pid, const char *rundir,
		       struct hm_err *e);

/* rootless_net_stop() - end and reap this homo's helper, if any */
void rootless_net_stop(void);

#endif
