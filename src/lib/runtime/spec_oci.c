/* SPDX-License-Identifier: MIT */
/*
 * homo's record as an OCI runtime spec (spec_oci.h). Built as JSON and read
 * back by oci_spec_from_json(), so that homo run's policy passes the same
 * checks as a bundle's config.json and `homo runtime spec` prints it.
 */
#include "runtime/spec_oci.h"

#include <string.h>
#include <sys/mount.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/cgroup.h"
#include "runtime/seccomp.h"
#include "runtime/volumes.h"

/* Docker's masked and read-only paths (moby's oci/defaults.go) */
static const char *const masked[] = {
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
};
static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};
static const char *const etc_files[] = {"hostname", "hosts", "resolv.conf"};

static bool env_has(char *const *env, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, len) && env[i][len] == '=')
			return true;
	return false;
}

char **spec_oci_env(const struct hm_spec *s, const char *home)
{
	char **env = NULL;

	for (size_t i = 0; s->env && s->env[i]; i++)
		env = strv_push(env, s->env[i]);
	if (home && !env_has(env, "HOME")) {
		cleanup_free char *h = xasprintf("HOME=%s", home);

		env = strv_push(env, h);
	}
	if (s->hostname && !env_has(env, "HOSTNAME")) {
		cleanup_free char *h = xasprintf("HOSTNAME=%s", s->hostname);

		env = strv_push(env, h);
	}
	if (s->tty && !env_has(env, "TERM"))
		env = strv_push(env, "TERM=xterm");
	return env;
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *cap_names(uint64_t mask)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < 64; i++) {
		const char *n = mask >> i & 1 ? caps_name(i) : NULL;

		if (n)
			json_array_append_new(a, json_sprintf("CAP_%s", n));
	}
	return a;
}

static json_t *process(const struct hm_spec *s)
{
	char **env = spec_oci_env(s, NULL);
	json_t *caps = json_pack("{s:o, s:o, s:o, s:[], s:[]}", "bounding",
				 cap_names(s->caps), "effective",
				 cap_names(s->caps), "permitted",
				 cap_names(s->caps), "inheritable", "ambient");
	json_t *p = json_pack(
	    "{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:o, s:b}", "terminal", s->tty,
	    "user", "uid", 0, "gid", 0, "args", strv_json(s->argv), "env",
	    strv_json(env), "cwd", s->workdir && *s->workdir ? s->workdir : "/",
	    "capabilities", caps, "noNewPrivileges", s->no_new_privs);

	strv_free(env);
	return p;
}

static void add_mount(json_t *a, const char *dst, const char *type,
		      const char *src, json_t *opts)
{
	json_array_append_new(a,
			      json_pack("{s:s, s:s, s:s, s:o}", "destination",
					dst, "type", type, "source", src,
					"options", opts ? opts : json_array()));
}

/* a --tmpfs or --mount type=tmpfs: its checked flags and data */
static void tmpfs_mount(json_t *a, const struct hm_volume *v)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} f[] = {{MS_RDONLY, "ro"},
		 {MS_NOSUID, "nosuid"},
		 {MS_NODEV, "nodev"},
		 {MS_NOEXEC, "noexec"}};
	cleanup_free char *data = NULL;
	unsigned long flags = 0;
	json_t *o = json_array();
	char *save = NULL;

	if (volumes_tmpfs_parse(v->opts, &flags, &data, NULL) < 0)
		flags =
		    MS_NOSUID | MS_NODEV | MS_NOEXEC; /* checked at create */
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (flags & f[i].flag)
			json_array_append_new(o, json_string(f[i].name));
	for (char *w = data ? strtok_r(data, ",", &save) : NULL; w;
	     w = strtok_r(NULL, ",", &save))
		json_array_append_new(o, json_string(w));
	add_mount(a, v->dst, "tmpfs", "tmpfs", o);
}

