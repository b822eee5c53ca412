/* SPDX-License-Identifier: MIT */
/* login and logout: registry credentials in Docker's config.json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "image/push.h"
#include "image/registry.h"
#include "store/reference.h"

/* A line from the terminal, echo off for a password; NULL at EOF. */
static char *prompt(const char *what, bool secret)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t n = 0;
	ssize_t len;
	bool restore = false;

	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	len = getline(&line, &n, stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (len < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/* All of standard input, less its final newline. */
static char *read_stdin(void)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;

	for (;;) {
		if (len + 256 > cap)
			buf = xrealloc(buf, cap = cap * 2 + 256);
		r = read(STDIN_FILENO, buf + len, cap - len - 1);
		if (r < 0)
			continue;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

/* The registry of an argument: "host[:port]", a URL's host, docker.io. */
static char *registry_arg(const char *arg)
{
	const char *p = strstr(arg, "://");
	char *r = xstrdup(p ? p + 3 : arg);

	r[strcspn(r, "/")] = '\0';
	if (!*r || !strcmp(r, "index.docker.io") ||
	    !strcmp(r, "registry-1.docker.io")) {
		free(r);
		r = xstrdup(REF_DEFAULT_DOMAIN);
	}
	return r;
}

int cmd_login(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"username", required_argument, NULL, 'u'},
	    {"password", required_argument, NULL, 'p'},
	    {"password-stdin", no_argument, NULL, 'S'},
	    {"tls-verify", optional_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	cleanup_free char *user = NULL, *pass = NULL, *reg = NULL, *up = NULL;
	cleanup_free char *auth = NULL;
	bool from_stdin = false, tls_verify = true;
	int c;

	(void)ctx;
	while ((c = cmd_getopt("login", argc, argv, "+u:p:h", opts, e)) != -1) {
		switch (c) {
		case 'u':
			free(user);
			user = xstrdup(optarg);
			break;
		case 'p':
			free(pass);
			pass = xstrdup(optarg);
			break;
		case 'S':
			from_stdin = true;
			break;
		case 'T':
			tls_verify = !optarg || strcmp(optarg, "false");
			break;
		case 'h':
			return cmd_help("login");
		default:
			return -1;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(e, "login", "expected [REGISTRY]");
	if (from_stdin && pass)
		return cmd_usage_error(e, "login",
				       "--password and --password-stdin "
				       "are exclusive");
	if (from_stdin && !user)
		return cmd_usage_error(e, "login",
				       "--password-stdin needs --username");
	reg = registry_arg(argc > optind ? argv[optind] : "");
	if (!user &&
	    !(user = isatty(STDIN_FILENO) ? prompt("Username", false) : NULL))
		return hm_failx(e, HM_EXIT_FAIL,
				"login: no username (--username)");
	if (!pass)
		pass = from_stdin	      ? read_stdin()
		       : isatty(STDIN_FILENO) ? prompt("Password", true)
					      : NULL;
	if (!pass || !*user || !*pass)
		return hm_failx(e, HM_EXIT_FAIL,
				"login: a username and a password are needed "
				"(--password-stdin)");
	if (reg_login(reg, user, pass, tls_verify, e) < 0)
		return -1;
	up = xasprintf("%s:%s", user, pass);
	auth = reg_base64(up, strlen(up));
	if (reg_auth_save(reg, auth, NULL, e) < 0)
		return -1;
	printf("Login Succeeded\n");
	return 0;
}

int cmd_logout(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	cleanup_free char *reg = NULL;
	bool removed = false;
	int c;

	(void)ctx;
	while ((c = cmd_getopt("logout", argc, argv, "+h", opts, e)) != -1)
		return c == 'h' ? cmd_help("logout") : -1;
	if (argc - optind > 1)
		return cmd_usage_error(e, "logout", "expected [REGISTRY]");
	reg = registry_arg(argc > optind ? argv[optind] : "");
	if (reg_auth_save(reg, NULL, &removed, e) < 0)
		return -1;
	if (removed)
		printf("Removing login credentials for %s\n", reg);
	else
		printf("Not logged in to %s\n", reg);
	return 0;
}

int cmd_push(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"tls-verify", optional_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct registry_push_opts o = {.tls_verify = true,
				       .progress = isatty(STDERR_FILENO)};
	char digest[DIGEST_HEX_LEN + 1];
	int c;

	while ((c = cmd_getopt("push", argc, argv, "+qh", opts, e)) != -1) {
		switch (c) {
		case 'q':
			o.progress = false;
			break;
		case 'T':
			o.tls_verify = !optarg || strcmp(optarg, "false");
			break;
		case 'h':
			return cmd_help("push");
		default:
			return -1;
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_usage_error(e, "push", "expected IMAGE [REFERENCE]");
	o.image = argv[optind];
	o.ref = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (cmd_open_store(ctx, e) < 0 ||
	    registry_push(&ctx->store, &o, digest, e) < 0)
		return -1;
	printf("sha256:%s\n", digest);
	return 0;
}
