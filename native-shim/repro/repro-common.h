/*
 * Shared setup for the FunctionFS DMABUF kernel reproducers: a configfs gadget with one
 * FunctionFS function (one interface, bulk IN ep1 and bulk OUT ep2), bound to the first UDC
 * (dummy_udc.0 in the VM), plus a udmabuf over a sealed memfd.
 *
 * Everything is printed as it happens, so that the guest log shows how far a run got before
 * the kernel oopsed.
 */
#ifndef REPRO_COMMON_H
#define REPRO_COMMON_H

#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

/* The descriptor blobs below are little-endian constants (glibc's htole32 is no constant). */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the reproducers assume a little-endian machine"
#endif
#define LE16(x) ((__le16)(x))
#define LE32(x) ((__le32)(x))

#define GADGET_NAME "g4jrepro"
#define CONFIGFS "/sys/kernel/config"
#define GADGET_DIR CONFIGFS "/usb_gadget/" GADGET_NAME
#define BUF_SIZE (64 * 1024)

static const char *prog = "repro";

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s: ", prog);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void die(const char *what)
{
	say("setup failed: %s: %s", what, strerror(errno));
	exit(2);
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -1 : 0;
}

static void write_or_die(const char *path, const char *value)
{
	if (write_file(path, value) < 0)
		die(path);
}

static void mkdir_or_die(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
}

struct gadget {
	char mnt[512];
	char udc[256];
	int ep0;
	int ep_in;	/* ep1, bulk IN */
	int ep_out;	/* ep2, bulk OUT */
};

static void gadget_teardown_paths(const char *mnt)
{
	if (write_file(GADGET_DIR "/UDC", "\n") < 0 && errno != ENOENT && errno != ENODEV)
		say("teardown: unbind: %s", strerror(errno));
	if (mnt && mnt[0]) {
		umount2(mnt, MNT_DETACH);
		rmdir(mnt);
	}
	unlink(GADGET_DIR "/configs/c.1/ffs." GADGET_NAME);
	rmdir(GADGET_DIR "/configs/c.1/strings/0x409");
	rmdir(GADGET_DIR "/configs/c.1");
	rmdir(GADGET_DIR "/functions/ffs." GADGET_NAME);
	rmdir(GADGET_DIR "/strings/0x409");
	rmdir(GADGET_DIR);
}

static void find_udc(char *out, size_t len)
{
	DIR *d = opendir("/sys/class/udc");
	struct dirent *e;

	if (!d)
		die("/sys/class/udc");
	out[0] = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(out, len, "%s", e->d_name);
		break;
	}
	closedir(d);
	if (!out[0]) {
		errno = ENODEV;
		die("no UDC in /sys/class/udc (is dummy_hcd loaded?)");
	}
}

struct ep_desc_no_audio {
	__u8 bLength;
	__u8 bDescriptorType;
	__u8 bEndpointAddress;
	__u8 bmAttributes;
	__le16 wMaxPacketSize;
	__u8 bInterval;
} __attribute__((packed));

static const struct {
	struct usb_functionfs_descs_head_v2 header;
	__le32 fs_count;
	__le32 hs_count;
	struct {
		struct usb_interface_descriptor intf;
		struct ep_desc_no_audio in, out;
	} __attribute__((packed)) fs, hs;
} __attribute__((packed)) descriptors = {
	.header = {
		.magic = LE32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2),
		.flags = LE32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC),
		.length = LE32(sizeof(descriptors)),
	},
	.fs_count = LE32(3),
	.hs_count = LE32(3),
	.fs = {
		.intf = { .bLength = sizeof(struct usb_interface_descriptor),
			  .bDescriptorType = USB_DT_INTERFACE, .bNumEndpoints = 2,
			  .bInterfaceClass = USB_CLASS_VENDOR_SPEC, .iInterface = 1 },
		.in = { .bLength = sizeof(struct ep_desc_no_audio),
			.bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 1 | USB_DIR_IN,
			.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = LE16(64) },
		.out = { .bLength = sizeof(struct ep_desc_no_audio),
			 .bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 2 | USB_DIR_OUT,
			 .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = LE16(64) },
	},
	.hs = {
		.intf = { .bLength = sizeof(struct usb_interface_descriptor),
			  .bDescriptorType = USB_DT_INTERFACE, .bNumEndpoints = 2,
			  .bInterfaceClass = USB_CLASS_VENDOR_SPEC, .iInterface = 1 },
		.in = { .bLength = sizeof(struct ep_desc_no_audio),
			.bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 1 | USB_DIR_IN,
			.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = LE16(512) },
		.out = { .bLength = sizeof(struct ep_desc_no_audio),
			 .bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 2 | USB_DIR_OUT,
			 .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = LE16(512) },
	},
};

