/* SPDX-License-Identifier: MIT */
/*
 * oci_seccomp.c with whole profiles and the kernel's side: SCMP_ACT_NOTIFY
 * handing its listener to an agent, Podman's and Docker's default profiles
 * starting programs while what they refuse really fails (each probe
 * checked against an unfiltered control), i386 calls and architectures[].
 */
#include "oci_seccomp_unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

/* The listener's end: one connection, the state JSON and one fd. */
static int recv_listener(int lsock, char *buf, size_t len, int *fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {buf, len - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.b,
			    .msg_controllen = sizeof(u.b)};
	int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n, more;
	struct cmsghdr *cm;

	assert_true(c >= 0);
	n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	assert_true(n > 0);
	cm = CMSG_FIRSTHDR(&mh);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	/* the rest of the JSON, then the runtime closes: one state each */
	while ((more = read(c, buf + n, len - 1 - (size_t)n)) > 0)
		n += more;
	assert_int_equal(more, 0);
	buf[n] = '\0';
	close(c);
	return 0;
}

/* Answer the child's first notified call: it returns 4242. */
static void answer(int nfd, int nr)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
	assert_int_equal(req.data.nr, nr);
	resp = (struct seccomp_notif_resp){.id = req.id, .val = 4242};
	assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
}

/*
 * SCMP_ACT_NOTIFY: compile connects to listenerPath; the load sends the
 * container process state and the listener fd there; the agent's answer
 * is what the container's call returns.
 */
static void test_notify(void **state)
{
	char *dir = unit_tmpdir(), buf[4096];
	cleanup_free char *sock = xasprintf("%s/agent.sock", dir), *prof;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), nfd = -1;
	json_t *st, *got;
	struct oci_seccomp *f;
	pid_t pid;

	(void)state;
	strcpy(sa.sun_path, sock);
	assert_int_equal(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lsock, 1), 0);
	prof =
	    xasprintf(ALLOW_ALL ", \"listenerPath\": \"%s\", "
				"\"listenerMetadata\": \"MKNOD=/dev/null\", "
				"\"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", "
				"\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"], "
				"\"syscalls\": [{\"names\": [\"getppid\"], "
				"\"action\": \"SCMP_ACT_NOTIFY\"}]}",
		      sock);
	f = compile_ok(prof);
	assert_true(oci_seccomp_notifies(f));
	/* the connection a caller closing fds before the load must keep */
	assert_true(oci_seccomp_keep_fd(f) > 2);
	assert_true(fcntl(oci_seccomp_keep_fd(f), F_GETFD) & FD_CLOEXEC);
	st = parse("{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", "
		   "\"status\": \"creating\", \"pid\": 4321, "
		   "\"bundle\": \"/b\"}");
	oci_seccomp_set_state(f, st);
	json_decref(st);
	pid = fork();
	if (pid == 0) {
		struct hm_err e;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    oci_seccomp_load(f, &e) < 0)
			_exit(99);
		_exit(syscall(SYS_getppid) == 4242 ? 0 : 1);
	}
	oci_seccomp_free(f); /* the parent's copy of the connection */
	recv_listener(lsock, buf, sizeof(buf), &nfd);
	got = parse(buf);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(got, "fds"), 0)),
	    "seccompFd");
	assert_int_equal(json_integer_value(json_object_get(got, "pid")), 4321);
	assert_string_equal(json_string_value(json_object_get(got, "metadata")),
			    "MKNOD=/dev/null");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(got, "state"), "id")),
			    "c1");
	json_decref(got);
	answer(nfd, SYS_getppid);
	assert_exit0(status_of(pid));
	close(nfd);
	close(lsock);
	unit_rmtree(dir);
}

/* Podman's default capabilities (containers.conf default_capabilities) */
static const char *const podman_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE",	   "CAP_FOWNER",     "CAP_FSETID",
    "CAP_KILL",	   "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETUID",	   "CAP_SYS_CHROOT",
};

static bool has_cap(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(podman_caps); i++)
		if (!strcmp(podman_caps[i], name))
			return true;
	return false;
}

