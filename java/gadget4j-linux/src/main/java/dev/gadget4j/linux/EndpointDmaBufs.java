package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.EndpointChecks;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.Transfer;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.FenceCalls;
import dev.gadget4j.linux.sys.FenceScratch;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.WakeFd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DMABUF side of one endpoint file: its attachments, its transfers and the sync_files that
 * observe them, with two protections for kernels without gadget4j's fixes: TRANSFER and DETACH
 * are never issued on an unbound function (the function's {@link BindGate}), and the sync_files
 * that may hold an attachment's fences are closed before DETACH and before the endpoint file is
 * closed, whatever thread closes what (each buffer's {@link DmaBufFences}, each transfer's state
 * word).
 *
 * <p>The library mirrors the kernel's attachment list (newest first, as {@code list_add} keeps
 * it; TRANSFER and DETACH use the newest attachment of a buffer) to know which transfer a DETACH
 * cancels.
 *
 * <p>A transfer's steady state allocates only its {@link LinuxTransfer} (nothing when the caller
 * hands a spent one back to be refilled, as the library's streams do) and takes no lock but the
 * brief lock word of its buffer's list of transfers ({@link TransferList}), which it joins and
 * leaves, uncontended in a stream; its result is published with a claim bit in the transfer's
 * state word. Per transfer: one volatile read to find its attachment, two handle acquisitions
 * (endpoint and DMABUF file), one compare-and-set on the attachment (one transfer in flight per
 * attachment, see {@link EndpointChecks#noTransferPending}; the previous transfer's fence is
 * read only if it was not yet known to be done), one increment
 * of the buffer's TRANSFER count, one bind-gate entry, one export entry, the per-thread
 * {@link FenceScratch} for every struct, five syscalls (TRANSFER, EXPORT_SYNC_FILE, FILE_INFO,
 * poll only when not yet signalled, close).
 *
 * <p>A stream's own buffers ({@link dev.gadget4j.internal.PrivateDmaBufs}, "single": one
 * attachment at a time, checked at ATTACH) skip what only other attachments of the buffer need:
 * the TRANSFER count and the peers read before the export, and the list's lock (their list holds
 * the attachment's latest transfer alone, which a new transfer replaces only once it was
 * released; see {@link TransferList}).
 */
final class EndpointDmaBufs {
    /**
     * An endpoint holds one open sync_file per attachment at most (an attachment's previous
     * transfer is read before its next one is queued, see {@link Attachment#beginTransfer}). With
     * more attachments than this, every this many transfers settle the finished transfers that
     * nobody asked about, so their sync_files do not stay open. A power of two.
     */
    private static final int TIDY_THRESHOLD = 16;
    private static final int CLOSING = 1;
    private static final int WAKER = 2;
    /** How long TRANSFER waits for the reservation in the kernel (DMABUF_ENQUEUE_TIMEOUT_MS). */
    private static final Duration RESERVATION_WAIT = Duration.ofMillis(5000);
    private static final int EINTR = Errno.EINTR.number();

    /** One FUNCTIONFS_DMABUF_ATTACH. */
    static final class Attachment {
        private static final VarHandle QUEUING;

