/* SPDX-License-Identifier: MIT */
/*
 * linux.seccomp of an OCI spec: compiled by libseccomp into a BPF program
 * in the runtime process (so a bad profile fails `create`, and the
 * container only makes the seccomp(2) call), loaded with the profile's
 * flags; with SCMP_ACT_NOTIFY the listener fd goes to listenerPath.
 */
#include "runtime/oci_seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/util.h"
#include "runtime/seccomp.h"

#define PFX "config.json: linux.seccomp"

/* flags the kernel may not know under these names in older headers */
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct oci_seccomp {
	struct sock_fprog prog;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	bool notify;	/* some rule is SCMP_ACT_NOTIFY */
	int listener;	/* connected to listenerPath, or -1 */
	char *metadata; /* listenerMetadata, or NULL */
	json_t *state;	/* oci_seccomp_set_state()'s, or NULL */
};

static const struct {
	const char *name;
	uint32_t act; /* ERRNO and TRACE get their number added */
} actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/*
 * What an action string means, with @field's errno (errnoRet or
 * defaultErrnoRet of @o, EPERM when not given) for ERRNO and TRACE; an
 * errno given to another action is an error, as the spec requires.
 */
static int parse_action(json_t *o, const char *key, const char *field,
			const char *path, uint32_t *out, struct hm_err *e)
{
	const char *name = json_string_value(json_object_get(o, key));
	json_t *ret = json_object_get(o, field);
	size_t i;

	if (!name)
		return hm_fail(e, 0, "%s.%s: missing or not a string", path,
			       key);
	for (i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(name, actions[i].name))
			break;
	if (i == ARRAY_SIZE(actions))
		return hm_fail(e, 0, "%s.%s: unknown action \"%s\"", path, key,
			       name);
	*out = actions[i].act;
	if (ret && !json_is_null(ret)) {
		json_int_t n =
		    json_is_integer(ret) ? json_integer_value(ret) : -1;

		if (n < 0 || n > 0xffff)
			return hm_fail(e, 0,
				       "%s.%s: not an errno number (0..65535)",
				       path, field);
		if (*out != SCMP_ACT_ERRNO(0) && *out != SCMP_ACT_TRACE(0))
			return hm_fail(e, 0, "%s.%s: not valid with %s", path,
				       field, name);
		*out |= (uint32_t)n;
	} else if (*out == SCMP_ACT_ERRNO(0) || *out == SCMP_ACT_TRACE(0)) {
		*out |= EPERM;
	}
	return 0;
}

