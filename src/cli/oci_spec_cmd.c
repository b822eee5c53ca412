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
#include "runtime/caps.h"
#include "runtime/spec_oci.h"
#include "oci_int.h"

/*
 * homo's defaults, the policy of a plain `homo run` (runtime/spec_oci.h:
 * written once, there), in runc's shape: sh on a terminal, a read-only
 * root "rootfs", hostname "homo", no_new_privs.
 */
static json_t *default_spec(bool rl)
{
	char *argv[] = {"sh", NULL};
	char *env[] = {"PATH=" HM_DEFAULT_PATH, NULL};
	struct hm_spec s = {
	    .argv = argv,
	    .env = env,
	    .hostname = "homo",
	    .workdir = "/",
	    .tty = true,
	    .read_only = true,
	    .no_new_privs = true,
	    .net = NET_NONE,
	    .caps = caps_default(),
	};
	/* gid 5 is unmapped in --rootless's one-id map */
	struct spec_oci_host h = {
	    .root_path = "rootfs", .tty_gid = !rl, .seccomp = true};

	return spec_oci_json(&s, &h);
}

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

		if (sysfs) {
			json_object_set_new(m, "options",
					    json_pack("[sssss]", "rbind",
						      "nosuid", "noexec",
						      "nodev", "ro"));
			json_object_set_new(m, "type", json_string("none"));
			json_object_set_new(m, "source", json_string("/sys"));
		}
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
	j = default_spec(rl);
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
