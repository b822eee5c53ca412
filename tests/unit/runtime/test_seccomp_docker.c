/* SPDX-License-Identifier: MIT */
/*
 * seccomp_docker.c: Docker's profile format resolved as dockerd does for
 * a container (includes/excludes by capability, architecture and kernel,
 * archMap, "name"), its errors naming the file's entries, and a profile
 * prepared and loaded the way homo run does.
 */
#include "oci_seccomp_unit.h"

#include <sys/stat.h>

#define CAP(n) (UINT64_C(1) << (n))
#define SYS_ADMIN 21
#define SYS_PTRACE 19

#if defined(__x86_64__)
#define GOARCH "amd64"
#define SCMP_NATIVE "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define GOARCH "arm64"
#define SCMP_NATIVE "SCMP_ARCH_AARCH64"
#endif

/* The profile for @caps; NULL when it asks for no filter. */
static json_t *resolve(const char *text, uint64_t caps)
{
	struct hm_err e = {0};
	json_t *p = NULL;

	if (seccomp_docker_profile(text, caps, &p, NULL, &e) < 0)
		fail_msg("%s: %s", text, e.msg);
	return p;
}

/* The names of the entries kept, in order, one string ("a,b,"). */
static char *kept(const char *text, uint64_t caps)
{
	json_t *p = resolve(text, caps), *x, *n;
	char buf[256] = "";
	size_t i, k;

	assert_non_null(p);
	json_array_foreach(json_object_get(p, "syscalls"), i, x)
	{
		json_array_foreach(json_object_get(x, "names"), k, n)
		{
			strcat(buf, json_string_value(n));
			strcat(buf, ",");
		}
		/* Docker's own fields are not the OCI spec's */
		assert_null(json_object_get(x, "includes"));
		assert_null(json_object_get(x, "excludes"));
		assert_null(json_object_get(x, "comment"));
	}
	json_decref(p);
	return strdup(buf);
}

static const char conds[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
    "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ALLOW\"},"
    "{\"names\": [\"admin\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    "{\"names\": [\"both\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_SYS_PTRACE\"]}},"
    "{\"names\": [\"noadmin\"], \"action\": \"SCMP_ACT_ERRNO\","
    " \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_SYS_PTRACE\"]}},"
    "{\"names\": [\"here\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {\"arches\": [\"s390x\", \"" GOARCH "\"]}},"
    "{\"names\": [\"there\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {\"arches\": [\"s390x\"]}},"
    "{\"names\": [\"nothere\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"excludes\": {\"arches\": [\"" GOARCH "\"]}},"
    "{\"names\": [\"old\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {\"minKernel\": \"3.10\"}, \"comment\": \"c\"},"
    "{\"names\": [\"future\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {\"minKernel\": \"99.1\"}},"
    "{\"names\": [\"pre\"], \"action\": \"SCMP_ACT_ALLOW\","
    " \"excludes\": {\"minKernel\": \"3.10\"}},"
    "{\"name\": \"one\", \"action\": \"SCMP_ACT_ALLOW\","
    " \"includes\": {}, \"excludes\": {}}]}";

static void test_docker_conditions(void **state)
{
	char *a, *b, *c;

	(void)state;
	a = kept(conds, 0);
	assert_string_equal(a, "a,noadmin,here,old,one,");
	b = kept(conds, CAP(SYS_ADMIN));
	assert_string_equal(b, "a,admin,here,old,one,");
	c = kept(conds, CAP(SYS_ADMIN) | CAP(SYS_PTRACE));
	assert_string_equal(c, "a,admin,both,here,old,one,");
	free(a);
	free(b);
	free(c);
}

/* archMap: this machine's entry becomes architectures; the rest goes. */
static void test_docker_archmap(void **state)
{
	json_t *p, *a;

	(void)state;
	p = resolve(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\":"
	    " 1, \"archMap\": [{\"architecture\": \"SCMP_ARCH_S390X\","
	    " \"subArchitectures\": [\"SCMP_ARCH_S390\"]},"
	    " {\"architecture\": \"" SCMP_NATIVE "\","
	    " \"subArchitectures\": [\"SCMP_ARCH_X86\"]}]}",
	    0);
	a = json_object_get(p, "architectures");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)),
			    SCMP_NATIVE);
	assert_null(json_object_get(p, "archMap"));
	assert_int_equal(
	    json_integer_value(json_object_get(p, "defaultErrnoRet")), 1);
	json_decref(p);
	/* moby's own: "subArchitectures": null */
	p = resolve("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": "
		    "[{\"architecture\": \"" SCMP_NATIVE
		    "\", \"subArchitectures\": null}]}",
		    0);
	assert_int_equal(json_array_size(json_object_get(p, "architectures")),
			 1);
	json_decref(p);
	/* no default and no rule: no filter, as Docker reads it */
	assert_null(resolve("{}", 0));
	assert_null(resolve("{\"defaultAction\": \"\", \"syscalls\": []}", 0));
}

