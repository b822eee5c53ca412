/* SPDX-License-Identifier: MIT */
/*
 * homo's binary as the container sees it (sealed.c, CVE-2019-5736): the
 * processes homo puts in a container are clones of homo, so they must run
 * from a sealed copy of its binary, never from the host's file.
 */
#ifndef HOMO_SEALED_H
#define HOMO_SEALED_H

#include <stdbool.h>

#include "base/error.h"

/** sealed_running() - whether /proc/self/exe is a sealed memfd. */
bool sealed_running(void);

/**
 * sealed_reexec() - run from a sealed copy of our binary: if we do not yet,
 * copy /proc/self/exe into a memfd, seal it against any change and execute
 * it with @argv and the environment (plus a marker, so the copy does not
 * do it again). Returns 0 in the sealed process (@argv[0] as its name),
 * -1 with @e if the copy or the exec failed; never returns on success.
 */
int sealed_reexec(char *const argv[], struct hm_err *e);

#endif
