/* SPDX-License-Identifier: MIT */
/*
 * The OCI container side's filesystem (oci_rootfs_prepare/finish), run for
 * real as root: each test forks a child into new mount, pid, UTS, IPC and
 * network namespaces (the mounts die with them), prepares a busybox rootfs
 * from a config.json, pivots into it and checks what the process sees:
 * /proc/self/mountinfo, devices, masks, propagation.
 */
#include "oci_ctr_fixture.h"

static void test_mnt_parse(void **state)
{
	char *opts[] = {
	    "rw",	    "nosuid",  "ro",	  "rprivate",	   "mode=755",
	    "strictatime",  "size=1m", "noatime", "nostrictatime", "slave",
	    "tmpcopyup",    "rnosuid", "rro",	  "rrw",	   "rnoatime",
	    "rstrictatime", NULL};
	struct oci_mnt_opts o;

	(void)state;
	oci_mnt_parse(opts, &o);
	assert_int_equal(o.flags, MS_RDONLY | MS_NOSUID | MS_NOATIME);
	assert_int_equal(o.nprop, 2);
	assert_int_equal(o.prop[0], MS_PRIVATE | MS_REC);
	assert_int_equal(o.prop[1], MS_SLAVE);
	assert_string_equal(o.data, "mode=755,size=1m");
	assert_int_equal(o.attr_set,
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME);
	assert_false(o.idmap);
	free(o.data);
	oci_mnt_parse((char *[]){"ridmap", NULL}, &o);
	assert_true(o.idmap);
	assert_null(o.data);
	assert_int_equal(oci_mnt_propagation("rshared"), MS_SHARED | MS_REC);
	assert_int_equal(oci_mnt_propagation("bogus"), 0);
}