/* volumes and -v binds; a read-only one with every mount below it */
static void volume_mounts(json_t *a, const struct hm_spec *s)
{
	for (size_t i = 0; i < s->nvolumes; i++) {
		const struct hm_volume *v = &s->volumes[i];

		if (v->type == MOUNT_TMPFS)
			tmpfs_mount(a, v);
		else
			add_mount(a, v->dst, "bind", v->src,
				  v->ro ? json_pack("[ss]", "rbind", "rro")
					: json_pack("[s]", "rbind"));
	}
}

/* homo's /etc/hostname, hosts, resolv.conf, unless a volume is there */
static void etc_mounts(json_t *a, const struct hm_spec *s, const char *dir)
{
	for (size_t i = 0; dir && i < ARRAY_SIZE(etc_files); i++) {
		cleanup_free char *dst = xasprintf("/etc/%s", etc_files[i]);
		cleanup_free char *src =
		    *dir ? xasprintf("%s/%s", dir, etc_files[i])
			 : xstrdup(etc_files[i]);
		bool own = false;

		for (size_t v = 0; v < s->nvolumes; v++)
			own |= !strcmp(s->volumes[v].dst, dst);
		if (!own)
			add_mount(a, dst, "bind", src,
				  json_pack("[s]", "bind"));
	}
}

static bool userns(const struct hm_spec *s, const struct spec_oci_host *h)
{
	return s->uidmap.count || h->rootless;
}

/* --device in a user namespace (no mknod there): the host's node, bound */
static void device_binds(json_t *a, const struct hm_spec *s)
{
	for (size_t i = 0; i < s->ndevices; i++)
		add_mount(a, s->devices[i].path, "bind", s->devices[i].host,
			  json_pack("[s]", "bind"));
}

static json_t *mounts(const struct hm_spec *s, const struct spec_oci_host *h)
{
	json_t *a = json_array();
	json_t *sys = json_pack("[sss]", "nosuid", "noexec", "nodev");
	/* rootless without a cgroup: an empty tmpfs, not the user's */
	bool cgroups = !h->rootless || !cgroup_none();
	json_t *cg = json_pack("[ssss]", "nosuid", "noexec", "nodev",
			       cgroups ? "relatime" : "mode=755");

	add_mount(a, "/proc", "proc", "proc",
		  json_pack("[sss]", "nosuid", "noexec", "nodev"));
	add_mount(a, "/dev", "tmpfs", "tmpfs",
		  json_pack("[ssss]", "nosuid", "strictatime", "mode=755",
			    "size=65536k"));
	add_mount(a, "/dev/pts", "devpts", "devpts",
		  json_pack("[sssss]", "nosuid", "noexec", "newinstance",
			    "ptmxmode=0666", "mode=0620"));
	if (h->tty_gid)
		json_array_append_new(
		    json_object_get(json_array_get(a, 2), "options"),
		    json_string("gid=5"));
	add_mount(a, "/dev/shm", "tmpfs", "shm",
		  json_pack("[sssss]", "nosuid", "noexec", "nodev", "mode=1777",
			    "size=65536k"));
	add_mount(a, "/dev/mqueue", "mqueue", "mqueue",
		  json_pack("[sss]", "nosuid", "noexec", "nodev"));
	if (userns(s, h))
		device_binds(a, s);
	/* Docker's: --privileged makes /sys and the cgroup mount rw */
	if (!s->privileged) {
		json_array_append_new(sys, json_string("ro"));
		json_array_append_new(cg, json_string("ro"));
	}
	add_mount(a, "/sys", "sysfs", "sysfs", sys);
	add_mount(a, "/sys/fs/cgroup", cgroups ? "cgroup" : "tmpfs",
		  cgroups ? "cgroup" : "tmpfs", cg);
	volume_mounts(a, s);
	etc_mounts(a, s, h->etc_dir);
	return a;
}

static json_t *id_map(const struct hm_idmap *m)
{
	return json_pack("[{s:I, s:I, s:I}]", "containerID", (json_int_t)m->ctr,
			 "hostID", (json_int_t)m->host, "size",
			 (json_int_t)m->count);
}

/* --device: the node (made unless in a user namespace), and its rule
 * after the default deny */
