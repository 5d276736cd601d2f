package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.Libc;
import dev.gadget4j.linux.sys.Poll;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The URB ioctls on a usbfs device file, for {@link UrbQueue}: results as {@code -errno}, no
 * exception on the expected outcomes (EAGAIN: nothing to reap; EINVAL: not in flight), EBADF once
 * the file is closed. Not critical downcalls: every usbfs ioctl takes the device lock.
 */
final class UsbfsUrbCalls implements UrbQueue.Usbfs {
    private final Fd fd;
    /** REAPURBNDELAY's {@code void **} result: used by the reaping thread only. */
    private final MemorySegment reaped = Arena.ofAuto().allocate(ValueLayout.ADDRESS);

    UsbfsUrbCalls(Fd fd) {
        this.fd = fd;
    }

    @Override
    public int submit(MemorySegment urb) {
        return ioctl(Ioctl.USBDEVFS_SUBMITURB, urb);
    }

    @Override
    public int discard(MemorySegment urb) {
        // DISCARDURB's argument is the URB's user address, which is what a pointer argument passes.
        return ioctl(Ioctl.USBDEVFS_DISCARDURB, urb);
    }

    @Override
    public long reapNoDelay() {
        int r = ioctl(Ioctl.USBDEVFS_REAPURBNDELAY, reaped);
        return r < 0 ? r : reaped.get(ValueLayout.ADDRESS, 0).address();
    }

    @Override
    public void awaitCompletion(long millis) {
        try {
            Poll.poll(fd, Constants.POLLOUT, millis);
        } catch (GadgetException e) {
            // EBADF: the next reap says so
        }
    }

    private int ioctl(long request, MemorySegment arg) {
        if (!fd.tryAcquire()) {
            return -Errno.EBADF.number();
        }
        try {
            int r;
            do {
                r = Libc.ioctlOnce(fd.number(), request, arg);
            } while (r == -Errno.EINTR.number());
            return r;
        } finally {
            fd.release();
        }
    }
}
