/* SPDX-License-Identifier: MIT */
/* Signal names and numbers (signame.h): STOPSIGNAL, --stop-signal. */
#include "base/signame.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/number.h"

int signal_parse(const char *s, int *sig)
{
	uint64_t n;

	if (*s >= '0' && *s <= '9') {
		if (num_parse_u64(s, 1, NSIG - 1, &n) < 0)
			return -1;
		*sig = (int)n;
		return 0;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);

		if (abbrev && *s && !strcasecmp(abbrev, s)) {
			*sig = i;
			return 0;
		}
	}
	return -1;
}