/* An unsigned JSON integer (jansson keeps integers as int64). */
static int get_u64(json_t *o, const char *key, const char *path, bool required,
		   uint64_t *out, struct hm_err *e)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (!v || json_is_null(v))
		return required ? hm_fail(e, 0, "%s.%s: missing", path, key)
				: 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return hm_fail(e, 0, "%s.%s: not an unsigned integer", path,
			       key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int parse_arg(json_t *a, const char *path, struct scmp_arg_cmp *c,
		     struct hm_err *e)
{
	const char *op = json_string_value(json_object_get(a, "op"));
	uint64_t idx, v1, v2;
	size_t i;

	if (!json_is_object(a))
		return hm_fail(e, 0, "%s: not an object", path);
	if (get_u64(a, "index", path, true, &idx, e) ||
	    get_u64(a, "value", path, true, &v1, e) ||
	    get_u64(a, "valueTwo", path, false, &v2, e))
		return -1;
	if (idx > 5)
		return hm_fail(e, 0, "%s.index: %llu out of range 0..5", path,
			       (unsigned long long)idx);
	if (!op)
		return hm_fail(e, 0, "%s.op: missing or not a string", path);
	for (i = 0; i < ARRAY_SIZE(operators); i++)
		if (!strcmp(op, operators[i].name))
			break;
	if (i == ARRAY_SIZE(operators))
		return hm_fail(e, 0, "%s.op: unknown operator \"%s\"", path,
			       op);
	/* MASKED_EQ: value is the mask, valueTwo the result, as libseccomp */
	*c = (struct scmp_arg_cmp){(unsigned)idx, operators[i].op, v1, v2};
	return 0;
}

/* Two conditions on one argument: libseccomp takes one per argument. */
static bool same_index(const struct scmp_arg_cmp *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (c[i].arg == c[j].arg)
				return true;
	return false;
}

/*
 * One rule per name; conditions on distinct arguments are ANDed in one
 * rule, several on the same argument become a rule each (ORed), as runc.
 */
static int add_name(scmp_filter_ctx ctx, uint32_t act, const char *name,
		    const struct scmp_arg_cmp *c, size_t n, const char *path,
		    struct hm_err *e)
{
	int nr, r = 0;

	if (!ctx) /* checking a profile whose program is cached */
		return 0;
	nr = seccomp_syscall_resolve_name(name);
	/* unknown to this libseccomp on every architecture: skipped */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (n && same_index(c, n)) {
		for (size_t i = 0; i < n && r >= 0; i++)
			r = seccomp_rule_add_array(ctx, act, nr, 1, &c[i]);
	} else {
		r = seccomp_rule_add_array(ctx, act, nr, (unsigned)n, c);
	}
	if (r < 0)
		return hm_fail(e, -r, "%s: rule for %s", path, name);
	return 0;
}

/* The calls oci_seccomp_load() makes between loading and the handoff. */
static bool notify_blocks_load(const char *name)
{
	return !strcmp(name, "sendmsg") || !strcmp(name, "close");
}

static int add_entry(scmp_filter_ctx ctx, json_t *x, const char *path,
		     uint32_t def, struct oci_seccomp *f, struct hm_err *e)
{
	json_t *names = json_object_get(x, "names"), *args, *v;
	struct scmp_arg_cmp c[32]; /* one argument may have several */
	char sub[160];
	uint32_t act;
	size_t i, n = 0;

	if (!json_is_object(x))
		return hm_fail(e, 0, "%s: not an object", path);
	if (parse_action(x, "action", "errnoRet", path, &act, e))
		return -1;
	if (!json_is_array(names) || !json_array_size(names))
		return hm_fail(e, 0, "%s.names: missing or empty", path);
	args = json_object_get(x, "args");
	if (args && !json_is_null(args) && !json_is_array(args))
		return hm_fail(e, 0, "%s.args: not an array", path);
	if (json_array_size(args) > ARRAY_SIZE(c))
		return hm_fail(e, 0, "%s.args: more than %zu conditions", path,
			       ARRAY_SIZE(c));
	json_array_foreach(args, i, v)
	{
		snprintf(sub, sizeof(sub), "%s.args[%zu]", path, i);
		if (parse_arg(v, sub, &c[n++], e))
			return -1;
	}
	json_array_foreach(names, i, v)
	{
		const char *name = json_string_value(v);

		snprintf(sub, sizeof(sub), "%s.names[%zu]", path, i);
		if (!name)
			return hm_fail(e, 0, "%s: not a string", sub);
		if (act == SCMP_ACT_NOTIFY && notify_blocks_load(name))
			return hm_fail(e, 0,
				       "%s: SCMP_ACT_NOTIFY on %s is not "
				       "supported (the runtime needs it to "
				       "hand the listener over)",
				       sub, name);
		/* libseccomp refuses the default action as a rule's */
		if (act == def)
			continue;
		if (add_name(ctx, act, name, c, n, sub, e))
			return -1;
	}
	f->notify |= act == SCMP_ACT_NOTIFY;
	return 0;
}

/* SCMP_ARCH_X86_64 -> libseccomp's token ("x86_64"), 0 if unknown */
static uint32_t arch_token(const char *s)
{
	char low[32];
	size_t k;

	if (!s || strncmp(s, "SCMP_ARCH_", 10) || strlen(s + 10) >= sizeof(low))
		return 0;
	for (k = 0; s[10 + k]; k++)
		low[k] = (char)tolower((unsigned char)s[10 + k]);
	low[k] = '\0';
	return seccomp_arch_resolve_name(low);
}

static int add_arches(scmp_filter_ctx ctx, json_t *sc, struct hm_err *e)
{
	json_t *a = json_object_get(sc, "architectures"), *v;
	size_t i;

	if (a && !json_is_null(a) && !json_is_array(a))
		return hm_fail(e, 0, PFX ".architectures: not an array");
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		uint32_t arch = arch_token(s);
		int r;

		if (!arch)
			return hm_fail(e, 0,
				       PFX ".architectures[%zu]: unknown "
					   "architecture \"%s\"",
				       i, s ? s : "(not a string)");
		/* the native one is in already: EEXIST */
		r = ctx ? seccomp_arch_add(ctx, arch) : 0;
		if (r < 0 && r != -EEXIST)
			return hm_fail(e, -r, PFX ".architectures[%zu]: %s", i,
				       s);
	}
	return 0;
}

