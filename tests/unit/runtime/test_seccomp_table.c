/* SPDX-License-Identifier: MIT */
/*
 * seccomp_table.c against Docker's default profile: the checked-in list
 * (docker-seccomp-*.txt, next to this file) is parsed, and for many
 * capability sets each syscall name gets a verdict from both sides
 * ("allow", "allow if CONDITION | ...", "errno=N", "refused"), which must
 * be equal but for the deliberate deviations listed below.
 */
#include "unit.h"

#include <sys/utsname.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/seccomp.h"

#define DOCKER_LIST "docker-seccomp-00f3d189.txt"

/*
 * Where homo differs from that profile, on purpose. Each must still be
 * observed as written: a change on either side fails the test.
 */
static const struct {
	const char *name, *docker, *homo, *why;
} deviations[] = {
    /* io_uring's requests run in the kernel without a syscall the filter
     * could see; Docker >= 25 leaves them out as well */
    {"io_uring_setup", "allow", "refused", "filter bypass"},
    {"io_uring_enter", "allow", "refused", "filter bypass"},
    {"io_uring_register", "allow", "refused", "filter bypass"},
    /* TIOCSTI pushes input into the terminal of whoever reads it */
    {"ioctl", "allow", "allow if arg=1:ne32:21522", "terminal injection"},
    /* the kernel reads an int: Docker's 64-bit compare lets
     * socket(0x100000028) create an AF_VSOCK socket */
    {"socket", "allow if arg=0:ne:40", "allow if arg=0:ne32:40", "high bits"},
};

struct drule {
	char *name, *action, *caps, *nocaps, *arches, *noarches, *minkernel,
	    *arg;
};

static struct drule drules[600];
static size_t n_drules;
static char *list_text;
static char default_action[32], native_subs[64];

static const char *native_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#else
	return "other";
#endif
}

/* One "key=value" condition into its field of @r. */
static void set_field(struct drule *r, char *tok)
{
	static const char *const keys[] = {
	    "caps=", "nocaps=", "arches=", "noarches=", "minkernel=", "arg="};
	char **fields[] = {&r->caps,	 &r->nocaps,	&r->arches,
			   &r->noarches, &r->minkernel, &r->arg};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strncmp(tok, keys[i], strlen(keys[i]))) {
			*fields[i] = tok + strlen(keys[i]);
			return;
		}
	fail_msg("unknown condition %s", tok);
}

