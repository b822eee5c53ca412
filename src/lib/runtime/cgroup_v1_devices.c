/* SPDX-License-Identifier: MIT */
/*
 * cgroup v1's devices controller: Docker's default allow list, then the
 * rules of --device (struct cgroup_limits), split from cgroup_v1.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/cgroup_backend.h"

/* Docker's default device rules: mknod of anything, use of the basics. */
static const char *const dev_allow[] = {
    "c *:* m",	    /* mknod any char device (opening it is still denied) */
    "b *:* m",	    /* mknod any block device (likewise) */
    "c 1:3 rwm",    /* /dev/null */
    "c 1:5 rwm",    /* /dev/zero */
    "c 1:7 rwm",    /* /dev/full */
    "c 1:8 rwm",    /* /dev/random */
    "c 1:9 rwm",    /* /dev/urandom */
    "c 5:0 rwm",    /* /dev/tty */
    "c 5:1 rwm",    /* /dev/console */
    "c 5:2 rwm",    /* /dev/ptmx */
    "c 136:* rwm",  /* /dev/pts/N */
    "c 10:200 rwm", /* /dev/net/tun */
};

/* the v2 backend compiles the same list into its BPF program */
size_t cgroup_default_devices(const char *const **rules)
{
	*rules = dev_allow;
	return ARRAY_SIZE(dev_allow);
}

/* @val to the open devices file @fd (@p: its path, for the error) */
static int put(int fd, const char *val, const char *p, struct hm_err *e)
{
	size_t n = strlen(val);
	ssize_t w = write(fd, val, n);

	if (w == (ssize_t)n)
		return 0;
	return hm_fail(e, w < 0 ? errno : EIO, "write \"%s\" to \"%s\"", val,
		       p);
}

/* one --device rule as a devices.allow line, "c 10:229 rwm" */
static int put_rule(int fd, const struct cgroup_device_rule *d, const char *p,
		    struct hm_err *e)
{
	char rule[80], maj[24] = "*", min[24] = "*";

	if (d->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, d->major);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, d->minor);
	snprintf(rule, sizeof(rule), "%c %s:%s %.3s", d->type, maj, min,
		 d->access);
	return put(fd, rule, p, e);
}

int cgroup_v1_write_devices(const char *dir, const struct cgroup_limits *l,
			    struct hm_err *e)
{
	cleanup_free char *deny = xasprintf("%s/devices.deny", dir);
	cleanup_free char *allow = xasprintf("%s/devices.allow", dir);
	cleanup_close int fd = open(deny, O_WRONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", deny);
	if (put(fd, "a", deny, e) < 0)
		return -1;
	close(fd);
	fd = open(allow, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hm_fail(e, errno, "open \"%s\"", allow);
	/* one rule per write: the kernel ignores anything after the first;
	 * the given rules first, so devices.list shows them in their order
	 * (an OCI runtime's contract) */
	for (size_t i = 0; i < l->ndevices && !r; i++)
		r = put_rule(fd, &l->devices[i], allow, e);
	for (size_t i = 0; i < ARRAY_SIZE(dev_allow) && !r; i++)
		r = put(fd, dev_allow[i], allow, e);
	return r;
}