/*
 * Does this kernel take @flag? seccomp(2) checks the flags before it reads
 * the program, so a NULL program fails with EFAULT for a known flag and
 * EINVAL for an unknown one (the probe libseccomp itself uses).
 */
static bool kernel_has_flag(unsigned flag)
{
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 &&
	       errno == EFAULT;
}

static int parse_flags(json_t *sc, struct oci_seccomp *f, struct hm_err *e)
{
	json_t *a = json_object_get(sc, "flags"), *v;
	size_t i, k;

	if (a && !json_is_null(a) && !json_is_array(a))
		return hm_fail(e, 0, PFX ".flags: not an array");
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);

		for (k = 0; s && k < ARRAY_SIZE(flag_names); k++)
			if (!strcmp(s, flag_names[k].name))
				break;
		if (!s || k == ARRAY_SIZE(flag_names))
			return hm_fail(e, 0,
				       PFX ".flags[%zu]: unknown flag \"%s\"",
				       i, s ? s : "(not a string)");
		if (!kernel_has_flag(flag_names[k].flag))
			return hm_fail(e, 0,
				       PFX ".flags[%zu]: %s: not supported by "
					   "this kernel",
				       i, s);
		f->flags |= flag_names[k].flag;
	}
	return 0;
}

/* Connect to listenerPath now, while the runtime can reach it. */
static int listener_connect(json_t *sc, struct oci_seccomp *f, struct hm_err *e)
{
	const char *path =
	    json_string_value(json_object_get(sc, "listenerPath"));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!path)
		return hm_fail(e, 0,
			       PFX ".listenerPath: needed by SCMP_ACT_NOTIFY");
	if (strlen(path) >= sizeof(sa.sun_path))
		return hm_fail(e, 0, PFX ".listenerPath: too long");
	strcpy(sa.sun_path, path);
	f->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->listener < 0)
		return hm_fail(e, errno, PFX ".listenerPath: socket");
	if (connect(f->listener, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return hm_fail(e, errno, PFX ".listenerPath: connect to %s",
			       path);
	return 0;
}

/* The top-level fields besides syscalls[]; then the listener. */
static int check_listener(json_t *sc, struct oci_seccomp *f, struct hm_err *e)
{
	json_t *lp = json_object_get(sc, "listenerPath");
	json_t *md = json_object_get(sc, "listenerMetadata");

	if (lp && !json_is_null(lp) && !json_is_string(lp))
		return hm_fail(e, 0, PFX ".listenerPath: not a string");
	if (md && !json_is_null(md) && !json_is_string(md))
		return hm_fail(e, 0, PFX ".listenerMetadata: not a string");
	if (json_is_string(md) && !json_is_string(lp))
		return hm_fail(e, 0,
			       PFX ".listenerMetadata: set without "
				   "listenerPath");
	if (json_is_string(md))
		f->metadata = xstrdup(json_string_value(md));
	/* without a NOTIFY rule listenerPath is ignored, as the spec says */
	if (!f->notify)
		return 0;
	return listener_connect(sc, f, e);
}

static int build(scmp_filter_ctx ctx, json_t *sc, uint32_t def,
		 struct oci_seccomp *f, struct hm_err *e)
{
	json_t *calls = json_object_get(sc, "syscalls"), *x;
	char path[64];
	size_t i;
	int r;

	/* the caller decides about no_new_privs (process.noNewPrivileges);
	 * a binary tree of syscall numbers: see seccomp.c */
	r = ctx ? seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) : 0;
	if (r == 0 && ctx)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return hm_fail(e, -r, "seccomp: filter attributes");
	if (add_arches(ctx, sc, e) || parse_flags(sc, f, e))
		return -1;
	if (calls && !json_is_null(calls) && !json_is_array(calls))
		return hm_fail(e, 0, PFX ".syscalls: not an array");
	json_array_foreach(calls, i, x)
	{
		snprintf(path, sizeof(path), PFX ".syscalls[%zu]", i);
		if (add_entry(ctx, x, path, def, f, e))
			return -1;
	}
	return check_listener(sc, f, e);
}

