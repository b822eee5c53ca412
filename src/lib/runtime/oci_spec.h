/* SPDX-License-Identifier: MIT */
#ifndef HOMO_OCI_SPEC_H
#define HOMO_OCI_SPEC_H

/*
 * The OCI runtime spec (config.json of a bundle, runtime-spec 1.0-1.1) read
 * into C, checked strictly: a field of the wrong type or with a value homo
 * cannot honour is one error naming the field ("process.args[1]: not a
 * string"). Unknown properties are ignored, as the spec requires.
 * Numbers not given are -1 (OCI_UNSET); strings not given are NULL.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/error.h"

#define OCI_UNSET (-1)

enum oci_cap_set {
	OCI_CAP_BOUNDING,
	OCI_CAP_EFFECTIVE,
	OCI_CAP_INHERITABLE,
	OCI_CAP_PERMITTED,
	OCI_CAP_AMBIENT,
	OCI_CAP_NSETS
};

struct oci_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct oci_process {
	bool terminal;
	char **args; /* at least one */
	char **env;
	char *cwd; /* absolute */
	uid_t uid;
	gid_t gid;
	int64_t umask; /* OCI_UNSET when not given */
	gid_t *groups;
	size_t ngroups;
	bool has_caps; /* "capabilities" present */
	uint64_t caps[OCI_CAP_NSETS];
	struct oci_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privs;
	int64_t oom_score_adj; /* OCI_UNSET when not given */
	char *apparmor, *selinux_label;
};

struct oci_mount {
	char *destination;   /* absolute */
	char *type, *source; /* NULL when not given */
	char **options;
};

struct oci_namespace {
	int type;   /* CLONE_NEW* */
	char *path; /* join this one; NULL: create a new one */
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

struct oci_device_rule {
	bool allow;
	char type;	      /* 'a', 'c', 'b' */
	int64_t major, minor; /* OCI_UNSET: any */
	char access[4];	      /* subset of "rwm" */
};

struct oci_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	int64_t file_mode, uid, gid; /* OCI_UNSET when not given */
};

struct oci_resources {
	int64_t mem_limit, mem_reservation, mem_swap, mem_kernel;
	int64_t mem_kernel_tcp;
	int64_t mem_swappiness;
	bool disable_oom_killer;
	int64_t cpu_shares, cpu_quota, cpu_period;
	int64_t cpu_rt_runtime, cpu_rt_period;
	char *cpus, *mems;
	int64_t pids_limit; /* 0: unlimited (the spec's -1 or 0) */
	struct oci_device_rule *devices;
	size_t ndevices;
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_NKINDS
};

struct oci_hook {
	char *path; /* absolute */
	char **args, **env;
	int64_t timeout; /* seconds, OCI_UNSET: none */
};

struct oci_spec {
	char *oci_version;
	struct oci_process process;
	bool has_process; /* optional for create, required for start */
	char *root_path;  /* as given: relative to the bundle or absolute */
	bool root_readonly;
	char *hostname, *domainname;
	struct oci_mount *mounts;
	size_t nmounts;
	struct oci_hook *hooks[OCI_HOOK_NKINDS];
	size_t nhooks[OCI_HOOK_NKINDS];
	char **annotations; /* key, value, key, value, ..., NULL */

	/* linux */
	struct oci_namespace *namespaces;
	size_t nnamespaces;
	struct oci_idmap *uid_map, *gid_map;
	size_t nuid_map, ngid_map;
	struct oci_device *devices;
	size_t ndevices;
	struct oci_resources res;
	char *cgroups_path;
	char **sysctl; /* key, value, ..., NULL */
	char **masked_paths, **readonly_paths;
	char *rootfs_propagation, *mount_label;
	json_t *seccomp; /* shape checked; compiled by the seccomp layer */
};

/**
 * oci_spec_from_json() - read @j (a parsed config.json) into @s.
 * Return: 0, or -1 with @e naming the first bad field; @s is then empty.
 */
int oci_spec_from_json(json_t *j, struct oci_spec *s, struct hm_err *e);

/** oci_spec_load() - read and check @bundle/config.json. */
int oci_spec_load(const char *bundle, struct oci_spec *s, struct hm_err *e);

/** oci_spec_free() - release what @s holds (it may be zeroed). */
void oci_spec_free(struct oci_spec *s);

/** oci_rlimit_name() - "RLIMIT_NOFILE" for RLIMIT_NOFILE. */
const char *oci_rlimit_name(int res);

/** oci_ns_has() - the namespace entry of @type (CLONE_NEW*), or NULL. */
const struct oci_namespace *oci_ns_find(const struct oci_spec *s, int type);

/* Internal to oci_spec*.c: the field readers shared by both files. */
int oci_get_str(json_t *o, const char *key, const char *path, char **out,
		struct hm_err *e);
int oci_get_strv(json_t *o, const char *key, const char *path, char ***out,
		 struct hm_err *e);
int oci_get_int(json_t *o, const char *key, const char *path, int64_t min,
		int64_t max, int64_t *out, struct hm_err *e);
int oci_get_bool(json_t *o, const char *key, const char *path, bool *out,
		 struct hm_err *e);
int oci_get_map(json_t *o, const char *key, const char *path, char ***out,
		struct hm_err *e);
int oci_parse_linux(json_t *lx, struct oci_spec *s, struct hm_err *e);

#endif
