/* SPDX-License-Identifier: MIT */
/* config.json (OCI runtime spec) parsing: real configs as crun, Podman and
 * containerd write them are read completely; each malformed field is one
 * error naming it. */
#include "unit.h"

#include <sched.h>
#include <sys/resource.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/oci_spec.h"

static json_t *fixture(const char *name)
{
	const char *slash = strrchr(__FILE__, '/');
	char *path =
	    xasprintf("%.*s/oci/%s", slash ? (int)(slash - __FILE__) : 1,
		      slash ? __FILE__ : ".", name);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!j)
		fail_msg("%s: %s", path, je.text);
	free(path);
	return j;
}

static uint64_t cap_bit(const char *name)
{
	for (unsigned c = 0; c < 64; c++)
		if (caps_name(c) && !strcmp(caps_name(c), name))
			return 1ULL << c;
	fail_msg("no capability %s", name);
	return 0;
}

static const char *map_get(char **kv, const char *key)
{
	for (size_t i = 0; kv && kv[i]; i += 2)
		if (!strcmp(kv[i], key))
			return kv[i + 1];
	return NULL;
}

static void test_crun_spec(void **state)
{
	json_t *j = fixture("crun-spec.json");
	struct oci_spec s;
	struct hm_err e;

	(void)state;
	assert_int_equal(oci_spec_from_json(j, &s, &e), 0);
	assert_true(s.has_process);
	assert_string_equal(s.process.args[0], "sh");
	assert_true(s.process.terminal);
	assert_string_equal(s.process.cwd, "/");
	assert_int_equal(s.process.uid, 0);
	assert_true(s.process.no_new_privs);
	assert_int_equal(s.process.caps[OCI_CAP_BOUNDING],
			 cap_bit("AUDIT_WRITE") | cap_bit("KILL") |
			     cap_bit("NET_BIND_SERVICE"));
	assert_int_equal(s.process.caps[OCI_CAP_AMBIENT],
			 s.process.caps[OCI_CAP_BOUNDING]);
	assert_int_equal(s.process.nrlimits, 1);
	assert_int_equal(s.process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s.process.rlimits[0].soft, 1024);
	assert_string_equal(s.root_path, "rootfs");
	assert_true(s.root_readonly);
	assert_string_equal(s.hostname, "crun");
	assert_int_equal(s.nmounts, 7);
	assert_string_equal(s.mounts[0].destination, "/proc");
	assert_string_equal(s.mounts[0].type, "proc");
	assert_null(s.mounts[0].options);
	assert_int_equal(s.nnamespaces, 5);
	assert_non_null(oci_ns_find(&s, CLONE_NEWNS));
	assert_null(oci_ns_find(&s, CLONE_NEWUSER));
	assert_null(oci_ns_find(&s, CLONE_NEWPID)->path);
	assert_non_null(s.masked_paths);
	assert_non_null(s.readonly_paths);
	assert_int_equal(s.res.mem_limit, OCI_UNSET);
	assert_int_equal(s.res.pids_limit, OCI_UNSET);
	assert_null(s.seccomp);
	oci_spec_free(&s);
	json_decref(j);
}

