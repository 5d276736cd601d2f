// SPDX-License-Identifier: MIT
/*
 * g4j-peer: a FunctionFS bulk source/sink compatible with the kernel's usbtest
 * host driver (VID:PID 0525:a4a4, "user mode test driver"): bulk IN source,
 * bulk OUT sink, data pattern usbtest.pattern=1, byte i of each request is
 * (i % wMaxPacketSize) % 63. OUT data is checked, IN data is produced.
 *
 *   g4j-peer --mode classic|aio|dmabuf --size N [--inflight K] [--no-check]
 *            [--name NAME] [--udc UDC] [--stats FILE] [--user-work N]
 *
 * It creates the configfs gadget, mounts FunctionFS, writes the descriptors
 * and binds the UDC, then serves until SIGINT/SIGTERM, when it prints its
 * counters (and writes them to --stats) and tears everything down. The exit
 * status is 1 when any OUT request had a wrong byte.
 *
 * Modes: classic read()/write() (one request per direction), aio (io_submit,
 * K requests in flight per direction), dmabuf (K udmabufs on sealed memfds
 * per direction, FUNCTIONFS_DMABUF_ATTACH after ENABLE, TRANSFER, completion
 * and status through a sync_file exported with DMA_BUF_SYNC_WRITE).
 * Endpoint disable (usbtest sets the interface before each test) fails the
 * pending I/O with ESHUTDOWN: the request is simply queued again, which
 * blocks until the next ENABLE.
 *
 * --user-work N (dmabuf): after each completed transfer, N calls through a
 * table of 128 small functions, user-space work without system calls (as a
 * runtime's bookkeeping), to measure what such work costs beside the same
 * system calls (qemu-images/user-work).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if __BYTE_ORDER != __LITTLE_ENDIAN
#error "descriptor initialisers assume a little-endian CPU"
#endif
#define LE16(x) (x)
#define LE32(x) (x)
#define FILL 0xff /* never a pattern byte (those are < 63) */

enum mode { CLASSIC, AIO, DMABUF };

static enum mode mode = CLASSIC;
static size_t size = 4096;
static int inflight = 4;
static int check = 1;
static const char *name = "g4jpeer";
static const char *udc = "dummy_udc.0";
static const char *stats_path;
static char gadget_dir[256], ffs_dir[256];
static int ep0 = -1, ep_in = -1, ep_out = -1;
static atomic_int stop;
static atomic_int enabled;
static int user_work;
static atomic_uint speed_mps = 512;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

/* ---- --user-work: 128 distinct small functions, called through a table ---- */

#define UW_FN(n) \
	static __attribute__((noinline)) uint64_t uw_##n(uint64_t x) \
	{ x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x + n; }
