/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter: Docker's default profile as one table of refused
 * calls (sc_rules), turned into a BPF program by libseccomp for the
 * container's capabilities, compiled once by the parent (and cached in the
 * store), loaded by the init and each exec'd process. The capability sets
 * themselves are caps.c's.
 */
#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

/*
 * Seccomp: Docker's default profile, written as what it refuses. Docker
 * lists what it allows and refuses the rest with EPERM; the complement of
 * its list on x86 is below, so the effect is the same for every syscall the
 * kernel and libseccomp know today (a syscall added after this table is
 * allowed here, refused by Docker until its list learns it).
 *
 * An entry is not applied when the container holds one of the capabilities
 * in @unlock, as Docker's "includes: caps" entries do: the kernel's own
 * capability check then decides. Docker refuses some calls whatever the
 * capabilities (keyrings, kexec, swap, pivot_root): those have no unlock,
 * only --privileged or seccomp=unconfined lift them.
 */
enum sc_how {
	SC_DENY,	/* EPERM, whatever the arguments */
	SC_ENOSYS,	/* ENOSYS: libc then falls back to the older call */
	SC_CLONE_NS,	/* EPERM when a namespace flag is set */
	SC_PERSONALITY, /* EPERM but for the values Docker allows */
	SC_TIOCSTI,	/* EPERM for ioctl(fd, TIOCSTI, ...) only */
	SC_VSOCK,	/* EPERM for socket(AF_VSOCK, ...) only */
};

#define CAP(c) (UINT64_C(1) << CAP_##c)

struct sc_rule {
	const char *name;
	uint64_t unlock; /* any of these capabilities lifts the entry */
	enum sc_how how;
};

