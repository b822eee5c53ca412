/* SPDX-License-Identifier: MIT */
/*
 * CVE-2019-5736: every process homo puts in a container (the init, the
 * --init mini-init, exec's child) is a clone of homo, so until it execs, its
 * /proc/self/exe is homo's binary. A container command that is
 * /proc/self/exe then runs that binary inside the container, where a library
 * the image preloads opens it and, as root, chowns and chmods it (only
 * ETXTBSY stops a write). The commands that start container processes
 * therefore re-exec homo first from a memfd copy sealed against writes (as
 * runc and crun do): what a container can open is that copy, never the
 * host's file, and a write to it fails with EPERM.
 */
#include "runtime/sealed.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#ifndef MFD_EXEC /* Linux 6.3, glibc 2.38 */
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define MARK "_HOMO_SEALED"

extern char **environ;

bool sealed_running(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals = fd < 0 ? -1 : fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* An executable memfd: MFD_EXEC where vm.memfd_noexec would deny it. */
static int memfd_exec(void)
{
	int fd =
	    memfd_create("homo", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL) /* before Linux 6.3 */
		fd = memfd_create("homo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

/*
 * How much of the binary exec needs: up to the end of its last PT_LOAD
 * segment. What follows (debug info, symbols, section headers: three
 * quarters of an unstripped homo) stays out of the copy, and its header
 * then says it has no sections. 0: all of it (not an ELF64 we read).
 */
static off_t loaded_size(int fd, Elf64_Ehdr *eh)
{
	Elf64_Phdr ph[64];
	size_t n;
	off_t end;

	if (pread(fd, eh, sizeof(*eh), 0) != (ssize_t)sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(ph[0]) || eh->e_phnum > ARRAY_SIZE(ph))
		return 0;
	n = eh->e_phnum * sizeof(ph[0]);
	if (pread(fd, ph, n, (off_t)eh->e_phoff) != (ssize_t)n)
		return 0;
	end = (off_t)(eh->e_phoff + n);
	for (size_t i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD &&
		    (off_t)(ph[i].p_offset + ph[i].p_filesz) > end)
			end = (off_t)(ph[i].p_offset + ph[i].p_filesz);
	return end;
}

static int copy_range(int to, int from, off_t size, struct hm_err *e)
{
	while (size > 0) {
		ssize_t n = sendfile(to, from, NULL, (size_t)size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hm_fail(e, n < 0 ? errno : EIO,
				       "copy homo's binary");
		size -= n;
	}
	return 0;
}

/* /proc/self/exe into a new memfd, sealed: its fd, or -1 with @e. */
static int sealed_copy(struct hm_err *e)
{
	cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int fd = -1;
	Elf64_Ehdr eh;
	struct stat st;
	off_t size;

	if (exe < 0 || fstat(exe, &st) < 0)
		return hm_fail(e, errno, "open homo's binary");
	fd = memfd_exec();
	if (fd < 0)
		return hm_fail(e, errno, "memfd_create");
	size = loaded_size(exe, &eh);
#ifdef __SANITIZE_ADDRESS__
	/* gcc's sanitizers name our frames from /proc/self/exe's debug info */
	size = 0;
#endif
	if (size <= 0 || size > st.st_size)
		size = st.st_size;
	if (copy_range(fd, exe, size, e) < 0)
		return -1;
	if (size < st.st_size) {
		eh.e_shoff = 0;
		eh.e_shnum = 0;
		eh.e_shstrndx = SHN_UNDEF;
		if (pwrite(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return hm_fail(e, errno, "copy homo's binary");
	}
	/* F_SEAL_EXEC (Linux 6.3) also keeps its mode's x bits */
	if (fcntl(fd, F_ADD_SEALS, SEALS | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, SEALS) < 0))
		return hm_fail(e, errno, "seal the copy of homo's binary");
	return steal_fd(&fd);
}

int sealed_reexec(char *const argv[], struct hm_err *e)
{
	int fd, err;

	if (getenv(MARK)) {
		unsetenv(MARK);
		if (!sealed_running())
			return hm_failx(e, HM_EXIT_FAIL,
					"re-executed homo is not sealed");
		/* not the fd number ("3") or "memfd:homo" exec named us */
		prctl(PR_SET_NAME, strrchr(argv[0], '/')
				       ? strrchr(argv[0], '/') + 1
				       : argv[0]);
		return 0;
	}
	if (sealed_running())
		return 0;
	fd = sealed_copy(e);
	if (fd < 0)
		return -1;
	setenv(MARK, "1", 1);
	fexecve(fd, argv, environ);
	err = errno;
	unsetenv(MARK);
	close(fd);
	return hm_fail(e, err, "execute the sealed copy of homo");
}
