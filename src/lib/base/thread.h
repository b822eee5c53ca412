/* SPDX-License-Identifier: MIT */
#ifndef HOMO_THREAD_H
#define HOMO_THREAD_H

#include <pthread.h>

/**
 * thread_elsewhere() - @at for a thread on another CPU than ours, if there
 * is one we may run on. A new thread starts on its parent's CPU, and
 * there, while the parent works, waits for a scheduler tick (3.6-3.9 ms
 * measured here) or for the parent to block; on another CPU it starts at
 * once, or once that CPU wakes (0.1-0.4 ms on a VM whose CPU was idle).
 * For a short thread the parent does not wait for at once. Return: 0, or
 * pthread_attr_setaffinity_np()'s error.
 */
int thread_elsewhere(pthread_attr_t *at);

#endif
