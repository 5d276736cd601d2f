// SPDX-License-Identifier: MIT
/*
 * g4j-host: usbfs bulk streamer for the benchmark, keeping several URBs in
 * flight (testusb keeps one). Detaches usbtest from interface 0, claims it,
 * and streams --bytes to the OUT endpoint (--out) or from the IN endpoint
 * (--in) in --size URBs, --inflight at a time, OUT data in usbtest pattern 1.
 * Prints "bytes seconds MiB/s".
 *
 *   g4j-host --dev /dev/bus/usb/BBB/DDD --in|--out --size N --bytes N [--inflight K]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "g4j-host: %s: %s\n", what, strerror(errno));
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dev = NULL;
	int in = -1, inflight = 4;
	size_t size = 65536;
	unsigned long long total = 64ULL << 20, queued = 0, done = 0;
	unsigned int ifno = 0;
	struct usbdevfs_ioctl disc = { .ifno = 0, .ioctl_code = USBDEVFS_DISCONNECT };
	struct usbdevfs_urb *urbs;
	struct timespec t0, t1;
	int fd, active = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--in"))
			in = 1;
		else if (!strcmp(argv[i], "--out"))
			in = 0;
		else if (i + 1 < argc && !strcmp(argv[i], "--dev"))
			dev = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--size"))
			size = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--bytes"))
			total = strtoull(argv[++i], NULL, 0);
		else if (i + 1 < argc && !strcmp(argv[i], "--inflight"))
			inflight = atoi(argv[++i]);
		else
			dev = NULL, in = -2;
	}
	if (!dev || in < 0 || !size || inflight < 1) {
		fprintf(stderr, "usage: g4j-host --dev PATH --in|--out --size N --bytes N [--inflight K]\n");
		return 2;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0)
		die(dev);
	if (ioctl(fd, USBDEVFS_IOCTL, &disc) && errno != ENODATA)
		die("USBDEVFS_DISCONNECT");
	if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &ifno))
		die("USBDEVFS_CLAIMINTERFACE");
	urbs = calloc(inflight, sizeof(*urbs));
	for (int i = 0; i < inflight; i++) {
		unsigned char *b = malloc(size);

		if (!b)
			die("malloc");
		for (size_t j = 0; j < size; j++)
			b[j] = (unsigned char)((j % 1024) % 63);
		urbs[i].type = USBDEVFS_URB_TYPE_BULK;
		urbs[i].endpoint = in ? 0x81 : 0x02;
		urbs[i].buffer = b;
		urbs[i].buffer_length = size;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < inflight && queued < total; i++) {
		if (ioctl(fd, USBDEVFS_SUBMITURB, &urbs[i]))
			die("USBDEVFS_SUBMITURB");
		queued += size;
		active++;
	}
	while (active) {
		struct usbdevfs_urb *u;

		if (ioctl(fd, USBDEVFS_REAPURB, &u)) {
			if (errno == EINTR)
				continue;
			die("USBDEVFS_REAPURB");
		}
		active--;
		if (u->status) {
			errno = -u->status;
			die("URB status");
		}
		done += u->actual_length;
		if (queued < total) {
			if (ioctl(fd, USBDEVFS_SUBMITURB, u))
				die("USBDEVFS_SUBMITURB");
			queued += size;
			active++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

		printf("%llu %.6f %.1f\n", done, s, done / s / 1048576.0);
	}
	ioctl(fd, USBDEVFS_RELEASEINTERFACE, &ifno);
	close(fd);
	return 0;
}
