package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.StreamTraffic.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.GadgetException;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the library's streams do on their own: choose the path the UDC allows, and wait through
 * an unbind (the stream's requests end with ESHUTDOWN or ENODEV) to serve again after the next
 * bind and ENABLE, without the driver doing anything.
 */
class StreamRecoveryConformanceTest {
    private static final int CHUNKS = 8;
    private final Fixture fixture = Fixture.current();

    /** Whether ATTACH works on this backend's UDC, asked directly. */
    private static boolean attachWorks(Harness h) {
        try (Endpoint ep = h.ffs.endpoint(Harness.EP_IN); DmaBuf b = h.backend.dmaBufs().allocate(4096)) {
            ep.attach(b);
            return true;
        } catch (GadgetException e) {
            return false;
        }
    }

    @Test
    void autoPath_isDmabufWhereAttachWorks_elseAioWithTheReason() throws Exception {
        try (Harness h = Harness.serving(fixture, r -> { });
             InStream in = options(h, InStream.on(h.ep0, Harness.EP_IN), null).open()) {
            boolean dmabuf = attachWorks(h);
            Background<Integer> host = StreamTraffic.hostReads(h, CHUNKS, 0);
            StreamTraffic.send(in, 0, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(dmabuf ? StreamPath.DMABUF : StreamPath.AIO, in.path(), in.pathReason());
            // A UDC without scatter-gather refuses ATTACH with EPERM; a kernel before 6.9 has no
            // DMABUF interface at all (ENOTTY).
            assertTrue(dmabuf || in.pathReason().startsWith("EPERM: the UDC has no scatter-gather support")
                    || in.pathReason().contains(DmaBufCases.MISSING), in.pathReason());
        }
    }

    @Test
    void inStream_waitsThroughUnbind_andServesAfterRebind() throws Exception {
        try (Harness h = Harness.serving(fixture, r -> { });
             InStream in = options(h, InStream.on(h.ep0, Harness.EP_IN), null).open()) {
            StreamTraffic.send(in, 0, StreamTraffic.DEPTH); // queued, the host does not read
            assertFalse(in.isWaiting(), in.status());
            h.host.close();
            h.host = null;
            h.gadget.unbind();
            assertFalse(in.send(b -> 1, Duration.ofMillis(300)), "sent while unbound");
            assertTrue(in.isWaiting(), in.status());
            h.bindAndEnable();
            Background<Integer> host = StreamTraffic.hostReads(h, CHUNKS, 1);
            StreamTraffic.send(in, 1, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertFalse(in.isWaiting(), in.status());
            assertEquals(1, in.interruptions());
        }
    }

    @Test
    void outStream_waitsThroughUnbind_andServesAfterRebind() throws Exception {
        try (Harness h = Harness.serving(fixture, r -> { });
             OutStream out = options(h, OutStream.on(h.ep0, Harness.EP_OUT), null).open()) {
            assertFalse(out.receive((b, n) -> { }, Duration.ofMillis(300)), "received without a host write");
            h.host.close();
            h.host = null;
            h.gadget.unbind();
            assertFalse(out.receive((b, n) -> { }, Duration.ofMillis(300)), "received while unbound");
            assertTrue(out.isWaiting(), out.status());
            h.bindAndEnable();
            Background<Integer> host = StreamTraffic.hostWrites(h, CHUNKS);
            StreamTraffic.receive(out, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(1, out.interruptions());
        }
    }
}
