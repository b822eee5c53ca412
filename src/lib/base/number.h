/* SPDX-License-Identifier: MIT */
#ifndef HOMO_NUMBER_H
#define HOMO_NUMBER_H

/*
 * The one family of number parsers for options, environment variables and
 * files of images and the kernel: strtol() and friends skip blanks, accept
 * '+', '-' for unsigned (wrapping), hex, "inf" and "nan", and saturate
 * silently, so every caller had its own (incomplete) checks.
 *
 * The grammar is strict: decimal digits only (leading zeros are decimal,
 * never octal), no blanks, nothing after the number, no '+' anywhere (what
 * homo prints never has one), a leading '-' only where negative numbers
 * can be, i.e. never for the unsigned parser.
 *
 * Return: 0 with *@out set, or -1 with errno EINVAL (not a number of that
 * grammar) or ERANGE (outside [@min, @max] or the type), *@out untouched.
 * Callers print their own "<opt> \"<value>\": expected ..." message.
 */

#include <stdint.h>

/** num_parse_u64() - "0", "42": digits only. */
int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/** num_parse_i64() - num_parse_u64() with an optional leading '-'. */
int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/**
 * num_parse_double() - "0.5", "2", ".5", "1e-3", "-1.25": finite decimal
 * numbers only (no "inf", "nan", hex floats; an exponent that overflows or
 * underflows is ERANGE).
 */
int num_parse_double(const char *s, double min, double max, double *out);

/**
 * num_parse_size() - bytes from "100", "512k", "32m", "1.5g", "2tb": digits
 * with an optional fraction, then an optional unit b, k, m, g or t (powers
 * of 1024, either case, k/m/g/t with an optional trailing b). The result
 * is computed exactly in integers and rounded to the nearest byte (halves
 * up); at most 64 digits after the point.
 */
int num_parse_size(const char *s, int64_t max, int64_t *out);

/* For the callers' messages about num_parse_size(). */
#define NUM_SIZE_HINT                                                        \
	"a size: digits with an optional fraction and unit b, k, m, g or t " \
	"(e.g. 32m, 1.5g)"

#endif
