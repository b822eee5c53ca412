/* SPDX-License-Identifier: MIT */
#ifndef HOMO_MONITOR_H
#define HOMO_MONITOR_H

#include "base/error.h"
#include "runtime/container.h"
#include "store/store.h"

/**
 * monitor_start() - start @s detached (homo run -d, homo start).
 *
 * Forks the monitor, a small homo process in its own session (setsid, so
 * the terminal's hangup does not reach it) and a child subreaper, that
 * owns the container: it starts it with its stdout and stderr on pipes,
 * tells us whether the start worked, then, holding no lock, writes the
 * output to the log, waits, records the exit, tears down, restarts it as
 * --restart says, and removes it with --rm.
 *
 * Return: 0 once the container's command runs, or -1 with the start error
 * in @e (exit codes as a foreground run: 125, 126, 127).
 */
int monitor_start(struct hm_store *st, struct hm_spec *s, struct hm_err *e);

/**
 * monitor_start_attached() - the same with a first attach client: one end
 * of a SOCK_SEQPACKET socket pair (runtime/attach.h), taken over (closed
 * here), that gets the output from its first byte and the exit code.
 */
int monitor_start_attached(struct hm_store *st, struct hm_spec *s,
			   int client_fd, struct hm_err *e);

/**
 * restart_wanted() - does the --restart policy restart a container that
 * exited with @code after @restarts restarts?
 */
bool restart_wanted(const struct hm_spec *s, int code, int restarts);

#endif
