/* SPDX-License-Identifier: MIT */
#ifndef HOMO_TEMPLATE_H
#define HOMO_TEMPLATE_H

/*
 * Go text/template, the subset Docker's --format users write, over jansson
 * values (docs/inspect.md): {{.A.B}}, {{$v.A}}, pipelines, parentheses,
 * {{if}}/{{else if}}/{{else}}, {{range}} (with $i, $v :=), {{with}},
 * variables, comments, the trim markers {{- and -}}, Go's
 * builtins (index len printf print println and or not eq ne lt le gt ge)
 * and Docker's (json join split lower upper title truncate pad). Errors
 * read as Go's: "template: :1:2: executing \"\" at <.Foo>: map has no
 * entry for key \"Foo\"", exit code 125.
 */
#include <jansson.h>

#include "base/error.h"

struct tmpl;

/**
 * tmpl_parse() - compile @src.
 * @map_fields: NULL, or the names of fields whose values are maps of the
 * user's keys (Labels, Ports): a missing key there is "<no value>", as Go
 * shows a typed map's, where elsewhere it is an error.
 * Return: the template, or NULL with @e set.
 */
struct tmpl *tmpl_parse(const char *src, const char *const *map_fields,
			struct hm_err *e);

/**
 * tmpl_exec() - run @t with @dot as "." and "$".
 * Return: 0 and the text in *@out (free() it), or -1 with @e set.
 */
int tmpl_exec(const struct tmpl *t, json_t *dot, char **out, struct hm_err *e);

void tmpl_free(struct tmpl *t);

/**
 * tmpl_tabwrite() - align @text as Go's text/tabwriter does with Docker's
 * settings (minimum width @minwidth, @padding spaces): every cell ended by
 * a tab is padded to its column's widest cell; the last cell of a line is
 * not. Widths count UTF-8 characters. Return: the new text (free() it).
 */
char *tmpl_tabwrite(const char *text, size_t minwidth, size_t padding);

#endif
