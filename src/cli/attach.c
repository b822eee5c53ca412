/* SPDX-License-Identifier: MIT */
/* attach, start -a/-i and run -it: a client of the monitor's attach socket
 * (runtime/attach.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "common.h"
#include "runtime/attach.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"

const char cmd_attach_usage[] =
    "Usage: homo attach [OPTIONS] CONTAINER\n\n"
    "Attach to a running container started in the background: its output\n"
    "(its terminal with -t) here, and this terminal's input to it when it\n"
    "was started with -i. ctrl-p ctrl-q detaches; it runs on. The exit\n"
    "status is the container's (0 when detached).\n\n"
    "Options:\n"
    "      --detach-keys KEYS  the detach sequence (default ctrl-p,ctrl-q)\n"
    "      --no-stdin          do not attach stdin\n";

struct proxy {
	struct hm_store *st;
	const char *id;
};

/* Without a tty our signals are the container's, as Docker's sig-proxy. */
static void proxy_signal(int sig, void *arg)
{
	struct proxy *p = arg;

	container_kill(p->st, p->id, sig, NULL);
}

int cmd_attach_to(struct hm_ctx *ctx, const char *id, int sock,
		  struct attach_opts *o, struct hm_err *e)
{
	struct proxy px = {&ctx->store, id};
	struct hm_state state;
	bool detached;
	int code;

	o->signal = o->tty ? NULL : proxy_signal;
	o->arg = &px;
	fflush(stdout);
	attach_relay(sock, o, &code, &detached, e);
	if (detached) /* the keys: 0; a SIGTERM or SIGHUP: 128+N */
		return code >= 0 ? code : 0;
	if (code >= 0)
		return code;
	/* the monitor went without telling the exit: the record has it */
	if (container_wait(&ctx->store, id, &state, e) < 0)
		return -1;
	return state.exit_code;
}

int cmd_start_attach(struct hm_ctx *ctx, const char *ref, bool in,
		     struct attach_opts *o, struct hm_err *e)
{
	struct hm_spec s;
	struct hm_state state;
	char id[65];
	int sp[2];

	if (cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, ref, id, e) < 0 ||
	    container_load_spec(&ctx->store, id, &s, e) < 0)
		return -1;
	o->tty = s.tty;
	o->in = in && s.interactive;
	spec_free(&s);
	if (cmd_check_tty(o->tty, o->in, e) < 0 ||
	    container_check(&ctx->store, id, &state, e) < 0)
		return -1;
	if (state.status == ST_RUNNING) { /* Docker's start -a: attach */
		sp[0] = attach_connect(&ctx->store, id, e);
		return sp[0] < 0 ? -1 : cmd_attach_to(ctx, id, sp[0], o, e);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hm_fail(e, errno, "socketpair");
	if (container_start_attached(&ctx->store, id, sp[1], e) < 0) {
		close(sp[0]);
		return -1;
	}
	return cmd_attach_to(ctx, id, sp[0], o, e);
}

int cmd_attach(struct hm_ctx *ctx, int argc, char **argv, struct hm_err *e)
{
	static const struct option opts[] = {
	    {"detach-keys", required_argument, NULL, 'k'},
	    {"no-stdin", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct attach_opts o = {0};
	const char *keys = "";
	struct hm_spec s;
	struct hm_state state;
	bool in = true;
	char id[65];
	int c, sock;

	while ((c = cmd_getopt("attach", argc, argv, "+h", opts, e)) != -1) {
		switch (c) {
		case 'k':
			keys = optarg;
			break;
		case 'n':
			in = false;
			break;
		case 'h':
			return cmd_help("attach");
		default:
			return -1;
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error(e, "attach", "expected one CONTAINER");
	if (attach_parse_keys(keys, &o, e) < 0 || cmd_open_store(ctx, e) < 0 ||
	    container_find(&ctx->store, argv[optind], id, e) < 0 ||
	    container_check(&ctx->store, id, &state, e) < 0)
		return -1;
	if (state.status != ST_RUNNING)
		return hm_failx(e, HM_EXIT_FAIL,
				"container %.12s is not running: start it "
				"(homo start -a %.12s)",
				id, id);
	if (container_load_spec(&ctx->store, id, &s, e) < 0)
		return -1;
	o.tty = s.tty;
	o.in = in && s.interactive;
	spec_free(&s);
	if (cmd_check_tty(o.tty, o.in, e) < 0)
		return -1;
	sock = attach_connect(&ctx->store, id, e);
	if (sock < 0)
		return hm_prefix(e,
				 "container %.12s cannot be attached to "
				 "(run in the foreground, or by an older "
				 "homo)",
				 id);
	return cmd_attach_to(ctx, id, sock, &o, e);
}
