package dev.gadget4j.cli;

import dev.gadget4j.Backend;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.stream.Ep0;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Gadget Zero compatible source/sink on a started FunctionFS instance, on the library's streams:
 * ep1 (bulk IN) sources usbtest's pattern 1, byte {@code i} of every request being
 * {@code (i % wMaxPacketSize) % 63}; ep2 (bulk OUT) sinks and checks it. Requests are {@code size}
 * bytes, matching the host's URBs ({@code testusb -s}). The streams wait through every disable,
 * unbind (by another process too) and host disconnect, and serve again at the next ENABLE.
 *
 * <p>{@link Mode#CLASSIC} is one blocking read()/write() at a time, which nothing but a disable
 * ends: {@link #close()} calls the {@code unblock} action given (unbinding the gadget) when a loop
 * is still inside one after a short grace period. With {@code check} false nothing is verified
 * or filled per request, as a benchmark's peer does.
 */
final class SourceSink implements AutoCloseable {
    enum Mode {
        CLASSIC(StreamPath.BLOCKING), AIO(StreamPath.AIO), DMABUF(StreamPath.DMABUF);

        final StreamPath path;

        Mode(StreamPath path) {
            this.path = path;
        }
    }

    /**
     * How long a loop waits for a buffer before it looks at the stop flag again. In a one-way run
     * the other direction waits for good: each wait that ends costs a wake-up and an ETIMEDOUT
     * exception, so they are rare; {@link #close()} does not wait for them.
     */
    private static final Duration POLL = Duration.ofSeconds(2);
    /** How long {@link #close()} lets the loops finish their current buffer before it unbinds. */
    private static final Duration GRACE = Duration.ofMillis(100);
    private static final byte MARK = (byte) 0xff; // never in pattern 1: where a DMABUF read's data ends
    /** Transfers per call of a loop's compiled body: see {@link #sendBatch}. */
    private static final int BATCH = 32;

    private final Backend backend;
    private final Ep0 ep0;
    private final Mode mode;
    private final int size;
    private final int depth;
    private final boolean check;
    private final Runnable unblock;
    private final Consumer<String> log;
    private volatile boolean stop;
    /** Counted down once {@link #stop} is set: what the main thread waits on. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;
    /** The source's buffers hold the pattern for this packet size ({@code filled} of them so far). */
    private int filledFor;
    private int filled;
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    final AtomicLong dataErrors = new AtomicLong();
    private final List<Thread> threads;
    private volatile Throwable failure;

    SourceSink(Backend backend, FunctionFs ffs, Mode mode, int size, int depth, boolean check, Runnable unblock,
            Consumer<String> log) {
        this.backend = backend;
        this.ep0 = Ep0.serve(ffs); // no vendor requests: usbtest's control tests expect stalls
        this.mode = mode;
        this.size = size;
        this.depth = depth;
        this.check = check;
        this.unblock = unblock;
        this.log = log;
        this.threads = List.of(Thread.ofPlatform().name("source").unstarted(guarded(this::source)),
                Thread.ofPlatform().name("sink").unstarted(guarded(this::sink)));
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private Runnable guarded(Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                if (!stop) {
                    failure = t;
                    halt();
                }
            }
        };
    }

    private void halt() {
        stop = true;
        stopped.countDown();
    }

    /** The error that stopped a loop, or null. */
    Throwable failure() {
        return failure;
    }

    boolean stopped() {
        return stop;
    }

    /**
     * Waits until a loop failed or {@link #close()} began, or {@code nanos} passed: the main
     * thread's wait, which wakes for nothing else (a periodic wake-up is CPU a benchmark counts).
     *
     * @return whether the source/sink has stopped
     */
    boolean awaitStop(long nanos) throws InterruptedException {
        return stopped.await(nanos, TimeUnit.NANOSECONDS);
    }

    static void fillPattern(MemorySegment s, long length, int maxPacket) {
        for (long i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) ((i % maxPacket) % 63));
        }
    }

    private <B extends dev.gadget4j.stream.EndpointStream.Builder<?, B>> B options(B b) {
        return b.bufferSize(size).depth(depth).path(mode.path).dmaBufs(backend.dmaBufs()).listener(log);
    }

    /** Fills each buffer once per packet size (the pattern depends on it), then sends them as they are. */
    private void source() {
        filledFor = 0; // a new stream's buffers hold nothing yet
        filled = 0;
        try (InStream in = options(InStream.on(ep0, 1)).open()) {
            InStream.Filler fill = b -> {
                fillPattern(b, size, in.maxPacketSize());
                return size;
            };
            while (!stop) {
                sendBatch(in, fill);
            }
        }
    }

    /*
     * The loops' bodies are methods of their own, called in batches: the JIT compiles a method
     * after a few thousand calls, while a loop in a method entered once runs in the interpreter
     * until on-stack replacement, tens of thousands of iterations later (a benchmark's whole
     * warm-up at 64 KiB). The loop left in source() and sink() is interpreted all along, so it
     * runs once per batch rather than once per transfer (under emulation an interpreted
     * iteration cost several microseconds).
     */
    private void sendBatch(InStream in, InStream.Filler fill) {
        for (int i = 0; i < BATCH && !stop; i++) {
            sendOnce(in, fill);
        }
    }

    private void sendOnce(InStream in, InStream.Filler fill) {
        boolean asIs = in.maxPacketSize() == filledFor && filled >= in.depth();
        if (asIs ? in.send(size, POLL) : in.send(fill, POLL)) {
            bytesIn.addAndGet(size);
            if (!asIs) {
                filled = filledFor == in.maxPacketSize() ? filled + 1 : 1;
                filledFor = in.maxPacketSize();
            }
        }
    }

    private void sink() {
        try (OutStream out = options(OutStream.on(ep0, 2))
                .beforeEachRead(check && mode == Mode.DMABUF ? b -> b.fill(MARK) : null).open()) {
            OutStream.Handler verify = check ? (b, n) -> bytesOut.addAndGet(verified(b, n, out.maxPacketSize())) : null;
            while (!stop) {
                receiveBatch(out, verify);
            }
        }
    }

    private void receiveBatch(OutStream out, OutStream.Handler verify) {
        for (int i = 0; i < BATCH && !stop; i++) {
            receiveOnce(out, verify);
        }
    }

    private void receiveOnce(OutStream out, OutStream.Handler verify) {
        if (out.receive(verify, POLL) && !check) {
            bytesOut.addAndGet(size);
        }
    }

    /**
     * Checks {@code n} received bytes against pattern 1 and returns how many arrived. A DMABUF
     * read does not say how many (a short packet, or the zero-length packet usbtest sends after a
     * multiple of the packet size, ends it early): the buffer was filled with {@link #MARK}, so
     * the data is the prefix up to the first mark, and everything after it must still be marked.
     */
    private long verified(MemorySegment b, long n, int mps) {
        long end = n;
        for (long i = 0; i < n; i++) {
            byte x = b.get(ValueLayout.JAVA_BYTE, i);
            if (mode == Mode.DMABUF && x == MARK && end == n) {
                end = i;
            }
            boolean ok = i >= end ? x == MARK : x == (byte) ((i % mps) % 63);
            if (!ok) {
                dataErrors.incrementAndGet();
                return end;
            }
        }
        return end;
    }

    /** Stops the loops and ep0; a second call (a shutdown hook's and the main thread's) returns at once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        halt();
        if (!joinAll(GRACE)) {
            unblock.run(); // a loop waits for the host: unbinding ends every wait
            joinAll(Duration.ofSeconds(10));
        }
        ep0.close();
    }

    private boolean joinAll(Duration each) {
        boolean done = true;
        for (Thread t : threads) {
            try {
                done &= !t.isAlive() || t.join(each);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return done;
    }
}