/* clang-format off */
static const struct sc_rule sc_rules[] = {
	/* kernel keyrings are not namespaced: a container could read or
	 * fill the host's */
	{"add_key", 0, SC_DENY},
	{"keyctl", 0, SC_DENY},
	{"request_key", 0, SC_DENY},
	{"bpf", CAP(SYS_ADMIN) | CAP(BPF), SC_DENY},		 /* kernel programs, maps of the host */
	{"perf_event_open", CAP(SYS_ADMIN) | CAP(PERFMON), SC_DENY}, /* host-wide tracing, side channels */
	{"userfaultfd", CAP(SYS_PTRACE), SC_DENY},		 /* stalls kernel page faults: exploit primitive */
	{"io_uring_setup", 0, SC_DENY},				 /* bypasses this filter (Docker >= 25) */
	{"io_uring_enter", 0, SC_DENY},
	{"io_uring_register", 0, SC_DENY},
	{"kexec_load", 0, SC_DENY},				 /* replace the host's kernel */
	{"kexec_file_load", 0, SC_DENY},
	{"reboot", CAP(SYS_BOOT), SC_DENY},			 /* reboots the host outside a pid namespace */
	{"init_module", CAP(SYS_MODULE), SC_DENY},		 /* kernel modules are the host's */
	{"finit_module", CAP(SYS_MODULE), SC_DENY},
	{"delete_module", CAP(SYS_MODULE), SC_DENY},
	{"create_module", 0, SC_DENY},				 /* obsolete module calls */
	{"get_kernel_syms", 0, SC_DENY},
	{"query_module", 0, SC_DENY},
	{"swapon", 0, SC_DENY},					 /* the host's swap */
	{"swapoff", 0, SC_DENY},
	{"mount", CAP(SYS_ADMIN), SC_DENY},			 /* mounts could uncover masked paths */
	{"umount", CAP(SYS_ADMIN), SC_DENY},
	{"umount2", CAP(SYS_ADMIN), SC_DENY},
	{"fsopen", CAP(SYS_ADMIN), SC_DENY},			 /* the new mount API, same reason */
	{"fsconfig", CAP(SYS_ADMIN), SC_DENY},
	{"fsmount", CAP(SYS_ADMIN), SC_DENY},
	{"fspick", CAP(SYS_ADMIN), SC_DENY},
	{"move_mount", CAP(SYS_ADMIN), SC_DENY},
	{"open_tree", CAP(SYS_ADMIN), SC_DENY},
	{"mount_setattr", CAP(SYS_ADMIN), SC_DENY},
	{"pivot_root", 0, SC_DENY},				 /* only the runtime changes the root */
	{"open_by_handle_at", CAP(DAC_READ_SEARCH), SC_DENY},	 /* opens host files by handle (shocker, 2014) */
	{"unshare", CAP(SYS_ADMIN), SC_DENY},			 /* new namespaces: attack surface of user ns */
	{"setns", CAP(SYS_ADMIN), SC_DENY},			 /* joining other namespaces */
	{"clone", CAP(SYS_ADMIN), SC_CLONE_NS},			 /* fork is fine, new namespaces are not */
	{"clone3", CAP(SYS_ADMIN), SC_ENOSYS},			 /* flags sit in memory, out of a filter's reach */
	{"acct", CAP(SYS_PACCT), SC_DENY},			 /* process accounting is host-wide */
	{"settimeofday", CAP(SYS_TIME), SC_DENY},		 /* the clock is not namespaced */
	{"stime", CAP(SYS_TIME), SC_DENY},
	{"clock_settime", CAP(SYS_TIME), SC_DENY},
	{"clock_settime64", CAP(SYS_TIME), SC_DENY},
	{"personality", 0, SC_PERSONALITY},			 /* e.g. READ_IMPLIES_EXEC, no ASLR: exploit aids */
	{"ioctl", 0, SC_TIOCSTI},				 /* TIOCSTI types into the user's terminal */
	{"socket", 0, SC_VSOCK},				 /* AF_VSOCK reaches the hypervisor, not namespaced */
	{"sethostname", CAP(SYS_ADMIN), SC_DENY},		 /* homo set it; Docker's --hostname */
	{"setdomainname", CAP(SYS_ADMIN), SC_DENY},
	{"quotactl", CAP(SYS_ADMIN), SC_DENY},			 /* host file system quotas */
	{"quotactl_fd", CAP(SYS_ADMIN), SC_DENY},
	{"lookup_dcookie", CAP(SYS_ADMIN), SC_DENY},		 /* profiling, leaks host paths */
	{"fanotify_init", CAP(SYS_ADMIN), SC_DENY},		 /* watches whole host file systems */
	{"syslog", CAP(SYS_ADMIN) | CAP(SYSLOG), SC_DENY},	 /* the host's kernel log */
	{"kcmp", CAP(SYS_PTRACE), SC_DENY},			 /* compares kernel pointers: KASLR leak */
	{"pidfd_getfd", CAP(SYS_PTRACE), SC_DENY},		 /* steals another process's fds */
	{"process_madvise", CAP(SYS_PTRACE), SC_DENY},
	{"iopl", CAP(SYS_RAWIO), SC_DENY},			 /* raw I/O ports */
	{"ioperm", CAP(SYS_RAWIO), SC_DENY},
	{"vhangup", CAP(SYS_TTY_CONFIG), SC_DENY},		 /* hangs up the terminal */
	{"get_mempolicy", CAP(SYS_NICE), SC_DENY},		 /* NUMA placement is host-wide */
	{"set_mempolicy", CAP(SYS_NICE), SC_DENY},
	{"set_mempolicy_home_node", CAP(SYS_NICE), SC_DENY},
	{"mbind", CAP(SYS_NICE), SC_DENY},
	{"move_pages", 0, SC_DENY},
	{"nfsservctl", 0, SC_DENY},				 /* removed or never used: */
	{"uselib", 0, SC_DENY},					 /* old attack surface, no users */
	{"ustat", 0, SC_DENY},
	{"sysfs", 0, SC_DENY},
	{"_sysctl", 0, SC_DENY},
	{"vm86", 0, SC_DENY},
	{"vm86old", 0, SC_DENY},
	{"afs_syscall", 0, SC_DENY},
	{"getpmsg", 0, SC_DENY},
	{"putpmsg", 0, SC_DENY},
	{"security", 0, SC_DENY},
	{"tuxcall", 0, SC_DENY},
	{"vserver", 0, SC_DENY},
};
/* clang-format on */

/* Docker's safe personalities: PER_LINUX, PER_LINUX32, UNAME26, both,
 * and 0xffffffff, the query. The kernel reads an unsigned int. */
#define PERS_OK_BITS 0x20008u

/*
 * "Deny unless one of five values": libseccomp allows one comparison per
 * argument in a rule, and rules OR, so the complement is written as
 * masked-equal tests on the low 32 bits. A value other than 0xffffffff has
 * a lowest clear bit c: for c >= 1, bit 0 is set, which is not an allowed
 * bit, so "low c+1 bits are 0111..1" refuses it; for c = 0, refuse when any
 * bit outside PERS_OK_BITS is set.
 */
