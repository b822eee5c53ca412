/* SPDX-License-Identifier: MIT */
/*
 * spec_oci.c: homo's record as an OCI spec, read back by the OCI parser:
 * the policy of a plain run (capabilities, masks, /dev, /sys and the
 * cgroup entry read-only, Docker's environment), what --privileged,
 * --device, volumes, the /etc files, a user namespace, --net host and
 * seccomp=unconfined change.
 */
#include "unit.h"

#include <sched.h>
#include <sys/mount.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/spec_oci.h"

static char *argv_[] = {"sh", "-c", "true", NULL};
static char *env_[] = {"PATH=/bin", "HOME=/root", NULL};

static struct hm_spec plain(void)
{
	struct hm_spec s = {
	    .argv = argv_,
	    .env = env_,
	    .hostname = "h1",
	    .workdir = "/w",
	    .tty = true,
	    .no_new_privs = true,
	    .net = NET_BRIDGE,
	    .caps = caps_default(),
	};
	return s;
}

static struct oci_spec build(const struct hm_spec *s,
			     const struct spec_oci_host *h)
{
	struct oci_spec o;
	struct hm_err e;

	if (spec_oci_build(s, h, &o, &e) < 0)
		fail_msg("spec_oci_build: %s", e.msg);
	return o;
}

static bool has(char *const *v, const char *w)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], w))
			return true;
	return false;
}

static const struct oci_mount *mount_of(const struct oci_spec *o,
					const char *dst)
{
	for (size_t i = 0; i < o->nmounts; i++)
		if (!strcmp(o->mounts[i].destination, dst))
			return &o->mounts[i];
	return NULL;
}

static void test_plain_run(void **state)
{
	struct hm_spec s = plain();
	struct spec_oci_host h = {.root_path = "/r", .tty_gid = true};
	struct oci_spec o = build(&s, &h);
	static const char *const order[] = {
	    "/proc",	   "/dev", "/dev/pts",	     "/dev/shm",
	    "/dev/mqueue", "/sys", "/sys/fs/cgroup",
	};

	(void)state;
	assert_string_equal(o.root_path, "/r");
	assert_false(o.root_readonly);
	assert_string_equal(o.hostname, "h1");
	assert_string_equal(o.process.args[2], "true");
	assert_string_equal(o.process.cwd, "/w");
	assert_true(o.process.terminal && o.process.no_new_privs);
	/* Docker's daemon: HOSTNAME and TERM added; HOME left to the user */
	assert_true(has(o.process.env, "HOSTNAME=h1"));
	assert_true(has(o.process.env, "TERM=xterm"));
	assert_true(has(o.process.env, "HOME=/root"));
	assert_true(o.process.has_caps);
	assert_true(o.process.caps[OCI_CAP_BOUNDING] == caps_default());
	assert_true(o.process.caps[OCI_CAP_EFFECTIVE] == caps_default());
	assert_true(o.process.caps[OCI_CAP_PERMITTED] == caps_default());
	/* none inheritable, since CVE-2022-24769 */
	assert_true(o.process.caps[OCI_CAP_INHERITABLE] == 0);
	assert_true(o.process.caps[OCI_CAP_AMBIENT] == 0);
	assert_int_equal(o.nmounts, ARRAY_SIZE(order));
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		assert_string_equal(o.mounts[i].destination, order[i]);
	assert_true(has(mount_of(&o, "/sys")->options, "ro"));
	/* Docker's cgroup entry, read-only */
	assert_string_equal(mount_of(&o, "/sys/fs/cgroup")->type, "cgroup");
	assert_true(has(mount_of(&o, "/sys/fs/cgroup")->options, "ro"));
	assert_true(has(mount_of(&o, "/dev/pts")->options, "gid=5"));
	assert_non_null(oci_ns_find(&o, CLONE_NEWNET));
	assert_non_null(oci_ns_find(&o, CLONE_NEWCGROUP));
	assert_null(oci_ns_find(&o, CLONE_NEWUSER));
	assert_true(has(o.masked_paths, "/proc/kcore"));
	assert_true(has(o.masked_paths, "/sys/devices/virtual/powercap"));
	assert_true(has(o.readonly_paths, "/proc/sys"));
	assert_int_equal(o.ndevices, 0);
	assert_int_equal(o.res.ndevices, 1);
	assert_false(o.res.devices[0].allow);
	assert_null(o.seccomp);
	oci_spec_free(&o);
}

