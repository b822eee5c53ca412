/* SPDX-License-Identifier: MIT */
/*
 * The container side of a run or an exec (init.c), and what it shares with
 * the parent (spawn.c): the arguments the init is cloned with and the
 * messages of the sync socket between the two.
 */
#ifndef HOMO_INIT_H
#define HOMO_INIT_H

#include <stddef.h>

#include "base/error.h"
#include "runtime/oci_spec.h"
#include "runtime/spec.h"

/* What the container's init needs; filled by the parent before clone(). */
struct init_args {
	const struct hm_spec *spec;
	const char *store_root;	  /* lowerdir paths are relative to it */
	const char *overlay_opts; /* overlay_options() */
	const char *merged;	  /* mount point of the container's root */
	const char *cdir;	  /* containers/<id>: hostname, hosts, ... */
	int sync_fd;		  /* child end of the sync socketpair */
	int stdio[3];		  /* dup'd onto 0, 1, 2 in the init; -1: keep */
	/*
	 * With a user namespace the init, an unprivileged host uid, cannot
	 * walk the store's 0700 paths: it starts in the container's runtime
	 * dir (merged/ and copies of hostname, hosts, resolv.conf, all named
	 * relative to it) and gets the overlay homo made for it with GO.
	 */
	int overlay_fd;
	/* the network namespace the init is born in: with --network
	 * container:, a pidfd of the init whose it is (netjoin.h); else one
	 * made for it (netns_early.h); -1: none */
	int netns_fd;
	/* the init joins its v1 cgroups itself (cgroup_enter_v1(id, 0)):
	 * before GO, or right after it when it shares homo's memory */
	bool cgroup_self;
	/* the init shares homo's memory until it execs (clone_vm.h) */
	bool shared_vm;
	/* homo's network thread makes lo and eth0 (spawn_net.h): the init
	 * waits for its SYNC_NET before its kernel settings and command */
	bool net_thread;
	/* the container as an OCI spec (spec_oci.h): built by homo before
	 * the clone (init_build_spec()), or in a user namespace by the init
	 * once its maps are written; valid in spawn_start() only */
	struct oci_spec *oci;
};

/* Messages on the SOCK_SEQPACKET sync socket, one per packet. */
enum sync_type {
	SYNC_GO = 1,  /* parent -> child: cgroups joined, go on */
	SYNC_PTY = 2, /* child -> parent: the tty master (SCM_RIGHTS) */
	SYNC_ERR = 3, /* child -> parent: struct hm_err, then it exits */
	/* parent's network thread -> child, after GO (bridged, as root):
	 * eth0 is up; or it failed (the parent says why) */
	SYNC_NET = 4,
	SYNC_NET_FAILED = 5,
};

struct sync_msg {
	int type;
	struct hm_err err;
};

/**
 * init_build_spec() - the container as an OCI spec, what rootfs_setup()
 * builds it from, into @o (oci_spec_free() it) and @a->oci. Built before
 * the clone, the init only reads it: a child that builds it pays a
 * copy-on-write fault for every heap page it writes.
 */
int init_build_spec(struct init_args *a, struct oci_spec *o, struct hm_err *e);

/* These run in the clone()d child and never return. */
__attribute__((noreturn)) void init_main(struct init_args *a);
/** init_exec_main() - the homo exec child, inside the namespaces. */
__attribute__((noreturn)) void init_exec_main(const struct hm_spec *s,
					      int sync_fd, bool shared);
/**
 * init_die_with_parent() - (again) be SIGKILLed when homo dies, and exit
 * if it already has. Any credential change (setuid, setns into a user
 * namespace) clears PR_SET_PDEATHSIG: call it after each.
 */
void init_die_with_parent(int sync_fd);
/**
 * init_set_cmdline_area() - where homo's own command line is in memory
 * (argv[0] to the end of the last argument): the processes it puts in a
 * container overwrite it there, so that their /proc/PID/cmdline shows no
 * host path or option ("homo-init -- CMD...").
 */
void init_set_cmdline_area(char *start, size_t len);
/**
 * init_cmdline_hide() - our own command line as "@name -- CMD ARG..." of
 * @argv until init_cmdline_restore(): a child that shares our memory
 * (clone_vm.h) and shows in a running container before its exec cannot
 * rewrite its own without ours. Return: the saved area, or NULL.
 */
char *init_cmdline_hide(const char *name, char *const *argv);
/** init_cmdline_restore() - put back what init_cmdline_hide() saved. */
void init_cmdline_restore(char *saved);
/** init_exec_fail() - report @e to the parent and exit. */
__attribute__((noreturn)) void init_exec_fail(int sync_fd, struct hm_err *e);

#endif
