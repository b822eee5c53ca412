/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_STATE_H
#define HOMO_OCI_STATE_H

/*
 * The OCI runtime's record of one container: <root>/<id>/state.json
 * (docs/oci.md), written by create and read by every other command. The
 * status is not stored but derived: the init (pid, checked by its start
 * time so a reused pid is not mistaken for it) alive and not yet started
 * is "created", started is "running", gone is "stopped".
 */

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/error.h"

#define OCI_STATE_VERSION "1.0.2"

struct oci_state {
	char *id, *bundle, *rootfs, *created, *owner;
	pid_t pid;		      /* the init's host pid; 0 once reaped */
	unsigned long long pid_start; /* its start time (proc(5) field 22) */
	bool started;		      /* start has run */
	bool paused;		      /* pause has run, resume not */
	char *cgroup;	     /* the cgroup path from each hierarchy's root */
	json_t *annotations; /* object, or NULL */
};

enum oci_status {
	OCI_CREATING,
	OCI_CREATED,
	OCI_RUNNING,
	OCI_STOPPED,
	OCI_PAUSED
};

/** oci_id_check() - a container id safe as a directory name, or -1. */
int oci_id_check(const char *id, struct hm_err *e);

/** oci_state_write() - write @st to @root/@id/state.json (atomically). */
int oci_state_write(const char *root, const struct oci_state *st,
		    struct hm_err *e);

/**
 * oci_state_read() - read @root/@id/state.json into @st.
 * Return: 0; -1 with e->errnum ENOENT and "container does not exist" for
 * an unknown id, or -1 for a damaged record.
 */
int oci_state_read(const char *root, const char *id, struct oci_state *st,
		   struct hm_err *e);

/** oci_state_status() - the status, from the init's liveness. */
enum oci_status oci_state_status(const struct oci_state *st);

/** oci_status_name() - "created", "running", ... */
const char *oci_status_name(enum oci_status s);

/** oci_state_json() - the state as `state` prints it (runtime-spec). */
json_t *oci_state_json(const struct oci_state *st);

void oci_state_free(struct oci_state *st);

#endif
