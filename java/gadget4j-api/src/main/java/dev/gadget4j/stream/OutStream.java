package dev.gadget4j.stream;

import dev.gadget4j.internal.DeadlineCompletion;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A host-to-device stream: {@code depth} reads are kept queued; {@link #receive} waits for the
 * oldest, hands its buffer to the caller and queues it again. Survives disables and unbinds (see
 * {@link EndpointStream}).
 *
 * <pre>{@code
 * try (OutStream out = OutStream.on(ep0, 2).dmaBufs(backend.dmaBufs()).open()) {
 *     while (running) {
 *         out.receive((buf, n) -> consume(buf, n), Duration.ofSeconds(1));
 *     }
 * }
 * }</pre>
 */
public final class OutStream extends EndpointStream {

    /** Takes the data of one completed read. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @param buffer the buffer (on the DMABUF path inside the CPU access bracket); valid only
         *               during the call
         * @param length bytes received; on the DMABUF path the requested length, since the kernel
         *               reports none (see {@link #countsReceivedBytes()}): frame the data
         */
        void accept(MemorySegment buffer, long length);
    }

    private final java.util.function.Consumer<MemorySegment> prepare;

    private OutStream(Builder b) {
        super(b);
        this.prepare = b.prepare;
    }

    @Override
    boolean keepsCompletedData() {
        return true;
    }

    /** Options for a stream on OUT endpoint file {@code epNumber} of {@code ep0}'s function. */
    public static Builder on(Ep0 ep0, int number) {
        return new Builder(ep0, number);
    }

    /**
     * Waits for the oldest queued read, gives its data to {@code handler}, and queues the buffer
     * again. While the function is disabled or unbound it waits for the next ENABLE. A null
     * {@code handler} drops the data without CPU access (a benchmark's sink).
     *
     * @return true once a buffer was handled; false when {@code timeout} passed first
     */
    public boolean receive(Handler handler, Duration timeout) {
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        if (prepare != null) {
            now = DeadlineCompletion.NO_READING; // topUp() runs the caller's code before the wait
        }
        while (true) {
            if (isWaiting()) {
                now = DeadlineCompletion.NO_READING; // ready() may wait for an ENABLE first
            }
            if (!ready(deadline)) {
                return false;
            }
            if (!topUp()) {
                continue;
            }
            long n = awaitOldest(deadline, now);
            now = DeadlineCompletion.NO_READING;
            if (n == -1) {
                return false;
            }
            if (n == -2) {
                continue;
            }
            if (n == -3) {
                retireOldest();
                continue;
            }
            int slot = head;
            try {
                if (handler != null) {
                    lane().beginCpu(slot, false);
                    try {
                        handler.accept(lane().buffer(slot), n);
                    } finally {
                        lane().endCpu(slot, false);
                    }
                }
            } finally {
                retireOldest();
            }
            if (lane().path() != StreamPath.BLOCKING) {
                topUp(); // a blocking read here would hold the caller until the host sends more
            }
            return true;
        }
    }

    /** Queues reads into every free buffer; false when the stream was cut meanwhile. */
    private boolean topUp() {
        while (count < lane().depth()) {
            int slot = nextFree();
            if (prepare != null) {
                lane().beginCpu(slot, true);
                try {
                    prepare.accept(lane().buffer(slot));
                } finally {
                    lane().endCpu(slot, true);
                }
            }
            if (!submit(slot, bufferSize())) {
                return false;
            }
        }
        return true;
    }

    /** Options of an {@link OutStream}. */
    public static final class Builder extends EndpointStream.Builder<OutStream, Builder> {
        private java.util.function.Consumer<MemorySegment> prepare;

        private Builder(Ep0 ep0, int number) {
            super(ep0, number);
        }

        /**
         * Runs on each buffer before a read into it is queued (on the DMABUF path inside a write
         * bracket): e.g. fill it with a byte the data never holds, to find where a short packet
         * ended a DMABUF read, whose length the kernel does not report.
         */
        public Builder beforeEachRead(java.util.function.Consumer<MemorySegment> prepare) {
            this.prepare = prepare;
            return this;
        }

        @Override
        public OutStream open() {
            return new OutStream(this);
        }
    }
}
