/* SPDX-License-Identifier: MIT */
/*
 * sysnr NR...: makes each raw syscall by number and prints "NR=ok" or
 * "NR=errno:NAME" (security.bats' seccomp allow-list tests; static, built
 * by make as $(BUILD)/sysnr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		long r = syscall(strtol(argv[i], NULL, 0), -1L, "", 0L, 0L, 0L);

		printf("%s=%s%s\n", argv[i], r < 0 ? "errno:" : "ok",
		       r < 0 ? strerrorname_np(errno) : "");
	}
	return 0;
}