static int group_setup(void **state)
{
	cleanup_free char *path = NULL;
	const char *slash = strrchr(__FILE__, '/');
	struct hm_err e;
	char *line, *save = NULL;

	(void)state;
	path = xasprintf("%.*s/%s", slash ? (int)(slash - __FILE__) : 1,
			 slash ? __FILE__ : ".", DOCKER_LIST);
	list_text = util_read_file(path, NULL, &e);
	if (!list_text) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		return -1;
	}
	for (line = strtok_r(list_text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *tok = strtok_r(line, " ", &s2);
		struct drule *r = &drules[n_drules];

		if (!tok || tok[0] == '#')
			continue;
		if (!strcmp(tok, "default")) {
			snprintf(default_action, sizeof(default_action), "%s",
				 strtok_r(NULL, " ", &s2));
			continue;
		}
		if (!strcmp(tok, "archmap")) {
			tok = strtok_r(NULL, " ", &s2);
			if (tok && !strcmp(tok, native_arch()))
				snprintf(native_subs, sizeof(native_subs), "%s",
					 s2);
			continue;
		}
		assert_true(n_drules < ARRAY_SIZE(drules));
		memset(r, 0, sizeof(*r));
		r->name = tok;
		r->action = strtok_r(NULL, " ", &s2);
		while ((tok = strtok_r(NULL, " ", &s2)))
			set_field(r, tok);
		n_drules++;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(list_text);
	return 0;
}

/* Is @word in the comma-separated @list? */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		if (!strncmp(p, word, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/* Does @caps hold one of the "CAP_X,CAP_Y" in @list? */
static bool holds_one(const char *list, uint64_t caps)
{
	for (unsigned c = 0; c < 64; c++) {
		const char *n = caps_name(c);
		char full[64];

		if (!n || !(caps & (UINT64_C(1) << c)))
			continue;
		snprintf(full, sizeof(full), "CAP_%s", n);
		if (in_list(list, full))
			return true;
	}
	return false;
}

static bool kernel_at_least(const char *v)
{
	struct utsname u;
	unsigned a = 0, b = 0, x = 0, y = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(v, "%u.%u", &a, &b), 2);
	assert_int_equal(sscanf(u.release, "%u.%u", &x, &y), 2);
	return x > a || (x == a && y >= b);
}

static bool docker_applies(const struct drule *r, uint64_t caps)
{
	const char *arch = native_arch();

	return (!r->caps || holds_one(r->caps, caps)) &&
	       (!r->nocaps || !holds_one(r->nocaps, caps)) &&
	       (!r->arches || in_list(r->arches, arch)) &&
	       (!r->noarches || !in_list(r->noarches, arch)) &&
	       (!r->minkernel || kernel_at_least(r->minkernel));
}

/* What a name's applicable rules add up to. */
struct verdict {
	bool allow;
	const char *errno_action;
	char conds[8][48];
	size_t n;
};

static void add_cond(struct verdict *v, const char *c)
{
	size_t i = 0;

	while (i < v->n && strcmp(v->conds[i], c) < 0)
		i++;
	if (i < v->n && !strcmp(v->conds[i], c))
		return;
	assert_true(v->n < ARRAY_SIZE(v->conds));
	memmove(v->conds[i + 1], v->conds[i], (v->n - i) * sizeof(v->conds[0]));
	snprintf(v->conds[i], sizeof(v->conds[i]), "%s", c);
	v->n++;
}

static void format(const struct verdict *v, char *out, size_t len)
{
	size_t off;

	if (v->allow || (!v->n && !v->errno_action)) {
		snprintf(out, len, "%s", v->allow ? "allow" : "refused");
		return;
	}
	if (!v->n) {
		snprintf(out, len, "%s", v->errno_action);
		return;
	}
	off = (size_t)snprintf(out, len, "allow if");
	for (size_t i = 0; i < v->n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s %s",
					i ? " |" : "", v->conds[i]);
}

static void docker_verdict(const char *name, uint64_t caps, char *out,
			   size_t len)
{
	struct verdict v = {0};

	for (size_t i = 0; i < n_drules; i++) {
		const struct drule *r = &drules[i];

		if (strcmp(r->name, name) || !docker_applies(r, caps))
			continue;
		if (!strcmp(r->action, "allow") && !r->arg)
			v.allow = true;
		else if (!strcmp(r->action, "allow")) {
			char c[48];

			snprintf(c, sizeof(c), "arg=%s", r->arg);
			add_cond(&v, c);
		} else
			v.errno_action = r->action;
	}
	format(&v, out, len);
}

static bool homo_applies(const struct seccomp_rule *r, uint64_t caps)
{
#if defined(__x86_64__)
	unsigned native = SECCOMP_X86_64;
#elif defined(__aarch64__)
	unsigned native = SECCOMP_AARCH64;
#else
	unsigned native = 0;
#endif
	return (!r->caps || (caps & r->caps)) && !(caps & r->nocaps) &&
	       (!r->arches || (r->arches & native));
}

/* homo's entries in the list's words ("ne32": on the low 32 bits). */
static void homo_verdict(const char *name, uint64_t caps, char *out, size_t len)
{
	static const unsigned long long pers[] = SECCOMP_PERSONALITIES;
	size_t n;
	const struct seccomp_rule *rules = seccomp_rules(&n);
	struct verdict v = {0};
	char c[48];

	for (size_t i = 0; i < n; i++) {
		if (strcmp(rules[i].name, name) ||
		    !homo_applies(&rules[i], caps))
			continue;
		switch (rules[i].how) {
		case SECCOMP_ALLOW:
			v.allow = true;
			break;
		case SECCOMP_ENOSYS:
			v.errno_action = "errno=38";
			break;
		case SECCOMP_CLONE:
			snprintf(c, sizeof(c), "arg=0:masked_eq:%llu",
				 SECCOMP_CLONE_NS_FLAGS);
			add_cond(&v, c);
			break;
		case SECCOMP_PERSONALITY:
			for (size_t k = 0; k < ARRAY_SIZE(pers); k++) {
				snprintf(c, sizeof(c), "arg=0:eq:%llu",
					 pers[k]);
				add_cond(&v, c);
			}
			break;
		case SECCOMP_NOT_VSOCK:
			add_cond(&v, "arg=0:ne32:40");
			break;
		case SECCOMP_NOT_TIOCSTI:
			add_cond(&v, "arg=1:ne32:21522");
			break;
		}
	}
	format(&v, out, len);
}

/* Every name either side mentions. */
static size_t all_names(const char **names, size_t max)
{
	size_t n = 0, nh;
	const struct seccomp_rule *rules = seccomp_rules(&nh);

	for (size_t i = 0; i < n_drules + nh; i++) {
		const char *s =
		    i < n_drules ? drules[i].name : rules[i - n_drules].name;
		size_t k = 0;

		while (k < n && strcmp(names[k], s))
			k++;
		if (k == n) {
			assert_true(n < max);
			names[n++] = s;
		}
	}
	return n;
}

/* Compare every name for @caps; the deviations must show as listed. */
static void compare(uint64_t caps, unsigned *seen)
{
	static const char *names[700];
	size_t n = all_names(names, ARRAY_SIZE(names));

	for (size_t i = 0; i < n; i++) {
		char d[512], h[512];
		size_t k = 0;

		docker_verdict(names[i], caps, d, sizeof(d));
		homo_verdict(names[i], caps, h, sizeof(h));
		while (k < ARRAY_SIZE(deviations) &&
		       strcmp(deviations[k].name, names[i]))
			k++;
		if (k < ARRAY_SIZE(deviations)) {
			if (strcmp(d, deviations[k].docker) ||
			    strcmp(h, deviations[k].homo))
				fail_msg("caps %#llx: %s: docker \"%s\", homo "
					 "\"%s\": not the listed deviation",
					 (unsigned long long)caps, names[i], d,
					 h);
			seen[k]++;
		} else if (strcmp(d, h)) {
			fail_msg("caps %#llx: %s: docker \"%s\", homo \"%s\"",
				 (unsigned long long)caps, names[i], d, h);
		}
	}
}

static void test_table_like_docker(void **state)
{
	unsigned seen[ARRAY_SIZE(deviations)] = {0};
	uint64_t def = caps_default(), all = caps_all();

	(void)state;
	/* the profile's frame: EPERM for the rest, x86 and x32 besides
	 * x86-64 (seccomp.c's sub_arches; test_seccomp.c checks both) */
	assert_string_equal(default_action, "errno=1");
#if defined(__x86_64__)
	assert_string_equal(native_subs, "x86 x32");
#endif
	assert_true(n_drules > 400);
	compare(0, seen);
	compare(def, seen);
	compare(all, seen);
	for (unsigned c = 0; c < 64; c++) {
		if (!caps_name(c))
			continue;
		compare(UINT64_C(1) << c, seen);
		compare(def | (UINT64_C(1) << c), seen);
		compare(all & ~(UINT64_C(1) << c), seen);
	}
	for (size_t k = 0; k < ARRAY_SIZE(deviations); k++)
		assert_true(seen[k] > 0);
}

/* The comparison itself catches a difference (a check of the checker). */
static void test_compare_sees_a_difference(void **state)
{
	char d[512], h[512];

	(void)state;
	docker_verdict("chroot", 0, d, sizeof(d));
	assert_string_equal(d, "refused");
	docker_verdict("chroot", caps_default(), d, sizeof(d));
	assert_string_equal(d, "allow");
	docker_verdict("clone", 0, d, sizeof(d));
	assert_string_equal(d, "allow if arg=0:masked_eq:2114060288");
	docker_verdict("clone3", 0, d, sizeof(d));
	assert_string_equal(d, "errno=38");
	docker_verdict("keyctl", caps_all(), d, sizeof(d));
	homo_verdict("keyctl", caps_all(), h, sizeof(h));
	assert_string_equal(d, "refused");
	assert_string_equal(h, "refused");
	homo_verdict("open_tree_attr", caps_all(), h, sizeof(h));
	assert_string_equal(h, "refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_like_docker),
	    cmocka_unit_test(test_compare_sees_a_difference),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