static void test_privileged_and_devices(void **state)
{
	struct hm_spec s = plain();
	struct hm_device d = {.host = "/dev/ttyS0",
			      .path = "/dev/x/s",
			      .perms = "rw",
			      .type = 'c',
			      .major = 4,
			      .minor = 64,
			      .mode = 020660};
	struct spec_oci_host h = {.root_path = "r", .seccomp = true};
	struct oci_spec o;

	(void)state;
	s.devices = &d;
	s.ndevices = 1;
	s.read_only = true;
	o = build(&s, &h);
	assert_true(o.root_readonly);
	assert_int_equal(o.ndevices, 1);
	assert_string_equal(o.devices[0].path, "/dev/x/s");
	assert_int_equal(o.devices[0].type, 'c');
	assert_int_equal(o.devices[0].major, 4);
	assert_int_equal(o.devices[0].minor, 64);
	assert_int_equal(o.devices[0].file_mode, 0660);
	assert_int_equal(o.res.ndevices, 2);
	assert_true(o.res.devices[1].allow);
	assert_string_equal(o.res.devices[1].access, "rw");
	assert_false(has(mount_of(&o, "/dev/pts")->options, "gid=5"));
	assert_non_null(o.seccomp);
	oci_spec_free(&o);

	/* --privileged: no masks, sysfs and cgroups writable, no filter */
	s.privileged = true;
	s.caps = caps_all();
	o = build(&s, &h);
	assert_null(o.masked_paths);
	assert_null(o.readonly_paths);
	assert_false(has(mount_of(&o, "/sys")->options, "ro"));
	assert_false(has(mount_of(&o, "/sys/fs/cgroup")->options, "ro"));
	assert_true(o.process.caps[OCI_CAP_BOUNDING] == caps_all());
	assert_null(o.seccomp);
	oci_spec_free(&o);

	/* seccomp=unconfined: no filter */
	s.privileged = false;
	s.seccomp_unconfined = true;
	o = build(&s, &h);
	assert_null(o.seccomp);
	assert_non_null(o.masked_paths);
	oci_spec_free(&o);
}

static void test_volumes_etc_userns(void **state)
{
	struct hm_volume v[] = {
	    {.src = "/data", .dst = "/v", .ro = true, .type = MOUNT_VOLUME},
	    {.dst = "/t", .type = MOUNT_TMPFS, .opts = "size=1m,mode=700"},
	    {.src = "/h", .dst = "/etc/hosts", .type = MOUNT_BIND},
	};
	struct hm_device d = {.host = "/dev/fuse",
			      .path = "/dev/f",
			      .perms = "rwm",
			      .type = 'c',
			      .major = 10,
			      .minor = 229,
			      .mode = 0666};
	struct hm_spec s = plain();
	struct spec_oci_host h = {.root_path = "merged", .etc_dir = "/c"};
	const struct oci_mount *m;
	struct oci_spec o;

	(void)state;
	s.volumes = v;
	s.nvolumes = ARRAY_SIZE(v);
	s.net = NET_HOST;
	s.devices = &d;
	s.ndevices = 1;
	s.uidmap = (struct hm_idmap){0, 100000, 65536};
	s.gidmap = (struct hm_idmap){0, 200000, 65536};
	o = build(&s, &h);
	m = mount_of(&o, "/v");
	assert_string_equal(m->source, "/data");
	assert_true(has(m->options, "rbind") && has(m->options, "rro"));
	m = mount_of(&o, "/t");
	assert_string_equal(m->type, "tmpfs");
	assert_true(has(m->options, "nosuid") && has(m->options, "noexec"));
	assert_true(has(m->options, "size=1048576") ||
		    has(m->options, "size=1m"));
	/* the user's /etc/hosts wins over homo's */
	assert_string_equal(mount_of(&o, "/etc/hosts")->source, "/h");
	assert_string_equal(mount_of(&o, "/etc/hostname")->source,
			    "/c/hostname");
	assert_string_equal(mount_of(&o, "/etc/resolv.conf")->source,
			    "/c/resolv.conf");
	assert_null(oci_ns_find(&o, CLONE_NEWNET));
	assert_non_null(oci_ns_find(&o, CLONE_NEWUSER));
	assert_int_equal(o.nuid_map, 1);
	assert_int_equal(o.uid_map[0].host_id, 100000);
	assert_int_equal(o.gid_map[0].host_id, 200000);
	assert_int_equal(o.gid_map[0].size, 65536);
	/* no mknod in a user namespace: --device is the host's node bound,
	 * among the /dev mounts, its cgroup rule kept */
	assert_int_equal(o.ndevices, 0);
	assert_string_equal(o.mounts[5].destination, "/dev/f");
	assert_string_equal(o.mounts[5].source, "/dev/fuse");
	assert_string_equal(o.mounts[6].destination, "/sys");
	assert_int_equal(o.res.ndevices, 2);
	oci_spec_free(&o);
}

static void test_env(void **state)
{
	struct hm_spec s = plain();
	char *env[] = {"HOSTNAME=mine", NULL};
	char **v;

	(void)state;
	s.env = env;
	s.tty = false;
	v = spec_oci_env(&s, "/home/u");
	assert_true(has(v, "HOSTNAME=mine") && has(v, "HOME=/home/u"));
	assert_false(has(v, "HOSTNAME=h1") || has(v, "TERM=xterm"));
	assert_int_equal(strv_len(v), 2);
	strv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_run),
	    cmocka_unit_test(test_privileged_and_devices),
	    cmocka_unit_test(test_volumes_etc_userns),
	    cmocka_unit_test(test_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
