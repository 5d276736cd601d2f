package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static dev.gadget4j.conformance.StreamTraffic.hostReads;
import static dev.gadget4j.conformance.StreamTraffic.hostWrites;
import static dev.gadget4j.conformance.StreamTraffic.options;
import static dev.gadget4j.conformance.StreamTraffic.receive;
import static dev.gadget4j.conformance.StreamTraffic.send;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Long streams through the library's {@link InStream}/{@link OutStream} on every path, forced,
 * with every byte verified and several buffers in flight on both sides ({@link StreamTraffic}).
 */
class StreamConformanceTest {
    private static final int CHUNKS = 64; // 16 MiB per direction and path
    private final Fixture fixture = Fixture.current();

    @Test
    @ExtendWith(DmaBufCases.class)
    void dmabuf_in_16MiB_verified() throws Exception {
        in(StreamPath.DMABUF);
    }

    @Test
    void aio_in_16MiB_verified() throws Exception {
        in(StreamPath.AIO);
    }

    @Test
    void blocking_in_16MiB_verified() throws Exception {
        in(StreamPath.BLOCKING);
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void dmabuf_out_16MiB_verified() throws Exception {
        out(StreamPath.DMABUF);
    }

    @Test
    void aio_out_16MiB_verified() throws Exception {
        out(StreamPath.AIO);
    }

    @Test
    void blocking_out_16MiB_verified() throws Exception {
        out(StreamPath.BLOCKING);
    }

    @Test
    void aio_zeroTimeouts_startTheStreamsAndMoveData() throws Exception {
        zeroTimeouts(StreamPath.AIO);
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void dmabuf_zeroTimeouts_startTheStreamsAndMoveData() throws Exception {
        zeroTimeouts(StreamPath.DMABUF);
    }

    /**
     * A zero timeout polls, and on an enabled function the first poll opens the endpoint and
     * queues its requests: an event loop that never blocks in the stream must still stream.
     */
    private void zeroTimeouts(StreamPath path) throws Exception {
        int chunks = 8;
        try (Harness h = Harness.serving(fixture, r -> { });
             OutStream out = options(h, OutStream.on(h.ep0, Harness.EP_OUT), path).open();
             InStream in = options(h, InStream.on(h.ep0, Harness.EP_IN), path).open()) {
            assertFalse(out.receive(null, Duration.ZERO), "received without a host write");
            assertEquals(path, out.path(), out.status());
            assertTrue(in.send(StreamTraffic.CHUNK, Duration.ZERO), in.status());
            assertEquals(path, in.path(), in.status());
            Background<Integer> host = hostWrites(h, chunks);
            for (int got = 0; got < chunks; got++) {
                Harness.poll("chunk " + got, () -> out.receive(null, Duration.ZERO) ? out : null);
            }
            assertEquals(chunks, host.get(WAIT));
        }
    }

    private void in(StreamPath path) throws Exception {
        try (Harness h = Harness.serving(fixture, r -> { });
             InStream in = options(h, InStream.on(h.ep0, Harness.EP_IN), path).open()) {
            Background<Integer> host = hostReads(h, CHUNKS, 0);
            send(in, 0, CHUNKS);
            assertTrue(in.flush(WAIT));
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(path, in.path());
        }
    }

    private void out(StreamPath path) throws Exception {
        try (Harness h = Harness.serving(fixture, r -> { });
             OutStream out = options(h, OutStream.on(h.ep0, Harness.EP_OUT), path).open()) {
            Background<Integer> host = hostWrites(h, CHUNKS);
            receive(out, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(path, out.path());
        }
    }
}
