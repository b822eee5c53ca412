/* SPDX-License-Identifier: MIT */
/*
 * cgroup v2 has no devices.allow: a BPF_PROG_TYPE_CGROUP_DEVICE program
 * attached to the cgroup decides each open and mknod of a device node. This
 * file compiles the v1 rule lines into one (what runc's devicefilter and
 * crun do), loads it and attaches it.
 */
#include "runtime/cgroup_bpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* "*" or a decimal number up to 2^20 (a device minor's width) */
static int parse_num(const char *s, size_t n, int64_t *v)
{
	int64_t x = 0;

	if (n == 1 && *s == '*') {
		*v = -1;
		return 0;
	}
	if (!n || n > 7)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	if (x >= 1 << 20)
		return -1;
	*v = x;
	return 0;
}

int dev_rule_parse(const char *s, struct dev_rule *r, struct hm_err *e)
{
	const char *colon, *sp;

	*r = (struct dev_rule){-1, -1, -1, ACC_ALL};
	if (!strcmp(s, "a"))
		return 0;
	if ((s[0] != 'c' && s[0] != 'b') || s[1] != ' ' ||
	    !(colon = strchr(s + 2, ':')) || !(sp = strchr(colon, ' ')))
		goto bad;
	r->type = s[0] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
	if (parse_num(s + 2, (size_t)(colon - s - 2), &r->major) < 0 ||
	    parse_num(colon + 1, (size_t)(sp - colon - 1), &r->minor) < 0)
		goto bad;
	r->access = 0;
	for (const char *a = sp + 1; *a; a++) {
		unsigned bit = *a == 'r'   ? BPF_DEVCG_ACC_READ
			       : *a == 'w' ? BPF_DEVCG_ACC_WRITE
			       : *a == 'm' ? BPF_DEVCG_ACC_MKNOD
					   : 0;

		if (!bit || (r->access & bit))
			goto bad;
		r->access |= bit;
	}
	if (r->access)
		return 0;
bad:
	return hm_fail(e, EINVAL, "invalid device rule \"%s\"", s);
}

/* ---- instructions (the kernel's filter.h macros are not uapi) ---- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	return (struct bpf_insn){.code = code,
				 .dst_reg = dst,
				 .src_reg = src,
				 .off = off,
				 .imm = imm};
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_REG(dst, src) insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_IMM(dst, imm) insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm) insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/*
 * One rule: each test that fails jumps past the rule's "allow" (its jump
 * offsets are filled once the rule's length is known); all passing, the
 * access is allowed. r2 type, r3 access, r4 major, r5 minor.
 */
static size_t rule_block(const struct dev_rule *r, struct bpf_insn *out)
{
	size_t n = 0, jumps[4], nj = 0;

	if (r->type >= 0) {
		jumps[nj++] = n;
		out[n++] = JNE_IMM(2, r->type, 0);
	}
	if ((r->access & ACC_ALL) != ACC_ALL) {
		/* asked for anything beyond the allowed bits: no match */
		out[n++] = MOV_REG(1, 3);
		out[n++] = AND_IMM(1, (int32_t)(~r->access & ACC_ALL));
		jumps[nj++] = n;
		out[n++] = JNE_IMM(1, 0, 0);
	}
	if (r->major >= 0) {
		jumps[nj++] = n;
		out[n++] = JNE_IMM(4, (int32_t)r->major, 0);
	}
	if (r->minor >= 0) {
		jumps[nj++] = n;
		out[n++] = JNE_IMM(5, (int32_t)r->minor, 0);
	}
	out[n++] = MOV_IMM(0, 1);
	out[n++] = EXIT();
	for (size_t i = 0; i < nj; i++)
		out[jumps[i]].off = (int16_t)(n - jumps[i] - 1);
	return n;
}

size_t dev_bpf_build(const struct dev_rule *rules, size_t n,
		     struct bpf_insn *out)
{
	size_t k = 0;

	/* struct bpf_cgroup_dev_ctx: access_type (access << 16 | type),
	 * major, minor */
	out[k++] = LDX_W(2, 1, 0);
	out[k++] = MOV_REG(3, 2);
	out[k++] = AND_IMM(2, 0xffff);
	out[k++] = RSH_IMM(3, 16);
	out[k++] = LDX_W(4, 1, 4);
	out[k++] = LDX_W(5, 1, 8);
	for (size_t i = 0; i < n; i++)
		k += rule_block(&rules[i], out + k);
	out[k++] = MOV_IMM(0, 0);
	out[k++] = EXIT();
	return k;
}

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
}

int dev_bpf_load(const struct bpf_insn *insns, size_t n, struct hm_err *e)
{
	union bpf_attr a;
	char log[256] = "";
	int fd, err;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t) "MIT";
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	err = errno;
	if (err == EINVAL) { /* again, for the verifier's words */
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		sys_bpf(BPF_PROG_LOAD, &a);
		log[strcspn(log, "\n")] = '\0';
	}
	return hm_fail(e, err, "load the cgroup v2 device program%s%s",
		       log[0] ? ": " : "", log);
}

int dev_bpf_attach(int cgfd, int prog, struct hm_err *e)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return hm_fail(e, errno, "attach the cgroup v2 device program");
	return 0;
}
