package dev.gadget4j.cli;

import dev.gadget4j.Backend;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Gadget Zero compatible source/sink on a started, bound FunctionFS instance: ep1 (bulk IN)
 * sources usbtest's pattern 1, byte {@code i} of every request being {@code (i % wMaxPacketSize) % 63};
 * ep2 (bulk OUT) sinks and checks it. Requests are {@code size} bytes, matching the host's URBs
 * ({@code testusb -s}). It survives the DISABLE/ENABLE cycles usbtest causes before each test:
 * pending I/O fails with ESHUTDOWN and the loops start again at the next ENABLE.
 *
 * <p>{@link Mode#CLASSIC} is one blocking read()/write() at a time, which nothing but a disable
 * ends: {@link #close()} calls the {@code unblock} action given (unbinding the gadget) when a loop
 * is still inside one after a short grace period. With {@code check} false nothing is verified
 * or filled per request, as a benchmark's peer does.
 */
final class SourceSink implements AutoCloseable {
    enum Mode {
        CLASSIC, AIO, DMABUF
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final Backend backend;
    private final FunctionFs ffs;
    private final Mode mode;
    private final int size;
    private final int depth;
    private final boolean check;
    private final Runnable unblock;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Object enabled = new Object();
    private long enableCount;
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    final AtomicLong dataErrors = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Throwable failure;

    SourceSink(Backend backend, FunctionFs ffs, Mode mode, int size, int depth, boolean check, Runnable unblock) {
        this.backend = backend;
        this.ffs = ffs;
        this.mode = mode;
        this.size = size;
        this.depth = mode == Mode.CLASSIC ? 1 : depth;
        this.check = check;
        this.unblock = unblock;
    }

    void start() {
        threads.add(Thread.ofPlatform().name("ep0").start(guarded(this::events)));
        threads.add(Thread.ofPlatform().name("source").start(guarded(() -> loop(true))));
        threads.add(Thread.ofPlatform().name("sink").start(guarded(() -> loop(false))));
    }

    private Runnable guarded(Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
                stop.set(true);
            }
        };
    }

    /** The error that stopped a loop, or null. */
    Throwable failure() {
        return failure;
    }

    boolean stopped() {
        return stop.get();
    }

    private void events() {
        while (!stop.get()) {
            try {
                ffs.nextEvent(POLL).ifPresent(e -> {
                    if (e instanceof Event.Enable) {
                        synchronized (enabled) {
                            enableCount++;
                            enabled.notifyAll();
                        }
                    } else if (e instanceof Event.Setup s) {
                        ffs.stall(s); // no vendor requests: usbtest's control tests expect stalls here
                    }
                });
            } catch (GadgetException e) {
                if (stop.get()) {
                    return;
                }
                throw e;
            }
        }
    }

    /** Waits for an ENABLE newer than {@code seen} (0: the first); returns its number, or -1 when stopping. */
    private long awaitEnable(long seen) {
        synchronized (enabled) {
            while (enableCount <= seen && !stop.get()) {
                try {
                    enabled.wait(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            return stop.get() ? -1 : enableCount;
        }
    }

    static void fillPattern(MemorySegment s, int length, int maxPacket) {
        for (int i = 0; i < length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) ((i % maxPacket) % 63));
        }
    }

    private void loop(boolean in) {
        try (Endpoint ep = ffs.endpoint(in ? 1 : 2, EndpointOption.NON_BLOCKING); Arena arena = Arena.ofShared()) {
            byte[] d = null;
            while (d == null) {
                if (awaitEnable(0) < 0) {
                    return;
                }
                try {
                    d = ep.descriptor();
                } catch (GadgetException e) {
                    if (e.errno() != Errno.EAGAIN) {
                        throw e;
                    }
                }
            }
            int maxPacket = (d[4] & 0xff) | (d[5] & 0x07) << 8;
            MemorySegment pattern = arena.allocate(size);
            fillPattern(pattern, size, maxPacket);
            switch (mode) {
                case CLASSIC -> blocking(ep, in, pattern, arena);
                case AIO -> aio(ep, in, pattern, arena);
                case DMABUF -> dmabuf(ep, in, pattern);
            }
        }
    }

    /**
     * Queues a request. Returns null while the endpoint is disabled (the endpoint is non-blocking,
     * so that stopping never waits on a sleeping system call); the caller retries.
     */
    private <T> T queue(java.util.function.Supplier<T> submit) {
        try {
            return submit.get();
        } catch (GadgetException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
            awaitEnabledOrStop();
            return null;
        }
    }

    /**
     * Waits for the head request. Returns false on a timeout (poll again); a request the host's
     * reconfiguration ended (ESHUTDOWN) or a cancel (ECONNRESET) counts as done without data.
     */
    private boolean completed(java.util.function.Supplier<Integer> await, long[] bytes) {
        try {
            bytes[0] = await.get();
            return true;
        } catch (GadgetException e) {
            return switch (e.errno()) {
                case ETIMEDOUT -> false;
                case ESHUTDOWN, ECONNRESET -> {
                    bytes[0] = -1;
                    yield true;
                }
                default -> throw e;
            };
        }
    }

    private void count(boolean in, long n) {
        (in ? bytesIn : bytesOut).addAndGet(n);
    }

    private void check(MemorySegment got, int length, MemorySegment pattern) {
        if (check && MemorySegment.mismatch(got, 0, length, pattern, 0, length) >= 0) {
            dataErrors.incrementAndGet();
        }
    }

    /**
     * A DMABUF OUT transfer does not say how many bytes arrived (a short packet, or the zero-length
     * packet usbtest sends after a multiple of the packet size, ends it early). The buffer was
     * filled with 0xff, which pattern 1 never holds: the data is the prefix up to the first 0xff,
     * and everything after it must still be 0xff. Returns the bytes received.
     */
    private int checkMarked(MemorySegment got, MemorySegment pattern) {
        long n = MemorySegment.mismatch(got, 0, size, pattern, 0, size);
        if (n < 0) {
            return size;
        }
        for (long i = n; i < size; i++) {
            if (got.get(ValueLayout.JAVA_BYTE, i) != (byte) 0xff) {
                dataErrors.incrementAndGet();
                return (int) n;
            }
        }
        return (int) n;
    }

    /** One read() or write() at a time; ESHUTDOWN (disabled mid-request) ends a request without data. */
    private void blocking(Endpoint ep, boolean in, MemorySegment pattern, Arena arena) {
        MemorySegment buf = in ? pattern : arena.allocate(size);
        while (!stop.get()) {
            int n;
            try {
                n = in ? ep.write(buf) : ep.read(buf);
            } catch (GadgetException e) {
                switch (e.errno()) {
                    case EAGAIN -> awaitEnabledOrStop(); // disabled: the endpoint is non-blocking
                    case ESHUTDOWN, ECONNRESET -> { }
                    default -> {
                        if (!stop.get()) {
                            throw e;
                        }
                    }
                }
                continue;
            }
            count(in, n);
            if (!in) {
                check(buf, n, pattern);
            }
        }
    }

    private void awaitEnabledOrStop() {
        synchronized (enabled) {
            try {
                enabled.wait(POLL.toMillis()); // an ENABLE wakes this early
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                stop.set(true);
            }
        }
    }

    private void aio(Endpoint ep, boolean in, MemorySegment pattern, Arena arena) {
        ArrayDeque<IoRequest> q = new ArrayDeque<>();
        ArrayDeque<MemorySegment> bufs = new ArrayDeque<>();
        ArrayDeque<MemorySegment> free = new ArrayDeque<>();
        for (int i = 0; i < depth; i++) {
            free.add(in ? pattern : arena.allocate(size));
        }
        long[] n = new long[1];
        try {
            while (!stop.get()) {
                while (!free.isEmpty() && !stop.get()) {
                    MemorySegment b = free.peek();
                    IoRequest r = queue(() -> in ? ep.submitWrite(b) : ep.submitRead(b));
                    if (r == null) {
                        break;
                    }
                    bufs.add(free.poll());
                    q.add(r);
                }
                if (q.isEmpty() || !completed(() -> q.peek().await(POLL), n)) {
                    continue;
                }
                q.poll();
                MemorySegment b = bufs.poll();
                free.add(b);
                if (n[0] >= 0) {
                    count(in, n[0]);
                    if (!in) {
                        check(b, (int) n[0], pattern);
                    }
                }
            }
        } finally {
            q.forEach(IoRequest::cancel);
        }
    }

    private void dmabuf(Endpoint ep, boolean in, MemorySegment pattern) {
        long page = backend.dmaBufs().pageSize();
        long bufSize = (size + page - 1) / page * page;
        List<DmaBuf> bufs = new ArrayList<>();
        ArrayDeque<Transfer> q = new ArrayDeque<>();
        ArrayDeque<DmaBuf> free = new ArrayDeque<>();
        try {
            for (int i = 0; i < depth; i++) {
                DmaBuf b = backend.dmaBufs().allocate(bufSize);
                bufs.add(b);
                if (in) {
                    b.write(s -> s.copyFrom(pattern.asSlice(0, Math.min(size, s.byteSize()))));
                }
                ep.attach(b);
                free.add(b);
            }
            while (!stop.get()) {
                while (!free.isEmpty() && !stop.get()) {
                    DmaBuf b = free.peek();
                    if (!in && check) {
                        b.write(s -> s.fill((byte) 0xff)); // 0xff is never in pattern 1: a lost byte shows
                    }
                    Transfer t = queue(() -> ep.transfer(b, size));
                    if (t == null) {
                        break;
                    }
                    free.poll();
                    q.add(t);
                }
                // waitFor: an idle direction wakes every POLL to check for stop without an exception.
                if (q.isEmpty() || !q.peek().waitFor(POLL)) {
                    continue;
                }
                Transfer t = q.poll();
                DmaBuf b = t.dmaBuf();
                free.add(b);
                Errno e = t.status().orElse(null);
                if (e != null && e != Errno.ESHUTDOWN && e != Errno.ECONNRESET) {
                    t.await(POLL); // done: throws its error
                }
                if (e == null) {
                    if (in || !check) {
                        count(in, size);
                    } else {
                        b.read(s -> count(false, checkMarked(s, pattern)));
                    }
                }
            }
        } finally {
            for (DmaBuf b : bufs) {
                try {
                    ep.detach(b); // cancels what is still queued on it
                } catch (GadgetException e) {
                    // unbound (ENODEV): closing the endpoint file drops the attachment
                }
                b.close();
            }
        }
    }

    @Override
    public void close() {
        stop.set(true);
        if (!joinAll(POLL.multipliedBy(3))) {
            unblock.run(); // a blocking read()/write() is waiting for the host
            joinAll(Duration.ofSeconds(10));
        }
    }

    private boolean joinAll(Duration each) {
        boolean done = true;
        for (Thread t : threads) {
            try {
                done &= t.join(each);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return done;
    }
}
