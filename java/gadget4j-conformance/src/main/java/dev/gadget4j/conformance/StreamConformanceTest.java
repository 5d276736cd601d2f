package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.IoRequest;
import dev.gadget4j.stream.EndpointStream;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * Long streams through the library's {@link InStream}/{@link OutStream} on every path, forced,
 * with every byte verified and several buffers in flight on both sides; the host keeps
 * {@link #DEPTH} URBs in flight. Chunk {@code i} carries seed {@code i % SEEDS}.
 */
class StreamConformanceTest {
    static final int CHUNK = 256 * 1024;
    static final int CHUNKS = 64; // 16 MiB per direction and path
    static final int DEPTH = 4;
    static final int SEEDS = 7;
    private final Fixture fixture = Fixture.current();

    /** The host reads {@code chunks} chunks, from seed {@code first} on, and checks each. */
    static Background<Integer> hostReads(Harness h, int chunks, int first) {
        return Background.start(() -> {
            try (Arena arena = Arena.ofShared()) {
                ArrayDeque<IoRequest> urbs = new ArrayDeque<>();
                ArrayDeque<MemorySegment> bufs = new ArrayDeque<>();
                for (int i = 0, queued = 0; i < chunks; i++) {
                    for (; queued < chunks && urbs.size() < DEPTH; queued++) {
                        bufs.add(arena.allocate(CHUNK));
                        urbs.add(h.host.submitBulk(h.hostIn, bufs.peekLast(), false));
                    }
                    assertEquals(CHUNK, urbs.poll().await(WAIT));
                    assertEquals(-1, Patterns.mismatch(bufs.poll(), CHUNK, (first + i) % SEEDS), "chunk " + i);
                }
                return chunks;
            }
        });
    }

    static Background<Integer> hostWrites(Harness h, int chunks) {
        return Background.start(() -> {
            try (Arena arena = Arena.ofShared()) {
                ArrayDeque<IoRequest> urbs = new ArrayDeque<>();
                for (int i = 0; i < chunks + DEPTH; i++) {
                    if (urbs.size() == DEPTH || i >= chunks && !urbs.isEmpty()) {
                        assertEquals(CHUNK, urbs.poll().await(WAIT));
                    }
                    if (i < chunks) {
                        MemorySegment b = arena.allocate(CHUNK);
                        Patterns.fill(b, CHUNK, i % SEEDS);
                        urbs.add(h.host.submitBulk(h.hostOut, b, false));
                    }
                }
                return chunks;
            }
        });
    }

    static <B extends EndpointStream.Builder<?, B>> B options(Harness h, B b, StreamPath path) {
        return b.bufferSize(CHUNK).depth(DEPTH).dmaBufs(h.backend.dmaBufs()).path(path);
    }

    /** Sends chunks {@code first..first+chunks-1}, each filled with its seed. */
    static void send(InStream in, int first, int chunks) {
        for (int i = first; i < first + chunks; i++) {
            int seed = i % SEEDS;
            assertTrue(in.send(b -> {
                Patterns.fill(b, CHUNK, seed);
                return CHUNK;
            }, WAIT), "chunk " + i + " not queued within " + WAIT);
        }
    }

    static void receive(OutStream out, int chunks) {
        for (int i = 0; i < chunks; i++) {
            int seed = i % SEEDS;
            assertTrue(out.receive((b, n) -> assertEquals(-1, Patterns.mismatch(b, CHUNK, seed), "chunk " + seed),
                    WAIT), "chunk " + i + " not received within " + WAIT);
        }
    }

    @Test
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
        try (Harness h = Harness.serving(fixture);
             InStream in = options(h, InStream.on(h.ep0, Harness.EP_IN), path).open()) {
            Background<Integer> host = hostReads(h, CHUNKS, 0);
            send(in, 0, CHUNKS);
            assertTrue(in.flush(WAIT));
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(path, in.path());
        }
    }

    private void out(StreamPath path) throws Exception {
        try (Harness h = Harness.serving(fixture);
             OutStream out = options(h, OutStream.on(h.ep0, Harness.EP_OUT), path).open()) {
            Background<Integer> host = hostWrites(h, CHUNKS);
            receive(out, CHUNKS);
            assertEquals(CHUNKS, host.get(WAIT));
            assertEquals(path, out.path());
        }
    }
}
