/* SPDX-License-Identifier: MIT */
#include "base/rootless.h"

static struct {
	bool on;
	uid_t uid;
} mode;

void hm_set_rootless(uid_t uid)
{
	mode.on = true;
	mode.uid = uid;
}

bool hm_rootless(void)
{
	return mode.on;
}

uid_t hm_rootless_uid(void)
{
	return mode.uid;
}

const char *hm_ovl_prefix(void)
{
	return mode.on ? "user.overlay." : "trusted.overlay.";
}

const char *hm_ovl_opaque(void)
{
	return mode.on ? "user.overlay.opaque" : "trusted.overlay.opaque";
}
