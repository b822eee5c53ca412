/* SPDX-License-Identifier: MIT */
/*
 * A container's spec (spec.c): what it is made from, the user's options
 * resolved against the image, and its JSON form, saved as config.json.
 * Creating, starting and finding containers is container.h's.
 */
#ifndef HOMO_SPEC_H
#define HOMO_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/idmap.h"
#include "net/network.h"
#include "runtime/cgroup.h"

enum hm_net {
	NET_NONE,      /* own netns, lo only */
	NET_HOST,      /* the host's netns */
	NET_BRIDGE,    /* own netns, eth0 on the bridge homo0 (network.h) */
	NET_CONTAINER, /* another container's netns (netcfg.join) */
};

/* What a mount of -v, --mount or --tmpfs is (docs/volumes.md). */
enum hm_mount_type {
	MOUNT_BIND,   /* a host path */
	MOUNT_VOLUME, /* a volume of the store (store/volume.h) */
	MOUNT_TMPFS,  /* a fresh tmpfs */
};

struct hm_volume {
	char *src; /* absolute host path (a volume's _data); NULL for tmpfs */
	char *dst; /* absolute path inside the container */
	bool ro;
	enum hm_mount_type type;
	char *name;  /* MOUNT_VOLUME: its name; NULL until created if anon */
	bool anon;   /* MOUNT_VOLUME: made for this container (-v /p) */
	bool copyup; /* MOUNT_VOLUME: its first use: copy the image's files */
	bool nocopy; /* MOUNT_VOLUME: never copy the image's files in */
	char *opts;  /* MOUNT_TMPFS: checked mount data ("size=1m,mode=755") */
	unsigned long flags; /* MOUNT_TMPFS: MS_NOSUID | MS_NODEV ... */
};

/* --device: a host device node given to the container (device.c) */
struct hm_device {
	char *host;    /* the node on the host */
	char *path;    /* its absolute path in the container */
	char perms[4]; /* the cgroup access: "rwm" or a part of it */
	char type;     /* 'c' or 'b' */
	unsigned major, minor;
	unsigned mode; /* the host node's permission bits */
};

/*
 * Everything a container is made from: the user's options, then (after
 * container_create) resolved against the image. Saved as config.json.
 */
struct hm_spec {
	char id[65];
	char *name;
	char *image; /* as the user named it */
	char image_id[65];
	char **layers; /* bottom to top */
	/*
	 * The command run: the user's COMMAND before container_create(),
	 * then entrypoint + config_cmd (saved as "cmd", Docker's Path and
	 * Args).
	 */
	char **argv;
	char **entrypoint; /* Config.Entrypoint: the image's or --entrypoint */
	char **config_cmd; /* Config.Cmd: COMMAND, else the image's */
	bool entrypoint_set; /* --entrypoint given, '' too (not saved) */
	char *stop_signal;   /* --stop-signal or the image's; NULL: SIGTERM */
	json_t *labels;	     /* Config.Labels: the image's; NULL: none */
	char **env;	     /* KEY=VAL; image env first, then -e */
	char *workdir;	     /* NULL = the image's */
	char *user;	     /* "", "uid[:gid]" or a name from /etc/passwd */
	char *hostname;	     /* NULL = the short id */
	bool tty, interactive, rm, read_only, privileged, init;
	bool no_new_privs;
	bool seccomp_unconfined; /* --security-opt seccomp=unconfined */
	/* --security-opt seccomp=FILE: the profile (Docker's format) as
	 * JSON text; NULL: homo's own (seccomp.h) */
	char *seccomp_profile;
	enum hm_net net;
	struct hm_netconf netcfg; /* NET_BRIDGE: --ip, -p, the address */
	bool userns_auto;	  /* --userns=auto: pick the maps at create */
	struct hm_idmap uidmap, gidmap; /* count 0: no user namespace */
	struct hm_volume *volumes;
	size_t nvolumes;
	char **volumes_from;	   /* --volumes-from CTR[:ro|rw] (not saved) */
	struct hm_device *devices; /* --device, at most CGROUP_MAX_DEVICES */
	size_t ndevices;
	struct cgroup_limits limits;
	char **cap_add, **cap_drop;
	uint64_t caps;	 /* resolved capability mask */
	bool detach;	 /* -d: a monitor owns it (not saved) */
	char *restart;	 /* --restart: "no", "always", "on-failure" */
	int restart_max; /* on-failure:N; 0 = unlimited */
	int64_t log_max; /* --log-max-size; 0 = LOG_DEFAULT_MAX */
	char created[40];
	/* security fields config.json lacked (or held with the wrong type),
	 * given their safe value by spec_from_json(); system check reports */
	char **filled;
};

void spec_free(struct hm_spec *s);
/* a spec freed at the end of its scope (zeroed: nothing) */
#define cleanup_spec __attribute__((cleanup(spec_free)))
json_t *spec_to_json(const struct hm_spec *s);
/**
 * spec_from_json() - a spec from config.json, checked: the ids and layer
 * ids must be digests (they name paths). A security field that is missing
 * or of the wrong type gets its safe value, named in s->filled: privileged
 * and seccomp_unconfined false, no_new_privs true, caps no more than
 * Docker's defaults, cap_add and cap_drop empty.
 */
int spec_from_json(json_t *j, struct hm_spec *s, struct hm_err *e);
/**
 * spec_resolve_command() - the command to run from the user's and the
 * image config @cfg's (Docker's rules): COMMAND replaces the image's cmd
 * and keeps its entrypoint; --entrypoint replaces the entrypoint and
 * drops the image's cmd. Sets entrypoint, config_cmd and argv; a spec
 * with nothing to run is refused.
 */
int spec_resolve_command(struct hm_spec *s, json_t *cfg, struct hm_err *e);
/* A JSON array of strings as a NULL-terminated vector (never NULL). */
char **spec_strv_from_json(json_t *a);
/* Refuse a spec that JSON cannot hold (a non-UTF-8 word), naming the field. */
int spec_check_utf8(const struct hm_spec *s, struct hm_err *e);

#endif
