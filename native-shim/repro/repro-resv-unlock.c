/*
 * Reproducer for the lock order of FUNCTIONFS_DMABUF_TRANSFER (kernel-patches 0005): 6.12's
 * ffs_dmabuf_transfer() unlocks the dmabuf's reservation (a ww_mutex) while it holds
 * ffs->eps_lock. eps_lock is taken in interrupt context (the UDC's setup and completion
 * callbacks), the mutex's internal wait_lock is not: when the reservation has a waiter, the
 * unlock takes wait_lock under eps_lock, and lockdep reports a SOFTIRQ-safe -> SOFTIRQ-unsafe
 * lock order (a deadlock when the interrupt comes on the CPU that holds wait_lock).
 *
 * ATTACH one udmabuf to bulk IN ep1 and bulk OUT ep2 and TRANSFER it on ep1: nobody reads on
 * the host, so its fence stays pending. A thread TRANSFERs the buffer on ep2, which waits for
 * that fence while holding the reservation. A second thread polls the dmabuf, which locks the
 * reservation and so sleeps as the mutex's waiter. DETACH from ep1 then cancels the first
 * transfer: its fence signals, the ep2 TRANSFER goes on and unlocks the reservation, which now
 * has a waiter.
 *
 * Unfixed kernel with lockdep: "WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected"
 * from ffs_dmabuf_transfer() in the guest log (once per boot: lockdep stops after its first
 * report). Fixed kernel: nothing in the log. The program scans /dev/kmsg for a report caused by
 * its own steps.
 *
 * Exit status: 0 when the kernel behaved, 1 when it did not, 2 when the setup failed.
 */
#include "repro-common.h"

#include <pthread.h>

static int buf = -1;
static int ep_out = -1;
static int transfer_err = -1;

/* TRANSFER on ep2: waits for ep1's pending fence while it holds the reservation. */
static void *transfer_out(void *arg)
{
	struct usb_ffs_dmabuf_transfer_req req = { .fd = buf, .length = BUF_SIZE };

	(void)arg;
	transfer_err = xioctl(ep_out, FUNCTIONFS_DMABUF_TRANSFER, &req);
	return NULL;
}

/* poll(dmabuf) locks the reservation: it sleeps as the mutex's waiter until TRANSFER unlocks. */
static void *poll_dmabuf(void *arg)
{
	struct pollfd p = { .fd = buf, .events = POLLIN };

	(void)arg;
	if (poll(&p, 1, 0) < 0) { /* its result does not matter, only the lock it takes */ }
	return NULL;
}

int main(void)
{
	struct gadget g = { .ep0 = -1, .ep_in = -1, .ep_out = -1 };
	pthread_t transfer, poller;
	int err, kmsg, r;

	prog = "repro-resv-unlock";
	gadget_setup(&g);
	ep_out = g.ep_out;
	buf = make_udmabuf(BUF_SIZE);
	kmsg = kmsg_open_at_end();

	attach_or_die(g.ep_in, "ep1", buf);
	attach_or_die(g.ep_out, "ep2", buf);
	transfer_pending_or_die(g.ep_in, buf);

	say("TRANSFER on ep2 in a thread: waits for ep1's fence, holding the reservation");
	if (pthread_create(&transfer, NULL, transfer_out, NULL))
		die("pthread_create");
	usleep(300 * 1000);
	say("poll(dmabuf) in a thread: sleeps on the reservation");
	if (pthread_create(&poller, NULL, poll_dmabuf, NULL))
		die("pthread_create");
	usleep(300 * 1000);

	err = xioctl(g.ep_in, FUNCTIONFS_DMABUF_DETACH, &buf);
	say("DETACH from ep1 (cancels its transfer, signals its fence): %s", errname(err));
	if (err) {
		errno = err;
		die("DETACH from ep1");
	}
	pthread_join(transfer, NULL);
	pthread_join(poller, NULL);
	say("TRANSFER on ep2 returned: %s", errname(transfer_err));
	usleep(200 * 1000);

	r = kmsg_has_report(kmsg);
	if (kmsg >= 0)
		close(kmsg);
	gadget_teardown(&g);
	close(buf);
	if (r) {
		say("FAIL: the kernel reported a problem");
		return 1;
	}
	if (transfer_err) {
		say("FAIL: TRANSFER on ep2 failed with %s once ep1's fence signalled",
		    errname(transfer_err));
		return 1;
	}
	say("PASS: no kernel report%s", kmsg < 0 ? " (could not read /dev/kmsg)" : "");
	return 0;
}
