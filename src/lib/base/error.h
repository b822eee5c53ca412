/* SPDX-License-Identifier: MIT */
#ifndef HOMO_ERROR_H
#define HOMO_ERROR_H

/*
 * Errors: every fallible function takes a caller-owned struct hm_err last and
 * returns 0 (or a pointer), or -1 (NULL) with the struct filled in where the
 * failure happened. Library code never prints; main.c prints "homo: <msg>".
 * The struct has a fixed size so the container's init can send it over the
 * sync socket as it is.
 *
 * Any struct hm_err *e parameter of the library may be NULL: the caller
 * wants the return value only. The setters below are then no-ops, and a
 * function that reads back what a callee put in @e uses hm_err_or().
 * Success is the return value, never an empty e->msg.
 */

#define HM_EXIT_FAIL 125	/* homo itself failed (Docker's 125) */
#define HM_EXIT_CANNOT_EXEC 126 /* the command exists but cannot be run */
#define HM_EXIT_NOT_FOUND 127	/* the command does not exist */

struct hm_err {
	int errnum;    /* errno of the first cause, 0 if none */
	int exit_code; /* exit status homo should end with */
	char msg[1024];
};

/**
 * hm_fail() - record a failure with an errno.
 * @e: error to fill.
 * @errnum: errno value; when non-zero ": strerror(errnum)" is appended.
 * @fmt: what was being done, naming the object ("mount overlay on \"%s\"").
 *
 * Return: -1, so callers can write "return hm_fail(e, errno, ...);".
 * exit_code is set to HM_EXIT_FAIL.
 */
int hm_fail(struct hm_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * hm_failx() - record a failure with an explicit exit code and no errno text.
 * Return: -1.
 */
int hm_failx(struct hm_err *e, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * hm_prefix() - put context in front of an existing message ("pull x: ...").
 * Return: -1.
 */
int hm_prefix(struct hm_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** hm_clear() - reset @e to "no error". */
void hm_clear(struct hm_err *e);

/**
 * hm_err_or() - @e, or @scratch when the caller passed NULL: for a function
 * that reads @e back (a callee's errnum, its message).
 */
static inline struct hm_err *hm_err_or(struct hm_err *e, struct hm_err *scratch)
{
	return e ? e : scratch;
}

/*
 * Library adapters: each turns a library's own error report into @e. Those
 * needing a library's headers live next to their users (image/archive_err.h,
 * image/fetch.c, net/netlink.c); json takes no jansson type.
 */
int hm_fail_json(struct hm_err *e, const char *path, int line,
		 const char *text);

/*
 * ---- sinks: the library's only output ----
 * Library code returns its errors; what cannot be returned goes to a
 * handler the program sets once at start (homo's main.c prints "homo:
 * warning: <msg>" and "homo: <msg>" to stderr). Forked children keep it.
 * Progress on a terminal, enabled by the caller, is drawn by
 * base/progress.c (one line) and base/progress_multi.c (a line per item).
 */
typedef void (*hm_sink_fn)(const struct hm_err *e);

/**
 * hm_warn() - report a failure that fails nothing (a teardown left half
 * done, an --rm that could not remove) to the warning handler. With no
 * handler set it is dropped.
 */
void hm_warn(const struct hm_err *w);
void hm_set_warn_handler(hm_sink_fn fn);

/**
 * hm_fatal() - a failure no caller can be handed (a lazily loaded library
 * that a stub, called before lazy_load(), cannot load: lazylib.c): the
 * fatal handler reports it and ends the process
 * with e->exit_code. With no handler set, or one that returns, abort().
 */
_Noreturn void hm_fatal(const struct hm_err *e);
void hm_set_fatal_handler(hm_sink_fn fn);

/*
 * ---- the --debug trace ("=> step" lines) ----
 * The one sink that prints itself: hm_trace() writes to stderr directly, so
 * a trace works before and below any handler (the container's init too).
 */
extern int hm_debug_enabled;
void hm_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define HM_TRACE(...)                          \
	do {                                   \
		if (hm_debug_enabled)          \
			hm_trace(__VA_ARGS__); \
	} while (0)

#endif