        static {
            try {
                QUEUING = MethodHandles.lookup().findVarHandle(Attachment.class, "queuing", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final LinuxDmaBuf buf;
        volatile LinuxTransfer latest;
        volatile boolean dropped;
        /** Set while one thread queues a transfer through this attachment. */
        private volatile boolean queuing;

        Attachment(LinuxDmaBuf buf) {
            this.buf = buf;
        }

        /**
         * Takes the right to queue the attachment's one transfer in flight: false while another
         * thread is queueing one or the latest one has not completed (its fence is read once) or
         * may still be held by the kernel although it became unobservable.
         */
        boolean beginTransfer() {
            if (!QUEUING.compareAndSet(this, false, true)) {
                return false;
            }
            LinuxTransfer prev = latest;
            if (prev != null && (!prev.isDone() || prev.mayStillBeInFlight())) {
                queuing = false;
                return false;
            }
            if (prev != null && buf.fences().single) {
                prev.awaitReleased(); // its list's one place: done, its last user closes it now
            }
            return true;
        }

        /** Gives the right back: a release store, as a lock's, without a volatile store's barrier. */
        void endTransfer() {
            QUEUING.setRelease(this, false);
        }
    }

    private final LinuxEndpoint endpoint;
    private final LinuxFunctionFs ffs;
    private final String path;
    private final boolean in;
    private final boolean nonBlocking;
    private final Fd file;
    /** The endpoint's blocked calls: closing it wakes a TRANSFER asleep until ENABLE or on the reservation. */
    private final BlockedCalls blocked;
    private final AtomicLong seqno;
    /** The backend's allocator, whose buffers alone this endpoint takes: looked up once, not per transfer. */
    private final LinuxDmaBufAllocator allocator;
    /**
     * Newest first; replaced whole under {@link #attachLock}, read without a lock: a transfer's
     * lookup is one volatile read, and attachments change rarely.
     */
    private volatile Attachment[] attachments = new Attachment[0];
    /** Serialises ATTACH, DETACH and close with the changes of {@link #attachments} they make. */
    private final Object attachLock = new Object();
    /** Woken when a DETACH or close wants a sync_file that a waiter polls. */
    private final WakeFd wake;
    /**
     * Whether the last fence wait on this endpoint found its transfer pending at the first look
     * (a stream ahead of the host): the next wait then polls before it reads FILE_INFO, which
     * saves a FILE_INFO per transfer. Only a hint: written and read without ordering.
     */
    boolean pollFirst;
    /** Bit 0: CLOSING (no export any more); the rest: twice the wakers active. */
    private final AtomicInteger state = new AtomicInteger();
    /** The thread that last queued or awaited a transfer here, with its scratch: see {@link #scratch()}. */
    private ScratchOwner lastScratch;

    /** A thread and its {@link FenceScratch}; final fields, so a racy read sees both or neither. */
    private record ScratchOwner(Thread thread, FenceScratch scratch) {
    }

    EndpointDmaBufs(LinuxEndpoint endpoint, LinuxFunctionFs ffs, String path, boolean in, boolean nonBlocking, Fd file,
                    BlockedCalls blocked, AtomicLong seqno) {
        this.endpoint = endpoint;
        this.ffs = ffs;
        this.path = path;
        this.in = in;
        this.nonBlocking = nonBlocking;
        this.file = file;
        this.blocked = blocked;
        this.seqno = seqno;
        this.allocator = ffs.gadget().backend().dmaBufs();
        this.wake = new WakeFd("eventfd (fence waiters of " + path + ")");
    }

    LinuxEndpoint endpoint() {
        return endpoint;
    }

    /**
     * The calling thread's {@link FenceScratch}. The thread that streams on an endpoint finds it
     * here without the thread-local lookup (two per transfer otherwise); another thread replaces
     * the entry, once.
     */
    FenceScratch scratch() {
        ScratchOwner o = lastScratch;
        Thread t = Thread.currentThread();
        if (o != null && o.thread == t) {
            return o.scratch;
        }
        FenceScratch s = FenceScratch.current();
        lastScratch = new ScratchOwner(t, s);
        return s;
    }

    String path() {
        return path;
    }

    boolean isIn() {
        return in;
    }

    // ---- waking waiters ----

    /** The wake-up eventfd's number, polled by waiters next to their sync_file. */
    int wakeNumber() {
        return wake.fd().number();
    }

    /** Makes the wake-up eventfd readable until the matching {@link #wakeDone()}. */
    void wakeWaiters() {
        if (state.getAndAdd(WAKER) < WAKER) {
            wake.signal();
        }
    }

    /** The last waker drains the eventfd, so later waits block again. */
    void wakeDone() {
        if (state.addAndGet(-WAKER) < WAKER) {
            wake.drain();
        }
    }

    // ---- attach / detach ----

    /** The backend's own, open DmaBuf behind {@code buf}, as dma_buf_get() would resolve its fd. */
    private LinuxDmaBuf resolve(DmaBuf buf, String operation) {
        LinuxDmaBuf ours = buf instanceof LinuxDmaBuf l && l.allocator() == allocator ? l : null;
        return EndpointChecks.resolve(buf, ours, operation, path);
    }

    /** Runs an ioctl whose int argument is the DMABUF's fd, the DMABUF acquired meanwhile. */
    private void fdIoctl(long request, LinuxDmaBuf buf) {
        Fd dmabuf = buf.fdHandle();
        dmabuf.acquire(Ioctl.name(request));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arg = arena.allocate(ValueLayout.JAVA_INT);
            arg.set(ValueLayout.JAVA_INT, 0, dmabuf.number());
            file.ioctl(request, arg);
        } finally {
            dmabuf.release();
        }
    }

    void attach(DmaBuf buf) {
        LinuxDmaBuf l = resolve(buf, EndpointErrors.ATTACH);
        synchronized (attachLock) {
            if (!l.fences().claimAttachment()) {
                throw new GadgetException(EndpointErrors.ATTACH, path, Errno.EBUSY, "DMABUF fd " + l.fd()
                        + " is a stream's own buffer and is attached to an endpoint already");
            }
            try {
                fdIoctl(Ioctl.FUNCTIONFS_DMABUF_ATTACH, l);
            } catch (GadgetException e) {
                l.fences().releaseAttachment();
                throw EndpointErrors.attach(e.errno(), path, l.fd(), ffs.gadget().isBound(), e);
            }
            Attachment[] old = attachments;
            Attachment[] now = new Attachment[old.length + 1];
            now[0] = new Attachment(l);
            System.arraycopy(old, 0, now, 1, old.length);
            attachments = now;
        }
    }

    private Attachment newest(LinuxDmaBuf buf) {
        for (Attachment a : attachments) {
            if (a.buf == buf) {
                return a;
            }
        }
        return null;
    }

    /** Forgets {@code a} (after its DETACH). */
    private void forget(Attachment a) {
        synchronized (attachLock) {
            Attachment[] old = attachments;
            for (int i = 0; i < old.length; i++) {
                if (old[i] == a) {
                    a.buf.fences().releaseAttachment();
                    Attachment[] now = new Attachment[old.length - 1];
                    System.arraycopy(old, 0, now, 0, i);
                    System.arraycopy(old, i + 1, now, i, now.length - i);
                    attachments = now;
                    return;
                }
            }
        }
    }

    void detach(DmaBuf buf) {
        String op = EndpointErrors.DETACH;
        file.acquire(op);
        try {
            int slot = ffs.gate().enter(op, path, file.number(), FenceScratch.current().tid());
            try {
                LinuxDmaBuf l = resolve(buf, op);
                Attachment a = newest(l);
                DmaBufFences fences = l.fences();
                fences.beginDrop();
                try {
                    if (a != null) {
                        settleBeforeDrop(List.of(a), "DETACH");
                    }
                    try {
                        fdIoctl(Ioctl.FUNCTIONFS_DMABUF_DETACH, l);
                    } catch (GadgetException e) {
                        throw EndpointErrors.detach(e.errno(), path, l.fd(), e);
                    } finally {
                        if (a != null) {
                            forget(a);
                        }
                    }
                } finally {
                    fences.endDrop();
                }
            } finally {
                ffs.gate().leave(slot);
            }
        } finally {
            file.release();
        }
    }

    /**
     * Their buffers' DROPPING bits held: marks the attachments dropped, then settles and closes
     * every sync_file that may hold one of their fences (their transfers, and transfers of the
     * same buffers elsewhere whose export was taken while one of theirs was pending). The kernel cancels the
     * latest transfer of each attachment it drops, whichever order they are settled in.
     */
    private static void settleBeforeDrop(List<Attachment> drop, String cause) {
        for (Attachment a : drop) {
            a.dropped = true;
        }
        for (DmaBufFences f : drop.stream().map(a -> a.buf.fences()).distinct().toList()) {
            for (LinuxTransfer t : f.live.snapshot()) {
                Attachment ta = t.attachment();
                boolean dropped = drop.contains(ta);
                if (dropped || t.holdsFencesOf(drop)) {
                    t.settleBeforeDetach(dropped && t == ta.latest, cause);
                }
            }
        }
    }

    // ---- transfer ----

    /** Queues a transfer; its handle is {@code spent} refilled when that one is spent (see {@link LinuxTransfer#spentFor}). */
    LinuxTransfer transfer(DmaBuf buf, long length, Transfer spent) {
        String op = EndpointErrors.TRANSFER;
        long started = GadgetEvents.start();
        FenceScratch s = scratch();
        // Held across the ioctl and the export: the kernel cannot release the file (and with it
        // the attachments) in between, even if another thread closes this endpoint.
        file.acquire(op);
        try {
            LinuxDmaBuf l = resolve(buf, op);
            Attachment a = newest(l);
            EndpointChecks.noTransferPending(a != null && !a.beginTransfer(), path, l.fd());
            try {
                if (a != null && (length <= 0 || length > l.size())) {
                    // the kernel's first check, which the library's own wait must not precede
                    throw transferFailed(l, length, Errno.EINVAL);
                }
                Fd dmabuf = l.fdHandle();
                dmabuf.acquire(op);
                try {
                    queue(l, a, dmabuf.number(), length, s);
                    return track(l, dmabuf.number(), a, length, seqno.incrementAndGet(), spent, started, s);
                } finally {
                    dmabuf.release();
                }
            } finally {
                if (a != null) {
                    a.endTransfer();
                }
            }
        } finally {
            file.release();
        }
    }

    /**
     * Waits for other attachments' transfers of the buffer where the kernel would, then issues
     * the TRANSFER ioctl inside the bind gate; EINTR re-enters the gate before retrying. The
     * thread is one of the endpoint's blocked calls throughout, so closing the endpoint ends
     * either wait at once with EBADF.
     */
    private void queue(LinuxDmaBuf l, Attachment a, int dmabufFd, long length, FenceScratch s) {
        String op = EndpointErrors.TRANSFER;
        int call = blocked.enter(op, s.pthread());
        try {
            if (a != null && l.fences().othersInFlight(a)
                    && !l.fences().awaitIdle(a, in, nonBlocking ? Duration.ZERO : RESERVATION_WAIT, blocked)) {
                // TRANSFER would wait in the kernel for the fences of other attachments (an IN
                // transfer for writers only), ending in their lock, which 6.12 frees with the
                // attachment: they are awaited here instead, as long as the kernel would wait.
                if (blocked.isShutDown()) {
                    throw blocked.closedError(op);
                }
                throw transferFailed(l, length, Errno.EBUSY);
            }
            if (!l.fences().single) {
                l.fences().begun.incrementAndGet();
            }
            s.transferRequest(dmabufFd, length);
            while (true) {
                int r;
                int slot = ffs.gate().enter(op, path, file.number(), s.tid());
                try {
                    r = FenceCalls.transfer(file.number(), s);
                } finally {
                    ffs.gate().leave(slot);
                }
                if (r >= 0) {
                    return;
                }
                if (r != -EINTR) {
                    throw transferFailed(l, length, Waits.errno(-r));
                }
                if (blocked.isShutDown()) {
                    throw blocked.closedError(op);
                }
            }
        } finally {
            blocked.leave(call);
        }
    }

    private GadgetException transferFailed(LinuxDmaBuf l, long length, Errno e) {
        return EndpointErrors.transfer(e, path, l.fd(), length, l.size(), in, nonBlocking, null);
    }

    /** After a successful TRANSFER: the sync_file export, unless the endpoint or attachment is going away. */
    private LinuxTransfer track(LinuxDmaBuf l, int dmabufFd, Attachment a, long length, long seq, Transfer spent,
                                long started, FenceScratch s) {
        DmaBufFences fences = l.fences();
        fences.enterExport();
        try {
            if ((state.get() & CLOSING) != 0) {
                // The file is released after this call returns: the kernel then dequeues this
                // transfer, the newest of its attachment.
                return LinuxTransfer.settled(this, l, length, seq, started, Errno.ECONNRESET, true,
                        "cancelled: the endpoint was closed while it was being queued");
            }
            if (a == null || a.dropped) {
                return LinuxTransfer.settled(this, l, length, seq, started, null, false,
                        "its attachment was detached by another thread while it was being queued");
            }
            FencePeers peers = null; // a single buffer's export holds its own transfer's fence only
            int sync;
            if (fences.single) {
                sync = FenceCalls.exportSyncFile(dmabufFd, Constants.DMA_BUF_SYNC_RW, s);
            } else {
                long begun = fences.begun.get();
                peers = FencePeers.pendingOthers(fences.live, a);
                sync = FenceCalls.exportSyncFile(dmabufFd, Constants.DMA_BUF_SYNC_RW, s);
                if (fences.begun.get() != begun) {
                    peers = FencePeers.incomplete(peers);
                }
            }
            if (sync < 0) {
                return LinuxTransfer.settled(this, l, length, seq, started, null, false,
                        "DMA_BUF_IOCTL_EXPORT_SYNC_FILE failed (" + Waits.errno(-sync) + "): its completion cannot be observed");
            }
            LinuxTransfer t = spent instanceof LinuxTransfer old && old.spentFor(this, a)
                    ? old.refill(length, seq, sync, peers, started)
                    : new LinuxTransfer(this, l, a, length, seq, sync, peers, started);
            if (a.latest != t) { // a refilled handle is already there: no write barrier per transfer
                a.latest = t;
            }
            fences.live.add(t);
            Attachment[] all = attachments;
            if (all.length > TIDY_THRESHOLD && (seq & (TIDY_THRESHOLD - 1)) == 0) {
                tidy(all);
            }
            return t;
        } finally {
            fences.exitExport();
        }
    }

    /**
     * Settles the finished transfers nobody asked about in the lists of the buffers of
     * {@code all}. Through the lists, not the attachments' {@code latest}: a spent transfer that
     * its endpoint is refilling is in no list until it is tracked.
     */
    private static void tidy(Attachment[] all) {
        for (Attachment a : all) {
            for (LinuxTransfer t : a.buf.fences().live.snapshot()) {
                t.tidy();
            }
        }
    }

    // ---- close ----

    /**
     * Closes the endpoint file once every sync_file that may hold one of its attachments' fences
     * is closed: no export from here on, every attached buffer's DROPPING bit taken (in buffer
     * order, so two closes cannot deadlock), the transfers settled, the file closed (the kernel
     * cancels each attachment's latest transfer and drops them all), the buffers released.
     */
    void close() {
        state.getAndUpdate(v -> v | CLOSING);
        Attachment[] drop;
        synchronized (attachLock) { // after an ATTACH in progress: its attachment is dropped too
            drop = attachments;
        }
        DmaBufFences[] buffers = Arrays.stream(drop).map(a -> a.buf.fences()).distinct()
                .sorted(Comparator.comparingLong(f -> f.id)).toArray(DmaBufFences[]::new);
        int taken = 0;
        try {
            for (DmaBufFences f : buffers) {
                f.beginDrop();
                taken++;
            }
            // Every transfer of this endpoint whose sync_file is open is in the list of one of
            // these buffers, on one of these attachments: one that was detached was settled by its
            // DETACH, one queued after CLOSING was set is settled from the start.
            settleBeforeDrop(List.of(drop), "closing " + path);
            file.close();
        } finally {
            for (int i = 0; i < taken; i++) {
                buffers[i].endDrop();
            }
            Attachment[] gone;
            synchronized (attachLock) {
                gone = attachments; // a DETACH meanwhile released its own
                attachments = new Attachment[0];
            }
            for (Attachment a : gone) {
                a.buf.fences().releaseAttachment();
            }
            wake.close();
        }
    }
}
