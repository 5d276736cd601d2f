// SPDX-License-Identifier: MIT
/*
 * g4j-cpusample: where the CPU time of some processes goes, kernel included, for a guest without
 * perf. Samples every CPU with the cpu-clock software event (perf_event_open, one event per CPU,
 * IP and thread of each sample) from start until SIGTERM or SIGINT, then writes, per sampled
 * thread of the given processes, the share of samples in the kernel (by function, from
 * /proc/kallsyms) and in user space (by executable mapping; anonymous executable memory is
 * resolved through the process's /tmp/perf-PID.map when one exists, as a JVM writes it on
 * "jcmd PID Compiler.perfmap", else counted as "[anonymous executable]").
 *
 *   g4j-cpusample PERIOD_US OUTFILE PID...
 *
 * A sample taken while interrupts were off lands where they are switched on again
 * (finish_task_switch, the end of a system call): read the kernel's lines as neighbourhoods.
 * Softirq work (dummy_hcd's transfer timer) is charged to whichever thread it interrupted, while
 * /proc/PID/stat leaves it out; /proc's user/system split is itself sampled per tick.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RING_PAGES 64
#define MAX_CPUS 64
#define MAX_PIDS 16
#define NAME 96
#define TOP 40

struct sample {
	uint32_t pid, tid;
	uint64_t ip;
};

struct sym {
	uint64_t addr, size;
	char name[NAME];
};

struct symtab {
	struct sym *v;
	size_t n, cap;
};

struct count {
	uint32_t tid;
	long n;
	char name[NAME];
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "g4j-cpusample: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void push(struct symtab *t, uint64_t addr, uint64_t size, const char *name)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (!t->v)
			die("realloc");
	}
	t->v[t->n].addr = addr;
	t->v[t->n].size = size;
	snprintf(t->v[t->n].name, NAME, "%s", name);
	t->n++;
}

static int by_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct sym *)a)->addr, y = ((const struct sym *)b)->addr;

	return x < y ? -1 : x > y;
}

/* The entry at or below addr, or NULL; size 0 means "up to the next entry". */
static const struct sym *find(const struct symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	if (!t->n || t->v[0].addr > addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (t->v[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (t->v[lo].size && addr >= t->v[lo].addr + t->v[lo].size)
		return NULL;
	return &t->v[lo];
}

static void load_kallsyms(struct symtab *t)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long long addr;

	if (!f)
		die("/proc/kallsyms");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type == 't' || type == 'T' || type == 'w' || type == 'W')
			push(t, addr, 0, name);
	}
	fclose(f);
	qsort(t->v, t->n, sizeof(*t->v), by_addr);
}

/* Executable mappings of pid, then the JIT's perf map entries, which lie inside them. */
static void load_user(struct symtab *maps, struct symtab *jit, int pid)
{
	char path[64], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long long lo, hi;
			char perm[8], *name, *slash;
			int pos = 0;

			if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %n", &lo, &hi, perm, &pos) < 3 || perm[2] != 'x')
				continue;
			name = line + pos;
			name[strcspn(name, "\n")] = 0;
			slash = strrchr(name, '/');
			push(maps, lo, hi - lo, *name ? (slash ? slash + 1 : name) : "[anonymous executable]");
		}
		fclose(f);
	}
	qsort(maps->v, maps->n, sizeof(*maps->v), by_addr);

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long long addr, size;
			int pos = 0;

			if (sscanf(line, "%llx %llx %n", &addr, &size, &pos) < 2)
				continue;
			line[strcspn(line, "\n")] = 0;
			push(jit, addr, size, line + pos);
		}
		fclose(f);
	}
	qsort(jit->v, jit->n, sizeof(*jit->v), by_addr);
}

static struct count *counts;
static size_t ncounts, capcounts;

static void bump(uint32_t tid, const char *name)
{
	for (size_t i = 0; i < ncounts; i++) {
		if (counts[i].tid == tid && !strcmp(counts[i].name, name)) {
			counts[i].n++;
			return;
		}
	}
	if (ncounts == capcounts) {
		capcounts = capcounts ? capcounts * 2 : 1024;
		counts = realloc(counts, capcounts * sizeof(*counts));
		if (!counts)
			die("realloc");
	}
	counts[ncounts].tid = tid;
	counts[ncounts].n = 1;
	snprintf(counts[ncounts].name, NAME, "%s", name);
	ncounts++;
}

static int by_thread_then_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (y->n > x->n) - (y->n < x->n);
}

