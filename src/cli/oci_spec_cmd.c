/* SPDX-License-Identifier: MIT */
/*
 * `homo-runtime spec`: a config.json to start a bundle from, with homo's
 * defaults (runc's shape: sh on a terminal, a read-only rootfs, the
 * default mounts, masks and capabilities); --rootless adds a user
 * namespace mapping the caller to root and drops what it cannot have.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/util.h"
#include "oci_int.h"

static const char default_spec[] =
    "{\"ociVersion\":\"1.0.2\","
    "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
    "\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
    "/sbin:/bin\",\"TERM=xterm\"],"
    "\"cwd\":\"/\","
    "\"capabilities\":{"
    "\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"homo\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\","
    "\"mode=0620\",\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\","
    "\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\","
    "\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
    "\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\","
    "\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,"
    "\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
    "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},"
    "{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\","
    "\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\","
    "\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\","
    "\"/proc/scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\","
    "\"/proc/sys\",\"/proc/sysrq-trigger\"]}}";

/* a user namespace mapping us to root; no device rules, a bind /sys */
static void rootless(json_t *j)
{
	json_t *lx = json_object_get(j, "linux"), *m;
	size_t i;

	json_array_append_new(json_object_get(lx, "namespaces"),
			      json_pack("{s:s}", "type", "user"));
	json_object_set_new(lx, "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0,
				      "hostID", (int)geteuid(), "size", 1));
	json_object_set_new(lx, "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0,
				      "hostID", (int)getegid(), "size", 1));
	json_object_del(lx, "resources");
	json_array_foreach(json_object_get(j, "mounts"), i, m)
	{
		/* @t dies with the "type" it is replaced by: test it first */
		const char *t = json_string_value(json_object_get(m, "type"));
		bool sysfs = t && !strcmp(t, "sysfs");
		bool devpts = t && !strcmp(t, "devpts");

		if (sysfs) {
			json_object_set_new(m, "options",
					    json_pack("[sssss]", "rbind",
						      "nosuid", "noexec",
						      "nodev", "ro"));
			json_object_set_new(m, "type", json_string("none"));
			json_object_set_new(m, "source", json_string("/sys"));
		}
		if (devpts) /* gid=5: unmapped */
			json_array_remove(
			    json_object_get(m, "options"),
			    json_array_size(json_object_get(m, "options")) - 1);
	}
}

int oci_cmd_spec(const struct oci_globals *g, int argc, char **argv,
		 struct hm_err *e)
{
	const char *bundle = ".";
	bool rl = false;
	json_t *j;
	char *text, *path;
	int fd, i, r;

	(void)g;
	for (i = 1; i < argc; i++) {
		const char *a =
		    argv[i] + (argv[i][0] == '-' && argv[i][1] == '-');

		if (!strcmp(a, "-rootless"))
			rl = true;
		else if ((!strcmp(a, "-bundle") || !strcmp(a, "-b")) &&
			 i + 1 < argc)
			bundle = argv[++i];
		else if (!strncmp(a, "-bundle=", 8))
			bundle = a + 8;
		else
			return hm_failx(e, 1, "spec: unknown argument %s",
					argv[i]);
	}
	j = json_loads(default_spec, 0, NULL);
	if (rl)
		rootless(j);
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	path = xasprintf("%s/config.json", bundle);
	/* runc refuses to overwrite one, and so do we */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = hm_fail(e, errno, "spec: \"%s\"", path);
	} else {
		r = util_write_all(fd, text, strlen(text)) < 0 ||
			    util_write_all(fd, "\n", 1) < 0
			? hm_fail(e, errno, "spec: write \"%s\"", path)
			: 0;
		close(fd);
	}
	free(path);
	free(text);
	return r;
}