#define STR_INTERFACE "gadget4j kernel reproducer"

static const struct {
	struct usb_functionfs_strings_head header;
	struct {
		__le16 code;
		char str1[sizeof(STR_INTERFACE)];
	} __attribute__((packed)) lang0;
} __attribute__((packed)) strings = {
	.header = {
		.magic = LE32(FUNCTIONFS_STRINGS_MAGIC),
		.length = LE32(sizeof(strings)),
		.str_count = LE32(1),
		.lang_count = LE32(1),
	},
	.lang0 = { LE16(0x0409), STR_INTERFACE },
};

/* Reads ep0 events until one of type 'want' arrives; 0 on success, -1 on timeout. */
static int wait_event(int ep0, int want, int timeout_ms)
{
	static const char *const names[] = { "BIND", "UNBIND", "ENABLE", "DISABLE",
					     "SETUP", "SUSPEND", "RESUME" };
	struct usb_functionfs_event ev[4];
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = ep0, .events = POLLIN };
		int left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - (int)((now.tv_sec - start.tv_sec) * 1000 +
					  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		n = read(ep0, ev, sizeof(ev));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("read ep0 events");
		}
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			int t = ev[i].type;

			say("ep0 event %s", t < 7 ? names[t] : "?");
			if (t == FUNCTIONFS_SETUP) {
				/*
				 * No class requests here: stall them. FunctionFS halts ep0
				 * for I/O against the request's direction (read for IN,
				 * write for OUT; the call fails with EL2HLT); I/O in its
				 * own direction would acknowledge the request instead.
				 */
				if (ev[i].u.setup.bRequestType & USB_DIR_IN) {
					if (read(ep0, NULL, 0) < 0) { /* stalled: EL2HLT */ }
				} else {
					if (write(ep0, NULL, 0) < 0) { /* stalled: EL2HLT */ }
				}
			}
			if (t == want)
				return 0;
		}
	}
}

static void gadget_bind(struct gadget *g)
{
	say("bind: echo %s > " GADGET_DIR "/UDC", g->udc);
	write_or_die(GADGET_DIR "/UDC", g->udc);
	if (wait_event(g->ep0, FUNCTIONFS_ENABLE, 10000) < 0) {
		errno = ETIMEDOUT;
		die("waiting for ENABLE on ep0 (did the host side enumerate the gadget?)");
	}
}

