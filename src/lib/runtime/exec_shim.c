/* SPDX-License-Identifier: MIT */
/*
 * The exec shim's homo side (exec_shim.h). The shim's bytes are linked
 * into homo (the build makes $(BUILD)/homo-exec first and names it in
 * EXEC_SHIM_BIN); each process that execs a container's command copies
 * them into its own memfd, so a container that could change its copy
 * (it cannot: the seals) would change only its own.
 */
#include "runtime/exec_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/rootless.h"
#include "base/util.h"
#include "runtime/clone_vm.h"
#include "runtime/exec_shim_proto.h"

#ifndef EXEC_SHIM_BIN
#error "EXEC_SHIM_BIN: the path of the built shim (Makefile)"
#endif
#ifndef MFD_EXEC /* Linux 6.3, glibc 2.38 */
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

__asm__(".pushsection .rodata\n"
	".balign 16\n"
	".hidden homo_exec_shim\n"
	"homo_exec_shim:\n"
	".incbin \"" EXEC_SHIM_BIN "\"\n"
	".hidden homo_exec_shim_end\n"
	"homo_exec_shim_end:\n"
	".popsection\n");
extern const char homo_exec_shim[], homo_exec_shim_end[];

/* this process's: a clone sharing our memory (clone_vm.h) opens its own */
static int shim_fd = -1;
static unsigned long shim_gen;

void exec_shim_guard(void)
{
	/*
	 * Rootless, our mm belongs to the host's user namespace (homo made
	 * its own after it started), so non-dumpable would shut out the
	 * user's NAT helper, which opens the init's /proc/PID/ns/net. The
	 * init needs none of it: nothing of its container runs yet, and exec's
	 * child and the --init mini-init make themselves non-dumpable.
	 */
	if (!hm_rootless())
		prctl(PR_SET_DUMPABLE, 0);
}

int exec_shim_fd(void)
{
	return shim_fd;
}

/* An executable memfd: MFD_EXEC where vm.memfd_noexec would deny it. */
static int memfd_exec(void)
{
	int fd = memfd_create("homo-exec",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL) /* before Linux 6.3 */
		fd = memfd_create("homo-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

int exec_shim_open(struct hm_err *e)
{
	size_t size = (size_t)(homo_exec_shim_end - homo_exec_shim);
	cleanup_close int fd = -1;

	if (shim_fd >= 0 && shim_gen == clone_vm_generation())
		return shim_fd;
	fd = memfd_exec();
	if (fd < 0)
		return hm_fail(e, errno, "memfd_create for the exec shim");
	if (util_write_all(fd, homo_exec_shim, size) < 0)
		return hm_fail(e, errno, "write the exec shim");
	/* F_SEAL_EXEC (Linux 6.3) also keeps its mode's x bits */
	if (fcntl(fd, F_ADD_SEALS, SEALS | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, SEALS) < 0))
		return hm_fail(e, errno, "seal the exec shim");
	shim_fd = steal_fd(&fd);
	shim_gen = clone_vm_generation();
	return shim_fd;
}

int exec_shim_exec(const char *name, int errfd, const char *path,
		   char *const argv[], char *const envp[], struct hm_err *e)
{
	size_t n = strv_len(argv);
	cleanup_free char **av = xcalloc(n + 5, sizeof(*av));
	char fdstr[16] = "-", self[32];
	int err;

	if (exec_shim_open(e) < 0)
		return -1;
	if (errfd >= 0) {
		snprintf(fdstr, sizeof(fdstr), "%d", errfd);
		/* the shim's to report on; it closes it on its exec */
		if (fcntl(errfd, F_SETFD, 0) < 0)
			return hm_fail(e, errno, "keep the report socket");
	}
	av[0] = "homo-exec";
	av[1] = (char *)name;
	av[2] = fdstr;
	av[3] = (char *)path;
	memcpy(av + 4, argv, n * sizeof(*av));
	execveat(shim_fd, "", av, envp, AT_EMPTY_PATH);
	err = errno;
	/* an engine's seccomp profile may refuse execveat: by its path */
	if (err == EPERM || err == ENOSYS) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", shim_fd);
		execve(self, av, envp);
		err = errno;
	}
	return hm_fail(e, err, "exec the exec shim");
}

bool exec_shim_decode(const void *buf, size_t n, const char *cmd,
		      struct hm_err *e)
{
	struct exec_shim_report r;

	if (n != sizeof(r))
		return false;
	memcpy(&r, buf, sizeof(r));
	if (r.type != EXEC_SHIM_REPORT)
		return false;
	exec_shim_failed(cmd, r.err, e);
	return true;
}

int exec_shim_failed(const char *cmd, int err, struct hm_err *e)
{
	/* Podman reads the exit code from these phrases (docs/oci.md) */
	if (err == ENOENT || err == ENOTDIR)
		return hm_failx(e, HM_EXIT_NOT_FOUND,
				"exec \"%s\": no such file or directory", cmd);
	if (err == EACCES)
		return hm_failx(e, HM_EXIT_CANNOT_EXEC,
				"exec \"%s\": permission denied", cmd);
	hm_fail(e, err, "exec \"%s\"", cmd);
	if (e)
		e->exit_code = HM_EXIT_CANNOT_EXEC;
	return -1;
}
