/* SPDX-License-Identifier: MIT */
#include "store/overlay.h"

#include <string.h>
#include <unistd.h>

#include "base/rootless.h"
#include "base/util.h"

char *overlay_options(char *const *layers, const char *upper, const char *work,
		      struct hm_err *e)
{
	size_t n = strv_len(layers), len = 0, page = (size_t)getpagesize();
	cleanup_free char *lower = NULL;
	char *opts;

	if (n == 0)
		return hm_failx(e, HM_EXIT_FAIL, "image has no layers"), NULL;
	if (n > OVERLAY_MAX_LAYERS)
		return hm_failx(e, HM_EXIT_FAIL,
				"image has %zu layers: overlayfs stacks at "
				"most %d; squash it (homo export | homo pull)",
				n, OVERLAY_MAX_LAYERS),
		       NULL;
	lower = xmalloc(n * (LAYER_SHORT_LEN + 3) + 1);
	for (size_t i = n; i-- > 0;) { /* top first */
		if (strlen(layers[i]) < LAYER_SHORT_LEN)
			return hm_failx(e, HM_EXIT_FAIL, "bad layer id \"%s\"",
					layers[i]),
			       NULL;
		len += (size_t)sprintf(lower + len, "%sl/%.*s", len ? ":" : "",
				       LAYER_SHORT_LEN, layers[i]);
	}
	/* rootless: markers as user.overlay.* (docs/rootless.md) */
	opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s%s", lower, upper,
			 work, hm_rootless() ? ",userxattr" : "");
	if (strlen(opts) >= page) {
		free(opts);
		return hm_failx(e, HM_EXIT_FAIL,
				"image has %zu layers: the overlay mount "
				"options exceed the kernel's %zu-byte limit; "
				"squash it (homo export | homo pull)",
				n, page),
		       NULL;
	}
	return opts;
}