static void test_podman_like(void **state)
{
	json_t *j = fixture("podman-like.json");
	struct oci_spec s;
	struct hm_err e;

	(void)state;
	assert_int_equal(oci_spec_from_json(j, &s, &e), 0);
	assert_int_equal(s.process.umask, 022);
	assert_int_equal(s.process.ngroups, 2);
	assert_int_equal(s.process.groups[1], 10);
	assert_int_equal(s.process.caps[OCI_CAP_INHERITABLE], 0);
	assert_int_equal(s.process.caps[OCI_CAP_EFFECTIVE],
			 s.process.caps[OCI_CAP_BOUNDING]);
	assert_true(s.process.caps[OCI_CAP_BOUNDING] & cap_bit("SETFCAP"));
	assert_int_equal(s.process.nrlimits, 2);
	assert_int_equal(s.process.rlimits[1].resource, RLIMIT_NPROC);
	assert_int_equal(s.process.rlimits[1].hard, 32768);
	assert_int_equal(s.process.oom_score_adj, 0);
	assert_string_equal(s.mounts[5].options[1], "rprivate");
	assert_string_equal(s.mounts[6].type, "cgroup");
	assert_string_equal(
	    map_get(s.annotations, "org.opencontainers.image.stopSignal"),
	    "15");
	assert_int_equal(s.nuid_map, 1);
	assert_int_equal(s.uid_map[0].host_id, 100000);
	assert_int_equal(s.gid_map[0].size, 65536);
	assert_string_equal(map_get(s.sysctl, "net.ipv4.ping_group_range"),
			    "0 0");
	assert_int_equal(s.res.mem_limit, 104857600);
	assert_int_equal(s.res.mem_swap, 209715200);
	assert_int_equal(s.res.cpu_quota, 50000);
	assert_int_equal(s.res.cpu_period, 100000);
	assert_int_equal(s.res.cpu_shares, OCI_UNSET);
	assert_int_equal(s.res.pids_limit, 2048);
	assert_int_equal(s.res.ndevices, 1);
	assert_false(s.res.devices[0].allow);
	assert_int_equal(s.res.devices[0].type, 'a');
	assert_int_equal(s.res.devices[0].major, OCI_UNSET);
	assert_string_equal(s.res.devices[0].access, "rwm");
	assert_string_equal(s.cgroups_path, "/libpod_parent/libpod-abc");
	assert_null(oci_ns_find(&s, CLONE_NEWNET)->path);
	assert_null(oci_ns_find(&s, CLONE_NEWCGROUP));
	assert_non_null(s.seccomp);
	assert_int_equal(
	    json_integer_value(json_object_get(s.seccomp, "defaultErrnoRet")),
	    38);
	assert_string_equal(s.masked_paths[2], "/proc/keys");
	assert_string_equal(s.readonly_paths[2], "/proc/sys");
	oci_spec_free(&s);
	json_decref(j);
}

static void test_containerd_like(void **state)
{
	json_t *j = fixture("containerd-like.json");
	struct oci_spec s;
	struct hm_err e;

	(void)state;
	assert_int_equal(oci_spec_from_json(j, &s, &e), 0);
	assert_int_equal(s.process.uid, 1000);
	assert_int_equal(s.process.umask, OCI_UNSET);
	assert_int_equal(s.process.caps[OCI_CAP_AMBIENT], cap_bit("KILL"));
	assert_true(s.process.has_caps);
	assert_string_equal(oci_ns_find(&s, CLONE_NEWNET)->path,
			    "/var/run/netns/cni-1");
	assert_string_equal(s.cgroups_path, "system.slice:cri:c1");
	assert_int_equal(s.nhooks[OCI_HOOK_PRESTART], 1);
	assert_int_equal(s.hooks[OCI_HOOK_PRESTART][0].timeout, 5);
	assert_string_equal(s.hooks[OCI_HOOK_PRESTART][0].args[1], "x");
	assert_int_equal(s.nhooks[OCI_HOOK_POSTSTOP], 1);
	assert_int_equal(s.hooks[OCI_HOOK_POSTSTOP][0].timeout, OCI_UNSET);
	assert_string_equal(s.hooks[OCI_HOOK_POSTSTOP][0].env[0], "A=1");
	assert_int_equal(s.nhooks[OCI_HOOK_CREATE_RUNTIME], 0);
	assert_int_equal(s.ndevices, 1);
	assert_int_equal(s.devices[0].minor, 229);
	assert_int_equal(s.devices[0].file_mode, 0666);
	assert_int_equal(s.res.ndevices, 3);
	assert_int_equal(s.res.devices[1].major, 1);
	assert_string_equal(s.res.devices[1].access, "rw");
	assert_int_equal(s.res.devices[2].minor, OCI_UNSET);
	assert_int_equal(s.res.cpu_shares, 1024);
	assert_string_equal(s.res.cpus, "0-1");
	assert_int_equal(s.res.mem_limit, -1);
	assert_null(s.mounts[0].options);
	oci_spec_free(&s);
	json_decref(j);
}

/* Each case breaks one field of the Podman-like config by a JSON-pointer-ish
 * path edit; the error must name exactly that field. */
static const struct bad_case {
	const char *fixture, *patch, *msg;
} bad_cases[] = {
    {"podman-like.json", "{\"ociVersion\":2}", "ociVersion: not a string"},
    {"podman-like.json", "{\"ociVersion\":\"0.9\"}",
     "ociVersion: not a 1.x version"},
    {"podman-like.json", "{\"root\":{}}", "root.path: missing"},
    {"podman-like.json", "{\"root\":[]}", "root: not an object"},
    {"podman-like.json", "{\"hostname\":1}", "hostname: not a string"},
    {"podman-like.json", "{\"mounts\":[{\"type\":\"tmpfs\"}]}",
     "mounts[0].destination: must be an absolute path"},
    {"podman-like.json",
     "{\"mounts\":[{\"destination\":\"/x\","
     "\"options\":[\"ro\",3]}]}",
     "mounts[0].options[1]: not a string"},
    {"podman-like.json", "{\"annotations\":{\"a\":1}}",
     "annotations.a: not a string"},
    {"podman-like.json", "{\"hooks\":{\"poststop\":[{\"path\":\"x\"}]}}",
     "hooks.poststop[0].path: must be an absolute path"},
    {"podman-like.json",
     "{\"hooks\":{\"prestart\":[{\"path\":\"/x\",\"timeout\":0}]}}",
     "hooks.prestart[0].timeout: 0 out of range"},
};

