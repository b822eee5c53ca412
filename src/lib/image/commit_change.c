/* SPDX-License-Identifier: MIT */
/*
 * commit -c: Dockerfile instructions on an image config (commit.h), as
 * "docker commit --change" applies them: CMD, ENTRYPOINT, ENV, LABEL,
 * EXPOSE, VOLUME, STOPSIGNAL, WORKDIR, USER.
 */
#include "image/commit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/number.h"
#include "base/signame.h"
#include "base/util.h"

/*
 * Words as a Dockerfile splits them: whitespace apart, '...' and "..."
 * quotes removed, a backslash escaping the next byte (outside '...').
 * NULL with @e set on an unterminated quote.
 */
static char **split_words(const char *change, const char *arg, struct hm_err *e)
{
	cleanup_free char *w = xmalloc(strlen(arg) + 1);
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	char quote = 0;
	bool in_word = false;

	for (const char *p = arg;; p++) {
		if (!quote && (!*p || *p == ' ' || *p == '\t')) {
			if (in_word) {
				w[n] = '\0';
				v = strv_push(v, w);
			}
			in_word = false;
			n = 0;
			if (!*p)
				return v;
			continue;
		}
		if (!*p) {
			strv_free(v);
			return hm_failx(e, HM_EXIT_FAIL,
					"change \"%s\": unterminated quote",
					change),
			       NULL;
		}
		in_word = true;
		if (*p == quote)
			quote = 0;
		else if (!quote && (*p == '"' || *p == '\''))
			quote = *p;
		else if (*p == '\\' && quote != '\'' && p[1])
			w[n++] = *++p;
		else
			w[n++] = *p;
	}
}

/* A JSON array of strings (exec form), or NULL if @arg is not one. */
static json_t *exec_form(const char *arg)
{
	json_t *a = *arg == '[' ? json_loads(arg, 0, NULL) : NULL, *v;
	size_t i;

	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* CMD or ENTRYPOINT: exec form, else shell form (run by /bin/sh -c). */
static int change_command(json_t *config, const char *key, const char *change,
			  const char *arg, struct hm_err *e)
{
	json_t *cmd = exec_form(arg);

	if (!cmd && *arg == '[')
		return hm_failx(e, HM_EXIT_FAIL,
				"change \"%s\": expected a JSON array of "
				"strings",
				change);
	if (!cmd)
		cmd = json_pack("[s, s, s]", "/bin/sh", "-c", arg);
	/* ENTRYPOINT []: none, as if never set */
	if (!strcmp(key, "entrypoint") && !json_array_size(cmd)) {
		json_decref(cmd);
		json_object_del(config, key);
		return 0;
	}
	json_object_set_new(config, key, cmd);
	return 0;
}

/* Set KEY=VALUE in the env array, replacing KEY's value if there. */
static void env_set(json_t *config, const char *key, const char *value)
{
	json_t *env = json_object_get(config, "env"), *v;
	cleanup_free char *kv = xasprintf("%s=%s", key, value);
	size_t i, klen = strlen(key);

	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(config, "env", env);
	}
	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);

		if (s && !strncmp(s, key, klen) && s[klen] == '=') {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

static void label_set(json_t *config, const char *key, const char *value)
{
	json_t *labels = json_object_get(config, "labels");

	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(config, "labels", labels);
	}
	json_object_set_new(labels, key, json_string(value));
}

/*
 * ENV and LABEL: "KEY=VALUE [KEY=VALUE...]" (each word one pair, quotes
 * as the shell's), or the old "KEY VALUE" with the rest of the line.
 */
static int change_pairs(json_t *config, bool env, const char *change,
			const char *arg, struct hm_err *e)
{
	void (*set)(json_t *, const char *, const char *) =
	    env ? env_set : label_set;
	size_t kw = strcspn(arg, " \t=");
	cleanup_strv char **words = NULL;

	if (arg[kw] != '=') { /* the old form: one pair, the rest its value */
		cleanup_free char *key = strndup(arg, kw);
		const char *val = arg + kw + strspn(arg + kw, " \t");

		if (!*val)
			goto bad;
		set(config, key, val);
		return 0;
	}
	words = split_words(change, arg, e);
	if (!words)
		return -1;
	for (size_t i = 0; words[i]; i++) {
		char *eq = strchr(words[i], '=');

		if (!eq || eq == words[i])
			goto bad;
		*eq = '\0';
		set(config, words[i], eq + 1);
	}
	return 0;
bad:
	return hm_failx(e, HM_EXIT_FAIL,
			"change \"%s\": expected %s KEY=VALUE [KEY=VALUE...]",
			change, env ? "ENV" : "LABEL");
}

/* EXPOSE PORT[-PORT][/tcp|udp|sctp]... as ExposedPorts keys "80/tcp". */
static int change_expose(json_t *config, const char *change, const char *arg,
			 struct hm_err *e)
{
	cleanup_strv char **words = split_words(change, arg, e);
	json_t *ports = json_object_get(config, "exposed_ports");

