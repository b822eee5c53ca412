/* SPDX-License-Identifier: MIT */
/*
 * homo's default seccomp filter (seccomp_table.c, Docker's default
 * profile) written as the "linux.seccomp" object of an OCI spec, so that
 * `homo run` can hand its policy to the OCI path (oci_seccomp.c) as data:
 * the same entries seccomp.c compiles, each condition spelled with the
 * spec's operators.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "base/util.h"
#include "runtime/seccomp.h"

/* The native architecture first, then the ABIs a process can switch to
 * (seccomp.c's sub_arches) */
static json_t *arches(void)
{
#if defined(__x86_64__)
	return json_pack("[s, s, s]", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
			 "SCMP_ARCH_X32");
#elif defined(__aarch64__)
	return json_pack("[s, s]", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
#else
	return json_array();
#endif
}

static json_t *cond(unsigned idx, uint64_t v, uint64_t v2, const char *op)
{
	return json_pack("{s:i, s:I, s:I, s:s}", "index", idx, "value",
			 (json_int_t)v, "valueTwo", (json_int_t)v2, "op", op);
}

/*
 * "Argument @arg's low 32 bits are not @v" as seccomp.c's allow_unless()
 * writes it: for each bit b, "the lowest bit where it differs is b"
 * (MASKED_EQ); conditions on one argument are separate rules, ORed.
 */
static json_t *unless(const char *name, unsigned arg, uint32_t v)
{
	json_t *args = json_array();

	for (unsigned b = 0; b < 32; b++) {
		uint64_t mask = (UINT64_C(1) << (b + 1)) - 1;

		json_array_append_new(
		    args, cond(arg, mask, (v ^ (UINT64_C(1) << b)) & mask,
			       "SCMP_CMP_MASKED_EQ"));
	}
	return json_pack("{s:[s], s:s, s:o}", "names", name, "action",
			 "SCMP_ACT_ALLOW", "args", args);
}

/* The entry of @r, or NULL when it joins the plain allow-list. */
static json_t *entry(const struct seccomp_rule *r)
{
	static const uint64_t pers[] = SECCOMP_PERSONALITIES;
	json_t *args;

	switch (r->how) {
	case SECCOMP_ALLOW:
		return NULL;
	case SECCOMP_ENOSYS:
		return json_pack("{s:[s], s:s, s:i}", "names", r->name,
				 "action", "SCMP_ACT_ERRNO", "errnoRet",
				 ENOSYS);
	case SECCOMP_CLONE:
		return json_pack(
		    "{s:[s], s:s, s:[o]}", "names", r->name, "action",
		    "SCMP_ACT_ALLOW", "args",
		    cond(0, SECCOMP_CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ"));
	case SECCOMP_PERSONALITY:
		args = json_array();
		for (size_t i = 0; i < ARRAY_SIZE(pers); i++)
			json_array_append_new(
			    args, cond(0, pers[i], 0, "SCMP_CMP_EQ"));
		return json_pack("{s:[s], s:s, s:o}", "names", r->name,
				 "action", "SCMP_ACT_ALLOW", "args", args);
	case SECCOMP_NOT_VSOCK:
		return unless(r->name, 0, AF_VSOCK);
	case SECCOMP_NOT_TIOCSTI:
		return unless(r->name, 1, TIOCSTI);
	}
	return NULL;
}

json_t *seccomp_oci_profile(uint64_t caps)
{
	json_t *allow = json_array(), *calls = json_array(), *x;
	size_t n;
	const struct seccomp_rule *rules = seccomp_rules(&n);

	for (size_t i = 0; i < n; i++) {
		if (!seccomp_rule_applies(&rules[i], caps))
			continue;
		x = entry(&rules[i]);
		if (x)
			json_array_append_new(calls, x);
		else
			json_array_append_new(allow,
					      json_string(rules[i].name));
	}
	json_array_insert_new(calls, 0,
			      json_pack("{s:o, s:s}", "names", allow, "action",
					"SCMP_ACT_ALLOW"));
	/* Docker's default action: EPERM for every call not allowed */
	return json_pack("{s:s, s:i, s:o, s:o}", "defaultAction",
			 "SCMP_ACT_ERRNO", "defaultErrnoRet", EPERM,
			 "architectures", arches(), "syscalls", calls);
}
