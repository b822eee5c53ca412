/* SPDX-License-Identifier: MIT */
/*
 * What the exec shim (src/shim/exec_shim.c) and homo (runtime/exec_shim.c)
 * share: its command line and the report it sends when the command's
 * execve(2) fails. Nothing here may need libc: the shim has none.
 *
 * The shim's argv: NAME ERRFD PATH ARG0 [ARG...]; NAME prefixes its own
 * messages, ERRFD is a socket to report to ("-": write to stderr), PATH
 * is the file to exec with ARG0... as its argv.
 */
#ifndef HOMO_EXEC_SHIM_PROTO_H
#define HOMO_EXEC_SHIM_PROTO_H

#define EXEC_SHIM_ARGC_MIN 5 /* "homo-exec" NAME ERRFD PATH ARG0 */

/* 'HXEC': unlike the first int of any sync message of homo's */
#define EXEC_SHIM_REPORT 0x48584543

/* sent to ERRFD in one write when execve(PATH) fails, then it exits */
struct exec_shim_report {
	int type; /* EXEC_SHIM_REPORT */
	int err;  /* execve's errno */
};

#endif
