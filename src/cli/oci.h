/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CLI_OCI_H
#define HOMO_CLI_OCI_H

#include <stdbool.h>

/*
 * homo as an OCI runtime (docs/oci.md): "homo runtime ARGS" or the same
 * binary named homo-runtime. It has its own global flags and state
 * directory and opens no store.
 */

/** oci_runtime_call() - argv is a runtime call: its first word, or NULL. */
bool oci_runtime_call(int argc, char **argv, int *first);

/** oci_main() - run the runtime command at argv[0..]; the exit status. */
int oci_main(int argc, char **argv);

struct hm_ctx;
struct hm_err;
/* the command table's entry: "homo [GLOBALS] runtime ..." */
int cmd_runtime(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e);

#endif
