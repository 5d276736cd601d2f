package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.descriptor.FunctionInterface;
import dev.gadget4j.descriptor.InterfaceClass;
import dev.gadget4j.descriptor.UsbEndpoint;
import dev.gadget4j.descriptor.UsbFunction;
import dev.gadget4j.stream.Ep0;
import dev.gadget4j.stream.InStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A driver that streams on several virtual threads at once, with as few carriers as a small
 * board has ({@code -Djdk.virtualThreadScheduler.parallelism=2}, or 2 CPUs): as many IN streams
 * as there are carriers are made to wait first (their buffers queued, the host not reading them),
 * then two more start on virtual threads of their own and the host reads those first. The waiting
 * streams must leave the carriers to the others (a wait of the Linux backend is a blocking
 * downcall, which pins its carrier), and every chunk of every stream arrives verified.
 *
 * <p>Each stream has {@link #PATIENCE} to move all its chunks: the first streams wait for the host
 * to read every later one first, on a VM whose emulated CPUs another VM may share. Streams that
 * lost their carriers never move, so the case still fails on them.
 */
class VirtualThreadStreamConformanceTest {
    private static final int CHUNKS = 2 * StreamTraffic.DEPTH;
    private static final Duration PATIENCE = WAIT.multipliedBy(6);
    private final Fixture fixture = Fixture.current();

    @Test
    void inStreams_onVirtualThreads_moreThanCarriers_allVerified() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        assertTrue(carriers <= 4, carriers + " carriers: run with -Djdk.virtualThreadScheduler.parallelism=2");
        int streams = carriers + 2;
        UsbFunction.Builder b = UsbFunction.builder(Harness.SOURCE_SINK.name());
        FunctionInterface data = b.addInterface(InterfaceClass.VENDOR, "streams");
        for (int i = 0; i < streams; i++) {
            data.bulkIn();
        }
        try (Harness h = Harness.created(fixture)) {
            h.ffs.start(b.build());
            h.ep0 = h.track(Ep0.serve(h.ffs, r -> { }));
            h.bindAndEnable();
            List<UsbEndpoint> endpoints = h.host.configuration().interfaceSetting(0, 0).endpoints();
            List<AtomicInteger> queued = new ArrayList<>();
            List<CompletableFuture<Void>> drivers = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                if (s == carriers) { // the first ones have filled every buffer and wait for the host
                    for (int w = 0; w < carriers; w++) {
                        while (queued.get(w).get() < StreamTraffic.DEPTH && !drivers.get(w).isDone()) {
                            Thread.sleep(10);
                        }
                    }
                }
                queued.add(new AtomicInteger());
                drivers.add(stream(h, s + 1, queued.getLast()));
            }
            for (int s = streams - 1; s >= 0; s--) { // the last started first
                assertEquals(CHUNKS, StreamTraffic.hostReads(h, endpoints.get(s).address(), CHUNKS, s).get(PATIENCE),
                        "stream " + (s + 1));
            }
            for (CompletableFuture<Void> d : drivers) {
                d.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /** Sends CHUNKS chunks on {@code epN} from a virtual thread, chunk i with seed {@code epN - 1 + i}. */
    private static CompletableFuture<Void> stream(Harness h, int epN, AtomicInteger queued) {
        return CompletableFuture.runAsync(() -> {
            try (InStream in = StreamTraffic.options(h, InStream.on(h.ep0, epN), null).open()) {
                StreamTraffic.send(in, epN - 1, CHUNKS, queued::incrementAndGet, PATIENCE);
                assertTrue(in.flush(PATIENCE));
            }
        }, r -> Thread.ofVirtual().name("stream-ep" + epN).start(r));
    }
}
