/*
 * Reproducer for the NULL ffs->gadget dereference in FunctionFS's DMABUF ioctls (kernel-patches
 * 0002): ATTACH a udmabuf to a bulk endpoint, unbind the gadget from its UDC while the endpoint
 * file stays open, then TRANSFER and DETACH.
 *
 * Unfixed 6.12 kernel: the TRANSFER oopses in ffs_dmabuf_find_attachment() (this process is
 * killed, the guest log has the oops). Fixed kernel: both ioctls fail with ENODEV, ATTACH
 * with EPERM as it always has; after binding again to the same UDC, DETACH finds the
 * attachment and succeeds.
 *
 * Exit status: 0 when the kernel behaved, 1 when it did not, 2 when the setup failed.
 */
#include "repro-common.h"

static void gadget_unbind(void)
{
	say("unbind: echo \"\" > " GADGET_DIR "/UDC");
	write_or_die(GADGET_DIR "/UDC", "\n");
}

int main(void)
{
	struct usb_ffs_dmabuf_transfer_req req = { 0 };
	struct gadget g = { .ep0 = -1, .ep_in = -1, .ep_out = -1 };
	int buf, err, ok = 1;

	prog = "repro-unbind-transfer";
	gadget_setup(&g);
	buf = make_udmabuf(BUF_SIZE);

	err = xioctl(g.ep_in, FUNCTIONFS_DMABUF_ATTACH, &buf);
	say("ATTACH udmabuf to ep1 (bound): %s", errname(err));
	if (err) {
		errno = err;
		die("ATTACH while bound (does the UDC support scatter-gather? kernel-patches 0001)");
	}

	gadget_unbind();

	req.fd = buf;
	req.length = BUF_SIZE;
	say("TRANSFER on ep1 after unbind (an unfixed kernel oopses here)");
	err = xioctl(g.ep_in, FUNCTIONFS_DMABUF_TRANSFER, &req);
	say("TRANSFER after unbind: %s", errname(err));
	if (err != ENODEV) {
		say("FAIL: expected ENODEV");
		ok = 0;
	}

	say("DETACH on ep1 after unbind");
	err = xioctl(g.ep_in, FUNCTIONFS_DMABUF_DETACH, &buf);
	say("DETACH after unbind: %s", errname(err));
	if (err != ENODEV) {
		say("FAIL: expected ENODEV");
		ok = 0;
	}

	err = xioctl(g.ep_in, FUNCTIONFS_DMABUF_ATTACH, &buf);
	say("ATTACH after unbind: %s", errname(err));
	if (err != EPERM) {
		say("FAIL: expected EPERM");
		ok = 0;
	}

	/* The attachment made for this UDC is still there: found again once bound to it. */
	gadget_bind(&g);
	err = xioctl(g.ep_in, FUNCTIONFS_DMABUF_DETACH, &buf);
	say("DETACH after binding to %s again: %s", g.udc, errname(err));
	if (err) {
		say("FAIL: expected success");
		ok = 0;
	}

	close(buf);
	gadget_teardown(&g);
	say("%s", ok ? "PASS: every call failed cleanly while unbound" : "FAIL");
	return ok ? 0 : 1;
}
