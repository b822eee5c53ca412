/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter: Docker's default profile, the allow-list of
 * seccomp_table.c, turned into a BPF program by libseccomp for the
 * container's capabilities, compiled once by the parent (and cached in the
 * store with its digest), loaded by the init and each exec'd process. The
 * capability sets themselves are caps.c's.
 */
#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/util.h"

static const uint64_t personalities[] = SECCOMP_PERSONALITIES;

_Static_assert(SECCOMP_CLONE_NS_FLAGS ==
		   (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
		    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP),
	       "every namespace flag of clone()");

/*
 * Allow @nr unless the low 32 bits of argument @arg are @v (the kernel
 * reads an int there, so high bits must not get past). A rule holds one
 * comparison per argument and rules OR, so "differs" is written as "the
 * lowest bit where it differs is b", for each b: 32 masked-equal rules.
 */
static int allow_unless(scmp_filter_ctx ctx, int nr, unsigned arg, uint32_t v)
{
	for (unsigned b = 0; b < 32; b++) {
		uint64_t mask = (UINT64_C(1) << (b + 1)) - 1;
		uint64_t want = (v ^ (UINT64_C(1) << b)) & mask;
		struct scmp_arg_cmp c = {arg, SCMP_CMP_MASKED_EQ, mask, want};
		int r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &c);

		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *r, int nr)
{
	uint32_t allow = SCMP_ACT_ALLOW;
	int rc = 0;

	switch (r->how) {
	case SECCOMP_ALLOW:
		return seccomp_rule_add(ctx, allow, nr, 0);
	case SECCOMP_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case SECCOMP_CLONE:
		return seccomp_rule_add(
		    ctx, allow, nr, 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, SECCOMP_CLONE_NS_FLAGS, 0));
	case SECCOMP_PERSONALITY:
		/* datum_b, unused by EQ, spelled out: clang's
		 * -Wmissing-field-initializers */
		for (size_t i = 0; i < ARRAY_SIZE(personalities) && !rc; i++)
			rc = seccomp_rule_add(
			    ctx, allow, nr, 1,
			    SCMP_A0(SCMP_CMP_EQ, personalities[i], 0));
		return rc;
	case SECCOMP_NOT_VSOCK:
		return allow_unless(ctx, nr, 0, AF_VSOCK);
	case SECCOMP_NOT_TIOCSTI:
		return allow_unless(ctx, nr, 1, TIOCSTI);
	}
	return -EINVAL;
}

#if defined(__x86_64__)
#define NATIVE SECCOMP_X86_64
#elif defined(__aarch64__)
#define NATIVE SECCOMP_AARCH64
#else
#define NATIVE 0u
#endif