static void mounts_body(const struct oci_spec *s)
{
	char *sub = xasprintf("%s/tree/sub", tmp);
	char *l;
	struct stat st;
	int fd;

	/* a submount in the source of the rro rbind (this namespace's) */
	CHECK(mount("tmpfs", sub, "tmpfs", 0, NULL) == 0);
	prepare_and_pivot(s, false);
	CHECK((l = mountinfo("/proc")) && has_type(l, "proc") &&
	      has_opt(l, "nosuid", false) && has_opt(l, "noexec", false));
	CHECK((l = mountinfo("/dev")) && has_type(l, "tmpfs") &&
	      has_opt(l, "mode=755", true));
	CHECK((l = mountinfo("/dev/pts")) && has_type(l, "devpts") &&
	      has_opt(l, "ptmxmode=666", true));
	CHECK((l = mountinfo("/dev/mqueue")) && has_type(l, "mqueue"));
	CHECK((l = mountinfo("/sys")) && has_type(l, "sysfs") &&
	      has_opt(l, "ro", false));
	CHECK((l = mountinfo("/tmp")) && has_type(l, "tmpfs") &&
	      has_opt(l, "nodev", false) && has_opt(l, "mode=1755", true) &&
	      has_opt(l, "size=1024k", true) && !has_opt(l, "ro", false));
	CHECK((l = mountinfo("/run/strict")) &&
	      !has_opt(l, "relatime", false) && has_opt(l, "noexec", false));
	/* the bind: read-only by a remount, nosuid kept, a file made to
	 * bind a file on */
	CHECK((l = mountinfo("/mnt/b")) && has_opt(l, "ro", false) &&
	      has_opt(l, "nosuid", false));
	CHECK(stat("/mnt/b/marker", &st) == 0);
	CHECK((fd = open("/mnt/b/new", O_WRONLY | O_CREAT, 0644)) < 0 &&
	      errno == EROFS);
	CHECK(stat("/etc/bound", &st) == 0 && S_ISREG(st.st_mode));
	/* rro: the submounts of an rbind are read-only too */
	CHECK((l = mountinfo("/mnt/r/sub")) && has_opt(l, "ro", false) &&
	      has_opt(l, "nosuid", false));
	CHECK((l = mountinfo("/mnt/r")) && has_opt(l, "ro", false));
	CHECK((l = mountinfo("/etc/bound")) && has_opt(l, "rw", false));
	/* the cgroup mount: read-only hierarchies (v1) or cgroup2 */
	CHECK((l = mountinfo("/sys/fs/cgroup")) && has_opt(l, "ro", false));
	CHECK(stat("/sys/fs/cgroup/cgroup.procs", &st) == 0 ||
	      stat("/sys/fs/cgroup/memory/cgroup.procs", &st) == 0);
	/* default devices and links */
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0666);
	CHECK(stat("/dev/urandom", &st) == 0 && st.st_rdev == makedev(1, 9));
	CHECK(lstat("/dev/ptmx", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(lstat("/dev/fd", &st) == 0 && S_ISLNK(st.st_mode));
	/* the old root is gone */
	CHECK(!mountinfo(rootfs) && stat(rootfs, &st) < 0);
}

static void test_mounts(void **state)
{
	struct oci_spec s;
	char *host = xasprintf("%s/host", tmp);
	char *marker = xasprintf("%s/marker", host);
	char *tree = xasprintf("%s/tree", tmp);
	char *sub = xasprintf("%s/tree/sub", tmp);

	(void)state;
	close(open(marker, O_WRONLY | O_CREAT, 0644));
	assert_int_equal(mkdir(tree, 0755) || mkdir(sub, 0755), 0);
	spec_of(
	    &s,
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
	    "\"mounts\":["
	    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\","
	    " \"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    " \"options\":[\"nosuid\",\"strictatime\",\"mode=755\"]},"
	    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":"
	    " \"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\","
	    " \"ptmxmode=0666\",\"mode=0620\"]},"
	    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":"
	    " \"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	    " \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
	    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
	    " \"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\","
	    " \"nodev\",\"relatime\",\"ro\"]},"
	    "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    " \"options\":[\"ro\",\"nodev\",\"rw\",\"mode=1755\",\"size=1m\"]},"
	    "{\"destination\":\"/run/strict\",\"type\":\"tmpfs\","
	    " \"options\":[\"strictatime\",\"noexec\"]},"
	    "{\"destination\":\"/mnt/b\",\"type\":\"bind\",\"source\":\"%s\","
	    " \"options\":[\"rbind\",\"ro\",\"nosuid\",\"rprivate\"]},"
	    "{\"destination\":\"/etc/bound\",\"source\":\"%s\","
	    " \"options\":[\"bind\"]},"
	    "{\"destination\":\"/mnt/r\",\"type\":\"bind\",\"source\":\"%s\","
	    " \"options\":[\"rbind\",\"rro\",\"rnosuid\"]}]}",
	    rootfs, host, marker, tree);
	assert_int_equal(in_child(mounts_body, &s), 0);
	oci_spec_free(&s);
	free(sub);
	free(tree);
	free(marker);
	free(host);
}

/* a destination through a symlink pointing out of the rootfs stays in it */
static void symlink_body(const struct oci_spec *s)
{
	char *out = xasprintf("%s/host/escape", tmp);
	char *in = xasprintf("%s%s/host/escape/x", rootfs, tmp);
	struct stat st;
	char *l;

	CHECK_OK(oci_rootfs_prepare(s, rootfs, &ce_));
	CHECK(stat(out, &st) == 0 && stat(xasprintf("%s/x", out), &st) < 0);
	CHECK((l = mountinfo(in)) && has_type(l, "tmpfs"));
}

static void test_symlink_destination(void **state)
{
	struct oci_spec s;
	char *out = xasprintf("%s/host/escape", tmp);
	char *link = xasprintf("%s/evil", rootfs);
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(symlink(out, link), 0);
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
		"\"mounts\":[{\"destination\":\"/evil/x\",\"type\":\"tmpfs\","
		"\"source\":\"tmpfs\"}]}",
		rootfs);
	assert_int_equal(in_child(symlink_body, &s), 0);
	/* nothing was made outside, even after the child */
	assert_true(stat(out, &st) == 0);
	free(link);
	link = xasprintf("%s/x", out);
	assert_true(stat(link, &st) < 0 && errno == ENOENT);
	oci_spec_free(&s);
	free(link);
	free(out);
}

/* procfs through an image's symlink ("/proc -> /") is refused */
static void proc_link_body(const struct oci_spec *s)
{
	struct hm_err e;

	CHECK(oci_rootfs_prepare(s, rootfs, &e) < 0);
	CHECK(strstr(e.msg, "mounts[0]") && strstr(e.msg, "symlink"));
}

static void test_proc_through_symlink(void **state)
{
	struct oci_spec s;
	char *link = xasprintf("%s/procl", rootfs);

	(void)state;
	assert_int_equal(symlink("/", link), 0);
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
		"\"mounts\":[{\"destination\":\"/procl\",\"type\":\"proc\"}]}",
		rootfs);
	assert_int_equal(in_child(proc_link_body, &s), 0);
	assert_int_equal(unlink(link), 0);
	oci_spec_free(&s);
	free(link);
}

/* in a cgroup namespace: fresh read-only cgroup mounts, rooted at the
 * process's own cgroup */
static void cgns_body(const struct oci_spec *s)
{
	char *l;
	struct stat st;

	prepare_and_pivot(s, false);
	l = mountinfo("/sys/fs/cgroup");
	CHECK(l && has_opt(l, "ro", false));
	if (has_type(l, "cgroup2"))
		return;
	CHECK(has_type(l, "tmpfs"));
	CHECK((l = mountinfo("/sys/fs/cgroup/memory")) &&
	      has_type(l, "cgroup") && has_opt(l, "memory", true) &&
	      has_opt(l, "ro", false) && strstr(l, " / /sys/fs/cgroup/"));
	CHECK(stat("/sys/fs/cgroup/memory/memory.limit_in_bytes", &st) == 0);
}