/* includes.caps all held, excludes.caps none, arches this machine's */
static bool entry_applies(json_t *x)
{
	json_t *inc = json_object_get(x, "includes");
	json_t *exc = json_object_get(x, "excludes"), *v;
	size_t i;

	json_array_foreach(json_object_get(inc, "caps"), i,
			   v) if (!has_cap(json_string_value(v))) return false;
	json_array_foreach(json_object_get(exc, "caps"), i,
			   v) if (has_cap(json_string_value(v))) return false;
	json_array_foreach(
	    json_object_get(inc, "arches"), i,
	    v) if (!strcmp(json_string_value(v), "amd64")) return true;
	return json_array_size(json_object_get(inc, "arches")) == 0;
}

/*
 * What Podman writes into config.json from /usr/share/containers/
 * seccomp.json (containers/common's conversion, for x86_64): the entries
 * for its default capabilities, the native architecture and its subs.
 */
static json_t *podman_profile(const char *path)
{
	json_error_t je;
	json_t *src = json_load_file(path, 0, &je), *calls, *arches, *x;
	size_t i;

	if (!src)
		return NULL;
	calls = json_array();
	arches = json_array();
	json_array_foreach(json_object_get(src, "syscalls"), i, x)
	{
		if (entry_applies(x))
			json_array_append(calls, x);
	}
	json_array_foreach(json_object_get(src, "archMap"), i, x)
	{
		if (strcmp(
			json_string_value(json_object_get(x, "architecture")),
			"SCMP_ARCH_X86_64"))
			continue;
		json_array_append(arches, json_object_get(x, "architecture"));
		json_array_extend(arches,
				  json_object_get(x, "subArchitectures"));
	}
	json_object_set_new(src, "syscalls", calls);
	json_object_set_new(src, "architectures", arches);
	json_object_del(src, "archMap");
	return src;
}

/* A profile that loads must still let a program start and a shell fork;
 * what it refuses the kernel really refuses. */
static int exec_true_child(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "/bin/true && exec true", NULL);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, 1);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, 2);
	return 0;
}

/*
 * open_by_handle_at without CAP_DAC_READ_SEARCH: ERRNO 1 (unfiltered, root
 * would get EBADF); personality(ADDR_NO_RANDOMIZE), in no entry: the
 * default, ENOSYS (unfiltered it succeeds); PER_LINUX32 is allowed.
 */
static int podman_child(void)
{
	CHECK(exec_true_child() == 0, 1);
	CHECK(err_of(SYS_open_by_handle_at, -1, 0) == EPERM, 2);
	CHECK(err_of(SYS_personality, ADDR_NO_RANDOMIZE, 0) == ENOSYS, 3);
	CHECK(err_of(SYS_personality, PER_LINUX32, 0) == 0, 4);
	CHECK(err_of(SYS_getpid, 0, 0) == 0, 5);
	return 0;
}

static void test_podman_profile(void **state)
{
	const char *path = "/usr/share/containers/seccomp.json";
	json_t *p = podman_profile(path);
	struct oci_seccomp *f;
	cleanup_free char *text = NULL;
	pid_t pid;
	int st;

	(void)state;
	if (!p) {
		print_message("skip: %s not installed (containers-common)\n",
			      path);
		skip();
	}
	f = compile_json(p);
	oci_seccomp_free(f);
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	st = run_filtered(text, podman_child);
	assert_exit0(st);
	/* the control: unfiltered, root's open_by_handle_at gets past the
	 * permission check (2: the first refusal podman_child expects) */
	pid = fork();
	if (pid == 0)
		_exit(podman_child());
	st = status_of(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 2);
}

/*
 * Docker's default profile as it reaches a runtime: its unconditional
 * allow-list (homo's table, seccomp_table.c, entries needing no
 * capability), clone without namespace flags (MASKED_EQ), the five
 * personalities (EQ), clone3 refused with ENOSYS, EPERM for the rest.
 */
