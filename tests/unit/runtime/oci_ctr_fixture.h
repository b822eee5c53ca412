/* SPDX-License-Identifier: MIT */
/*
 * Shared by test_oci_container.c and test_oci_process.c: a busybox rootfs
 * in a temp dir (the group's setup and teardown), config.json text read as
 * the runtime reads it, and a body run in a forked child in new namespaces
 * (pid 1 of its own pid namespace, a private /), which reports a failed
 * CHECK on stderr and in its exit status; mountinfo helpers.
 */
#ifndef HOMO_TEST_OCI_CTR_FIXTURE_H
#define HOMO_TEST_OCI_CTR_FIXTURE_H

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/oci_container.h"
#include "runtime/oci_ctr_int.h"

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #c);                                 \
			_exit(1);                                              \
		}                                                              \
	} while (0)
#define CHECK_OK(call)                                                         \
	do {                                                                   \
		struct hm_err ce_;                                             \
		if ((call) < 0) {                                              \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, \
				#call, ce_.msg);                               \
			_exit(1);                                              \
		}                                                              \
	} while (0)

static char *tmp;    /* one temp dir per run: rootfs/, host/ */
static char *rootfs; /* busybox, unpacked once */

static inline int setup(void **state)
{
	const char *tar = getenv("BUSYBOX_TAR");
	char *cmd;

	(void)state;
	tmp = unit_tmpdir();
	rootfs = xasprintf("%s/rootfs", tmp);
	cmd = xasprintf("mkdir -p %s/host && mkdir %s && tar -xf %s -C %s", tmp,
			rootfs, tar ? tar : "build/images/busybox.tar", rootfs);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	unit_rmtree(tmp);
	free(rootfs);
	return 0;
}

/* config.json text (a printf format) read as the runtime reads it */
static inline void spec_of(struct oci_spec *s, const char *fmt, ...)
{
	va_list ap;
	char *text;
	json_error_t je;
	json_t *j;
	struct hm_err e;

	va_start(ap, fmt);
	assert_true(vasprintf(&text, fmt, ap) > 0);
	va_end(ap);
	j = json_loads(text, 0, &je);
	if (!j)
		fail_msg("%s: %s", text, je.text);
	if (oci_spec_from_json(j, s, &e) < 0)
		fail_msg("%s: %s", text, e.msg);
	json_decref(j);
	free(text);
}

/*
 * @body in a child in new namespaces, as pid 1 of its pid namespace, with a
 * private / (what the runtime's init starts from). Its exit status.
 */
static inline void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		_exit(92);
	close(fd);
}

/* @flags: the namespaces, root's own uid and gid mapped in a new userns */
static inline int in_ns(void (*body)(const struct oci_spec *),
			const struct oci_spec *s, int flags)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(flags) < 0)
			_exit(90);
		if (flags & CLONE_NEWUSER) {
			write_file("/proc/self/uid_map", "0 0 1");
			write_file("/proc/self/setgroups", "deny");
			write_file("/proc/self/gid_map", "0 0 1");
		}
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(90);
		pid = fork();
		if (pid == 0) {
			body(s);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			_exit(91);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static inline int in_child(void (*body)(const struct oci_spec *),
			   const struct oci_spec *s)
{
	return in_ns(body, s,
		     CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			 CLONE_NEWNET);
}

/* the last line of /proc/self/mountinfo mounted at @mnt, or NULL */
static inline char *mountinfo(const char *mnt)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], at[1024], *found = NULL;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %1023s", at) == 1 &&
		    !strcmp(at, mnt)) {
			free(found);
			found = strdup(line);
		}
	if (f)
		fclose(f);
	return found;
}

/* @opt is one of the comma-separated words of the mount's options (field
 * 6, per mount) or, with @super, of its super options */
static inline bool has_opt(const char *line, const char *opt, bool super)
{
	char field[1024], word[128];
	const char *sep = strstr(line, " - ");

	if (super ? !sep || sscanf(sep + 3, "%*s %*s %1023s", field) != 1
		  : sscanf(line, "%*s %*s %*s %*s %*s %1023s", field) != 1)
		return false;
	snprintf(word, sizeof(word), ",%s,", opt);
	memmove(field + 1, field, strlen(field) + 1);
	field[0] = ',';
	strcat(field, ",");
	return strstr(field, word) != NULL;
}

static inline bool has_type(const char *line, const char *type)
{
	char t[64];
	const char *sep = strstr(line, " - ");

	return sep && sscanf(sep + 3, "%63s", t) == 1 && !strcmp(t, type);
}

#define PROC_ "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
#define PROC "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"}]"

static inline void prepare_and_pivot(const struct oci_spec *s, bool no_pivot)
{
	CHECK_OK(oci_rootfs_prepare(s, rootfs, &ce_));
	CHECK_OK(oci_rootfs_finish(s, rootfs, no_pivot, &ce_));
}

#endif
