/* SPDX-License-Identifier: MIT */
/*
 * Pins: layers a command builds on while no record names them yet (commit
 * on top of a container's image, which rm -f and rmi may remove meanwhile).
 * A pin is a file layers/.tmp-<pid>-<random>.pin: "<pid>:<start time>" of
 * its maker, then one layer id a line. It counts while its maker lives
 * (the start time tells a reused pid); once the maker is dead it is debris
 * by its name, swept with the rest.
 */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/number.h"
#include "base/util.h"

static char *maker_line(pid_t pid)
{
	unsigned long long start = util_proc_starttime(pid);

	return start ? xasprintf("%d:%llu", (int)pid, start) : NULL;
}

char *store_pin_layers(struct hm_store *s, char *const *layers,
		       struct hm_err *e)
{
	cleanup_free char *text = maker_line(getpid());
	char rnd[9], *pin = NULL;

	if (!text)
		return hm_failx(e, HM_EXIT_FAIL, "pin: no start time of ours"),
		       NULL;
	for (size_t i = 0; layers && layers[i]; i++) {
		char *old = text;

		text = xasprintf("%s\n%s", old, layers[i]);
		free(old);
	}
	util_random_hex(rnd, 8);
	pin = store_path(s, "layers/.tmp-%d-%s.pin", (int)getpid(), rnd);
	/* under the lock: no collection between the check and the pin */
	if (store_lock(s, e) < 0)
		goto fail;
	for (size_t i = 0; layers && layers[i]; i++)
		if (!store_layer_exists(s, layers[i])) {
			hm_failx(e, HM_EXIT_FAIL,
				 "layer %.12s is gone (its image was "
				 "removed meanwhile)",
				 layers[i]);
			goto unlock;
		}
	if (util_write_file_atomic(pin, text, strlen(text), false, e) == 0) {
		store_unlock(s);
		return pin;
	}
unlock:
	store_unlock(s);
fail:
	free(pin);
	return NULL;
}

void store_unpin(const char *pin)
{
	if (pin)
		unlink(pin);
}

/* Append the layers of the pin @path to *@ids if its maker lives. */
static void read_pin(const char *path, char ***ids)
{
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	cleanup_free char *now = NULL;
	char *line, *save = NULL, buf[16];
	uint64_t pid;
	size_t len;

	line = text ? strtok_r(text, "\n", &save) : NULL;
	if (!line || (len = strcspn(line, ":")) >= sizeof(buf))
		return;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (num_parse_u64(buf, 1, INT32_MAX, &pid) < 0)
		return;
	now = maker_line((pid_t)pid);
	if (!now || strcmp(now, line)) /* dead, or a reused pid */
		return;
	while ((line = strtok_r(NULL, "\n", &save)))
		*ids = strv_push(*ids, line);
}

int store_pinned_layers(const struct hm_store *s, char ***ids, struct hm_err *e)
{
	cleanup_free char *dir = store_path(s, "layers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	size_t n;

	if (!d && errno != ENOENT)
		return hm_fail(e, errno, "open \"%s\"", dir);
	while (d && (de = readdir(d))) {
		n = strlen(de->d_name);
		if (strncmp(de->d_name, ".tmp-", 5) || n < 4 ||
		    strcmp(de->d_name + n - 4, ".pin"))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);

		read_pin(p, ids);
	}
	return 0;
}
