/* SPDX-License-Identifier: MIT */
/*
 * The OCI container side's process (oci_kernel_settings, oci_process_creds,
 * oci_process_exec), run for real as root in forked children in new
 * namespaces: hostname and sysctls (and the host's refused), the five
 * capability sets, ids, rlimits, umask and cwd as /proc/self/status shows
 * them, exec's PATH search and its 126/127.
 */
#include "oci_ctr_fixture.h"

static void kernel_body(const struct oci_spec *s)
{
	struct utsname u;
	char buf[64] = "";
	int fd;

	prepare_and_pivot(s, false);
	CHECK_OK(oci_kernel_settings(s, &ce_));
	CHECK(uname(&u) == 0 && !strcmp(u.nodename, "ctr1") &&
	      !strcmp(u.domainname, "example.org"));
	CHECK((fd = open("/proc/sys/net/ipv4/ping_group_range", O_RDONLY)) >=
		  0 &&
	      read(fd, buf, sizeof(buf) - 1) > 0);
	CHECK(!strncmp(buf, "0\t2147483647", 12));
	/* ... and /proc/sys is read-only after it */
	CHECK(open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY) < 0);
}

static void test_kernel_settings(void **state)
{
	struct oci_spec s;

	(void)state;
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
		"\"hostname\":\"ctr1\",\"domainname\":\"example.org\","
		"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"uts\"},"
		"{\"type\":\"network\"}],"
		"\"sysctl\":{\"net.ipv4.ping_group_range\":"
		"\"0 2147483647\"},\"readonlyPaths\":[\"/proc/sys\"]}}",
		rootfs);
	assert_int_equal(in_child(kernel_body, &s), 0);
	oci_spec_free(&s);
}

/* no write to what the container does not own */
static void host_settings_body(const struct oci_spec *s)
{
	struct hm_err e;

	CHECK_OK(oci_rootfs_prepare(s, rootfs, &ce_));
	CHECK(oci_rootfs_finish(s, rootfs, false, &e) < 0);
	CHECK(strstr(e.msg, "sysctl net.ipv4.ip_forward: not allowed in the "
			    "host's namespace"));
	CHECK(oci_kernel_settings(s, &e) < 0);
	CHECK(strstr(e.msg, "hostname without a private UTS namespace"));
	/* an empty name is no name: nothing to refuse */
	((struct oci_spec *)s)->hostname[0] = '\0';
	CHECK_OK(oci_kernel_settings(s, &ce_));
}

/* (a key that does not exist: were the check missing, nothing is written
 * on the host) */
static void not_namespaced_body(const struct oci_spec *s)
{
	struct hm_err e;

	CHECK_OK(oci_rootfs_prepare(s, rootfs, &ce_));
	CHECK(oci_rootfs_finish(s, rootfs, false, &e) < 0);
	CHECK(strstr(e.msg, "sysctl vm.no_such_key: not in a separate kernel "
			    "namespace"));
}

static void test_host_settings_refused(void **state)
{
	struct oci_spec s;

	(void)state;
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"}," PROC
		",\"hostname\":\"h\",\"linux\":{\"sysctl\":"
		"{\"net.ipv4.ip_forward\":\"1\"}}}",
		rootfs);
	assert_int_equal(in_child(host_settings_body, &s), 0);
	oci_spec_free(&s);
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"}," PROC
		",\"linux\":{\"namespaces\":[{\"type\":\"uts\"}],"
		"\"sysctl\":{\"vm.no_such_key\":\"1\"}}}",
		rootfs);
	assert_int_equal(in_child(not_namespaced_body, &s), 0);
	oci_spec_free(&s);
}

static unsigned long long status_hex(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long v = ~0ULL;

	while (f && fgets(line, sizeof(line), f))
		if (util_has_prefix(line, key))
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static bool status_line(const char *key, const char *want)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	bool ok = false;

	while (f && fgets(line, sizeof(line), f))
		if (util_has_prefix(line, key))
			ok = !strcmp(line + strlen(key), want);
	if (f)
		fclose(f);
	return ok;
}

static void creds_body(const struct oci_spec *s)
{
	struct rlimit rl;
	char cwd[256];
	mode_t old;

	CHECK_OK(oci_process_creds(&s->process, &ce_));
	/* CHOWN 0, KILL 5, NET_BIND_SERVICE 10 */
	CHECK(status_hex("CapBnd:") == 0x421);
	CHECK(status_hex("CapEff:") == 0x420);
	CHECK(status_hex("CapPrm:") == 0x420);
	CHECK(status_hex("CapInh:") == 0x400);
	CHECK(status_hex("CapAmb:") == 0x400);
	CHECK(status_line("Uid:", "\t1000\t1000\t1000\t1000\n"));
	CHECK(status_line("Gid:", "\t1001\t1001\t1001\t1001\n"));
	CHECK(status_line("Groups:", "\t10 20 \n"));
	CHECK(status_line("NoNewPrivs:", "\t1\n"));
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 100 &&
	      rl.rlim_max == 200);
	old = umask(0);
	CHECK(old == 027);
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/tmp"));
}

