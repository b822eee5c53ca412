/* SPDX-License-Identifier: MIT */
/*
 * Registry credentials (registry.h): Docker's config.json "auths", read
 * and written so that Docker and Podman read the same file; and login's
 * check of a user and password.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "image/registry.h"

#define LEGACY_HUB "https://index.docker.io/v1/"

static char *config_dir(void)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (dir && *dir)
		return xstrdup(dir);
	return xasprintf("%s/.docker", home && *home ? home : "/");
}

/* Docker keys Docker Hub by its old URL; others by host[:port]. */
static const char *auth_key(const char *domain)
{
	return strcmp(domain, "docker.io") ? domain : LEGACY_HUB;
}

char *reg_auth_find(const char *domain)
{
	cleanup_free char *dir = config_dir();
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	json_t *j = json_load_file(path, 0, NULL), *auths;
	const char *v;
	char *r = NULL;

	auths = json_object_get(j, "auths");
	v = json_string_value(
	    json_object_get(json_object_get(auths, auth_key(domain)), "auth"));
	if (!v)
		v = json_string_value(
		    json_object_get(json_object_get(auths, domain), "auth"));
	if (v && *v)
		r = xstrdup(v);
	json_decref(j);
	return r;
}

static int write_0600(const char *path, const char *text, struct hm_err *e)
{
	cleanup_free char *tmp = xasprintf("%s.tmp-%s", path, util_tmp_owner());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return hm_fail(e, errno, "create \"%s\"", tmp);
	if (fchmod(fd, 0600) < 0 ||
	    util_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		hm_fail(e, errno, "write \"%s\"", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		hm_fail(e, errno, "rename \"%s\"", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int reg_auth_save(const char *domain, const char *auth, bool *removed,
		  struct hm_err *e)
{
	cleanup_free char *dir = config_dir();
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	cleanup_free char *text = NULL;
	json_error_t jerr;
	json_t *j, *auths;
	int r;

	if (util_mkdir_p(dir, 0700, e) < 0)
		return -1;
	j = json_load_file(path, 0, &jerr);
	if (!j && access(path, F_OK) == 0)
		return hm_failx(e, HM_EXIT_FAIL, "%s: not JSON: %s", path,
				jerr.text);
	if (!j)
		j = json_object();
	auths = json_object_get(j, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(j, "auths", auths);
	}
	if (removed)
		*removed = json_object_get(auths, auth_key(domain)) ||
			   json_object_get(auths, domain);
	json_object_del(auths, domain);
	if (auth)
		json_object_set_new(auths, auth_key(domain),
				    json_pack("{s:s}", "auth", auth));
	else
		json_object_del(auths, auth_key(domain));
	text = json_dumps(j, JSON_INDENT(1));
	json_decref(j);
	if (!text)
		return hm_failx(e, HM_EXIT_FAIL, "%s: cannot encode", path);
	r = write_0600(path, text, e);
	return r;
}

static int discard(void *arg, const void *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

int reg_login(const char *domain, const char *user, const char *pass,
	      bool tls_verify, struct hm_err *e)
{
	cleanup_free char *up = xasprintf("%s:%s", user, pass);
	cleanup_free char *what = xasprintf("login %s", domain);
	struct reg_conn c;
	struct reg_resp resp;
	int r;

	if (reg_conn_init(&c, domain, "", tls_verify, e) < 0)
		return -1;
	free(c.basic);
	c.basic = reg_base64(up, strlen(up));
	r = reg_get(&c, "/v2/", "application/json", 0, discard, NULL, &resp,
		    what, e);
	/* a registry with no auth at all takes anyone: nothing to check */
	reg_conn_free(&c);
	return r;
}
