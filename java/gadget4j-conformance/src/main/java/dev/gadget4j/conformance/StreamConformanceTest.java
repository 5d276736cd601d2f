package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.gadget4j.conformance.StreamTraffic.hostReads;
import static dev.gadget4j.conformance.StreamTraffic.hostWrites;
import static dev.gadget4j.conformance.StreamTraffic.options;
import static dev.gadget4j.conformance.StreamTraffic.receive;
import static dev.gadget4j.conformance.StreamTraffic.send;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
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
