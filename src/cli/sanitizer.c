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
int __lsan_is_turned_off(void);

/*
 * LeakSanitizer's check at exit stops the world from a tracer it clones,
 * which is born in our PID namespace for children: in a process that
 * joined a container's (homo exec), the tracer sees no parent, exits at
 * once, and the check waits for it forever. Such a process skips the
 * check; every other one keeps it.
 */
int __lsan_is_turned_off(void)
{
	struct stat self, children;

	return stat("/proc/self/ns/pid", &self) == 0 &&
	       stat("/proc/self/ns/pid_for_children", &children) == 0 &&
	       self.st_ino != children.st_ino;
}
#endif
