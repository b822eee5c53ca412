/* SPDX-License-Identifier: MIT */
/*
 * The progress line on stderr. Called from hot loops (every read block), so
 * an update that does not redraw costs one vDSO clock read.
 */
#include "base/progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

#define REDRAW_NS 100000000ULL /* 10 redraws a second */
/* "  999MB / 999MB  99.9MB/s" and the bar's brackets, with some slack */
#define NUMBERS_WIDTH 36

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void progress_init(struct hm_progress *p, const char *label, uint64_t total,
		   bool enabled)
{
	struct winsize ws;

	memset(p, 0, sizeof(*p));
	p->label = label ? label : "";
	p->total = total;
	p->enabled = enabled;
	if (!enabled)
		return;
	p->columns = 80;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		p->columns = ws.ws_col;
	p->start_ns = now_ns();
	/* First draw after 100 ms too: quick work should not flash a line. */
	p->last_ns = p->start_ns;
}

void progress_bar(char *bar, size_t w, uint64_t done, uint64_t total)
{
	uint64_t part = done > total ? total : done;
	size_t fill = (size_t)((double)w * (double)part / (double)total);

	bar[0] = ' ';
	bar[1] = '[';
	for (size_t i = 0; i < w; i++)
		bar[i + 2] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[w + 2] = ']';
	bar[w + 3] = '\0';
}

static void draw(struct hm_progress *p, uint64_t now)
{
	char line[512], done[16], total[16], rate[16], bar[64];
	double secs = (double)(now - p->start_ns) / 1e9;
	size_t lab = strlen(p->label), room, w;

	util_format_size(done, sizeof(done), p->done);
	util_format_size(rate, sizeof(rate),
			 secs > 0.05 ? (uint64_t)((double)p->done / secs) : 0);
	util_format_size(total, sizeof(total), p->total);
	/* Fixed width, so the bar stays put as the numbers change length. */
	room = (size_t)p->columns > lab + NUMBERS_WIDTH
		   ? (size_t)p->columns - lab - NUMBERS_WIDTH
		   : 0;
	if (p->total && room >= 10) {
		w = room > 50 ? 50 : room;
		progress_bar(bar, w, p->done, p->total);
	} else {
		bar[0] = '\0';
	}
	if (p->total)
		snprintf(line, sizeof(line), "%s%s  %s / %s  %s/s", p->label,
			 bar, done, total, rate);
	else
		snprintf(line, sizeof(line), "%s  %s  %s/s", p->label, done,
			 rate);
	fprintf(stderr, "\r%s\033[K", line);
	p->drawn = true;
	p->last_ns = now;
}

void progress_update(struct hm_progress *p, uint64_t done)
{
	uint64_t now;

	if (!p || !p->enabled)
		return;
	p->done = done;
	now = now_ns();
	if (now - p->last_ns < REDRAW_NS)
		return;
	draw(p, now);
}

void progress_finish(struct hm_progress *p)
{
	if (!p || !p->enabled || !p->drawn)
		return;
	fputs("\r\033[K", stderr);
	p->drawn = false;
}
