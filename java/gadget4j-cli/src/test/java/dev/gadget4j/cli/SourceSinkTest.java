package dev.gadget4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.sim.SimBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The source/sink against the simulated host doing what usbtest's tests 1 and 2 do. */
class SourceSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @ParameterizedTest
    @CsvSource({"CLASSIC, 512", "AIO, 4097", "DMABUF, 63", "DMABUF, 65536", "AIO, 1", "AIO, 1", "DMABUF, 63"})
    void servesUsbtestPatternBothWays_acrossReconfiguration(SourceSink.Mode mode, int size) throws Exception {
        try (SimBackend b = SimBackend.open();
             Gadget g = b.createGadget(GadgetSpec.builder().function("zero").build());
             Arena arena = Arena.ofShared()) {
            var ffs = g.functionFs("zero");
            ffs.start(Descriptors.sourceSink(), Strings.en("zero"));
            try (SourceSink ss = new SourceSink(b, ffs, mode, size, 4, true, g::unbind, m -> { })) {
                ss.start();
                g.bind();
                try (HostDevice host = b.host().open(0x0525, 0xa4a4, WAIT)) {
                    int mps = 1024;
                    MemorySegment out = arena.allocate(size);
                    SourceSink.fillPattern(out, size, mps);
                    MemorySegment in = arena.allocate(size);
                    for (int round = 0; round < 3; round++) {
                        host.setInterface(0, 0); // usbtest does this before each test
                        for (int i = 0; i < 5; i++) {
                            assertEquals(size, host.bulk(0x02, out, WAIT));
                            in.fill((byte) 0);
                            assertEquals(size, host.bulk(0x81, in, WAIT));
                            for (int j = 0; j < size; j++) {
                                assertEquals((j % mps) % 63, in.get(ValueLayout.JAVA_BYTE, j), "byte " + j);
                            }
                        }
                    }
                    // A corrupted write must be counted.
                    out.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 0x7f);
                    assertEquals(size, host.bulk(0x02, out, WAIT));
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (ss.dataErrors.get() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    assertEquals(1, ss.dataErrors.get());
                    assertTrue(ss.bytesOut.get() >= 15L * size, "sunk " + ss.bytesOut.get());
                }
                ss.close();
                assertNull(ss.failure());
            }
        }
    }

    /** The main thread's wait ends when another thread closes the source/sink, and two closes are one. */
    @Test
    void awaitStop_endsAtClose_andClosingTwiceIsHarmless() throws Exception {
        try (SimBackend b = SimBackend.open();
             Gadget g = b.createGadget(GadgetSpec.builder().function("zero").build())) {
            var ffs = g.functionFs("zero");
            ffs.start(Descriptors.sourceSink(), Strings.en("zero"));
            try (SourceSink ss = new SourceSink(b, ffs, SourceSink.Mode.AIO, 512, 4, true, g::unbind, m -> { })) {
                ss.start();
                g.bind();
                assertFalse(ss.awaitStop(Duration.ofMillis(50).toNanos()), "stopped with nobody closing it");
                Thread closer = Thread.ofPlatform().start(ss::close);
                assertTrue(ss.awaitStop(WAIT.toNanos()), "close() did not end the wait within " + WAIT);
                closer.join();
                ss.close();
                assertTrue(ss.stopped());
                assertNull(ss.failure());
            }
        }
    }
}
