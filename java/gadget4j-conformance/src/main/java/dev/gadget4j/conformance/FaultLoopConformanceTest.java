package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fault loop: DMABUF transfers stream both ways, and mid-stream the gadget is unbound from
 * its UDC or its endpoint files are closed under the transfers, 100 times. Each cycle the driver
 * recovers as an application would (binds again, reopens the endpoints, attaches its DMABUFs
 * again) and first moves one verified buffer each way. Cycles alternate four ways: unbind or
 * close, each while the host streams too (the fault races completions: a transfer ends cut, with
 * ESHUTDOWN or ECONNRESET, or complete, and the next call fails with ENODEV or EBADF) or after
 * the host paused (a transfer is pending in each direction for sure, and the fault must cut both:
 * ESHUTDOWN on unbind, ECONNRESET on close). Nothing waits longer than {@link Harness#WAIT}. At
 * the end the process holds the file descriptors, DMABUF mappings and threads it held after the
 * first four cycles.
 */
class FaultLoopConformanceTest {
    private static final int CYCLES = 100;
    private static final int SIZE = 64 * 1024;
    /** Transfers each gadget stream completes before the fault: the fault really is mid-stream. */
    private static final int BEFORE_FAULT = 3;
    /** How a transfer cut by a fault ends, and how calls after it fail. */
    private static final Set<Errno> CUT = EnumSet.of(Errno.ESHUTDOWN, Errno.ECONNRESET);
    private static final Set<Errno> AFTER = EnumSet.of(Errno.ENODEV, Errno.EBADF);
    private final Fixture fixture = Fixture.current();

    /** A stream on one endpoint: transfers one after the other until a call fails. */
    private static final class GadgetStream {
        final AtomicLong queued = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        /** The transfer being awaited (set before {@code queued} counts it). */
        volatile Transfer current;
        final Background<Errno> run;

        GadgetStream(Endpoint ep, DmaBuf buf) {
            run = Background.start(() -> {
                while (true) {
                    Transfer t;
                    try {
                        t = ep.transfer(buf, SIZE);
                    } catch (GadgetException e) {
                        return expect(AFTER, e, "TRANSFER after the fault");
                    }
                    current = t;
                    queued.incrementAndGet();
                    try {
                        t.await(WAIT);
                    } catch (GadgetException e) {
                        return expect(CUT, e, "a transfer cut by the fault");
                    }
                    done.incrementAndGet();
                }
            });
        }
    }

    private static Errno expect(Set<Errno> allowed, GadgetException e, String what) {
        if (!allowed.contains(e.errno())) {
            throw new AssertionError(what + " failed with " + e.errno() + ", expected one of " + allowed, e);
        }
        return e.errno();
    }

    /** The host's side of the stream: bulk URBs on one endpoint until stopped or the device goes away. */
    private static Background<Long> hostStream(Harness h, int endpoint, MemorySegment data, AtomicBoolean stop) {
        return Background.start(() -> {
            long n = 0;
            while (!stop.get()) {
                IoRequest urb;
                try {
                    urb = h.host.submitBulk(endpoint, data, false);
                } catch (GadgetException e) {
                    return n; // the device is gone (unbound)
                }
                while (true) {
                    try {
                        urb.await(Duration.ofMillis(100));
                        n++;
                        break;
                    } catch (GadgetException e) {
                        if (e.errno() != Errno.ETIMEDOUT) {
                            return n; // disconnected under the URB
                        }
                        if (stop.get()) {
                            urb.cancel();
                            return n;
                        }
                    }
                }
            }
            return n;
        });
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void dmabufStreams_survive100UnbindsAndEndpointCloses_withoutLeaks() throws Exception {
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        Snapshot baseline = null;
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            DmaBuf inBuf = h.track(h.backend.dmaBufs().allocate(SIZE));
            DmaBuf outBuf = h.track(h.backend.dmaBufs().allocate(SIZE));
            MemorySegment hostIn = arena.allocate(SIZE);
            MemorySegment hostOut = arena.allocate(SIZE);
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                boolean unbind = cycle % 2 == 0;
                boolean hostPaused = cycle % 4 >= 2;
                String kind = (unbind ? "unbind" : "close") + (hostPaused ? " (host paused): " : ": ");
                int seed = cycle % 50;
                if (!h.gadget.isBound()) {
                    h.host.close();
                    h.bindAndEnable();
                }
                Endpoint in = h.ffs.endpoint(Harness.EP_IN, EndpointOption.NON_BLOCKING);
                Endpoint out = h.ffs.endpoint(Harness.EP_OUT, EndpointOption.NON_BLOCKING);
                try {
                    in.attach(inBuf);
                    out.attach(outBuf);
                    verifiedRoundTrip(h, in, out, inBuf, outBuf, hostIn, hostOut, seed, cycle);

                    AtomicBoolean stopHost = new AtomicBoolean();
                    Background<Long> hostReads = hostStream(h, h.hostIn, hostIn, stopHost);
                    Background<Long> hostWrites = hostStream(h, h.hostOut, hostOut, stopHost);
                    GadgetStream source = new GadgetStream(in, inBuf);
                    GadgetStream sink = new GadgetStream(out, outBuf);
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while ((source.done.get() < BEFORE_FAULT || sink.done.get() < BEFORE_FAULT)
                            && !source.run.isDone() && !sink.run.isDone()) {
                        if (System.nanoTime() > deadline) {
                            fail("cycle " + cycle + ": the streams did not get going: " + source.done + " in, "
                                    + sink.done + " out");
                        }
                        Thread.sleep(1);
                    }
                    if (hostPaused) {
                        stopHost.set(true);
                        hostReads.get(WAIT);
                        hostWrites.get(WAIT);
                        awaitStuck(source, cycle);
                        awaitStuck(sink, cycle);
                    }
                    if (unbind) {
                        h.gadget.unbind();
                    } else {
                        in.close();
                        out.close();
                    }
                    for (GadgetStream s : List.of(source, sink)) {
                        Errno end = s.run.get(WAIT);
                        outcomes.merge(kind + end, 1, Integer::sum);
                        if (hostPaused) {
                            assertEquals(unbind ? Errno.ESHUTDOWN : Errno.ECONNRESET, end,
                                    "cycle " + cycle + ": the pending transfer must be cut by the " + kind);
                        }
                        s.run.thread().join(WAIT);
                    }
                    stopHost.set(true);
                    hostReads.get(WAIT);
                    hostWrites.get(WAIT);
                    hostReads.thread().join(WAIT);
                    hostWrites.thread().join(WAIT);
                    if (unbind) {
                        ErrnoAssertions.assertErrno(Errno.ENODEV, () -> in.transfer(inBuf, SIZE));
                        ErrnoAssertions.assertErrno(Errno.ENODEV, () -> out.detach(outBuf));
                    } else {
                        ErrnoAssertions.assertErrno(Errno.EBADF, () -> in.transfer(inBuf, SIZE));
                    }
                } finally {
                    in.close();
                    out.close();
                }
                if (cycle == 3) {
                    baseline = Snapshot.take();
                } else if (cycle == CYCLES - 1) {
                    baseline.assertSame(Snapshot.take());
                }
            }
        }
        System.out.println("fault loop outcomes (per stream): " + new TreeMap<>(outcomes));
    }

    /**
     * Waits until the stream has a transfer queued that cannot complete (the host paused): queued
     * ahead of done, its fence still pending when read from here a moment later. The fence is
     * read, not just the stream's count: the last transfer before the pause may have completed
     * into the host's last request (even before its fence was exported) while the stream thread
     * had not yet looked; cut then, it would rightly end without error.
     */
    private static void awaitStuck(GadgetStream s, int cycle) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long done = s.done.get();
            Transfer t = s.current;
            if (s.queued.get() > done && !s.run.isDone() && t != null) {
                Thread.sleep(20);
                if (s.done.get() == done && s.current == t && !t.isDone()) {
                    return;
                }
            } else {
                Thread.sleep(1);
            }
            if (System.nanoTime() > deadline || s.run.isDone()) {
                fail("cycle " + cycle + ": no transfer stayed pending once the host paused");
            }
        }
    }

    /** One buffer each way with every byte checked: the driver has recovered. */
    private static void verifiedRoundTrip(Harness h, Endpoint in, Endpoint out, DmaBuf inBuf, DmaBuf outBuf,
            MemorySegment hostIn, MemorySegment hostOut, int seed, int cycle) {
        inBuf.write(s -> Patterns.fill(s, SIZE, seed));
        Transfer ti = in.transfer(inBuf, SIZE);
        hostIn.fill((byte) 0);
        assertEquals(SIZE, h.host.bulk(h.hostIn, hostIn, WAIT), "cycle " + cycle + ": IN");
        ti.await(WAIT);
        assertEquals(-1, Patterns.mismatch(hostIn, SIZE, seed), "cycle " + cycle + ": IN data");

        outBuf.write(s -> s.fill((byte) 0xff));
        Transfer to = out.transfer(outBuf, SIZE);
        Patterns.fill(hostOut, SIZE, seed + 1);
        assertEquals(SIZE, h.host.bulk(h.hostOut, hostOut, WAIT), "cycle " + cycle + ": OUT");
        to.await(WAIT);
        outBuf.read(s -> assertEquals(-1, Patterns.mismatch(s, SIZE, seed + 1), "cycle " + cycle + ": OUT data"));
    }

    /** What the process holds: file descriptors, DMABUF mappings, live threads. */
    private record Snapshot(long fds, long dmabufMappings, int threads) {
        static Snapshot take() {
            return new Snapshot(lines("/proc/self/fd", true), lines("/proc/self/maps", false), Thread.activeCount());
        }

        private static long lines(String path, boolean dir) {
            Path p = Path.of(path);
            if (!Files.isReadable(p)) {
                return 0;
            }
            try (Stream<?> s = dir ? Files.list(p) : Files.lines(p).filter(l -> l.contains("dmabuf"))) {
                return s.count();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void assertSame(Snapshot now) {
            List<String> leaks = new ArrayList<>();
            if (now.fds != fds) {
                leaks.add("file descriptors " + fds + " -> " + now.fds);
            }
            if (now.dmabufMappings != dmabufMappings) {
                leaks.add("DMABUF mappings " + dmabufMappings + " -> " + now.dmabufMappings);
            }
            if (now.threads != threads) {
                leaks.add("threads " + threads + " -> " + now.threads);
            }
            assertTrue(leaks.isEmpty(), "leaked over the fault loop: " + leaks);
        }
    }
}