static const struct bad_case bad_process[] = {
    {"podman-like.json", "{\"args\":[]}",
     "process.args: needs at least one element"},
    {"podman-like.json", "{\"args\":[\"a\",1]}",
     "process.args[1]: not a string"},
    {"podman-like.json", "{\"cwd\":\"rel\"}",
     "process.cwd: must be an absolute path"},
    {"podman-like.json", "{\"env\":[\"NOEQUALS\"]}",
     "process.env[0]: not KEY=VALUE"},
    {"podman-like.json", "{\"terminal\":\"yes\"}",
     "process.terminal: not a boolean"},
    {"podman-like.json", "{\"user\":{\"uid\":-1}}",
     "process.user.uid: -1 out of range"},
    {"podman-like.json", "{\"user\":{\"additionalGids\":[\"x\"]}}",
     "process.user.additionalGids[0]: not a gid"},
    {"podman-like.json",
     "{\"capabilities\":{\"effective\":[\"CAP_KILL\",\"CAP_NOPE\"]}}",
     "process.capabilities.effective[1]: not a capability name"},
    {"podman-like.json", "{\"capabilities\":{\"ambient\":[\"KILL\"]}}",
     "process.capabilities.ambient[0]: not a capability name"},
    {"podman-like.json",
     "{\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}",
     "process.rlimits[0]: needs a known type"},
    {"podman-like.json",
     "{\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1},"
     "{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1}]}",
     "process.rlimits[1]: RLIMIT_CORE given twice"},
    {"podman-like.json", "{\"oomScoreAdj\":1001}",
     "process.oomScoreAdj: 1001 out of range"},
};

static const struct bad_case bad_linux[] = {
    {"podman-like.json", "{\"namespaces\":[{\"type\":\"pdi\"}]}",
     "linux.namespaces[0].type: not a namespace type"},
    {"podman-like.json",
     "{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}",
     "linux.namespaces[1]: pid given twice"},
    {"podman-like.json",
     "{\"namespaces\":[{\"type\":\"user\",\"path\":\"proc/1/ns/user\"}]}",
     "linux.namespaces[0].path: must be an absolute path"},
    {"podman-like.json", "{\"namespaces\":[{\"type\":\"pid\"}]}",
     "linux.uidMappings: given without a user namespace"},
    {"podman-like.json",
     "{\"uidMappings\":[{\"containerID\":0,"
     "\"hostID\":1}]}",
     "linux.uidMappings[0]: needs containerID, hostID and size"},
    {"podman-like.json",
     "{\"gidMappings\":[{\"containerID\":0,"
     "\"hostID\":1,\"size\":0}]}",
     "linux.gidMappings[0].size: 0 out of range"},
    {"podman-like.json", "{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}",
     "linux.resources.memory.limit: not an integer"},
    {"podman-like.json", "{\"resources\":{\"cpu\":{\"shares\":-2}}}",
     "linux.resources.cpu.shares: -2 out of range"},
    {"podman-like.json", "{\"resources\":{\"pids\":{}}}",
     "linux.resources.pids.limit: missing"},
    {"podman-like.json", "{\"resources\":{\"pids\":7}}",
     "linux.resources.pids: not an object"},
    {"podman-like.json",
     "{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}",
     "linux.resources.devices[0].access: not a subset"},
    {"podman-like.json",
     "{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"u\"}]}}",
     "linux.resources.devices[0].type: not one of acb"},
    {"podman-like.json", "{\"resources\":{\"devices\":[{\"access\":\"r\"}]}}",
     "linux.resources.devices[0].allow: not a boolean"},
    {"podman-like.json", "{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\"}]}",
     "linux.devices[0]: needs major and minor"},
    {"podman-like.json", "{\"cgroupsPath\":[]}",
     "linux.cgroupsPath: not a string"},
    {"podman-like.json", "{\"sysctl\":{\"kernel.shmmax\":1}}",
     "linux.sysctl.kernel.shmmax: not a string"},
    {"podman-like.json", "{\"maskedPaths\":\"/proc/kcore\"}",
     "linux.maskedPaths: not an array"},
    {"podman-like.json", "{\"seccomp\":{\"syscalls\":[]}}",
     "linux.seccomp.defaultAction: missing"},
    {"podman-like.json",
     "{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
     "\"syscalls\":[{\"names\":[\"read\"]}]}}",
     "linux.seccomp.syscalls[0]: needs names and an action"},
};

