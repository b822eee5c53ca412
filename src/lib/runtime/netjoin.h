/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NETJOIN_H
#define HOMO_NETJOIN_H

#include "base/error.h"
#include "runtime/spec.h"
#include "store/store.h"

/*
 * --network container:CTR (docs/network.md): the container is born in
 * CTR's network namespace, and gets CTR's /etc/hosts and
 * /etc/resolv.conf, as Docker does.
 */

/**
 * netjoin_open() - a pidfd of the running init of @s's target (to setns()
 * its network namespace before the clone: spawn.c), after copying the
 * target's hosts and resolv.conf into @cdir. Return: the fd, or -1 with
 * @e set (the target is gone or not running).
 */
int netjoin_open(struct hm_store *st, const struct hm_spec *s, const char *cdir,
		 struct hm_err *e);

#endif
