/* SPDX-License-Identifier: MIT */
#ifndef HOMO_CMD_H
#define HOMO_CMD_H

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "store/store.h"

/* What every command gets from main.c. */
struct hm_ctx {
	struct hm_store store;
	const char *root;
	const char *runroot;
};

/*
 * A command parses its own options, does its work through libhomo and
 * prints its results. It returns the exit status, or -1 with @e set (main.c
 * prints "homo: <msg>" and exits with e->exit_code).
 */
typedef int (*hm_cmd_fn)(struct hm_ctx *ctx, int argc, char **argv,
			 struct hm_err *e);

struct hm_cmd {
	const char *name;
	hm_cmd_fn fn;
	const char *summary;
	const char *usage; /* full --help text */
};

/* main.c: every command, in the order "homo --help" lists them */
extern const struct hm_cmd cmd_table[];
extern const size_t cmd_table_len;

/* common.c: what the command files share */

/** cmd_help() - print a command's usage; used by every --help. */
int cmd_help(const char *name);

/** cmd_usage_error() - "X: <why> (see 'homo X --help')" as an error. */
int cmd_usage_error(struct hm_err *e, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** cmd_open_store() - open (and create) the store named by the globals. */
int cmd_open_store(struct hm_ctx *ctx, struct hm_err *e);

/*
 * cmd_each_container() - @fn for each CONTAINER argument from optind on,
 * found by id, prefix or name. Like docker: go on after a failure, print
 * the later errors, return the first.
 */
typedef int (*cmd_each_fn)(struct hm_ctx *ctx, const char *id, const char *arg,
			   void *data, struct hm_err *e);
int cmd_each_container(struct hm_ctx *ctx, int argc, char **argv,
		       cmd_each_fn fn, void *data, struct hm_err *e);

/** cmd_print_json() - print @j indented on stdout, and drop the reference. */
void cmd_print_json(json_t *j);

/* image.c */
int cmd_pull(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_push(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_login(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_logout(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_images(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_tag(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_rmi(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_inspect(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_image(struct hm_ctx *, int, char **, struct hm_err *);
/* run.c */
int cmd_run(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_run_usage[];
/* container.c */
int cmd_ps(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_rm(struct hm_ctx *, int, char **, struct hm_err *);
/* inspect_container() - *out = its JSON, or NULL if no such container. */
int inspect_container(struct hm_ctx *ctx, const char *ref, json_t **out,
		      struct hm_err *e);

/* lifecycle.c */
int cmd_logs(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_exec(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_stop(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_kill(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_start(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_restart(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_wait(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_logs_usage[], cmd_exec_usage[], cmd_stop_usage[],
    cmd_kill_usage[], cmd_start_usage[], cmd_restart_usage[], cmd_wait_usage[];

/* transfer.c */
int cmd_commit(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_export(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_save(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_load(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_commit_usage[], cmd_export_usage[], cmd_save_usage[],
    cmd_load_usage[];

/* system.c */
int cmd_system(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_system_usage[];

/* net.c: homo port, and homo run's --net, -p, --ip */
struct hm_spec;
int cmd_port(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_port_usage[];
/* the network mode from HOMO_NETWORK_DEFAULT, else bridge */
int cmd_net_default(struct hm_spec *s, struct hm_err *e);
/* --net MODE: bridge, none or host; @what names the option in errors */
int cmd_net_mode(struct hm_spec *s, const char *what, const char *mode,
		 struct hm_err *e);
int cmd_net_publish(struct hm_spec *s, const char *arg, struct hm_err *e);
/* after parsing: --ip and -p against the mode */
int cmd_net_check(struct hm_spec *s, struct hm_err *e);

#endif
