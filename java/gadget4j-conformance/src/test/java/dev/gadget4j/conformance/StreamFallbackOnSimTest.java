package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Errno;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import org.junit.jupiter.api.Test;

/**
 * The streams' fallback on a UDC without scatter-gather, which only the simulator can model here
 * (the VM's dummy_hcd has it): the automatic choice is AIO, with the reason, and streams verified;
 * a forced DMABUF path fails with ATTACH's EPERM instead of falling back.
 */
class StreamFallbackOnSimTest {
    private static final int CHUNKS = 16;

    @Test
    void withoutScatterGather_autoPathIsAio_withTheReason_inVerified() throws Exception {
        try (Harness h = Harness.serving(Fixture.simWithoutScatterGather(), r -> { });
             InStream in = StreamTraffic.options(h, InStream.on(h.ep0, Harness.EP_IN), null).open()) {
            Background<Integer> host = StreamTraffic.hostReads(h, CHUNKS, 0);
            StreamTraffic.send(in, 0, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(StreamPath.AIO, in.path());
            assertTrue(in.pathReason().startsWith("EPERM: the UDC has no scatter-gather support"), in.pathReason());
        }
    }

    @Test
    void withoutScatterGather_autoPathIsAio_outVerified() throws Exception {
        try (Harness h = Harness.serving(Fixture.simWithoutScatterGather(), r -> { });
             OutStream out = StreamTraffic.options(h, OutStream.on(h.ep0, Harness.EP_OUT), null).open()) {
            Background<Integer> host = StreamTraffic.hostWrites(h, CHUNKS);
            StreamTraffic.receive(out, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(StreamPath.AIO, out.path());
        }
    }

    @Test
    void withoutScatterGather_forcedDmabuf_failsWithEPERM() {
        try (Harness h = Harness.serving(Fixture.simWithoutScatterGather(), r -> { });
             InStream in = StreamTraffic.options(h, InStream.on(h.ep0, Harness.EP_IN), StreamPath.DMABUF).open()) {
            ErrnoAssertions.assertErrno(Errno.EPERM, () -> in.send(b -> 1, WAIT));
        }
    }
}