/* What a bad file says, naming the file's fields. */
static void bad(const char *text, const char *want)
{
	struct hm_spec s = {.caps = 0};
	struct hm_err e = {0};

	s.seccomp_profile = (char *)text;
	assert_int_equal(seccomp_prepare(&s, NULL, &e), -1);
	if (!strstr(e.msg, want))
		fail_msg("%s: \"%s\", wanted \"%s\"", text, e.msg, want);
}

static void test_docker_errors(void **state)
{
	(void)state;
	bad("[1", "seccomp profile: line 1:");
	bad("[]", "seccomp profile: not a JSON object");
	bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	    "[\"SCMP_ARCH_X86\"], \"archMap\": [{\"architecture\": \"x\"}]}",
	    "both \"architectures\" and \"archMap\"");
	bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\":"
	    " \"a\", \"names\": [\"b\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
	    "syscalls[0]: both \"name\" and \"names\"");
	bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
	    " [\"a\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": "
	    "{\"minKernel\": \"new\"}}]}",
	    "syscalls[0].includes.minKernel: not a kernel version");
	bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
	    " [\"a\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
	    "syscalls[0].action: SCMP_ACT_NOTIFY is not supported");
	/* oci_seccomp.c's check, the entry numbered as in the file: the
	 * first one is not part of this container's filter */
	bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	    "{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\":"
	    " {\"caps\": [\"CAP_SYS_ADMIN\"]}}, {\"names\": [\"b\"], "
	    "\"action\": \"SCMP_ACT_FOO\"}]}",
	    "seccomp profile: syscalls[1].action: unknown action");
	bad("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
	    "seccomp profile: defaultAction: unknown action");
}

static int loaded_child(const struct hm_spec *s)
{
	struct hm_err e = {0};

	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, 2);
	CHECK(seccomp_apply(s, &e) == 0, 3);
	CHECK(mkdir("/proc/x", 0700) < 0 && errno == EPERM, 4);
	/* the entry for CAP_SYS_ADMIN is not there */
	CHECK(err_of(SYS_getppid, 0, 0) == 0, 5);
	return 0;
}

/* A profile file's filter as homo run prepares and loads it. */
static void test_docker_loaded(void **state)
{
	struct hm_spec s = {.caps = 0};
	struct hm_err e = {0};
	pid_t pid;

	(void)state;
	s.seccomp_profile =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\":"
	    " [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": 1, \"comment\": \"no mkdir\"}, {\"names\": "
	    "[\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38,"
	    " \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}";
	assert_int_equal(seccomp_prepare(&s, NULL, &e), 0);
	pid = fork();
	if (pid == 0)
		_exit(loaded_child(&s));
	assert_exit0(status_of(pid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docker_conditions),
	    cmocka_unit_test(test_docker_archmap),
	    cmocka_unit_test(test_docker_errors),
	    cmocka_unit_test(test_docker_loaded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
