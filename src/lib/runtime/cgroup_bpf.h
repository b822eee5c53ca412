/* SPDX-License-Identifier: MIT */
/*
 * Device rules for cgroup v2: the v1 devices.allow lines ("c 1:3 rwm")
 * compiled into a BPF_PROG_TYPE_CGROUP_DEVICE program, loaded and
 * attached to a cgroup. Only the cgroup backends include this header.
 */
#ifndef HOMO_CGROUP_BPF_H
#define HOMO_CGROUP_BPF_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* One allow rule; -1 = any (type 'a', major or minor '*'). */
struct dev_rule {
	int type;	 /* BPF_DEVCG_DEV_CHAR, BPF_DEVCG_DEV_BLOCK, -1 */
	int64_t major;	 /* -1 = any */
	int64_t minor;	 /* -1 = any */
	unsigned access; /* BPF_DEVCG_ACC_* bits */
};

/* Instructions per rule at most, and the program's fixed head and tail. */
#define DEV_BPF_PER_RULE 8
#define DEV_BPF_FIXED 8

/**
 * dev_rule_parse() - parse a v1 devices.allow line ("c 1:3 rwm",
 * "b *:* m", "a").
 * Return: 0, or -1 with @e set.
 */
int dev_rule_parse(const char *s, struct dev_rule *r, struct hm_err *e);

/**
 * dev_bpf_build() - the program allowing what one of @rules allows and
 * denying the rest. @out has room for DEV_BPF_FIXED + n * DEV_BPF_PER_RULE.
 * Return: the number of instructions.
 */
size_t dev_bpf_build(const struct dev_rule *rules, size_t n,
		     struct bpf_insn *out);

/**
 * dev_bpf_load() - load @insns as a BPF_PROG_TYPE_CGROUP_DEVICE program.
 * Return: its fd, or -1 with @e set (with the verifier's first words).
 */
int dev_bpf_load(const struct bpf_insn *insns, size_t n, struct hm_err *e);

/**
 * dev_bpf_attach() - attach program @prog to the cgroup directory @cgfd
 * (BPF_CGROUP_DEVICE, no override: nothing below it may attach its own).
 * The kernel keeps it while the cgroup exists; @prog may be closed after.
 */
int dev_bpf_attach(int cgfd, int prog, struct hm_err *e);

#endif