static void test_cgroup_namespace(void **state)
{
	struct oci_spec s;

	(void)state;
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"}," PROC_
		"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
		"\"options\":[\"ro\",\"nosuid\",\"nodev\",\"noexec\"]}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"cgroup\"}]}}",
		rootfs);
	assert_int_equal(
	    in_ns(cgns_body, &s, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWCGROUP),
	    0);
	oci_spec_free(&s);
}

static void masks_body(const struct oci_spec *s)
{
	DIR *d;
	char buf[16];
	struct stat st;
	int fd;
	char *l;

	prepare_and_pivot(s, false);
	/* a masked file reads empty, a masked directory is empty */
	CHECK((fd = open("/proc/timer_list", O_RDONLY)) >= 0 &&
	      read(fd, buf, sizeof(buf)) == 0);
	CHECK((d = opendir("/proc/acpi")) && readdir(d) && readdir(d) &&
	      !readdir(d));
	CHECK(stat("/masked/secret", &st) < 0 && errno == ENOENT);
	CHECK((l = mountinfo("/masked")) && has_opt(l, "ro", false));
	/* read-only paths keep nosuid, nodev, noexec of the mount */
	CHECK((l = mountinfo("/proc/sys")) && has_opt(l, "ro", false) &&
	      has_opt(l, "nosuid", false) && has_opt(l, "noexec", false));
	CHECK(open("/proc/sys/kernel/hostname", O_WRONLY) < 0 &&
	      errno == EROFS);
	/* ... down to the mounts below them */
	CHECK((l = mountinfo("/ro/sub")) && has_opt(l, "ro", false));
	CHECK(open("/ro/sub/x", O_WRONLY | O_CREAT, 0644) < 0 &&
	      errno == EROFS);
	CHECK(open("/newfile", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS);
	/* missing masked or read-only paths are skipped */
	CHECK(stat("/no/such", &st) < 0);
}

static void test_masks_and_readonly(void **state)
{
	struct oci_spec s;
	char *dir = xasprintf("%s/masked", rootfs);
	char *secret = xasprintf("%s/secret", dir);

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	close(open(secret, O_WRONLY | O_CREAT, 0644));
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\","
		"\"readonly\":true},\"mounts\":[{\"destination\":\"/proc\","
		"\"type\":\"proc\",\"options\":[\"nosuid\",\"noexec\","
		"\"nodev\"]},{\"destination\":\"/ro/sub\",\"type\":"
		"\"tmpfs\"}],\"linux\":{\"maskedPaths\":[\"/proc/"
		"timer_list\",\"/proc/acpi\","
		"\"/masked\",\"/no/such\"],\"readonlyPaths\":[\"/proc/sys\","
		"\"/ro\","
		"\"/no/such\"]}}",
		rootfs);
	assert_int_equal(in_child(masks_body, &s), 0);
	oci_spec_free(&s);
	unit_rmtree(dir); /* frees dir */
	unit_rmtree(xasprintf("%s/ro", rootfs));
	free(secret);
}

static void devices_body(const struct oci_spec *s)
{
	struct stat st;

	prepare_and_pivot(s, false);
	CHECK(stat("/dev/mydev", &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0600 &&
	      st.st_uid == 1000 && st.st_gid == 1001);
	CHECK(stat("/dev/sub/fifo", &st) == 0 && S_ISFIFO(st.st_mode) &&
	      (st.st_mode & 07777) == 0640);
	/* a default the spec lists is the spec's */
	CHECK(stat("/dev/null", &st) == 0 && (st.st_mode & 07777) == 0620);
	CHECK(stat("/dev/zero", &st) == 0 && st.st_rdev == makedev(1, 5));
}

static void test_devices(void **state)
{
	struct oci_spec s;

	(void)state;
	spec_of(
	    &s,
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
	    "\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\","
	    "\"options\":[\"mode=755\"]}],\"linux\":{\"devices\":["
	    "{\"path\":\"/dev/mydev\",\"type\":\"c\",\"major\":1,\"minor\":"
	    "3,\"fileMode\":384,\"uid\":1000,\"gid\":1001},"
	    "{\"path\":\"/dev/sub/fifo\",\"type\":\"p\",\"fileMode\":416},"
	    "{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3,"
	    "\"fileMode\":400}]}}",
	    rootfs);
	assert_int_equal(in_child(devices_body, &s), 0);
	oci_spec_free(&s);
}

/* no mknod in a user namespace: the host's nodes bound; no sysfs of the
 * host's netns: the host's /sys bound */
static void userns_body(const struct oci_spec *s)
{
	struct stat st;
	char *l;

	prepare_and_pivot(s, false);
	CHECK(stat("/dev/null", &st) == 0 && st.st_rdev == makedev(1, 3));
	CHECK((l = mountinfo("/dev/null")) && has_type(l, "devtmpfs"));
	CHECK(stat("/dev/mydev", &st) == 0 && st.st_rdev == makedev(1, 5));
	CHECK((l = mountinfo("/dev/mydev")));
	CHECK((l = mountinfo("/sys")) && has_type(l, "sysfs") &&
	      has_opt(l, "ro", false));
	/* the host's mounts under /sys are read-only too */
	CHECK((l = mountinfo("/sys/fs/cgroup")) && has_opt(l, "ro", false));
}

/*
 * Whether this process may make a user namespace at all: the kernel
 * refuses one to a chrooted caller (make check-fresh runs the unit tests
 * in a chroot) with EPERM.
 */
static bool userns_refused(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 && errno == EPERM);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 1;
}

