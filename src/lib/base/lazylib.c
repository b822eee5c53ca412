/* SPDX-License-Identifier: MIT */
/*
 * libcurl, libarchive and libcrypto, loaded on first use.
 *
 * Linked the usual way, the three pull in some forty shared objects (gnutls,
 * krb5, ldap, ICU through libxml2, ...) whose loading and constructors cost
 * 15 ms on every homo command, seven times the whole budget of a container
 * start, although only pull, commit, export and load use them. So homo is
 * not linked against them: this file defines the functions homo calls, under
 * their own names and with the prototypes of the installed headers (the
 * compiler checks each against its declaration), and each stub calls the
 * real function, which lazy_load() resolved with dlopen/dlsym. The same
 * idea as delay-loading on Windows or Implib.so. libnftables (four more
 * objects, 1.2 ms) is loaded the same way: only commands that change the
 * firewall rules need it; so are libnl-3 (0.3-0.5 ms of every exec, twice
 * for a start), which only bridged networking needs, and libnl-route,
 * which only the creation and deletion of a bridge need (its 74
 * constructors cost a start 0.6 ms).
 *
 * A library that cannot be loaded (missing, or dlopen out of fds or
 * memory) is an error like any other: the modules call lazy_load() at
 * their entry points, which loads the library and resolves all its
 * functions at once, and return the error to their callers, which undo
 * what they built. The stubs themselves cannot return an error: one called
 * before its module's lazy_load() (a programming error; in the unit tests,
 * which call the libraries directly, harmless) loads the library itself
 * and, only if that fails, goes to hm_fatal() (exit 125 with the message).
 */
#include "base/lazylib.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <netlink/errno.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>
#include <nftables/libnftables.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The sonames this build's headers describe (see the Makefile). */
static const char *const sonames[LIB_COUNT] = {
    [LIB_CRYPTO] = "libcrypto.so.3",	[LIB_CURL] = "libcurl.so.4",
    [LIB_ARCHIVE] = "libarchive.so.13", [LIB_NFT] = "libnftables.so.1",
    [LIB_NL] = "libnl-3.so.200",	[LIB_NL_ROUTE] = "libnl-route-3.so.200",
};
static void *handles[LIB_COUNT];
static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

/* The last resort of a stub called before its library was loaded. */
static void lazy_unloaded(enum lazy_lib lib, const char *name)
{
	struct hm_err e;

	if (lazy_load(lib, name, &e) < 0)
		hm_fatal(&e);
}

/*
 * Each function's pointer is set by lazy_load() (with all of its library's,
 * before the library counts as loaded), so a stub only reads it.
 */
#define LAZY_FN(lib, name)                                               \
	({                                                               \
		if (!__atomic_load_n(&lazy_fp_##name, __ATOMIC_ACQUIRE)) \
			lazy_unloaded(lib, #name);                       \
		lazy_fp_##name;                                          \
	})

#define LAZY(lib, ret, name, params, args)      \
	static ret(*lazy_fp_##name) params;     \
	ret name params;                        \
	ret name params                         \
	{                                       \
		return LAZY_FN(lib, name) args; \
	}

#define LAZY_VOID(lib, ret, name, params, args) \
	static ret(*lazy_fp_##name) params;     \
	ret name params;                        \
	ret name params                         \
	{                                       \
		LAZY_FN(lib, name) args;        \
	}

#include "base/lazy_syms.h"

/*
 * The variadic ones. curl_easy_setopt takes one argument whose type the
 * option number tells, by the ranges curl itself uses. (The names are in
 * parentheses: curl.h defines type-checking macros of the same names.)
 */
static CURLcode (*lazy_fp_curl_easy_setopt)(CURL *, CURLoption, ...);
static CURLcode (*lazy_fp_curl_easy_getinfo)(CURL *, CURLINFO, ...);
static void (*lazy_fp_archive_set_error)(struct archive *, int, const char *,
					 ...);

CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
	CURLcode (*f)(CURL *, CURLoption, ...) =
	    LAZY_FN(LIB_CURL, curl_easy_setopt);
	CURLcode r;
	va_list ap;

	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		r = f(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		r = f(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		r = f(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		r = f(curl, option, va_arg(ap, curl_off_t));
	else
		r = f(curl, option, va_arg(ap, void *));
	va_end(ap);
	return r;
}

/* Every curl_easy_getinfo argument is a pointer to the result. */
CURLcode(curl_easy_getinfo)(CURL *curl, CURLINFO info, ...)
{
	CURLcode (*f)(CURL *, CURLINFO, ...) =
	    LAZY_FN(LIB_CURL, curl_easy_getinfo);
	CURLcode r;
	va_list ap;

	va_start(ap, info);
	r = f(curl, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}

void archive_set_error(struct archive *a, int errnum, const char *fmt, ...)
{
	void (*f)(struct archive *, int, const char *, ...) =
	    LAZY_FN(LIB_ARCHIVE, archive_set_error);
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f(a, errnum, "%s", msg);
}

/* Every function above, by library: what lazy_load() resolves. */
struct lazy_fn {
	enum lazy_lib lib;
	const char *name;
	void **fp;
};

#undef LAZY
#undef LAZY_VOID
#define LAZY(lib, ret, name, params, args) \
	{lib, #name, (void **)&lazy_fp_##name},
#define LAZY_VOID LAZY
static const struct lazy_fn fns[] = {
#include "base/lazy_syms.h"
    {LIB_CURL, "curl_easy_setopt", (void **)&lazy_fp_curl_easy_setopt},
    {LIB_CURL, "curl_easy_getinfo", (void **)&lazy_fp_curl_easy_getinfo},
    {LIB_ARCHIVE, "archive_set_error", (void **)&lazy_fp_archive_set_error},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* dlerror() usually starts with the soname we already name */
static const char *why(const char *soname, const char *err)
{
	size_t n = strlen(soname);

	if (!err)
		return "unknown error";
	if (!strncmp(err, soname, n) && !strncmp(err + n, ": ", 2))
		return err + n + 2;
	return err;
}

/* Called locked: open @lib and resolve its functions, or set @e. */
static void *load_locked(enum lazy_lib lib, const char *what, struct hm_err *e)
{
	const char *so = sonames[lib];
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		hm_failx(e, HM_EXIT_FAIL, "%s%scannot load %s: %s",
			 what ? what : "", what ? ": " : "", so,
			 why(so, dlerror()));
		return NULL;
	}
	/* all or none: no stub may call into a library that is not loaded */
	for (size_t i = 0; i < ARRAY_LEN(fns); i++) {
		if (fns[i].lib == lib && !dlsym(h, fns[i].name)) {
			hm_failx(e, HM_EXIT_FAIL,
				 "%s%scannot load %s: it lacks %s()",
				 what ? what : "", what ? ": " : "", so,
				 fns[i].name);
			dlclose(h);
			return NULL;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(fns); i++)
		if (fns[i].lib == lib)
			__atomic_store_n(fns[i].fp, dlsym(h, fns[i].name),
					 __ATOMIC_RELEASE);
	return h;
}

int lazy_load(enum lazy_lib lib, const char *what, struct hm_err *e)
{
	void *h;

	if (__atomic_load_n(&handles[lib], __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&lazy_lock);
	h = handles[lib];
	if (!h) {
		h = load_locked(lib, what, e);
		__atomic_store_n(&handles[lib], h, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lazy_lock);
	return h ? 0 : -1;
}
