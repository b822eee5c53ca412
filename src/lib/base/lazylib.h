/* SPDX-License-Identifier: MIT */
#ifndef HOMO_LAZYLIB_H
#define HOMO_LAZYLIB_H

#include "base/error.h"

/*
 * libcrypto, libcurl, libarchive, libnftables, libnl-3 and libnl-route,
 * loaded on first use (lazylib.c says why). Each module that calls
 * one of them calls lazy_load() at its entry points, before the first call into
 * the library, so that a library that cannot be loaded (missing, or EMFILE,
 * ENOMEM) is an ordinary error its caller cleans up after.
 */
enum lazy_lib {
	LIB_CRYPTO,
	LIB_CURL,
	LIB_ARCHIVE,
	LIB_NFT,
	LIB_NL,	      /* libnl-3 */
	LIB_NL_ROUTE, /* libnl-route-3, loaded after libnl-3 */
	LIB_COUNT
};

/**
 * lazy_load() - load @lib and resolve every function homo calls in it.
 * @what: the start of the message, as "<what>: cannot load <soname>:
 *	<why>" (NULL: none); <why> is what dlerror() said.
 *
 * Cheap once loaded (one atomic load). A failure is not remembered: the
 * next call tries again (EMFILE passes).
 *
 * Return: 0, or -1 with @e set.
 */
int lazy_load(enum lazy_lib lib, const char *what, struct hm_err *e);

#endif