static json_t *docker_profile(void)
{
	static const uint64_t pers[] = SECCOMP_PERSONALITIES;
	json_t *allow = json_array(), *calls;
	size_t n;
	const struct seccomp_rule *r = seccomp_rules(&n);

	for (size_t i = 0; i < n; i++)
		if (!r[i].caps && (!r[i].arches || (r[i].arches & NATIVE)) &&
		    r[i].how != SECCOMP_CLONE &&
		    r[i].how != SECCOMP_PERSONALITY &&
		    r[i].how != SECCOMP_ENOSYS)
			json_array_append_new(allow, json_string(r[i].name));
	calls =
	    json_pack("[{s:o, s:s}, {s:[s], s:s, s:[{s:i, s:I, s:i, s:s}]}, "
		      "{s:[s], s:s, s:i}]",
		      "names", allow, "action", "SCMP_ACT_ALLOW", "names",
		      "clone", "action", "SCMP_ACT_ALLOW", "args", "index", 0,
		      "value", (json_int_t)SECCOMP_CLONE_NS_FLAGS, "valueTwo",
		      0, "op", "SCMP_CMP_MASKED_EQ", "names", "clone3",
		      "action", "SCMP_ACT_ERRNO", "errnoRet", ENOSYS);
	for (size_t i = 0; i < ARRAY_SIZE(pers); i++)
		json_array_append_new(
		    calls,
		    json_pack("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names",
			      "personality", "action", "SCMP_ACT_ALLOW", "args",
			      "index", 0, "value", (json_int_t)pers[i], "op",
			      "SCMP_CMP_EQ"));
	return json_pack("{s:s, s:i, s:[s, s, s], s:o}", "defaultAction",
			 "SCMP_ACT_ERRNO", "defaultErrnoRet", EPERM,
			 "architectures", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
			 "SCMP_ARCH_X32", "syscalls", calls);
}

/* clone(2) with @flags, the child exiting at once: 0 or the errno */
static int clone_err(long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid < 0 ? errno : 0;
}

/*
 * What the profile refuses: each probe harmless in a child, and each
 * answered differently by an unfiltered root (unshare and the namespaced
 * clone succeed, setns(-1) says EBADF, clone3 forks, personality sets).
 */
static int docker_probes(void)
{
	CHECK(err_of(SYS_unshare, CLONE_NEWUTS, 0) == EPERM, 1);
	CHECK(clone_err(CLONE_NEWUTS) == EPERM, 2);
	CHECK(err_of(SYS_setns, -1, 0) == EPERM, 3);
	CHECK(err_of(SYS_clone3, 0, 0) == ENOSYS, 4);
	CHECK(err_of(SYS_personality, ADDR_NO_RANDOMIZE, 0) == EPERM, 5);
	/* and what it allows */
	CHECK(clone_err(0) == 0, 6);
	CHECK(err_of(SYS_personality, 0xffffffff, 0) == 0, 7);
	return 0;
}

static int docker_child(void)
{
	CHECK(exec_true_child() == 0, 10);
	return docker_probes();
}

static void test_docker_profile(void **state)
{
	json_t *p = docker_profile();
	cleanup_free char *text = json_dumps(p, JSON_COMPACT);
	pid_t pid;
	int st;

	(void)state;
	json_decref(p);
	assert_exit0(run_filtered(text, docker_child));
	/* the control: the probes fail without the filter, so a filter that
	 * compiled to nothing could not pass (1: unshare went through) */
	pid = fork();
	if (pid == 0)
		_exit(docker_probes());
	st = status_of(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
}

#if defined(__x86_64__)
/* getppid by its i386 number through the 32-bit entry (int $0x80) */
static long i386_getppid(void)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(64L)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

static int i386_child(void)
{
	return i386_getppid() == -33 ? 0 : 1;
}

/*
 * architectures[]: with SCMP_ARCH_X86 the rules hold for i386 numbers
 * too; without it an i386 call is no architecture of the filter's, and
 * the process is killed rather than let through.
 */
static void test_architectures(void **state)
{
	const char *rule =
	    ", \"syscalls\": [{\"names\": [\"getppid\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 33}]}";
	cleanup_free char *with =
	    xasprintf(ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86_64\", "
				"\"SCMP_ARCH_X86\"]%s",
		      rule);
	cleanup_free char *without = xasprintf(ALLOW_ALL "%s", rule);
	pid_t pid = fork();
	int st;

	(void)state;
	if (pid == 0) {
		/* without ia32 emulation int 0x80 faults: the child must die
		 * of it, not run on in cmocka's handler as a second runner */
		signal(SIGSEGV, SIG_DFL);
		_exit(i386_getppid() > 0 ? 0 : 1);
	}
	st = status_of(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		print_message("skip: no i386 syscalls on this kernel\n");
		skip();
	}
	assert_exit0(run_filtered(with, i386_child));
	st = run_filtered(without, i386_child);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}
#else
static void test_architectures(void **state)
{
	(void)state;
	skip();
}
#endif

static struct oci_seccomp *compile_cached(const char *text, const char *dir,
					  struct hm_err *e)
{
	json_t *j = parse(text);
	struct oci_seccomp *f = NULL;

	if (oci_seccomp_compile_cached(j, dir, &f, e) < 0)
		f = NULL;
	json_decref(j);
	return f;
}

static int getppid_is(long want)
{
	return syscall(SYS_getppid) == want ? 0 : 1;
}

static int getppid_42(void)
{
	return getppid_is(-1) || errno != 42;
}

static int getppid_43(void)
{
	return getppid_is(-1) || errno != 43;
}

/* The one program file of @dir, and its inode. */
static char *cache_file(const char *dir, ino_t *ino)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char *path = NULL;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			free(path);
			path = xasprintf("%s/%s", dir, de->d_name);
			n++;
		}
	closedir(d);
	assert_int_equal(n, 1);
	assert_int_equal(stat(path, &st), 0);
	*ino = st.st_ino;
	return path;
}