/* @patch's members replace those of @j's object at @where ("" = top) */
static void run_bad(const struct bad_case *c, size_t n, const char *where)
{
	for (size_t i = 0; i < n; i++) {
		json_t *j = fixture(c[i].fixture), *p, *obj;
		struct oci_spec s;
		struct hm_err e;

		p = json_loads(c[i].patch, 0, NULL);
		assert_non_null(p);
		obj = *where ? json_object_get(j, where) : j;
		json_object_update(obj, p);
		if (oci_spec_from_json(j, &s, &e) == 0)
			fail_msg("accepted: %s", c[i].patch);
		if (!strstr(e.msg, c[i].msg) ||
		    strncmp(e.msg, "config.json: ", 13))
			fail_msg("%s: got \"%s\", want \"%s\"", c[i].patch,
				 e.msg, c[i].msg);
		assert_null(s.process.args); /* emptied on error */
		json_decref(p);
		json_decref(j);
	}
}

static void test_bad_top(void **state)
{
	(void)state;
	run_bad(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]), "");
}

static void test_bad_process(void **state)
{
	(void)state;
	run_bad(bad_process, sizeof(bad_process) / sizeof(bad_process[0]),
		"process");
}

static void test_bad_linux(void **state)
{
	(void)state;
	run_bad(bad_linux, sizeof(bad_linux) / sizeof(bad_linux[0]), "linux");
}

/* what the spec leaves optional is accepted as absent, or as null */
static void test_minimal_and_nulls(void **state)
{
	json_t *j =
	    json_loads("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
		       "\"mounts\":null,\"linux\":{\"namespaces\":null,"
		       "\"resources\":{\"memory\":null}}}",
		       0, NULL);
	struct oci_spec s;
	struct hm_err e;

	(void)state;
	assert_int_equal(oci_spec_from_json(j, &s, &e), 0);
	assert_false(s.has_process);
	assert_int_equal(s.nmounts, 0);
	assert_int_equal(s.nnamespaces, 0);
	assert_int_equal(s.res.mem_limit, OCI_UNSET);
	assert_int_equal(s.res.pids_limit, OCI_UNSET);
	oci_spec_free(&s);
	json_decref(j);
	/* pids.limit -1 is "max" (update writes it), never "not given" */
	j = json_loads("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
		       "\"linux\":{\"resources\":{\"pids\":{\"limit\":-1}}}}",
		       0, NULL);
	assert_int_equal(oci_spec_from_json(j, &s, &e), 0);
	assert_int_equal(s.res.pids_limit, 0);
	oci_spec_free(&s);
	json_decref(j);
	j = json_loads("[]", 0, NULL);
	assert_int_equal(oci_spec_from_json(j, &s, &e), -1);
	assert_string_equal(e.msg, "config.json: not a JSON object");
	json_decref(j);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_load_bundle(void **state)
{
	char *dir = unit_tmpdir(), *path = xasprintf("%s/config.json", dir);
	struct oci_spec s;
	struct hm_err e;

	(void)state;
	assert_int_equal(oci_spec_load(dir, &s, &e), -1);
	if (!strstr(e.msg, "config.json") || !strstr(e.msg, "No such file"))
		fail_msg("%s", e.msg);
	write_text(path, "{\"ociVersion\":\"1.0.0\",\"ociVersion\":\"1\"}");
	assert_int_equal(oci_spec_load(dir, &s, &e), -1);
	if (!strstr(e.msg, "duplicate"))
		fail_msg("%s", e.msg);
	write_text(path,
		   "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}");
	assert_int_equal(oci_spec_load(dir, &s, &e), 0);
	assert_string_equal(s.root_path, "r");
	oci_spec_free(&s);
	unit_rmtree(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crun_spec),
	    cmocka_unit_test(test_podman_like),
	    cmocka_unit_test(test_containerd_like),
	    cmocka_unit_test(test_bad_top),
	    cmocka_unit_test(test_bad_process),
	    cmocka_unit_test(test_bad_linux),
	    cmocka_unit_test(test_minimal_and_nulls),
	    cmocka_unit_test(test_load_bundle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