/* The program libseccomp generates for @sc: most of a compile's time. */
static int generate(json_t *sc, uint32_t def, struct oci_seccomp *f, char **buf,
		    size_t *len, struct hm_err *e)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	int r;

	if (!ctx)
		return hm_fail(e, 0, "seccomp: cannot initialise the filter");
	r = build(ctx, sc, def, f, e);
	if (r == 0)
		r = seccomp_export(ctx, buf, len, e);
	seccomp_release(ctx);
	/* the compile's megabyte of freed heap back to the kernel: homo
	 * run's monitor, which compiles on a cache miss, lives as long as
	 * its container (1.2 MB of its RSS otherwise) */
	malloc_trim(0);
	if (r == 0 &&
	    (*len == 0 || *len / sizeof(struct sock_filter) > BPF_MAXINSNS))
		r = hm_fail(e, 0,
			    PFX ": the filter is too large (%zu instructions)",
			    *len / sizeof(struct sock_filter));
	return r;
}

/*
 * A cached program's file: keyed by the profile (canonical JSON), what
 * the program depends on besides (libseccomp's version and syscall
 * tables, the native architecture, the kernel, whose actions libseccomp
 * checks when it adds a rule: skipped on a hit) and the layout build()
 * generates ("tree": change the tag when build() changes).
 */
static char *cache_path(const char *dir, const char *text)
{
	const struct scmp_version *v = seccomp_version();
	cleanup_free char *key = NULL;
	char hex[SHA256_HEX_LEN + 1];
	struct utsname u;

	if (!text || uname(&u) < 0)
		return NULL;
	key =
	    xasprintf("oci-seccomp/tree/%u.%u.%u/%u/%s\n%s", v->major, v->minor,
		      v->micro, seccomp_arch_native(), u.release, text);
	sha256_hex(key, strlen(key), hex);
	return xasprintf("%s/oci-%s.bpf", dir, hex);
}

/* The program from @dir's cache, the profile still checked in full. */
static int cached(const char *path, json_t *sc, uint32_t def,
		  struct oci_seccomp *f, char **buf, size_t *len,
		  struct hm_err *e)
{
	size_t off = 0;
	char *file = seccomp_cache_read(path, &off, len);

	if (!file)
		return 1;
	if (build(NULL, sc, def, f, e) < 0) {
		free(file);
		return -1;
	}
	*buf = xmalloc(*len);
	memcpy(*buf, file + off, *len);
	free(file);
	return 0;
}

int oci_seccomp_compile_cached(json_t *profile, const char *cache_dir,
			       struct oci_seccomp **out, struct hm_err *e)
{
	cleanup_free char *path = NULL;
	struct oci_seccomp *f;
	char *buf = NULL;
	size_t len = 0;
	uint32_t def;
	int r = 1;

