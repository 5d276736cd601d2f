/*
 * Reproducer for the use-after-free of a FunctionFS DMABUF fence's lock (kernel-patches 0003):
 * the fence of a transfer was initialised with the attachment's spinlock, and the attachment is
 * freed when the endpoint file is closed while an exported sync_file still holds the fence.
 *
 * ATTACH a udmabuf to bulk IN ep1, TRANSFER it (no host reads, so it stays pending), export the
 * dmabuf's fences as a sync_file (DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_SYNC_WRITE), poll it,
 * close the endpoint file (cancels the transfer, signals the fence, frees the attachment), then
 * poll and close the sync_file. sync_file_release() takes the fence's lock.
 *
 * Unfixed kernel with KASAN: "BUG: KASAN: slab-use-after-free" in the guest log (without KASAN
 * the bad access goes unnoticed). Fixed kernel: nothing in the log. The program also scans
 * /dev/kmsg for a KASAN report caused by its last steps.
 *
 * Exit status: 0 when the kernel behaved, 1 when it did not, 2 when the setup failed.
 */
#include "repro-common.h"

int main(void)
{
	struct dma_buf_export_sync_file exp = { 0 };
	struct gadget g = { .ep0 = -1, .ep_in = -1, .ep_out = -1 };
	struct pollfd p;
	int buf, err, kmsg, r;

	prog = "repro-syncfile-uaf";
	gadget_setup(&g);
	buf = make_udmabuf(BUF_SIZE);
	kmsg = kmsg_open_at_end();

	attach_or_die(g.ep_in, "ep1", buf);
	transfer_pending_or_die(g.ep_in, buf);

	exp.flags = DMA_BUF_SYNC_WRITE;
	exp.fd = -1;
	err = xioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp);
	say("EXPORT_SYNC_FILE (DMA_BUF_SYNC_WRITE): %s, sync_file fd %d", errname(err), exp.fd);
	if (err) {
		errno = err;
		die("DMA_BUF_IOCTL_EXPORT_SYNC_FILE");
	}

	p = (struct pollfd){ .fd = exp.fd, .events = POLLIN };
	r = poll(&p, 1, 0);
	say("poll(sync_file) while the transfer is pending: %d (0 = not signalled)", r);

	say("close(ep1): cancels the transfer and drops the attachment");
	close(g.ep_in);
	g.ep_in = -1;

	p = (struct pollfd){ .fd = exp.fd, .events = POLLIN };
	r = poll(&p, 1, 2000);
	say("poll(sync_file) after close(ep1): %d (1 = signalled)", r);
	/* Let the FunctionFS cleanup work run and free the attachment. */
	usleep(300 * 1000);

	say("close(sync_file): an unfixed kernel takes the freed attachment's lock here");
	close(exp.fd);
	usleep(200 * 1000);

	r = kmsg_has_report(kmsg);
	if (kmsg >= 0)
		close(kmsg);
	close(buf);
	gadget_teardown(&g);
	if (r) {
		say("FAIL: the kernel reported a bad memory access");
		return 1;
	}
	say("PASS: no kernel report%s", kmsg < 0 ? " (could not read /dev/kmsg)" : "");
	return 0;
}
