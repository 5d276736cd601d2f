package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.UsbfsAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * Asynchronous bulk URBs on one usbfs handle: SUBMITURB, completions reaped by whichever thread
 * awaits (REAPURBNDELAY until EAGAIN, poll for POLLOUT in between, no thread of its own), DISCARDURB
 * to cancel (the URB then completes with ENOENT).
 *
 * <p>The URB structs are {@value #DEPTH} slots allocated once with the queue. A slot is freed only
 * when the kernel has handed it back (reaped, or refused at submit) and the request has been
 * completed under the monitor, and DISCARDURB is issued under that same monitor after checking the
 * request is not done: so DISCARDURB never names a URB that a concurrent reaper took back and a
 * newer request was given (usbfs would cancel the newer one). A URB reaped but not yet completed is
 * unknown to usbfs, which answers EINVAL: cancel() then returns false.
 */
final class UrbQueue {
    static final int DEPTH = 64;
    /** How long one reaping wait sleeps in poll before it looks at the deadline again. */
    private static final long POLL_SLICE_MILLIS = 200;

    /** The usbfs calls the queue makes (the device file; a fake in tests). */
    interface Usbfs {
        /** USBDEVFS_SUBMITURB: 0, or {@code -errno}. */
        int submit(MemorySegment urb);

        /** USBDEVFS_DISCARDURB: 0, or {@code -errno} (EINVAL: not in flight). */
        int discard(MemorySegment urb);

        /** USBDEVFS_REAPURBNDELAY: the address of a completed URB, or {@code -errno} (EAGAIN: none yet). */
        long reapNoDelay();

        /** Waits up to {@code millis} for a completion to reap (poll for POLLOUT). */
        void awaitCompletion(long millis);
    }

    private final Usbfs usbfs;
    private final String path;
    private final LockWord reaping = new LockWord();
    private final ReapMonitor monitor = new ReapMonitor();
    private final Waits.Reap reapFor = this::reapFor;
    private final Waits.Reap reapNow = nanos -> reapAll();
    /** Guarded by monitor. */
    private final RequestSlots<Urb> slots = new RequestSlots<>(DEPTH);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment urbArray;
    private final MemorySegment[] urbs = new MemorySegment[DEPTH];
    private final long stride = UsbfsAbi.Urb.LAYOUT.byteSize();
    /** Guarded by monitor. */
    private boolean closed;

    UrbQueue(Usbfs usbfs, String path) {
        this.usbfs = usbfs;
        this.path = path;
        urbArray = arena.allocate(stride * DEPTH, 8);
        for (int i = 0; i < DEPTH; i++) {
            urbs[i] = urbArray.asSlice(i * stride, stride);
        }
    }

    /** A submitted URB. */
    final class Urb implements IoRequest, Waits.Completion {
        private final int endpoint;
        private final boolean in;
        private final MemorySegment user;
        /** Set once at submit, monitor held. */
        private int slot;
        private MemorySegment buffer;
        /** Written under the monitor, last in {@link #complete}: see {@link Waits.Completion}. */
        private volatile boolean done;
        private int actual;
        private Errno error;

        private Urb(int endpoint, MemorySegment user) {
            this.endpoint = endpoint;
            this.in = (endpoint & 0x80) != 0;
            this.user = user;
        }

        @Override
        public boolean completed() {
            return done;
        }

        /** Monitor held: records the outcome and frees the slot (the kernel no longer refers to it). */
        private void complete(int status, int actualLength) {
            if (done) {
                return;
            }
            if (status < 0) {
                error = Waits.errno(-status);
            }
            actual = actualLength;
            if (in && buffer != user && actualLength > 0) {
                MemorySegment.copy(buffer, 0, user, 0, actualLength);
            }
            done = true;
            slots.release(slot);
            monitor.wakeAll();
        }

        @Override
        public boolean isDone() {
            return Waits.reapedNow(reaping, monitor, this, reapNow);
        }

        @Override
        public int await(Duration timeout) {
            long now = System.nanoTime();
            if (!Waits.awaitReaped(reaping, monitor, this, now + Waits.nanos(timeout), now, reapFor,
                    "USBDEVFS_REAPURB", path)) {
                throw new GadgetException("USBDEVFS_REAPURB", path, Errno.ETIMEDOUT, String.format(
                        "URB on endpoint 0x%02x not complete after %s", endpoint & 0xff, timeout));
            }
            if (error != null) {
                throw new GadgetException("USBDEVFS_SUBMITURB", path, error, String.format(
                        "URB on endpoint 0x%02x completed with %s%s", endpoint & 0xff, error.name(),
                        error == Errno.EPIPE ? " (the endpoint is halted)" : error == Errno.ENOENT ? " (cancelled)" : ""));
            }
            return actual;
        }

        @Override
        public boolean cancel() {
            // Under the monitor: the slot cannot be completed, freed and given to a newer URB
            // between the check and the ioctl.
            synchronized (monitor) {
                if (done) {
                    return false;
                }
                return usbfs.discard(urbs[slot]) == 0;
            }
        }
    }

    /**
     * SUBMITURB of a bulk transfer; heap segments go through the slot's bounce buffer.
     *
     * @throws GadgetException with the errno of SUBMITURB (the caller explains it)
     */
    IoRequest submit(int endpoint, MemorySegment data, boolean zeroPacket) {
        Urb u = new Urb(endpoint & 0xff, data);
        MemorySegment urb;
        synchronized (monitor) {
            if (closed) {
                throw new GadgetException("USBDEVFS_SUBMITURB", path, Errno.EBADF, "the device handle is closed");
            }
            int slot = slots.take(u);
            if (slot < 0) {
                throw new GadgetException("USBDEVFS_SUBMITURB", path, Errno.EAGAIN,
                        DEPTH + " URBs are in flight on this handle");
            }
            long size = data.byteSize();
            u.slot = slot;
            u.buffer = data.isNative() ? data : slots.bounce(slot, size);
            if (!u.in && u.buffer != data) {
                MemorySegment.copy(data, 0, u.buffer, 0, size);
            }
            urb = urbs[slot];
            UsbfsAbi.Urb.set(urb, Constants.USBDEVFS_URB_TYPE_BULK, endpoint & 0xff,
                    zeroPacket && !u.in ? Constants.USBDEVFS_URB_ZERO_PACKET : 0, u.buffer.address(), (int) size, slot);
        }
        int r = usbfs.submit(urb);
        if (r < 0) {
            synchronized (monitor) {
                u.complete(r, 0);
            }
            throw new GadgetException("USBDEVFS_SUBMITURB", path, Waits.errno(-r), null);
        }
        return u;
    }

    /** Reaps, waiting up to {@code nanos} (one poll slice at most) for a completion; reaping held. */
    private void reapFor(long nanos) {
        if (!reapAll()) {
            usbfs.awaitCompletion(Math.max(1, Math.min(nanos / 1_000_000, POLL_SLICE_MILLIS)));
            reapAll();
        }
    }

    /**
     * Reaps every completed URB without blocking; reaping held. Returns whether any was reaped.
     * After a disconnect usbfs answers ENODEV once nothing is left, and EBADF once the handle is
     * closed: the rest then fail with ENODEV.
     */
    private boolean reapAll() {
        boolean any = false;
        while (true) {
            long address = usbfs.reapNoDelay();
            if (address == -Errno.EAGAIN.number()) {
                return any;
            }
            if (address == -Errno.ENODEV.number() || address == -Errno.EBADF.number()) {
                abandonAll(Errno.ENODEV);
                return true;
            }
            if (address < 0) {
                throw new GadgetException("USBDEVFS_REAPURBNDELAY", path, Waits.errno((int) -address), null);
            }
            long offset = address - urbArray.address();
            synchronized (monitor) {
                Urb u = offset >= 0 && offset % stride == 0 ? slots.at(offset / stride) : null;
                if (u != null) {
                    MemorySegment urb = urbs[u.slot];
                    u.complete(UsbfsAbi.Urb.status(urb), UsbfsAbi.Urb.actualLength(urb));
                    any = true;
                }
            }
        }
    }

    /** Completes every pending URB with {@code e}: the kernel no longer holds any (disconnected, or the file closed). */
    private void abandonAll(Errno e) {
        synchronized (monitor) {
            for (int i = 0; i < DEPTH; i++) {
                Urb u = slots.at(i);
                if (u != null) {
                    u.complete(-e.number(), 0);
                }
            }
        }
    }

    /** Refuses new URBs and discards those in flight; {@link #closed()} follows once the file is closed. */
    void close() {
        synchronized (monitor) {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < DEPTH; i++) {
                Urb u = slots.at(i);
                if (u != null) {
                    usbfs.discard(urbs[i]);
                }
            }
        }
        reaping.lock();
        try {
            reapAll();
        } catch (GadgetException e) {
            // the device went away; what is left is abandoned in closed()
        } finally {
            reaping.unlock();
        }
    }

    /** After the usbfs file was closed (usbfs killed what was left): fails the rest, frees the slots. */
    void closed() {
        reaping.lock();
        try {
            abandonAll(Errno.ENOENT);
            arena.close();
        } finally {
            reaping.unlock();
        }
    }
}
