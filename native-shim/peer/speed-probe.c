// SPDX-License-Identifier: MIT
/*
 * g4j-speed: how fast the machine runs right now, for the benchmark to set
 * beside each timed row (under TCG the emulation's speed drifts with the
 * host's load, and every row's CPU time with it).
 *
 *   g4j-speed [PERIOD_MS]    (default 250)
 *
 * Every PERIOD_MS it times BURSTS bursts of a fixed amount of work: user
 * space (loads, stores and arithmetic over 64 KiB) and system calls
 * (getppid), and keeps the fastest burst of each kind, since a burst that
 * was preempted or interrupted only reads slower. On SIGTERM or SIGINT it
 * prints "samples user_ns syscall_ns": how many periods it measured and the
 * medians of their fastest bursts, in nanoseconds of CLOCK_MONOTONIC.
 * The work is a small fraction of a CPU: a burst of each kind takes tens of
 * microseconds even under TCG.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define BURSTS 3
#define WORDS (64 * 1024 / sizeof(uint64_t))
#define USER_ROUNDS 1
#define SYSCALLS 16
#define MAX_SAMPLES 65536

static volatile sig_atomic_t stop;
static uint64_t words[WORDS];
static int64_t user_ns[MAX_SAMPLES], sys_ns[MAX_SAMPLES];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* A xorshift walk that reads and writes every word: the result is kept so the loop stays. */
static uint64_t user_work(uint64_t x)
{
	for (int r = 0; r < USER_ROUNDS; r++) {
		for (size_t i = 0; i < WORDS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			words[i] += x;
			x += words[(i * 7) % WORDS];
		}
	}
	return x;
}

static void sys_work(void)
{
	for (int i = 0; i < SYSCALLS; i++)
		syscall(SYS_getppid); /* not the libc wrapper: nothing cached */
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, int n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	long period_ms = argc > 1 ? strtol(argv[1], NULL, 10) : 250;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t x = 88172645463325252ull;
	int n = 0;

	if (argc > 2 || period_ms < 1) {
		fprintf(stderr, "usage: g4j-speed [PERIOD_MS]\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop && n < MAX_SAMPLES) {
		int64_t best_user = INT64_MAX, best_sys = INT64_MAX;
		struct timespec pause = { period_ms / 1000, period_ms % 1000 * 1000000 };

		for (int b = 0; b < BURSTS; b++) {
			int64_t t0 = now_ns(), t1, t2;

			x = user_work(x);
			t1 = now_ns();
			sys_work();
			t2 = now_ns();
			if (t1 - t0 < best_user)
				best_user = t1 - t0;
			if (t2 - t1 < best_sys)
				best_sys = t2 - t1;
		}
		user_ns[n] = best_user;
		sys_ns[n] = best_sys;
		n++;
		nanosleep(&pause, NULL); /* a signal ends it early */
	}
	printf("%d %lld %lld\n", n, (long long)median(user_ns, n), (long long)median(sys_ns, n));
	return x == 42; /* uses x: the work is not optimised away */
}