	*out = NULL;
	if (!json_is_object(profile))
		return hm_fail(e, 0, PFX ": not an object");
	if (parse_action(profile, "defaultAction", "defaultErrnoRet", PFX, &def,
			 e))
		return -1;
	/* nothing would answer the runtime's own calls after the load */
	if (def == SCMP_ACT_NOTIFY)
		return hm_fail(e, 0,
			       PFX ".defaultAction: SCMP_ACT_NOTIFY cannot be "
				   "the default action");
	f = xmalloc(sizeof(*f));
	*f = (struct oci_seccomp){.listener = -1};
	if (cache_dir) {
		cleanup_free char *text =
		    json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS);

		path = cache_path(cache_dir, text);
	}
	if (path)
		r = cached(path, profile, def, f, &buf, &len, e);
	if (r > 0) {
		r = generate(profile, def, f, &buf, &len, e);
		if (r == 0 && path)
			seccomp_cache_write(cache_dir, path, buf, len);
	}
	if (r < 0) {
		free(buf);
		oci_seccomp_free(f);
		return -1;
	}
	f->prog.filter = (struct sock_filter *)buf;
	f->prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	*out = f;
	return 0;
}

/* The program of a named profile from the cache: nothing to check. */
static struct oci_seccomp *named_hit(const char *path)
{
	size_t off = 0, len = 0;
	char *file = seccomp_cache_read(path, &off, &len);
	struct oci_seccomp *f;

	if (!file)
		return NULL;
	f = xmalloc(sizeof(*f));
	*f = (struct oci_seccomp){.listener = -1};
	f->prog.filter = xmalloc(len);
	memcpy(f->prog.filter, file + off, len);
	f->prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	free(file);
	return f;
}

int oci_seccomp_compile_named(const char *name, json_t *(*make)(const void *),
			      const void *arg, const char *cache_dir,
			      struct oci_seccomp **out, struct hm_err *e)
{
	/* "name:" never starts the JSON text of a profile's key */
	cleanup_free char *text = xasprintf("name:%s", name);
	cleanup_free char *path =
	    cache_dir ? cache_path(cache_dir, text) : NULL;
	cleanup_free char *buf = NULL;
	json_t *profile;
	size_t len = 0;
	uint32_t def;
	int r;

	*out = path ? named_hit(path) : NULL;
	if (*out)
		return 0;
	profile = make(arg);
	r = parse_action(profile, "defaultAction", "defaultErrnoRet", PFX, &def,
			 e);
	if (r == 0) {
		struct oci_seccomp f = {.listener = -1};

		r = generate(profile, def, &f, &buf, &len, e);
		/* what a hit could not give back */
		if (r == 0 && (f.flags || f.notify))
			r = hm_fail(e, 0,
				    PFX ": flags or SCMP_ACT_NOTIFY in "
					"a named profile");
		free(f.metadata);
		if (f.listener >= 0)
			close(f.listener);
	}
	json_decref(profile);
	if (r < 0)
		return -1;
	if (path)
		seccomp_cache_write(cache_dir, path, buf, len);
	*out = xmalloc(sizeof(**out));
	**out = (struct oci_seccomp){.listener = -1};
	(*out)->prog.filter = (struct sock_filter *)buf;
	(*out)->prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	buf = NULL;
	return 0;
}

int oci_seccomp_compile(json_t *profile, struct oci_seccomp **out,
			struct hm_err *e)
{
	return oci_seccomp_compile_cached(profile, NULL, out, e);
}

bool oci_seccomp_notifies(const struct oci_seccomp *f)
{
	return f && f->notify;
}

void oci_seccomp_set_state(struct oci_seccomp *f, json_t *state)
{
	json_decref(f->state);
	f->state = json_incref(state);
}

