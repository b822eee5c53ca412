/* SPDX-License-Identifier: MIT */
#ifndef HOMO_ENVFILE_H
#define HOMO_ENVFILE_H

#include <stddef.h>

#include "base/error.h"

/**
 * envfile_parse() - Docker's --env-file grammar: the lines of @text (@len
 * bytes, from the file @what) appended to *@env as KEY=VAL strings.
 *
 * Leading blanks of a line are dropped; empty lines and '#' lines are
 * skipped. "KEY=VAL" is taken as it is (the value untrimmed); "KEY" alone
 * takes the value @lookup gives (the host's), and is left out when it gives
 * NULL, as Docker does. Errors, naming the line: an empty name ("=x"), a
 * blank inside a name, a NUL byte, invalid UTF-8. A UTF-8 byte order mark
 * at the start is skipped.
 *
 * Return: 0, or -1 with @e set (*@env then holds the lines before).
 */
int envfile_parse(const char *what, const char *text, size_t len,
		  const char *(*lookup)(const char *name), char ***env,
		  struct hm_err *e);

#endif
