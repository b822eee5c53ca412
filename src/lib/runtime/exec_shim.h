/* SPDX-License-Identifier: MIT */
/*
 * The last exec of a container's process goes through the exec shim
 * (src/shim/exec_shim.c, docs/security.md "The last exec"): homo embeds
 * it, writes it into a sealed memfd and execs it with the command, which
 * it execs in turn. What runs in a container is then never homo's own
 * binary (CVE-2019-5736), at the cost of one tiny exec instead of a
 * sealed copy of all of homo.
 */
#ifndef HOMO_EXEC_SHIM_H
#define HOMO_EXEC_SHIM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/**
 * exec_shim_guard() - make this process (and the clones it makes for a
 * container) non-dumpable: until they exec the shim they are homo's
 * binary, whose /proc/PID/exe, fd and mem a container's process must not
 * open. Called by the commands that put processes in a container.
 * Rootless it does nothing (exec_shim.c says why).
 */
void exec_shim_guard(void);

/**
 * exec_shim_open() - the shim in a new memfd sealed against any change,
 * made once per process (a fork or clone inherits it): its fd (close on
 * exec), or -1 with @e. Call it before a seccomp filter is loaded.
 */
int exec_shim_open(struct hm_err *e);

/** exec_shim_fd() - the fd exec_shim_open() made, or -1. */
int exec_shim_fd(void);

/**
 * exec_shim_exec() - exec @path with @argv and @envp through the shim.
 * If that exec fails the shim reports its errno on the socket @errfd (a
 * struct exec_shim_report, decoded by exec_shim_decode()) or, with
 * @errfd -1, writes "@name: exec "PATH": why" on stderr; either way it
 * exits 127 (not found) or 126. Returns only if the shim could not be
 * run: -1 with @e.
 */
int exec_shim_exec(const char *name, int errfd, const char *path,
		   char *const argv[], char *const envp[], struct hm_err *e);

/**
 * exec_shim_decode() - whether the @n bytes at @buf, read from the errfd
 * socket, are the shim's report; if so @e says why @cmd did not run, in
 * the phrases of exec_shim_failed().
 */
bool exec_shim_decode(const void *buf, size_t n, const char *cmd,
		      struct hm_err *e);

/**
 * exec_shim_failed() - @e for an exec of @cmd that failed with @err, in
 * the words engines read (docs/oci.md): Docker's 127 for "no such file
 * or directory", 126 for "permission denied" and any other cause.
 * Returns -1.
 */
int exec_shim_failed(const char *cmd, int err, struct hm_err *e);

#endif
