/* SPDX-License-Identifier: MIT */
/* --device HOST[:CONTAINER][:rwm]: a host device node in a container. */
#ifndef HOMO_DEVICE_H
#define HOMO_DEVICE_H

#include <jansson.h>

#include "base/error.h"
#include "runtime/spec.h"

/**
 * device_add() - Docker's --device HOST[:CONTAINER][:PERMS] onto @s:
 * HOST a character or block device (stat'ed now: its type, numbers and
 * mode go into the record), CONTAINER an absolute path (default HOST),
 * PERMS r, w and m each at most once (default rwm).
 * Return: 0, or -1 with @e naming the option.
 */
int device_add(struct hm_spec *s, const char *arg, struct hm_err *e);

/** device_rules() - @s's devices as its limits' devices-cgroup rules. */
void device_rules(struct hm_spec *s);

/* the record's "devices" (Docker's HostConfig.Devices fields, and ours) */
json_t *device_to_json(const struct hm_spec *s);
void device_from_json(json_t *a, struct hm_spec *s);
void device_free(struct hm_spec *s);

#endif
