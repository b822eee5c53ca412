/* SPDX-License-Identifier: MIT */
/*
 * Hooks for the sanitizer build (make check-asan-integration); empty in
 * any other build.
 */
#include <sys/stat.h>

#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define HM_ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define HM_ASAN 1
#endif
#endif

#ifdef HM_ASAN
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

int __lsan_is_turned_off(void);

/*
 * LeakSanitizer's check at exit stops the world from a tracer it clones,
 * which is born in our PID namespace for children: in a process that
 * joined a container's (homo exec), the tracer sees no parent, exits at
 * once, and the check waits for it forever.
 */
static bool joined_pid_ns(void)
{
	struct stat self, children;

	return stat("/proc/self/ns/pid", &self) == 0 &&
	       stat("/proc/self/ns/pid_for_children", &children) == 0 &&
	       self.st_ino != children.st_ino;
}

/*
 * The tracer shares our file table and opens /proc/self/task, then maps
 * and its log file: with none to spare (a low ulimit -n, the EMFILE
 * tests) it dies, and the check fails or waits forever.
 */
static bool fds_to_spare(void)
{
	int fd[3], n;
	bool ok;

	for (n = 0; n < 3; n++) {
		fd[n] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd[n] < 0)
			break;
	}
	ok = n == 3;
	while (n--)
		close(fd[n]);
	return ok;
}

/* Only processes where the check cannot run skip it. */
int __lsan_is_turned_off(void)
{
	return joined_pid_ns() || !fds_to_spare();
}
#endif