static int add_personality(scmp_filter_ctx ctx, int nr)
{
	uint32_t act = SCMP_ACT_ERRNO(EPERM);

	for (unsigned b = 1; b < 32; b++) {
		uint32_t bit = UINT32_C(1) << b;
		uint64_t low = (UINT64_C(1) << (b + 1)) - 1;
		int r;

		r = seccomp_rule_add(
		    ctx, act, nr, 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, low, low >> 1));
		if (r == 0 && !(bit & PERS_OK_BITS))
			r = seccomp_rule_add(
			    ctx, act, nr, 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, bit | 1u, bit));
		if (r < 0)
			return r;
	}
	return 0;
}

/* Every namespace flag clone() takes (CLONE_NEWTIME only fits clone3). */
static const uint64_t clone_ns_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,	 CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

static int add_rule(scmp_filter_ctx ctx, const struct sc_rule *r, int nr)
{
	uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	int rc = 0;

	switch (r->how) {
	case SC_DENY:
		return seccomp_rule_add(ctx, eperm, nr, 0);
	case SC_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case SC_CLONE_NS:
		for (size_t i = 0; i < ARRAY_SIZE(clone_ns_flags) && !rc; i++)
			rc = seccomp_rule_add(ctx, eperm, nr, 1,
					      SCMP_A0(SCMP_CMP_MASKED_EQ,
						      clone_ns_flags[i],
						      clone_ns_flags[i]));
		return rc;
	case SC_PERSONALITY:
		return add_personality(ctx, nr);
	case SC_TIOCSTI: /* the kernel reads an unsigned int request */
		return seccomp_rule_add(
		    ctx, eperm, nr, 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
	case SC_VSOCK:
		return seccomp_rule_add(
		    ctx, eperm, nr, 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_VSOCK));
	}
	return -EINVAL;
}

/*
 * The other ABIs this kernel runs, so a 64-bit process cannot switch to
 * i386 numbers (int $0x80) or x32 numbers (bit 30 set) to reach a refused
 * call under another number: each gets the same rules by name. A syscall
 * of any other architecture kills the process (the filter's bad-arch
 * action), as nothing here describes it.
 */
static const uint32_t sub_arches[] = {
#if defined(__x86_64__)
    SCMP_ARCH_X86,
    SCMP_ARCH_X32,
#elif defined(__aarch64__)
    SCMP_ARCH_ARM,
#endif
};

static int build(scmp_filter_ctx ctx, uint64_t mask, struct hm_err *e)
{
	int r;

	/* homo decides about no_new_privs itself (--security-opt) */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				     SCMP_ACT_KILL_PROCESS);
	/* a binary tree of syscall numbers instead of a linear chain: the
	 * kernel runs the filter for every syscall number when it loads it
	 * (its per-syscall action cache), so the path length is paid ~900
	 * times at each start, and again at every syscall not cached */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return hm_fail(e, -r, "seccomp: filter attributes");
	for (size_t i = 0; i < ARRAY_SIZE(sub_arches); i++) {
		r = seccomp_arch_add(ctx, sub_arches[i]);
		if (r < 0 && r != -EEXIST)
			return hm_fail(e, -r, "seccomp: add architecture %#x",
				       sub_arches[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sc_rules); i++) {
		const struct sc_rule *rule = &sc_rules[i];
		int nr = seccomp_syscall_resolve_name(rule->name);

		if (mask & rule->unlock)
			continue;
		/* a name this libseccomp does not know on any architecture */
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = add_rule(ctx, rule, nr);
		if (r < 0)
			return hm_fail(e, -r, "seccomp: rule for %s",
				       rule->name);
	}
	return 0;
}

/* The capabilities that change the filter: only these key the cache. */
static uint64_t unlock_mask(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sc_rules); i++)
		m |= sc_rules[i].unlock;
	return m;
}

/*
 * What a compiled filter depends on besides the capabilities: the table,
 * the tree layout ("tree": bump when build() changes what it generates),
 * libseccomp's version (its syscall tables) and the architecture. FNV-1a.
 */
