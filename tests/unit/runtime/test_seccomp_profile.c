/* SPDX-License-Identifier: MIT */
/*
 * seccomp_profile.c: homo's default filter as homo run loads it (the OCI
 * profile compiled once, then read back from the cache by its exact name,
 * without the profile) must refuse and allow exactly what the profile
 * compiled afresh by oci_seccomp.c does, for several capability sets: the
 * same probes run under each filter in forked children, their errnos
 * compared; a control shows what the filter refuses really is refused.
 */
#include "oci_seccomp_unit.h"

#include <linux/capability.h>
#include <sys/mount.h>

#define CAP(c) (UINT64_C(1) << CAP_##c)

/* Docker's default capabilities */
#define DOCKER_CAPS                                                   \
	(CAP(CHOWN) | CAP(DAC_OVERRIDE) | CAP(FSETID) | CAP(FOWNER) | \
	 CAP(MKNOD) | CAP(NET_RAW) | CAP(SETGID) | CAP(SETUID) |      \
	 CAP(SETFCAP) | CAP(SETPCAP) | CAP(NET_BIND_SERVICE) |        \
	 CAP(SYS_CHROOT) | CAP(KILL) | CAP(AUDIT_WRITE))

static int clone_flags_err(long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid < 0 ? errno : 0;
}

/* An fd the call may have opened is closed: the errno only. */
static int fd_err(long r)
{
	int err = r < 0 ? errno : 0;

	if (r >= 0)
		close((int)r);
	return err;
}

#define NPROBES 18

/* Each harmless in a throwaway child, filtered or not. */
static void probes(int out[NPROBES])
{
	int i = 0;

	out[i++] = err_of(SYS_getppid, 0, 0);
	out[i++] = err_of(SYS_unshare, CLONE_NEWUTS, 0);
	out[i++] = clone_flags_err(CLONE_NEWUTS);
	out[i++] = clone_flags_err(0);
	out[i++] = err_of(SYS_setns, -1, 0);
	out[i++] = err_of(SYS_clone3, 0, 0);
	out[i++] = err_of(SYS_personality, ADDR_NO_RANDOMIZE, 0);
	out[i++] = err_of(SYS_personality, 0xffffffff, 0);
	out[i++] = fd_err(syscall(SYS_socket, AF_VSOCK, SOCK_STREAM, 0));
	/* the high bits do not hide AF_VSOCK: the kernel reads an int */
	out[i++] =
	    fd_err(syscall(SYS_socket, (1L << 32) | AF_VSOCK, SOCK_STREAM, 0));
	out[i++] = fd_err(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
	out[i++] = err_of(SYS_ioctl, -1, TIOCSTI);
	out[i++] = err_of(SYS_ioctl, -1, TCGETS);
	out[i++] = err_of(SYS_keyctl, -1, 0);
	out[i++] = err_of(SYS_mount, 0, 0);
	out[i++] = err_of(SYS_syslog, 10, 0); /* SIZE_BUFFER: a read */
	/* only the low 32 bits count, all of them: differing in bit 31
	 * alone is another value, allowed */
	out[i++] =
	    fd_err(syscall(SYS_socket, 0x80000000L | AF_VSOCK, SOCK_STREAM, 0));
	out[i++] = err_of(SYS_ioctl, -1, 0x80000000L | TIOCSTI);
}

static int pipe_fd;

static int report_probes(void)
{
	int v[NPROBES];

	probes(v);
	return write(pipe_fd, v, sizeof(v)) == sizeof(v) ? 0 : 1;
}

static char *cache; /* seccomp_prepare()'s, for the whole test */

/*
 * homo run's filter for @caps as a child gets it from the cache: written
 * here first, then another filter prepared, so that the child reads it.
 */
static void cache_filter(uint64_t caps)
{
	struct hm_spec s = {.caps = caps},
		       other = {.caps = caps ^ CAP(SYS_BOOT)};
	struct hm_err e = {0};

	if (seccomp_prepare(&s, cache, &e) < 0 ||
	    seccomp_prepare(&other, cache, &e) < 0)
		fail_msg("seccomp_prepare: %s", e.msg);
}

static int homo_filter(uint64_t caps, struct hm_err *e)
{
	struct hm_spec s = {.caps = caps};

	return seccomp_prepare(&s, cache, e) < 0 ? -1 : seccomp_apply(&s, e);
}

/* The probes' errnos under homo run's filter (@oci NULL) or @oci's. */
static void run_probes(uint64_t caps, struct oci_seccomp *oci, int v[NPROBES])
{
	int p[2];
	pid_t pid;

	if (!oci)
		cache_filter(caps);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		struct hm_err e;

		pipe_fd = p[1];
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    (oci ? oci_seccomp_load(oci, &e) : homo_filter(caps, &e)) <
			0)
			_exit(99);
		_exit(report_probes());
	}
	oci_seccomp_free(oci);
	assert_exit0(status_of(pid));
	assert_int_equal(read(p[0], v, sizeof(int) * NPROBES),
			 sizeof(int) * NPROBES);
	close(p[0]);
	close(p[1]);
}

static void test_same_verdicts(void **state)
{
	static const uint64_t sets[] = {
	    0, DOCKER_CAPS, DOCKER_CAPS | CAP(SYS_ADMIN),
	    DOCKER_CAPS | CAP(SYS_PTRACE) | CAP(SYSLOG), ~UINT64_C(0)};
	static const int refused[] = {1, 2, 4, 5, 6, 8, 9, 11, 13, 14, 15};
	int homo[NPROBES], oci[NPROBES], none[NPROBES], docker[NPROBES];
	char *dir = unit_tmpdir();

	(void)state;
	cache = xasprintf("%s/cache", dir);
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_t *p = seccomp_oci_profile(sets[s]);

		run_probes(sets[s], NULL, homo);
		run_probes(sets[s], compile_json(p), oci);
		json_decref(p);
		for (int i = 0; i < NPROBES; i++)
			if (homo[i] != oci[i])
				fail_msg("caps %#llx, probe %d: cached %d, "
					 "compiled %d",
					 (unsigned long long)sets[s], i,
					 homo[i], oci[i]);
		if (sets[s] == DOCKER_CAPS)
			memcpy(docker, homo, sizeof(docker));
	}
	/* the control: what the Docker set refuses, EPERM or ENOSYS, an
	 * allow-all filter lets through to the kernel's own answer */
	run_probes(0, compile_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"),
		   none);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		int k = refused[i];

		if (docker[k] != EPERM && docker[k] != ENOSYS)
			fail_msg("probe %d: %d under Docker's set", k,
				 docker[k]);
		if (none[k] == docker[k])
			fail_msg("probe %d: %d with no filter too", k, none[k]);
	}
	unit_rmtree(dir);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
