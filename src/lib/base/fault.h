/* SPDX-License-Identifier: MIT */
#ifndef HOMO_FAULT_H
#define HOMO_FAULT_H

/*
 * Fault injection for the crash tests (tests/integration/fault.bats):
 * FAULT_POINT("pull-after-unpack") marks a step; a test build (-DHOMO_FAULTS,
 * the homo-fault binary) run with HOMO_FAULT=pull-after-unpack SIGKILLs
 * itself there, as a power cut or an OOM kill would. Normal builds compile
 * the points to nothing.
 *
 * A point reached in the container's init (between clone and execve) kills
 * the init, not homo: it is in a new PID namespace and cannot name homo.
 * As that namespace's pid 1 it is immune to its own SIGKILL, so it then
 * _exit()s as a killed process would, without any cleanup.
 */
#ifdef HOMO_FAULTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * HOMO_FAULT_STOP=name stops the process there instead (SIGSTOP), once: a
 * test then acts at exactly that moment (truncates a file being read,
 * kills the process mid-step) and continues or kills it. No race.
 */
#define FAULT_POINT(name)                                      \
	do {                                                   \
		const char *fault_ = getenv("HOMO_FAULT");     \
		const char *stop_ = getenv("HOMO_FAULT_STOP"); \
		if (fault_ && strcmp(fault_, (name)) == 0) {   \
			raise(SIGKILL);                        \
			_exit(128 + SIGKILL);                  \
		}                                              \
		if (stop_ && strcmp(stop_, (name)) == 0) {     \
			unsetenv("HOMO_FAULT_STOP");           \
			raise(SIGSTOP);                        \
		}                                              \
	} while (0)

/*
 * FAULT_ONCE(name) is true where HOMO_FAULT=name is reached first, and
 * unsets it (for this process and its children after it): a failure the
 * caller simulates once, which its cleanup then does not meet again.
 */
#define FAULT_ONCE(name)                                        \
	({                                                      \
		const char *once_ = getenv("HOMO_FAULT");       \
		int hit_ = once_ && strcmp(once_, (name)) == 0; \
		if (hit_)                                       \
			unsetenv("HOMO_FAULT");                 \
		hit_;                                           \
	})
#else
#define FAULT_POINT(name) \
	do {              \
	} while (0)
#define FAULT_ONCE(name) 0
#endif

#endif
