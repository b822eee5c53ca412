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
 * compiler checks each against its declaration), and each stub resolves the
 * real function with dlopen/dlsym the first time it is called. The same
 * idea as delay-loading on Windows or Implib.so. libnftables (four more
 * objects, 1.2 ms) is loaded the same way: only commands that change the
 * firewall rules need it.
 *
 * A library that cannot be loaded is a broken installation, and the stub
 * has no way to return the error: it goes to hm_fatal(), where homo says
 * which and how to fix it, and exits 125.
 */
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <nftables/libnftables.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/error.h"

enum lazy_lib { LIB_CRYPTO, LIB_CURL, LIB_ARCHIVE, LIB_NFT, LIB_COUNT };

/* The sonames this build's headers describe (see the Makefile). */
static const char *const sonames[LIB_COUNT] = {
    [LIB_CRYPTO] = "libcrypto.so.3",
    [LIB_CURL] = "libcurl.so.4",
    [LIB_ARCHIVE] = "libarchive.so.13",
    [LIB_NFT] = "libnftables.so.1",
};
static void *handles[LIB_COUNT];
static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

static _Noreturn void lazy_die(const char *what, const char *why)
{
	struct hm_err e;

	hm_failx(&e, HM_EXIT_FAIL,
		 "load %s: %s: reinstall it (scripts/install-deps.sh)", what,
		 why);
	hm_fatal(&e);
}

static void *lazy_sym(enum lazy_lib lib, const char *name)
{
	void *h, *f;

	pthread_mutex_lock(&lazy_lock);
	h = handles[lib];
	if (!h) {
		h = dlopen(sonames[lib], RTLD_NOW | RTLD_LOCAL);
		if (!h)
			lazy_die(sonames[lib], dlerror());
		handles[lib] = h;
	}
	f = dlsym(h, name);
	pthread_mutex_unlock(&lazy_lock);
	if (!f)
		lazy_die(name, "not in the library");
	return f;
}

/* Each stub caches its function pointer; the race between two first
 * callers is benign (both store the same value). */
#define LAZY_RESOLVE(lib, ret, name, params)                         \
	typedef ret(*name##_fn) params;                              \
	static name##_fn name##_fp;                                  \
	name##_fn f = __atomic_load_n(&name##_fp, __ATOMIC_ACQUIRE); \
	if (!f) {                                                    \
		f = (name##_fn)lazy_sym(lib, #name);                 \
		__atomic_store_n(&name##_fp, f, __ATOMIC_RELEASE);   \
	}

#define LAZY(lib, ret, name, params, args)           \
	ret name params;                             \
	ret name params                              \
	{                                            \
		LAZY_RESOLVE(lib, ret, name, params) \
		return f args;                       \
	}

#define LAZY_VOID(lib, ret, name, params, args)      \
	ret name params;                             \
	ret name params                              \
	{                                            \
		LAZY_RESOLVE(lib, ret, name, params) \
		f args;                              \
	}

#include "base/lazy_syms.h"

/*
 * The variadic ones. curl_easy_setopt takes one argument whose type the
 * option number tells, by the ranges curl itself uses. (The names are in
 * parentheses: curl.h defines type-checking macros of the same names.)
 */
CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
	LAZY_RESOLVE(LIB_CURL, CURLcode, curl_easy_setopt,
		     (CURL *, CURLoption, ...))
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
	LAZY_RESOLVE(LIB_CURL, CURLcode, curl_easy_getinfo,
		     (CURL *, CURLINFO, ...))
	CURLcode r;
	va_list ap;

	va_start(ap, info);
	r = f(curl, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}

void archive_set_error(struct archive *a, int errnum, const char *fmt, ...)
{
	LAZY_RESOLVE(LIB_ARCHIVE, void, archive_set_error,
		     (struct archive *, int, const char *, ...))
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f(a, errnum, "%s", msg);
}
