package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.DeadlineCompletion;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A stream of buffers on one endpoint, owned by the library: {@code depth} buffers in flight,
 * preallocated with their completion slots, and each slot's finished request handle refilled by
 * the backend for the slot's next request, so that the steady state allocates nothing.
 * {@link InStream} fills and submits, {@link OutStream} receives and hands back.
 *
 * <p><b>Path.</b> With no path forced, the first time the function is enabled the stream tries
 * {@link StreamPath#DMABUF} (allocating its buffers and attaching them), falls back to
 * {@link StreamPath#AIO} when that fails (typically {@code EPERM}: a UDC without scatter-gather,
 * such as dwc2 or musb), and to {@link StreamPath#BLOCKING} when asynchronous I/O fails too.
 * {@link #path()} and {@link #pathReason()} say what was chosen and why.
 *
 * <p><b>Unbind, disconnect, reconfiguration.</b> When the host disables the function (a
 * disconnect, a new configuration) or the UDC is unbound (by this program or another one), the
 * requests in flight end with ESHUTDOWN or ENODEV. The stream does not fail then: it drops them,
 * closes its endpoint file, reports "waiting" ({@link #isWaiting()}, {@link #status()}, the
 * listener) and, once {@link Ep0} reads the next ENABLE, reopens the endpoint, re-attaches its
 * buffers and goes on. Data in flight at the cut is lost, as on the wire.
 *
 * <p>Not thread-safe: one thread drives a stream (several streams may run on several threads,
 * virtual ones included). {@link #close()} from the driving thread; a blocking read/write of the
 * {@link StreamPath#BLOCKING} path waits for the host, so unbind the gadget to stop one for sure.
 */
public abstract sealed class EndpointStream implements AutoCloseable permits InStream, OutStream {
    private static final Duration DRAIN = Duration.ofSeconds(1);
    /** How long an ATTACH refused with EPERM waits for ep0 to show an unbind: see {@link #waitIfCut}. */
    private static final Duration CUT_GRACE = Duration.ofSeconds(1);

    private final Ep0 ep0;
    private final int number;
    private final int bufferSize;
    private final int requestedDepth;
    private final StreamPath forced;
    private final DmaBufAllocator dmaBufs;
    private final Consumer<String> listener;
    private Lane lane;
    private String pathReason = "not chosen yet: the function was not enabled";
    private Endpoint ep;
    private int maxPacketSize;
    private long openedAt = -1;
    /**
     * Each slot's latest request; only the ring's slots are in flight (a retired slot keeps its
     * finished handle, which the lane refills for the slot's next request).
     */
    private final Completion[] inFlight;
    private final Settled[] salvaged;
    private final int[] lengths;
    /** Ring of in-flight slots: the oldest is {@code head}, {@code count} of them. */
    int head;
    int count;
    private boolean submittedOnce;
    private boolean waiting;
    private String status = "waiting for the first ENABLE";
    private long interruptions;
    private boolean closed;

    EndpointStream(Builder<?, ?> b) {
        this.ep0 = b.ep0;
        this.number = b.number;
        this.bufferSize = b.bufferSize;
        this.requestedDepth = b.depth;
        this.forced = b.path;
        this.dmaBufs = b.dmaBufs;
        this.listener = b.listener;
        this.inFlight = new Completion[b.depth];
        this.salvaged = new Settled[b.depth];
        for (int i = 0; i < b.depth; i++) {
            salvaged[i] = new Settled();
        }
        this.lengths = new int[b.depth];
    }

    /** The endpoint file number ({@code ep1} is 1). */
    public int number() {
        return number;
    }

    /** Bytes per buffer. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Buffers in flight at most (1 on the blocking path). */
    public int depth() {
        return lane == null ? requestedDepth : lane.depth();
    }

    /** The path in use; null until the function was first enabled. */
    public StreamPath path() {
        return lane == null ? null : lane.path();
    }

    /** Why {@link #path()} was chosen, e.g. {@code "EPERM: the UDC has no scatter-gather support ..."}. */
    public String pathReason() {
        return pathReason;
    }

    /** Whether the stream waits for the next ENABLE (not yet enabled, disabled, or unbound). */
    public boolean isWaiting() {
        return waiting || ep == null;
    }

    /** What the stream is doing, in words: streaming on a path, or waiting and why. */
    public String status() {
        return status;
    }

    /** How many times a disable or unbind cut the stream. */
    public long interruptions() {
        return interruptions;
    }

    /**
     * The endpoint's wMaxPacketSize at the speed of the current connection (read at each start);
     * 0 before the first.
     */
    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** Whether OUT byte counts are real (false on the DMABUF path: the kernel reports none). */
    public boolean countsReceivedBytes() {
        return lane == null || lane.countsReceivedBytes();
    }

    final String name() {
        return "ep" + number;
    }

    // ---- what the subclasses build on ----

    /**
     * Makes sure the endpoint is open and enabled, waiting for an ENABLE if needed.
     *
     * <p>A deadline already passed (a zero timeout, or a thread descheduled since the call began)
     * still starts the stream on a function that is enabled now: a caller polling with zero
     * timeouts would otherwise never open the endpoint.
     *
     * @return false when {@code deadline} passed first
     */
    final boolean ready(long deadline) {
        checkOpen();
        while (ep == null) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!ep0.awaitEnabled(openedAt, Duration.ofNanos(left))) {
                return false;
            }
            try {
                start();
            } catch (GadgetException e) {
                if (!interruptedBy(e)) {
                    throw e;
                }
            }
        }
        return true;
    }

    private void start() {
        long enables = ep0.enables();
        openedAt = enables; // a failure from here on waits for a newer ENABLE
        Endpoint opened = ep0.functionFs().endpoint(number, EndpointOption.NON_BLOCKING);
        try {
            byte[] d = opened.descriptor(); // for the speed the host connected at, which may change at each ENABLE
            maxPacketSize = (d[4] & 0xff) | (d[5] & 0x07) << 8;
            if (lane == null) {
                lane = choose(opened, enables);
            } else {
                try {
                    lane.attach(opened);
                } catch (GadgetException e) {
                    throw waitIfCut(e, enables);
                }
            }
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        ep = opened;
        waiting = false;
        status = "streaming on " + name() + " (" + lane.path() + ")";
        listener.accept(status);
    }

    private Lane choose(Endpoint opened, long enables) {
        if (forced != null) {
            pathReason = "forced";
            try {
                return open(forced, opened);
            } catch (GadgetException e) {
                throw waitIfCut(e, enables);
            }
        }
        if (dmaBufs == null) {
            pathReason = "DMABUF not tried: no DMABUF allocator given";
            return open(StreamPath.AIO, opened);
        }
        try {
            Lane l = open(StreamPath.DMABUF, opened);
            pathReason = "FUNCTIONFS_DMABUF_ATTACH works on this UDC";
            return l;
        } catch (GadgetException e) {
            GadgetException cut = waitIfCut(e, enables);
            if (cut.meansWaitForEnable()) {
                throw cut;
            }
            pathReason = e.errno() == Errno.EPERM
                    ? "EPERM: the UDC has no scatter-gather support (dwc2 and musb have none; dwc3, chipidea, "
                            + "cdns3/cdnsp do), so AIO copies the buffers"
                    : e.errno() + ": " + e.getMessage() + "; AIO copies the buffers";
            return open(StreamPath.AIO, opened);
        }
    }

    /**
     * {@code e}, from attaching at the {@code enables}-th ENABLE, as a wait for the next ENABLE
     * when that enabled state has ended. ATTACH gives EPERM for a UDC without scatter-gather and
     * for a function unbound meanwhile alike: the host enumerates without the driver, so another
     * process can clear the gadget's UDC after that ENABLE was queued and before ep0's thread has
     * read the DISABLE and UNBIND that follow. Those events, awaited for {@link #CUT_GRACE} on an
     * EPERM, tell the two apart; a UDC that lacks scatter-gather costs that once per stream.
     */
    private GadgetException waitIfCut(GadgetException e, long enables) {
        if (!e.meansWaitForEnable()
                && ep0.awaitLeft(enables, e.errno() == Errno.EPERM ? CUT_GRACE : Duration.ZERO)) {
            return new GadgetException(e.operation(), e.object(), Errno.ENODEV, "unbound while attaching", e);
        }
        return e;
    }

    private Lane open(StreamPath path, Endpoint opened) {
        Lane l = switch (path) {
            case DMABUF -> new DmaBufLane(dmaBufs == null ? missingAllocator() : dmaBufs, requestedDepth, bufferSize);
            case AIO -> new AioLane(requestedDepth, bufferSize);
            case BLOCKING -> new BlockingLane(bufferSize);
        };
        try {
            l.attach(opened);
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    private DmaBufAllocator missingAllocator() {
        throw new IllegalStateException("the DMABUF path needs an allocator: Builder.dmaBufs(backend.dmaBufs())");
    }

    /** The buffers changed (AIO fell back to blocking I/O): what they held is gone. */
    void laneReplaced() {
    }

    final Lane lane() {
        return lane;
    }

    /** Submits {@code length} bytes of slot {@code slot} as the newest in flight; false if the stream was cut. */
    final boolean submit(int slot, int length) {
        Completion c;
        try {
            c = lane.submit(ep, slot, length);
        } catch (GadgetException e) {
            if (fallBackToBlocking(e)) {
                return false;
            }
            if (interruptedBy(e)) {
                return false;
            }
            throw e;
        }
        submittedOnce = true;
        if (inFlight[slot] != c) {
            // A refilled handle is already there. Storing it again would still check, at every
            // transfer, that its class implements Completion: for an interface-typed array that
            // is a search of the class's secondary supertypes, the costliest step of submit.
            inFlight[slot] = c;
        }
        lengths[slot] = length;
        count++;
        return true;
    }

    /** An automatic AIO choice whose first submit fails for lack of AIO becomes the blocking path. */
    private boolean fallBackToBlocking(GadgetException e) {
        if (forced != null || submittedOnce || lane.path() != StreamPath.AIO
                || !(e.errno() == Errno.ENOSYS || e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.EINVAL)) {
            return false;
        }
        lane.close();
        lane = new BlockingLane(bufferSize);
        head = 0;
        laneReplaced();
        pathReason = pathReason + "; then AIO failed (" + e.errno() + ": " + e.getMessage() + "), so blocking I/O";
        return true;
    }

    /**
     * Waits for the oldest request in flight until {@code deadline}; {@code now} is the caller's
     * reading of the clock as {@link DeadlineCompletion#awaitBytesUntil} takes it.
     *
     * @return its byte count; -1 on timeout; -2 when the stream was cut (it now waits for ENABLE);
     *         -3 for a request that failed at an earlier cut (retire it and go on)
     */
    final long awaitOldest(long deadline, long now) {
        Completion c = inFlight[head];
        if (c instanceof Settled g && g.bytes < 0) {
            return -3;
        }
        try {
            long n = CarrierWait.awaitBytes(c, deadline, now);
            return n == DeadlineCompletion.TIMED_OUT ? -1 : n;
        } catch (GadgetException e) {
            if (e.errno() == Errno.ETIMEDOUT) {
                return -1;
            }
            if (interruptedBy(e)) {
                return -2;
            }
            throw e;
        }
    }

    /**
     * Retires the oldest slot (after {@link #awaitOldest}). The ring's index wraps by a compare,
     * not a remainder: the depth is not a constant, so {@code %} is a division instruction, tens
     * of cycles on a CPU and a helper call under an emulator, twice per transfer.
     */
    final void retireOldest() {
        int next = head + 1;
        head = next == lane.depth() ? 0 : next;
        count--;
    }

    /** The slot that is submitted next. */
    final int nextFree() {
        int slot = head + count;
        int depth = lane.depth();
        return slot >= depth ? slot - depth : slot;
    }

    /**
     * Handles an error that means "disabled or unbound": drops what is in flight, closes the
     * endpoint file, and waits for the next ENABLE from the next call on.
     *
     * @return false for any other error (the caller rethrows it)
     */
    private boolean interruptedBy(GadgetException e) {
        if (!e.meansWaitForEnable() && e.errno() != Errno.ECONNRESET) {
            return false;
        }
        interruptions++;
        waiting = true;
        status = name() + ": " + (e.errno() == Errno.ENODEV ? "unbound" : "disabled") + " (" + e.errno()
                + "), waiting for the next ENABLE";
        listener.accept(status);
        drop();
        return true;
    }

    /**
     * Cancels what is in flight and closes the endpoint file first, so that nothing can still take
     * data from the host (a DMABUF transfer is cancelled by the close), then waits for every request to end: the buffers
     * must be idle before they are used again.
     */
    private void drop() {
        for (int k = 0; k < count; k++) {
            Completion c = inFlight[(head + k) % lane.depth()];
            if (c != null) {
                c.cancel(); // AIO: closing the file alone would let a pending read still take data
            }
        }
        if (ep != null) {
            ep.close();
            ep = null;
        }
        boolean keep = keepsCompletedData();
        for (int k = 0; k < count; k++) {
            int slot = (head + k) % lane.depth();
            Completion c = inFlight[slot];
            inFlight[slot] = null;
            long n = -1;
            try {
                n = c == null ? -1 : CarrierWait.awaitBytes(c, System.nanoTime() + DRAIN.toNanos(),
                        DeadlineCompletion.NO_READING);
            } catch (GadgetException ignored) {
                // ending with an error (ESHUTDOWN, ECONNRESET) is what is expected here
            }
            // Requests queued after the cut's ENABLE may hold data already: handed over in order
            // after the cut; the failed ones stay in the ring as settled gaps, skipped.
            salvaged[slot].bytes = n;
            inFlight[slot] = salvaged[slot];
        }
        if (!keep) {
            java.util.Arrays.fill(inFlight, null);
            count = 0;
        }
    }

    /** Whether completed requests found at a cut are kept for the caller (OUT: they hold received data). */
    boolean keepsCompletedData() {
        return false;
    }

    /** The endpoint length requested for slot {@code slot}. */
    final int lengthOf(int slot) {
        return lengths[slot];
    }

    final void checkOpen() {
        if (closed) {
            throw new GadgetException("stream", name(), Errno.EBADF, "the stream is closed");
        }
    }

    /**
     * Cancels what is in flight (closing the endpoint file does) and frees the buffers. Closing
     * twice is harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        drop();
        java.util.Arrays.fill(inFlight, null);
        count = 0;
        if (lane != null) {
            lane.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + ", " + status + "]";
    }

    /** Options of a stream; {@link #open()} makes it. The buffers are allocated at the first ENABLE. */
    public abstract static sealed class Builder<S extends EndpointStream, B extends Builder<S, B>> permits InStream.Builder, OutStream.Builder {
        final Ep0 ep0;
        final int number;
        int bufferSize = 64 * 1024;
        int depth = 4;
        StreamPath path;
        DmaBufAllocator dmaBufs;
        Consumer<String> listener = s -> { };

        Builder(Ep0 ep0, int number) {
            this.ep0 = Objects.requireNonNull(ep0, "ep0");
            if (number < 1 || number > 30) {
                throw new IllegalArgumentException("endpoint file numbers are 1..30: " + number);
            }
            this.number = number;
        }

        /** Bytes per buffer (default 64 KiB). */
        public B bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("buffer size must be positive: " + bytes);
            }
            this.bufferSize = bytes;
            return self();
        }

        /** Buffers in flight (default 4; the blocking path uses 1). */
        public B depth(int depth) {
            if (depth < 1 || depth > 64) {
                throw new IllegalArgumentException("depth must be 1..64: " + depth);
            }
            this.depth = depth;
            return self();
        }

        /** Where DMABUFs come from ({@code backend.dmaBufs()}); without one the DMABUF path is not tried. */
        public B dmaBufs(DmaBufAllocator allocator) {
            this.dmaBufs = allocator;
            return self();
        }

        /** Forces a path instead of choosing one; a failure of the forced path is then an error. */
        public B path(StreamPath path) {
            this.path = path;
            return self();
        }

        /** Told each time the stream starts streaming or starts waiting, in words; runs on the driving thread. */
        public B listener(Consumer<String> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return self();
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** The stream; it opens its endpoint at the first call once the function is enabled. */
        public abstract S open();
    }
}