/* A NOTIFY profile cached while its agent listened, compiled again once
 * the agent is gone: still an error of the compile. */
static void check_listener_on_hit(const char *tmp)
{
	cleanup_free char *sock = xasprintf("%s/agent.sock", tmp);
	cleanup_free char *dir = xasprintf("%s/cn", tmp), *prof = NULL;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct hm_err e = {0};
	struct oci_seccomp *f;
	ino_t ino;

	strcpy(sa.sun_path, sock);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	prof = xasprintf(ALLOW_ALL ", \"listenerPath\": \"%s\", "
				   "\"syscalls\": [{\"names\": [\"getppid\"], "
				   "\"action\": \"SCMP_ACT_NOTIFY\"}]}",
			 sock);
	f = compile_cached(prof, dir, &e);
	assert_non_null(f);
	oci_seccomp_free(f);
	free(cache_file(dir, &ino));
	close(l);
	unlink(sock);
	assert_null(compile_cached(prof, dir, &e));
	assert_non_null(strstr(e.msg, "listenerPath: connect to"));
}

#define DENY_GETPPID(n)                                                      \
	ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"], \"action\": " \
		  "\"SCMP_ACT_ERRNO\", \"errnoRet\": " #n "}]}"

/*
 * The cache: a compile writes the program, the next of the same profile
 * loads it (the file untouched), a file damaged in place is generated
 * again, and the profile is checked on a hit too.
 */
static void test_cache(void **state)
{
	char *tmp = unit_tmpdir();
	cleanup_free char *dir = xasprintf("%s/cache", tmp), *path = NULL;
	cleanup_free char *p43 = NULL, *copy = NULL, *d43 = NULL;
	struct hm_err e = {0};
	ino_t ino, ino2;
	size_t len;
	char *buf;

	(void)state;
	assert_exit0(
	    run_loaded(compile_cached(DENY_GETPPID(42), dir, &e), getppid_42));
	path = cache_file(dir, &ino);
	assert_exit0(
	    run_loaded(compile_cached(DENY_GETPPID(42), dir, &e), getppid_42));
	free(cache_file(dir, &ino2));
	assert_true(ino == ino2); /* a hit: not written again */

	/* a hit loads the file's program: profile 43's file given 42's
	 * program (digest and all) makes 43's compile enforce 42 */
	buf = util_read_file(path, &len, NULL);
	assert_non_null(buf);
	d43 = xasprintf("%s/c43", tmp);
	oci_seccomp_free(compile_cached(DENY_GETPPID(43), d43, &e));
	p43 = cache_file(d43, &ino);
	assert_int_equal(util_write_file_atomic(p43, buf, len, false, NULL), 0);
	assert_exit0(
	    run_loaded(compile_cached(DENY_GETPPID(43), d43, &e), getppid_42));

	/* damaged in place, same size: generated again and rewritten */
	buf[len - 3] ^= 0x5a;
	assert_int_equal(util_write_file_atomic(p43, buf, len, false, NULL), 0);
	assert_exit0(
	    run_loaded(compile_cached(DENY_GETPPID(43), d43, &e), getppid_43));
	copy = util_read_file(p43, &len, NULL);
	assert_true(memcmp(copy, buf, len) != 0);
	free(buf);

	/* a hit still checks what is outside the program: the listener */
	check_listener_on_hit(tmp);
	unit_rmtree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_notify),
	    cmocka_unit_test(test_podman_profile),
	    cmocka_unit_test(test_docker_profile),
	    cmocka_unit_test(test_architectures),
	    cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
