/* SPDX-License-Identifier: MIT */
/*
 * Capabilities (caps.c): names, Docker's defaults and add/drop rules. A
 * set is applied to a process, with the user switch and no_new_privs
 * ordered around it, by the OCI runtime's oci_process_creds()
 * (oci_container.h), for homo run too.
 */
#ifndef HOMO_CAPS_H
#define HOMO_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * Capabilities as a bit mask: bit N is capability number N (CAP_CHOWN = 0).
 * Names are the kernel's without the "CAP_" prefix.
 */

/** caps_name() - "NET_ADMIN" for 12; NULL if homo does not know it. */
const char *caps_name(unsigned cap);

/**
 * caps_last() - the highest capability the running kernel knows
 * (libcap's cap_max_bits(): the value of /proc/sys/kernel/cap_last_cap, but
 * probed with PR_CAPBSET_READ so it works without /proc), capped at what
 * homo knows.
 */
unsigned caps_last(void);

/** caps_default() - Docker's 14 default capabilities. */
uint64_t caps_default(void);

/** caps_all() - every capability the running kernel knows. */
uint64_t caps_all(void);

/**
 * caps_resolve() - the capability set of a container, as Docker
 * computes it from --cap-add, --cap-drop and --privileged.
 * @add: NULL-terminated names (or NULL), case-insensitive, with or without
 *	"CAP_", or "ALL".
 * @drop: likewise.
 * @mask: receives the set.
 *
 * --privileged gives all. Otherwise: with "ALL" in @add, all but @drop; with
 * "ALL" in @drop, exactly @add (so "--cap-drop ALL --cap-add NET_ADMIN" is
 * NET_ADMIN alone); else the defaults minus @drop plus @add, so a capability
 * both added and dropped is kept, as in Docker.
 *
 * Return: 0, or -1 with @e set to `unknown capability "FOO"` (exit 125).
 */
int caps_resolve(char *const *add, char *const *drop, bool privileged,
		 uint64_t *mask, struct hm_err *e);

/**
 * caps_setgroups_denied() - /proc/self/setgroups says "deny" (a user
 * namespace whose maps were written without the right to setgroups).
 */
bool caps_setgroups_denied(void);

#endif
