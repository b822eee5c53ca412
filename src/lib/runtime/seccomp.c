/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter of homo run and exec: the container's linux.seccomp
 * profile (homo's own, seccomp_profile.c, or a profile file,
 * seccomp_docker.c) compiled once by the parent with the OCI runtime's
 * oci_seccomp.c (and cached in the store with its digest), loaded by the
 * init and each exec'd process with oci_seccomp_load(). Also the cache
 * file format and the BPF export oci_seccomp.c uses.
 */
#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/util.h"
#include "runtime/oci_seccomp.h"
#include "store/store.h"

_Static_assert(SECCOMP_CLONE_NS_FLAGS ==
		   (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
		    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP),
	       "every namespace flag of clone()");

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
 * What homo's built-in filter depends on besides the capabilities: the
 * table and how seccomp_profile.c writes it ("oci-profile/1": change it
 * when that file changes). oci_seccomp.c's cache key adds libseccomp's
 * version, the architecture, the kernel and its own layout. FNV-1a.
 */
static uint64_t table_fingerprint(void)
{
	static uint64_t done; /* once a process: it cannot change */
	const struct scmp_version *v;
	uint64_t h = UINT64_C(14695981039346656037);
	size_t n;
	const struct seccomp_rule *rules = seccomp_rules(&n);
	char extra[96];

	if (done)
		return done;
	v = seccomp_version();
	snprintf(extra, sizeof(extra), "%u.%u.%u/%u/oci-profile/1", v->major,
		 v->minor, v->micro, seccomp_arch_native());
	h = fnv(h, extra, strlen(extra));
	for (size_t i = 0; i < n; i++) {
		uint64_t more[4] = {rules[i].caps, rules[i].nocaps,
				    rules[i].arches, (uint64_t)rules[i].how};

		h = fnv(h, rules[i].name, strlen(rules[i].name) + 1);
		h = fnv(h, more, sizeof(more));
	}
	done = h;
	return h;
}

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

/* The filter prepared for a clone of this process to load. */
static struct {
	char *key; /* what it was made from; NULL: nothing prepared */
	struct oci_seccomp *f; /* NULL: a profile that filters nothing */
} prepared;

static bool confined(const struct hm_spec *s)
{
	return !s->privileged && !s->seccomp_unconfined;
}

int seccomp_spec_profile(const struct hm_spec *s, json_t **out,
			 struct hm_err *e)
{
	*out = NULL;
	if (!confined(s))
		return 0;
	if (!s->seccomp_profile) {
		*out = seccomp_oci_profile(s->caps);
		return 0;
	}
	return seccomp_docker_profile(s->seccomp_profile, s->caps, out, NULL,
				      e);
}

static json_t *builtin(const void *caps)
{
	return seccomp_oci_profile(*(const uint64_t *)caps);
}

/* A profile file's filter, its errors naming the file's entries. */
static int compile_docker(const struct hm_spec *s, const char *cache_dir,
			  struct oci_seccomp **f, struct hm_err *e)
{
	cleanup_free size_t *idx = NULL;
	json_t *p = NULL;
	int r;

	r = seccomp_docker_profile(s->seccomp_profile, s->caps, &p, &idx, e);
	if (r == 0 && p) {
		r = oci_seccomp_compile_cached(p, cache_dir, f, e);
		if (r < 0)
			seccomp_docker_error(e, idx);
	}
	json_decref(p);
	return r;
}

int seccomp_prepare(const struct hm_spec *s, const char *cache_dir,
		    struct hm_err *e)
{
	uint64_t mask = s->caps & cap_key_mask();
	struct oci_seccomp *f = NULL;
	char *key, hex[SHA256_HEX_LEN + 1];
	int r;

	if (!confined(s))
		return 0;
	/* exact and cheap: the built-in profile is never made on a hit */
	if (!s->seccomp_profile) {
		key = xasprintf("homo-builtin/%016llx/%016llx",
				(unsigned long long)table_fingerprint(),
				(unsigned long long)mask);
	} else {
		sha256_hex(s->seccomp_profile, strlen(s->seccomp_profile), hex);
		key = xasprintf("docker/%s/%016llx", hex,
				(unsigned long long)s->caps);
	}
	if (prepared.key && !strcmp(prepared.key, key)) {
		free(key);
		return 0;
	}
	r = s->seccomp_profile ? compile_docker(s, cache_dir, &f, e)
			       : oci_seccomp_compile_named(key, builtin, &mask,
							   cache_dir, &f, e);
	if (r < 0) {
		free(key);
		return -1;
	}
	oci_seccomp_free(prepared.f);
	free(prepared.key);
	prepared.key = key;
	prepared.f = f;
	HM_TRACE("seccomp filter: prepared");
	return 0;
}

int seccomp_prepare_store(const struct hm_store *st, const struct hm_spec *s,
			  struct hm_err *e)
{
	cleanup_free char *dir = store_path(st, "seccomp");

	return seccomp_prepare(s, dir, e);
}

int seccomp_apply(const struct hm_spec *s, struct hm_err *e)
{
	if (!confined(s))
		return 0;
	if (!prepared.key)
		return hm_failx(
		    e, HM_EXIT_FAIL,
		    "seccomp: no filter prepared for the container");
	if (!prepared.f)
		return 0;
	HM_TRACE("seccomp filter: load");
	if (oci_seccomp_load(prepared.f, e) < 0)
		return -1;
	HM_TRACE("seccomp filter loaded");
	return 0;
}
