/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CLI_OCI_INT_H
#define HOMO_CLI_OCI_INT_H

/* Between the runtime's dispatch (oci.c) and its commands (oci_cmds.c). */

#include <stdbool.h>

#include "base/error.h"

struct oci_globals {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
};

typedef int oci_cmd_fn(const struct oci_globals *g, int argc, char **argv,
		       struct hm_err *e);

oci_cmd_fn oci_cmd_create, oci_cmd_start, oci_cmd_kill, oci_cmd_delete,
    oci_cmd_run, oci_cmd_spec, oci_cmd_pause, oci_cmd_resume, oci_cmd_ps,
    oci_cmd_list, oci_cmd_exec, oci_cmd_update;

/* run's own pty (oci_run_tty.c): a console socket under @root, the
 * master it receives, the relay to our stdio until the process ends */
int oci_tty_listen(const char *root, const char *id, char **path,
		   struct hm_err *e);
int oci_tty_accept(int lfd, struct hm_err *e);
void oci_tty_relay(int master);

#endif