/* Copies len bytes at offset off of a ring of size bytes (records may wrap). */
static void ring_copy(void *dst, const char *ring, uint64_t size, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((char *)dst)[i] = ring[(off + i) % size];
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	int fds[MAX_CPUS], pids[MAX_PIDS], npids = argc - 3;
	char *rings[MAX_CPUS];
	struct sample *samples = NULL;
	size_t nsamples = 0, capsamples = 0;
	long lost = 0, idle = 0, others = 0, per_pid[MAX_PIDS] = { 0 };
	struct symtab kernel = { 0 }, maps[MAX_PIDS] = { { 0 } }, jit[MAX_PIDS] = { { 0 } };
	long period_us;
	FILE *out;

	if (argc < 4 || npids > MAX_PIDS || (period_us = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: g4j-cpusample PERIOD_US OUTFILE PID... (at most %d)\n", MAX_PIDS);
		return 2;
	}
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	for (int i = 0; i < npids; i++)
		pids[i] = atoi(argv[3 + i]);
	for (int c = 0; c < ncpu; c++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.sample_period = (uint64_t)period_us * 1000,
			.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID,
			.disabled = 1,
		};

		fds[c] = (int)syscall(SYS_perf_event_open, &attr, -1, c, -1, 0);
		if (fds[c] < 0)
			die("perf_event_open");
		rings[c] = mmap(NULL, (RING_PAGES + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fds[c], 0);
		if (rings[c] == MAP_FAILED)
			die("mmap");
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (int c = 0; c < ncpu; c++)
		ioctl(fds[c], PERF_EVENT_IOC_ENABLE, 0);

	/* Drain the rings every 20 ms (a 256 KiB ring holds over 10,000 samples). */
	while (1) {
		int last = stopping;

		if (last)
			for (int c = 0; c < ncpu; c++)
				ioctl(fds[c], PERF_EVENT_IOC_DISABLE, 0);
		for (int c = 0; c < ncpu; c++) {
			struct perf_event_mmap_page *meta = (void *)rings[c];
			const char *data = rings[c] + page;
			uint64_t size = (uint64_t)RING_PAGES * page;
			uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
			uint64_t tail = meta->data_tail;

			while (tail < head) {
				struct perf_event_header h;
				char rec[64];

				ring_copy(&h, data, size, tail, sizeof(h));
				ring_copy(rec, data, size, tail, h.size < sizeof(rec) ? h.size : sizeof(rec));
				if (h.type == PERF_RECORD_SAMPLE && h.size >= 24) {
					if (nsamples == capsamples) {
						capsamples = capsamples ? capsamples * 2 : 65536;
						samples = realloc(samples, capsamples * sizeof(*samples));
						if (!samples)
							die("realloc");
					}
					memcpy(&samples[nsamples].ip, rec + 8, 8);
					memcpy(&samples[nsamples].pid, rec + 16, 4);
					memcpy(&samples[nsamples].tid, rec + 20, 4);
					nsamples++;
				} else if (h.type == PERF_RECORD_LOST && h.size >= 24) {
					uint64_t n;

					memcpy(&n, rec + 16, 8);
					lost += (long)n;
				}
				tail += h.size;
			}
			__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
		}
		if (last)
			break;
		usleep(20000);
	}

	load_kallsyms(&kernel);
	for (int i = 0; i < npids; i++)
		load_user(&maps[i], &jit[i], pids[i]);
	for (size_t s = 0; s < nsamples; s++) {
		const struct sample *sm = &samples[s];
		int k = -1;
		char name[NAME + 8];

		for (int i = 0; i < npids; i++)
			if ((int)sm->pid == pids[i])
				k = i;
		if (sm->pid == 0) {
			idle++;
			continue;
		}
		if (k < 0) {
			others++;
			continue;
		}
		per_pid[k]++;
		if (sm->ip >> 63) {
			const struct sym *f = find(&kernel, sm->ip);

			snprintf(name, sizeof(name), "k %s", f ? f->name : "?");
			bump(sm->tid, "= kernel");
		} else {
			const struct sym *f = find(&jit[k], sm->ip);

			if (!f)
				f = find(&maps[k], sm->ip);
			snprintf(name, sizeof(name), "u %s", f ? f->name : "?");
			bump(sm->tid, "= user");
		}
		name[NAME - 1] = 0;
		bump(sm->tid, name);
	}

	out = fopen(argv[2], "w");
	if (!out)
		die(argv[2]);
	fprintf(out, "%zu samples of %ld us on %d CPU(s), %ld lost; idle %ld, other processes %ld\n",
		nsamples, period_us, ncpu, lost, idle, others);
	for (int i = 0; i < npids; i++)
		fprintf(out, "pid %d: %ld samples\n", pids[i], per_pid[i]);
	qsort(counts, ncounts, sizeof(*counts), by_thread_then_count);
	for (size_t i = 0, shown = 0; i < ncounts; i++, shown++) {
		if (i == 0 || counts[i].tid != counts[i - 1].tid) {
			char path[64], comm[64] = "";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%u/comm", counts[i].tid);
			f = fopen(path, "r");
			if (f) {
				if (fgets(comm, sizeof(comm), f))
					comm[strcspn(comm, "\n")] = 0;
				fclose(f);
			}
			fprintf(out, "== thread %u %s\n", counts[i].tid, comm);
			shown = 0;
		}
		if (shown < TOP)
			fprintf(out, "%8ld %s\n", counts[i].n, counts[i].name);
	}
	fclose(out);
	return 0;
}