static void devices(json_t *lx, const struct hm_spec *s, bool mknod)
{
	json_t *nodes = json_array();
	json_t *rules = json_pack("[{s:b, s:s}]", "allow", 0, "access", "rwm");

	for (size_t i = 0; i < s->ndevices; i++) {
		const struct hm_device *d = &s->devices[i];
		char type[2] = {d->type, '\0'};

		if (mknod)
			json_array_append_new(
			    nodes,
			    json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:i}",
				      "path", d->path, "type", type, "major",
				      (json_int_t)d->major, "minor",
				      (json_int_t)d->minor, "fileMode",
				      (json_int_t)(d->mode & 07777), "uid", 0,
				      "gid", 0));
		json_array_append_new(
		    rules,
		    json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type",
			      type, "major", (json_int_t)d->major, "minor",
			      (json_int_t)d->minor, "access", d->perms));
	}
	json_object_set_new(lx, "devices", nodes);
	json_object_set_new(lx, "resources",
			    json_pack("{s:o}", "devices", rules));
}

static json_t *linux_part(const struct hm_spec *s,
			  const struct spec_oci_host *h)
{
	json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type",
			       "pid", "type", "ipc", "type", "uts", "type",
			       "mount", "type", "cgroup");
	json_t *lx = json_object();

	/* host: the host's; container: the other's, joined by homo */
	if (s->net == NET_NONE || s->net == NET_BRIDGE)
		json_array_append_new(ns,
				      json_pack("{s:s}", "type", "network"));
	if (s->uidmap.count || h->rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_object_set_new(lx, "namespaces", ns);
	if (s->uidmap.count) {
		json_object_set_new(lx, "uidMappings", id_map(&s->uidmap));
		json_object_set_new(lx, "gidMappings", id_map(&s->gidmap));
	}
	devices(lx, s, !userns(s, h));
	if (!s->privileged) {
		json_t *m = json_array(), *r = json_array();

		for (size_t i = 0; i < ARRAY_SIZE(masked); i++)
			json_array_append_new(m, json_string(masked[i]));
		for (size_t i = 0; i < ARRAY_SIZE(readonly); i++)
			json_array_append_new(r, json_string(readonly[i]));
		json_object_set_new(lx, "maskedPaths", m);
		json_object_set_new(lx, "readonlyPaths", r);
	}
	/* the filter homo run's processes load (seccomp_prepare()); a
	 * profile that cannot be read makes no spec rather than none */
	if (h->seccomp) {
		json_t *sc = NULL;

		if (seccomp_spec_profile(s, &sc, NULL) < 0) {
			json_decref(lx);
			return NULL;
		}
		if (sc)
			json_object_set_new(lx, "seccomp", sc);
	}
	return lx;
}

json_t *spec_oci_json(const struct hm_spec *s, const struct spec_oci_host *h)
{
	json_t *j = json_pack(
	    "{s:s, s:o, s:{s:s, s:b}, s:o, s:o}", "ociVersion", "1.0.2",
	    "process", process(s), "root", "path", h->root_path, "readonly",
	    s->read_only, "mounts", mounts(s, h), "linux", linux_part(s, h));

	if (s->hostname)
		json_object_set_new(j, "hostname", json_string(s->hostname));
	return j;
}

/* @j (consumed) read by the bundle's parser: the same checks for both */
static int from_json(json_t *j, struct oci_spec *o, const char *what,
		     struct hm_err *e)
{
	int r;

	if (!j)
		return hm_failx(e, HM_EXIT_FAIL, "%s", what);
	r = oci_spec_from_json(j, o, e);
	json_decref(j);
	return r < 0 ? hm_prefix(e, "%s", what) : 0;
}

int spec_oci_build(const struct hm_spec *s, const struct spec_oci_host *h,
		   struct oci_spec *o, struct hm_err *e)
{
	return from_json(spec_oci_json(s, h), o, "the container's OCI spec", e);
}

int spec_oci_process(const struct hm_spec *s, struct oci_spec *o,
		     struct hm_err *e)
{
	return from_json(json_pack("{s:s, s:{s:s}, s:o}", "ociVersion", "1.0.2",
				   "root", "path", "/", "process", process(s)),
			 o, "the process's OCI spec", e);
}
