/* SPDX-License-Identifier: MIT */
/*
 * The container's process from an OCI spec (oci_container.h): hostname and
 * domainname, then the credentials in the one order that works (rlimits and
 * the oom score while still privileged; the bounding set while CAP_SETPCAP
 * is effective; the user switch with PR_SET_KEEPCAPS; the other four sets;
 * no_new_privs, umask; the cwd before the switch, or as the new user
 * where only it may enter), and the execve with its PATH
 * search and Docker's 126/127.
 */
#include "runtime/oci_container.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/caps.h"
#include "runtime/exec_shim.h"

#define BIT(n) (UINT64_C(1) << (n))

int oci_kernel_settings(const struct oci_spec *s, struct hm_err *e)
{
	/* "" is not given, as runc */
	const char *host = s->hostname && *s->hostname ? s->hostname : NULL;
	const char *dom =
	    s->domainname && *s->domainname ? s->domainname : NULL;

	/* without a UTS namespace of its own it would be the host's name */
	if ((host || dom) && !oci_ns_find(s, CLONE_NEWUTS))
		return hm_failx(e, HM_EXIT_FAIL,
				"cannot set the %s without a private UTS "
				"namespace",
				host ? "hostname" : "domainname");
	if (host && sethostname(host, strlen(host)) < 0)
		return hm_fail(e, errno, "set the hostname \"%s\"", host);
	if (dom && setdomainname(dom, strlen(dom)) < 0)
		return hm_fail(e, errno, "set the domainname \"%s\"", dom);
	return 0;
}

static int limits(const struct oci_process *p, struct hm_err *e)
{
	for (size_t i = 0; i < p->nrlimits; i++) {
		const struct oci_rlimit *r = &p->rlimits[i];
		struct rlimit rl = {r->soft, r->hard};

		if (setrlimit(r->resource, &rl) < 0)
			return hm_fail(e, errno, "setrlimit %s %llu:%llu",
				       oci_rlimit_name(r->resource),
				       (unsigned long long)r->soft,
				       (unsigned long long)r->hard);
	}
	if (p->oom_score_adj != OCI_UNSET) {
		char v[24];
		cleanup_close int fd =
		    open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

		snprintf(v, sizeof(v), "%lld", (long long)p->oom_score_adj);
		if (fd < 0 || util_write_all(fd, v, strlen(v)) < 0)
			return hm_fail(e, errno, "set oomScoreAdj %s", v);
	}
	return 0;
}

/* the permitted set held now: nothing outside it can be granted */
static uint64_t held(void)
{
	cap_t c = cap_get_proc();
	uint64_t m = 0;

	for (unsigned i = 0; c && i <= caps_last(); i++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(c, (cap_value_t)i, CAP_PERMITTED, &v) == 0 &&
		    v == CAP_SET)
			m |= BIT(i);
	}
	cap_free(c);
	return m;
}

