/* SPDX-License-Identifier: MIT */
/*
 * Capabilities (caps.c): names, Docker's defaults and add/drop rules, and
 * applying a set to the calling process, with the user switch and
 * no_new_privs that must be ordered around it.
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
 * caps_apply() - reduce the calling process to @mask.
 * @mask: the set from caps_resolve(). Capabilities this process
 *	does not hold itself cannot be granted and are left out silently (here:
 *	CAP_SYS_RESOURCE, absent from homo's own bounding set), so that
 *	--privileged still works.
 * @uid: the user the process already runs as. When it is not 0 the user
 *	switch cleared the effective set (PR_SET_KEEPCAPS kept the permitted
 *	one), so it is raised again first: dropping from the bounding set needs
 *	CAP_SETPCAP.
 *
 * Drops every capability outside @mask from the bounding set, clears the
 * ambient set and sets permitted = effective = @mask, inheritable empty
 * (as Docker since CVE-2022-24769: a non-empty inheritable set lets
 * programs with inheritable file capabilities gain them).
 *
 * For uid 0 the command then runs with @mask after execve (root's file
 * capabilities are the bounding set). For any other uid execve empties the
 * permitted and effective sets, as with Docker: a non-root user keeps only
 * the bounding set, which limits setuid-root and file-capability programs.
 *
 * Return: 0, or -1 with @e set.
 */
int caps_apply(uint64_t mask, uid_t uid, struct hm_err *e);

/**
 * caps_setgroups_denied() - /proc/self/setgroups says "deny" (a user
 * namespace whose maps were written without the right to setgroups).
 */
bool caps_setgroups_denied(void);

/**
 * caps_switch_user() - become @uid/@gid with supplementary @groups and
 * the capability set @mask, in the one order that works whatever @mask is:
 *
 *  1. drop the bounding set (needs CAP_SETPCAP, still effective) and clear
 *     the ambient set;
 *  2. PR_SET_KEEPCAPS, setgroups, setresgid, setresuid (CAP_SETGID and
 *     CAP_SETUID are still effective, so "--cap-drop SETUID" or
 *     "--cap-drop ALL" does not stop homo's own switch), PR_SET_KEEPCAPS off;
 *  3. set permitted/effective to @mask, inheritable empty.
 *
 * @groups: may be NULL when @ngroups is 0; homo's own groups are always
 *	replaced, never inherited.
 * Return: 0, or -1 with @e naming the step.
 */
int caps_switch_user(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
		     uint64_t mask, struct hm_err *e);

/**
 * caps_no_new_privs() - PR_SET_NO_NEW_PRIVS: execve can never grant
 * privileges again (setuid bits, file capabilities).
 */
int caps_no_new_privs(struct hm_err *e);

#endif
