package dev.gadget4j.stream;

import dev.gadget4j.internal.DeadlineCompletion;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A device-to-host stream: {@link #send} hands the caller a free buffer to fill and submits it,
 * waiting for the oldest of the {@code depth} buffers in flight when none is free. Survives
 * disables and unbinds (see {@link EndpointStream}).
 *
 * <pre>{@code
 * try (InStream in = InStream.on(ep0, 1).dmaBufs(backend.dmaBufs()).bufferSize(1 << 20).open()) {
 *     while (running) {
 *         in.send(buf -> generate(buf), Duration.ofSeconds(1));
 *     }
 * }
 * }</pre>
 */
public final class InStream extends EndpointStream {

    /** Fills a buffer. */
    @FunctionalInterface
    public interface Filler {
        /**
         * Writes the data into {@code buffer} (of {@link #bufferSize()} bytes; on the DMABUF path
         * inside the CPU access bracket).
         *
         * @return how many bytes of it to send, 1..bufferSize
         */
        int fill(MemorySegment buffer);
    }

    private int filled = -1;
    private int filledLength;

    private InStream(Builder b) {
        super(b);
    }

    @Override
    void laneReplaced() {
        filled = -1;
    }

    /** Options for a stream on IN endpoint file {@code epNumber} of {@code ep0}'s function. */
    public static Builder on(Ep0 ep0, int number) {
        return new Builder(ep0, number);
    }

    private boolean send(Filler filler, int asIs, Duration timeout) {
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        while (true) {
            if (isWaiting()) {
                now = DeadlineCompletion.NO_READING; // ready() may wait for an ENABLE first
            }
            if (!ready(deadline)) {
                return false;
            }
            if (filled < 0 && count == lane().depth()) {
                long n = awaitOldest(deadline, now);
                now = DeadlineCompletion.NO_READING;
                if (n == -1) {
                    return false;
                }
                if (n == -2) {
                    continue;
                }
                retireOldest();
            }
            if (filled < 0) {
                int slot = nextFree();
                int length = asIs;
                if (filler != null) {
                    lane().beginCpu(slot, true);
                    try {
                        length = filler.fill(lane().buffer(slot));
                    } finally {
                        lane().endCpu(slot, true);
                    }
                }
                if (length < 1 || length > bufferSize()) {
                    throw new IllegalArgumentException("the filler returned " + length + "; it must be 1.." + bufferSize());
                }
                filled = slot;
                filledLength = length;
            }
            if (count == 0) {
                head = filled; // after a cut the ring restarts at the buffer already filled
            }
            if (submit(filled, filledLength)) {
                filled = -1;
                return true;
            }
        }
    }

    /**
     * Queues the next buffer with the {@code length} bytes it holds, without CPU access: for data
     * that does not change, written into each of the {@link #depth()} buffers by earlier
     * {@link #send(Filler, Duration)} calls (a pattern, a benchmark's payload).
     */
    public boolean send(int length, Duration timeout) {
        if (length < 1 || length > bufferSize()) {
            throw new IllegalArgumentException("length must be 1.." + bufferSize() + ": " + length);
        }
        return send(null, length, timeout);
    }

    /**
     * Fills a buffer with {@code filler} and queues it. While the function is disabled or unbound
     * it waits for the next ENABLE; a buffer filled before a cut is sent after it, not filled
     * again.
     *
     * @return true once queued; false when {@code timeout} passed first (nothing was queued; a
     *         filled buffer is kept for the next call)
     */
    public boolean send(Filler filler, Duration timeout) {
        return send(java.util.Objects.requireNonNull(filler, "filler"), 0, timeout);
    }

    /**
     * Waits until everything queued has been sent.
     *
     * @return false when {@code timeout} passed first
     */
    public boolean flush(Duration timeout) {
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        while (count > 0) {
            long n = awaitOldest(deadline, now);
            now = DeadlineCompletion.NO_READING;
            if (n == -1) {
                return false;
            }
            if (n >= 0) {
                retireOldest();
            }
        }
        return true;
    }

    /** Options of an {@link InStream}. */
    public static final class Builder extends EndpointStream.Builder<InStream, Builder> {
        private Builder(Ep0 ep0, int number) {
            super(ep0, number);
        }

        @Override
        public InStream open() {
            return new InStream(this);
        }
    }
}