#define UW_FN8(a) UW_FN(a##0) UW_FN(a##1) UW_FN(a##2) UW_FN(a##3) \
	UW_FN(a##4) UW_FN(a##5) UW_FN(a##6) UW_FN(a##7)
#define UW_FN64(a) UW_FN8(a##0) UW_FN8(a##1) UW_FN8(a##2) UW_FN8(a##3) \
	UW_FN8(a##4) UW_FN8(a##5) UW_FN8(a##6) UW_FN8(a##7)
#define UW_REF8(a) uw_##a##0, uw_##a##1, uw_##a##2, uw_##a##3, \
	uw_##a##4, uw_##a##5, uw_##a##6, uw_##a##7,
#define UW_REF64(a) UW_REF8(a##0) UW_REF8(a##1) UW_REF8(a##2) UW_REF8(a##3) \
	UW_REF8(a##4) UW_REF8(a##5) UW_REF8(a##6) UW_REF8(a##7)
UW_FN64(1)
UW_FN64(2)
static uint64_t (*const uw_table[128])(uint64_t) = { UW_REF64(1) UW_REF64(2) };
static volatile uint64_t uw_sink;

static void run_user_work(void)
{
	uint64_t x = 1;

	for (int i = 0; i < user_work; i++)
		x = uw_table[i & 127](x);
	uw_sink = x;
}

struct counters {
	atomic_ullong requests, bytes, zlps, shutdowns, errors, bad;
};
static struct counters c_in, c_out;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("g4j-peer: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void wr(const char *dir, const char *file, const char *val)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY);
	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		die("write %s: %s", p, strerror(errno));
	close(fd);
}

static void mkd(const char *fmt, ...)
{
	char p[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (mkdir(p, 0755) && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
}

/* ---- descriptors ---- */

struct ep_pair {
	struct usb_endpoint_descriptor_no_audio in, out;
} __attribute__((packed));

struct ss_eps {
	struct usb_endpoint_descriptor_no_audio in;
	struct usb_ss_ep_comp_descriptor in_comp;
	struct usb_endpoint_descriptor_no_audio out;
	struct usb_ss_ep_comp_descriptor out_comp;
} __attribute__((packed));

static const struct usb_interface_descriptor intf = {
	.bLength = sizeof(intf), .bDescriptorType = USB_DT_INTERFACE,
	.bNumEndpoints = 2, .bInterfaceClass = USB_CLASS_VENDOR_SPEC, .iInterface = 1,
};

#define EP(addr, mps) { .bLength = USB_DT_ENDPOINT_SIZE, .bDescriptorType = USB_DT_ENDPOINT, \
	.bEndpointAddress = (addr), .bmAttributes = USB_ENDPOINT_XFER_BULK, \
	.wMaxPacketSize = LE16(mps) }
#define COMP { .bLength = USB_DT_SS_EP_COMP_SIZE, .bDescriptorType = USB_DT_SS_ENDPOINT_COMP }

static const struct {
	struct usb_functionfs_descs_head_v2 header;
	__le32 fs_count, hs_count, ss_count;
	struct usb_interface_descriptor fs_intf;
	struct ep_pair fs;
	struct usb_interface_descriptor hs_intf;
	struct ep_pair hs;
	struct usb_interface_descriptor ss_intf;
	struct ss_eps ss;
} __attribute__((packed)) descriptors = {
	.header = {
		.magic = LE32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2),
		.flags = LE32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC |
				 FUNCTIONFS_HAS_SS_DESC),
		.length = LE32(sizeof(descriptors)),
	},
	.fs_count = LE32(3), .hs_count = LE32(3), .ss_count = LE32(5),
	.fs_intf = intf, .fs = { EP(1 | USB_DIR_IN, 64), EP(2 | USB_DIR_OUT, 64) },
	.hs_intf = intf, .hs = { EP(1 | USB_DIR_IN, 512), EP(2 | USB_DIR_OUT, 512) },
	.ss_intf = intf,
	.ss = { EP(1 | USB_DIR_IN, 1024), COMP, EP(2 | USB_DIR_OUT, 1024), COMP },
};

#define STR "g4j source/sink"
static const struct {
	struct usb_functionfs_strings_head header;
	struct {
		__le16 code;
		const char str1[sizeof(STR)];
	} __attribute__((packed)) lang0;
} __attribute__((packed)) strings = {
	.header = {
		.magic = LE32(FUNCTIONFS_STRINGS_MAGIC),
		.length = LE32(sizeof(strings)),
		.str_count = LE32(1), .lang_count = LE32(1),
	},
	.lang0 = { LE16(0x0409), STR },
};

/* ---- gadget setup and teardown ---- */

static void gadget_up(void)
{
	char p[512];

	snprintf(gadget_dir, sizeof(gadget_dir), "/sys/kernel/config/usb_gadget/%s", name);
	snprintf(ffs_dir, sizeof(ffs_dir), "/dev/%s-ffs", name);
	mkd("%s", gadget_dir);
	wr(gadget_dir, "idVendor", "0x0525");
	wr(gadget_dir, "idProduct", "0xa4a4");
	wr(gadget_dir, "bcdUSB", "0x0300");
	mkd("%s/strings/0x409", gadget_dir);
	snprintf(p, sizeof(p), "%s/strings/0x409", gadget_dir);
	wr(p, "manufacturer", "gadget4j");
	wr(p, "product", "g4j-peer source/sink");
	wr(p, "serialnumber", "0");
	mkd("%s/configs/c.1", gadget_dir);
	mkd("%s/configs/c.1/strings/0x409", gadget_dir);
	snprintf(p, sizeof(p), "%s/configs/c.1/strings/0x409", gadget_dir);
	wr(p, "configuration", "source/sink");
	mkd("%s/functions/ffs.%s", gadget_dir, name);
	snprintf(p, sizeof(p), "%s/configs/c.1/ffs.%s", gadget_dir, name);
	{
		char target[512];

		snprintf(target, sizeof(target), "%s/functions/ffs.%s", gadget_dir, name);
		if (symlink(target, p) && errno != EEXIST)
			die("symlink %s: %s", p, strerror(errno));
	}
	mkd("%s", ffs_dir);
	if (mount(name, ffs_dir, "functionfs", 0, NULL))
		die("mount functionfs %s on %s: %s", name, ffs_dir, strerror(errno));
	snprintf(p, sizeof(p), "%s/ep0", ffs_dir);
	ep0 = open(p, O_RDWR);
	if (ep0 < 0)
		die("open %s: %s", p, strerror(errno));
	if (write(ep0, &descriptors, sizeof(descriptors)) < 0)
		die("write descriptors: %s", strerror(errno));
	if (write(ep0, &strings, sizeof(strings)) < 0)
		die("write strings: %s", strerror(errno));
	snprintf(p, sizeof(p), "%s/ep1", ffs_dir);
	ep_in = open(p, O_RDWR);
	snprintf(p, sizeof(p), "%s/ep2", ffs_dir);
	ep_out = open(p, O_RDWR);
	if (ep_in < 0 || ep_out < 0)
		die("open endpoint files: %s", strerror(errno));
}

static void gadget_bind(void)
{
	wr(gadget_dir, "UDC", udc);
}

static void gadget_down(void)
{
	char p[512];
	int fd;

	/* endpoint files first (drops DMABUF attachments), then unbind, ep0 */
	close(ep_in);
	close(ep_out);
	snprintf(p, sizeof(p), "%s/UDC", gadget_dir);
	fd = open(p, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "\n", 1) < 0 && errno != ENODEV)
			fprintf(stderr, "g4j-peer: unbind: %s\n", strerror(errno));
		close(fd);
	}
	close(ep0);
	umount(ffs_dir);
	rmdir(ffs_dir);
	snprintf(p, sizeof(p), "%s/configs/c.1/ffs.%s", gadget_dir, name);
	unlink(p);
	snprintf(p, sizeof(p), "%s/configs/c.1/strings/0x409", gadget_dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/configs/c.1", gadget_dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/functions/ffs.%s", gadget_dir, name);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/strings/0x409", gadget_dir);
	rmdir(p);
	rmdir(gadget_dir);
}