static int bounding(uint64_t keep, struct hm_err *e)
{
	for (unsigned i = 0; i <= caps_last(); i++)
		if (!(keep & BIT(i)) &&
		    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return hm_fail(e, errno,
				       "drop CAP_%s from the bounding set",
				       caps_name(i));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return hm_fail(e, errno, "clear the ambient capabilities");
	return 0;
}

static int switch_user(const struct oci_process *p, struct hm_err *e)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hm_fail(e, errno, "PR_SET_KEEPCAPS");
	/* a user namespace with setgroups "deny": the groups stay */
	if (setgroups(p->ngroups, p->ngroups ? p->groups : NULL) < 0 &&
	    !(errno == EPERM && caps_setgroups_denied()))
		return hm_fail(e, errno, "setgroups (%zu groups)", p->ngroups);
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return hm_fail(e, errno, "setresgid %u", (unsigned)p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return hm_fail(e, errno, "setresuid %u", (unsigned)p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hm_fail(e, errno, "PR_SET_KEEPCAPS");
	return 0;
}

/* effective, permitted, inheritable; then ambient (needs P and I) */
static int set_caps(const uint64_t *sets, uint64_t have, struct hm_err *e)
{
	static const struct {
		cap_flag_t flag;
		enum oci_cap_set set;
	} map[] = {{CAP_EFFECTIVE, OCI_CAP_EFFECTIVE},
		   {CAP_PERMITTED, OCI_CAP_PERMITTED},
		   {CAP_INHERITABLE, OCI_CAP_INHERITABLE}};
	cap_t c = cap_init();
	int r = c ? 0 : -1;

	for (unsigned i = 0; c && i <= caps_last() && r == 0; i++) {
		cap_value_t v = (cap_value_t)i;

		for (size_t k = 0; k < ARRAY_SIZE(map) && r == 0; k++)
			if (sets[map[k].set] & have & BIT(i))
				r = cap_set_flag(c, map[k].flag, 1, &v,
						 CAP_SET);
	}
	if (r == 0)
		r = cap_set_proc(c);
	cap_free(c);
	if (r)
		return hm_fail(e, errno, "set the capabilities");
	for (unsigned i = 0; i <= caps_last(); i++)
		if ((sets[OCI_CAP_AMBIENT] & have & BIT(i)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 &&
		    errno != EPERM)
			return hm_fail(e, errno, "raise ambient CAP_%s",
				       caps_name(i));
	return 0;
}

int oci_process_creds(const struct oci_process *p, struct hm_err *e)
{
	uint64_t have = held();
	bool cwd_later = false;

	/* as runc: a cwd only the runtime can enter is entered now, one
	 * only the user can (a root-squashed mount) after the switch */
	if (p->cwd && oci_cwd_enter(p->cwd, e) < 0) {
		if (e->errnum != EACCES && e->errnum != EPERM)
			return -1;
		cwd_later = true;
	}
	if (limits(p, e) < 0)
		return -1;
	/* no "capabilities": the process keeps what the runtime has; one
	 * the runtime does not hold leaves the bounding set too, else root
	 * would gain it at execve (file capabilities of root: all) */
	if (p->has_caps && bounding(p->caps[OCI_CAP_BOUNDING] & have, e) < 0)
		return -1;
	if (switch_user(p, e) < 0)
		return -1;
	if (p->has_caps && set_caps(p->caps, have, e) < 0)
		return -1;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hm_fail(e, errno, "PR_SET_NO_NEW_PRIVS");
	umask(p->umask == OCI_UNSET ? 0022 : (mode_t)p->umask);
	if (cwd_later && oci_cwd_enter(p->cwd, e) < 0)
		return -1;
	return 0;
}

static const char *env_path(char *const *env)
{
	for (size_t i = 0; env && env[i]; i++)
		if (util_has_prefix(env[i], "PATH="))
			return env[i] + 5;
	return HM_DEFAULT_PATH;
}

static bool in_groups(gid_t gid)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	if (gid == getegid())
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * What execve(2) would say of @path, run by us: 0 or an errno. From the
 * mode bits, not faccessat(): the container's filter, loaded by now, may
 * refuse faccessat2 (EPERM). Lenient where unsure (root: any x bit, as
 * CAP_DAC_OVERRIDE; a noexec mount): exec then fails at start instead.
 */
static int exec_check(const char *path)
{
	struct stat st;
	uid_t uid = geteuid();
	mode_t x;

	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	if (uid == 0)
		x = S_IXUSR | S_IXGRP | S_IXOTH;
	else if (st.st_uid == uid)
		x = S_IXUSR;
	else
		x = in_groups(st.st_gid) ? S_IXGRP : S_IXOTH;
	return st.st_mode & x ? 0 : EACCES;
}

char *oci_process_find(const struct oci_process *p, struct hm_err *e)
{
	const char *cmd = p->args[0];
	cleanup_free char *path = NULL;
	bool denied = false;
	int err;

	if (strchr(cmd, '/')) {
		err = exec_check(cmd);
		return err ? (exec_shim_failed(cmd, err, e), NULL)
			   : xstrdup(cmd);
	}
	path = xstrdup(env_path(p->env));
	for (char *dir = path, *next; dir; dir = next) {
		char *full;

		next = strchr(dir, ':');
		if (next)
			*next++ = '\0';
		full = xasprintf("%s/%s", *dir ? dir : ".", cmd);
		err = exec_check(full);
		if (!err)
			return full;
		free(full);
		if (err == EACCES)
			denied = true;
	}
	if (denied)
		return exec_shim_failed(cmd, EACCES, e), NULL;
	return hm_failx(e, HM_EXIT_NOT_FOUND,
			"exec \"%s\": executable file not found in $PATH", cmd),
	       NULL;
}

int oci_process_exec(const struct oci_process *p, const char *path,
		     const char *name, int errfd, struct hm_err *e)
{
	char *const *env = p->env ? p->env : (char *const[]){NULL};
	cleanup_free char *found = NULL;

	if (!path) {
		found = oci_process_find(p, e);
		if (!found)
			return -1;
		path = found;
	}
	return exec_shim_exec(name, errfd, path, p->args, env, e);
}
