/* SPDX-License-Identifier: MIT */
/* Threads that start at once: thread.h */
#include "base/thread.h"

#include <sched.h>

int thread_elsewhere(pthread_attr_t *at)
{
	cpu_set_t cpus;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return 0; /* where it may: as without */
	CPU_CLR(cpu, &cpus);
	if (CPU_COUNT(&cpus) == 0)
		return 0;
	return pthread_attr_setaffinity_np(at, sizeof(cpus), &cpus);
}
