/* SPDX-License-Identifier: MIT */
/* Checked number parsers: see number.h for the grammar. */
#include "base/number.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int fail(int err)
{
	errno = err;
	return -1;
}

/* Digits to a magnitude, ERANGE past UINT64_MAX. */
static int digits_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !is_digit(*s))
		return fail(EINVAL);
	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return fail(s[strspn(s, "0123456789")] ? EINVAL
							       : ERANGE);
		v = v * 10 + d;
	}
	if (*s)
		return fail(EINVAL);
	*out = v;
	return 0;
}

int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (digits_u64(s, &v) < 0)
		return -1;
	if (v < min || v > max)
		return fail(ERANGE);
	*out = v;
	return 0;
}

int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = s && *s == '-';
	uint64_t mag;
	int64_t v;

	if (digits_u64(s + neg, &mag) < 0)
		return -1;
	if (neg && mag > (uint64_t)INT64_MAX + 1)
		return fail(ERANGE);
	if (!neg && mag > (uint64_t)INT64_MAX)
		return fail(ERANGE);
	/* -2^63 has no positive twin: negate in unsigned arithmetic */
	v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (v < min || v > max)
		return fail(ERANGE);
	*out = v;
	return 0;
}

/* [-](D+[.D*]|.D+)[(e|E)[+|-]D+], the whole string: what strtod may see. */
static bool decimal_syntax(const char *s)
{
	size_t n;

	s += *s == '-';
	n = strspn(s, "0123456789");
	s += n;
	if (*s == '.') {
		size_t f = strspn(s + 1, "0123456789");

		if (!n && !f)
			return false;
		s += 1 + f;
	} else if (!n) {
		return false;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		s += *s == '+' || *s == '-';
		n = strspn(s, "0123456789");
		if (!n)
			return false;
		s += n;
	}
	return !*s;
}

int num_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !decimal_syntax(s))
		return fail(EINVAL);
	errno = 0;
	v = strtod(s, &end);
	if (*end)
		return fail(EINVAL); /* a locale whose point is not '.' */
	/* ERANGE: overflow to HUGE_VAL or underflow to (near) zero */
	if (errno == ERANGE || !isfinite(v) || !(v >= min && v <= max))
		return fail(ERANGE);
	*out = v;
	return 0;
}

/*
 * round(0.F * 2^shift) for the fraction digits @f (@n of them, n <= 64):
 * double the decimal fraction @shift times, each carry is the next bit of
 * the integer part; what is left rounds it, halves up. Exact, no floats.
 */
static uint64_t frac_times_pow2(const char *f, size_t n, unsigned shift)
{
	char d[64];
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		d[i] = (char)(f[i] - '0');
	for (unsigned k = 0; k < shift; k++) {
		int carry = 0;

		for (size_t i = n; i-- > 0;) {
			int x = d[i] * 2 + carry;

			d[i] = (char)(x % 10);
			carry = x / 10;
		}
		v = v * 2 + (uint64_t)carry;
	}
	return v + (n && d[0] >= 5);
}

static int size_unit(const char *u, unsigned *shift)
{
	static const char units[] = "bkmgt";
	const char *p;

	*shift = 0;
	if (!*u)
		return 0;
	p = strchr(units, tolower((unsigned char)*u));
	if (!p)
		return -1;
	*shift = 10 * (unsigned)(p - units);
	u++;
	if (*shift && tolower((unsigned char)*u) == 'b')
		u++;
	return *u ? -1 : 0;
}

int num_parse_size(const char *s, int64_t max, int64_t *out)
{
	size_t n = s ? strspn(s, "0123456789") : 0, nf = 0;
	const char *frac = NULL, *unit;
	uint64_t whole = 0, f, lim = max < 0 ? 0 : (uint64_t)max;
	unsigned shift;

	if (!n)
		return fail(EINVAL);
	unit = s + n;
	if (*unit == '.') {
		frac = unit + 1;
		nf = strspn(frac, "0123456789");
		if (!nf || nf > 64)
			return fail(EINVAL);
		unit = frac + nf;
	}
	if (size_unit(unit, &shift) < 0)
		return fail(EINVAL);
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (whole > (UINT64_MAX - d) / 10)
			return fail(ERANGE);
		whole = whole * 10 + d;
	}
	if (whole > lim >> shift)
		return fail(ERANGE);
	whole <<= shift;
	f = frac ? frac_times_pow2(frac, nf, shift) : 0;
	if (f > lim - whole)
		return fail(ERANGE);
	*out = (int64_t)(whole + f);
	return 0;
}