/* The container process state of config-linux.md, as JSON text. */
static char *process_state(const struct oci_seccomp *f)
{
	json_t *st = f->state ? json_incref(f->state) : json_object();
	json_t *pid = json_object_get(st, "pid");
	json_t *o = json_pack("{s:s, s:[s], s:I, s:o}", "ociVersion", "1.0.2",
			      "fds", "seccompFd", "pid",
			      (json_int_t)(json_is_integer(pid)
					       ? json_integer_value(pid)
					       : getpid()),
			      "state", st);
	char *s;

	if (f->metadata)
		json_object_set_new(o, "metadata", json_string(f->metadata));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* One sendmsg: the JSON with the listener fd in SCM_RIGHTS. */
static int send_listener(int sock, const char *msg, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = {0};
	struct iovec iov = {(void *)msg, strlen(msg)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	ssize_t n;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* the rest, if the socket took only part (no fds any more) */
	for (size_t off = (size_t)n; off < iov.iov_len; off += (size_t)n) {
		n = send(sock, msg + off, iov.iov_len - off, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR)
			return -errno;
		n = n < 0 ? 0 : n;
	}
	return 0;
}

int oci_seccomp_load(struct oci_seccomp *f, struct hm_err *e)
{
	unsigned flags = f->flags;
	cleanup_free char *msg = NULL;
	long fd;
	int r;

	if (f->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* the kernel takes TSYNC with a listener only so */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
		msg = process_state(f); /* before: no allocation after */
	} else {
		/* meaningless without a listener, and refused by the kernel */
		flags &= ~(unsigned)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &f->prog);
	if (fd < 0)
		return hm_fail(e, errno, "seccomp: load the filter");
	/* TSYNC without a listener: a positive return is a thread that
	 * could not be synchronised (nothing was loaded) */
	if (!f->notify && fd > 0)
		return hm_fail(e, 0,
			       "seccomp: thread %ld could not take the "
			       "filter (SECCOMP_FILTER_FLAG_TSYNC)",
			       fd);
	if (!f->notify)
		return 0;
	r = send_listener(f->listener, msg, (int)fd);
	close((int)fd);
	close(f->listener);
	f->listener = -1;
	if (r < 0)
		return hm_fail(e, -r,
			       "seccomp: send the listener to listenerPath");
	return 0;
}

void oci_seccomp_free(struct oci_seccomp *f)
{
	if (!f)
		return;
	if (f->listener >= 0)
		close(f->listener);
	free(f->prog.filter);
	free(f->metadata);
	json_decref(f->state);
	free(f);
}

int oci_seccomp_keep_fd(const struct oci_seccomp *f)
{
	return f ? f->listener : -1;
}

/* The architectures the runtime spec names (config-linux.md) */
static const char *const spec_arches[] = {
    "SCMP_ARCH_X86",	  "SCMP_ARCH_X86_64",	   "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",	  "SCMP_ARCH_AARCH64",	   "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",	  "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	  "SCMP_ARCH_PPC64LE",	   "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",	  "SCMP_ARCH_PARISC",	   "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
    "SCMP_ARCH_SH",	  "SCMP_ARCH_SHEB",
};

json_t *oci_seccomp_features(void)
{
	json_t *acts = json_array(), *ops = json_array(),
	       *arches = json_array();
	json_t *known = json_array(), *supported = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(actions); i++)
		json_array_append_new(acts, json_string(actions[i].name));
	for (i = 0; i < ARRAY_SIZE(operators); i++)
		json_array_append_new(ops, json_string(operators[i].name));
	for (i = 0; i < ARRAY_SIZE(spec_arches); i++)
		if (arch_token(spec_arches[i]))
			json_array_append_new(arches,
					      json_string(spec_arches[i]));
	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		json_array_append_new(known, json_string(flag_names[i].name));
		if (kernel_has_flag(flag_names[i].flag))
			json_array_append_new(supported,
					      json_string(flag_names[i].name));
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1,
			 "actions", acts, "operators", ops, "archs", arches,
			 "knownFlags", known, "supportedFlags", supported);
}
