/* SPDX-License-Identifier: MIT */
/*
 * Progress lines, one per item, redrawn in place on stderr: the cursor goes
 * back up over the block drawn last ("\033[NA") and each line is erased
 * ("\033[2K") and written again, so the block is one write a frame.
 */
#include "base/progress_multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/util.h"

#define REDRAW_NS 100000000ULL /* 10 redraws a second */
/* " [" "]" "  999kB / 999kB  999kB/s", with some slack */
#define NUMBERS_WIDTH 30
#define BAR_MAX 50 /* Docker's */

static const char *const state_names[] = {
    [PROGRESS_WAITING] = "Waiting",
    [PROGRESS_DOWNLOADING] = "Downloading",
    [PROGRESS_DOWNLOADED] = "Download complete",
    [PROGRESS_EXISTS] = "Already exists",
    [PROGRESS_COMPLETE] = "Pull complete",
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void progress_multi_init(struct hm_progress_multi *m, size_t cap, bool enabled)
{
	struct winsize ws;

	memset(m, 0, sizeof(*m));
	m->enabled = enabled;
	if (!enabled)
		return;
	m->cap = cap;
	m->rows = xcalloc(cap + 1, sizeof(*m->rows));
	m->columns = 80;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		m->columns = ws.ws_col;
}

size_t progress_multi_add(struct hm_progress_multi *m, const char *label,
			  uint64_t total, enum progress_state state)
{
	struct progress_row *r;

	if (!m->enabled || m->n >= m->cap)
		return m->cap;
	r = &m->rows[m->n];
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->total = total;
	r->state = state;
	return m->n++;
}

void progress_multi_set(struct hm_progress_multi *m, size_t i,
			enum progress_state state, uint64_t done, uint64_t from)
{
	struct progress_row *r;

	if (!m->enabled || i >= m->n)
		return;
	r = &m->rows[i];
	if (r->state == PROGRESS_WAITING && state != PROGRESS_WAITING)
		r->start_ns = now_ns();
	r->state = state;
	r->done = done;
	r->from = from;
}

void progress_multi_format(char *buf, size_t n, int columns,
			   const struct progress_row *r, uint64_t rate)
{
	char done[16], total[16], speed[16], bar[BAR_MAX + 4] = "";
	const char *name = state_names[r->state];
	size_t head = strlen(r->label) + 2 + strlen(name), room = 0;

	if (n == 0)
		return;
	if (r->state != PROGRESS_DOWNLOADING) {
		snprintf(buf, n, "%s: %s", r->label, name);
	} else {
		util_format_size(done, sizeof(done), r->done);
		util_format_size(total, sizeof(total), r->total);
		util_format_size(speed, sizeof(speed), rate);
		/* the bar fills what the numbers leave, as they change length
		 */
		if ((size_t)columns > head + NUMBERS_WIDTH + 1)
			room = (size_t)columns - 1 - head - NUMBERS_WIDTH;
		if (r->total && room >= 10)
			progress_bar(bar, room > BAR_MAX ? BAR_MAX : room,
				     r->done, r->total);
		if (r->total)
			snprintf(buf, n, "%s: %s%s  %s / %s  %s/s", r->label,
				 name, bar, done, total, speed);
		else
			snprintf(buf, n, "%s: %s  %s  %s/s", r->label, name,
				 done, speed);
	}
	if (columns > 1 && strlen(buf) > (size_t)columns - 1)
		buf[columns - 1] = '\0';
}

static uint64_t rate_of(const struct progress_row *r, uint64_t now)
{
	double secs = (double)(now - r->start_ns) / 1e9;
	uint64_t got = r->done > r->from ? r->done - r->from : 0;

	return secs > 0.05 ? (uint64_t)((double)got / secs) : 0;
}

void progress_multi_draw(struct hm_progress_multi *m, bool force)
{
	size_t line_max = (size_t)m->columns + 8, len = 0, cap;
	uint64_t now;
	char *frame;

	if (!m->enabled || !m->n)
		return;
	now = now_ns();
	if (!force && m->drawn && now - m->last_ns < REDRAW_NS)
		return;
	/* "\033[NA", then per row "\033[2K", the line, "\n" */
	cap = 16 + m->n * (line_max + 8);
	frame = xmalloc(cap);
	if (m->drawn)
		len += (size_t)snprintf(frame, cap, "\033[%zuA", m->drawn);
	for (size_t i = 0; i < m->n; i++) {
		memcpy(frame + len, "\033[2K", 4);
		len += 4;
		progress_multi_format(frame + len, line_max, m->columns,
				      &m->rows[i], rate_of(&m->rows[i], now));
		len += strlen(frame + len);
		frame[len++] = '\n';
	}
	if (fwrite(frame, 1, len, stderr) != len)
		clearerr(stderr); /* a terminal gone: nothing to tell it */
	fflush(stderr);
	free(frame);
	m->drawn = m->n;
	m->last_ns = now;
}

void progress_multi_free(struct hm_progress_multi *m)
{
	free(m->rows);
	m->rows = NULL;
	m->n = m->cap = 0;
}