bool seccomp_rule_applies(const struct seccomp_rule *r, uint64_t mask)
{
	return (!r->caps || (mask & r->caps)) && !(mask & r->nocaps) &&
	       (!r->arches || (r->arches & NATIVE));
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
	const struct seccomp_rule *rules;
	size_t n;
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
	rules = seccomp_rules(&n);
	for (size_t i = 0; i < n; i++) {
		const struct seccomp_rule *rule = &rules[i];
		int nr = seccomp_syscall_resolve_name(rule->name);

		if (!seccomp_rule_applies(rule, mask))
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
static uint64_t cap_key_mask(void)
{
	size_t n;
	const struct seccomp_rule *rules = seccomp_rules(&n);
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		m |= rules[i].caps | rules[i].nocaps;
	return m;
}

static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
	for (size_t k = 0; k < len; k++)
		h = (h ^ ((const unsigned char *)p)[k]) *
		    UINT64_C(1099511628211);
	return h;
}

/*
 * What a compiled filter depends on besides the capabilities: the table,
 * the generated layout ("allow-list/tree/sha256": change it when build()
 * or the cache file's format changes), libseccomp's version (its syscall
 * tables) and the architecture. FNV-1a.
 */
static uint64_t table_fingerprint(void)
{
	const struct scmp_version *v = seccomp_version();
	uint64_t h = UINT64_C(14695981039346656037);
	size_t n;
	const struct seccomp_rule *rules = seccomp_rules(&n);
	char extra[96];

	snprintf(extra, sizeof(extra), "%u.%u.%u/%u/allow-list/tree/sha256",
		 v->major, v->minor, v->micro, seccomp_arch_native());
	h = fnv(h, extra, strlen(extra));
	for (size_t i = 0; i < n; i++) {
		uint64_t more[4] = {rules[i].caps, rules[i].nocaps,
				    rules[i].arches, (uint64_t)rules[i].how};

		h = fnv(h, rules[i].name, strlen(rules[i].name) + 1);
		h = fnv(h, more, sizeof(more));
	}
	return h;
}

/* A compiled filter, kept for a clone of this process to load. */
static struct {
	bool valid;
	uint64_t key; /* caps & cap_key_mask() */
	struct sock_fprog prog;
} prepared;

/* The BPF program as libseccomp generates it (2.5 exports to an fd). */
int seccomp_export(scmp_filter_ctx ctx, char **buf, size_t *len,
		   struct hm_err *e)
{
	cleanup_close int fd = memfd_create("homo-seccomp", MFD_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return hm_fail(e, errno, "memfd for the seccomp filter");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return hm_fail(e, -r, "seccomp: generate the filter");
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

static int compile(uint64_t mask, char **buf, size_t *len, struct hm_err *e)
{
	scmp_filter_ctx ctx;
	int r;

	/* Docker's default action: EPERM for every call not allowed */
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return hm_failx(e, HM_EXIT_FAIL, "seccomp: cannot initialise");
	r = build(ctx, mask, e);
	if (r == 0)
		r = seccomp_export(ctx, buf, len, e);
	seccomp_release(ctx);
	return r;
}

/*
 * A cache file: "sha256:" and the hex digest of the program, a newline (72
 * bytes, so the program stays 8-byte aligned), then the program. The
 * digest is checked before the program is trusted: a file damaged in
 * place, even at the same size, is compiled again rather than loaded.
 */
#define CACHE_HDR_LEN (7 + SHA256_HEX_LEN + 1)

/* The program of a cache file whose digest matches, at *@off in it. */
char *seccomp_cache_read(const char *path, size_t *off, size_t *len)
{
	char hex[SHA256_HEX_LEN + 1];
	size_t n = 0;
	char *buf = util_read_file(path, &n, NULL);

	if (!buf)
		return NULL;
	*off = CACHE_HDR_LEN;
	*len = n > CACHE_HDR_LEN ? n - CACHE_HDR_LEN : 0;
	if (*len == 0 || *len % sizeof(struct sock_filter) ||
	    *len > BPF_MAXINSNS * sizeof(struct sock_filter) ||
	    memcmp(buf, "sha256:", 7) || buf[CACHE_HDR_LEN - 1] != '\n' ||
	    (sha256_hex(buf + *off, *len, hex),
	     memcmp(buf + 7, hex, SHA256_HEX_LEN))) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Keep a compiled program; a cache: failing only costs time next run. */
void seccomp_cache_write(const char *dir, const char *path, const char *prog,
			 size_t len)
{
	cleanup_free char *buf = xmalloc(CACHE_HDR_LEN + len);
	char hex[SHA256_HEX_LEN + 1];

	if (util_mkdir_p(dir, 0700, NULL) < 0)
		return;
	sha256_hex(prog, len, hex);
	memcpy(buf, "sha256:", 7);
	memcpy(buf + 7, hex, SHA256_HEX_LEN);
	buf[CACHE_HDR_LEN - 1] = '\n';
	memcpy(buf + CACHE_HDR_LEN, prog, len);
	util_write_file_atomic(path, buf, CACHE_HDR_LEN + len, false, NULL);
}

int seccomp_prepare(uint64_t cap_mask, bool unconfined, const char *cache_dir,
		    struct hm_err *e)
{
	uint64_t key = cap_mask & cap_key_mask();
	cleanup_free char *path = NULL;
	char *buf = NULL, *file = NULL;
	size_t off = 0, len = 0;

	if (unconfined || (prepared.valid && prepared.key == key))
		return 0;
	if (cache_dir)
		path = xasprintf("%s/%016llx-%016llx.bpf", cache_dir,
				 (unsigned long long)table_fingerprint(),
				 (unsigned long long)key);
	if (path)
		file = seccomp_cache_read(path, &off, &len);
	if (file) {
		/* the program alone: the kernel is given it as is */
		buf = xmalloc(len);
		memcpy(buf, file + off, len);
		free(file);
	} else {
		if (compile(key, &buf, &len, e) < 0)
			return -1;
		if (path)
			seccomp_cache_write(cache_dir, path, buf, len);
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
