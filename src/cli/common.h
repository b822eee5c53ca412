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

struct option;
/*
 * cmd_getopt() - getopt_long for every command's option loop, with no
 * surprises: a long option must be given by its full name (getopt's prefix
 * matching made --priv mean --privileged), and every error is one line
 * naming the option, "@cmd: -m: missing value (see 'homo @cmd --help')".
 * @cmd: the command, or NULL for homo's global options.
 * Return: the option's val, -1 after the last option, or '?' with @e set.
 */
int cmd_getopt(const char *cmd, int argc, char **argv, const char *shorts,
	       const struct option *lo, struct hm_err *e);

/*
 * cmd_no_options() - the option loop of a command that has only -h/--help:
 * an option it does not know is an error, never a name.
 * Return: 0 (optind at the first argument), 1 for --help, -1 with @e set.
 */
int cmd_no_options(const char *cmd, int argc, char **argv, struct hm_err *e);

/*
 * cmd_group_options() - the options of a management command (volume,
 * network, ...) before its subcommand: --help, or one line naming any other.
 * Return: 0 (argv[1] is the subcommand), 1 after printing the help, -1 with
 * @e set.
 */
int cmd_group_options(const char *cmd, int argc, char **argv, struct hm_err *e);

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

/**
 * cmd_check_tty() - a terminal to attach needs one on stdin: -it with a
 * pipe or a file would echo what it reads and never see its end. Docker's
 * message; exit 125 (homo's own error; Docker's CLI exits 1).
 */
int cmd_check_tty(bool tty, bool interactive, struct hm_err *e);

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
/* image prune's work (locked store): Untagged:/Deleted: lines */
int image_prune(struct hm_store *s, bool all, struct hm_err *e);
/* run.c */
int cmd_run(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_run_usage[];
int cmd_create(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_create_usage[];
/* container.c */
int cmd_ps(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_rm(struct hm_ctx *, int, char **, struct hm_err *);
/* inspect.c: inspect_container() - *out = its JSON (Docker's shape), or
 * NULL if no such container. */
int inspect_container(struct hm_ctx *ctx, const char *ref, json_t **out,
		      struct hm_err *e);

struct hm_spec;

/* attach.c */
struct attach_opts;
int cmd_attach(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_attach_usage[];
/* cmd_attach_to() - relay @sock (taken over) until the exit or a detach:
 * the container's exit code, 0 when detached, -1 with @e set. */
int cmd_attach_to(struct hm_ctx *ctx, const char *id, int sock,
		  struct attach_opts *o, struct hm_err *e);
/* cmd_start_attach() - start -a [-i]: start @ref attached (or attach to
 * it if it runs); the exit code as cmd_attach_to(). */
int cmd_start_attach(struct hm_ctx *ctx, const char *ref, bool in,
		     struct attach_opts *o, struct hm_err *e);

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

/* mount.c: homo run's -v, --mount, --tmpfs */
int cmd_mount_volume(struct hm_spec *s, const char *arg, struct hm_err *e);
int cmd_mount_opt(struct hm_spec *s, const char *arg, struct hm_err *e);
int cmd_mount_tmpfs(struct hm_spec *s, const char *arg, struct hm_err *e);
/* volume.c */
int cmd_volume(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_volume_usage[];
/* copy.c: cp and diff */
int cmd_cp(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_diff(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_cp_usage[], cmd_diff_usage[];

/* transfer.c */
int cmd_commit(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_export(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_save(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_load(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_commit_usage[], cmd_export_usage[], cmd_save_usage[],
    cmd_load_usage[];

/* ctrl.c */
int cmd_pause(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_unpause(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_rename(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_top(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_pause_usage[], cmd_unpause_usage[], cmd_rename_usage[],
    cmd_top_usage[];

/* prune.c: container prune, system prune */
int cmd_container(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_system_prune(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_container_usage[];

/* stats.c */
int cmd_stats(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_stats_usage[];

/* events.c */
int cmd_events(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_events_usage[];
/* an image event: @id (a 64-hex id gets "sha256:"), name=@name[:@tag] */
void cmd_image_event(const struct hm_store *st, const char *action,
		     const char *id, const char *name, const char *tag);

/* history.c */
int cmd_history(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_history_usage[];

/* system.c */
int cmd_system(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_system_usage[];

/* info.c: version, info, system df */
#define HOMO_VERSION "0.1.0"
int cmd_version(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_info(struct hm_ctx *, int, char **, struct hm_err *);
int cmd_system_df(struct hm_ctx *, int, char **, struct hm_err *);

/* net.c: homo port, and homo run's --net, -p, --ip */
struct hm_spec;
int cmd_port(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_port_usage[];
/* networks.c: homo network */
int cmd_network(struct hm_ctx *, int, char **, struct hm_err *);
extern const char cmd_network_usage[];
/* the network mode from HOMO_NETWORK_DEFAULT, else bridge */
int cmd_net_default(struct hm_spec *s, struct hm_err *e);
/* --net MODE: bridge, none or host; @what names the option in errors */
int cmd_net_mode(struct hm_spec *s, const char *what, const char *mode,
		 struct hm_err *e);
int cmd_net_publish(struct hm_spec *s, const char *arg, struct hm_err *e);
/* --dns, --dns-search, --dns-option, --add-host, --mac-address,
 * --expose, --publish-all (-P): @opt is the long name */
int cmd_net_opt(struct hm_spec *s, const char *opt, const char *arg,
		struct hm_err *e);
/* with the store open: --network NAME exists (its name as recorded),
 * --network container:X runs, -P's ports (the image's exposed ports and
 * --expose's, on random host ports) */
int cmd_net_resolve(const struct hm_store *st, struct hm_spec *s,
		    struct hm_err *e);
/* after parsing: --ip and -p against the mode */
int cmd_net_check(struct hm_spec *s, struct hm_err *e);

#endif