static void test_userns(void **state)
{
	struct oci_spec s;

	(void)state;
	if (userns_refused()) {
		print_message("# skip: the kernel refuses a user namespace "
			      "here (a chroot)\n");
		skip();
	}
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
		"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
		"{\"destination\":\"/dev\",\"type\":\"tmpfs\"},"
		"{\"destination\":\"/sys\",\"type\":\"sysfs\","
		"\"options\":[\"ro\",\"nosuid\"]}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"user\"},"
		"{\"type\":\"mount\"},{\"type\":\"pid\"}],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":0,"
		"\"size\":1}],\"gidMappings\":[{\"containerID\":0,"
		"\"hostID\":0,\"size\":1}],"
		"\"devices\":[{\"path\":\"/dev/zero\",\"type\":\"c\","
		"\"major\":1,\"minor\":5},{\"path\":\"/dev/mydev\","
		"\"type\":\"c\",\"major\":1,\"minor\":5}]}}",
		rootfs);
	assert_int_equal(
	    in_ns(userns_body, &s, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID),
	    0);
	oci_spec_free(&s);
}

static void no_pivot_body(const struct oci_spec *s)
{
	int host = open("/", O_PATH | O_DIRECTORY);
	struct stat st;

	CHECK(host >= 0 && fstatat(host, "proc/self", &st, 0) == 0);
	prepare_and_pivot(s, true);
	/* the host's /proc, below the chroot, is detached */
	CHECK(fstatat(host, "proc/self", &st, 0) < 0 && errno == ENOENT);
	CHECK(stat("/bin/busybox", &st) == 0);
	CHECK(stat(rootfs, &st) < 0);
	CHECK(mountinfo("/"));
}

static void test_no_pivot(void **state)
{
	struct oci_spec s;

	(void)state;
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"}," PROC
		"}",
		rootfs);
	assert_int_equal(in_child(no_pivot_body, &s), 0);
	oci_spec_free(&s);
}

/* the propagation of / as the mode asks (the optional fields of
 * mountinfo: "shared:N", "master:N", "unbindable", none for private) */
static void propagation_body(const struct oci_spec *s)
{
	const char *want = s->rootfs_propagation;
	char *l;

	prepare_and_pivot(s, false);
	l = mountinfo("/");
	CHECK(l);
	if (!strcmp(want, "rshared"))
		CHECK(strstr(l, " shared:"));
	else if (!strcmp(want, "unbindable"))
		CHECK(strstr(l, " unbindable "));
	else if (!strcmp(want, "rslave")) /* of a private / here: private */
		CHECK(!strstr(l, " shared:"));
	else
		CHECK(!strstr(l, " master:") && !strstr(l, " shared:"));
}

static void test_rootfs_propagation(void **state)
{
	static const char *const modes[] = {"rshared", "unbindable", "rslave",
					    "private"};
	struct oci_spec s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		spec_of(
		    &s,
		    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"}," PROC
		    ",\"linux\":{\"rootfsPropagation\":\"%s\"}}",
		    rootfs, modes[i]);
		if (in_child(propagation_body, &s) != 0)
			fail_msg("rootfsPropagation %s", modes[i]);
		oci_spec_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mnt_parse),
	    cmocka_unit_test(test_mounts),
	    cmocka_unit_test(test_symlink_destination),
	    cmocka_unit_test(test_proc_through_symlink),
	    cmocka_unit_test(test_cgroup_namespace),
	    cmocka_unit_test(test_masks_and_readonly),
	    cmocka_unit_test(test_devices),
	    cmocka_unit_test(test_userns),
	    cmocka_unit_test(test_no_pivot),
	    cmocka_unit_test(test_rootfs_propagation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
