/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NET_H
#define HOMO_NET_H

#include "error.h"

/**
 * net_lo_up() - bring up the loopback link of the calling process's
 * network namespace (libnl-route, one netlink round trip).
 */
int net_lo_up(struct hm_err *e);

#endif
