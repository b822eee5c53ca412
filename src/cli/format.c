/* SPDX-License-Identifier: MIT */
/*
 * --format as Docker's CLI does it (github.com/docker/cli formatter): a
 * Go template a row, "table" for aligned columns under a header, "json"
 * for one JSON object a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/util.h"
#include "format.h"

/* Docker's preFormat: "\t" and "\n" typed in a shell are tab and newline */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n')) {
			*o++ = s[1] == 't' ? '\t' : '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int fmt_error(struct hm_err *e, const char *cmd)
{
	return hm_prefix(e, "%s", cmd);
}

int cmd_fmt_init(struct cmd_fmt *f, const char *cmd, const char *spec,
		 const char *def, struct hm_err *e)
{
	cleanup_free char *text = NULL;
	const char *body;

	*f = (struct cmd_fmt){.cmd = cmd};
	if (!spec || !*spec)
		spec = def;
	body = spec;
	if (!strcmp(spec, "json")) {
		f->json = true;
		body = "{{json .}}";
	} else if (!strncmp(spec, "table", 5) && (!spec[5] || spec[5] == ' ')) {
		f->table = true;
		body = spec[5] ? spec + 6 : def + 6;
	}
	text = unescape(body);
	/* Docker trims the spaces around a table's template */
	if (f->table) {
		char *end = text + strlen(text);

		while (end > text && end[-1] == ' ')
			*--end = '\0';
	}
	f->t = tmpl_parse(f->table ? text + strspn(text, " ") : text, NULL, e);
	if (!f->t)
		return fmt_error(e, cmd);
	f->out = open_memstream(&f->rows, &f->len);
	if (!f->out)
		abort();
	return 0;
}

int cmd_fmt_row(struct cmd_fmt *f, json_t *row, struct hm_err *e)
{
	char *text;

	if (tmpl_exec(f->t, row, &text, e) < 0)
		return fmt_error(e, f->cmd);
	fprintf(f->out, "%s\n", text);
	free(text);
	return 0;
}

int cmd_fmt_end(struct cmd_fmt *f, json_t *header, struct hm_err *e)
{
	cleanup_free char *head = NULL, *all = NULL, *aligned = NULL;

	fclose(f->out);
	f->out = NULL;
	if (!f->table) {
		fputs(f->rows, stdout);
		return 0;
	}
	if (tmpl_exec(f->t, header, &head, e) < 0)
		return fmt_error(e, f->cmd);
	all = xasprintf("%s\n%s", head, f->rows);
	/* Docker's tabwriter: minimum width 10, padding 3 */
	aligned = tmpl_tabwrite(all, 10, 3);
	fputs(aligned, stdout);
	return 0;
}

void cmd_fmt_free(struct cmd_fmt *f)
{
	if (f->out)
		fclose(f->out);
	free(f->rows);
	tmpl_free(f->t);
	*f = (struct cmd_fmt){0};
}

int cmd_template_print(const char *cmd, const char *spec, json_t *v,
		       struct hm_err *e)
{
	cleanup_free char *text = unescape(spec), *out = NULL;
	struct tmpl *t;
	int r;

	if (!strcmp(spec, "json")) {
		free(text);
		text = xstrdup("{{json .}}");
	}
	t = tmpl_parse(text, NULL, e);
	if (!t)
		return fmt_error(e, cmd);
	r = tmpl_exec(t, v, &out, e);
	tmpl_free(t);
	if (r < 0)
		return fmt_error(e, cmd);
	printf("%s\n", out);
	return 0;
}

const char *cmd_arch(void)
{
	static struct utsname u;

	if (!u.machine[0] && uname(&u) < 0)
		return "unknown";
	/* Go's GOARCH names, as Docker shows them */
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	if (!strncmp(u.machine, "arm", 3))
		return "arm";
	return u.machine;
}
