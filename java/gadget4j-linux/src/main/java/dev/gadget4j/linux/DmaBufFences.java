package dev.gadget4j.linux;

import dev.gadget4j.internal.DeadlineCompletion;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fence bookkeeping of one DMABUF: its transfers whose sync_file is open (on any endpoint),
 * and one state word that keeps sync_file exports and the dropping of an attachment apart. An
 * export of this buffer may hold the fence of any attachment of it, so DETACH and an endpoint's
 * close take the DROPPING bit of each buffer they drop (exclusive, after the exports in progress
 * finish), close the sync_files that may hold the attachment's fences, and only then let the
 * kernel drop it. Exports wait while DROPPING is set; droppers are rare, exports are one CAS pair.
 */
final class DmaBufFences {
    private static final AtomicLong IDS = new AtomicLong();
    private static final int DROPPING = 1;
    private static final int EXPORTER = 2;

    /** Unique per buffer: droppers of several buffers take them in this order. */
    final long id = IDS.incrementAndGet();
    /**
     * A private buffer's ({@link dev.gadget4j.internal.PrivateDmaBufs}): one attachment at a time,
     * so no transfer of it on another attachment is ever in flight, and none of its transfers
     * needs {@link #begun} or peers.
     */
    final boolean single;
    final TransferList live;
    /**
     * How many TRANSFERs of this buffer were begun (counted before the ioctl): one that begins
     * between a transfer's look at its peers and its export may have its fence in that export.
     */
    final AtomicLong begun = new AtomicLong();
    /** Bit 0: DROPPING; the rest: twice the exports in progress. */
    private final AtomicInteger state = new AtomicInteger();
    /** A single buffer's attachment, on whichever endpoint: see {@link #claimAttachment}. */
    private final AtomicInteger attached = new AtomicInteger();

    DmaBufFences(boolean single) {
        this.single = single;
        this.live = new TransferList(single);
    }

    /**
     * Before an ATTACH: false when this buffer is single and attached already (to this or
     * another endpoint); pair a true answer with {@link #releaseAttachment} once the attachment
     * is gone or the ATTACH failed.
     */
    boolean claimAttachment() {
        return !single || attached.compareAndSet(0, 1);
    }

    void releaseAttachment() {
        if (single) {
            attached.set(0);
        }
    }

    /** Begins an export (or a guarded CPU-access SYNC); waits while the buffer is being dropped. */
    void enterExport() {
        while (true) {
            int s = state.get();
            if ((s & DROPPING) == 0) {
                if (state.compareAndSet(s, s + EXPORTER)) {
                    return;
                }
            } else {
                pause();
            }
        }
    }

    void exitExport() {
        state.addAndGet(-EXPORTER);
    }

    /** Takes the exclusive DROPPING bit, then waits until no export is in progress. */
    void beginDrop() {
        while (true) {
            int s = state.get();
            if ((s & DROPPING) == 0 && state.compareAndSet(s, s | DROPPING)) {
                break;
            }
            pause();
        }
        while ((state.get() & ~DROPPING) != 0) {
            pause();
        }
    }

    void endDrop() {
        state.addAndGet(-DROPPING);
    }

    /** Whether a transfer of this buffer on another attachment than {@code a} may be in flight. */
    boolean othersInFlight(EndpointDmaBufs.Attachment a) {
        return live.anyOtherThan(a);
    }

    /**
     * Waits until this buffer's tracked transfers (all but those on {@code except}; with
     * {@code outOnly} only OUT ones) are done, through their sync_files, which droppers may
     * close meanwhile: so a kernel wait that ends in a fence's lock (a CPU-access SYNC START, a
     * TRANSFER behind another attachment's transfer) starts only once the fences it would wait
     * for have signalled. False when one was still pending after {@code timeout} (null: no limit)
     * or when {@code waiter} (null: none) was shut down meanwhile; the caller must be registered
     * there, so that the shut-down's signal ends the wait at once.
     */
    boolean awaitIdle(EndpointDmaBufs.Attachment except, boolean outOnly, Duration timeout, BlockedCalls waiter) {
        if (!live.anyOtherThan(except)) {
            return true;
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + Waits.nanos(timeout);
        for (LinuxTransfer t : live.snapshot()) {
            if (t.attachment() != except && !(outOnly && t.isIn()) && !t.waitUntil(deadline, DeadlineCompletion.NO_READING, waiter)) {
                return false;
            }
        }
        return true;
    }

    /** Waits here are rare and short (a drop, an export): a brief park, no allocation. */
    static void pause() {
        LockSupport.parkNanos(20_000);
    }
}