static uint64_t table_fingerprint(void)
{
	const struct scmp_version *v = seccomp_version();
	uint64_t h = UINT64_C(14695981039346656037);
	char extra[64];

	snprintf(extra, sizeof(extra), "%u.%u.%u/%u/tree", v->major, v->minor,
		 v->micro, seccomp_arch_native());
	for (size_t i = 0; i <= ARRAY_SIZE(sc_rules); i++) {
		const char *p =
		    i < ARRAY_SIZE(sc_rules) ? sc_rules[i].name : extra;
		uint64_t more[2] = {
		    i < ARRAY_SIZE(sc_rules) ? sc_rules[i].unlock : 0,
		    i < ARRAY_SIZE(sc_rules) ? (uint64_t)sc_rules[i].how : 0};

		for (; *p; p++)
			h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
		for (size_t k = 0; k < sizeof(more); k++)
			h = (h ^ ((unsigned char *)more)[k]) *
			    UINT64_C(1099511628211);
	}
	return h;
}

/* A compiled filter, kept for a clone of this process to load. */
static struct {
	bool valid;
	uint64_t key; /* caps & unlock_mask() */
	struct sock_fprog prog;
} prepared;

/* The BPF program as libseccomp generates it (2.5 exports to an fd). */
static int compile(uint64_t mask, char **buf, size_t *len, struct hm_err *e)
{
	cleanup_close int fd = -1;
	scmp_filter_ctx ctx;
	struct stat st;
	int r;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return hm_failx(e, HM_EXIT_FAIL, "seccomp: cannot initialise");
	r = build(ctx, mask, e);
	fd = r < 0 ? -1 : memfd_create("homo-seccomp", MFD_CLOEXEC);
	if (r == 0 && fd < 0)
		r = hm_fail(e, errno, "memfd for the seccomp filter");
	if (r == 0 && (r = seccomp_export_bpf(ctx, fd)) < 0)
		hm_fail(e, -r, "seccomp: generate the filter");
	seccomp_release(ctx);
	if (r < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return hm_fail(e, errno, "stat the seccomp filter");
	*len = (size_t)st.st_size;
	*buf = xmalloc(*len ? *len : 1);
	if (pread(fd, *buf, *len, 0) != (ssize_t)*len) {
		free(*buf);
		return hm_fail(e, errno, "read the seccomp filter");
	}
	return 0;
}

/* A cached program: whole instructions, within the kernel's limit. */
static char *read_cached(const char *path, size_t *len)
{
	struct hm_err ignored;
	char *buf = util_read_file(path, len, &ignored);

	if (buf && (*len == 0 || *len % sizeof(struct sock_filter) ||
		    *len > BPF_MAXINSNS * sizeof(struct sock_filter))) {
		free(buf);
		return NULL;
	}
	return buf;
}

int seccomp_prepare(uint64_t cap_mask, bool unconfined, const char *cache_dir,
		    struct hm_err *e)
{
	uint64_t key = cap_mask & unlock_mask();
	cleanup_free char *path = NULL;
	char *buf = NULL;
	size_t len = 0;

	if (unconfined || (prepared.valid && prepared.key == key))
		return 0;
	if (cache_dir)
		path = xasprintf("%s/%016llx-%016llx.bpf", cache_dir,
				 (unsigned long long)table_fingerprint(),
				 (unsigned long long)key);
	if (path)
		buf = read_cached(path, &len);
	if (!buf) {
		if (compile(key, &buf, &len, e) < 0)
			return -1;
		/* a cache: failing to keep it only costs time next run */
		if (path && util_mkdir_p(cache_dir, 0700, e) == 0)
			util_write_file_atomic(path, buf, len, false, e);
		hm_clear(e);
	}
	free(prepared.prog.filter);
	prepared.prog.filter = (struct sock_filter *)buf;
	prepared.prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	prepared.key = key;
	prepared.valid = true;
	return 0;
}

int seccomp_apply(uint64_t mask, bool unconfined, struct hm_err *e)
{
	if (unconfined)
		return 0;
	HM_TRACE("seccomp filter: %s", prepared.valid ? "prepared" : "compile");
	if (seccomp_prepare(mask, false, NULL, e) < 0)
		return -1;
	/* flags 0: no TSYNC needed, the init has a single thread */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prepared.prog) <
	    0)
		return hm_fail(e, errno, "seccomp: load the filter");
	HM_TRACE("seccomp filter loaded (%u instructions)", prepared.prog.len);
	return 0;
}