static void test_process_creds(void **state)
{
	struct oci_spec s;

	(void)state;
	spec_of(&s, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
		    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/tmp\","
		    "\"user\":{\"uid\":1000,\"gid\":1001,\"umask\":23,"
		    "\"additionalGids\":[10,20]},\"noNewPrivileges\":true,"
		    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":100,"
		    "\"hard\":200}],\"capabilities\":{"
		    "\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\","
		    "\"CAP_NET_BIND_SERVICE\"],"
		    "\"effective\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		    "\"permitted\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		    "\"inheritable\":[\"CAP_NET_BIND_SERVICE\"],"
		    "\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}}}");
	assert_int_equal(in_child(creds_body, &s), 0);
	oci_spec_free(&s);
}

/* a limit the kernel refuses is named in the error (above fs.nr_open:
 * EPERM even with CAP_SYS_RESOURCE) */
static void rlimit_body(const struct oci_spec *s)
{
	struct hm_err e;

	CHECK(oci_process_creds(&s->process, &e) < 0);
	CHECK(strstr(e.msg, "setrlimit RLIMIT_NOFILE ") && e.errnum == EPERM);
}

static void test_rlimit_refused(void **state)
{
	struct oci_spec s;
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	unsigned long long n = 0;

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	n = strtoull(buf, NULL, 10) + 1;
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
		"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
		"\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[{\"type\":"
		"\"RLIMIT_NOFILE\",\"soft\":%llu,\"hard\":%llu}]}}",
		n, n);
	assert_int_equal(in_child(rlimit_body, &s), 0);
	oci_spec_free(&s);
}

/*
 * As runc: the cwd is entered before the user switch, so a directory only
 * root may enter is the new user's cwd; a missing one is an error.
 */
static void cwd_denied_body(const struct oci_spec *s)
{
	struct oci_process p = s->process;
	char buf[4096];
	struct hm_err e;

	CHECK(oci_process_creds(&p, &e) == 0);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, p.cwd));
	CHECK(geteuid() == 1000);
	p.cwd = "/no/such/dir";
	CHECK(oci_process_creds(&p, &e) < 0);
	CHECK(strstr(e.msg, "chdir") && e.errnum == ENOENT);
}

static void test_cwd_denied(void **state)
{
	struct oci_spec s;
	char *dir = xasprintf("%s/host/private", tmp);

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
		"\"process\":{\"args\":[\"sh\"],\"cwd\":\"%s\","
		"\"user\":{\"uid\":1000,\"gid\":1000},\"capabilities\":{}}}",
		dir);
	assert_int_equal(in_child(cwd_denied_body, &s), 0);
	oci_spec_free(&s);
	free(dir);
}

static void exec_body(const struct oci_spec *s)
{
	struct hm_err e;

	prepare_and_pivot(s, false);
	oci_process_exec(&s->process, NULL, "t", -1, &e);
	fprintf(stderr, "%s\n", e.msg);
	_exit(e.exit_code);
}

/* args[0] on the spec's PATH, as the rootfs has it: the exit code */
static int exec_in_rootfs(const char *args, const char *path)
{
	struct oci_spec s;
	int code;

	spec_of(&s,
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
		"\"process\":{\"args\":%s,\"cwd\":\"/\",\"env\":[\"PATH=%s\"],"
		"\"user\":{\"uid\":0,\"gid\":0}}}",
		rootfs, args, path);
	code = in_child(exec_body, &s);
	oci_spec_free(&s);
	return code;
}

static void test_exec(void **state)
{
	char *noexec = xasprintf("%s/usr/local/bin/data", rootfs);

	(void)state;
	assert_int_equal(mkdir(xasprintf("%s/usr/local", rootfs), 0755) ||
			     mkdir(xasprintf("%s/usr/local/bin", rootfs), 0755),
			 0);
	close(open(noexec, O_WRONLY | O_CREAT, 0644));
	/* found on the PATH (after a directory without it) and run */
	assert_int_equal(exec_in_rootfs("[\"sh\",\"-c\",\"exit 7\"]",
					"/nonexistent:/usr/bin:/bin"),
			 7);
	assert_int_equal(
	    exec_in_rootfs("[\"/bin/sh\",\"-c\",\"exit 3\"]", "/nonexistent"),
	    3);
	assert_int_equal(exec_in_rootfs("[\"no-such-cmd\"]", "/bin"), 127);
	assert_int_equal(exec_in_rootfs("[\"/no/such\"]", "/bin"), 127);
	assert_int_equal(exec_in_rootfs("[\"data\"]", "/usr/local/bin"), 126);
	assert_int_equal(exec_in_rootfs("[\"/usr/local/bin/data\"]", "/bin"),
			 126);
	assert_int_equal(exec_in_rootfs("[\"/etc\"]", "/bin"), 126);
	free(noexec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kernel_settings),
	    cmocka_unit_test(test_host_settings_refused),
	    cmocka_unit_test(test_process_creds),
	    cmocka_unit_test(test_rlimit_refused),
	    cmocka_unit_test(test_cwd_denied),
	    cmocka_unit_test(test_exec),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