/* Composes the gadget, mounts FunctionFS, writes descriptors, opens the endpoints, binds. */
static void gadget_setup(struct gadget *g)
{
	const char *base = getenv("GADGET4J_VM_OUT");
	char path[600];

	if (system("modprobe -q libcomposite 2>/dev/null; modprobe -q usb_f_fs 2>/dev/null; "
		   "modprobe -q dummy_hcd 2>/dev/null; true") < 0) {
		/* the modules may be built in; a missing modprobe is not an error */
	}
	if (access(CONFIGFS "/usb_gadget", F_OK) < 0 &&
	    mount("none", CONFIGFS, "configfs", 0, NULL) < 0 && errno != EBUSY)
		die("mount configfs");
	gadget_teardown_paths(NULL); /* leftovers of an earlier, interrupted run */

	find_udc(g->udc, sizeof(g->udc));
	mkdir_or_die(GADGET_DIR);
	write_or_die(GADGET_DIR "/idVendor", "0x1d6b");
	write_or_die(GADGET_DIR "/idProduct", "0x0104");
	/* The blobs have FS and HS descriptors only; dummy_hcd would connect at SuperSpeed. */
	write_or_die(GADGET_DIR "/max_speed", "high-speed");
	mkdir_or_die(GADGET_DIR "/strings/0x409");
	write_or_die(GADGET_DIR "/strings/0x409/product", "gadget4j kernel reproducer");
	mkdir_or_die(GADGET_DIR "/configs/c.1");
	mkdir_or_die(GADGET_DIR "/functions/ffs." GADGET_NAME);
	if (symlink(GADGET_DIR "/functions/ffs." GADGET_NAME,
		    GADGET_DIR "/configs/c.1/ffs." GADGET_NAME) < 0 && errno != EEXIST)
		die("link function into config");

	snprintf(g->mnt, sizeof(g->mnt), "%s/ffs-%s-%d", base ? base : "/tmp", GADGET_NAME,
		 (int)getpid());
	mkdir_or_die(g->mnt);
	if (mount(GADGET_NAME, g->mnt, "functionfs", 0, NULL) < 0)
		die("mount functionfs");
	say("composed gadget " GADGET_NAME " (ffs." GADGET_NAME ", functionfs on %s)", g->mnt);

	snprintf(path, sizeof(path), "%s/ep0", g->mnt);
	g->ep0 = open(path, O_RDWR);
	if (g->ep0 < 0)
		die(path);
	if (write(g->ep0, &descriptors, sizeof(descriptors)) < 0)
		die("write descriptors");
	if (write(g->ep0, &strings, sizeof(strings)) < 0)
		die("write strings");
	snprintf(path, sizeof(path), "%s/ep1", g->mnt);
	g->ep_in = open(path, O_RDWR);
	if (g->ep_in < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/ep2", g->mnt);
	g->ep_out = open(path, O_RDWR);
	if (g->ep_out < 0)
		die(path);
	gadget_bind(g);
	say("gadget bound to %s, endpoints enabled", g->udc);
}

static void gadget_teardown(struct gadget *g)
{
	if (g->ep_in >= 0)
		close(g->ep_in);
	if (g->ep_out >= 0)
		close(g->ep_out);
	if (g->ep0 >= 0)
		close(g->ep0);	/* unbinds the gadget by itself if still bound */
	gadget_teardown_paths(g->mnt);
	say("gadget torn down");
}

/* A udmabuf over a sealed memfd: the dmabuf FunctionFS imports. */
static int make_udmabuf(size_t size)
{
	struct udmabuf_create create = { 0 };
	int memfd, dev, buf;

	memfd = memfd_create("g4jrepro", MFD_ALLOW_SEALING);
	if (memfd < 0)
		die("memfd_create");
	if (ftruncate(memfd, size) < 0)
		die("ftruncate memfd");
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		die("seal memfd");
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		die("/dev/udmabuf");
	create.memfd = memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.offset = 0;
	create.size = size;
	buf = ioctl(dev, UDMABUF_CREATE, &create);
	if (buf < 0)
		die("UDMABUF_CREATE");
	close(dev);
	close(memfd);
	say("udmabuf fd %d, %zu bytes", buf, size);
	return buf;
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "success";
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case ESHUTDOWN: return "ESHUTDOWN";
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EINTR: return "EINTR";
	case EBUSY: return "EBUSY";
	default: return strerror(e);
	}
}

/* ioctl returning 0 or the errno it failed with */
static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

/* ATTACH buf to the endpoint file ep (named epname in the log), or fails the setup. */
static inline void attach_or_die(int ep, const char *epname, int buf)
{
	int err = xioctl(ep, FUNCTIONFS_DMABUF_ATTACH, &buf);

	say("ATTACH udmabuf to %s: %s", epname, errname(err));
	if (err) {
		errno = err;
		die("ATTACH (does the UDC support scatter-gather? kernel-patches 0001)");
	}
}

/* TRANSFER all of buf on bulk IN ep1, which stays pending: nobody reads on the host. */
static inline void transfer_pending_or_die(int ep_in, int buf)
{
	struct usb_ffs_dmabuf_transfer_req req = { .fd = buf, .length = BUF_SIZE };
	int err = xioctl(ep_in, FUNCTIONFS_DMABUF_TRANSFER, &req);

	say("TRANSFER %d bytes on ep1 (nobody reads on the host: stays pending): %s",
	    BUF_SIZE, errname(err));
	if (err) {
		errno = err;
		die("TRANSFER on ep1");
	}
}

/* Opens /dev/kmsg positioned after the newest record, or returns -1. */
static inline int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Returns 1 if a record read from fd since it was opened is a kernel report: KASAN, a BUG,
 * an oops, or a WARNING (lockdep prints its reports as warnings).
 */
static inline int kmsg_has_report(int fd)
{
	char rec[8192];
	int found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)
				continue;	/* overwritten records */
			break;			/* EAGAIN: no more */
		}
		rec[n] = 0;
		if (strstr(rec, "KASAN") || strstr(rec, "BUG:") || strstr(rec, "WARNING:") ||
		    strstr(rec, "general protection fault")) {
			char *msg = strchr(rec, ';');

			say("kernel: %s", msg ? msg + 1 : rec);
			found = 1;
		}
	}
	return found;
}

#endif
