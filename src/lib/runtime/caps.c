/* SPDX-License-Identifier: MIT */
/*
 * Capabilities: Docker's names and defaults, the set a container gets from
 * --cap-add/--cap-drop/--privileged, and applying it in the container's
 * init: the bounding, ambient, permitted, effective and inheritable sets,
 * the switch to the container's user (which must happen in the middle of
 * that) and no_new_privs. The seccomp filter is seccomp.c's.
 */
#include "runtime/caps.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/util.h"

/*
 * Every capability up to CAP_CHECKPOINT_RESTORE (Linux 5.9), by number.
 * DEF marks Docker's 14 defaults, each with the reason a container gets it.
 */
#define DEF true

static const struct cap_info {
	const char *name;
	bool dflt;
} caps[] = {
    [0] = {"CHOWN", DEF},	 /* chown in the image: package installs */
    [1] = {"DAC_OVERRIDE", DEF}, /* root reads/writes any file, as expected */
    [2] = {"DAC_READ_SEARCH", false},
    [3] = {"FOWNER", DEF},  /* chmod, utime of files it does not own */
    [4] = {"FSETID", DEF},  /* setuid bits survive a file's change */
    [5] = {"KILL", DEF},    /* signal its own processes of other uids */
    [6] = {"SETGID", DEF},  /* su, daemons dropping to a group */
    [7] = {"SETUID", DEF},  /* su, daemons dropping to a user */
    [8] = {"SETPCAP", DEF}, /* drop caps for its own children */
    [9] = {"LINUX_IMMUTABLE", false},
    [10] = {"NET_BIND_SERVICE", DEF}, /* servers on ports below 1024 */
    [11] = {"NET_BROADCAST", false},
    [12] = {"NET_ADMIN", false},
    [13] = {"NET_RAW", DEF}, /* ping: raw ICMP sockets */
    [14] = {"IPC_LOCK", false},
    [15] = {"IPC_OWNER", false},
    [16] = {"SYS_MODULE", false},
    [17] = {"SYS_RAWIO", false},
    [18] = {"SYS_CHROOT", DEF}, /* chroot inside the rootfs (build tools) */
    [19] = {"SYS_PTRACE", false},
    [20] = {"SYS_PACCT", false},
    [21] = {"SYS_ADMIN", false},
    [22] = {"SYS_BOOT", false},
    [23] = {"SYS_NICE", false},
    [24] = {"SYS_RESOURCE", false},
    [25] = {"SYS_TIME", false},
    [26] = {"SYS_TTY_CONFIG", false},
    [27] = {"MKNOD", DEF}, /* mknod; the devices cgroup limits use */
    [28] = {"LEASE", false},
    [29] = {"AUDIT_WRITE", DEF}, /* login, sshd: write audit records */
    [30] = {"AUDIT_CONTROL", false},
    [31] = {"SETFCAP", DEF}, /* install programs with file caps */
    [32] = {"MAC_OVERRIDE", false},
    [33] = {"MAC_ADMIN", false},
    [34] = {"SYSLOG", false},
    [35] = {"WAKE_ALARM", false},
    [36] = {"BLOCK_SUSPEND", false},
    [37] = {"AUDIT_READ", false},
    [38] = {"PERFMON", false},
    [39] = {"BPF", false},
    [40] = {"CHECKPOINT_RESTORE", false},
};

#define CAP_BIT(n) (UINT64_C(1) << (n))

const char *caps_name(unsigned cap)
{
	return cap < ARRAY_SIZE(caps) ? caps[cap].name : NULL;
}

unsigned caps_last(void)
{
	/* libcap probes the kernel (PR_CAPBSET_READ) once: no /proc needed,
	 * so this works in the container's init after pivot_root too */
	int bits = cap_max_bits();

	if (bits <= 0 || (unsigned)bits > ARRAY_SIZE(caps))
		bits = ARRAY_SIZE(caps);
	return (unsigned)bits - 1;
}

uint64_t caps_all(void)
{
	unsigned last = caps_last();

	return last >= 63 ? ~UINT64_C(0) : CAP_BIT(last + 1) - 1;
}

uint64_t caps_default(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(caps); i++)
		if (caps[i].dflt)
			m |= CAP_BIT(i);
	return m & caps_all();
}

/* Names as Docker takes them: any case, "CAP_" optional, or "ALL". */
static int parse_caps(char *const *names, uint64_t *mask, bool *all,
		      struct hm_err *e)
{
	unsigned last = caps_last();

	*mask = 0;
	*all = false;
	for (size_t i = 0; names && names[i]; i++) {
		const char *s = names[i];
		unsigned c;

		if (!strcasecmp(s, "ALL")) {
			*all = true;
			continue;
		}
		if (!strncasecmp(s, "CAP_", 4))
			s += 4;
		for (c = 0; c <= last; c++)
			if (!strcasecmp(s, caps[c].name))
				break;
		if (c > last)
			return hm_failx(e, HM_EXIT_FAIL,
					"unknown capability \"%s\"", names[i]);
		*mask |= CAP_BIT(c);
	}
	return 0;
}

int caps_resolve(char *const *add, char *const *drop, bool privileged,
		 uint64_t *mask, struct hm_err *e)
{
	uint64_t addm, dropm, all = caps_all();
	bool add_all, drop_all;

	*mask = 0;
	/* Docker skips the names with --privileged; a typo is still one */
	if (parse_caps(add, &addm, &add_all, e) < 0 ||
	    parse_caps(drop, &dropm, &drop_all, e) < 0)
		return -1;
	if (privileged || add_all)
		*mask = privileged ? all : all & ~dropm;
	else if (drop_all)
		*mask = addm;
	else
		*mask = (caps_default() & ~dropm) | addm;
	return 0;
}

bool caps_setgroups_denied(void)
{
	char buf[8] = "";
	cleanup_close int fd =
	    open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 &&
	       !strncmp(buf, "deny", 4);
}
