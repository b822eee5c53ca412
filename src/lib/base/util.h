/* SPDX-License-Identifier: MIT */
#ifndef HOMO_UTIL_H
#define HOMO_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/error.h"

/*
 * Cleanup helpers for locals. Each accepts NULL / -1 and preserves errno, so
 * an error path can read errno after the variable went out of scope.
 * Ownership moves out with steal_ptr() / steal_fd().
 */
void cleanup_freep(void *p);
void cleanup_closep(int *fd);
void cleanup_fclosep(FILE **f);
void cleanup_closedirp(DIR **d);
void cleanup_strvp(char ***v);

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(cleanup_closedirp)))
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))

#define steal_ptr(pp)                         \
	({                                    \
		__typeof__(*(pp)) _p = *(pp); \
		*(pp) = NULL;                 \
		_p;                           \
	})

static inline int steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Docker's PATH for an image or a process that sets none */
#define HM_DEFAULT_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Allocation failure is not recoverable for a CLI: these abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
char **strv_push(char **v, const char *s); /* copies s */

/**
 * util_read_file() - read a whole file into a NUL-terminated buffer.
 * @len: if not NULL, receives the length without the NUL.
 * Return: the buffer, or NULL with @e set (errno ENOENT kept in e->errnum).
 */
char *util_read_file(const char *path, size_t *len, struct hm_err *e);

/**
 * util_tmp_owner() - "PID.STARTTIME" of the calling process, for temp names
 * (".tmp-<owner>-..."): the pid alone may be reused by the time a sweep
 * looks, and a live stranger would keep a dead homo's debris forever.
 */
const char *util_tmp_owner(void);

/**
 * util_tmp_owner_gone() - whether the process @tag (from util_tmp_owner(),
 * or a bare pid from an older homo) is gone: no such pid, or another
 * process under it.
 */
bool util_tmp_owner_gone(const char *tag);

/**
 * util_write_file_atomic() - write @len bytes to a temp file and rename it
 * to @path: "@path.tmp-OWNER" (see util_tmp_owner()), or, for a @path
 * below the root given to util_atomic_tmpdir(), "TMPDIR/BASE.tmp-OWNER-N".
 * With @durable the data and @path's directory are fsync'd, for records
 * whose loss would corrupt the store.
 */
int util_write_file_atomic(const char *path, const void *data, size_t len,
			   bool durable, struct hm_err *e);

/**
 * util_atomic_tmpdir() - records below @root take their temps from @tmpdir
 * (on @root's file system), so that a sweep for a killed writer's temps
 * reads one directory, not every record's (store_open(); NULL, NULL: none).
 */
void util_atomic_tmpdir(const char *root, const char *tmpdir);
/** util_atomic_tmpdir_drop() - forget @root's tmpdir, if it is @root's. */
void util_atomic_tmpdir_drop(const char *root);

/**
 * util_write_file_new() - create @path (it must not exist) and write @len
 * bytes to it, without a temp name: for files in a directory no one sees
 * until it is renamed in place, whose rename is the atomic step.
 */
int util_write_file_new(const char *path, const void *data, size_t len,
			struct hm_err *e);

/** util_write_str() - write @s to an existing file (cgroupfs, procfs). */
int util_write_str(const char *path, const char *s, struct hm_err *e);

/** util_mkdir_p() - mkdir -p; existing directories are fine. */
int util_mkdir_p(const char *path, mode_t mode, struct hm_err *e);

/**
 * util_rm_rf() - remove a tree without following symlinks or crossing
 * mount points, at any depth (fd-relative). A missing @path is success.
 */
int util_rm_rf(const char *path, struct hm_err *e);

/** util_fsync_dir() - fsync a directory so a rename in it is durable. */
int util_fsync_dir(const char *path, struct hm_err *e);

/** util_random_hex() - @n random hex digits into @out (n+1 bytes). */
void util_random_hex(char *out, size_t n);

/** util_format_size() - 1234567 -> "1.23MB" (Docker's decimal units). */
void util_format_size(char *out, size_t n, uint64_t bytes);

/** util_format_ago() - a duration as Docker prints it ("5 seconds"). */
void util_format_duration(char *out, size_t n, int64_t seconds);

/** util_now_rfc3339() - current UTC time with nanoseconds. */
void util_now_rfc3339(char *out, size_t n);
/** util_rfc3339() - @ts as UTC RFC 3339 with nanoseconds ("...Z"). */
void util_rfc3339(const struct timespec *ts, char *out, size_t n);

/** util_parse_rfc3339() - back to seconds since the epoch; -1 if bad. */
int64_t util_parse_rfc3339(const char *s);

/** util_dir_size() - bytes of regular files below @path (lstat), any depth. */
uint64_t util_dir_size(const char *path);

/** util_proc_starttime() - field 22 of /proc/PID/stat; 0 if no such pid or a
 * zombie. */
unsigned long long util_proc_starttime(pid_t pid);

/** util_self_starttime() - util_proc_starttime() of this process, read once
 * per process (a fork reads its own). */
unsigned long long util_self_starttime(void);

/** util_write_all() - all of @data to @fd (EINTR retried); 0, or -1 with
 * errno set. */
int util_write_all(int fd, const void *data, size_t len);
/** util_pwrite_all() - the same at offset @off (pwrite(2)). */
int util_pwrite_all(int fd, const void *data, size_t len, off_t off);

/**
 * util_send_fd() - send @len bytes of @buf on the socket @sock with @fd
 * attached (SCM_RIGHTS), or none when @fd is negative.
 * Return: the bytes sent, or -1 with errno set.
 */
ssize_t util_send_fd(int sock, const void *buf, size_t len, int fd);

/**
 * util_recv_fd() - one message of up to @len bytes into @buf (EINTR is
 * retried); an fd that came with it (close-on-exec) goes to *@fd, which is
 * left alone otherwise.
 * Return: the bytes received (0 at EOF), or -1 with errno set.
 */
ssize_t util_recv_fd(int sock, void *buf, size_t len, int *fd);

/** util_close_all_but() - close every fd of ours but @a and @b (which may
 * be equal); for a child that keeps only those (close_range(2)). */
void util_close_all_but(int a, int b);

/** util_has_prefix() */
static inline bool util_has_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

#endif
