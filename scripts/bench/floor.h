/* SPDX-License-Identifier: MIT */
/* build/floor: what floor.c (the floor itself) and floor_vs.c (homo and
 * crun timed against it, round by round) share. */
#ifndef FLOOR_H
#define FLOOR_H

#include <signal.h>

/* the steps, in the order they happen; p = parent, c = container's init */
enum step {
	P_DIRS,
	P_CGCREATE,
	P_CLONE,
	P_ATTACH,
	C_WAKE,
	C_PRIVATE,
	C_OVERLAY,
	C_PROC,
	C_DEV,
	C_SYS,
	C_CGBIND,
	C_ETC,
	C_PIVOT,
	C_MASK,
	C_HOST,
	P_EXEC,
	P_CGRM,
	P_RM,
	N_STEPS
};

/* per round: each step's ms and the total; homo's and crun's wall ms */
struct samples {
	double *v[N_STEPS], *tot, *homo, *crun;
};

/* set by SIGINT, SIGTERM, SIGHUP: stop after the round, with the cleanup */
extern volatile sig_atomic_t floor_stop;

/* one floor container, its steps' ms in @t; 0, or -1 with a message */
int floor_iteration(int it, double t[N_STEPS]);
/* @warm unrecorded rounds, then @n; @homo NULL: the floor alone */
int floor_rounds(char *homo, char *crun, int n, int warm, struct samples *s);
double median(double *v, int n);

#endif