/* ---- data ---- */

static void fill_pattern(uint8_t *buf, size_t len)
{
	unsigned int mps = speed_mps;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((i % mps) % 63);
}

/* Checks one completed OUT request of len bytes; returns 0 if it was all good. */
static int check_out(const uint8_t *buf, size_t len)
{
	unsigned int mps = speed_mps;

	if (!check)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != (uint8_t)((i % mps) % 63)) {
			if (c_out.bad < 10)
				fprintf(stderr, "g4j-peer: OUT request %llu: byte %zu is %u, expected %u\n",
					(unsigned long long)c_out.requests, i, buf[i],
					(unsigned int)((i % mps) % 63));
			c_out.bad++;
			return -1;
		}
	}
	return 0;
}

static void count(struct counters *c, ssize_t res)
{
	if (res > 0) {
		c->requests++;
		c->bytes += res;
	} else if (res == 0) {
		c->zlps++;
	} else if (res == -ESHUTDOWN || res == -ECONNRESET || res == -EINTR) {
		c->shutdowns++;
	} else {
		if (c->errors < 10)
			fprintf(stderr, "g4j-peer: %s request failed: %s\n",
				c == &c_in ? "IN" : "OUT", strerror((int)-res));
		c->errors++;
	}
}

static void wait_enabled(void)
{
	pthread_mutex_lock(&mu);
	while (!enabled && !stop)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void *xalloc(size_t n)
{
	void *p = aligned_alloc(4096, (n + 4095) & ~(size_t)4095);

	if (!p)
		die("out of memory");
	return p;
}

/* ---- classic ---- */

static void *classic_in(void *arg)
{
	uint8_t *buf = xalloc(size);

	(void)arg;
	wait_enabled();
	fill_pattern(buf, size);
	while (!stop) {
		ssize_t n = write(ep_in, buf, size);

		count(&c_in, n < 0 ? -errno : n);
		if (n < 0 && errno != ESHUTDOWN && errno != ECONNRESET && errno != EINTR)
			usleep(10000);
	}
	free(buf);
	return NULL;
}

static void *classic_out(void *arg)
{
	uint8_t *buf = xalloc(size);

	(void)arg;
	while (!stop) {
		ssize_t n;

		if (check)
			memset(buf, FILL, size);
		n = read(ep_out, buf, size);
		count(&c_out, n < 0 ? -errno : n);
		if (n > 0)
			check_out(buf, n);
		else if (n < 0 && errno != ESHUTDOWN && errno != ECONNRESET && errno != EINTR)
			usleep(10000);
	}
	free(buf);
	return NULL;
}

/* ---- aio ---- */

static long sys_io_setup(unsigned int n, aio_context_t *ctx) { return syscall(SYS_io_setup, n, ctx); }
static long sys_io_destroy(aio_context_t ctx) { return syscall(SYS_io_destroy, ctx); }
static long sys_io_submit(aio_context_t ctx, long n, struct iocb **v)
{
	return syscall(SYS_io_submit, ctx, n, v);
}
static long sys_io_getevents(aio_context_t ctx, long min, long max, struct io_event *ev)
{
	return syscall(SYS_io_getevents, ctx, min, max, ev, NULL);
}

static void *aio_loop(void *arg)
{
	int in = arg != NULL;
	int fd = in ? ep_in : ep_out;
	struct counters *c = in ? &c_in : &c_out;
	aio_context_t ctx = 0;
	struct iocb *cbs = calloc(inflight, sizeof(*cbs));
	uint8_t **bufs = calloc(inflight, sizeof(*bufs));
	struct io_event ev[64];

	if (sys_io_setup(inflight, &ctx))
		die("io_setup: %s", strerror(errno));
	wait_enabled();
	for (int i = 0; i < inflight; i++) {
		bufs[i] = xalloc(size);
		if (in)
			fill_pattern(bufs[i], size);
		cbs[i].aio_fildes = fd;
		cbs[i].aio_lio_opcode = in ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
		cbs[i].aio_buf = (uintptr_t)bufs[i];
		cbs[i].aio_nbytes = size;
		cbs[i].aio_data = i;
	}
	for (int i = 0; i < inflight && !stop; i++) {
		struct iocb *p = &cbs[i];

		if (!in && check)
			memset(bufs[i], FILL, size);
		while (!stop && sys_io_submit(ctx, 1, &p) != 1) {
			count(c, -errno);
			if (errno != ESHUTDOWN && errno != EINTR)
				usleep(10000);
		}
	}
	while (!stop) {
		long n = sys_io_getevents(ctx, 1, inflight < 64 ? inflight : 64, ev);

		if (n < 0) {
			if (errno != EINTR)
				die("io_getevents: %s", strerror(errno));
			continue;
		}
		for (long k = 0; k < n; k++) {
			int i = (int)ev[k].data;
			struct iocb *p = &cbs[i];
			long res = (long)ev[k].res;

			count(c, res);
			if (!in && res > 0)
				check_out(bufs[i], res);
			if (!in && check)
				memset(bufs[i], FILL, size);
			while (!stop && sys_io_submit(ctx, 1, &p) != 1) {
				count(c, -errno);
				if (errno != ESHUTDOWN && errno != EINTR)
					usleep(10000);
			}
		}
	}
	sys_io_destroy(ctx); /* cancels what is in flight */
	for (int i = 0; i < inflight; i++)
		free(bufs[i]);
	free(bufs);
	free(cbs);
	return NULL;
}

/* ---- dmabuf ---- */

struct dbuf {
	int memfd, dmabuf, sync;
	uint8_t *map;
};

static void dbuf_create(struct dbuf *b, size_t len)
{
	static int udev = -1;
	struct udmabuf_create create = { 0 };

	if (udev < 0) {
		udev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		if (udev < 0)
			die("open /dev/udmabuf: %s", strerror(errno));
	}
	b->memfd = memfd_create("g4j-peer", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (b->memfd < 0 || ftruncate(b->memfd, len) ||
	    fcntl(b->memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		die("memfd: %s", strerror(errno));
	b->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, b->memfd, 0);
	if (b->map == MAP_FAILED)
		die("mmap memfd: %s", strerror(errno));
	create.memfd = b->memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.size = len;
	b->dmabuf = ioctl(udev, UDMABUF_CREATE, &create);
	if (b->dmabuf < 0)
		die("UDMABUF_CREATE (%zu bytes): %s", len, strerror(errno));
	b->sync = -1;
}

/*
 * CPU access brackets. Always DMA_BUF_SYNC_RW: udmabuf maps its CPU-access sg
 * table once, with the direction of the first sync, and later syncs with
 * another direction make CONFIG_DMA_API_DEBUG warn ("syncs DMA memory with
 * different direction").
 */
static void cpu_access(struct dbuf *b, int start, int write)
{
	struct dma_buf_sync s = {
		.flags = (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) | DMA_BUF_SYNC_RW,
	};

	(void)write;

	while (ioctl(b->dmabuf, DMA_BUF_IOCTL_SYNC, &s) && errno == EINTR)
		;
}

/* Queues one transfer; returns 0 or -errno. On success b->sync holds its sync_file. */
static int dbuf_queue(int fd, struct dbuf *b)
{
	struct usb_ffs_dmabuf_transfer_req req = { .fd = b->dmabuf, .length = size };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_WRITE, .fd = -1 };

	if (ioctl(fd, FUNCTIONFS_DMABUF_TRANSFER, &req))
		return -errno;
	if (ioctl(b->dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex))
		die("DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s", strerror(errno));
	b->sync = ex.fd;
	return 0;
}

/* Waits for the transfer behind b->sync; returns its status (0 or -errno), or 1 on stop. */
static int dbuf_wait(struct dbuf *b)
{
	struct pollfd pfd = { .fd = b->sync, .events = POLLIN };
	struct sync_file_info info;

	for (;;) {
		int r = poll(&pfd, 1, 200);

		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			die("poll sync_file: %s", strerror(errno));
		if (stop)
			return 1;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(b->sync, SYNC_IOC_FILE_INFO, &info))
		die("SYNC_IOC_FILE_INFO: %s", strerror(errno));
	close(b->sync);
	b->sync = -1;
	return info.status < 0 ? info.status : 0;
}

static void *dmabuf_loop(void *arg)
{
	int in = arg != NULL;
	int fd = in ? ep_in : ep_out;
	struct counters *c = in ? &c_in : &c_out;
	size_t len = (size + 4095) & ~(size_t)4095;
	struct dbuf *b = calloc(inflight, sizeof(*b));
	int head = 0;

	for (int i = 0; i < inflight; i++) {
		dbuf_create(&b[i], len);
		memset(b[i].map, FILL, len);
	}
	wait_enabled();
	for (int i = 0; i < inflight; i++) {
		int dfd = b[i].dmabuf;

		if (in)
			fill_pattern(b[i].map, size);
		if (ioctl(fd, FUNCTIONFS_DMABUF_ATTACH, &dfd))
			die("FUNCTIONFS_DMABUF_ATTACH (%s): %s", in ? "IN" : "OUT", strerror(errno));
	}
	/* queue all, then complete in order and queue again */
	for (int i = 0; i < inflight && !stop; i++) {
		int r;

		while (!stop && (r = dbuf_queue(fd, &b[i])) < 0) {
			count(c, r);
			if (r != -ESHUTDOWN && r != -EINTR)
				usleep(10000);
		}
	}
	while (!stop) {
		struct dbuf *cur = &b[head];
		int r = dbuf_wait(cur);

		if (r == 1)
			break;
		run_user_work();
		if (r < 0) {
			count(c, r);
		} else if (in || !check) {
			/*
			 * Without checks nothing looks at OUT data, as the Java sink
			 * without a handler: no CPU access bracket, and the request
			 * counts as full (the fill is written once, so its first
			 * byte would tell a zero-length packet only the first time).
			 */
			count(c, size);
		} else {
			/* OUT never reports its length: a zero-length packet leaves the fill */
			cpu_access(cur, 1, 0);
			if (cur->map[0] == FILL) {
				count(c, 0);
			} else {
				count(c, size);
				check_out(cur->map, size);
			}
			cpu_access(cur, 0, 0);
			cpu_access(cur, 1, 1);
			memset(cur->map, FILL, size);
			cpu_access(cur, 0, 1);
		}
		while (!stop && (r = dbuf_queue(fd, cur)) < 0) {
			count(c, r);
			if (r != -ESHUTDOWN && r != -EINTR)
				usleep(10000);
		}
		head = (head + 1) % inflight;
	}
	/* sync_files must go before the endpoint file drops the attachments */
	for (int i = 0; i < inflight; i++)
		if (b[i].sync >= 0)
			close(b[i].sync);
	return NULL;
}

/* ---- ep0 ---- */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_stats(FILE *f)
{
	fprintf(f, "mode=%s size=%zu inflight=%d mps=%u\n",
		mode == CLASSIC ? "classic" : mode == AIO ? "aio" : "dmabuf", size, inflight,
		(unsigned int)speed_mps);
	fprintf(f, "in_requests=%llu in_bytes=%llu in_shutdowns=%llu in_errors=%llu\n",
		(unsigned long long)c_in.requests, (unsigned long long)c_in.bytes,
		(unsigned long long)c_in.shutdowns, (unsigned long long)c_in.errors);
	fprintf(f, "out_requests=%llu out_bytes=%llu out_zlps=%llu out_shutdowns=%llu out_errors=%llu out_bad=%llu\n",
		(unsigned long long)c_out.requests, (unsigned long long)c_out.bytes,
		(unsigned long long)c_out.zlps, (unsigned long long)c_out.shutdowns,
		(unsigned long long)c_out.errors, (unsigned long long)c_out.bad);
}

static void usage(void)
{
	fprintf(stderr, "usage: g4j-peer --mode classic|aio|dmabuf --size N [--inflight K] "
		"[--no-check] [--name NAME] [--udc UDC] [--stats FILE] [--ready FILE] [--user-work N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	pthread_t t_in, t_out;
	struct sigaction sa = { .sa_handler = on_signal };
	void *(*fn_in)(void *), *(*fn_out)(void *);
	int verbose = getenv("G4J_PEER_VERBOSE") != NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-check")) {
			check = 0;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "classic"))
				mode = CLASSIC;
			else if (!strcmp(v, "aio"))
				mode = AIO;
			else if (!strcmp(v, "dmabuf"))
				mode = DMABUF;
			else
				usage();
		} else if (!strcmp(a, "--size")) {
			size = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--inflight")) {
			inflight = atoi(v);
		} else if (!strcmp(a, "--name")) {
			name = v;
		} else if (!strcmp(a, "--udc")) {
			udc = v;
		} else if (!strcmp(a, "--stats")) {
			stats_path = v;
		} else if (!strcmp(a, "--ready")) {
			ready = v;
		} else if (!strcmp(a, "--user-work")) {
			user_work = atoi(v);
		} else {
			usage();
		}
	}
	if (size == 0 || inflight < 1 || inflight > 64 || user_work < 0)
		usage();
	if (mode == CLASSIC)
		inflight = 1;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: wakes blocked workers */

	gadget_up();
	{
		sigset_t set;

		/* SIGINT/SIGTERM go to the ep0 loop; workers only get SIGUSR1 */
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		fn_in = mode == CLASSIC ? classic_in : mode == AIO ? aio_loop : dmabuf_loop;
		fn_out = mode == CLASSIC ? classic_out : mode == AIO ? aio_loop : dmabuf_loop;
		pthread_create(&t_in, NULL, fn_in, (void *)1);
		pthread_create(&t_out, NULL, fn_out, NULL);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	gadget_bind();

	while (!stop) {
		struct usb_functionfs_event ev[4];
		ssize_t n = read(ep0, ev, sizeof(ev));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read ep0: %s", strerror(errno));
		}
		for (int i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			if (verbose)
				fprintf(stderr, "g4j-peer: event %d\n", ev[i].type);
			switch (ev[i].type) {
			case FUNCTIONFS_ENABLE: {
				struct usb_endpoint_descriptor d;

				if (ioctl(ep_in, FUNCTIONFS_ENDPOINT_DESC, &d) == 0)
					speed_mps = le16toh(d.wMaxPacketSize) & 0x7ff;
				pthread_mutex_lock(&mu);
				enabled = 1;
				pthread_cond_broadcast(&cv);
				pthread_mutex_unlock(&mu);
				if (ready) {
					FILE *f = fopen(ready, "w");

					if (f)
						fclose(f);
					ready = NULL;
				}
				break;
			}
			case FUNCTIONFS_DISABLE:
				break;
			case FUNCTIONFS_SETUP:
				/*
				 * Nothing is supported: stall. FunctionFS halts ep0 when the
				 * driver does I/O against the request's direction (a read for
				 * an IN request, a write for an OUT one) and fails that call
				 * with EL2HLT; I/O in the request's own direction would answer
				 * it (a zero-length status) instead.
				 */
				if (ev[i].u.setup.bRequestType & USB_DIR_IN) {
					if (read(ep0, NULL, 0) < 0 && errno != EL2HLT && verbose)
						perror("stall");
				} else if (write(ep0, NULL, 0) < 0 && errno != EL2HLT && verbose) {
					perror("stall");
				}
				break;
			default:
				break;
			}
		}
	}

	/* wake the workers until they are gone, then tear down */
	pthread_mutex_lock(&mu);
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int done = 0; done < 2;) {
		struct timespec ts;
		pthread_t *t = done == 0 ? &t_in : &t_out;

		pthread_kill(*t, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(*t, NULL, &ts) == 0)
			done++;
	}
	gadget_down();
	print_stats(stderr);
	if (stats_path) {
		FILE *f = fopen(stats_path, "w");

		if (f) {
			print_stats(f);
			fclose(f);
		}
	}
	return c_out.bad || c_in.errors || c_out.errors ? 1 : 0;
}
