/* SPDX-License-Identifier: MIT */
#include "runtime/state.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "store/store.h"

static const char *const names[] = {
    [ST_CREATED] = "created",
    [ST_RUNNING] = "running",
    [ST_EXITED] = "exited",
};

const char *state_status_name(enum hm_status s)
{
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static void copy_str(char *dst, size_t n, json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	snprintf(dst, n, "%s", v ? v : "");
}

int state_load(const char *dir, struct hm_state *st, struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/state.json", dir);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	const char *status;

	memset(st, 0, sizeof(*st));
	if (!j)
		return hm_fail_json(e, path, jerr.line, jerr.text);
	status = json_string_value(json_object_get(j, "Status"));
	st->status = ST_EXITED;
	for (size_t i = 0; status && i < ARRAY_SIZE(names); i++)
		if (!strcmp(status, names[i]))
			st->status = (enum hm_status)i;
	st->pid = (pid_t)json_integer_value(json_object_get(j, "Pid"));
	st->starttime = (unsigned long long)json_integer_value(
	    json_object_get(j, "StartTime"));
	st->exit_code = (int)json_integer_value(json_object_get(j, "ExitCode"));
	st->owner = (pid_t)json_integer_value(json_object_get(j, "Owner"));
	st->owner_start = (unsigned long long)json_integer_value(
	    json_object_get(j, "OwnerStartTime"));
	st->oom_killed = json_is_true(json_object_get(j, "OOMKilled"));
	st->restart_count =
	    (int)json_integer_value(json_object_get(j, "RestartCount"));
	st->user_stopped = json_is_true(json_object_get(j, "UserStopped"));
	copy_str(st->created, sizeof(st->created), j, "Created");
	copy_str(st->started, sizeof(st->started), j, "StartedAt");
	copy_str(st->finished, sizeof(st->finished), j, "FinishedAt");
	copy_str(st->error, sizeof(st->error), j, "Error");
	json_decref(j);
	if (!status)
		return hm_failx(e, HM_EXIT_FAIL, "%s: corrupt state: no Status",
				path);
	return 0;
}

/* @st as state.json's text, or NULL with @e */
static char *state_text(const char *path, const struct hm_state *st,
			struct hm_err *e)
{
	char error[sizeof(st->error)];
	json_t *j;

	/* the error may quote a hostile image's file names: any bytes */
	snprintf(error, sizeof(error), "%s", st->error);
	store_utf8_scrub(error);
	j = json_pack("{s:s, s:i, s:I, s:i, s:I, s:i, s:b, s:i, s:b, s:s, s:s, "
		      "s:s, s:s}",
		      "Status", state_status_name(st->status), "Pid",
		      (int)st->pid, "StartTime", (json_int_t)st->starttime,
		      "Owner", (int)st->owner, "OwnerStartTime",
		      (json_int_t)st->owner_start, "ExitCode", st->exit_code,
		      "OOMKilled", st->oom_killed, "RestartCount",
		      st->restart_count, "UserStopped", st->user_stopped,
		      "Created", st->created, "StartedAt", st->started,
		      "FinishedAt", st->finished, "Error", error);
	return store_json_text(j, JSON_INDENT(2), path, e);
}

int state_save(const char *dir, const struct hm_state *st, struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/state.json", dir);
	cleanup_free char *text = state_text(path, st, e);

	if (!text)
		return -1;
	return util_write_file_atomic(path, text, strlen(text), false, e);
}

int state_save_new(const char *dir, const struct hm_state *st, struct hm_err *e)
{
	cleanup_free char *path = xasprintf("%s/state.json", dir);
	cleanup_free char *text = state_text(path, st, e);

	return text ? util_write_file_new(path, text, strlen(text), e) : -1;
}

int state_record_exit(const char *dir, struct hm_state *st, int code,
		      const char *why, struct hm_err *e)
{
	st->status = ST_EXITED;
	st->exit_code = code;
	util_now_rfc3339(st->finished, sizeof(st->finished));
	snprintf(st->error, sizeof(st->error), "%s", why ? why : "");
	return state_save(dir, st, e);
}

bool state_is_alive(const struct hm_state *st)
{
	return st->pid > 0 && st->starttime &&
	       util_proc_starttime(st->pid) == st->starttime;
}

bool state_owner_alive(const struct hm_state *st)
{
	return st->owner > 0 && st->owner_start &&
	       util_proc_starttime(st->owner) == st->owner_start;
}

void state_kill_init(const struct hm_state *st, int ms)
{
	cleanup_close int fd = -1;
	struct pollfd p = {.events = POLLIN};

	if (st->pid <= 0)
		return;
	fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	/* checked after the pidfd is open: from here on it names the init
	 * or a process that is gone, never a newcomer with a reused pid */
	if (fd < 0 || !state_is_alive(st) ||
	    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
		return;
	p.fd = fd;
	/* readable once it exited, after its PID namespace was emptied */
	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
}
