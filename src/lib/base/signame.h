/* SPDX-License-Identifier: MIT */
#ifndef HOMO_SIGNAME_H
#define HOMO_SIGNAME_H

/**
 * signal_parse() - a signal as Docker takes one: a number from 1 to
 * NSIG-1, or a name with or without "SIG", any case ("TERM", "SIGUSR1",
 * "sigkill"). Return 0 with *@sig set, or -1.
 */
int signal_parse(const char *s, int *sig);

#endif
