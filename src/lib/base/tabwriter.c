/* SPDX-License-Identifier: MIT */
/*
 * Tables aligned as Go's text/tabwriter aligns them (template.h): what
 * Docker's table formats go through. A column block is a run of lines
 * that all have a tab-ended cell in that column; its width is its widest
 * cell plus the padding, at least the minimum width.
 */
#include <stdlib.h>
#include <string.h>

#include "base/template.h"
#include "base/util.h"

struct tw_line {
	char **cells; /* all but the last ended by a tab */
	size_t n;
};

struct tw {
	struct tw_line *lines;
	size_t nlines;
	size_t *widths, nwidths;
	size_t minwidth, padding;
	FILE *out;
};

static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void write_lines(struct tw *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct tw_line *l = &t->lines[i];

		for (size_t j = 0; j < l->n; j++) {
			fputs(l->cells[j], t->out);
			if (j < t->nwidths && j + 1 < l->n)
				fprintf(t->out, "%*s",
					(int)(t->widths[j] -
					      text_width(l->cells[j])),
					"");
		}
		if (i + 1 < t->nlines)
			fputc('\n', t->out);
	}
}

static void format(struct tw *t, size_t line0, size_t line1)
{
	size_t column = t->nwidths;

	for (size_t this = line0; this < line1; this ++) {
		size_t width = t->minwidth;

		if (column + 1 >= t->lines[this].n)
			continue;
		write_lines(t, line0, this);
		line0 = this;
		for (; this < line1 && column + 1 < t->lines[this].n; this ++) {
			size_t w = text_width(t->lines[this].cells[column]) +
				   t->padding;

			if (w > width)
				width = w;
		}
		t->widths =
		    xrealloc(t->widths, (t->nwidths + 1) * sizeof(*t->widths));
		t->widths[t->nwidths++] = width;
		format(t, line0, this);
		t->nwidths--;
		line0 = this;
		this --; /* the loop's this++ */
	}
	write_lines(t, line0, line1);
}

char *tmpl_tabwrite(const char *text, size_t minwidth, size_t padding)
{
	struct tw t = {.minwidth = minwidth, .padding = padding};
	char *copy = xstrdup(text), *buf = NULL;
	size_t len = 0;

	for (char *p = copy;;) {
		char *nl = strchr(p, '\n');
		struct tw_line *l;

		if (nl)
			*nl = '\0';
		t.lines = xrealloc(t.lines, (t.nlines + 1) * sizeof(*t.lines));
		l = &t.lines[t.nlines++];
		*l = (struct tw_line){0};
		for (char *c = p;;) {
			char *tab = strchr(c, '\t');

			if (tab)
				*tab = '\0';
			l->cells =
			    xrealloc(l->cells, (l->n + 1) * sizeof(*l->cells));
			l->cells[l->n++] = c;
			if (!tab)
				break;
			c = tab + 1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	t.out = open_memstream(&buf, &len);
	if (!t.out)
		abort();
	format(&t, 0, t.nlines);
	fclose(t.out);
	for (size_t i = 0; i < t.nlines; i++)
		free(t.lines[i].cells);
	free(t.lines);
	free(t.widths);
	free(copy);
	return buf;
}