	if (!words)
		return -1;
	if (!json_is_object(ports)) {
		ports = json_object();
		json_object_set_new(config, "exposed_ports", ports);
	}
	for (size_t i = 0; words[i]; i++) {
		char *proto = strchr(words[i], '/'), *dash;
		uint64_t lo, hi;

		if (proto)
			*proto++ = '\0';
		dash = strchr(words[i], '-');
		if (dash)
			*dash++ = '\0';
		if ((proto && strcasecmp(proto, "tcp") &&
		     strcasecmp(proto, "udp") && strcasecmp(proto, "sctp")) ||
		    num_parse_u64(words[i], 1, 65535, &lo) < 0 ||
		    num_parse_u64(dash ? dash : words[i], lo, 65535, &hi) < 0)
			return hm_failx(e, HM_EXIT_FAIL,
					"change \"%s\": expected EXPOSE "
					"PORT[-PORT][/tcp|udp|sctp]...",
					change);
		for (uint64_t p = lo; p <= hi; p++) {
			cleanup_free char *key = xasprintf(
			    "%u/%s", (unsigned)p, proto ? proto : "tcp");

			for (char *c = key; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32
								   : *c);
			json_object_set_new(ports, key, json_object());
		}
	}
	return 0;
}

/* VOLUME ["/a", "/b"] or VOLUME /a /b: absolute paths. */
static int change_volume(json_t *config, const char *change, const char *arg,
			 struct hm_err *e)
{
	json_t *a = exec_form(arg), *vols, *v;
	cleanup_strv char **words = NULL;
	size_t i;

	if (!a) {
		words = split_words(change, arg, e);
		if (!words)
			return -1;
		a = json_array();
		for (i = 0; words[i]; i++)
			json_array_append_new(a, json_string(words[i]));
	}
	vols = json_object_get(config, "volumes");
	if (!json_is_object(vols)) {
		vols = json_object();
		json_object_set_new(config, "volumes", vols);
	}
	json_array_foreach(a, i, v)
	{
		if (json_string_value(v)[0] != '/') {
			json_decref(a);
			return hm_failx(e, HM_EXIT_FAIL,
					"change \"%s\": a VOLUME path must be "
					"absolute",
					change);
		}
		json_object_set_new(vols, json_string_value(v), json_object());
	}
	json_decref(a);
	return 0;
}

static int change_stopsignal(json_t *config, const char *change,
			     const char *arg, struct hm_err *e)
{
	int sig;

	if (signal_parse(arg, &sig) < 0)
		return hm_failx(e, HM_EXIT_FAIL,
				"change \"%s\": not a signal (a name such as "
				"SIGINT, or a number)",
				change);
	json_object_set_new(config, "stop_signal", json_string(arg));
	return 0;
}

static bool is_kw(const char *change, size_t kw, const char *name)
{
	return kw == strlen(name) && !strncasecmp(change, name, kw);
}

int commit_apply_change(json_t *config, const char *change, struct hm_err *e)
{
	size_t kw = strcspn(change, " \t");
	const char *arg = change + kw + strspn(change + kw, " \t");

	if (!*arg)
		return hm_failx(e, HM_EXIT_FAIL,
				"change \"%s\": expected an argument", change);
	if (is_kw(change, kw, "CMD"))
		return change_command(config, "cmd", change, arg, e);
	if (is_kw(change, kw, "ENTRYPOINT"))
		return change_command(config, "entrypoint", change, arg, e);
	if (is_kw(change, kw, "ENV") || is_kw(change, kw, "LABEL"))
		return change_pairs(config, is_kw(change, kw, "ENV"), change,
				    arg, e);
	if (is_kw(change, kw, "EXPOSE"))
		return change_expose(config, change, arg, e);
	if (is_kw(change, kw, "VOLUME"))
		return change_volume(config, change, arg, e);
	if (is_kw(change, kw, "STOPSIGNAL"))
		return change_stopsignal(config, change, arg, e);
	if (is_kw(change, kw, "WORKDIR")) {
		if (*arg != '/')
			return hm_failx(e, HM_EXIT_FAIL,
					"change \"%s\": WORKDIR must be an "
					"absolute path",
					change);
		json_object_set_new(config, "workdir", json_string(arg));
		return 0;
	}
	if (is_kw(change, kw, "USER")) {
		json_object_set_new(config, "user", json_string(arg));
		return 0;
	}
	return hm_failx(e, HM_EXIT_FAIL,
			"change \"%s\": unsupported (use CMD, ENTRYPOINT, ENV, "
			"LABEL, EXPOSE, VOLUME, STOPSIGNAL, WORKDIR or USER)",
			change);
}

int commit_apply_changes(json_t *config, char *const *changes, struct hm_err *e)
{
	bool cmd_set = false;

	for (size_t i = 0; changes && changes[i]; i++) {
		size_t kw = strcspn(changes[i], " \t");

		if (commit_apply_change(config, changes[i], e) < 0)
			return -1;
		cmd_set |= is_kw(changes[i], kw, "CMD");
		/* Docker: ENTRYPOINT resets the base image's CMD */
		if (is_kw(changes[i], kw, "ENTRYPOINT") && !cmd_set)
			json_object_set_new(config, "cmd", json_array());
	}
	return 0;
}
